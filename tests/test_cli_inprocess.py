"""The CLI in-process (Typer's CliRunner) against the embedded sandbox: config, output, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from typer.testing import CliRunner

from spectrum_cli.cli.main import app
from tests.helpers import ServedSandbox, isolated_env, spectrum


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.items[(service, username)]


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():  # type: ignore[no-untyped-def]
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def cli(
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    template_store: Path,
    monkeypatch: pytest.MonkeyPatch,
):  # type: ignore[no-untyped-def]
    """Run `spectrum ARGS` in-process with a private config dir and sandbox store."""
    from tests.helpers import copy_store

    data = tmp_path / "data"
    (data / "spectrum-cli").mkdir(parents=True)
    copy_store(template_store, data / "spectrum-cli" / "sandbox.db")
    env = {
        "SPECTRUM_CONFIG_DIR": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(data),
        "SPECTRUM_TOKEN": "",
        "SPECTRUM_API_URL": "",
        "SPECTRUM_OUTPUT": "",
        "SPECTRUM_PROFILE": "",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("SPECTRUM_TOKEN", "SPECTRUM_API_URL", "SPECTRUM_OUTPUT", "SPECTRUM_PROFILE"):
        monkeypatch.delenv(key)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    invoke.config_dir = tmp_path / "config"  # type: ignore[attr-defined]
    invoke.keyring = memory_keyring  # type: ignore[attr-defined]
    return invoke


def test_config_set_get_list_and_path(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("config", "set", "username", "harper").exit_code == 0
    assert cli("-p", "work", "config", "set", "api_url", "http://127.0.0.1:8765").exit_code == 0
    assert cli("config", "get", "username").stdout == "harper\n"
    assert cli("-p", "work", "config", "get", "api_url").stdout == "http://127.0.0.1:8765\n"
    missing = cli("config", "get", "output")
    assert missing.exit_code == 5 and "not set" in missing.stderr
    listed = json.loads(cli("config", "list", "-o", "json").stdout)
    assert listed["has_more"] is False
    work = {"profile": "work", "api_url": "http://127.0.0.1:8765"}
    assert [p["profile"] for p in listed["data"]] == ["default", "work"]
    assert listed["data"][1] == {**work, "username": None, "output": None, "store": None}
    assert cli("config", "list", "-o", "csv").stdout.splitlines() == [
        "profile,api_url,username,output,store",
        "default,,harper,,",
        "work,http://127.0.0.1:8765,,,",
    ]
    path = Path(cli("config", "path").stdout.strip())
    assert path == cli.config_dir / "config.toml"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert cli("config", "unset", "username").exit_code == 0
    assert cli("config", "get", "username").exit_code == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["config", "set", "output", "yaml"], "output must be one of table, json, csv"),
        (["config", "set", "colour", "red"], "Unknown config key 'colour'"),
        (["config", "set", "api_url", "ftp://x"], "api_url must be `sandbox` or an http(s) URL"),
        (["-p", "bad name", "config", "list"], "Profile name 'bad name' is not valid"),
        (["config", "set", "store", "cloud"], "store must be one of keyring, file"),
        (["sandbox", "clock", "advance", "soon"], "'soon' is not a duration"),
        (["sandbox", "clock", "set", "tomorrow"], "'tomorrow' is not an ISO 8601"),
    ],
)
def test_bad_input_is_exit_2_with_one_clear_line(cli, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_config_file_names_its_path_and_line_and_is_left_alone(cli) -> None:  # type: ignore[no-untyped-def]
    cli.config_dir.mkdir()
    broken = cli.config_dir / "config.toml"
    broken.write_text('[profiles.default]\napi_url = "sandbox"\nusername = \n')
    result = cli("config", "get", "username")
    assert result.exit_code == 2
    assert str(broken) in result.stderr and "line 3" in result.stderr
    assert cli("config", "set", "username", "x").exit_code == 2
    assert broken.read_text() == '[profiles.default]\napi_url = "sandbox"\nusername = \n'


def test_commands_against_the_embedded_sandbox_say_so(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("-o", "csv", "sandbox", "personas")
    assert result.exit_code == 0
    assert result.stderr.startswith("Sandbox mode:")
    lines = result.stdout.splitlines()
    assert lines[0] == "username,password,role,summary,second_factor,account_number_masked"
    assert lines[1].startswith("harper,Sandbox-Harper1,head_of_household,")
    quiet = cli("-q", "-o", "json", "sandbox", "personas")
    assert quiet.stderr == "" and json.loads(quiet.stdout)["data"][0]["username"] == "harper"


def test_a_profile_signed_in_to_is_in_the_config(cli) -> None:  # type: ignore[no-untyped-def]
    login = cli(
        "-p", "work", "login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n"
    )
    assert login.exit_code == 0, login.stderr
    listed = json.loads(cli("config", "list", "-o", "json").stdout)["data"]
    assert listed == [
        {"profile": "work", "api_url": None, "username": None, "output": None, "store": None}
    ]
    assert (cli.config_dir / "config.toml").read_text().endswith("[profiles.work]\n")
    again = cli(
        "-p", "work", "login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n"
    )
    assert again.exit_code == 0, again.stderr
    assert json.loads(cli("config", "list", "-o", "json").stdout)["data"] == listed


def test_a_profile_signed_in_to_elsewhere_keeps_its_api_url(
    fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    env = isolated_env(tmp_path / "home")
    login = ["login", "--username", "harper", "--password-stdin", "--store", "file"]
    args = ["-p", "work", "--api-url", fresh_served.url, *login]
    assert spectrum(args, env, input="Sandbox-Harper1\n", in_process=True).returncode == 0
    got = spectrum(["-p", "work", "config", "get", "api_url"], env, in_process=True)
    assert got.stdout == f"{fresh_served.url}\n"
    who = spectrum(["auth", "status", "-p", "work", "--query", "username"], env, in_process=True)
    assert who.stdout == '"harper"\n'
    doctor = spectrum(["doctor", "-p", "work", "-o", "json"], env, in_process=True)
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["data"]}
    assert "profile 'work';" in checks["config"]["detail"]


@pytest.mark.parametrize("profile", ["*", "work,home", "w?rk", "[wh]*"])
def test_a_profile_pattern_or_list_is_refused_until_fan_out_exists(cli, profile: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("-p", profile, "bill", "list")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: Profile {profile!r} names several profiles: running a command across "
        "profiles is not supported yet; name one (`spectrum config list` shows them)."
    ]


def test_login_keeps_the_session_in_the_keyring_and_logout_forgets_it(cli) -> None:  # type: ignore[no-untyped-def]
    login = cli("login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n")
    assert login.exit_code == 0, login.stderr
    assert "session kept in the keyring" in login.stderr
    stored = json.loads(cli.keyring.items[("spectrum-cli", "default")])
    assert stored["api_url"] == "sandbox" and stored["session"]["username"] == "harper"
    assert not (cli.config_dir / "credentials.json").exists()
    status = json.loads(cli("-o", "json", "auth", "status").stdout)
    assert status["username"] == "harper" and status["credential_source"] == "keyring"
    assert cli("logout").exit_code == 0
    assert cli.keyring.items == {}
    after = cli("auth", "status")
    assert after.exit_code == 3 and "Not signed in" in after.stderr


def test_without_a_keyring_the_sandbox_session_falls_back_to_a_private_file(
    cli, no_keyring
) -> None:  # type: ignore[no-untyped-def]
    login = cli("login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n")
    assert login.exit_code == 0, login.stderr
    assert "No OS keyring here" in login.stderr
    credentials = cli.config_dir / "credentials.json"
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"
    status = json.loads(cli("-o", "json", "auth", "status").stdout)
    assert status["credential_source"] == "file"
    assert status["credential_location"] == str(credentials)


def test_wrong_password_is_exit_3_with_a_hint_and_request_id(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("login", "--username", "harper", "--password-stdin", input="Nope-Nope1\n")
    assert result.exit_code == 3
    error, hint = result.stderr.splitlines()[-2:]
    assert error.startswith("Error: The username or password is incorrect. [request req_")
    assert hint.startswith("Hint: ")


def test_world_readable_credentials_file_is_refused(cli) -> None:  # type: ignore[no-untyped-def]
    cli(
        "login",
        "--username",
        "harper",
        "--password-stdin",
        "--store",
        "file",
        input="Sandbox-Harper1\n",
    )
    credentials = cli.config_dir / "credentials.json"
    os.chmod(credentials, 0o644)
    result = cli("auth", "status")
    assert result.exit_code == 3
    assert "readable by other users" in result.stderr and "chmod 600" in result.stderr


def test_a_scoped_token_from_the_environment(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    cli("login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n")
    created = json.loads(
        cli(
            "-o", "json", "auth", "token", "create", "--name", "ci", "--scope", "account:read"
        ).stdout
    )
    assert created["token"].startswith("spk_")
    monkeypatch.setenv("SPECTRUM_TOKEN", created["token"])
    status = json.loads(cli("-o", "json", "auth", "status").stdout)
    assert status["credential_source"] == "environment" and status["token_kind"] == "api_token"
    assert status["scopes"] == ["account:read"]
    denied = cli("auth", "token", "list")
    assert denied.exit_code == 4 and "signed-in session" in denied.stderr


def test_not_found_and_unreachable_exit_statuses(cli) -> None:  # type: ignore[no-untyped-def]
    cli("login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n")
    assert cli("auth", "token", "revoke", "tok_0000000000000000", "--yes").exit_code == 5
    down = cli("--api-url", "http://127.0.0.1:9", "sandbox", "clock", "show")
    assert down.exit_code == 8
    assert "Could not reach the Account API at http://127.0.0.1:9" in down.stderr


def test_sandbox_clock_and_faults_commands(cli) -> None:  # type: ignore[no-untyped-def]
    moved = json.loads(cli("-o", "json", "sandbox", "clock", "advance", "1d12h").stdout)
    assert moved["offset_seconds"] == 36 * 3600
    added = cli(
        "-o",
        "json",
        "sandbox",
        "faults",
        "add",
        "--path",
        "/v1/account",
        "--kind",
        "error",
        "--times",
        "0",
    )
    assert json.loads(added.stdout)["data"][0]["times"] is None
    assert cli("sandbox", "faults", "clear").exit_code == 0
    assert json.loads(cli("-o", "json", "sandbox", "faults", "list").stdout)["data"] == []


def test_verbose_logging_ends_with_its_command(cli) -> None:  # type: ignore[no-untyped-def]
    """Each `-v` command logs through a handler of its own, removed when it ends: one kept
    would write to a finished command's stream and repeat every line of the next."""
    import logging

    logger = logging.getLogger("spectrum_cli")
    before = list(logger.handlers)
    for _ in range(3):
        result = cli("-v", "sandbox", "personas")
        assert result.exit_code == 0, result.stderr
        assert "spectrum_cli.client: → GET /v1/sandbox/personas" in result.stderr
    assert logger.handlers == before


