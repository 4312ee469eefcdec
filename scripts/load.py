#!/usr/bin/env python3
"""A bounded loopback load on a served sandbox: reads and idempotent payments.

    python -m scripts.load --seconds 20 --connections 32

Prints requests/s, p50 and p99 latency and the errors (anything but 2xx) per route.
Traffic goes only to the sandbox this script starts on 127.0.0.1; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ROUTES = [
    ("GET", "/v1/account"),
    ("GET", "/v1/statements"),
    ("GET", "/v1/statements/latest"),
    ("GET", "/v1/payments"),
    ("POST", "/v1/payments"),
]


async def worker(client, token: str, deadline: float, stats: dict) -> None:  # type: ignore[no-untyped-def]
    i = 0
    while time.monotonic() < deadline:
        method, path = ROUTES[i % len(ROUTES)]
        i += 1
        headers = {"Authorization": f"Bearer {token}"}
        body = None
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
            body = {"amount_cents": 1}
        start = time.perf_counter()
        try:
            response = await client.request(method, path, headers=headers, json=body)
            ok = response.is_success
        except Exception:
            ok = False
        stats[path].append((time.perf_counter() - start, ok))


async def run(url: str, token: str, seconds: float, connections: int) -> dict:
    import httpx

    stats: dict = defaultdict(list)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(worker(client, token, deadline, stats) for _ in range(connections)))
    return stats


def report(stats: dict, seconds: float) -> tuple[int, int]:
    total = errors = 0
    print(f"{'route':<26} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for path, samples in sorted(stats.items()):
        latencies = sorted(s for s, _ in samples)
        bad = sum(1 for _, ok in samples if not ok)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"{path:<26} {len(samples):>9} {len(samples) / seconds:>8.1f} "
            f"{statistics.median(latencies) * 1000:>8.1f} {p99 * 1000:>8.1f} {bad:>7}"
        )
        total += len(samples)
        errors += bad
    print(f"{'all':<26} {total:>9} {total / seconds:>8.1f} {'':>8} {'':>8} {errors:>7}")
    return total, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not 0 < args.seconds <= 60 or not 0 < args.connections <= 32:
        raise SystemExit("at most 60 seconds and 32 connections")
    from spectrum_cli.client import SpectrumClient
    from tests.helpers import serve_sandbox

    sandbox = serve_sandbox(Path(tempfile.mkdtemp(prefix="spectrum-load-")) / "sandbox.db")
    try:
        with SpectrumClient(sandbox.url) as client:
            client.auth.login("harper", "Sandbox-Harper1")
            token = client.auth.create_token(
                "load", ["account:read", "billing:read", "payments:write"], 1
            ).token
        # One-cent payments stay well within the sandbox's $100 overpayment allowance.
        stats = asyncio.run(run(sandbox.url, token, args.seconds, args.connections))
    finally:
        sandbox.stop()
    _, errors = report(stats, args.seconds)
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
