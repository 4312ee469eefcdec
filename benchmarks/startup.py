#!/usr/bin/env python3
"""Start-up cost of `spectrum` as ratios to a bare `python -c pass`, so machines compare.

    python benchmarks/startup.py [--runs 30]

Each command runs --runs times after a warm-up; the median wall time is compared with the
median of `python -c pass` measured in the same run. Peak memory (max RSS) is reported too.
"""

from __future__ import annotations

import argparse
import os
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
    warm = subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm the caches
    if warm.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {warm.stderr.strip()}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times), peak_rss_mib(cmd, env)


def peak_rss_mib(cmd: list[str], env: dict[str, str]) -> float:
    """Max RSS of the command itself, read by GNU time (a forked child would report ours)."""
    if not Path("/usr/bin/time").exists():
        return float("nan")
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *cmd], env=env, capture_output=True, text=True, check=False
    )
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="spectrum-bench-"))
    env = {
        **os.environ,
        "SPECTRUM_CONFIG_DIR": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    spectrum = [PY, "-m", "spectrum_cli"]
    cases = {
        "python -c pass": [PY, "-c", "pass"],
        "spectrum --help": [*spectrum, "--help"],
        "spectrum --version": [*spectrum, "--version"],
        # A TAB runs only bash: the completion script never starts Python.
        "bash completion (spectrum bi)": [
            "bash",
            "--norc",
            "--noprofile",
            "-c",
            f"source {ROOT / 'completions' / 'spectrum.bash'}; COMP_WORDS=(spectrum bi); "
            "COMP_CWORD=1; _spectrum",
        ],
    }
    server, url = serve(home)
    try:
        token = api_token(url)
        api_env = {**env, "SPECTRUM_API_URL": url, "SPECTRUM_TOKEN": token}
        api_cases = {"bill show -o json (served)": [*spectrum, "bill", "show", "-o", "json"]}
        base, _ = measure(cases["python -c pass"], args.runs, env)
        print(f"{'command':<30} {'median':>9} {'ratio':>7} {'peak RSS':>9}")
        for name, cmd in [*cases.items(), *api_cases.items()]:
            seconds, peak = measure(cmd, args.runs, api_env if name in api_cases else env)
            print(f"{name:<30} {seconds * 1000:>7.1f}ms {seconds / base:>6.2f}x {peak:>6.1f}MiB")
        if shutil.which("aws"):
            seconds, peak = measure(["aws", "--version"], max(5, args.runs // 3), env)
            print(
                f"{'aws --version':<30} {seconds * 1000:>7.1f}ms {seconds / base:>6.2f}x "
                f"{peak:>6.1f}MiB"
            )
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(home, ignore_errors=True)


def serve(home: Path) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "spectrum_cli",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--db",
            str(home / "sandbox.db"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stderr is not None
    line = server.stderr.readline()
    return server, line.split("listening on ")[1].split()[0]


def api_token(url: str) -> str:
    sys.path.insert(0, str(ROOT))
    from spectrum_cli.client import SpectrumClient

    with SpectrumClient(url) as client:
        client.auth.login("harper", "Sandbox-Harper1")
        return client.auth.create_token("bench", ["billing:read"], 1).token


if __name__ == "__main__":
    main()
