#!/usr/bin/env python3
"""Start-up cost of `spectrum` as ratios to a bare `python -c pass` (DESIGN §9).

    python benchmarks/startup.py [--runs 30]

Each command runs --runs times after a warm-up; the median wall time is compared with the
median of `python -c pass` measured in the same run. Peak memory (max RSS) is reported too.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def measure(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """(median seconds, peak RSS MiB) of ``cmd`` over ``runs`` runs."""
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm the file cache
    times = []
    peak = 0.0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return statistics.median(times), peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="spectrum-bench-"))
    env = {**os.environ, "SPECTRUM_CONFIG_DIR": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data")}
    spectrum = [PY, "-m", "spectrum_cli"]
    cases = {
        "python -c pass": [PY, "-c", "pass"],
        "spectrum --help": [*spectrum, "--help"],
        "spectrum --version": [*spectrum, "--version"],
    }
    base, _ = measure(cases["python -c pass"], args.runs, env)
    print(f"{'command':<28} {'median':>9} {'ratio':>7}")
    for name, cmd in cases.items():
        seconds, _ = measure(cmd, args.runs, env)
        print(f"{name:<28} {seconds * 1000:>7.1f}ms {seconds / base:>6.2f}x")
    if shutil.which("aws"):
        seconds, _ = measure(["aws", "--version"], max(5, args.runs // 3), env)
        print(f"{'aws --version':<28} {seconds * 1000:>7.1f}ms {seconds / base:>6.2f}x")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
