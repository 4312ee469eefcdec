"""Contact details, billing address, paperless and notification preferences."""

from __future__ import annotations

from pydantic import Field

from spectrum_cli.api.common import Address, Request, Resource


class ContactEmail(Resource):
    address: str
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
    emails: list[ContactEmail] = Field(max_length=3)
    phones: list[ContactPhone] = Field(max_length=3)
    billing_address: Address
    paperless: bool
    notifications: NotificationPrefs


class ProfilePatch(Request):
    """Fields left out stay as they are. Send with `If-Match: <ETag>`."""

    emails: list[ContactEmail] | None = Field(default=None, max_length=3)
    phones: list[ContactPhone] | None = Field(default=None, max_length=3)
    billing_address: Address | None = None
    paperless: bool | None = None
    notifications: NotificationPrefs | None = None


class PasswordChange(Request):
    current_password: str = Field(min_length=1, max_length=128, repr=False)
    new_password: str = Field(min_length=1, max_length=128, repr=False)
