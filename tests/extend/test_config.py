"""sandbox.toml: what it declares, and a clear error with file and line for each mistake."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sandbox.runtime.config_file import ConfigError, find_config, load_config
from sandbox.runtime.registry import BUILTIN

CREDS = """
[services.courier.partners.marketplace]
app_key = "courier-1"
app_secret = "s3cret"
fs_id = 7301
webhook_path = "/webhooks/marketplace"
role = "courier"
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "sandbox.toml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def app_module(folder: Path, name: str = "mysvc") -> None:
    package = folder / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(
        "from sandbox.extend import new_app\n"
        "def create_app(env):\n    return new_app(env, 'Mine', 'test service')\n"
    )


def error_of(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(path, plugins=False)
    return caught.value


def test_no_file_means_the_built_in_institutions(tmp_path: Path) -> None:
    assert find_config(None, tmp_path) is None
    assert load_config(None, plugins=False).specs == BUILTIN


def test_a_module_service_a_url_service_and_a_switched_off_institution(tmp_path: Path) -> None:
    app_module(tmp_path, "courier_pkg")
    path = write(
        tmp_path,
        """
        [services.hospital]
        enabled = false

        [services.courier]
        app = "courier_pkg.app:create_app"
        title = "Kirim Cepat"
        calls = ["marketplace"]
        """
        + CREDS
        + """
        [services.loyalty]
        url = "http://127.0.0.1:9999"
        port = 9100
        """,
    )
    assert find_config(None, tmp_path) == path
    config = load_config(path, plugins=False)
    names = [s.name for s in config.specs]
    assert "hospital" not in names and names[-2:] == ["courier", "loyalty"]
    courier, loyalty = config.spec("courier"), config.spec("loyalty")
    assert (courier.kind, courier.title, courier.calls) == (
        "module",
        "Kirim Cepat",
        ("marketplace",),
    )
    assert courier.source == f"{path}:4"
    assert (loyalty.kind, loyalty.url, loyalty.port) == ("url", "http://127.0.0.1:9999", 9100)
    assert config.partners["marketplace"]["courier"]["fs_id"] == 7301


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "[services.courier]\napp = 'nowhere.app:create_app'\n",
            2,
            "no Python module 'nowhere.app'",
        ),
        ("[services.courier]\napp = 'mysvc.app:make'\n", 2, "has no 'make'"),
        ("[services.courier]\napp = 'not a path'\n", 2, "package.module:create_app"),
        (
            "[services.a1]\nurl = 'http://127.0.0.1:1'\n[services.a1]\nurl = 'http://127.0.0.1:2'\n",
            3,
            "not valid TOML",
        ),
        (
            "[services.courier]\napp = 'mysvc.app:create_app'\ncalls = ['marketplace']\n",
            3,
            "holds no credentials there; run `sandbox new credentials courier --calls marketplace`",
        ),
        (
            "[services.courier]\napp = 'mysvc.app:create_app'\ncalls = ['bakery']\n",
            3,
            "calls 'bakery', which is not a service here",
        ),
        (
            "[services.courier]\napp = 'mysvc.app:create_app'\n[services.courier.partners.social]\n"
            "x = 1\n",
            3,
            "'social', which takes no partners",
        ),
        (
            "[services.courier]\napp = 'mysvc.app:create_app'\n[services.courier.partners.bank]\n"
            "client_key = 'K'\n",
            3,
            "lack client_secret",
        ),
        ("[services.courier]\nurl = 'http://example.com:80'\n", 2, "only fronts servers on this"),
        ("[services.courier]\nurl = 'ftp://127.0.0.1'\n", 2, "http://127.0.0.1:PORT"),
        ("[services.courier]\ntitle = 'x'\n", 1, "give either app"),
        (
            "[services.courier]\napp = 'mysvc.app:create_app'\ncolour = 'red'\n",
            3,
            "unknown key 'colour'",
        ),
        ("[services.bank]\nport = 9000\n", 2, "unknown key 'port' for a built-in institution"),
        ("[services.a]\nurl = 'http://127.0.0.1:1'\n", 1, "service name 'a'"),
        ("[services.buyer]\nurl = 'http://127.0.0.1:1'\n", 1, "'buyer' is a persona"),
        ("[services.external]\nurl = 'http://127.0.0.1:1'\n", 1, "a caller nobody verified"),
        (
            "[services.one]\nurl = 'http://127.0.0.1:1'\nport = 9100\n[services.two]\n"
            "url = 'http://127.0.0.1:2'\nport = 9100\n",
            6,
            "port 9100 is given to both one and two",
        ),
        ("[services.one]\nurl = 'http://127.0.0.1:1'\nport = 80\n", 3, "from 1024 to 65535"),
        ("[plugins]\nx = 1\n", 1, "unknown section 'plugins'"),
        ("[clients.me]\nurl = 'http://127.0.0.1:1'\n", 2, "unknown key 'url' for a client"),
        (
            "[clients.loyalty]\n[services.loyalty]\nurl = 'http://127.0.0.1:1'\n",
            1,
            "client name 'loyalty' is a service's name",
        ),
        ("[clients.patient.partners.bank]\nclient_key = 'K'\n", 1, "'patient' is a persona"),
        (
            "[clients.me.partners.bank]\nclient_key = 'K'\n",
            1,
            "lack client_secret, partner_id, channel_id, partner_service_id, account_no, "
            "notification_secret; regenerate them with `sandbox new client me --calls bank`",
        ),
        ("[services.courier\n", 1, "not valid TOML"),
    ],
)
def test_every_mistake_names_the_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    app_module(tmp_path)
    path = write(tmp_path, text)
    error = error_of(path)
    assert (error.path, error.line) == (path, line), str(error)
    assert str(error).startswith(f"{path}:{line}: ")
    assert words in str(error)


def test_an_import_error_inside_the_users_module_is_reported(tmp_path: Path) -> None:
    package = tmp_path / "broken_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text("import no_such_dependency_here\n")
    path = write(tmp_path, "[services.broken]\napp = 'broken_pkg.app:create_app'\n")
    assert "importing 'broken_pkg.app' failed" in str(error_of(path))


def test_an_explicit_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        find_config(tmp_path / "missing.toml")


def test_role_means_one_thing_a_description_is_a_description(tmp_path: Path) -> None:
    app_module(tmp_path)
    path = write(
        tmp_path,
        """
        [services.mysvc]
        app = "mysvc.app:create_app"
        description = "clinical laboratory"
        """,
    )
    (spec,) = [s for s in load_config(path, plugins=False).specs if s.name == "mysvc"]
    assert spec.role == "clinical laboratory"
    old = write(
        tmp_path,
        """
        [services.mysvc]
        app = "mysvc.app:create_app"
        role = "clinical laboratory"
        """,
    )
    error = error_of(old)
    assert "is now `description`" in str(error) and "sandbox.toml:3:" in str(error)
