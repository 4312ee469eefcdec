"""The sandbox control plane: the admin key, loopback Host names, JSON-only bodies, and a
serve that will not face the network by accident."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.helpers import (
    REPO,
    SPECTRUM,
    ServedSandbox,
    copy_store,
    isolated_env,
    require_tool,
    spectrum,
)

CONTROL_ROUTES = [
    ("GET", "/v1/sandbox/clock", None),
    ("POST", "/v1/sandbox/clock", {"advance_seconds": 86400}),
    ("GET", "/v1/sandbox/outbox", None),
    ("GET", "/v1/sandbox/faults", None),
    ("PUT", "/v1/sandbox/faults", {"faults": []}),
    ("DELETE", "/v1/sandbox/faults", None),
    ("POST", "/v1/sandbox/reset", None),
    ("POST", "/v1/sandbox/outages", {"zip": "43215", "services": ["internet"]}),
    ("DELETE", "/v1/sandbox/outages", None),
]


def _outbox_size(sandbox: ServedSandbox) -> int:
    response = httpx.get(
        f"{sandbox.url}/v1/sandbox/outbox",
        params={"limit": 100},
        headers={"Sandbox-Key": sandbox.admin_key},
    )
    return len(response.json()["data"])


@pytest.mark.parametrize(("method", "path", "body"), CONTROL_ROUTES)
@pytest.mark.parametrize("key", [None, "sbx_wrong", ""])
def test_every_control_route_needs_the_admin_key(
    fresh_served: ServedSandbox, method: str, path: str, body: object, key: str | None
) -> None:
    # A reset code waits in the outbox: a stranger must not read it, nor wipe it by a reset.
    httpx.post(f"{fresh_served.url}/v1/recovery/password", json={"username": "harper"})
    headers = {} if key is None else {"Sandbox-Key": key}
    response = httpx.request(method, f"{fresh_served.url}{path}", json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "sandbox_key_required"
    assert _outbox_size(fresh_served) == 1  # nothing reset, nothing read
    clock = httpx.get(
        f"{fresh_served.url}/v1/sandbox/clock", headers={"Sandbox-Key": fresh_served.admin_key}
    ).json()
    assert clock["offset_seconds"] == 0  # the clock did not move


def test_personas_without_the_key_list_no_passwords(fresh_served: ServedSandbox) -> None:
    anonymous = httpx.get(f"{fresh_served.url}/v1/sandbox/personas").json()["data"]
    assert [p["username"] for p in anonymous] == ["harper", "sam", "morgan", "pat", "casey"]
    assert all(p["password"] is None for p in anonymous)
    assert "Sandbox-Harper1" not in httpx.get(f"{fresh_served.url}/v1/sandbox/personas").text
    keyed = httpx.get(
        f"{fresh_served.url}/v1/sandbox/personas", headers={"Sandbox-Key": fresh_served.admin_key}
    ).json()["data"]
    assert keyed[0]["password"] == "Sandbox-Harper1"


def test_the_key_file_is_private_and_not_in_the_store(fresh_served: ServedSandbox) -> None:
    key_file = Path(f"{fresh_served.db_path}.keys")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert fresh_served.admin_key.encode() not in fresh_served.db_path.read_bytes()


@pytest.mark.parametrize(
    "host", ["evil.example", "rebind.attacker.test:8765", "127.0.0.1.nip.example", ""]
)
def test_a_foreign_host_name_is_refused(fresh_served: ServedSandbox, host: str) -> None:
    """DNS rebinding: a hostile page's name resolving to 127.0.0.1 gets no answer."""
    headers = {"Host": host, "Sandbox-Key": fresh_served.admin_key}
    for method, path in [("GET", "/v1/sandbox/outbox"), ("POST", "/v1/auth/login")]:
        body = {"username": "harper", "password": "Sandbox-Harper1"}
        response = httpx.request(method, f"{fresh_served.url}{path}", headers=headers, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "host_not_allowed"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "localhost:8765", "127.0.0.2:1"])
def test_loopback_host_names_are_answered(fresh_served: ServedSandbox, host: str) -> None:
    response = httpx.get(f"{fresh_served.url}/v1/sandbox/personas", headers={"Host": host})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b""),
        ("application/x-www-form-urlencoded", b"a=1"),
        ("text/plain", b'{"username": "harper"}'),
        ("multipart/form-data; boundary=x", b"--x--"),
        (None, b'{"username": "harper"}'),
    ],
)
def test_unsafe_requests_take_only_json_bodies(
    fresh_served: ServedSandbox, content_type: str | None, body: bytes
) -> None:
    """What an HTML form (or a no-preflight fetch) can send is refused, even with the key."""
    headers = {"Sandbox-Key": fresh_served.admin_key}
    if content_type:
        headers["Content-Type"] = content_type
    httpx.post(f"{fresh_served.url}/v1/recovery/password", json={"username": "pat"})
    for path in ("/v1/sandbox/reset", "/v1/recovery/password"):
        response = httpx.post(f"{fresh_served.url}{path}", content=body, headers=headers)
        assert response.status_code == 415, response.text
        assert response.json()["error"]["code"] == "unsupported_media_type"
    assert _outbox_size(fresh_served) == 1  # not reset, and no second code sent


def test_cli_finds_the_key_of_its_own_store_and_no_other(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    shown = spectrum(["-o", "json", "sandbox", "personas"], env)
    assert shown.returncode == 0, shown.stderr
    assert '"password": "Sandbox-Harper1"' in shown.stdout
    moved = spectrum(["sandbox", "clock", "advance", "1d"], env)
    assert moved.returncode == 0, moved.stderr


def test_cli_against_a_served_sandbox_needs_its_key(
    tmp_path: Path, fresh_served: ServedSandbox
) -> None:
    env = isolated_env(tmp_path, SPECTRUM_API_URL=fresh_served.url)
    env.pop("SPECTRUM_SANDBOX_KEY")
    refused = spectrum(["sandbox", "outbox"], env)
    assert refused.returncode == 3, refused.stderr
    assert "Sandbox-Key" in refused.stderr and "Traceback" not in refused.stderr
    env["SPECTRUM_SANDBOX_KEY"] = fresh_served.admin_key
    assert spectrum(["sandbox", "outbox"], env).returncode == 0


def test_serve_refuses_a_network_address_without_allow_remote(tmp_path: Path) -> None:
    result = subprocess.run(
        [*SPECTRUM, "sandbox", "serve", "--host", "0.0.0.0", "--port", "0", "--db", "x.db"],
        cwd=tmp_path,
        env=isolated_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--allow-remote" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_serve_with_allow_remote_warns_what_it_exposes(
    tmp_path: Path, template_store: Path
) -> None:
    """Bound to every address, inside a network namespace of its own (only a down loopback)."""
    unshare = require_tool("unshare")
    store = copy_store(template_store, tmp_path / "sandbox.db")
    serve = ["sandbox", "serve", "--host", "0.0.0.0", "--port", "0", "--allow-remote"]
    process = subprocess.Popen(
        [unshare, "-n", "--", *SPECTRUM, *serve, "--db", str(store)],
        cwd=REPO,
        env=isolated_env(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines = []
    try:
        for line in process.stderr:
            lines.append(line)
            if "Sandbox API listening on" in line:
                break
    finally:
        process.kill()
        process.wait()
    text = "".join(lines)
    assert "WARNING" in text and "other machines" in text and "outbox" in text, text
    assert "listening on http://0.0.0.0:" in text
