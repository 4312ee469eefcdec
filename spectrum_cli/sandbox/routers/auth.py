"""Sign-in with an optional second factor, refresh with rotation, logout and API tokens."""

from __future__ import annotations

import datetime as dt

from fastapi import Request, Response

from spectrum_cli.api import routes
from spectrum_cli.api.auth import (
    ApiToken,
    ApiTokenCreate,
    ApiTokenList,
    CreatedApiToken,
    LoginRequest,
    LoginResponse,
    MfaChallenge,
    MfaRequest,
    Reauthenticated,
    ReauthRequest,
    RefreshRequest,
    Session,
    WhoAmI,
)
from spectrum_cli.sandbox import access, codes, throttle
from spectrum_cli.sandbox.deps import DbDep, KeysDep, NowDep, PrincipalDep, SessionPrincipal
from spectrum_cli.sandbox.errors import not_found
from spectrum_cli.sandbox.passwords import confirm_current_password
from spectrum_cli.sandbox.principals import issue_api_token, issue_session, unauthenticated
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import (
    DUMMY_HASH,
    hash_token,
    mask_account_number,
    mask_destination,
    verify_password,
)
from spectrum_cli.sandbox.store import accounts as accounts_store
from spectrum_cli.sandbox.store import auth as auth_store
from spectrum_cli.sandbox.store import users as users_store

router = new_router(tags=["auth"])

CODE_REQUESTS_REFUSED = "Too many sign-in codes were asked for; try again later."
WRONG_CODES_REFUSED = "Too many wrong codes; try again later."


@router.post(routes.LOGIN, response_model=LoginResponse)
def login(
    body: LoginRequest, request: Request, db: DbDep, keys: KeysDep, now: NowDep
) -> LoginResponse:
    subject = throttle.username_key(keys, body.username)
    # The check is reserved before the password is hashed, in the transaction that reads the
    # user, so concurrent guesses cannot outrun the lock.
    with db.write() as conn:
        throttle.reserve_sign_in(conn, subject=subject, now=now)
        user = users_store.user_by_username(conn, username=body.username)
    # Unknown usernames still pay for a hash, so timing does not tell them apart.
    ok = verify_password(body.password, user.password_hash if user else DUMMY_HASH)
    if not (user and ok):
        with db.write() as conn:
            throttle.sign_in_failed(conn, subject=subject, now=now)
        raise unauthenticated("invalid_credentials", "The username or password is incorrect.")
    with db.write() as conn:
        throttle.sign_in_succeeded(conn, subject=subject)
        channel = user.mfa_channel
        if not channel:
            return LoginResponse(
                mfa_required=False, session=issue_session(conn, user=user, now=now)
            )
        wait = throttle.take_code_request(
            conn,
            user=subject,
            client=throttle.client_key(keys, request),
            now=now,
        )
        if wait is None:
            challenge_id, destination = codes.send(
                conn, keys, purpose="mfa", user=user, channel=channel, now=now
            )
    if wait is not None:
        raise throttle.rate_limited(wait, CODE_REQUESTS_REFUSED)
    return LoginResponse(
        mfa_required=True,
        challenge=MfaChallenge(
            challenge_id=challenge_id,
            channel=channel,
            destination_masked=mask_destination(channel, destination),
            expires_at=now + codes.TTL["mfa"],
        ),
    )


@router.post(routes.MFA, response_model=Session)
def verify_second_factor(
    body: MfaRequest, request: Request, db: DbDep, keys: KeysDep, now: NowDep
) -> Session:
    client = throttle.client_key(keys, request)
    with db.write() as conn:
        row = auth_store.challenge_by_id(conn, challenge_id=body.challenge_id, purpose="mfa")
        if (
            row is None
            or row.used_at
            or row.attempts >= throttle.CODE_ATTEMPTS
            or row.expires_at <= now
        ):
            raise unauthenticated(
                "challenge_expired", "The sign-in code has expired or was used; sign in again."
            )
        user = users_store.user_by_id(conn, user_id=row.user_id)
        user_key = throttle.username_key(keys, user.username)
        wait = throttle.code_guess_wait(conn, user=user_key, client=client, now=now)
        if wait is not None:
            raise throttle.rate_limited(wait, WRONG_CODES_REFUSED)
        if not codes.matches(keys, row, body.code):
            auth_store.count_wrong_code(conn, challenge_id=row.id)
            throttle.record_wrong_code(conn, user=user_key, client=client, now=now)
            # Commit the attempt, then answer 401.
            error = unauthenticated("invalid_code", "The sign-in code is incorrect.")
        else:
            auth_store.use_challenge(conn, challenge_id=row.id, now=now)
            return issue_session(conn, user=user, now=now)
    raise error


