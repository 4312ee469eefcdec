"""`spectrum profile show|edit|password`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.options import OutputOption
from spectrum_cli.cli.output import revoked

if TYPE_CHECKING:
    from spectrum_cli.api.profile import Profile

app = new_app("Contact details, billing address, paperless billing, notifications, password.")

EVENTS = ("bill_ready", "payment_received", "autopay_reminder", "outage")
CHANNELS = ("email", "sms")


def _show(state: State, profile: Profile) -> None:
    if state.out.format != "table":
        state.out.data(
            profile,
            [
                ("emails", lambda p: [e.address for e in p.emails]),
                ("phones", lambda p: [x.number for x in p.phones]),
                ("paperless", lambda p: p.paperless),
                ("etag", lambda p: p.etag),
            ],
        )
        return
    address = profile.billing_address
    prefs = profile.notifications
    fields: list[tuple[str, Any]] = [
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
        (
            "Billing address",
            lambda p: ", ".join(
                x
                for x in (
                    address.line1,
                    address.line2,
                    address.city,
                    f"{address.state} {address.zip}",
                )
                if x
            ),
        ),
        ("Paperless", lambda p: p.paperless),
    ]
    for event in EVENTS:
        channels = getattr(prefs, event)
        fields.append(
            (
                f"Notify: {event.replace('_', ' ')}",
                lambda p, c=channels: ", ".join(ch for ch in CHANNELS if getattr(c, ch)) or "off",
            )
        )
    state.out.record(profile, fields)


@app.command()
def show(ctx: typer.Context, output: OutputOption = None) -> None:
    """Show the profile (-o json includes the etag for `profile edit --if-match`)."""
    state = get_state(ctx, output)
    _show(state, state.client().profile.get())


def _edit_contacts(
    items: list[Any],
    key: str,
    add: list[str],
    remove: list[str],
    primary: str | None,
    what: str,
    normalize: Any,
) -> list[Any] | None:
    """The new list, or None when nothing changes."""
    if not (add or remove or primary):
        return None
    current = [{key: getattr(i, key), "primary": i.primary} for i in items]
    for value in remove:
        match = [c for c in current if normalize(c[key]) == normalize(value)]
        if not match:
            raise CliError(f"{value} is not one of the profile's {what}s.")
        current.remove(match[0])
    for value in add:
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


@app.command()
def edit(
    ctx: typer.Context,
    add_email: Annotated[list[str] | None, typer.Option(help="Add an email (repeatable).")] = None,
    remove_email: Annotated[list[str] | None, typer.Option(help="Remove an email.")] = None,
    primary_email: Annotated[str | None, typer.Option(help="Make this email the primary.")] = None,
    add_phone: Annotated[list[str] | None, typer.Option(help="Add a phone (repeatable).")] = None,
    remove_phone: Annotated[list[str] | None, typer.Option(help="Remove a phone.")] = None,
    primary_phone: Annotated[str | None, typer.Option(help="Make this phone the primary.")] = None,
    street: Annotated[
        str | None,
        typer.Option(help="Billing address: street (a new street clears the unit, unless --unit)."),
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Billing address: unit ('' to clear).")] = None,
    city: Annotated[str | None, typer.Option(help="Billing address: city.")] = None,
    us_state: Annotated[
        str | None, typer.Option("--state", help="Billing address: state code.")
    ] = None,
    zip_code: Annotated[
        str | None, typer.Option("--zip", help="Billing address: ZIP or ZIP+4.")
    ] = None,
    paperless: Annotated[
        bool | None,
        typer.Option(
            "--paperless/--paper", help="Paperless billing on or off.", show_default=False
        ),
    ] = None,
    notify: Annotated[
        list[str] | None,
        typer.Option(
            help="EVENT:CHANNEL=on|off, e.g. bill_ready:sms=on (events: "
            + ", ".join(EVENTS)
            + "; channels: email, sms)."
        ),
    ] = None,
    if_match: Annotated[
        str | None,
        typer.Option(
            help="Only change it if it is still at this etag (from `profile show -o json`)."
        ),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password that confirms a contact or address change from stdin.",
        ),
    ] = False,
    output: OutputOption = None,
) -> None:
    """Change contact details, the billing address, paperless billing or notifications.

    Emails, phones and the address are where recovery codes and bills go: changing them is for
    the head of household or an administrator, signed in (not with an API token), and asks
    for the password again (on a terminal, or one line of stdin with --password-stdin). The
    previous contacts are told. The change is refused (exit 6) if the profile changed since
    it was read: run it again.
    """
    state = get_state(ctx, output)
    client = state.client()
    current = client.profile.get()
    changes: dict[str, Any] = {}
    emails = _edit_contacts(
        current.emails,
        "address",
        add_email or [],
        remove_email or [],
        primary_email,
        "email",
        str.lower,
    )
    if emails is not None:
        changes["emails"] = emails
    phones = _edit_contacts(
        current.phones,
        "number",
        add_phone or [],
        remove_phone or [],
        primary_phone,
        "phone",
        _loose_phone,
    )
    if phones is not None:
        changes["phones"] = phones
    if any(v is not None for v in (street, unit, city, us_state, zip_code)):
        address = current.billing_address.model_dump()
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
        changes["billing_address"] = address
    if paperless is not None:
        changes["paperless"] = paperless
    if notify:
        prefs = current.notifications.model_dump()
        for item in notify:
            event, channel, on = _parse_notify(item)
            prefs[event][channel] = on
        changes["notifications"] = prefs
    if not changes:
        raise CliError("Nothing to change: pass at least one option (see --help).")
    from spectrum_cli.api.profile import STEP_UP_FIELDS, ProfilePatch

    ProfilePatch.model_validate(changes)  # bad input fails before the password is asked for
    if changes.keys() & STEP_UP_FIELDS:
        if password_stdin:
            secret = state.read_line("the password")
        else:
            secret = state.ask("Password (confirms this change)", "--password-stdin", secret=True)
        client.auth.reauthenticate(secret)
    updated = client.profile.update(_entity_tag(if_match) or current.etag, **changes)
    _show(state, updated)
    state.out.message("Profile updated.")


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
    state.out.message(result.message)
    state.out.message(revoked(result.revoked_sessions, result.revoked_tokens))
