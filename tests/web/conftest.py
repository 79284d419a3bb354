"""A web app per test on a fresh store (SQLite, or both back ends via `store`)."""

from __future__ import annotations

from typing import Iterator

import pytest

from adapters.config import StoreConfig
from tests.helpers.api_client import Api, Programme, open_api


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


@pytest.fixture
def programme(api: Api) -> Programme:
    parent = api.parent()
    program = api.program(rewards={"per_session_cents": 500, "per_homework_cents": 250})
    api.enroll(program["id"], parent["id"])
    session = api.session(program["id"])
    return Programme(program["id"], parent["id"], parent["children"][0]["id"], session["id"])
