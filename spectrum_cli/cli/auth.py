"""`spectrum login`, `logout` and `auth status|token`."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.options import YesOption
from spectrum_cli.cli.output import keyed
from spectrum_cli.cli.status import ExitStatus

if TYPE_CHECKING:
    from spectrum_cli.api.auth import MfaChallenge, Session

app = new_app("Who is signed in, and scoped API tokens for cron and CI.")
token_app = new_app("Create, list and revoke scoped API tokens (for cron and CI).")
app.add_typer(token_app, name="token")


class Store(str, Enum):
    keyring = "keyring"
    file = "file"


class ScopeName(str, Enum):
    account_read = "account:read"
    billing_read = "billing:read"
    payments_write = "payments:write"
    autopay_write = "autopay:write"
    profile_write = "profile:write"
    support_write = "support:write"


def _choose_store(state: State, requested: Store | None) -> tuple[Store, str | None]:
    """--store, else the profile's `store` setting, else the keyring; the embedded sandbox may
    fall back to the file, with a notice to print once the session is kept there."""
    configured = state.credentials.configured_store(state.profile)
    if requested is Store.keyring and configured == Store.file.value:
        raise CliError(
            f'Profile {state.profile!r} keeps its credentials in a file (store = "file"), '
            "so --store keyring does not apply to it.",
            hint=f"To use the keyring: spectrum -p {state.profile} config unset store",
        )
    if requested is not None or configured is not None:
        return requested or Store(configured), None
    if state.credentials.keyring_backend() is not None:
        return Store.keyring, None
    if state.is_sandbox:
        return Store.file, (
            f"No OS keyring here; keeping the sandbox session in "
            f"{state.credentials.file} (mode 600)."
        )
    raise CliError(
        "No OS keyring is available to keep the session (no Secret Service / D-Bus).",
        status=ExitStatus.AUTH,
        hint="Pass --store file to keep it in a private file, or use SPECTRUM_TOKEN with a "
        "token from `spectrum auth token create`.",
    )


UsernameOption = Annotated[str | None, typer.Option(help="Username [default: the profile's].")]
PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]
CodeStdinOption = Annotated[
    bool,
    typer.Option(
        "--code-stdin",
        help="Read the second-factor code from the next line of standard input "
        "(it is read after the code is sent).",
    ),
]
StoreOption = Annotated[
    Store | None, typer.Option(help="Where to keep the session [default: keyring].")
]


def login(
    ctx: typer.Context,
    username: UsernameOption = None,
    password_stdin: PasswordStdinOption = False,
    code_stdin: CodeStdinOption = False,
    store: StoreOption = None,
) -> None:
    """Sign in and keep the session for the next commands.

    On a terminal it asks for what it needs. In scripts:

        printf '%s\\n' "$PASSWORD" | spectrum login --username harper --password-stdin
    """
    state = get_state(ctx)
    username = (
        username
        or state.config.get(state.profile, "username")
        or state.ask("Username", "--username")
    )
    password = (
        state.read_line("the password")
        if password_stdin
        else state.ask("Password", "--password-stdin", secret=True)
    )
    where, notice = _choose_store(state, store)  # before the request, so cron fails fast
    client = state.client(authenticated=False)
    result = client.auth.login(username, password)
    if result.mfa_required and result.challenge is not None:
        session = _second_factor(state, client, result.challenge, code_stdin)
    else:
        assert result.session is not None
        session = result.session
    _keep_session(state, session, where, notice)


def _second_factor(state: State, client: Any, challenge: MfaChallenge, code_stdin: bool) -> Session:
    """The session, once the code sent for ``challenge`` is given back."""
    state.out.message(
        f"A sign-in code was sent by {challenge.channel} to {challenge.destination_masked}."
    )
    code = (
        state.read_line("the sign-in code")
        if code_stdin
        else state.ask("Code", "--code-stdin", secret=True)
    )
    return client.auth.verify_code(challenge.challenge_id, code.strip())


def _keep_session(state: State, session: Session, where: Store, notice: str | None) -> None:
    from spectrum_cli.credentials import Credential

    saved = state.credentials.save(
        state.profile,
        Credential(api_url=state.api_url, session=session.model_dump(mode="json")),
        store=where.value,
    )
    _remember_profile(state)
    if notice:
        state.out.message(notice)
    state.out.message(
        f"Signed in as {session.username} ({session.role}); session kept in the {saved.source}."
    )
    if state.env.get("SPECTRUM_TOKEN"):
        state.out.warn(
            f"SPECTRUM_TOKEN is set, and it wins over this session: other commands act as the "
            f"token's user, not {session.username}, until it is unset (unset SPECTRUM_TOKEN)."
        )
    signed_in = {
        "result": "signed_in",
        "profile": state.profile,
        "username": session.username,
        "role": session.role,
        "api_url": state.api_url,
        "store": saved.source,
        "expires_at": session.refresh_expires_at,  # when the kept session ends
    }
    state.out.show(signed_in, render=_said_on_stderr)


def _said_on_stderr(result: Any) -> Any:
    """A sign-in or sign-out result for people: the lines on stderr said it all."""
    return None


def _remember_profile(state: State) -> None:
    """A profile signed in to is in config.toml, for `config list`, completion and `doctor`:
    a new one is added with its API URL, unless that is the built-in sandbox (the default)."""
    values = {} if state.is_sandbox else {"api_url": state.api_url}
    if state.config.add_profile(state.profile, **values):
        state.config.save()


def logout(ctx: typer.Context) -> None:
    """End the session on the server and forget it here."""
    state = get_state(ctx)
    credential = state.credential()
    if credential is None:
        state.out.nothing("Not signed in; nothing to do.", profile=state.profile)
        return
    if credential.source == "environment":
        raise CliError(
            "The credential comes from SPECTRUM_TOKEN; unset it to sign out, or "
            "revoke it with `spectrum auth token revoke`.",
            status=ExitStatus.USAGE,
        )
    from spectrum_cli.client import AuthenticationError

    ended = True
    try:
        state.client().auth.logout()
    except AuthenticationError:
        ended = False  # already ended on the server; forget it locally all the same
    state.credentials.forget(state.profile)
    state.out.message("Signed out.")
    signed_out = {
        "result": "signed_out",
        "profile": state.profile,
        "username": (credential.session or {}).get("username"),
        "api_url": state.api_url,
        "ended_on_server": ended,
    }
    state.out.show(signed_out, render=_said_on_stderr)


@app.command()
def status(ctx: typer.Context) -> None:
    """Who is signed in, to which API, until when, and where the credential comes from.

    Exits 3 when nobody is signed in.
    """
    state = get_state(ctx)
    credential = state.credential()
    if credential is None:
        raise CliError(
            "Not signed in.",
            status=ExitStatus.AUTH,
            hint="Run `spectrum login`, or set SPECTRUM_TOKEN.",
        )
    who = state.client().auth.whoami()
    where: dict[str, Any] = {
        "environment": "SPECTRUM_TOKEN",
        "keyring": state.credentials.keyring_name(),
        "file": str(state.credentials.file),
    }
    report = {
        "signed_in": True,
        "username": who.username,
        "role": who.role,
        "account_number_masked": who.account_number_masked,
        "api_url": state.api_url,
        "profile": state.profile,
        "token_kind": who.token_kind,
        "scopes": who.scopes,
        "expires_at": who.expires_at,
        "credential_source": credential.source,
        "credential_location": where[credential.source],
    }
    refresh_expires_at = (credential.session or {}).get("refresh_expires_at")
    if refresh_expires_at and who.token_kind == "session":
        import datetime as dt

        report["expires_at"] = dt.datetime.fromisoformat(refresh_expires_at)
    state.out.show(report, keyed(*report))


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="A name to recognise it by, e.g. `cron-payments`.")],
    scope: Annotated[
        list[ScopeName], typer.Option(help="A scope it gets; repeat for more.", show_default=False)
    ],
    expires_in_days: Annotated[int, typer.Option(min=1, max=366, help="Lifetime in days.")] = 90,
) -> None:
    """Create a scoped API token. The secret is printed once: store it now.

    For a CI job, as an environment variable:

        export SPECTRUM_TOKEN=$(spectrum auth token create --name ci --scope billing:read -o json | jq -r .token)
    """
    state = get_state(ctx)
    created = state.client().auth.create_token(
        name,
        [s.value for s in scope],
        expires_in_days,
    )
    state.out.show(
        created,
        [
            ("id", lambda t: t.id),
            ("name", lambda t: t.name),
            ("scopes", lambda t: t.scopes),
            ("expires_at", lambda t: t.expires_at),
            ("token", lambda t: t.token),
        ],
    )
    state.out.message("This is the only time the token is shown.")


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """List the API tokens of the signed-in user (never their secrets)."""
    state = get_state(ctx)
    tokens = state.client().auth.list_tokens()
    state.out.show(
        tokens,
        [
            ("id", lambda t: t.id),
            ("name", lambda t: t.name),
            ("scopes", lambda t: t.scopes),
            ("expires_at", lambda t: t.expires_at),
            ("last_used_at", lambda t: t.last_used_at),
        ],
    )


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[
        str, typer.Argument(help="The token's id (tok_...), from `auth token list`.")
    ],
    yes: YesOption = False,
) -> None:
    """Revoke an API token at once: whatever uses it stops working."""
    from spectrum_cli.client.resources._paths import check_id

    state = get_state(ctx)
    check_id("token_id", token_id)  # a bad id is refused before the question
    if not yes:
        state.confirm(f"Revoke API token {token_id}? Whatever uses it stops working.")
    state.client().auth.revoke_token(token_id)
    state.out.message(f"API token {token_id} is revoked.")
