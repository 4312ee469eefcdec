"""The sandbox's own tables: the fault rules, and the reset that erases everything."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from spectrum_cli.sandbox.store.clock import set_clock_offset

# --- faults --------------------------------------------------------------------------------


def fault_rules(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The stored rules in order, each with the times it has left (None: no end)."""
    rows = conn.execute("SELECT rule, remaining FROM faults ORDER BY seq").fetchall()
    return [{**json.loads(r["rule"]), "times": r["remaining"]} for r in rows]


def replace_fault_rules(conn: sqlite3.Connection, *, rules: list[tuple[str, int | None]]) -> None:
    """Store these (rule JSON, times) in place of every rule."""
    conn.execute("DELETE FROM faults")
    conn.executemany("INSERT INTO faults (rule, remaining) VALUES (?, ?)", rules)


def numbered_fault_rules(conn: sqlite3.Connection) -> list[tuple[int, dict[str, Any]]]:
    """The stored rules in order, each with its sequence number."""
    rows = conn.execute("SELECT seq, rule FROM faults ORDER BY seq").fetchall()
    return [(r["seq"], json.loads(r["rule"])) for r in rows]


def use_fault_rule(conn: sqlite3.Connection, *, seq: int) -> bool:
    """Count one use of a rule, deleting it at its last; False if it is gone already."""
    left = conn.execute("SELECT remaining FROM faults WHERE seq = ?", (seq,)).fetchone()
    if left is None:
        return False
    if left["remaining"] is not None and left["remaining"] <= 1:
        conn.execute("DELETE FROM faults WHERE seq = ?", (seq,))
    elif left["remaining"] is not None:
        conn.execute("UPDATE faults SET remaining = remaining - 1 WHERE seq = ?", (seq,))
    return True


# --- reset ---------------------------------------------------------------------------------


def erase(conn: sqlite3.Connection, *, tables: tuple[str, ...]) -> None:
    """Empty these tables (children before parents) and put the clock back at real time."""
    for table in tables:
        conn.execute(f"DELETE FROM {table}")
    set_clock_offset(conn, seconds=0)
