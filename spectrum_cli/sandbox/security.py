"""Password hashing, token minting and the password rules."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# scrypt work factor: about 30 ms a hash on a laptop core. Tests may lower it.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1

PASSWORD_HISTORY = 5

# Each scrypt holds 128 * r * n bytes (16 MiB here): bound how many run at once, so a burst of
# sign-ins waits its turn instead of taking the server's memory.
SCRYPT_SLOTS = 3


class HashGate:
    """A process-wide limit on concurrent hashes that remembers the most it has let in."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._slots = threading.BoundedSemaphore(slots)
        self._count = threading.Lock()
        self.running = 0
        self.peak = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            with self._count:
                self.running += 1
                self.peak = max(self.peak, self.running)
            try:
                yield
            finally:
                with self._count:
                    self.running -= 1


SCRYPT_GATE = HashGate(SCRYPT_SLOTS)


def _scrypt(password: str, salt: bytes, n: int) -> bytes:
    with SCRYPT_GATE.slot():
        return hashlib.scrypt(password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=32)


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${n}${salt.hex()}${_scrypt(password, salt, n).hex()}"


def verify_password(password: str, stored: str) -> bool:
    _, n, salt, digest = stored.split("$")
    candidate = _scrypt(password, bytes.fromhex(salt), int(n))
    return hmac.compare_digest(candidate.hex(), digest)


# Verified against when a username is unknown, so both answers cost the same time.
DUMMY_HASH = hash_password("not-a-real-password-0")


def new_secret(prefix: str) -> str:
    """A bearer secret. The prefix lets log redaction and secret scanners recognise it."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; a slow KDF protects passwords.
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def password_problems(password: str) -> list[str]:
    """The rules a new password breaks, in words a person can act on."""
    problems = []
    if not 8 <= len(password) <= 20:
        problems.append("be 8 to 20 characters long")
    if not any(c.isupper() for c in password):
        problems.append("contain an upper-case letter")
    if not any(c.islower() for c in password):
        problems.append("contain a lower-case letter")
    if not any(c.isdigit() for c in password):
        problems.append("contain a digit")
    if any(c in "/\\'\"" for c in password):
        problems.append("not contain a slash or a quote")
    return problems


def mask_account_number(number: str) -> str:
    return f"•••• •••• •••• {number[-4:]}"


def mask_destination(channel: str, value: str) -> str:
    if channel == "email":
        name, _, domain = value.partition("@")
        return f"{name[:1]}•••@{domain}"
    digits = "".join(c for c in value if c.isdigit())
    return f"•••-•••-{digits[-4:]}"
