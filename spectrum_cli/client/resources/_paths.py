"""The one way a resource puts an id into a path: checked against its shape, then encoded."""

from __future__ import annotations

import re
import string
from functools import cache
from urllib.parse import quote

from spectrum_cli.api import routes
from spectrum_cli.client._exceptions import InvalidIdError


@cache
def _shape(placeholder: str) -> re.Pattern[str]:
    return re.compile(routes.ID_SHAPES[placeholder][1])


def check_id(placeholder: str, value: str) -> None:
    """Raise InvalidIdError unless ``value`` is the shape of a ``placeholder`` id (so a command
    can refuse a bad id before it asks for confirmation)."""
    if not isinstance(value, str) or _shape(placeholder).fullmatch(value) is None:
        raise InvalidIdError(routes.ID_SHAPES[placeholder][0], value)


def path(template: str, **ids: str) -> str:
    """``template`` with each ``{placeholder}`` filled by its id.

    An id that is not its resource's shape (a slash, dot segment, `?`, `#`, whitespace, a
    control character, an empty or overlong string...) raises InvalidIdError before any request
    is made, so an id can never reach a different route than the one named.
    """
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if names != set(ids):
        raise TypeError(f"{template} takes {sorted(names)}, got {sorted(ids)}")
    for name, value in ids.items():
        check_id(name, value)
    # The shapes already exclude every reserved character; quoting keeps that true if a
    # shape is ever loosened.
    return template.format(**{name: quote(value, safe="") for name, value in ids.items()})
