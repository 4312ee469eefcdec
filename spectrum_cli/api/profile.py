"""Contact details, billing address, paperless and notification preferences."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from spectrum_cli.api.common import Address, Request, Resource
from spectrum_cli.api.validation import is_digits

MAX_EMAILS = 3
MAX_PHONES = 3
# Printable ASCII only: no control characters or escape sequences in an address we send to.
_EMAIL = re.compile(r"^[!-?A-~]+@[!-?A-~]+\.[A-Za-z]{2,}$")


def normalize_phone(number: str) -> str:
    """A US number as 555-201-0142; raises ValueError for anything else."""
    digits = re.sub(r"[\s().+-]", "", number)
    if digits.startswith("1") and len(digits) == 11:
        digits = digits[1:]
    if not is_digits(digits) or len(digits) != 10:
        raise ValueError(f"{number!r} is not a 10-digit US phone number")
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


class ContactEmail(Resource):
    address: str = Field(max_length=254)
    primary: bool = False


class ContactPhone(Resource):
    number: str
    primary: bool = False


class ChannelPrefs(Resource):
    email: bool = True
    sms: bool = False


class NotificationPrefs(Resource):
    bill_ready: ChannelPrefs = Field(default_factory=ChannelPrefs)
    payment_received: ChannelPrefs = Field(default_factory=ChannelPrefs)
    autopay_reminder: ChannelPrefs = Field(default_factory=ChannelPrefs)
    outage: ChannelPrefs = Field(default_factory=ChannelPrefs)


class Profile(Resource):
    emails: list[ContactEmail] = Field(max_length=MAX_EMAILS)
    phones: list[ContactPhone] = Field(max_length=MAX_PHONES)
    billing_address: Address
    paperless: bool
    notifications: NotificationPrefs
    etag: str = Field(description="The same value as the ETag header: send it as If-Match.")


def _one_primary(items: list[ContactEmail] | list[ContactPhone], what: str) -> None:
    if items and sum(1 for i in items if i.primary) != 1:
        raise ValueError(f"exactly one {what} must be primary")


# Where recovery codes and bills go: changing these takes the head of household or an
# administrator, a signed-in session and a password confirmed within 5 minutes.
STEP_UP_FIELDS: frozenset[str] = frozenset({"emails", "phones", "billing_address"})


class ProfilePatch(Request):
    """Fields left out stay as they are. Lists replace the whole list. Send `If-Match`."""

    emails: list[ContactEmail] | None = Field(default=None, min_length=1, max_length=MAX_EMAILS)
    phones: list[ContactPhone] | None = Field(default=None, max_length=MAX_PHONES)
    billing_address: Address | None = None
    paperless: bool | None = None
    notifications: NotificationPrefs | None = None

    @field_validator("emails")
    @classmethod
    def _emails(cls, emails: list[ContactEmail] | None) -> list[ContactEmail] | None:
        if emails is None:
            return None
        for email in emails:
            if not _EMAIL.match(email.address):
                raise ValueError(f"{email.address!r} is not an email address")
        if len({e.address.lower() for e in emails}) != len(emails):
            raise ValueError("an email address is listed twice")
        _one_primary(emails, "email")
        return emails

    @field_validator("phones")
    @classmethod
    def _phones(cls, phones: list[ContactPhone] | None) -> list[ContactPhone] | None:
        if phones is None:
            return None
        normalized = [
            ContactPhone(number=normalize_phone(p.number), primary=p.primary) for p in phones
        ]
        if len({p.number for p in normalized}) != len(normalized):
            raise ValueError("a phone number is listed twice")
        _one_primary(normalized, "phone")
        return normalized

    @model_validator(mode="after")
    def _something(self) -> ProfilePatch:
        if not self.model_fields_set:
            raise ValueError("nothing to change")
        return self


class PasswordChange(Request):
    current_password: str = Field(min_length=1, max_length=128, repr=False)
    new_password: str = Field(min_length=1, max_length=128, repr=False)
