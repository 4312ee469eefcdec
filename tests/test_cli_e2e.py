"""Real `spectrum` subprocesses against `spectrum sandbox serve` on a loopback port."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers import (
    REPO,
    ServedSandbox,
    isolated_env,
    sandbox_headers,
    spectrum,
    start_spectrum,
    wait_for,
)


@pytest.fixture
def env(tmp_path: Path, fresh_served: ServedSandbox) -> dict[str, str]:
    # No D-Bus address: no keyring, as under cron. --store file is explicit where needed.
    return isolated_env(tmp_path, SPECTRUM_API_URL=fresh_served.url)


def _outbox_code(url: str, to: str) -> str:
    data = wait_for(
        lambda: httpx.get(
            f"{url}/v1/sandbox/outbox", headers=sandbox_headers(url), params={"to": to}
        ).json()["data"],
        f"a message to {to}",
    )
    return str(data[0]["code"])


def _login(env: dict[str, str], user: str = "harper", password: str = "Sandbox-Harper1") -> None:
    result = spectrum(
        ["login", "--username", user, "--password-stdin", "--store", "file"],
        env,
        input=password + "\n",
    )
    assert result.returncode == 0, result.stderr


def test_login_status_and_logout(
    env: dict[str, str], fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    _login(env)
    status = spectrum(["-o", "json", "auth", "status"], env)
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["username"] == "harper" and report["api_url"] == fresh_served.url
    assert report["credential_source"] == "file" and report["token_kind"] == "session"
    stored = json.loads((tmp_path / "config" / "credentials.json").read_text())
    access = stored["default"]["session"]["access_token"]

    assert spectrum(["logout"], env).returncode == 0
    assert spectrum(["auth", "status"], env).returncode == 3
    assert not (tmp_path / "config" / "credentials.json").exists()
    # ... and the session is dead on the server, not just forgotten here.
    who = httpx.get(
        f"{fresh_served.url}/v1/auth/whoami", headers={"Authorization": f"Bearer {access}"}
    )
    assert who.status_code == 401


def test_second_factor_login_with_the_outbox_code(
    env: dict[str, str], fresh_served: ServedSandbox
) -> None:
    process = start_spectrum(
        ["login", "--username", "morgan", "--password-stdin", "--code-stdin", "--store", "file"],
        env,
        stdin=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write("Sandbox-Morgan1\n")
    process.stdin.flush()
    code = _outbox_code(fresh_served.url, "(555) 201-0199")
    _out, err = process.communicate(code + "\n", timeout=60)
    assert process.returncode == 0, err
    assert "sent by sms to •••-•••-0199" in err
    status = json.loads(spectrum(["-o", "json", "auth", "status"], env).stdout)
    assert status["username"] == "morgan"


def test_scoped_token_created_then_used_through_the_environment(env: dict[str, str]) -> None:
    _login(env)
    created = spectrum(
        [
            "-o",
            "json",
            "auth",
            "token",
            "create",
            "--name",
            "ci",
            "--scope",
            "account:read",
            "--expires-in-days",
            "30",
        ],
        env,
    )
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)
    assert "only time" in created.stderr
    bot_env = {**env, "SPECTRUM_TOKEN": token["token"]}
    bot_env["SPECTRUM_CONFIG_DIR"] = str(Path(env["HOME"]) / "elsewhere")  # no stored session
    status = spectrum(["-o", "json", "auth", "status"], bot_env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["credential_source"] == "environment"
    listed = json.loads(spectrum(["-o", "json", "auth", "token", "list"], env).stdout)
    assert [t["id"] for t in listed["data"]] == [token["id"]]
    assert spectrum(["auth", "token", "revoke", token["id"], "--yes"], env).returncode == 0
    assert spectrum(["auth", "status"], bot_env).returncode == 3


def test_recover_username_and_password(env: dict[str, str], fresh_served: ServedSandbox) -> None:
    known = spectrum(["recover", "username", "--email", "pat@example.org"], env)
    unknown = spectrum(["recover", "username", "--email", "nobody@example.org"], env)
    assert known.returncode == unknown.returncode == 0
    assert known.stderr == unknown.stderr and "If that matches" in known.stderr
    mail = httpx.get(
        f"{fresh_served.url}/v1/sandbox/outbox",
        headers=sandbox_headers(fresh_served.url),
        params={"to": "pat@example.org"},
    ).json()["data"]
    assert "pat" in mail[0]["body"]

    by_account = spectrum(
        ["recover", "username", "--account-stdin"], env, input="8255 9100 7772 3410\n1957\n"
    )
    assert by_account.returncode == 0, by_account.stderr

    process = start_spectrum(
        ["recover", "password", "--username", "pat", "--code-stdin", "--password-stdin"],
        env,
        stdin=subprocess.PIPE,
    )
    code = wait_for(
        lambda: next(
            (
                m["code"]
                for m in httpx.get(
                    f"{fresh_served.url}/v1/sandbox/outbox",
                    headers=sandbox_headers(fresh_served.url),
                    params={"to": "pat@example.org"},
                ).json()["data"]
                if m["code"]
            ),
            None,
        ),
        "the reset code in the outbox",
    )
    _out, err = process.communicate(f"{code}\nFresh-Start42\n", timeout=60)
    assert process.returncode == 0, err
    assert "Password changed" in err
    assert "Signed out 0 sessions and revoked 0 API tokens." in err
    _login(env, "pat", "Fresh-Start42")


def test_an_unreachable_api_is_exit_8(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, SPECTRUM_API_URL="http://127.0.0.1:9")
    result = spectrum(["sandbox", "personas"], env)
    assert result.returncode == 8
    assert result.stderr.startswith("Error: Could not reach the Account API")


@pytest.mark.parametrize(
    ("args", "stdin", "flag"),
    [
        (["login"], None, "--username"),
        (["login", "--username", "harper"], None, "--password-stdin"),
        (
            ["login", "--username", "morgan", "--password-stdin", "--store", "file"],
            "Sandbox-Morgan1\n",
            "--code-stdin",
        ),
        (["recover", "password", "--username", "pat"], None, "--code-stdin and --password-stdin"),
        (["recover", "password"], None, "--username"),
        (["recover", "username", "--account"], None, "--account-stdin"),
        (["sandbox", "reset"], None, "--yes"),
    ],
)
def test_no_prompt_without_a_terminal(
    env: dict[str, str], fresh_served: ServedSandbox, args: list[str], stdin: str | None, flag: str
) -> None:
    result = spectrum(args, env, input=stdin)  # stdin closed, or a pipe: never a terminal
    assert result.returncode == 2, result.stderr
    assert f"pass {flag}." in result.stderr
    if args[0] == "recover":  # refused before anything was sent
        assert (
            httpx.get(
                f"{fresh_served.url}/v1/sandbox/outbox", headers=sandbox_headers(fresh_served.url)
            ).json()["data"]
            == []
        )


def test_no_input_flag_refuses_prompts_even_on_a_pipe(env: dict[str, str]) -> None:
    result = spectrum(["--no-input", "login"], env)
    assert result.returncode == 2 and "pass --username." in result.stderr


def test_python_dash_m_and_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "spectrum_cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert out.stdout.startswith("spectrum ")
