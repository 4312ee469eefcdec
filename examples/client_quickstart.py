#!/usr/bin/env python3
"""Use the Python client on its own: sign in (second factor from the sandbox outbox), read the
dashboard, refresh the session, and mint and revoke a scoped token.

    spectrum sandbox serve --port 8765 &    # prints the sandbox admin key
    SPECTRUM_SANDBOX_KEY=sbx_... python examples/client_quickstart.py http://127.0.0.1:8765
"""

from __future__ import annotations

import os
import sys

from spectrum_cli.client import SpectrumClient


def main(base_url: str) -> None:
    # The admin key opens the sandbox's control routes: persona passwords and the outbox.
    with SpectrumClient(base_url, sandbox_key=os.environ["SPECTRUM_SANDBOX_KEY"]) as client:
        persona = next(p for p in client.sandbox.personas().data if p.second_factor)
        result = client.auth.login(persona.username, persona.password or "")
        if result.mfa_required and result.challenge is not None:
            code = client.sandbox.outbox(limit=1).data[0].code  # the texted code, in test mode
            client.auth.verify_code(result.challenge.challenge_id, code or "")
        summary = client.account.summary()
        print(
            f"signed in as {persona.username}: {summary.account_number_masked}, "
            f"balance ${summary.balance_cents / 100:,.2f}"
        )
        before = client.session.refresh_token if client.session else ""
        client.auth.refresh()
        rotated = client.session is not None and client.session.refresh_token != before
        print(f"refreshed: rotated={rotated}")
        token = client.auth.create_token("quickstart", ["account:read"], expires_in_days=1)
        with SpectrumClient(base_url, token=token.token) as bot:
            print(f"token {token.id} reads: {bot.account.summary().holder_name}")
        client.auth.revoke_token(token.id)
        print(f"revoked {token.id}; tokens left: {len(client.auth.list_tokens().data)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765")
