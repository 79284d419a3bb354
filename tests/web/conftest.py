"""A programme with a parent, a session and a child, on the API of tests/conftest.py (`api`)."""

from __future__ import annotations

import pytest

from tests.helpers.api_client import Api, Programme


@pytest.fixture
def programme(api: Api) -> Programme:
    parent = api.parent()
    program = api.program(rewards={"per_session_cents": 500, "per_homework_cents": 250})
    api.enroll(program["id"], parent["id"])
    session = api.session(program["id"])
    return Programme(program["id"], parent["id"], parent["children"][0]["id"], session["id"])
