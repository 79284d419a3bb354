"""Rules that change mid-year in the staff UI: an admin changes a programme's reward scheme from
a date on (Dutch input), the programme page lists the history of its rules, and the rewards
follow the scheme in force on each session's date."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from tests.ui.conftest import World, post

FORM = {
    "min_attendance_pct": "50", "min_homework_pct": "75", "min_sessions_attended": "0",
    "per_session": "20,00", "per_homework": "5,00", "per_assessment": "0,00", "assessment_threshold_pct": "50",
    "cap": "", "payout": "cash",
}


def test_an_admin_changes_the_rules_and_the_programme_page_shows_their_history(
    app: Flask, world: World, client_as
) -> None:
    service = app.extensions["betrokken"].service
    second_session_day = service.session(world.session_2).date
    url = f"/programs/{world.program_id}/rules"
    admin = client_as("beheer")
    form = admin.get(url)
    assert form.status_code == 200 and "12,50" in form.get_data(as_text=True)  # the rules in force, filled in
    typed = {**FORM, "effective_from": second_session_day.strftime("%d-%m-%Y"), "reason": "Besluit van de MR"}
    saved = post(admin, url, typed)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = admin.get(f"/programs/{world.program_id}").get_data(as_text=True)
    assert "Besluit van de MR" in page and "door beheer" in page and "Regels wijzigen" in page
    change = service.program(world.program_id).rule_changes[-1]
    assert change.change.rewards.per_session_cents == 2000 and change.change.completion is None
    assert change.change.effective_from == second_session_day
    service.take_roll_call(world.session_1, [(world.parent_a, "present")])
    service.take_roll_call(world.session_2, [(world.parent_a, "present")])
    rewards = {r["parent_id"]: r for r in app.extensions["betrokken"].projections.rewards(world.program_id)}
    assert rewards[str(world.parent_a)]["sessions_cents"] == 1250 + 2000


def test_the_same_rules_again_are_refused_with_the_form_kept_and_nothing_recorded(
    app: Flask, world: World, client_as
) -> None:
    service = app.extensions["betrokken"].service
    admin = client_as("beheer")
    url = f"/programs/{world.program_id}/rules"
    same = {**FORM, "per_session": "12,50", "effective_from": date.today().strftime("%d-%m-%Y"), "reason": "niets"}
    version = service.program(world.program_id).version
    refused = post(admin, url, same)
    assert refused.status_code == 409 and "gelden deze regels al" in refused.get_data(as_text=True)
    too_early = post(admin, url, {**same, "per_session": "30,00",
                                  "effective_from": (date.today() - timedelta(days=400)).strftime("%d-%m-%Y")})
    assert too_early.status_code == 409 and "30,00" in too_early.get_data(as_text=True)
    assert service.program(world.program_id).version == version


def test_only_admins_change_rules_and_everyone_who_sees_the_programme_sees_them(
    app: Flask, world: World, client_as
) -> None:
    trainer = client_as("trainer")
    assert trainer.get(f"/programs/{world.program_id}/rules").status_code == 403
    page = trainer.get(f"/programs/{world.program_id}").get_data(as_text=True)
    assert 'id="rules-history"' in page and "Regels wijzigen" not in page
    assert client_as("beheer").get(f"/programs/{world.other_program_id}/rules").status_code == 200
