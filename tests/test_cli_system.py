"""System conditions: a real Secret Service, cron's empty environment, and no leaked secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import REPO, ServedSandbox, isolated_env, require_tool, spectrum

SECRETS = "org.freedesktop.secrets"


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private D-Bus session bus in an isolated HOME: the environment that reaches it."""
    dbus = require_tool("dbus-daemon")
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    base = {
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    bus = subprocess.Popen(
        [dbus, "--session", "--nofork", "--nosyslog", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=base,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()  # printed once it accepts connections
    yield {**base, "DBUS_SESSION_BUS_ADDRESS": address}
    _stop(bus)


def _stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_name(address: str, name: str) -> None:
    """Return once ``name`` has an owner on the bus: the bus's own signal, not a poll."""
    from jeepney.bus_messages import MatchRule, message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as conn:
        rule = MatchRule(type="signal", interface="org.freedesktop.DBus", member="NameOwnerChanged")
        rule.add_arg_condition(0, name)
        with conn.filter(rule) as changes:
            conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=30)
            if conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=30).body[0]:
                return
            conn.recv_until_filtered(changes, timeout=60)


@pytest.fixture
def secret_service(session_bus: dict[str, str]) -> Iterator[dict[str, str]]:
    """gnome-keyring-daemon on the private bus, unlocked."""
    keyring_daemon = require_tool("gnome-keyring-daemon")
    require_tool("secret-tool")
    daemon = subprocess.Popen(
        [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=session_bus,
    )
    assert daemon.stdin is not None
    daemon.stdin.write(b"test-keyring-password")
    daemon.stdin.close()
    _wait_for_name(session_bus["DBUS_SESSION_BUS_ADDRESS"], SECRETS)
    yield session_bus
    _stop(daemon)


@pytest.fixture
def hung_secret_service(session_bus: dict[str, str]) -> Iterator[dict[str, str]]:
    """A Secret Service that owns its bus name and never answers a call."""
    service = subprocess.Popen(
        [sys.executable, "-m", "tests.hung_secret_service"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**session_bus, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    assert service.stdout is not None and service.stdin is not None
    assert service.stdout.readline() == "ready\n"
    yield session_bus
    service.stdin.close()
    service.wait(30)


def test_login_keeps_the_session_in_the_real_secret_service(
    secret_service: dict[str, str], fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    env = isolated_env(
        Path(secret_service["HOME"]),
        SPECTRUM_API_URL=fresh_served.url,
        **{k: secret_service[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")},
    )
    login = spectrum(
        ["login", "--username", "harper", "--password-stdin"], env, input="Sandbox-Harper1\n"
    )
    assert login.returncode == 0, login.stderr
    assert "kept in the keyring" in login.stderr
    assert not (Path(env["SPECTRUM_CONFIG_DIR"]) / "credentials.json").exists()

    lookup = subprocess.run(
        ["secret-tool", "lookup", "service", "spectrum-cli", "username", "default"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert lookup.returncode == 0, lookup.stderr
    stored = json.loads(lookup.stdout)
    assert stored["api_url"] == fresh_served.url
    who = httpx.get(
        f"{fresh_served.url}/v1/auth/whoami",
        headers={"Authorization": f"Bearer {stored['session']['access_token']}"},
    )
    assert who.status_code == 200 and who.json()["username"] == "harper"

    status = json.loads(spectrum(["-o", "json", "auth", "status"], env).stdout)
    assert status["credential_source"] == "keyring"
    assert "SecretService" in status["credential_location"]

    assert spectrum(["logout"], env).returncode == 0
    gone = subprocess.run(
        ["secret-tool", "lookup", "service", "spectrum-cli", "username", "default"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert gone.returncode != 0 and gone.stdout == b""


def _cron(
    home: Path,
    *args: str,
    extra: tuple[str, ...] = (),
    input: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`env -i` as cron runs jobs: PATH and HOME only, no D-Bus, no terminal."""
    env_i = require_tool("env")
    return subprocess.run(
        [
            env_i,
            "-i",
            "PATH=/usr/bin:/bin",
            f"HOME={home}",
            *extra,
            sys.executable,
            "-m",
            "spectrum_cli",
            *args,
        ],
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_cron_login_without_a_keyring_names_the_ways_out(
    fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    result = _cron(
        tmp_path,
        "--api-url",
        fresh_served.url,
        "login",
        "--username",
        "harper",
        "--password-stdin",
        input="Sandbox-Harper1\n",
    )
    assert result.returncode == 3, result.stderr
    assert "--store file" in result.stderr and "SPECTRUM_TOKEN" in result.stderr


def test_a_secret_service_that_never_answers_times_out_and_names_the_ways_out(
    hung_secret_service: dict[str, str], fresh_served: ServedSandbox
) -> None:
    """Keyring calls run with a 3-second timeout: a hung daemon ends in the timeout's own
    message (nothing else says it), never in a hang."""
    env = isolated_env(
        Path(hung_secret_service["HOME"]),
        SPECTRUM_API_URL=fresh_served.url,
        **{k: hung_secret_service[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")},
    )
    login = spectrum(
        ["login", "--username", "harper", "--password-stdin"], env, input="Sandbox-Harper1\n"
    )
    assert login.returncode == 3, login.stderr
    assert "The OS keyring did not answer within 3 s (saving)." in login.stderr
    assert "--store file" in login.stderr and "SPECTRUM_TOKEN" in login.stderr


def test_cron_with_a_scoped_token_works(fresh_served: ServedSandbox, tmp_path: Path) -> None:
    setup_env = isolated_env(tmp_path / "setup", SPECTRUM_API_URL=fresh_served.url)
    spectrum(
        ["login", "--username", "harper", "--password-stdin", "--store", "file"],
        setup_env,
        input="Sandbox-Harper1\n",
    )
    token = json.loads(
        spectrum(
            ["-o", "json", "auth", "token", "create", "--name", "cron", "--scope", "account:read"],
            setup_env,
        ).stdout
    )["token"]
    result = _cron(
        tmp_path,
        "-o",
        "json",
        "auth",
        "status",
        extra=(f"SPECTRUM_TOKEN={token}", f"SPECTRUM_API_URL={fresh_served.url}"),
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["credential_source"] == "environment"


def test_secrets_never_leak_into_output_logs_or_files(
    fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = isolated_env(home, SPECTRUM_API_URL=fresh_served.url)
    password = "Sandbox-Harper1"
    transcript: list[str] = []

    def run(*args: str, input: str | None = None, keep_stdout: bool = True) -> str:
        result = spectrum(["-v", *args], env, input=input)
        assert result.returncode == 0, result.stderr
        transcript.append(result.stderr)
        if keep_stdout:
            transcript.append(result.stdout)
        return result.stdout

    run(
        "login",
        "--username",
        "harper",
        "--password-stdin",
        "--store",
        "file",
        input=password + "\n",
    )
    run("auth", "status")
    # The created token is shown once on stdout by design; everything else must not show it.
    token = json.loads(
        run(
            "-o",
            "json",
            "auth",
            "token",
            "create",
            "--name",
            "x",
            "--scope",
            "account:read",
            keep_stdout=False,
        )
    )["token"]
    session = json.loads((home / "config" / "credentials.json").read_text())["default"]["session"]
    run("sandbox", "clock", "advance", "16m")  # the next call refreshes the session
    run("auth", "token", "list")
    rotated = json.loads((home / "config" / "credentials.json").read_text())["default"]["session"]
    assert rotated["refresh_token"] != session["refresh_token"]
    env["SPECTRUM_TOKEN"] = token
    run("auth", "status")
    del env["SPECTRUM_TOKEN"]
    run("logout")

    secrets = [
        password,
        token,
        session["access_token"],
        session["refresh_token"],
        rotated["access_token"],
        rotated["refresh_token"],
    ]
    text = "\n".join(transcript)
    assert "authorization" in text.lower() and "[REDACTED]" in text  # -v did log the traffic
    for secret in secrets:
        assert secret not in text
    for path in home.rglob("*"):
        if path.is_file() and path.name != "credentials.json":
            content = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in content, f"{secret[:6]}… found in {path}"


def test_the_secret_scanner_catches_a_leak(tmp_path: Path) -> None:
    from tests.helpers import LEDGER

    env = isolated_env(tmp_path)
    spectrum(["config", "set", "username", "Leaky-Secret-99"], env)
    LEDGER.add("Leaky-Secret-99")
    with pytest.raises(AssertionError, match="printed a secret"):
        spectrum(["config", "get", "username"], env)
    LEDGER.secrets.clear()  # the file holding it was written on purpose here


def test_a_profile_with_store_file_keeps_its_session_in_the_file_never_the_keyring(
    secret_service: dict[str, str], fresh_served: ServedSandbox
) -> None:
    env = isolated_env(
        Path(secret_service["HOME"]),
        SPECTRUM_API_URL=fresh_served.url,
        **{k: secret_service[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")},
    )
    assert spectrum(["-p", "work", "config", "set", "store", "file"], env).returncode == 0
    login = spectrum(
        ["-p", "work", "login", "--username", "harper", "--password-stdin"],
        env,
        input="Sandbox-Harper1\n",
    )
    assert login.returncode == 0, login.stderr
    assert "kept in the file" in login.stderr
    credentials = Path(env["SPECTRUM_CONFIG_DIR"]) / "credentials.json"
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"
    assert set(json.loads(credentials.read_text())) == {"work"}
    home = spectrum(
        ["-p", "home", "login", "--username", "harper", "--password-stdin"],
        env,
        input="Sandbox-Harper1\n",
    )
    assert "kept in the keyring" in home.stderr  # the keyring works, for other profiles
    lookup = ["secret-tool", "search", "--all", "service", "spectrum-cli"]
    listed = subprocess.run(lookup, env=env, capture_output=True, text=True, timeout=60)
    found = listed.stdout + listed.stderr
    assert "username = home" in found and "username = work" not in found
    status = json.loads(spectrum(["auth", "status", "-o", "json", "-p", "work"], env).stdout)
    assert status["credential_source"] == "file" and status["username"] == "harper"
    keyring = spectrum(
        ["-p", "work", "login", "--username", "harper", "--password-stdin", "--store", "keyring"],
        env,
        input="Sandbox-Harper1\n",
    )
    assert keyring.returncode == 2 and 'store = "file"' in keyring.stderr
    assert spectrum(["-p", "work", "logout"], env).returncode == 0
    assert not credentials.exists()


def test_store_file_never_asks_the_keyring_so_a_hung_one_does_not_matter(
    hung_secret_service: dict[str, str], fresh_served: ServedSandbox
) -> None:
    env = isolated_env(
        Path(hung_secret_service["HOME"]),
        SPECTRUM_API_URL=fresh_served.url,
        **{k: hung_secret_service[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")},
    )
    assert spectrum(["config", "set", "store", "file"], env).returncode == 0
    login = spectrum(
        ["login", "--username", "harper", "--password-stdin"], env, input="Sandbox-Harper1\n"
    )
    assert login.returncode == 0, login.stderr
    assert "did not answer" not in login.stderr
    status = spectrum(["auth", "status", "-o", "json"], env)
    assert status.returncode == 0 and "did not answer" not in status.stderr
    assert spectrum(["logout"], env).returncode == 0