@router.post(routes.REFRESH, response_model=Session)
def refresh(body: RefreshRequest, db: DbDep, now: NowDep) -> Session:
    with db.write() as conn:
        row = auth_store.token_by_hash(
            conn, token_hash=hash_token(body.refresh_token), kinds=("refresh",)
        )
        if row is None or row.revoked_at or row.family_id is None:
            raise unauthenticated(
                "invalid_refresh_token", "The refresh token is not valid; sign in again."
            )
        if row.used_at:
            # A refresh token used twice means it leaked: end every session of its family.
            auth_store.revoke_family(conn, family_id=row.family_id, now=now)
            error = unauthenticated(
                "refresh_token_reused", "The refresh token was already used; sign in again."
            )
        elif row.expires_at <= now:
            raise unauthenticated(
                "refresh_token_expired", "The session has expired; sign in again."
            )
        else:
            auth_store.use_refresh_token(conn, token=row, now=now)
            user = users_store.user_by_id(conn, user_id=row.user_id)
            return issue_session(conn, user=user, now=now, family_id=row.family_id)
    raise error


@router.post(routes.LOGOUT, status_code=204, response_class=Response)
def logout(principal: SessionPrincipal, db: DbDep, now: NowDep) -> Response:
    with db.write() as conn:
        assert principal.family_id is not None
        auth_store.revoke_family(conn, family_id=principal.family_id, now=now)
    return Response(status_code=204)


@router.get(routes.WHOAMI, response_model=WhoAmI)
def whoami(principal: PrincipalDep, db: DbDep) -> WhoAmI:
    with db.read() as conn:
        number = accounts_store.get_account(conn, account_id=principal.account_id).number
    return WhoAmI(
        username=principal.username,
        role=principal.role,  # type: ignore[arg-type]
        account_number_masked=mask_account_number(number),
        token_kind=principal.token_kind,  # type: ignore[arg-type]
        token_id=principal.token_id if principal.token_kind == "api_token" else None,
        scopes=list(principal.scopes),  # type: ignore[arg-type]
        expires_at=principal.expires_at,
    )


def _api_token(token: auth_store.Token) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "scopes": list(token.scopes),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
    }


@router.get(routes.TOKENS, response_model=ApiTokenList)
def list_tokens(principal: SessionPrincipal, db: DbDep) -> ApiTokenList:
    with db.read() as conn:
        rows = auth_store.live_api_tokens(conn, user_id=principal.user_id)
    return ApiTokenList(data=[ApiToken(**_api_token(r)) for r in rows])  # type: ignore[arg-type]


@router.post(routes.TOKENS, response_model=CreatedApiToken, status_code=201)
def create_token(
    body: ApiTokenCreate, principal: SessionPrincipal, db: DbDep, now: NowDep
) -> CreatedApiToken:
    scopes = tuple(dict.fromkeys(body.scopes))
    with db.write() as conn:
        secret, token_id, _ = issue_api_token(
            conn,
            user_id=principal.user_id,
            name=body.name,
            scopes=scopes,
            now=now,
            ttl=dt.timedelta(days=body.expires_in_days),
        )
        row = auth_store.token_by_id(conn, token_id=token_id)
    return CreatedApiToken(**_api_token(row), token=secret)  # type: ignore[arg-type]


@router.delete(routes.TOKEN, status_code=204, response_class=Response)
def revoke_token(token_id: str, principal: SessionPrincipal, db: DbDep, now: NowDep) -> Response:
    with db.write() as conn:
        # a revoked token stays as it was: revoking it again is nothing to do
        revoked = auth_store.revoke_api_token(
            conn, token_id=token_id, user_id=principal.user_id, now=now
        )
    if not revoked:
        raise not_found("API token", param="token_id")
    return Response(status_code=204)


@router.post(routes.REAUTH, response_model=Reauthenticated)
def reauthenticate(
    body: ReauthRequest, principal: SessionPrincipal, db: DbDep, keys: KeysDep, now: NowDep
) -> Reauthenticated:
    """Confirm the password of this session (step-up): for five minutes it may then change the
    account's contacts and address."""
    confirm_current_password(
        db, keys, principal=principal, password=body.password, param="password", now=now
    )
    with db.write() as conn:
        valid_until = access.record_reauthentication(conn, principal=principal, now=now)
    return Reauthenticated(valid_until=valid_until)
