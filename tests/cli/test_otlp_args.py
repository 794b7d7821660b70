"""`sandbox up --otlp-endpoint URL --student NAME`: what the command line accepts and refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.cli import main
from sandbox.cli.options import _settings
from sandbox.cli.parser import _parser


def test_the_endpoint_and_student_reach_the_settings() -> None:
    args = _parser().parse_args(
        ["up", "--otlp-endpoint", "http://127.0.0.1:4318", "--student", " rina "]
    )
    settings = _settings(args)
    assert settings.otlp_endpoint == "http://127.0.0.1:4318/v1/traces"
    assert settings.student == "rina"


def test_without_the_flags_nothing_is_streamed() -> None:
    settings = _settings(_parser().parse_args(["up"]))
    assert settings.otlp_endpoint == "" and settings.student == ""
    assert settings.otlp_protocol == "http/json"


def test_protobuf_is_asked_for_by_its_opentelemetry_name() -> None:
    args = _parser().parse_args(
        ["up", "--otlp-endpoint", "http://127.0.0.1:4318", "--otlp-protocol", "http/protobuf"]
    )
    assert _settings(args).otlp_protocol == "http/protobuf"
    with pytest.raises(SystemExit):
        _parser().parse_args(["up", "--otlp-endpoint", "http://h:4318", "--otlp-protocol", "grpc"])


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("teacher:4318", "not an http:// or https:// URL"),
        ("http://teacher:4318/v1/traces?x=1", "query"),
        ("http://user:secret@teacher:4318", "credentials"),
    ],
)
def test_a_bad_endpoint_is_a_usage_error(
    url: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        _parser().parse_args(["up", "--otlp-endpoint", url])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--otlp-endpoint" in err and said in err


def test_a_student_without_an_endpoint_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["up", "--student", "rina", "--data-dir", str(tmp_path)]) == 2
    assert "give both" in capsys.readouterr().err
    assert not (tmp_path / "runtime.json").exists()


def test_a_password_in_the_endpoint_is_not_repeated(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["up", "--otlp-endpoint", "http://rina:hunter22@teacher:4318"])
    assert "hunter22" not in capsys.readouterr().err
