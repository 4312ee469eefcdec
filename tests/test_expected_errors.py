"""Failures that are not bugs, run through the real CLI: each answers its documented exit
status with exactly one `Error:` line naming what is wrong (and a hint), never a traceback and
never "this is a bug"."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import pytest
from typer.testing import CliRunner

from spectrum_cli.cli.main import app
from tests.helpers import REPO, SPECTRUM, copy_store, isolated_env
from tests.test_cli_inprocess import MemoryKeyring

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class World:
    """Where one case runs: its data dir (with the built-in store), scratch space, and a stack
    that undoes whatever the case set up."""

    tmp: Path
    stack: contextlib.ExitStack
    env: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Path:
        return self.tmp / "data" / "spectrum-cli" / "sandbox.db"


Setup = Callable[[World], None]


@dataclass
class Case:
    id: str
    args: list[str]
    status: int
    names: str  # in the Error line (formatted with World.names)
    hint: str = ""  # in the Hint line
    setup: Setup | None = None
    signed_in: bool = False
    served: bool = False  # run as a real subprocess, not in-process
    then: Callable[[World], None] | None = None


# What the cases set up.


def not_a_database(w: World) -> None:
    w.store.write_bytes(b"this is a note, not a database\n" * 64)


def truncated(w: World) -> None:
    os.truncate(w.store, 8192)


def garbage_inside(w: World) -> None:
    with w.store.open("r+b") as f:
        f.seek(w.store.stat().st_size // 2)
        f.write(b"\xff" * 16384)


def newer_schema(w: World) -> None:
    conn = sqlite3.connect(w.store)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()


def keys_not_json(w: World) -> None:
    Path(f"{w.store}.keys").write_bytes(b"\xff{not json")


def keys_missing_entry(w: World) -> None:
    Path(f"{w.store}.keys").write_text('{"admin": "sbx_x"}')


def keys_a_folder(w: World) -> None:
    keys = Path(f"{w.store}.keys")
    keys.unlink(missing_ok=True)
    keys.mkdir()


def data_dir_impossible(w: World) -> None:
    w.env["XDG_DATA_HOME"] = "/dev/null/x"


def busy_port(w: World) -> None:
    sock = w.stack.enter_context(socket.socket())
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    w.names["port"] = str(sock.getsockname()[1])


def served_store_garbage(w: World) -> None:
    path = w.tmp / "other.db"
    path.write_bytes(b"\0garbage" * 512)
    w.names["db"] = str(path)


def nowhere(w: World) -> None:
    """A token, and an API where nothing listens: a request that was sent fails with exit 8."""
    w.env.update(SPECTRUM_TOKEN="spk_never_sent", SPECTRUM_API_URL="http://127.0.0.1:9")
    (w.tmp / "body.txt").write_text("Hello\n")
    w.names["body"] = str(w.tmp / "body.txt")


def full_disk(w: World) -> None:
    """A 64 KiB tmpfs filled to the last byte: saving a PDF there hits ENOSPC."""
    mount = w.tmp / "full"
    mount.mkdir()
    tiny_tmpfs(mount, w.stack)
    (mount / "pdfs").mkdir()
    _fill(mount / "filler")
    w.names["dir"] = str(mount / "pdfs")


def tiny_tmpfs(mount: Path, stack: contextlib.ExitStack) -> None:
    """Mount a 64 KiB tmpfs (as root); skip when that is impossible, but fail under CI=true
    (the CI runs as root, so the test must run there)."""
    problem = None
    if os.geteuid() != 0:
        problem = "mounting a tiny tmpfs needs root"
    else:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            stack.callback(subprocess.run, ["umount", "-l", str(mount)], check=True)
            return
        problem = f"mount -t tmpfs failed: {done.stderr.strip()}"
    if os.environ.get("CI") == "true":
        pytest.fail(problem)
    pytest.skip(problem)


def nothing_saved(w: World) -> None:
    left = sorted(p.name for p in Path(w.names["dir"]).iterdir())
    assert left == [], f"a partial download was left behind: {left}"


def _id_cases() -> list[Case]:
    """Every command that puts an id into a path: an empty id, and one with a control character,
    are refused before any request is sent."""
    commands = [
        (["bill", "show"], "statement", "st_1"),
        (["bill", "download"], "statement", "st_1"),
        (["bill", "explain"], "statement", "st_1"),
        (["payments", "show"], "payment", "pay_1"),
        (["payments", "cancel", "--yes"], "payment", "pay_1"),
        (["payment-methods", "remove", "--yes"], "payment method", "pm_1"),
        (["payment-methods", "default"], "payment method", "pm_1"),
        (["support", "ticket", "show"], "ticket", "tkt_1"),
        (["support", "ticket", "reply", "--body-file", "{body}"], "ticket", "tkt_1"),
        (["support", "ticket", "close", "--yes"], "ticket", "tkt_1"),
        (["equipment", "restart"], "equipment", "eq_1"),
        (["auth", "token", "revoke"], "API token", "tok_1"),
        (["support", "faq", "show"], "FAQ article", "faq_1"),
    ]
    cases = []
    for command, what, sample in commands:
        name = "-".join(w for w in command if not w.startswith("-") and "{" not in w)
        cases.append(
            Case(
                f"{name}-empty-id",
                [*command, ""],
                2,
                "id is needed, not an empty string",
                "Copy the id",
                setup=nowhere,
            )
        )
        cases.append(
            Case(
                f"{name}-control-character",
                [*command, f"{sample}\x01"],
                2,
                f"Not a valid {what} id: '{sample}\\x01'",
                setup=nowhere,
            )
        )
    return cases


STORE_HINT = "spectrum sandbox reset"
STORE = "{store}"

CASES: list[Case] = [
    *_id_cases(),
    # Folders a download cannot use, and a disk that fills up.
    Case(
        "download-dir-in-proc",
        ["bill", "download", "--dir", "/proc/nope"],
        2,
        "Cannot create the folder /proc/nope: No such file or directory",
        "--dir",
        signed_in=True,
    ),
    Case(
        "download-dir-under-a-file",
        ["bill", "download", "--dir", "/dev/null/x"],
        2,
        "Cannot create the folder /dev/null/x: Not a directory",
        "--dir",
        signed_in=True,
    ),
    Case(
        "download-to-a-full-disk",
        ["bill", "download", "--dir", "{dir}"],
        8,
        "Cannot save {dir}/spectrum-statement-",
        "Free some space",
        setup=full_disk,
        signed_in=True,
        then=nothing_saved,
    ),
    # The built-in store that every command opens, and its key file.
    Case(
        "store-not-a-database",
        ["sandbox", "personas"],
        2,
        f"{STORE} is not a SQLite database",
        STORE_HINT,
        not_a_database,
    ),
    Case(
        "store-truncated", ["sandbox", "personas"], 2, f"{STORE} is damaged", STORE_HINT, truncated
    ),
    Case(
        "store-garbage-inside",
        ["sandbox", "personas"],
        2,
        f"{STORE} is damaged",
        STORE_HINT,
        garbage_inside,
    ),
    Case(
        "store-newer-schema",
        ["sandbox", "personas"],
        2,
        f"{STORE} was made by a newer spectrum-cli",
        STORE_HINT,
        newer_schema,
    ),
    Case(
        "keys-not-json",
        ["sandbox", "personas"],
        2,
        f"{STORE}.keys is damaged (not JSON text)",
        STORE_HINT,
        keys_not_json,
    ),
    Case(
        "keys-missing-entry",
        ["sandbox", "personas"],
        2,
        f"{STORE}.keys is damaged",
        STORE_HINT,
        keys_missing_entry,
    ),
    Case(
        "keys-a-folder",
        ["sandbox", "personas"],
        2,
        f"{STORE}.keys cannot be read",
        STORE_HINT,
        keys_a_folder,
    ),
    Case(
        "data-folder-impossible",
        ["sandbox", "personas"],
        2,
        "Cannot use the folder /dev/null/x/spectrum-cli: Not a directory",
        "--api-url",
        data_dir_impossible,
    ),
    # `sandbox serve --db`: these fail before anything listens.
    Case(
        "serve-db-in-a-missing-folder",
        ["sandbox", "serve", "--port", "0", "--db", "/proc/nope/sandbox.db"],
        2,
        "/proc/nope/sandbox.db cannot be opened (/proc/nope: No such file or directory)",
        "--db",
    ),
    Case(
        "serve-db-not-a-database",
        ["sandbox", "serve", "--port", "0", "--db", "{db}"],
        2,
        "{db} is not a SQLite database",
        "move the file aside",
        served_store_garbage,
    ),
    Case(
        "serve-db-a-folder",
        ["sandbox", "serve", "--port", "0", "--db", "/tmp"],
        2,
        "The sandbox store /tmp is a folder, not a file",
        "--db",
    ),
    Case(
        "serve-on-a-busy-port",
        ["sandbox", "serve", "--port", "{port}"],
        2,
        "Port {port} on 127.0.0.1 is in use",
        "--port",
        busy_port,
        served=True,
    ),
]


@pytest.fixture
def world(tmp_path: Path, template_store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    (tmp_path / "data" / "spectrum-cli").mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        w = World(tmp_path, stack)
        copy_store(template_store, w.store)
        w.env = isolated_env(tmp_path, XDG_DATA_HOME=str(tmp_path / "data"))
        for key in ("SPECTRUM_TOKEN", "SPECTRUM_API_URL", "SPECTRUM_OUTPUT", "SPECTRUM_PROFILE"):
            monkeypatch.delenv(key, raising=False)
        yield w
    keyring.set_keyring(previous)


def _run(w: World, args: list[str], *, served: bool, input: str | None = None) -> tuple[int, str]:
    if served:
        done = subprocess.run(
            [*SPECTRUM, *args], env=w.env, cwd=REPO, capture_output=True, text=True, timeout=60
        )
        return done.returncode, done.stderr
    result = CliRunner().invoke(app, args, input=input, env=w.env, catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_an_expected_failure_is_one_clear_line_and_its_exit_status(
    world: World, case: Case
) -> None:
    if case.signed_in:
        status, err = _run(
            world,
            ["login", "--username", "harper", "--password-stdin"],
            served=False,
            input="Sandbox-Harper1\n",
        )
        assert status == 0, err
    if case.setup:
        case.setup(world)
    names = {"store": str(world.store), **world.names}
    args = [a.format(**names) for a in case.args]

    status, err = _run(world, args, served=case.served)

    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, err
    assert case.names.format(**names) in errors[0], err
    assert case.hint in "".join(line for line in err.splitlines() if line.startswith("Hint:"))
    assert "this is a bug" not in err and "Traceback" not in err, err
    assert not CONTROL.search(err), repr(err)
    assert status == case.status, err
    if case.then:
        case.then(world)


BREAKERS = [garbage_inside, keys_not_json]


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda b: b.__name__)
def test_sandbox_reset_starts_a_new_built_in_store_in_place_of_a_broken_one(
    world: World, breaker: Setup
) -> None:
    breaker(world)
    assert _run(world, ["sandbox", "personas"], served=False)[0] == 2
    status, err = _run(world, ["sandbox", "reset", "--yes"], served=False)
    assert status == 0, err
    assert "Sandbox reset" in err
    status, err = _run(world, ["sandbox", "personas"], served=False)
    assert status == 0, err


def test_a_full_disk_leaves_the_copy_saved_before_as_it_was(world: World) -> None:
    login = ["login", "--username", "harper", "--password-stdin"]
    assert _run(world, login, served=False, input="Sandbox-Harper1\n")[0] == 0
    full_disk(world)
    target = Path(world.names["dir"])
    (target.parent / "filler").unlink()
    status, err = _run(world, ["bill", "download", "--dir", str(target)], served=False)
    assert status == 0, err
    [saved] = target.iterdir()
    saved.write_bytes(b"%PDF-1.4 an older copy\n")
    _fill(target.parent / "filler")

    status, err = _run(world, ["bill", "download", "--dir", str(target)], served=False)

    assert status == 8 and f"Cannot save {saved}: No space left on device" in err, err
    assert list(target.iterdir()) == [saved]
    assert saved.read_bytes() == b"%PDF-1.4 an older copy\n"


def _fill(path: Path) -> None:
    """Write zeros to ``path`` until the disk is full."""
    with path.open("wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 4096)
