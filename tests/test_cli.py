"""The ``openprobation`` command: help for every sub-command, users, tokens, and the production server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

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
def test_createuser_then_token_create_gives_a_working_token(org, capsys):
    code = cli.main(["createuser", "newspo", "--first-name", "Nia", "--last-name", "Patel", "--role", "spo",
                     "--grade", "spo", "--team", org.team_a.code, "--password", "a-long-enough-passphrase"])
    assert code == 0
    assert "Created Nia Patel (newspo)" in capsys.readouterr().out
    assert cli.main(["token", "create", "newspo"]) == 0
    token = capsys.readouterr().out.strip()
    user = token_user(token)
    assert user is not None and user.get_username() == "newspo"


@pytest.mark.django_db
def test_createuser_with_bad_input_reports_each_problem_and_creates_nothing(org, capsys):
    code = cli.main(["createuser", "po", "--first-name", "X", "--last-name", "Y", "--role", "practitioner",
                     "--password", "short"])
    assert code == 2
    err = capsys.readouterr().err
    assert "username: The username po is taken" in err
    assert "team: Practitioners" in err
    assert "password:" in err


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
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/no-such-page/", timeout=5)
        assert missing.value.code == 404
        assert "Traceback" not in missing.value.read().decode()  # DEBUG is off
    finally:
        server.terminate()
        server.wait(timeout=30)
