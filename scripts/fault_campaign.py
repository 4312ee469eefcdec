#!/usr/bin/env python3
"""Fault campaign: many `spectrum bill pay` subprocesses against a served sandbox while it
drops connections (before and after committing), answers 503 bursts and 429s, and replies
slower than the client's timeout. After each attempt the CLI's exit status and message must
agree with the server's records, and no idempotency key may ever pay twice.

    python -m scripts.fault_campaign --attempts 500 --seed 7
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from spectrum_cli.api.sandbox import FaultRule
from spectrum_cli.client import SpectrumClient

ROOT = Path(__file__).resolve().parent.parent

FAULTS = ["none", "drop_before", "drop_after", "error", "rate_limit", "slow"]


def rule_for(kind: str, rng: random.Random) -> FaultRule | None:
    path, method = "/v1/payments", "POST"
    if kind == "none":
        return None
    if kind == "error":
        return FaultRule(
            method=method,
            path=path,
            kind="error",
            status=rng.choice([500, 502, 503]),
            times=rng.randint(1, 3),
        )
    if kind == "rate_limit":
        return FaultRule(
            method=method,
            path=path,
            kind="rate_limit",
            retry_after=rng.randint(0, 1),
            times=rng.randint(1, 2),
        )
    if kind == "slow":  # slower than SPECTRUM_TIMEOUT below, once
        return FaultRule(method=method, path=path, kind="delay", delay_ms=1500, times=1)
    return FaultRule(method=method, path=path, kind=kind, times=1)  # type: ignore[arg-type]


def newest_ids(client: SpectrumClient) -> list[str]:
    return [p.id for p in client.payments.list(limit=10).data]


def run_campaign(
    url: str, token: str, attempts: int, seed: int, *, sandbox_key: str
) -> Counter[str]:
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    home = Path(tempfile.mkdtemp(prefix="spectrum-campaign-"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "SPECTRUM_CONFIG_DIR": str(home / "config"),
        "SPECTRUM_TOKEN": token,
        "SPECTRUM_API_URL": url,
        "SPECTRUM_TIMEOUT": "1",
        "PYTHONPATH": str(ROOT),
    }
    with SpectrumClient(url, token=token, sandbox_key=sandbox_key) as observer:
        for attempt in range(attempts):
            kind = rng.choice(FAULTS)
            rule = rule_for(kind, rng)
            observer.sandbox.set_faults([rule] if rule else [])
            counts[f"fault:{kind}"] += 1
            before = newest_ids(observer)
            key = f"campaign-{seed}-{attempt}"
            command = [
                sys.executable,
                "-m",
                "spectrum_cli",
                "bill",
                "pay",
                "--amount",
                "0.01",
                "--yes",
                "--idempotency-key",
                key,
            ]
            result = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=120,
            )
            observer.sandbox.clear_faults()
            new = [p for p in observer.payments.list(limit=10).data if p.id not in before]
            if len(new) > 1:
                counts["duplicates"] += 1
                raise AssertionError(f"attempt {attempt}: {len(new)} payments for one key")
            if result.returncode == 0:
                counts["succeeded"] += 1
                printed = next(
                    line.split()[-1]
                    for line in result.stdout.splitlines()
                    if line.startswith("confirmation")
                )
                if [p.confirmation_number for p in new] != [printed]:
                    counts["lost"] += 1
                    raise AssertionError(
                        f"attempt {attempt}: printed {printed}, server has "
                        f"{[p.confirmation_number for p in new]}"
                    )
            elif "outcome is unknown" in result.stderr:
                counts["unknown"] += 1
                # Resolve it as the message says: the same key, with the faults gone.
                again = subprocess.run(
                    command,
                    env=env,
                    capture_output=True,
                    text=True,
                    stdin=subprocess.DEVNULL,
                    timeout=120,
                )
                after = [p for p in observer.payments.list(limit=10).data if p.id not in before]
                if again.returncode != 0 or len(after) != 1:
                    raise AssertionError(
                        f"attempt {attempt}: unknown outcome did not resolve "
                        f"to one payment: {again.stderr} {after}"
                    )
                counts["unknown_resolved_paid_once"] += 1
                counts["unknown_had_gone_through"] += len(new)
            else:
                counts[f"failed_exit_{result.returncode}"] += 1
                if new:
                    raise AssertionError(
                        f"attempt {attempt}: exit {result.returncode} but a "
                        f"payment exists: {result.stderr}"
                    )
    counts["duplicates"] += 0
    counts["lost"] += 0
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from tests.helpers import serve_sandbox

    workdir = Path(tempfile.mkdtemp(prefix="spectrum-campaign-db-"))
    sandbox = serve_sandbox(workdir / "sandbox.db")
    try:
        with SpectrumClient(sandbox.url) as client:
            client.auth.login("harper", "Sandbox-Harper1")
            token = client.auth.create_token(
                "campaign", ["billing:read", "payments:write"], 30
            ).token
        counts = run_campaign(
            sandbox.url, token, args.attempts, args.seed, sandbox_key=sandbox.admin_key
        )
    finally:
        sandbox.stop()
    for name, value in sorted(counts.items()):
        print(f"{name:<28} {value}")


if __name__ == "__main__":
    main()
