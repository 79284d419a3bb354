"""The coordinator's week in the staff UI: "Te doen", "Vandaag", the import (upload, preview,
confirm), school names instead of codes, and a roll call that asks before a future session and
does not say an empty one was saved."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from flask import Flask

from application.actor import Actor
from application.clock import SCHOOL_TZ
from application.schools import register_school
from tests.ui.conftest import World, csrf_token, post

ADMIN = Actor("beheer", "admin", None)


def test_te_doen_lists_the_sessions_without_a_roll_call_with_a_link_to_it(app: Flask, world: World, client_as) -> None:
    page = client_as("trainer").get("/te-doen").get_data(as_text=True)
    assert f"/sessions/{world.session_1}" in page and f"/sessions/{world.session_2}" in page
    assert f"/sessions/{world.other_session}" not in page  # another school's
    assert client_as("analist").get("/te-doen").status_code == 403


def test_vandaag_links_this_weeks_sessions_to_their_roll_call(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    tonight = datetime.now(SCHOOL_TZ).replace(hour=23, minute=30, second=0, microsecond=0)
    s = service.schedule_session(world.program_id, title="Vanavond lezen", starts_at=tonight, actor=ADMIN)
    page = client_as("trainer").get("/vandaag").get_data(as_text=True)
    assert "Vanavond lezen" in page and f"/sessions/{s.id}" in page
    assert "Vanavond lezen" not in client_as("trainer2").get("/vandaag").get_data(as_text=True)


def test_a_future_roll_call_asks_first_and_an_empty_one_is_not_called_saved(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    later = service.schedule_session(world.program_id, title="Later", actor=ADMIN,
                                     starts_at=datetime.now(SCHOOL_TZ) + timedelta(days=3))
    client = client_as("trainer")
    url = f"/sessions/{later.id}"
    asked = post(client, url, {f"status-{world.parent_a}": "present"})
    assert asked.status_code == 422 and "nog niet geweest" in asked.get_data(as_text=True)
    assert not service.session(later.id).attendance
    saved = post(client, url, {f"status-{world.parent_a}": "present", "confirm_future": "1"})
    assert saved.status_code == 302 and service.session(later.id).attendance
    empty = post(client, f"/sessions/{world.session_1}", {}, follow=True)
    text = empty.get_data(as_text=True)
    assert "niets opgeslagen" in text and "De presentie is opgeslagen" not in text
    assert not service.session(world.session_1).attendance


def test_pages_show_the_school_name_from_the_register(app: Flask, world: World, client_as) -> None:
    register_school(app.extensions["betrokken"].service, brin="12AB", name="OBS De Regenboog", region="midden")
    assert "OBS De Regenboog" in client_as("trainer").get("/").get_data(as_text=True)
    assert "OBS De Regenboog" in client_as("trainer").get("/parents").get_data(as_text=True)


def test_the_import_previews_names_every_problem_and_registers_on_confirm(app: Flask, client_as) -> None:
    client = client_as("trainer")
    service = app.extensions["betrokken"].service
    bad = "naam;telefoon;email;taal;kind;groep\nAmina;0612345678;;;Sara;3\nBram;0687654321;;;Tim;12\n"
    r = client.post("/ouders/importeren", data={"csrf_token": csrf_token(client, "/ouders/importeren"), "school": "12AB",
                                                "file": (io.BytesIO(bad.encode()), "leerlingen.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "regel 3, kolom groep" in r.get_data(as_text=True)
    good = bad.replace(";12\n", ";2\n")
    preview = client.post("/ouders/importeren", data={"csrf_token": csrf_token(client, "/ouders/importeren"), "school": "12AB",
                                                      "file": (io.BytesIO(good.encode()), "leerlingen.csv")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200 and "Bevestigen" in preview.get_data(as_text=True)
    assert service.parents() == []
    confirmed = post(client, "/ouders/importeren", {"school": "12AB", "confirm": "1", "csv": good})
    assert confirmed.status_code == 302
    assert sorted(p.name for p in service.parents()) == ["Amina", "Bram"]


def test_forms_take_dutch_dates_times_percentages_and_decimal_commas(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    made = post(client, "/programs/new", {
        "school": "12AB", "name": "Voorlezen winter", "kind": "pact", "starts_on": "01-12-2026",
        "min_attendance_pct": "75%", "min_homework_pct": "7,5", "min_sessions_attended": "6",
        "per_session": "0", "per_homework": "0", "per_assessment": "0", "assessment_threshold_pct": "60 %",
        "cap": "", "payout": "cash",
    })
    assert made.status_code == 302, made.get_data(as_text=True)
    program = next(p for p in app.extensions["betrokken"].service.programs() if p.name == "Voorlezen winter")
    assert str(program.starts_on) == "2026-12-01"
    assert (program.completion.min_attendance_rate, program.completion.min_homework_rate) == (0.75, 0.075)
    scheduled = post(client, f"/programs/{world.program_id}/sessions/new",
                     {"title": "Avond", "first_date": "07-09-2026", "time": "19.00", "weeks": "1"})
    assert scheduled.status_code == 302
    (avond,) = [s for s in app.extensions["betrokken"].service.sessions(world.program_id) if s.title == "Avond"]
    assert avond.starts_at.isoformat() == "2026-09-07T19:00:00+02:00"
    wrong = post(client, f"/programs/{world.program_id}/sessions/new",
                 {"title": "Avond", "first_date": "31-02-2026", "time": "zeven uur", "weeks": "1"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "bijvoorbeeld 01-12-2026" in page and "bijvoorbeeld 19.00" in page
    assert 'value="zeven uur"' in page  # what was typed stays


def test_programme_kinds_read_in_english_in_the_english_ui(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/")})
    page = client.get("/").get_data(as_text=True)
    assert "PACT (reading training for parents)" in page and "voorleestraining" not in page


def test_completion_reads_op_koers_while_the_programme_runs_and_afgerond_at_its_end(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    ended = client.get(f"/programs/{world.program_id}").get_data(as_text=True)
    assert "Afgerond" in ended and "op koers" not in ended
    app.extensions["betrokken"].service.schedule_session(
        world.program_id, title="Slot", starts_at=datetime.now(SCHOOL_TZ) + timedelta(days=7), actor=ADMIN)
    running = client.get(f"/programs/{world.program_id}").get_data(as_text=True)
    assert "Op koers" in running and "niet op koers" in running


def test_a_dutch_excel_download_beside_the_machine_csv(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    service.take_roll_call(world.session_1, [(world.parent_a, "present"), (world.parent_b, "absent")], actor=ADMIN)
    client = client_as("trainer")
    page = client.get(f"/programs/{world.program_id}").get_data(as_text=True)
    assert f"/programs/{world.program_id}/parents-excel.csv" in page and f"/programs/{world.program_id}/parents.csv" in page
    body = client.get(f"/programs/{world.program_id}/parents-excel.csv").get_data(as_text=True)
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Ouder-id;Naam;Bijeenkomsten gehouden;Keer aanwezig")
    assert any(";Fatima El Amrani;1;1;0;0;100,0%" in line for line in lines), lines
    rewards = client.get(f"/programs/{world.program_id}/rewards-excel.csv").get_data(as_text=True)
    assert "Verdiend (€)" in rewards and ";12,50;" in rewards
    machine = client.get(f"/programs/{world.program_id}/parents.csv").get_data(as_text=True)
    assert machine.startswith("parent_id,name,sessions_held")


def test_the_schedule_form_plans_a_fortnightly_series_past_the_schools_autumn_holiday(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    register_school(service, brin="12AB", name="OBS De Regenboog", region="midden")
    client = client_as("trainer")
    form = client.get(f"/programs/{world.program_id}/sessions/new").get_data(as_text=True)
    assert '<option selected value="midden">' in form or 'value="midden" selected' in form
    r = post(client, f"/programs/{world.program_id}/sessions/new", {
        "title": "Infoavond", "first_date": "25-09-2025", "time": "19.00", "weeks": "3",
        "cadence": "fortnightly", "skip_holidays": "midden"})
    assert r.status_code == 302, r.get_data(as_text=True)
    days = [s.date.isoformat() for s in service.sessions(world.program_id) if s.title.startswith("Infoavond")]
    assert days == ["2025-09-25", "2025-10-09", "2025-11-06"]


def test_several_parents_are_enrolled_at_once_from_a_sorted_list_without_erased_parents(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    zoe = service.register_parent(school="12AB", name="Zoë Jansen", children=[("Noor", 2)], actor=ADMIN)
    ali = service.register_parent(school="12AB", name="Ali Demir", children=[("Sem", 5)], actor=ADMIN)
    gone = service.register_parent(school="12AB", name="Weg Gewist", children=[("Kind", 1)], actor=ADMIN)
    service.erase_parent(gone.id, reason="verzoek van ouder", actor=ADMIN)
    client = client_as("trainer")
    page = client.get(f"/programs/{world.program_id}/enrolments/many").get_data(as_text=True)
    assert page.index("Ali Demir") < page.index("Zoë Jansen") and str(gone.id) not in page
    assert post(client, f"/programs/{world.program_id}/enrolments/many", {}).status_code == 422
    r = post(client, f"/programs/{world.program_id}/enrolments/many",
             {"parent_ids": [str(zoe.id), str(ali.id)], "enrolled_on": "01-09-2026"})
    assert r.status_code == 302, r.get_data(as_text=True)
    program = service.program(world.program_id)
    assert {program.current_enrolment(p).enrolled_on.isoformat() for p in (zoe.id, ali.id)} == {"2026-09-01"}
