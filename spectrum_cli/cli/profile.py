"""`spectrum profile show|edit|password`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.output import fields, one_line_address, revoked

if TYPE_CHECKING:
    from spectrum_cli.api.profile import Profile

app = new_app("Contact details, billing address, paperless billing, notifications, password.")

EVENTS = ("bill_ready", "payment_received", "autopay_reminder", "outage")
CHANNELS = ("email", "sms")


def _profile_text(profile: Profile) -> str:
    """The profile for people: contacts, address, paperless and each notification's channels."""
    rows: list[tuple[str, Any]] = [
        (
            "Emails",
            lambda p: ", ".join(e.address + (" (primary)" if e.primary else "") for e in p.emails),
        ),
        (
            "Phones",
            lambda p: (
                ", ".join(x.number + (" (primary)" if x.primary else "") for x in p.phones)
                or "none"
            ),
        ),
        ("Billing address", lambda p: one_line_address(p.billing_address)),
        ("Paperless", lambda p: p.paperless),
    ]
    for event in EVENTS:
        channels = getattr(profile.notifications, event)
        rows.append(
            (
                f"Notify: {event.replace('_', ' ')}",
                lambda p, c=channels: ", ".join(ch for ch in CHANNELS if getattr(c, ch)) or "off",
            )
        )
    return fields(profile, rows)


@app.command()
def show(ctx: typer.Context) -> None:
    """Show the profile (-o json includes the etag for `profile edit --if-match`)."""
    state = get_state(ctx)
    state.out.show(state.client().profile.get(), render=_profile_text)


def _edit_contacts(
    items: list[Any],
    key: str,
    add: list[str] | None,
    remove: list[str] | None,
    primary: str | None,
    what: str,
    normalize: Any,
) -> list[Any] | None:
    """The new list, or None when nothing changes."""
    if not (add or remove or primary):
        return None
    current = [{key: getattr(i, key), "primary": i.primary} for i in items]
    for value in remove or []:
        match = [c for c in current if normalize(c[key]) == normalize(value)]
        if not match:
            raise CliError(f"{value} is not one of the profile's {what}s.")
        current.remove(match[0])
    for value in add or []:
        if any(normalize(c[key]) == normalize(value) for c in current):
            raise CliError(f"{value} is already on the profile.")
        current.append({key: value, "primary": False})
    if primary is not None:
        if not any(normalize(c[key]) == normalize(primary) for c in current):
            raise CliError(f"{primary} is not one of the profile's {what}s; add it first.")
        for c in current:
            c["primary"] = normalize(c[key]) == normalize(primary)
    if current and not any(c["primary"] for c in current):
        current[0]["primary"] = True
    limit = 3
    if len(current) > limit:
        raise CliError(f"A profile has at most {limit} {what}s: remove one first.")
    return current


def _loose_phone(value: str) -> str:
    return "".join(ch for ch in value if "0" <= ch <= "9")[-10:]


AddEmailOption = Annotated[list[str] | None, typer.Option(help="Add an email (repeatable).")]
RemoveEmailOption = Annotated[list[str] | None, typer.Option(help="Remove an email.")]
PrimaryEmailOption = Annotated[str | None, typer.Option(help="Make this email the primary.")]
AddPhoneOption = Annotated[list[str] | None, typer.Option(help="Add a phone (repeatable).")]
RemovePhoneOption = Annotated[list[str] | None, typer.Option(help="Remove a phone.")]
PrimaryPhoneOption = Annotated[str | None, typer.Option(help="Make this phone the primary.")]
StreetOption = Annotated[
    str | None,
    typer.Option(help="Billing address: street (a new street clears the unit, unless --unit)."),
]
UnitOption = Annotated[str | None, typer.Option(help="Billing address: unit ('' to clear).")]
CityOption = Annotated[str | None, typer.Option(help="Billing address: city.")]
StateOption = Annotated[str | None, typer.Option("--state", help="Billing address: state code.")]
ZipOption = Annotated[str | None, typer.Option("--zip", help="Billing address: ZIP or ZIP+4.")]
PaperlessOption = Annotated[
    bool | None,
    typer.Option("--paperless/--paper", help="Paperless billing on or off.", show_default=False),
]
NotifyOption = Annotated[
    list[str] | None,
    typer.Option(
        help="EVENT:CHANNEL=on|off, e.g. bill_ready:sms=on (events: "
        + ", ".join(EVENTS)
        + "; channels: email, sms)."
    ),
]
IfMatchOption = Annotated[
    str | None,
    typer.Option(help="Only change it if it is still at this etag (from `profile show -o json`)."),
]
ConfirmStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password that confirms a contact or address change from stdin.",
    ),
]


