"""`sandbox new service`: a working service, its passing test, and its registration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.cli import main
from sandbox.extend.testing import Harness
from sandbox.runtime.config_file import ConfigError, load_config
from sandbox.scaffold.service import ScaffoldError, new_client, new_credentials, new_service

COURIER_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "courier" / "sandbox.toml"


@pytest.mark.slow
def test_the_generated_service_passes_its_own_tests(tmp_path: Path) -> None:
    every = "marketplace,bank,identity,records,insurance"
    assert main(["new", "service", "lab-prima", "--calls", every, "--dir", str(tmp_path)]) == 0
    config = load_config(tmp_path / "sandbox.toml", plugins=False)
    lab = config.spec("lab-prima")
    assert (lab.kind, lab.title, lab.calls) == ("module", "Lab Prima", tuple(every.split(",")))
    assert set(config.partners) == set(every.split(","))
    generated = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "lab_prima"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # health, hello, one call per institution, and a forged marketplace webhook refused
    assert "8 passed" in generated.stdout
    readme = (tmp_path / "lab_prima" / "README.md").read_text()
    assert "sandbox up" in readme and "sandbox audit" in readme


@pytest.mark.slow
def test_a_generated_courier_is_booked_for_a_paid_order(tmp_path: Path) -> None:
    argv = ["new", "service", "kurir", "--calls", "marketplace", "--role", "courier"]
    assert main([*argv, "--dir", str(tmp_path)]) == 0
    config = load_config(tmp_path / "sandbox.toml", plugins=False)
    assert config.partners["marketplace"]["kurir"]["role"] == "courier"
    app = (tmp_path / "kurir" / "app.py").read_text()
    assert '@app.post("/webhooks/marketplace"' in app and "/shipments/0/tracking" in app
    generated = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "kurir"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # health, hello, its tracking call, a forged webhook refused, a real booking acknowledged
    assert "5 passed" in generated.stdout


def test_a_role_is_what_a_service_is_to_the_marketplace(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="add marketplace to --calls"):
        new_service(tmp_path, "kurir", ["bank"], role="courier")
    with pytest.raises(ScaffoldError, match="the roles channel and courier"):
        new_service(tmp_path, "kurir", ["marketplace"], role="boss")
    new_service(tmp_path, "toko", ["marketplace"])
    new_service(tmp_path, "plain", [])
    assert "/webhooks/marketplace" in (tmp_path / "toko" / "app.py").read_text()
    plain = (tmp_path / "plain" / "app.py").read_text()
    assert "webhook" not in plain and "partner_client" not in plain
    new_service(tmp_path, "kurir", [])
    config = tmp_path / "sandbox.toml"
    assert new_credentials(config, "kurir", ["marketplace"], role="courier").added == [
        "marketplace"
    ]
    partners = load_config(config, plugins=False, check_apps=False).partners["marketplace"]
    assert (partners["toko"]["role"], partners["kurir"]["role"]) == ("channel", "courier")


def test_credentials_are_fresh_for_every_service(tmp_path: Path) -> None:
    new_service(tmp_path, "one", ["marketplace", "bank"])
    new_service(tmp_path, "two", ["marketplace", "bank"])
    partners = load_config(tmp_path / "sandbox.toml", plugins=False, check_apps=False).partners
    one, two = partners["marketplace"]["one"], partners["marketplace"]["two"]
    assert one["app_secret"] != two["app_secret"] and one["fs_id"] != two["fs_id"]
    assert partners["bank"]["one"]["account_no"] != partners["bank"]["two"]["account_no"]
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    shipped = "".join(p.read_text() for p in fixtures.rglob("*.json"))
    assert one["app_secret"] not in shipped


def test_new_credentials_adds_a_callee_and_keeps_the_rest(tmp_path: Path) -> None:
    new_service(tmp_path, "courier", ["marketplace"])
    config = tmp_path / "sandbox.toml"
    before = config.read_text()
    assert new_credentials(config, "courier", ["identity", "marketplace"]).added == ["identity"]
    after = config.read_text()
    assert after.startswith(before.split("calls =")[0])
    loaded = load_config(config, plugins=False, check_apps=False)
    assert loaded.spec("courier").calls == ("marketplace", "identity")
    assert "courier" in loaded.partners["identity"]


def test_new_credentials_repairs_what_the_runtime_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_service(tmp_path, "tiny2", [])
    config = tmp_path / "sandbox.toml"
    config.write_text(config.read_text().replace("calls = []", 'calls = ["marketplace"]'))
    with pytest.raises(ConfigError, match="run `sandbox new credentials tiny2 --calls"):
        load_config(config, plugins=False, check_apps=False)
    argv = ["new", "credentials", "tiny2", "--calls", "marketplace", "--config", str(config)]
    assert main(argv) == 0  # the command the refusal recommends
    assert "Added credentials of tiny2 at marketplace" in capsys.readouterr().out
    assert "tiny2" in load_config(config, plugins=False, check_apps=False).partners["marketplace"]


def test_new_credentials_makes_incomplete_credentials_anew(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_service(tmp_path, "kurir", ["marketplace", "bank"], role="courier")
    config = tmp_path / "sandbox.toml"
    whole = load_config(config, plugins=False, check_apps=False).partners
    secret = whole["marketplace"]["kurir"]["app_secret"]
    config.write_text(config.read_text().replace(f'app_secret = "{secret}"\n', ""))
    with pytest.raises(ConfigError, match="lack app_secret"):
        load_config(config, plugins=False, check_apps=False)
    argv = ["new", "credentials", "kurir", "--calls", "marketplace,bank", "--config", str(config)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Replaced the incomplete credentials of kurir at marketplace" in out
    partners = load_config(config, plugins=False, check_apps=False).partners
    fresh = partners["marketplace"]["kurir"]
    assert fresh["role"] == "courier", "its role is kept"
    assert fresh["app_key"] != whole["marketplace"]["kurir"]["app_key"]
    assert partners["bank"]["kurir"] == whole["bank"]["kurir"], "complete ones are kept"


@pytest.mark.parametrize(
    ("setup", "argv", "words"),
    [
        ("[services.x\n", ["x", "--calls", "bank"], "is not valid TOML"),
        ("", ["bank", "--calls", "marketplace"], "'bank' is a built-in institution"),
        ("[services.buyer]\n", ["buyer", "--calls", "bank"], "'buyer' is a persona"),
        ("[services.x]\n", ["x", "--calls", ","], "--calls names no institution"),
        ("", ["nobody", "--calls", "bank"], "create it first with `sandbox new service nobody`"),
        ("[services.x]\n", ["x", "--calls", "social"], "'social' takes no partners"),
        (
            "[clients.me.partners.bank]\n",
            ["me", "--calls", "bank"],
            "`sandbox new client me --calls bank` gives it more credentials",
        ),
        (None, ["x", "--calls", "bank"], "cannot read"),
    ],
)
def test_new_credentials_refusals_are_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setup: str | None,
    argv: list[str],
    words: str,
) -> None:
    config = tmp_path / "sandbox.toml"
    if setup is None:
        config.mkdir()  # a folder where the file should be
    else:
        config.write_text(setup)
    assert main(["new", "credentials", *argv, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err


def test_new_client_writes_credentials_of_its_own(tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    assert new_client(config, "me", ["marketplace", "bank"]).added == ["marketplace", "bank"]
    again = new_client(config, "me", ["marketplace", "identity"])
    assert (again.added, again.replaced) == (["identity"], [])
    loaded = load_config(config, plugins=False, check_apps=False)
    assert loaded.clients == ("me",) and not loaded.extra, "a client is no service"
    assert {c for c, callers in loaded.partners.items() if "me" in callers} == {
        "marketplace",
        "bank",
        "identity",
    }
    assert loaded.partners["marketplace"]["me"]["role"] == "channel"


@pytest.mark.parametrize(
    ("setup", "name", "words"),
    [
        ("", "social", "'social' is a built-in institution"),
        ("", "external", "the trace's name for a caller nobody verified"),
        ("", "Me", "client name 'Me'"),
        ("[services.lab]\nurl = 'http://127.0.0.1:1'\n", "lab", "'lab' is a service"),
    ],
)
def test_new_client_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, name: str, words: str
) -> None:
    config = tmp_path / "sandbox.toml"
    config.write_text(setup)
    assert main(["new", "client", name, "--calls", "bank", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err


@pytest.mark.parametrize(
    ("name", "calls", "words"),
    [
        ("bank", [], "is a built-in institution"),
        ("newcomer", [], "'newcomer' is a persona of the seeded world"),
        ("learner", [], "the name lessons give a learner's own code"),
        ("Bad Name", [], "service name 'Bad Name'"),
        ("courier", ["social"], "'social' takes no partners"),
    ],
)
def test_refusals(tmp_path: Path, name: str, calls: list[str], words: str) -> None:
    with pytest.raises(ScaffoldError, match=words):
        new_service(tmp_path, name, calls)


def test_a_name_already_declared_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_service(tmp_path, "courier", [])
    assert main(["new", "service", "courier", "--dir", str(tmp_path)]) == 2
    assert "already declares a service 'courier'" in capsys.readouterr().err


async def test_the_harness_runs_a_story_and_names_the_stories_it_knows() -> None:
    async with Harness(COURIER_EXAMPLE) as sandbox:
        story = await sandbox.story("checkout")
        assert story.facts["moved"] == story.facts["amount"]
        booked = [c for c in sandbox.calls if c.callee == "courier"]
        assert booked and booked[0].status == 200  # delivered by the story's settle
        with pytest.raises(LookupError, match="the stories are checkout, open-account"):
            await sandbox.story("refund")
