"""Fixtures for the read models: the programme service with its projections, on SQLite and on
PostgreSQL (helpers in tests/helpers/projection_world.py)."""

from __future__ import annotations

from typing import Iterator

import pytest

from adapters.config import StoreConfig
from tests.helpers.projection_world import World, open_world


@pytest.fixture
def world(store: StoreConfig) -> Iterator[World]:
    """Service and projections on SQLite and on PostgreSQL."""
    w = open_world(store)
    yield w
    w.projections.close()
    w.service.close()


@pytest.fixture
def sqlite_world(sqlite_store: StoreConfig) -> Iterator[World]:
    w = open_world(sqlite_store)
    yield w
    w.projections.close()
    w.service.close()


