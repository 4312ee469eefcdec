from __future__ import annotations

from spectrum_cli.api import routes
from spectrum_cli.api.common import PasswordChanged
from spectrum_cli.api.recovery import (
    PasswordRecoveryRequest,
    PasswordResetConfirm,
    RecoveryAccepted,
    UsernameRecoveryRequest,
)
from spectrum_cli.client.resources._base import Resource


class RecoveryResource(Resource):
    def username(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        account_number: str | None = None,
        security_code: str | None = None,
    ) -> RecoveryAccepted:
        """Have the usernames sent to the contact on file. The answer never says if it matched."""
        body = UsernameRecoveryRequest(
            email=email, phone=phone, account_number=account_number, security_code=security_code
        )
        return self._send(
            "POST", routes.RECOVER_USERNAME, RecoveryAccepted, body, authenticated=False
        )

    def request_password_reset(self, username: str) -> RecoveryAccepted:
        return self._send(
            "POST",
            routes.RECOVER_PASSWORD,
            RecoveryAccepted,
            PasswordRecoveryRequest(username=username),
            authenticated=False,
        )

    def confirm_password_reset(
        self, username: str, code: str, new_password: str
    ) -> PasswordChanged:
        body = PasswordResetConfirm(username=username, code=code, new_password=new_password)
        return self._send(
            "POST", routes.RECOVER_PASSWORD_CONFIRM, PasswordChanged, body, authenticated=False
        )
