"""Rules that change mid-year over the API: admins change a programme's rules from a date on;
the rewards follow the scheme in force on each session's date; everyone who sees the programme
reads the history; refusals answer 4xx and record nothing."""

from __future__ import annotations

from tests.helpers.api_client import Api


def test_an_admin_changes_the_reward_scheme_and_the_rewards_follow_it(api: Api) -> None:
    program = api.program(rewards={"per_session_cents": 500})
    pid = program["id"]
    parent = api.parent()
    api.enroll(pid, parent["id"])
    for starts_at in ("2025-09-08T19:00:00+02:00", "2025-09-15T19:00:00+02:00"):
        session = api.session(pid, starts_at=starts_at)
        assert api.roll_call(session["id"], (parent["id"], "present")).status_code == 200
    body = {"effective_from": "2025-09-15", "rewards": {"per_session_cents": 750}, "reason": "besluit MR"}
    r = api.post(f"/programs/{pid}/rules", body, user="admin")
    assert r.status_code == 201, r.json
    assert r.json["effective_from"] == "2025-09-15" and r.json["completion"] is None
    assert r.json["rewards"]["per_session_cents"] == 750 and r.json["actor"] == "admin"
    [row] = api.get(f"/programs/{pid}/rewards").json
    assert row["sessions_cents"] == 500 + 750
    history = api.get(f"/programs/{pid}/rules?on=2025-09-14", user="analyst").json
    assert history["created"]["rewards"]["per_session_cents"] == 500
    assert history["in_force"] == {**history["in_force"], "on": "2025-09-14"}
    assert history["in_force"]["rewards"]["per_session_cents"] == 500
    assert [c["reason"] for c in history["changes"]] == ["besluit MR"]
    events = api.get(f"/audit/aggregates/{pid}/events", user="admin").json["events"]
    assert events[-1]["type"].endswith("RulesChanged") and events[-1]["actor"] == "admin"


def test_refusals_answer_4xx_and_record_nothing(api: Api) -> None:
    pid = api.program(rewards={"per_session_cents": 500})["id"]
    trial = api.program(arms=[{"name": "geld", "rewards": {"per_session_cents": 500}}, {"name": "control"}])["id"]
    ok = {"effective_from": "2025-10-01", "rewards": {"per_session_cents": 600}, "reason": "x"}
    cases = [
        (pid, ok, "staff", 403, "forbidden"),
        (pid, {**ok, "rewards": {"per_session_cents": 500}}, "admin", 409, "rules_unchanged"),
        (pid, {"effective_from": "2025-10-01", "reason": "x"}, "admin", 422, "validation_failed"),
        (pid, {**ok, "rewards": {"per_session_cents": -1}}, "admin", 422, "validation_failed"),
        (pid, {**ok, "effective_from": "1999-01-01"}, "admin", 409, "invalid_date"),
        (trial, ok, "admin", 409, "trial_rules_fixed"),
    ]
    for program_id, body, user, status, code in cases:
        before = api.last_position()
        r = api.post(f"/programs/{program_id}/rules", body, user=user)
        assert (r.status_code, r.json["error"]["code"]) == (status, code), (body, r.json)
        assert api.last_position() == before
    assert api.post(f"/programs/{pid}/closure", {"reason": "klaar"}, user="admin").status_code == 200
    before = api.last_position()
    r = api.post(f"/programs/{pid}/rules", ok, user="admin")
    assert (r.status_code, r.json["error"]["code"]) == (409, "program_closed")
    assert api.last_position() == before
    assert api.get(f"/programs/{pid}/rules").json["changes"] == []
