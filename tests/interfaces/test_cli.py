"""The ``openprobation`` command: help for every sub-command, users, tokens, and the production server."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from openprobation import cli
from openprobation.core.tokens import token_user

SUBCOMMANDS = [["serve"], ["migrate"], ["demo-data"], ["createuser"], ["token"], ["token", "create"]]


def _run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openprobation.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, check=False)


def test_top_level_help_lists_every_command():
    result = _run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "demo-data", "createuser", "token"):
        assert command in result.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=[" ".join(c) for c in SUBCOMMANDS])
def test_every_command_has_help(command):
    result = _run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: openprobation " + " ".join(command) in result.stdout


def test_unknown_command_is_a_usage_error():
    result = _run_cli("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


@pytest.mark.django_db
def test_createuser_then_token_create_gives_a_working_token(org, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-passphrase\n"))
    code = cli.main(["createuser", "newspo", "--first-name", "Nia", "--last-name", "Patel", "--role", "spo",
                     "--grade", "spo", "--team", org.team_a.code, "--password-stdin"])
    assert code == 0
    assert "Created Nia Patel (newspo)" in capsys.readouterr().out
    assert cli.main(["token", "create", "newspo"]) == 0
    token = capsys.readouterr().out.strip()
    user = token_user(token)
    assert user is not None and user.get_username() == "newspo"


@pytest.mark.django_db
def test_createuser_with_bad_input_reports_each_problem_and_creates_nothing(org, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code = cli.main(["createuser", "po", "--first-name", "X", "--last-name", "Y", "--role", "practitioner",
                     "--password-stdin"])
    assert code == 2
    err = capsys.readouterr().err
    assert "username: The username po is taken" in err
    assert "team: Practitioners" in err
    assert "password:" in err


NEW_USER = ["createuser", "newadmin", "--first-name", "Ada", "--last-name", "Okafor", "--role", "administrator"]
SECRET = "a-long-enough-passphrase"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given", [["--password", SECRET], [f"--password={SECRET}"], ["--password"]], ids=["separate", "joined", "bare"]
)
def test_createuser_refuses_a_password_on_the_command_line(capsys, given):
    """A command line is visible to every user of the machine: --password is refused, pointing to the ways that
    are not, and the value is never repeated."""
    with pytest.raises(SystemExit) as exited:
        cli.main([*NEW_USER, *given])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert "argument --password: is not accepted" in err
    assert "--password-stdin" in err and "OPENPROBATION_NEW_PASSWORD" in err and "prompt" in err
    assert SECRET not in out + err
    assert not get_user_model().objects.filter(username="newadmin").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stdin", "password"),
    [(f"{SECRET}\n", SECRET), (f"{SECRET}\r\nsecond line\n", SECRET), (SECRET, SECRET),
     (f" {SECRET} \n", f" {SECRET} ")],
    ids=["one_line", "first_of_two_lines", "no_newline", "spaces_kept"],
)
def test_createuser_reads_the_password_from_the_first_line_of_stdin(capsys, monkeypatch, stdin, password):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.delenv("OPENPROBATION_NEW_PASSWORD", raising=False)
    assert cli.main([*NEW_USER, "--password-stdin"]) == 0
    assert get_user_model().objects.get(username="newadmin").check_password(password)


@pytest.mark.django_db
@pytest.mark.parametrize("stdin", ["", "\n"], ids=["empty", "blank_line"])
def test_createuser_with_no_password_on_stdin_fails_and_creates_nothing(capsys, monkeypatch, stdin):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert cli.main([*NEW_USER, "--password-stdin"]) == 2
    assert "--password-stdin: standard input has no password" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="newadmin").exists()


@pytest.mark.django_db
def test_createuser_takes_the_password_from_the_environment_or_the_prompt(capsys, monkeypatch):
    monkeypatch.setenv("OPENPROBATION_NEW_PASSWORD", SECRET)
    assert cli.main(NEW_USER) == 0
    assert get_user_model().objects.get(username="newadmin").check_password(SECRET)
    monkeypatch.delenv("OPENPROBATION_NEW_PASSWORD")
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: SECRET + "-typed")
    assert cli.main([*NEW_USER[:1], "typedadmin", *NEW_USER[2:]]) == 0
    assert get_user_model().objects.get(username="typedadmin").check_password(SECRET + "-typed")


def test_createuser_password_stdin_and_no_password_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([*NEW_USER, "--password-stdin", "--no-password"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_createuser_help_offers_stdin_and_hides_the_refused_option():
    result = _run_cli("createuser", "--help")
    assert "--password-stdin" in result.stdout
    assert "--password " not in result.stdout and "--password\n" not in result.stdout


@pytest.mark.parametrize(("unknown", "listed"), [(49, 49), (50, 50), (51, 51), (100_000, 51)],
                         ids=["below_cap", "at_cap", "above_cap", "100000"])
def test_calc_with_many_unknown_fields_prints_50_errors_and_a_count(tmp_path, capsys, unknown, listed):
    from tests.rules.examples import OGRS3

    path = tmp_path / "input.json"
    path.write_text(json.dumps({**OGRS3, **{f"unknown_{i:06d}": 0 for i in range(unknown)}}))
    assert cli.main(["calc", "ogrs3", "--json", str(path)]) == 2
    out = capsys.readouterr().out
    errors = json.loads(out)["errors"]
    assert len(errors) == listed
    assert len(out) < 20_000
    if unknown > 50:
        assert errors[-1]["field"] == ""
        assert errors[-1]["message"].startswith(f"{unknown - 50:,} more problem")
    else:
        assert all(e["field"].startswith("unknown_") for e in errors)


@pytest.mark.django_db
def test_token_for_unknown_user_fails_clearly(capsys):
    assert cli.main(["token", "create", "nobody"]) == 2
    assert "No active user called nobody" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_gunicorn_with_static_files_and_debug_off(tmp_path: Path):
    """The production server on a fresh SQLite database: migrates, serves pages and static files."""
    port = _free_port()
    env = {**os.environ, "OPENPROBATION_DATA_DIR": str(tmp_path), "OPENPROBATION_HTTPS": "false",
           "OPENPROBATION_WORKERS": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("OPENPROBATION_DEBUG", None)
    server = subprocess.Popen([sys.executable, "-m", "openprobation.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=5) as response:
                    assert response.status == 200
                    assert "Content-Security-Policy" in response.headers
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("server did not start") from None
                time.sleep(0.3)
        with urllib.request.urlopen(base + "/api/v1/docs", timeout=5) as response:
            html = response.read().decode()
        static_path = html.split('src="')[1].split('"')[0]
        assert static_path.startswith("/static/")
        with urllib.request.urlopen(base + static_path, timeout=5) as response:
            assert response.status == 200
            assert "no-store" not in response.headers.get("Cache-Control", "")
            assert "camera=()" in response.headers["Permissions-Policy"]
        # A 3 MB body through gunicorn: 413 (a problem document on the API, the error page elsewhere), never 500
        for path, kind in (("/api/v1/people", "application/problem+json"), ("/sign-in/", "text/html")):
            too_large = urllib.request.Request(base + path, data=b"x" * 3_000_000, method="POST",
                                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(too_large, timeout=10)
            assert refused.value.code == 413
            assert refused.value.headers["Content-Type"].startswith(kind)
            assert refused.value.headers["Cache-Control"] == "no-store"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/no-such-page/", timeout=5)
        assert missing.value.code == 404
        assert "Traceback" not in missing.value.read().decode()  # DEBUG is off
    finally:
        server.terminate()
        server.wait(timeout=30)
