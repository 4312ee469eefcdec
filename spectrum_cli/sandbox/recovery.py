"""Finding an account from what its owner remembers: an email, a phone or the account number
with its security code. Messages go only to contacts on file, never to what was typed."""

from __future__ import annotations

import sqlite3

from spectrum_cli.api.recovery import UsernameRecoveryRequest
from spectrum_cli.sandbox.security import DUMMY_HASH, verify_password
from spectrum_cli.sandbox.store import accounts
from spectrum_cli.sandbox.store import users as store


def _phone_digits(phone: str) -> str:
    """A North American number as its 10 digits (a leading country code 1 dropped); any
    other digits as they are, so a longer number never matches on its tail."""
    digits = "".join(c for c in phone if c in "0123456789")
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def matching_contacts(
    conn: sqlite3.Connection, body: UsernameRecoveryRequest
) -> list[tuple[str, str, str]]:
    """(account id, channel, the contact on file to write to) for each match."""
    if body.email:
        emails = store.contacts(conn, kind="email", value=body.email.strip())
        return [(c.account_id, "email", c.value) for c in emails]
    if body.phone:
        wanted = _phone_digits(body.phone)
        phones = store.contacts(conn, kind="phone")
        return [
            (c.account_id, "sms", c.value)
            for c in phones
            if len(wanted) == 10 and _phone_digits(c.value) == wanted
        ]
    account = accounts.account_by_number(conn, number=body.account_number or "")
    # An unknown number still pays for a hash, so timing does not tell them apart.
    code_ok = verify_password(
        body.security_code or "", account.security_code_hash if account else DUMMY_HASH
    )
    if not (account and code_ok):
        return []
    email = store.primary_contact(conn, account_id=account.id, kind="email")
    return [(account.id, "email", email)] if email else []
