"""Test helpers: a served sandbox in a real subprocess, and small utilities."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
SPECTRUM = [sys.executable, "-m", "spectrum_cli"]


@dataclass
class ServedSandbox:
    url: str
    db_path: Path
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def reset(self) -> None:
        httpx.post(f"{self.url}/v1/sandbox/reset", timeout=30).raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
    deadline = time.monotonic() + 30
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
            httpx.get(f"{url}/v1/sandbox/clock", timeout=2).raise_for_status()
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    return ServedSandbox(url=url, db_path=db_path, process=process)


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
    return env


def spectrum(
    args: list[str],
    env: dict[str, str],
    *,
    input: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run a real `spectrum` subprocess with stdin closed unless ``input`` is given."""
    return subprocess.run(
        [*SPECTRUM, *args],
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=REPO,
    )
