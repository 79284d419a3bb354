"""The messages endpoints: POST /messages (and its preview), GET /parents/{id}/messages, opt-outs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

import pytest

from adapters.config import StoreConfig
from application.messages import Messages
from domain.message import QUIET_TZ
from tests.helpers.api_client import Api, open_api
from tests.messages.conftest import Clock
from web.api_messages import EXTENSION


@pytest.fixture
def api(sqlite_store: StoreConfig) -> Iterator[Api]:
    opened = open_api(sqlite_store)
    clock = Clock(datetime(2026, 12, 1, 10, 0, tzinfo=QUIET_TZ))
    opened.app.extensions[EXTENSION] = Messages(opened.service, clock)
    opened.app.extensions["test_clock"] = clock
    yield opened
    opened.app.extensions["betrokken"].close()


def family(api: Api, name: str, **extra: Any) -> str:
    r = api.post("/parents", {"school": "12AB", "name": name, "email": f"{name.lower()}@example.nl",
                              "children": [{"name": "Kind", "group": 3}], **extra})
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_a_message_to_a_programmes_parents_is_queued_and_listed_on_the_parent(api: Api) -> None:
    program = api.program()
    a, b = family(api, "Anna"), family(api, "Bram")
    api.enroll(program["id"], a)
    api.enroll(program["id"], b)
    r = api.post("/messages", {"program_id": program["id"], "purpose": "informeren", "text": "Beste {naam}"})
    assert r.status_code == 201, r.json
    assert sorted(r.json["queued"]) == sorted([a, b]) and r.json["suppressed"] == []
    listed = api.get(f"/parents/{a}/messages")
    assert listed.status_code == 200
    [message] = listed.json
    assert message["purpose"] == "informeren" and message["status"] == "queued"
    assert message["text"] == "Beste Anna" and "reason" not in message and "sent_at" not in message
    assert message["queued_at"].startswith("2026-12-01T")


def test_the_fourth_message_in_a_week_is_answered_as_suppressed_by_the_weekly_cap(api: Api) -> None:
    parent = family(api, "Anna")
    body = {"parent_ids": [parent], "purpose": "aanmoedigen", "text": "Goed bezig!"}
    for _ in range(3):
        assert api.post("/messages", body).json["queued"] == [parent]
    preview = api.post("/messages/preview", body)
    assert preview.status_code == 200 and preview.json["suppressed"] == [{"parent_id": parent, "reason": "weekly_cap"}]
    r = api.post("/messages", body)
    assert r.status_code == 201
    assert r.json["queued"] == [] and r.json["suppressed"] == [{"parent_id": parent, "reason": "weekly_cap"}]
    statuses = [(m["status"], m.get("reason")) for m in api.get(f"/parents/{parent}/messages").json]
    assert statuses.count(("suppressed", "weekly_cap")) == 1 and statuses.count(("queued", None)) == 3


def test_opting_out_of_e_mail_suppresses_the_next_message(api: Api) -> None:
    parent = family(api, "Anna")
    r = api.put(f"/parents/{parent}/message-preferences", {"opted_out": ["email"]})
    assert r.status_code == 200 and r.json == {"opted_out": ["email"], "delivery": "each"}
    assert api.get(f"/parents/{parent}/message-preferences").json == {"opted_out": ["email"], "delivery": "each"}
    r = api.post("/messages", {"parent_ids": [parent], "purpose": "informeren", "text": "Hallo"})
    assert r.json["suppressed"] == [{"parent_id": parent, "reason": "opted_out"}]


@pytest.mark.parametrize("body, field", [
    ({"purpose": "informeren", "text": "Hallo"}, "parent_ids"),
    ({"parent_ids": ["PARENT"], "program_id": "PARENT", "purpose": "informeren", "text": "Hallo"}, "parent_ids"),
    ({"parent_ids": ["PARENT"], "purpose": "spam", "text": "Hallo"}, "purpose"),
    ({"parent_ids": ["PARENT"], "purpose": "informeren", "text": "Beste {voornaam}"}, "text"),
    ({"parent_ids": ["PARENT"], "purpose": "informeren", "text": "Beste {naam"}, "text"),
    ({"parent_ids": ["PARENT"], "purpose": "informeren", "text": ""}, "text"),
    ({"parent_ids": ["PARENT"], "purpose": "informeren", "text": "x", "channel": "fax"}, "channel"),
])
def test_bad_input_is_a_422_naming_the_field_and_records_nothing(api: Api, body: dict[str, Any], field: str) -> None:
    parent = family(api, "Anna")
    body = {k: ([parent] if v == ["PARENT"] else parent if v == "PARENT" else v) for k, v in body.items()}
    before = api.last_position()
    r = api.post("/messages", body)
    assert r.status_code == 422, r.json
    assert field in r.json["error"]["fields"]
    assert api.last_position() == before


def test_a_parent_outside_the_users_schools_is_a_404_and_nothing_is_written(api: Api) -> None:
    mine = family(api, "Anna")
    r = api.post("/parents", {"school": "34CD", "name": "Elders", "children": []}, user="admin")
    before = api.last_position()
    answer = api.post("/messages", {"parent_ids": [mine, r.json["id"]], "purpose": "informeren", "text": "Hallo"})
    assert answer.status_code == 404
    assert api.last_position() == before
    assert api.get(f"/parents/{r.json['id']}/messages").status_code == 404


def test_analysts_and_auditors_may_not_write_messages(api: Api) -> None:
    parent = family(api, "Anna")
    body = {"parent_ids": [parent], "purpose": "informeren", "text": "Hallo"}
    assert api.post("/messages", body, user="analyst").status_code == 403
    assert api.post("/messages", body, user="auditor").status_code == 403
    assert api.get(f"/parents/{parent}/messages", user="analyst").status_code == 403
    assert api.get(f"/parents/{parent}/messages", user="auditor").status_code == 200


def test_analysts_read_messages_per_parent_per_week_with_counts_only(api: Api) -> None:
    parent = family(api, "Anna")
    body = {"parent_ids": [parent], "purpose": "aanmoedigen", "text": "Goed bezig!"}
    for _ in range(4):
        api.post("/messages", body)
    r = api.get("/messages/weeks", user="analyst")
    assert r.status_code == 200
    assert r.json == [{"parent_id": parent, "school": "12AB", "week": "2026-W49", "purpose": "aanmoedigen",
                       "written": 4, "sent": 0, "suppressed": 1, "failed": 0}]
    csv = api.get("/messages/weeks?format=csv&school=12AB", user="analyst").get_data(as_text=True)
    assert csv.splitlines()[0] == "parent_id,school,week,purpose,written,sent,suppressed,failed"
    assert "Goed bezig" not in csv and "Anna" not in csv
    assert api.get("/messages/weeks?school=34CD", user="analyst").json == []
