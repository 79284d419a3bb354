"""A web app per test on a fresh SQLite store, as tests/web has it."""

from __future__ import annotations

from typing import Iterator

import pytest

from adapters.config import StoreConfig
from tests.helpers.api_client import Api, open_api


@pytest.fixture
def api(sqlite_store: StoreConfig) -> Iterator[Api]:
    """The API on a SQLite data directory in tmp_path."""
    opened = open_api(sqlite_store)
    yield opened
    opened.app.extensions["betrokken"].close()


@pytest.fixture
def any_api(store: StoreConfig) -> Iterator[Api]:
    """The API once on SQLite and once on PostgreSQL."""
    opened = open_api(store)
    yield opened
    opened.app.extensions["betrokken"].close()
