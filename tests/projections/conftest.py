"""Fixtures for the read models: the programme service with its projections, on SQLite and on
PostgreSQL (helpers in projection_world.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

from adapters.config import StoreConfig

sys.path.insert(0, str(Path(__file__).parent))  # the helpers beside the tests

from projection_world import World, open_world  # noqa: E402


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


