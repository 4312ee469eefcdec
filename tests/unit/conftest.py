"""Each unit test works on its own copy of its module's ``seeded`` store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from tests.unit import memory_store


@pytest.fixture
def conn(seeded: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    copy = memory_store.copy_of(seeded)
    yield copy
    copy.close()
