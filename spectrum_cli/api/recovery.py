"""Lost username and password recovery. Answers never reveal whether an identity exists."""

from __future__ import annotations

from pydantic import Field, model_validator

from spectrum_cli.api.common import Request, Resource


class UsernameRecoveryRequest(Request):
    """Give an email or phone on file, or the account number with its 4-digit security code."""

    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    account_number: str | None = Field(default=None, pattern=r"^[0-9]{16}$", repr=False)
    security_code: str | None = Field(default=None, pattern=r"^[0-9]{4}$", repr=False)

    @model_validator(mode="after")
    def _one_identity(self) -> UsernameRecoveryRequest:
        given = [x for x in (self.email, self.phone, self.account_number) if x]
        if len(given) != 1:
            raise ValueError("give exactly one of email, phone or account_number")
        if self.account_number and not self.security_code:
            raise ValueError("account_number needs its security_code")
        return self


class PasswordRecoveryRequest(Request):
    username: str = Field(min_length=1, max_length=254)


class PasswordResetConfirm(Request):
    username: str = Field(min_length=1, max_length=254)
    code: str = Field(pattern=r"^[0-9]{6}$", repr=False)
    new_password: str = Field(min_length=1, max_length=128, repr=False)


class RecoveryAccepted(Resource):
    """The same answer whether or not the identity exists."""

    message: str
