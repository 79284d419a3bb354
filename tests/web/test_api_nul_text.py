"""Text with a NUL character is refused as input (PostgreSQL cannot store it), not a 500."""

from __future__ import annotations

from tests.helpers.api_client import SCHOOL, Api


def test_a_nul_character_in_any_text_of_a_command_is_422_and_records_nothing(any_api: Api):
    head = any_api.last_position()
    r = any_api.post("/parents", {"school": SCHOOL, "name": "Fatima\u0000", "children": [{"name": "Sara", "group": 3}]})
    assert r.status_code == 422 and "NUL" in r.json["error"]["message"]
    r = any_api.post("/parents", {"school": SCHOOL, "name": "Fatima", "children": [{"name": "S\u0000", "group": 3}]})
    assert r.status_code == 422
    assert any_api.last_position() == head
    assert any_api.post("/parents", {"school": SCHOOL, "name": "Fatima", "children": []}).status_code == 201
