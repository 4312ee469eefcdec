"""`spectrum recover username|password`: get back into an account."""

from __future__ import annotations

from typing import Annotated

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import get_state
from spectrum_cli.cli.errors import CliError, NeedsInput
from spectrum_cli.cli.output import revoked
from spectrum_cli.cli.parsing import digits_only

app = new_app("Recover a lost username or reset a forgotten password.")


@app.command()
def username(
    ctx: typer.Context,
    email: Annotated[str | None, typer.Option(help="An email address on the account.")] = None,
    phone: Annotated[str | None, typer.Option(help="A phone number on the account.")] = None,
    account: Annotated[
        bool,
        typer.Option(
            "--account",
            help="Use the account number and its 4-digit security code (asked for, "
            "or two lines on stdin with --account-stdin).",
        ),
    ] = False,
    account_stdin: Annotated[
        bool,
        typer.Option(
            "--account-stdin", help="Read the account number, then the security code, from stdin."
        ),
    ] = False,
) -> None:
    """Have the account's usernames sent to the contact on file.

    The answer is the same whether or not anything matched, so it reveals nothing.
    """
    state = get_state(ctx)
    by_account = account or account_stdin
    given = sum(bool(x) for x in (email, phone, by_account))
    if given != 1:
        raise CliError(
            "Give one of --email, --phone or --account."
            if given == 0
            else "Give only one of --email, --phone or --account, not several."
        )
    number = code = None
    if by_account:
        if account_stdin:
            number, code = (
                state.read_line("the account number"),
                state.read_line("the security code"),
            )
        else:
            number = state.ask("Account number (16 digits)", "--account-stdin", secret=True)
            code = state.ask("Security code (4 digits)", "--account-stdin", secret=True)
        from spectrum_cli.api.validation import is_digits

        number = digits_only(number, what="account number")
        if len(number) != 16:
            raise CliError("The account number has 16 digits.")
        if not (is_digits(code) and len(code) == 4):
            raise CliError("The security code has 4 digits.")
    result = state.client(authenticated=False).recovery.username(
        email=email, phone=phone, account_number=number, security_code=code
    )
    state.out.message(result.message)


@app.command()
def password(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Option(help="The username to reset.")] = None,
    code_stdin: Annotated[
        bool,
        typer.Option(
            "--code-stdin",
            help="Read the reset code from the first line of stdin (read after the code is sent).",
        ),
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the new password from the next line of stdin."),
    ] = False,
) -> None:
    """Reset a password with a code sent to the contact on file.

    Asks for the code and the new password on a terminal. In scripts pass --code-stdin and
    --password-stdin, and write the code, then the new password, as two lines.
    """
    state = get_state(ctx)
    username = (
        username
        or state.config.get(state.profile, "username")
        or state.ask("Username", "--username")
    )
    # Refuse before sending anything if the rest cannot be asked for.
    if not state.interactive and not (code_stdin and password_stdin):
        missing = [
            f
            for f, given in (("--code-stdin", code_stdin), ("--password-stdin", password_stdin))
            if not given
        ]
        raise NeedsInput("The reset code and the new password", " and ".join(missing), plural=True)
    client = state.client(authenticated=False)
    state.out.message(client.recovery.request_password_reset(username).message)
    code = (
        state.read_line("the reset code")
        if code_stdin
        else state.ask("Reset code", "--code-stdin", secret=True)
    )
    if password_stdin:
        new_password = state.read_line("the new password")
    else:
        new_password = state.ask("New password", "--password-stdin", secret=True)
        if state.ask("Repeat the new password", "--password-stdin", secret=True) != new_password:
            raise CliError("The two passwords differ; nothing was changed.")
    result = client.recovery.confirm_password_reset(username, code.strip(), new_password)
    state.out.message(result.message)
    state.out.message(revoked(result.revoked_sessions, result.revoked_tokens))
