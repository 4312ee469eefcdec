"""The SQLite store: WAL, versioned schema, upgrades keep data, newer files are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from spectrum_cli.sandbox import schema
from spectrum_cli.sandbox.app import open_store
from spectrum_cli.sandbox.db import Database
from spectrum_cli.sandbox.problems import StoreError


def test_store_is_wal_and_at_the_newest_version(store_path: Path) -> None:
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)
    conn.close()


def test_reopening_keeps_data_and_applies_only_new_migrations(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(store_path)
    assert db.migrate() == 0
    with db.write() as conn:
        conn.execute("UPDATE accounts SET holder_name = 'Kept Name' WHERE id = 'acct_6755'")
    extra = "ALTER TABLE accounts ADD COLUMN nickname TEXT; UPDATE accounts SET nickname = 'x';"
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, extra])
    monkeypatch.setattr("spectrum_cli.sandbox.db.MIGRATIONS", schema.MIGRATIONS)
    assert db.migrate() == 1
    with db.read() as conn:
        row = conn.execute(
            "SELECT holder_name, nickname FROM accounts WHERE id = 'acct_6755'"
        ).fetchone()
    assert tuple(row) == ("Kept Name", "x")


def test_a_file_from_a_newer_version_is_refused_untouched(store_path: Path) -> None:
    conn = sqlite3.connect(store_path)
    conn.execute(f"PRAGMA user_version = {len(schema.MIGRATIONS) + 1}")
    conn.close()
    before = store_path.read_bytes()
    with pytest.raises(StoreError, match="was made by a newer spectrum-cli"):
        open_store(store_path)
    assert store_path.read_bytes() == before


def test_a_failed_transaction_leaves_nothing_behind(store_path: Path) -> None:
    db = Database(store_path)
    with pytest.raises(ZeroDivisionError), db.write() as conn:
        conn.execute("UPDATE accounts SET holder_name = 'Nobody'")
        1 / 0  # noqa: B018
    with db.read() as conn:
        assert (
            conn.execute("SELECT holder_name FROM accounts WHERE id = 'acct_6755'").fetchone()[0]
            == "Harper Quinn"
        )