@app.command()
def edit(
    ctx: typer.Context,
    add_email: AddEmailOption = None,
    remove_email: RemoveEmailOption = None,
    primary_email: PrimaryEmailOption = None,
    add_phone: AddPhoneOption = None,
    remove_phone: RemovePhoneOption = None,
    primary_phone: PrimaryPhoneOption = None,
    street: StreetOption = None,
    unit: UnitOption = None,
    city: CityOption = None,
    us_state: StateOption = None,
    zip_code: ZipOption = None,
    paperless: PaperlessOption = None,
    notify: NotifyOption = None,
    if_match: IfMatchOption = None,
    password_stdin: ConfirmStdinOption = False,
) -> None:
    """Change contact details, the billing address, paperless billing or notifications.

    Emails, phones and the address are where recovery codes and bills go: changing them is for
    the head of household or an administrator, signed in (not with an API token), and asks
    for the password again (on a terminal, or one line of stdin with --password-stdin). The
    previous contacts are told. A profile changed by someone else since it was read gets this
    change applied to it as it is then; with --if-match the change is refused instead (exit 6).
    """
    from functools import partial

    state = get_state(ctx)
    client = state.client()
    current = client.profile.get()
    changes_to = partial(
        _changes,
        emails=(add_email, remove_email, primary_email, "email", str.lower),
        phones=(add_phone, remove_phone, primary_phone, "phone", _loose_phone),
        address=(street, unit, city, us_state, zip_code),
        paperless=paperless,
        notify=notify,
    )
    changes = changes_to(current)
    if not changes:
        raise CliError("Nothing to change: pass at least one option (see --help).")
    if _already(current, changes):
        state.out.nothing("The profile already says so; nothing to do.", profile=current)
        return
    _step_up(state, client, changes, password_stdin)
    updated = _save(state, client, current, changes_to, _entity_tag(if_match))
    state.out.show(updated, render=_profile_text)
    state.out.message("Profile updated.")


def _changes(
    profile: Profile,
    *,
    emails: tuple[Any, ...],
    phones: tuple[Any, ...],
    address: tuple[str | None, ...],
    paperless: bool | None,
    notify: list[str] | None,
) -> dict[str, Any]:
    """The fields the options change, as they become when applied to ``profile``."""
    changes = {
        "emails": _edit_contacts(profile.emails, "address", *emails),
        "phones": _edit_contacts(profile.phones, "number", *phones),
        "billing_address": _edit_address(profile.billing_address, *address),
        "paperless": paperless,
        "notifications": _edit_notifications(profile.notifications, notify),
    }
    return {key: value for key, value in changes.items() if value is not None}


def _already(profile: Profile, changes: dict[str, Any]) -> bool:
    """Whether the profile already holds every change (compared as the API would store it)."""
    from spectrum_cli.api.profile import ProfilePatch

    wanted = ProfilePatch.model_validate(changes).model_dump(mode="json", exclude_unset=True)
    now = profile.model_dump(mode="json")
    return all(now.get(key) == value for key, value in wanted.items())


