"""The one place that reads and writes `config.toml`: `[profiles.NAME]` tables."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spectrum_cli.fsutil import write_atomic

SANDBOX = "sandbox"  # api_url of the embedded sandbox
DEFAULT_PROFILE = "default"
OUTPUTS = ("table", "json", "csv", "text")
KEYS = {
    "api_url": "Account API base URL, or `sandbox` for the built-in sandbox.",
    "username": "Username offered by `spectrum login`.",
    "output": "Default output format: table, json, csv or text.",
    "store": "Where the profile's credentials are kept: keyring (the default) or file "
    "(a private file, for machines without a keyring; the keyring is then never used).",
}
STORES = ("keyring", "file")
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SEVERAL_PROFILES = re.compile(r"[*?\[\],]")  # a pattern or a list of names


class ConfigError(Exception):
    """A config file or value that cannot be used; the message names the file and the fix."""


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("SPECTRUM_CONFIG_DIR"):
        return Path(env["SPECTRUM_CONFIG_DIR"])
    import platformdirs

    return platformdirs.user_config_path("spectrum-cli")


def check_profile_name(name: str) -> str:
    if not _PROFILE_NAME.match(name):
        raise ConfigError(f"Profile name {name!r} is not valid: use letters, digits, - and _.")
    return name


def check_selected_profile(name: str) -> str:
    """The profile chosen with --profile or SPECTRUM_PROFILE: one name. A pattern or a list
    would run the command in several profiles, which is not supported yet."""
    if _SEVERAL_PROFILES.search(name):
        raise ConfigError(
            f"Profile {name!r} names several profiles: running a command across profiles is "
            "not supported yet; name one (`spectrum config list` shows them)."
        )
    return check_profile_name(name)


def check_value(key: str, value: str) -> str:
    if key not in KEYS:
        raise ConfigError(f"Unknown config key {key!r}; known keys: {', '.join(KEYS)}.")
    if key == "output" and value not in OUTPUTS:
        raise ConfigError(f"output must be one of {', '.join(OUTPUTS)}, not {value!r}.")
    if key == "store" and value not in STORES:
        raise ConfigError(f"store must be one of {', '.join(STORES)}, not {value!r}.")
    if key == "api_url" and value != SANDBOX and not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(f"api_url must be `sandbox` or an http(s) URL, not {value!r}.")
    return value


@dataclass
class Config:
    path: Path
    profiles: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> Config:
        path = directory / "config.toml"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read {path}: {exc}") from exc
        import tomllib

        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}. Fix or delete the file.") from exc
        profiles = raw.get("profiles", {})
        if not isinstance(profiles, dict):
            raise ConfigError(f"{path}: `profiles` must be a table of [profiles.NAME] tables.")
        checked: dict[str, dict[str, str]] = {}
        for name, values in profiles.items():
            if not isinstance(values, dict):
                raise ConfigError(f"{path}: [profiles.{name}] must be a table.")
            try:
                check_profile_name(name)
                checked[name] = {}
                for key, value in values.items():
                    if not isinstance(value, str):
                        raise ConfigError(f"{key} must be a string")
                    checked[name][key] = check_value(key, value)
            except ConfigError as exc:
                raise ConfigError(f"{path}: in [profiles.{name}]: {exc}") from exc
        return cls(path, checked)

    def get(self, profile: str, key: str) -> str | None:
        return self.profiles.get(profile, {}).get(key)

    def set(self, profile: str, key: str, value: str) -> None:
        check_profile_name(profile)
        self.profiles.setdefault(profile, {})[key] = check_value(key, value)

    def add_profile(self, profile: str, **values: str) -> bool:
        """Add ``profile`` with ``values`` unless it is already here; True when added."""
        if profile in self.profiles:
            return False
        self.profiles[check_profile_name(profile)] = {}
        for key, value in values.items():
            self.set(profile, key, value)
        return True

    def unset(self, profile: str, key: str) -> bool:
        return self.profiles.get(profile, {}).pop(key, None) is not None

    def dumps(self) -> str:
        lines = ["# spectrum-cli configuration: `spectrum config set KEY VALUE` edits it.", ""]
        for name in sorted(self.profiles):
            lines.append(f"[profiles.{name}]")
            for key in sorted(self.profiles[name]):
                # A JSON string is a valid TOML basic string.
                lines.append(f"{key} = {json.dumps(self.profiles[name][key])}")
            lines.append("")
        return "\n".join(lines)

    def save(self) -> None:
        write_atomic(self.path, self.dumps().encode("utf-8"), mode=0o600)
