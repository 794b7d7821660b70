"""Services installed as packages join through the `integration_sandbox.services` group."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from sandbox.extend.testing import Harness
from sandbox.runtime.config_file import ConfigError, load_config
from sandbox.runtime.plugins import GROUP, PluginError, discover


def install(site: Path, entry: str, module: str = "lab_pack", code: str = "") -> None:
    """Install a package the way pip leaves it: the module plus a .dist-info with entry points."""
    package = site / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        code
        or textwrap.dedent("""
        from sandbox.extend import Service, new_app

        service = Service(title="Lab Prima", role="clinical laboratory",
                          app="lab_pack:create_app", calls=("records",))

        def create_app(env):
            return new_app(env, "Lab Prima", "a course pack's laboratory")
        """)
    )
    info = site / f"{module.replace('_', '-')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{entry}\n")
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()


def test_an_installed_plugin_appears_in_the_registry(tmp_path: Path) -> None:
    install(tmp_path / "site", "lab = lab_pack:service")
    (found,) = discover()
    assert (found.name, found.title, found.kind, found.calls) == (
        "lab",
        "Lab Prima",
        "plugin",
        ("records",),
    )
    assert "lab_pack" in found.source
    config_path = tmp_path / "sandbox.toml"
    with pytest.raises(ConfigError, match="lab calls records but holds no credentials"):
        load_config(None)
    assert (
        __import__("sandbox.cli").cli.main(
            ["new", "credentials", "lab", "--calls", "records", "--config", str(config_path)]
        )
        == 0
    )
    config = load_config(config_path)
    assert config.spec("lab").kind == "plugin" and "lab" in config.partners["records"]


async def test_a_plugin_runs_with_the_institutions(tmp_path: Path) -> None:
    install(tmp_path / "site", "lab = lab_pack:service")
    config_path = tmp_path / "sandbox.toml"
    assert (
        __import__("sandbox.cli").cli.main(
            ["new", "credentials", "lab", "--calls", "records", "--config", str(config_path)]
        )
        == 0
    )
    async with Harness(config_path) as sandbox:
        response = await sandbox.client("lab").get("/health")
        assert response.json()["service"] == "lab"


def test_a_plugin_can_be_switched_off(tmp_path: Path) -> None:
    install(tmp_path / "site", "lab = lab_pack:service")
    config_path = tmp_path / "sandbox.toml"
    config_path.write_text("[services.lab]\nenabled = false\n")
    assert "lab" not in [s.name for s in load_config(config_path).specs]


def test_a_broken_plugin_is_named(tmp_path: Path) -> None:
    install(
        tmp_path / "site",
        "bad = bad_pack:service",
        module="bad_pack",
        code="raise ImportError('missing dependency')\n",
    )
    with pytest.raises(
        PluginError,
        match=r"plugin 'bad' \(package bad_pack\).*missing "
        "dependency",
    ):
        discover()
