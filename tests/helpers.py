"""Test helpers: a served sandbox in a real subprocess, and small utilities."""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

REPO = Path(__file__).resolve().parent.parent
HANG_GUARD = 300  # seconds: only a hang takes this long, however loaded the machine
T = TypeVar("T")
SPECTRUM = [sys.executable, "-m", "spectrum_cli"]


@dataclass
class ServedSandbox:
    url: str
    db_path: Path
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    @property
    def admin_key(self) -> str:
        from spectrum_cli.sandbox.keys import read_admin_key

        key = read_admin_key(self.db_path)
        assert key, f"{self.db_path} has no key file"
        return key

    def reset(self) -> None:
        httpx.post(
            f"{self.url}/v1/sandbox/reset", headers={"Sandbox-Key": self.admin_key}, timeout=30
        ).raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


SERVED_STORES: dict[str, Path] = {}


def sandbox_headers(url: str) -> dict[str, str]:
    """The admin key header for raw requests to /v1/sandbox/* of a sandbox served here."""
    from spectrum_cli.sandbox.keys import read_admin_key

    key = read_admin_key(SERVED_STORES[url.rstrip("/")])
    assert key, f"no key file for the sandbox at {url}"
    return {"Sandbox-Key": key}


def serve_sandbox(db_path: Path, env: dict[str, str] | None = None) -> ServedSandbox:
    """`spectrum sandbox serve --port 0` as a subprocess; returns once it answers."""
    process = subprocess.Popen(
        [*SPECTRUM, "sandbox", "serve", "--host", "127.0.0.1", "--port", "0", "--db", str(db_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env or os.environ.copy(),
        cwd=REPO,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + HANG_GUARD
    line = ""
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            url = match.group(1)
            break
        if process.poll() is not None:
            raise RuntimeError(f"sandbox exited early: {line}{process.stderr.read()}")
    else:
        process.kill()
        raise RuntimeError(f"sandbox did not start: {line}")
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/sandbox/personas", timeout=2).raise_for_status()
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    SERVED_STORES[url] = db_path
    return ServedSandbox(url=url, db_path=db_path, process=process)


def wait_for(ready: Callable[[], T], what: str, *, unless: Callable[[], bool] = lambda: False) -> T:
    """Poll ``ready`` until it returns something true (which is returned), or ``unless`` says
    it never will (returns the last false answer). Only a hang guard bounds it: a loaded
    machine makes the wait longer, never a failure."""
    deadline = time.monotonic() + HANG_GUARD
    while True:
        answer = ready()
        if answer or unless():
            return answer
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.02)


def copy_store(template: Path, dest: Path) -> Path:
    shutil.copyfile(template, dest)
    return dest


class SleepRecorder:
    """Stands in for time.sleep so retry tests never wait for real backoff."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def require_tool(name: str) -> str:
    """The tool's path; skips the test when it is missing, but fails under CI=true."""
    import pytest

    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing; .ci/run must install it")
        pytest.skip(f"{name} is not installed")
    return found


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """A minimal environment for a `spectrum` subprocess, with its own home and dirs."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "SPECTRUM_CONFIG_DIR": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "xdg-config"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO),
    }
    env.update(extra)
    served_store = SERVED_STORES.get(env.get("SPECTRUM_API_URL", ""))
    if served_store is not None:  # `spectrum sandbox …` commands need the served store's key
        from spectrum_cli.sandbox.keys import read_admin_key

        env.setdefault("SPECTRUM_SANDBOX_KEY", read_admin_key(served_store) or "")
    return env


def built_in_store(home: Path) -> Path:
    """Where the built-in sandbox of an `isolated_env(home)` keeps its store."""
    return home / "data" / "spectrum-cli" / "sandbox.db"


def sandbox_home(home: Path, template_store: Path, **extra: str) -> dict[str, str]:
    """`isolated_env(home)` whose built-in sandbox store is a copy of the seeded one."""
    env = isolated_env(home, **extra)
    store = built_in_store(home)
    store.parent.mkdir(parents=True)
    copy_store(template_store, store)
    return env


def start_spectrum(
    args: list[str],
    env: dict[str, str],
    *,
    stdin: int = subprocess.DEVNULL,
    stdout: int = subprocess.PIPE,
    stderr: int = subprocess.PIPE,
    **popen: Any,
) -> subprocess.Popen[str]:
    """A `spectrum` subprocess left running: for prompts answered later, kills, and races."""
    return subprocess.Popen(
        [*SPECTRUM, *args],
        env=env,
        cwd=REPO,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        text=True,
        **popen,
    )


def run_killed_at(
    step: int, watch: Path, args: list[str], env: dict[str, str], *, input: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `spectrum ARGS` and SIGKILL it just before its ``step``-th filesystem operation under
    ``watch`` (0: before it starts); see tests/killpoint.py. Exit -9 when killed, and stderr
    ends with `finished after N steps` when it ran to the end first."""
    return subprocess.run(
        [sys.executable, "-m", "tests.killpoint", str(step), str(watch), *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=REPO,
    )


def run_together(
    args: list[str], env: dict[str, str], count: int, timeout: float = 120
) -> list[tuple[int, str]]:
    """Start ``count`` copies of one command at once; (exit status, stderr) of each."""
    processes = [start_spectrum(args, env) for _ in range(count)]
    results = []
    for process in processes:
        _, err = process.communicate(timeout=timeout)
        results.append((process.returncode, err))
    return results


SECRET_FLAGS = ("--password-stdin", "--code-stdin", "--number-stdin", "--account-stdin")
# Commands whose whole point is to show a secret once (or the sandbox's published demo
# passwords): their stdout is not scanned.
SHOWS_SECRETS = (("auth", "token", "create"), ("sandbox", "personas"), ("sandbox", "outbox"))
# Global options that take a value, which is not a word of the command.
VALUE_OPTIONS = ("-o", "--output", "-p", "--profile", "--api-url", "--query")


class SecretLedger:
    """Every secret the end-to-end tests hand to `spectrum` or get back from it. Output and
    files are scanned for them (the keyring and credentials.json excepted)."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()

    def add(self, value: str | None) -> None:
        if value and len(value) >= 8:
            self.secrets.add(value)

    def learn_from_store(self, env: dict[str, str]) -> None:
        store = Path(env.get("SPECTRUM_CONFIG_DIR", "/nonexistent")) / "credentials.json"
        try:
            import json

            for entry in json.loads(store.read_text()).values():
                for key in ("access_token", "refresh_token"):
                    self.add((entry.get("session") or {}).get(key))
                self.add(entry.get("token"))
        except (OSError, ValueError):
            pass

    def found_in(self, text: str) -> list[str]:
        return [s for s in self.secrets if s in text]


LEDGER = SecretLedger()


def spectrum(
    args: list[str],
    env: dict[str, str],
    *,
    input: str | None = None,
    timeout: float = 60,
    in_process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run a real `spectrum` subprocess with stdin closed unless ``input`` is given; with
    ``in_process``, the same command inside this process (see `_run_here`).

    Secrets it is given (stdin for --*-stdin flags, SPECTRUM_TOKEN) and gets (stored sessions,
    created tokens) go into LEDGER; none may appear in what it prints."""
    if input is not None and any(flag in args for flag in SECRET_FLAGS):
        for line in input.splitlines():
            LEDGER.add(line.strip())
            LEDGER.add("".join(ch for ch in line if ch.isdigit()))
    LEDGER.add(env.get("SPECTRUM_TOKEN"))
    LEDGER.learn_from_store(env)
    if in_process:
        result = _run_here(args, env, input)
    else:
        result = subprocess.run(
            [*SPECTRUM, *args],
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=REPO,
        )
    words = command_words(args)
    shows = any(words[: len(c)] == c for c in SHOWS_SECRETS)
    leaked = LEDGER.found_in(result.stderr + ("" if shows else result.stdout))
    assert not leaked, f"`spectrum {' '.join(args)}` printed a secret ({leaked[0][:4]}…)"
    LEDGER.learn_from_store(env)
    if shows and words[:3] == ("auth", "token", "create"):
        for token in re.findall(r"spk_[A-Za-z0-9_\-]+", result.stdout):
            LEDGER.add(token)
    return result


def command_words(args: list[str]) -> tuple[str, ...]:
    """The words of a command line, without options and the values of global options."""
    values = {i + 1 for i, a in enumerate(args) if a in VALUE_OPTIONS}
    return tuple(a for i, a in enumerate(args) if not a.startswith("-") and i not in values)


@functools.cache
def _root_command() -> Any:
    """The root command, built once (Typer builds it on every invoke otherwise)."""
    import typer

    from spectrum_cli.cli.main import app

    return typer.main.get_command(app)


def _run_here(
    args: list[str], env: dict[str, str], input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`spectrum ARGS` inside this process, with the exit status and stderr `main` would give:
    for set-up steps and tests of the commands' answers, where the interpreter's start-up is
    not what is tested. Tests of signals, exit paths, the environment or the terminal use a
    subprocess. Variables of this process that ``env`` does not name are hidden from it."""
    import io
    from unittest import mock

    import typer.testing
    from typer.testing import CliRunner

    from spectrum_cli.cli.errors import report
    from spectrum_cli.cli.main import app

    hidden = {name: None for name in os.environ if name not in env}
    with mock.patch.object(typer.testing, "_get_command", lambda _: _root_command()):
        result = CliRunner().invoke(
            app, args, env={**hidden, **env}, input=input, catch_exceptions=True
        )
    code, err = result.exit_code, result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stream = io.StringIO()
        code = report(result.exception, stream)
        err += stream.getvalue()
    return subprocess.CompletedProcess(["spectrum", *args], code, result.stdout, err)
