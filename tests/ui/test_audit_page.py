"""The auditors' timeline page: every fact with who and when; scoped; refused to other roles."""

from __future__ import annotations

from flask import Flask

from tests.ui.conftest import World, post


def test_an_auditor_reads_a_sessions_timeline_and_a_past_state(app: Flask, world: World, client_as) -> None:
    trainer = client_as("trainer")
    post(trainer, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "absent"})
    post(trainer, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "present"})
    client = client_as("controle")
    session_page = client.get(f"/sessions/{world.session_1}").get_data(as_text=True)
    assert f'href="/audit/aggregates/{world.session_1}"' in session_page
    page = client.get(f"/audit/aggregates/{world.session_1}").get_data(as_text=True)
    assert "Session.Scheduled" in page and page.count("Session.AttendanceRecorded") == 2
    assert "trainer" in page and "absent" in page and "present" in page
    page = client.get(f"/audit/aggregates/{world.session_1}?version=2").get_data(as_text=True)
    assert "Toestand na versie 2" in page


def test_the_timeline_is_for_auditors_and_admins_of_the_school_only(world: World, client_as) -> None:
    assert client_as("beheer").get(f"/audit/aggregates/{world.program_id}").status_code == 200
    assert client_as("controle").get(f"/audit/aggregates/{world.other_program_id}").status_code == 404
    for user in ("trainer", "analist"):
        client = client_as(user)
        assert client.get(f"/audit/aggregates/{world.program_id}").status_code == 403
        assert "/audit/aggregates/" not in client.get(f"/programs/{world.program_id}").get_data(as_text=True)
