"""Resource limits: request bodies, dates and the clock, store permissions, dependency floors."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import stat
import tomllib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from tests.helpers import (
    REPO,
    ServedSandbox,
    SleepRecorder,
    isolated_env,
    serve_sandbox,
    spectrum,
)

LIMIT = 64 * 1024
CHUNK = 16 * 1024
CLAIMED = 200 * 1024 * 1024  # what an attacker declares; far more than anyone sends here


class Chunks:
    """A request body made of CHUNK-sized pieces that counts how many were pulled."""

    def __init__(self, total: int) -> None:
        self.total, self.pulled = total, 0

    def _next(self) -> bytes:
        self.pulled += 1
        return b"x" * CHUNK

    def __iter__(self) -> Iterator[bytes]:
        while self.pulled * CHUNK < self.total:
            yield self._next()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled * CHUNK < self.total:
            yield self._next()

    @property
    def fully_read(self) -> bool:
        return self.pulled * CHUNK >= self.total


def _in_process(app: Any, path: str, body: Chunks, headers: dict[str, str]) -> httpx.Response:
    """One request through the ASGI app, pulling the body lazily as the app asks for it."""

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.embedded") as c:
            response = await c.post(path, content=aiter(body), headers=headers)
            await response.aread()
            return response

    return anyio.run(call)


def _assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 413
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request", "body_too_large")
    assert error["request_id"] == response.headers["X-Request-Id"]


def test_declared_oversized_body_is_refused_before_it_is_read(sandbox_app: Any) -> None:
    body = Chunks(total=4 * CHUNK)
    response = _in_process(
        sandbox_app,
        "/v1/support/tickets",
        body,
        {
            "Content-Length": str(CLAIMED),
            "Content-Type": "application/json",
            "Idempotency-Key": "big-1",
        },
    )
    _assert_refused(response)
    assert body.pulled == 0


def test_chunked_body_is_cut_off_at_the_limit(sandbox_app: Any) -> None:
    # Through the idempotency layer (it buffers bodies) and straight to a route (login).
    for path, headers in (
        ("/v1/support/tickets", {"Idempotency-Key": "big-2"}),
        ("/v1/auth/login", {}),
    ):
        body = Chunks(total=8 * 1024 * 1024)
        response = _in_process(
            sandbox_app, path, body, {"Content-Type": "application/json", **headers}
        )
        _assert_refused(response)
        assert body.pulled <= LIMIT // CHUNK + 1, path
    at_limit = Chunks(total=LIMIT)
    response = _in_process(
        sandbox_app, "/v1/auth/login", at_limit, {"Content-Type": "application/json"}
    )
    assert response.status_code == 400  # not JSON: the route read all of it and said so
    assert at_limit.fully_read


def test_served_sandbox_refuses_a_streamed_upload(served: ServedSandbox) -> None:
    body = Chunks(total=64 * 1024 * 1024)
    with httpx.Client(base_url=served.url, timeout=30) as c:
        response = c.post(
            "/v1/support/tickets",
            content=iter(body),
            headers={"Content-Type": "application/json", "Idempotency-Key": "big-3"},
        )
    _assert_refused(response)
    assert not body.fully_read
    assert httpx.get(f"{served.url}/v1/sandbox/personas").status_code == 200


def test_served_sandbox_refuses_a_declared_length_up_front(served: ServedSandbox) -> None:
    body = Chunks(total=64 * 1024 * 1024)  # less than declared: the server must not wait for it
    with httpx.Client(base_url=served.url, timeout=30) as c:
        response = c.post(
            "/v1/auth/login",
            content=iter(body),
            headers={"Content-Type": "application/json", "Content-Length": str(CLAIMED)},
        )
    _assert_refused(response)
    assert not body.fully_read


def _refused_param(call: Any) -> str | None:
    from spectrum_cli.client import InvalidRequestError

    with pytest.raises(InvalidRequestError) as caught:
        call()
    assert caught.value.status == 400
    return caught.value.param


def test_clock_cannot_leave_the_century_around_real_time(client: Any) -> None:
    far = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert _refused_param(lambda: client.sandbox.set_clock(far)) == "set_to"
    ten_years = 10 * 366 * 86400  # the most one call may advance
    for _ in range(9):
        client.sandbox.advance_clock(ten_years)
    assert _refused_param(lambda: client.sandbox.advance_clock(ten_years)) == "advance_seconds"
    assert client.sandbox.clock().offset_seconds == 9 * ten_years
    client.sandbox.reset()
    client.auth.login("harper", "Sandbox-Harper1")
    assert client.account.summary().account_number_masked


def test_usage_dates_outside_the_calendar_window_answer_400(client: Any) -> None:
    client.auth.login("harper", "Sandbox-Harper1")
    year_one, last_day = dt.date(1, 1, 1), dt.date(9999, 12, 31)
    for window, param in (
        ({"end": year_one}, "end"),
        ({"start": year_one}, "start"),
        ({"end": last_day}, "end"),
        ({"start": last_day, "end": last_day}, "start"),
    ):
        assert _refused_param(lambda w=window: client.account.usage(**w)) == param, window
    assert client.account.usage(days=7).days


def _write_clock_offset(store: Path, seconds: int) -> None:
    """What an older version, or a hand edit, may have left in the store."""
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE clock SET offset_seconds = ? WHERE id = 1", (seconds,))


def test_reset_recovers_a_store_whose_clock_overflows(client: Any, store_path: Path) -> None:
    _write_clock_offset(store_path, 10**15)  # thirty million years
    assert client.sandbox.clock().now.year < 2300
    client.sandbox.reset()
    assert client.sandbox.clock().offset_seconds == 0
    client.auth.login("harper", "Sandbox-Harper1")
    assert client.account.summary().account_number_masked


def test_served_sandbox_answers_after_an_overflowing_clock(served: ServedSandbox) -> None:
    from spectrum_cli.client import SpectrumClient

    _write_clock_offset(served.db_path, -(10**15))
    with SpectrumClient(
        served.url, timeout=10, sleep=SleepRecorder(), sandbox_key=served.admin_key
    ) as c:
        assert c.sandbox.clock().now.year > 1900
        c.sandbox.reset()
        assert c.sandbox.clock().offset_seconds == 0


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _assert_private_store(store: Path) -> None:
    """The store and the WAL files SQLite makes beside it are 0600 while a writer has it open."""
    conn = sqlite3.connect(store)
    try:
        conn.execute("UPDATE clock SET offset_seconds = offset_seconds WHERE id = 1")
        conn.commit()
        companions = [Path(f"{store}-wal"), Path(f"{store}-shm")]
        assert all(p.exists() for p in companions)
        for path in [store, *companions]:
            assert _mode(path) == 0o600, path
    finally:
        conn.close()


def test_new_store_is_private_in_directories_we_make(tmp_path: Path) -> None:
    from spectrum_cli.sandbox.app import create_app

    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    store = shared / "made" / "by-us" / "sandbox.db"
    create_app(store)
    assert _mode(shared) == 0o755  # named by the user, not made by us: left alone
    assert _mode(shared / "made") == _mode(shared / "made" / "by-us") == 0o700
    _assert_private_store(store)


def test_readable_store_is_made_private_when_opened(store_path: Path) -> None:
    from spectrum_cli.sandbox.app import open_store

    os.chmod(store_path, 0o644)
    os.chmod(store_path.parent, 0o755)
    open_store(store_path)
    assert _mode(store_path) == 0o600
    assert _mode(store_path.parent) == 0o755  # the directory was there already
    _assert_private_store(store_path)


def test_served_sandbox_makes_its_store_private(tmp_path: Path) -> None:
    store = tmp_path / "served" / "sandbox.db"
    sandbox = serve_sandbox(store)
    try:
        assert httpx.get(f"{sandbox.url}/v1/sandbox/personas").status_code == 200
        assert _mode(store.parent) == 0o700
        _assert_private_store(store)
    finally:
        sandbox.stop()


def test_default_embedded_store_directory_is_private(tmp_path: Path) -> None:
    env = isolated_env(tmp_path / "home")
    data = tmp_path / "home" / "data"
    older = data / "spectrum-cli"  # as an earlier version left it
    older.mkdir(parents=True)
    os.chmod(data, 0o755)
    os.chmod(older, 0o755)
    result = spectrum(["-o", "json", "sandbox", "personas"], env)
    assert result.returncode == 0, result.stderr
    assert _mode(older) == 0o700
    assert _mode(data) == 0o755  # the user's data dir is theirs
    assert _mode(older / "sandbox.db") == 0o600


# The first versions without the known vulnerabilities.
FIXED = {
    "h11": (0, 16, 0),  # CVE-2025-43859, request smuggling
    "httpcore": (1, 0, 9),  # the first to require h11>=0.16
    "starlette": (1, 3, 1),  # multipart (0.47.2), Host header (1.0.1), form limits (1.3.1)
    "fastapi": (0, 165, 0),  # the first we know to require starlette>=1.6.0
}


def _version(text: str) -> tuple[int, ...]:
    parts = tuple(int(part) for part in text.split("."))
    return parts + (0,) * (3 - len(parts))  # 0.165 == 0.165.0


def _runtime_requirements() -> dict[str, dict[str, tuple[int, ...]]]:
    """name -> {operator: version} for the core dependencies and the sandbox extra."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = {}
    for line in [*project["dependencies"], *project["optional-dependencies"]["sandbox"]]:
        name, specs = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", line.split(";")[0]).groups()
        found[name.lower()] = {
            op: _version(v) for op, v in re.findall(r"(>=|<)\s*([0-9][0-9.]*)", specs)
        }
    return found


def test_every_runtime_dependency_has_a_floor_and_a_ceiling() -> None:
    requirements = _runtime_requirements()
    assert set(FIXED) <= set(requirements), "pin the fixed versions explicitly"
    for name, specs in requirements.items():
        assert {">=", "<"} <= set(specs), f"{name} needs both a floor and an upper bound"
        assert specs[">="] < specs["<"], name
    for name, fixed in FIXED.items():
        assert requirements[name][">="] >= fixed, f"{name} floor admits a vulnerable version"