def _save(
    state: State,
    client: Any,
    current: Profile,
    changes_to: Callable[[Profile], dict[str, Any]],
    if_match: str | None,
) -> Profile:
    """Send the change, based on ``current`` or on the etag given with --if-match. Without
    --if-match, a profile changed since it was read (412) is read again and the change
    applied to it once more, field by field: two edits of different fields both hold. With
    it, the 412 stands (exit 6): the caller asked for that version only."""
    from spectrum_cli.client import ConflictError

    try:
        return client.profile.update(if_match or current.etag, **changes_to(current))
    except ConflictError as exc:
        if if_match is not None or exc.status != 412:
            raise
    state.out.message("The profile changed since it was read: applying the change to it again.")
    fresh = client.profile.get()
    return client.profile.update(fresh.etag, **changes_to(fresh))


def _edit_address(
    current: Any,
    street: str | None,
    unit: str | None,
    city: str | None,
    us_state: str | None,
    zip_code: str | None,
) -> dict[str, Any] | None:
    """The new billing address, or None when no part of it changes."""
    if all(v is None for v in (street, unit, city, us_state, zip_code)):
        return None
    address: dict[str, Any] = current.model_dump()
    if street is not None and unit is None:
        unit = ""  # the old unit belongs to the old street
    for key, value in (
        ("line1", street),
        ("line2", unit),
        ("city", city),
        ("state", us_state),
        ("zip", zip_code),
    ):
        if value is not None:
            address[key] = value or None
    return address


def _edit_notifications(current: Any, notify: list[str] | None) -> dict[str, Any] | None:
    """The new notification settings, or None when --notify was not given."""
    if not notify:
        return None
    prefs: dict[str, Any] = current.model_dump()
    for item in notify:
        event, channel, on = _parse_notify(item)
        prefs[event][channel] = on
    return prefs


def _step_up(state: State, client: Any, changes: dict[str, Any], password_stdin: bool) -> None:
    """Check the changes, then confirm with the password those that need it."""
    from spectrum_cli.api.profile import STEP_UP_FIELDS, ProfilePatch

    ProfilePatch.model_validate(changes)  # bad input fails before the password is asked for
    if changes.keys() & STEP_UP_FIELDS:
        if password_stdin:
            secret = state.read_line("the password")
        else:
            secret = state.ask("Password (confirms this change)", "--password-stdin", secret=True)
        client.auth.reauthenticate(secret)


def _entity_tag(given: str | None) -> str | None:
    """The ETag as HTTP quotes it: `7` and `"7"` name the same version (as does `*`)."""
    if given is None:
        return None
    tag = given.strip()
    if not tag:
        raise CliError("--if-match is empty: pass the etag from `profile show -o json`.")
    if tag == "*" or tag.startswith(('"', 'W/"')):
        return tag
    return f'"{tag}"'


def _parse_notify(item: str) -> tuple[str, str, bool]:
    try:
        target, value = item.split("=", 1)
        event, channel = target.split(":", 1)
    except ValueError:
        raise CliError(
            f"--notify {item!r}: write EVENT:CHANNEL=on|off, e.g. bill_ready:sms=on."
        ) from None
    if event not in EVENTS or channel not in CHANNELS or value not in ("on", "off"):
        raise CliError(
            f"--notify {item!r}: events are {', '.join(EVENTS)}; channels email, "
            "sms; values on, off."
        )
    return event, channel, value == "on"


@app.command()
def password(
    ctx: typer.Context,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the current password, then the new one, as two lines of standard input.",
        ),
    ] = False,
) -> None:
    """Change the password. Every other signed-in session ends."""
    state = get_state(ctx)
    if password_stdin:
        current, new = state.read_line("the current password"), state.read_line("the new password")
    else:
        current = state.ask("Current password", "--password-stdin", secret=True)
        new = state.ask("New password", "--password-stdin", secret=True)
        if state.ask("Repeat the new password", "--password-stdin", secret=True) != new:
            raise CliError("The two passwords differ; nothing was changed.")
    result = state.client().profile.change_password(current, new)
    state.out.show(
        result, render=lambda r: f"{r.message}\n{revoked(r.revoked_sessions, r.revoked_tokens)}"
    )
