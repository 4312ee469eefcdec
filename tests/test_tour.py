"""scripts/tour: each run starts from a fresh sandbox of its own and leaves nothing behind."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO, built_in_store, sandbox_home


def _pay_harpers_bill(store: Path) -> None:
    from spectrum_cli.client import SpectrumClient
    from spectrum_cli.sandbox.app import create_app
    from spectrum_cli.sandbox.embedded import EmbeddedTransport

    app = create_app(store)
    with SpectrumClient("http://sandbox.embedded", transport=EmbeddedTransport(app)) as client:
        client.auth.login("harper", "Sandbox-Harper1")
        bill = client.statements.get()
        client.payments.create(bill.balance_cents, statement_id=bill.id)
        assert client.statements.get().balance_cents == 0


@pytest.mark.e2e
def test_the_tour_pays_from_a_fresh_store_even_when_the_users_bill_is_paid(
    tmp_path: Path, template_store: Path
) -> None:
    if not (REPO / ".venv" / "bin" / "spectrum").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(".venv is missing; .ci/run runs the tour (which makes it) first")
        pytest.skip("no .venv: run scripts/tour once")
    home = tmp_path / "home"
    env = sandbox_home(home, template_store, TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    store = built_in_store(home)
    _pay_harpers_bill(store)  # as a first tour run, or the user's own trying, would leave it
    before = hashlib.sha256(store.read_bytes()).hexdigest()

    tour = subprocess.run(
        ["bash", "scripts/tour", "--no-setup"],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tour.returncode == 0, tour.stderr
    said = tour.stdout + tour.stderr
    assert "Paid $" in said, said
    assert "is already paid; nothing to do." in said
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
    assert list((tmp_path / "tmp").iterdir()) == []  # its own store is gone
    assert not (home / "config" / "credentials.json").exists()