def test_login_and_logout_give_their_result_as_data_and_no_secret(cli) -> None:  # type: ignore[no-untyped-def]
    args = ("login", "--username", "harper", "--password-stdin", "-o", "json")
    login = cli(*args, input="Sandbox-Harper1\n")
    assert login.exit_code == 0, login.stderr
    signed_in = json.loads(login.stdout)
    assert signed_in["result"] == "signed_in" and signed_in["store"] == "keyring"
    assert (signed_in["profile"], signed_in["username"], signed_in["api_url"]) == (
        "default",
        "harper",
        "sandbox",
    )
    assert signed_in["expires_at"].endswith("+00:00")
    assert "Signed in as harper" in login.stderr
    secrets = ["Sandbox-Harper1", *cli.keyring.items.values()]
    kept = json.loads(next(iter(cli.keyring.items.values())))
    secrets += [kept["session"]["access_token"], kept["session"]["refresh_token"]]
    assert not any(secret in login.stdout for secret in secrets)
    logout = cli("logout", "-o", "json")
    assert logout.exit_code == 0, logout.stderr
    assert json.loads(logout.stdout) == {
        "result": "signed_out",
        "profile": "default",
        "username": "harper",
        "api_url": "sandbox",
        "ended_on_server": True,
    }
    assert "Signed out." in logout.stderr
    again = cli("logout", "-o", "json")
    assert json.loads(again.stdout)["result"] == "nothing_to_do"


