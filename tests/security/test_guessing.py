"""Guessing: the sign-in lockout under concurrency, one-time codes and code requests, where
recovery messages go, what a password change signs out, and what a copy of the store gives
away."""

from __future__ import annotations

import threading


def test_password_hashes_run_a_few_at_a_time() -> None:
    from spectrum_cli.sandbox import security

    stored = security.hash_password("Sandbox-Harper1")
    gate = security.SCRYPT_GATE
    gate.peak = 0
    barrier = threading.Barrier(12)
    results: list[bool] = []

    def verify() -> None:
        barrier.wait()
        results.append(security.verify_password("Sandbox-Harper1", stored))

    threads = [threading.Thread(target=verify) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 12
    assert 1 <= gate.peak <= security.SCRYPT_SLOTS <= 4
    assert gate.running == 0
