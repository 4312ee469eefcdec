from __future__ import annotations

from typing import Any

from spectrum_cli.api import routes
from spectrum_cli.api.common import PasswordChanged
from spectrum_cli.api.profile import PasswordChange, Profile, ProfilePatch
from spectrum_cli.client.resources._base import Resource


class ProfileResource(Resource):
    def get(self) -> Profile:
        return self._get(routes.PROFILE, Profile)

    def update(self, etag: str, **changes: Any) -> Profile:
        """Change some fields, based on the profile read with ``etag``. A change made since
        then makes the server refuse (ConflictError, code ``profile_changed``)."""
        body = ProfilePatch(**changes)
        return self._send("PATCH", routes.PROFILE, Profile, body, headers={"If-Match": etag})

    def change_password(self, current_password: str, new_password: str) -> PasswordChanged:
        return self._send(
            "POST",
            routes.PROFILE_PASSWORD,
            PasswordChanged,
            PasswordChange(current_password=current_password, new_password=new_password),
        )