def test_login_and_logout_tell_people_on_stderr_only(cli) -> None:  # type: ignore[no-untyped-def]
    login = cli("login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n")
    assert (login.exit_code, login.stdout) == (0, "")
    assert login.stderr.count("Signed in as harper") == 1
    logout = cli("logout")
    assert (logout.exit_code, logout.stdout) == (0, "")
    assert logout.stderr.count("Signed out.") == 1


def test_the_sandbox_banner_is_said_once_per_run(cli) -> None:  # type: ignore[no-untyped-def]
    login = cli("login", "--username", "harper", "--password-stdin", input="Sandbox-Harper1\n")
    assert login.stderr.count("Sandbox mode:") == 1, login.stderr
    result = cli("doctor", "-o", "json")  # it asks the API more than once
    assert result.stderr.count("Sandbox mode:") == 1, result.stderr


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (
            ["-o", "xml", "config", "list"],
            {},
            "Error: -o must be one of table, json, csv, text, not 'xml'.",
        ),
        (
            ["config", "list", "-o", "xml"],
            {},
            "Error: -o must be one of table, json, csv, text, not 'xml'.",
        ),
        (
            ["config", "list"],
            {"SPECTRUM_OUTPUT": "xml"},
            "Error: SPECTRUM_OUTPUT must be one of table, json, csv, text, not 'xml'.",
        ),
    ],
)
def test_an_unknown_output_format_is_one_plain_line(
    tmp_path: Path, args: list[str], env: dict[str, str], line: str
) -> None:
    result = spectrum(args, {**isolated_env(tmp_path), **env}, in_process=True)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", line + "\n")
    upper = spectrum(["-o", "JSON", "config", "list"], isolated_env(tmp_path), in_process=True)
    assert upper.returncode == 0 and json.loads(upper.stdout)["has_more"] is False
