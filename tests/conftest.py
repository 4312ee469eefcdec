from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.helpers import LEDGER, ServedSandbox, SleepRecorder, copy_store, serve_sandbox

# Hypothesis's per-example deadline (200 ms) is a time bound a loaded core can exceed.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded store built once; tests copy it instead of paying for seeding again."""
    from spectrum_cli.sandbox.app import open_store

    path = tmp_path_factory.mktemp("template") / "sandbox.db"
    db = open_store(path)
    with db.write() as conn:  # fold the WAL into the main file so a plain copy is complete
        conn.execute("SELECT 1")
    conn = db.connect()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def store_path(template_store: Path, tmp_path: Path) -> Path:
    return copy_store(template_store, tmp_path / "sandbox.db")


@pytest.fixture
def sandbox_app(store_path: Path):  # type: ignore[no-untyped-def]
    from spectrum_cli.sandbox.app import create_app

    return create_app(store_path)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(sandbox_app, sleeps):  # type: ignore[no-untyped-def]
    """A SpectrumClient talking to an in-process sandbox."""
    from spectrum_cli.client import SpectrumClient
    from spectrum_cli.sandbox.embedded import EmbeddedTransport

    with SpectrumClient(
        "http://sandbox.embedded",
        transport=EmbeddedTransport(sandbox_app),
        sleep=sleeps,
        sandbox_key=sandbox_app.state.keys.admin,
    ) as c:
        yield c


@pytest.fixture(scope="session")
def served(
    tmp_path_factory: pytest.TempPathFactory, template_store: Path
) -> Iterator[ServedSandbox]:
    """`spectrum sandbox serve` on a random loopback port, shared by the session's tests
    (fresh_served resets everything in the store, rate limits and faults included)."""
    path = copy_store(template_store, tmp_path_factory.mktemp("served") / "sandbox.db")
    sandbox = serve_sandbox(path)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def fresh_served(served: ServedSandbox) -> ServedSandbox:
    """The module's served sandbox, reset to its seeded state."""
    served.reset()
    return served


@pytest.fixture
def served_client(fresh_served: ServedSandbox, sleeps: SleepRecorder):  # type: ignore[no-untyped-def]
    from spectrum_cli.client import SpectrumClient

    with SpectrumClient(
        fresh_served.url, sleep=sleeps, timeout=10, sandbox_key=fresh_served.admin_key
    ) as c:
        yield c


@pytest.fixture(autouse=True)
def no_secret_in_files(tmp_path: Path) -> Iterator[None]:
    """After each test, no secret it handled may sit in a file it wrote, except the
    credential store (credentials.json) and sandbox databases."""
    LEDGER.secrets.clear()
    yield
    if not LEDGER.secrets:
        return
    for path in tmp_path.rglob("*"):
        if not path.is_file() or path.name == "credentials.json" or ".db" in path.name:
            continue
        content = path.read_bytes()
        leaked = [s for s in LEDGER.secrets if s.encode() in content]
        assert not leaked, f"{path} contains a secret ({leaked[0][:4]}…)"


@pytest.fixture
def harper_env(tmp_path: Path, fresh_served: ServedSandbox) -> dict[str, str]:
    """An isolated environment signed in as harper (file store) against the served sandbox."""
    from tests.helpers import isolated_env, spectrum

    env = isolated_env(tmp_path / "harper", SPECTRUM_API_URL=fresh_served.url)
    result = spectrum(
        ["login", "--username", "harper", "--password-stdin", "--store", "file"],
        env,
        input="Sandbox-Harper1\n",
        in_process=True,  # set-up: the login commands have tests of their own
    )
    assert result.returncode == 0, result.stderr
    return env
