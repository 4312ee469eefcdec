from __future__ import annotations

from spectrum_cli.api import routes
from spectrum_cli.api.auth import (
    ApiTokenCreate,
    ApiTokenList,
    CreatedApiToken,
    LoginRequest,
    LoginResponse,
    MfaRequest,
    Reauthenticated,
    ReauthRequest,
    RefreshRequest,
    Scope,
    Session,
    WhoAmI,
)
from spectrum_cli.client.resources._base import Resource
from spectrum_cli.client.resources._paths import path


class AuthResource(Resource):
    def login(self, username: str, password: str) -> LoginResponse:
        """Sign in. When ``mfa_required``, answer ``challenge`` with :meth:`verify_code`."""
        result = self._send(
            "POST",
            routes.LOGIN,
            LoginResponse,
            LoginRequest(username=username, password=password),
            authenticated=False,
        )
        if result.session is not None:
            self._client.set_session(result.session)
        return result

    def reauthenticate(self, password: str) -> Reauthenticated:
        """Confirm the password of this session (step-up); for five minutes it may then change
        the account's contacts and address."""
        return self._send("POST", routes.REAUTH, Reauthenticated, ReauthRequest(password=password))

    def verify_code(self, challenge_id: str, code: str) -> Session:
        session = self._send(
            "POST",
            routes.MFA,
            Session,
            MfaRequest(challenge_id=challenge_id, code=code),
            authenticated=False,
        )
        self._client.set_session(session)
        return session

    def refresh(self) -> Session:
        """Trade the refresh token for a new pair; the old refresh token stops working."""
        current = self._client.session
        if current is None:
            raise ValueError("no session to refresh; sign in first")
        session = self._send(
            "POST",
            routes.REFRESH,
            Session,
            RefreshRequest(refresh_token=current.refresh_token),
            authenticated=False,
        )
        self._client.set_session(session)
        return session

    def logout(self) -> None:
        """End the session on the server; the client forgets it too."""
        self._send_no_content("POST", routes.LOGOUT)
        self._client.set_session(None)

    def whoami(self) -> WhoAmI:
        return self._get(routes.WHOAMI, WhoAmI)

    def list_tokens(self) -> ApiTokenList:
        return self._get(routes.TOKENS, ApiTokenList)

    def create_token(
        self, name: str, scopes: list[Scope], expires_in_days: int = 90
    ) -> CreatedApiToken:
        return self._send(
            "POST",
            routes.TOKENS,
            CreatedApiToken,
            ApiTokenCreate(name=name, scopes=scopes, expires_in_days=expires_in_days),
        )

    def revoke_token(self, token_id: str) -> None:
        self._send_no_content("DELETE", path(routes.TOKEN, token_id=token_id))
