"""Shell integration: completions in a real bash, --query, doctor, and output into a pipe."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO, SPECTRUM, isolated_env, require_tool, spectrum


def test_completion_scripts_are_current() -> None:
    from scripts.gen_completions import render

    for name, text in render().items():
        committed = (REPO / "completions" / name).read_text(encoding="utf-8")
        assert committed == text, (
            f"completions/{name} is stale: run python -m scripts.gen_completions"
        )


def complete(line: str, env: dict[str, str]) -> list[str]:
    """What a real bash offers for `line` (the cursor at its end)."""
    bash = require_tool("bash")
    words = line.split(" ")
    script = (
        f"source {REPO / 'completions' / 'spectrum.bash'}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_spectrum\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=True,
    )
    return out.stdout.split()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("spectrum bi", ["bill"]),
        ("spectrum bill p", ["pay"]),
        ("spectrum --output j", ["json"]),
        ("spectrum bill pay --if", ["--if-due-within"]),
        ("spectrum -o csv bill sh", ["show"]),
        ("spectrum auth token create --scope pay", ["payments:write"]),
        ("spectrum usage --service m", ["mobile"]),
        ("spectrum sandbox clock a", ["advance"]),
    ],
)
def test_bash_completes_commands_options_and_values(
    tmp_path: Path, line: str, expected: list[str]
) -> None:
    assert complete(line, {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}) == expected


def test_bash_completes_profile_names_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "config.toml").write_text(
        '[profiles.default]\napi_url = "sandbox"\n\n[profiles.work]\nusername = "x"\n\n'
        "[profiles.home-lab]\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "SPECTRUM_CONFIG_DIR": str(config)}
    assert complete("spectrum -p ", env) == ["default", "work", "home-lab"]
    assert complete("spectrum --profile w", env) == ["work"]
    assert complete("spectrum -p work bill l", env) == ["list"]
    # Global options complete after a command too, and their values are skipped.
    assert complete("spectrum bill list -p w", env) == ["work"]
    assert complete("spectrum bill list -p work --li", env) == ["--limit"]
    assert complete("spectrum doctor --no-p", env) == ["--no-pager"]


@pytest.fixture
def env(harper_env: dict[str, str]) -> dict[str, str]:
    return harper_env


def test_query_selects_from_the_json(env: dict[str, str]) -> None:
    balance = spectrum(["--query", "balance_cents", "account", "show"], env)
    assert balance.returncode == 0 and int(balance.stdout) > 0
    ids = json.loads(spectrum(["--query", "data[].id", "bill", "list", "--limit", "3"], env).stdout)
    assert len(ids) == 3 and all(i.startswith("st_") for i in ids)
    bad = spectrum(["--query", "data[?", "bill", "list"], env)
    assert bad.returncode == 2 and "not a valid JMESPath expression" in bad.stderr


def test_doctor_reports_and_exits_by_the_worst_problem(env: dict[str, str], tmp_path: Path) -> None:
    healthy = spectrum(["doctor", "-o", "json"], env)
    assert healthy.returncode == 0, healthy.stderr
    checks = {c["name"]: c for c in json.loads(healthy.stdout)["data"]}
    assert checks["credentials"]["ok"] and "harper" in checks["credentials"]["detail"]
    assert checks["api"]["ok"] and checks["clock"]["ok"]
    assert (
        not checks["completion"]["ok"]
        and "completions/spectrum.bash" in checks["completion"]["fix"]
    )
    signed_out = isolated_env(tmp_path / "nobody", SPECTRUM_API_URL=env["SPECTRUM_API_URL"])
    assert spectrum(["doctor"], signed_out).returncode == 3
    down = spectrum(["--api-url", "http://127.0.0.1:9", "doctor"], env)
    assert down.returncode == 8 and "Check --api-url" in down.stdout


def test_output_into_a_closed_pipe_is_not_an_error(env: dict[str, str]) -> None:
    pipeline = subprocess.run(
        f"{' '.join(SPECTRUM)} bill list --all -o json | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert len(pipeline.stdout) == 10 and pipeline.returncode == 0
    assert "Error" not in pipeline.stderr and "Broken pipe" not in pipeline.stderr
