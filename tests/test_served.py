"""`spectrum sandbox serve` answers on loopback, and the client example runs against it."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from tests.helpers import REPO, ServedSandbox


def test_serve_answers_on_loopback_with_request_ids(fresh_served: ServedSandbox) -> None:
    assert fresh_served.url.startswith("http://127.0.0.1:")
    response = httpx.get(f"{fresh_served.url}/v1/sandbox/personas")
    assert response.status_code == 200
    assert response.headers["X-Request-Id"].startswith("req_")
    usernames = [p["username"] for p in response.json()["data"]]
    assert usernames == ["harper", "sam", "morgan", "pat", "casey"]
    missing = httpx.get(f"{fresh_served.url}/v1/nowhere")
    assert missing.status_code == 404
    assert missing.json()["error"]["request_id"] == missing.headers["X-Request-Id"]
    wrong_method = httpx.delete(f"{fresh_served.url}/v1/account")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["type"] == "invalid_request"


def test_client_quickstart_example_runs(fresh_served: ServedSandbox) -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "examples" / "client_quickstart.py"), fresh_served.url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, "SPECTRUM_SANDBOX_KEY": fresh_served.admin_key},
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "signed in as morgan: •••• •••• •••• 1934, balance $0.00"
    assert lines[1] == "refreshed: rotated=True"
    assert lines[2].endswith("reads: Morgan Lee")
    assert lines[3].endswith("tokens left: 0")


def test_served_sandbox_stops_cleanly_on_interrupt(tmp_path, template_store) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import copy_store, serve_sandbox

    sandbox = serve_sandbox(copy_store(template_store, tmp_path / "s.db"))
    sandbox.stop()
    assert sandbox.process.returncode == 130  # interrupted, after a graceful shutdown
