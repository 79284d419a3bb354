"""An erasure request ends erased, held until a date, or refused; each outcome is an event,
and a held request is erased by the sweep once its date has passed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from application.privacy import sweep
from domain.retention import HOLD_DAYS
from tests.helpers.api_client import Api
from tests.privacy.test_corrections_api import history, replays_identically
from tests.privacy.test_erasure_api import staff_page


def owed_parent(api: Api) -> dict[str, Any]:
    """A parent enrolled in a running programme who attended a session and was not paid yet."""
    program = api.program(rewards={"per_session_cents": 500})
    parent = api.parent()
    api.enroll(program["id"], parent["id"])
    s = api.session(program["id"])
    assert api.roll_call(s["id"], (parent["id"], "present")).status_code == 200
    return parent


def erasure(api: Api, parent_id: str, **body: Any) -> Any:
    return api.post(f"/parents/{parent_id}/erasure", {"reason": "verzoek van ouder", **body}, user="admin")


def test_a_parent_owed_nothing_is_erased_at_once(api: Api) -> None:
    parent = api.parent()
    r = erasure(api, parent["id"])
    assert r.status_code == 200, r.json
    assert (r.json["outcome"], r.json["name"], r.json["erased"]) == ("erased", "gewist", True)
    assert history(api, parent["id"])[-1]["type"] == "Parent.Erased"


def test_a_parent_still_owed_rewards_is_held_and_the_sweep_erases_on_the_date(api: Api) -> None:
    parent = owed_parent(api)
    r = erasure(api, parent["id"])
    assert r.status_code == 202, r.json
    until = date.today() + timedelta(days=HOLD_DAYS)
    assert (r.json["outcome"], r.json["until"], r.json["reason"]) == ("held", until.isoformat(), "outstanding_rewards")
    shown = api.get(f"/parents/{parent['id']}").json
    assert (shown["name"], shown["erased"]) == ("Fatima Yilmaz", False)
    page = staff_page(api, f"/parents/{parent['id']}", user="staff")
    assert "Verzoek om wissen" in page and "aangehouden tot" in page
    [held] = [e for e in history(api, parent["id"]) if e["type"] == "Parent.ErasureHeld"]
    assert held["data"]["until"] == until.isoformat() and held["actor"] == "admin"
    replays_identically(api)
    position = api.last_position()
    again = erasure(api, parent["id"])  # asked again while held: the same date, nothing new recorded
    assert (again.status_code, again.json["until"]) == (202, until.isoformat())
    assert api.last_position() == position
    system = api.app.extensions["betrokken"]
    before = api.last_position()
    early = sweep(system.service, system.idempotency, on=until - timedelta(days=1))
    assert parent["id"] not in {str(p) for p, _ in early.erased}
    assert api.last_position() == before
    done = sweep(system.service, system.idempotency, on=until)
    assert [str(p) for p, _ in done.erased] == [parent["id"]]
    assert api.get(f"/parents/{parent['id']}").json["name"] == "gewist"
    replays_identically(api)


def test_an_admin_can_hold_a_request_until_a_date(api: Api) -> None:
    parent = api.parent()
    later = (date.today() + timedelta(days=10)).isoformat()
    r = erasure(api, parent["id"], hold_until=later)
    assert r.status_code == 202 and (r.json["until"], r.json["reason"]) == (later, "decision")


def test_a_refused_request_is_409_and_recorded_with_its_grounds(api: Api) -> None:
    parent = api.parent()
    r = erasure(api, parent["id"], refuse="lopend geschil over de vergoeding (art. 17 lid 3 sub e AVG)")
    assert r.status_code == 409, r.json
    assert r.json["error"]["code"] == "erasure_refused"
    last = history(api, parent["id"])[-1]
    assert last["type"] == "Parent.ErasureRefused" and last["data"]["refusal"].startswith("lopend geschil")
    assert api.get(f"/parents/{parent['id']}").json["erased"] is False
    replays_identically(api)


def test_only_admins_request_erasure_and_bad_bodies_are_422(api: Api) -> None:
    parent = api.parent()
    assert api.post(f"/parents/{parent['id']}/erasure", {"reason": "x"}).status_code == 403
    before = api.last_position()
    for body in ({}, {"reason": ""}, {"reason": "x", "hold_until": "morgen"}, {"reason": "x", "other": 1}):
        assert api.post(f"/parents/{parent['id']}/erasure", body, user="admin").status_code == 422, body
    assert api.last_position() == before
