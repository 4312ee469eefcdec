"""Where sign-in secrets live: SPECTRUM_TOKEN, then the OS keyring, then a private file.

The file is used only after an explicit `login --store file` or for a profile whose config
sets `store = "file"` (then the keyring is never used for it: not read, not written, not
probed), except for the embedded sandbox, whose throwaway sessions may fall back to it when
there is no keyring.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from spectrum_cli.fsutil import write_atomic

SERVICE = "spectrum-cli"
KEYRING_TIMEOUT = 3.0
Source = Literal["environment", "keyring", "file"]
TOKEN_ENV = "SPECTRUM_TOKEN"
# Every environment variable the CLI reads a secret from: child processes never inherit them.
SECRET_ENV_VARS = (TOKEN_ENV,)
T = TypeVar("T")


class CredentialError(Exception):
    """Credentials cannot be stored or read; the message says what to do instead."""


@dataclass
class Credential:
    """A session (access + refresh token) or a static API token, for one API URL."""

    api_url: str
    session: dict[str, Any] | None = None
    token: str | None = None
    source: Source = "file"

    def to_json(self) -> str:
        return json.dumps({"api_url": self.api_url, "session": self.session, "token": self.token})

    @classmethod
    def from_json(cls, text: str, source: Source) -> Credential:
        data = json.loads(text)
        return cls(
            api_url=data["api_url"],
            session=data.get("session"),
            token=data.get("token"),
            source=source,
        )


def _with_timeout(fn: Callable[[], T], what: str) -> T:
    """Run a keyring call in a thread so a hung Secret Service cannot hang a cron job."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="keyring", daemon=True)
    thread.start()
    thread.join(KEYRING_TIMEOUT)
    if thread.is_alive():
        raise CredentialError(
            f"The OS keyring did not answer within {KEYRING_TIMEOUT:.0f} s ({what})."
        )
    if error:
        raise CredentialError(f"The OS keyring failed ({what}): {error[0]}")
    return result[0]


class CredentialStore:
    def __init__(self, config_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env
        self.file = config_dir / "credentials.json"
        self._keyring_backend: Any = None
        self._keyring_checked = False
        self._configured: dict[str, str | None] = {}

    # The keyring

    def keyring_backend(self) -> Any:
        """The usable keyring backend, or None when there is none (fail/null backends)."""
        if not self._keyring_checked:
            self._keyring_checked = True

            def probe() -> Any:
                import keyring

                backend = keyring.get_keyring()
                names = {type(b).__module__ for b in getattr(backend, "backends", [backend])}
                if names <= {"keyring.backends.fail", "keyring.backends.null"}:
                    return None
                return backend

            try:
                self._keyring_backend = _with_timeout(probe, "looking for a backend")
            except CredentialError:
                self._keyring_backend = None
        return self._keyring_backend

    def configured_store(self, profile: str) -> str | None:
        """The profile's `store` setting in config.toml, if any."""
        from spectrum_cli.config import Config

        if profile not in self._configured:
            self._configured[profile] = Config.load(self.file.parent).get(profile, "store")
        return self._configured[profile]

    def _keyring_for(self, profile: str) -> Any:
        """The keyring backend for this profile's credentials: none when it uses the file."""
        if self.configured_store(profile) == "file":
            return None
        return self.keyring_backend()

    def keyring_name(self) -> str | None:
        backend = self.keyring_backend()
        return None if backend is None else f"{type(backend).__module__}.{type(backend).__name__}"

    # Reading

    def load(self, profile: str, api_url: str) -> Credential | None:
        """The credential for this profile and API, in precedence order, or None."""
        token = self.env.get(TOKEN_ENV)
        if token:
            return Credential(api_url=api_url, token=token, source="environment")
        backend = self._keyring_for(profile)
        if backend is not None:
            text = _with_timeout(lambda: backend.get_password(SERVICE, profile), "reading")
            if text:
                credential = Credential.from_json(text, "keyring")
                return credential if credential.api_url == api_url else None
        stored = self._read_file().get(profile)
        if stored and stored.get("api_url") == api_url:
            return Credential.from_json(json.dumps(stored), "file")
        return None

    # Writing

    def save(
        self, profile: str, credential: Credential, store: Literal["keyring", "file"]
    ) -> Credential:
        if store == "keyring":
            if self.configured_store(profile) == "file":
                raise CredentialError(
                    f"Profile {profile!r} keeps its credentials in {self.file} "
                    '(store = "file" in its config), not in the keyring.'
                )
            backend = self.keyring_backend()
            if backend is None:
                raise CredentialError("No OS keyring is available here (no Secret Service).")
            _with_timeout(
                lambda: backend.set_password(SERVICE, profile, credential.to_json()), "saving"
            )
            credential.source = "keyring"
            self._forget_file(profile)  # one place per profile
        else:
            data = self._read_file()
            data[profile] = json.loads(credential.to_json())
            self._write_file(data)
            credential.source = "file"
        return credential

    def forget(self, profile: str) -> list[Source]:
        """Remove the profile's credential from the keyring and the file; says where it was."""
        removed: list[Source] = []
        backend = self._keyring_for(profile)
        if backend is not None:

            def delete() -> bool:
                if backend.get_password(SERVICE, profile) is None:
                    return False
                backend.delete_password(SERVICE, profile)
                return True

            if _with_timeout(delete, "deleting"):
                removed.append("keyring")
        if self._forget_file(profile):
            removed.append("file")
        return removed

    # The file

    def _read_file(self) -> dict[str, Any]:
        try:
            st = self.file.stat()
        except FileNotFoundError:
            return {}
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CredentialError(
                f"{self.file} is readable by other users, so it is not used. "
                f"Run `chmod 600 {self.file}` if that is expected, or delete it."
            )
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CredentialError(
                f"{self.file} is damaged ({exc}); delete it and sign in again."
            ) from exc
        if not isinstance(data, dict):
            raise CredentialError(f"{self.file} is damaged; delete it and sign in again.")
        return data

    def _write_file(self, data: dict[str, Any]) -> None:
        write_atomic(self.file, (json.dumps(data, indent=2) + "\n").encode(), mode=0o600)

    def _forget_file(self, profile: str) -> bool:
        data = self._read_file()
        if profile not in data:
            return False
        del data[profile]
        if data:
            self._write_file(data)
        else:
            self.file.unlink()
        return True
