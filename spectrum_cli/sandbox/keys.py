"""The server's keys, kept in a 0600 file beside the store and never inside it.

A copy of the store alone then gives back no secret: fingerprints, codes and unknown usernames
are keyed hashes under `hmac`, and the control plane needs `admin`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from spectrum_cli.fsutil import restrict_to_owner, write_atomic
from spectrum_cli.sandbox.problems import StoreError


@dataclass(frozen=True)
class ServerKeys:
    admin: str  # the sandbox admin key: a bearer secret for /v1/sandbox/*
    hmac: bytes  # keys the hashes of fingerprints, one-time codes and unknown usernames

    def digest(self, purpose: str, value: str | bytes) -> str:
        """A keyed hash of ``value``; ``purpose`` keeps hashes of different things apart."""
        data = value.encode() if isinstance(value, str) else value
        return hmac.new(self.hmac, purpose.encode() + b"\0" + data, hashlib.sha256).hexdigest()


def key_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.keys")


def load_or_create(db_path: str | Path) -> ServerKeys:
    """Read the store's key file, making it (0600, atomically) the first time."""
    path = key_path(db_path)
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    fresh = {"admin": f"sbx_{secrets.token_urlsafe(32)}", "hmac": secrets.token_hex(32)}
    staged = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    write_atomic(staged, json.dumps(fresh).encode())
    try:
        os.link(staged, path)  # fails if another process made it first: theirs wins
    except FileExistsError:
        pass
    finally:
        staged.unlink()
    return _read(path)


def read_admin_key(db_path: str | Path) -> str | None:
    """The admin key of a store on this machine, or None when it has none yet."""
    try:
        return _read(key_path(db_path)).admin
    except FileNotFoundError:
        return None


def _read(path: Path) -> ServerKeys:
    """The keys in ``path``; FileNotFoundError when there is none, StoreError when it cannot
    be read or is not a key file."""
    try:
        restrict_to_owner(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        admin, key = data["admin"], bytes.fromhex(data["hmac"])
        if not isinstance(admin, str) or not admin or not key:
            raise ValueError("an empty key")
    except FileNotFoundError:
        raise
    except OSError as exc:
        problem = f"cannot be read ({os.strerror(exc.errno or 0)})"
        raise StoreError(path, problem, what="sandbox key file") from None
    except (ValueError, KeyError, TypeError) as exc:
        problem = f"is damaged ({_why(exc)})"
        raise StoreError(path, problem, what="sandbox key file") from None
    return ServerKeys(admin=admin, hmac=key)


def _why(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError | json.JSONDecodeError):
        return "not JSON text"
    if isinstance(exc, KeyError | TypeError):
        return "an entry is missing"
    return "a key is not valid"
