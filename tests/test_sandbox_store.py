"""The sandbox store on a seeded file, without HTTP: typed rows in, typed rows out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from spectrum_cli.api.support import FaqHit, Ticket
from spectrum_cli.sandbox import outages, principals
from spectrum_cli.sandbox.app import open_store
from spectrum_cli.sandbox.store import auth, equipment, support, users

NOW = dt.datetime(2031, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "sandbox.db"
    open_store(path)
    return path


@pytest.fixture
def conn(store_file: Path) -> Iterator[sqlite3.Connection]:
    """A write transaction on the seeded store, rolled back after the test."""
    db = open_store(store_file)
    with db.scratch() as connection:
        yield connection


def test_users_are_found_without_regard_to_case(conn: sqlite3.Connection) -> None:
    user = users.user_by_username(conn, username="HARPER")
    assert user is not None and user.username == "harper" and user.role == "head_of_household"
    assert dataclasses.is_dataclass(user) and users.user_by_id(conn, user_id=user.id) == user
    assert users.user_by_username(conn, username="nobody") is None
    assert "sam" in users.usernames(conn, account_id=user.account_id)


def test_the_primary_contact_comes_first(conn: sqlite3.Connection) -> None:
    user = users.user_by_username(conn, username="harper")
    assert user is not None
    users.replace_contacts(
        conn,
        account_id=user.account_id,
        kind="email",
        values=[("second@example.com", False), ("first@example.com", True)],
    )
    assert users.primary_contact(conn, account_id=user.account_id, kind="email") == (
        "first@example.com"
    )
    found = users.contacts(conn, kind="email", value="FIRST@example.com")
    assert [(c.account_id, c.primary) for c in found] == [(user.account_id, True)]
    profile = users.profile(conn, account_id=user.account_id, user_id=user.id)
    assert [e.address for e in profile.emails] == ["second@example.com", "first@example.com"]


def test_changing_the_password_ends_the_other_sessions(conn: sqlite3.Connection) -> None:
    user = users.user_by_username(conn, username="harper")
    assert user is not None
    kept = principals.issue_session(conn, user=user, now=NOW)
    principals.issue_session(conn, user=user, now=NOW)
    keep = principals.principal_for_token(conn, kept.access_token, NOW).family_id
    ended = auth.revoke_user_tokens(conn, user_id=user.id, now=NOW, keep_family=keep)
    assert ended == (1, 0)
    assert principals.principal_for_token(conn, kept.access_token, NOW).username == "harper"


def test_sign_in_counts_lock_and_clear(conn: sqlite3.Connection) -> None:
    auth.start_sign_in(conn, subject="k", window_ends=NOW + dt.timedelta(minutes=15))
    assert auth.fail_sign_in(conn, subject="k") == 1
    auth.lock_sign_in(conn, subject="k", until=NOW + dt.timedelta(minutes=15))
    count = auth.sign_in_count(conn, subject="k", now=NOW)
    assert count == auth.SignInCount(
        attempts=1, pending=0, locked_until=NOW + dt.timedelta(minutes=15)
    )
    assert auth.sign_in_count(conn, subject="k", now=NOW + dt.timedelta(minutes=15)) is None


def test_recent_events_are_newest_first_and_old_ones_go(conn: sqlite3.Connection) -> None:
    for minutes in (0, 10, 20):
        auth.record_event(conn, bucket="b", subject="s", at=NOW + dt.timedelta(minutes=minutes))
    since = NOW + dt.timedelta(minutes=5)
    assert auth.recent_events(conn, bucket="b", subject="s", since=since, limit=5) == [
        NOW + dt.timedelta(minutes=20),
        NOW + dt.timedelta(minutes=10),
    ]


def test_faq_and_tickets_are_contract_models(conn: sqlite3.Connection) -> None:
    hits = support.search_faq(conn, query='"autopay"*', limit=2)
    listed = support.list_faq(conn, limit=2)
    assert hits and all(isinstance(h, FaqHit) and h.rank > 0 for h in hits)
    assert listed and all(h.rank == 0.0 and h.snippet.endswith("…") for h in listed)
    user = users.user_by_username(conn, username="harper")
    assert user is not None
    support.insert_ticket(
        conn, ticket_id="tkt_t", account_id=user.account_id, subject="S", category="other", now=NOW
    )
    support.add_ticket_message(
        conn, ticket_id="tkt_t", author="customer", body="B", status="open", now=NOW
    )
    ticket = support.ticket(conn, account_id=user.account_id, ticket_id="tkt_t")
    assert isinstance(ticket, Ticket) and [m.body for m in ticket.messages] == ["B"]
    assert support.ticket(conn, account_id="acct_other", ticket_id="tkt_t") is None


def test_an_outage_at_the_service_address_moves_through_its_states(
    conn: sqlite3.Connection,
) -> None:
    user = users.user_by_username(conn, username="harper")
    assert user is not None
    address = conn.execute(
        "SELECT service_address FROM accounts WHERE id = ?", (user.account_id,)
    ).fetchone()[0]
    outage = support.OutageRow(
        id="out_t",
        zip=json.loads(address)["zip"][:5],
        services=["internet"],
        message="M",
        started_at=NOW,
        estimated_restore_at=NOW + dt.timedelta(hours=1),
    )
    support.insert_outage(conn, outage=outage)
    found = support.outages_at_service_address(conn, account_id=user.account_id, now=NOW)
    assert found == [outage]
    states = [outages.status_at(outage, NOW + dt.timedelta(minutes=m)) for m in (0, 20, 50)]
    assert states == ["investigating", "identified", "restoring"]
    restored = NOW + dt.timedelta(hours=1)
    assert support.outages_at_service_address(conn, account_id=user.account_id, now=restored) == []


def test_a_restarting_device_reports_it_until_it_is_back(conn: sqlite3.Connection) -> None:
    user = users.user_by_username(conn, username="harper")
    assert user is not None
    device = equipment.equipment(conn, account_id=user.account_id, now=NOW)[0]
    until = NOW + dt.timedelta(minutes=2)
    restarted = equipment.restart(conn, equipment_id=device.id, until=until, now=NOW)
    assert (restarted.status, restarted.back_online_at) == ("restarting", until)
    later = equipment.device(conn, account_id=user.account_id, equipment_id=device.id, now=until)
    assert later is not None and later.status == device.status and later.back_online_at is None
