"""The pages: what they show, in whose school, in which format; friendly errors."""

from __future__ import annotations

import csv
import io
import re
from uuid import uuid4

from flask import Flask

from tests.ui.conftest import World, post

DUTCH_DATE = re.compile(r"\b(ma|di|wo|do|vr|za|zo) \d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec) \d{4}\b")


def test_the_start_page_shows_the_programmes_of_my_schools_only(world: World, client_as) -> None:
    page = client_as("trainer").get("/").get_data(as_text=True)
    assert "Voorlezen groep 3" in page
    assert "Pittige Jaren" not in page
    assert "34CD" not in page


def test_an_admin_sees_every_school(world: World, client_as) -> None:
    page = client_as("beheer").get("/").get_data(as_text=True)
    assert "Voorlezen groep 3" in page and "34CD" in page


def test_the_programme_page_shows_sessions_parents_completion_rewards_and_a_chart(world: World, client_as) -> None:
    response = client_as("trainer").get(f"/programs/{world.program_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Bijeenkomst 1", "Bijeenkomst 2", "Fatima El Amrani", "Jan de Vries", "Afronding", "Beloningen",
                 "Ingeschreven ouders", "Download CSV"):
        assert text in page
    assert "<svg" in page and "pygal" in page
    assert "<script" not in page  # the chart is drawn on the server, no scripts, no CDN
    assert "http://" not in page.split("<svg", 1)[0]
    assert DUTCH_DATE.search(page)
    assert "€ 0,00" in page


def test_each_table_downloads_as_csv_with_the_same_rows(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    post(client, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "present", f"homework-{world.parent_a}": "on"})
    response = client.get(f"/programs/{world.program_id}/rewards.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_id = {r["parent_id"]: r for r in rows}
    assert by_id[str(world.parent_a)]["earned_cents"] == "1750"
    assert by_id[str(world.parent_a)]["name"] == "Fatima El Amrani"
    projection = {str(r["parent_id"]): r for r in app.extensions["betrokken"].projections.rewards(world.program_id)}
    assert set(by_id) == set(projection)
    sessions = list(csv.DictReader(io.StringIO(client.get(f"/programs/{world.program_id}/sessions.csv").get_data(as_text=True))))
    assert [s["present"] for s in sessions] == ["1", "0"]
    for table in ("parents", "completion"):
        text = client.get(f"/programs/{world.program_id}/{table}.csv").get_data(as_text=True)
        assert text.startswith("parent_id,name,")


def test_the_roll_call_has_a_row_per_enrolled_parent_with_labelled_choices(world: World, client_as) -> None:
    page = client_as("trainer").get(f"/sessions/{world.session_1}").get_data(as_text=True)
    for name in ("Fatima El Amrani", "Jan de Vries"):
        assert '<th scope="row" id="name-' in page and name in page
    assert page.count("<span>Aanwezig</span>") == 2
    assert page.count("<span>Afwezig</span>") == 2
    assert page.count("<span>Afgemeld</span>") == 2
    assert page.count("<span>Huiswerk gedaan</span>") == 2
    assert page.count('type="submit" class="button primary big"') == 1
    assert "<fieldset" in page and "<legend" in page


def test_a_session_without_homework_has_no_homework_checkbox(app: Flask, world: World, client_as) -> None:
    page = client_as("beheer").get(f"/sessions/{world.other_session}").get_data(as_text=True)
    assert "Piet Bakker" in page
    assert "Huiswerk gedaan" not in page


def test_the_parent_page_shows_children_programmes_and_money(world: World, client_as) -> None:
    client = client_as("trainer")
    post(client, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "present"})
    page = client.get(f"/parents/{world.parent_a}").get_data(as_text=True)
    assert "Fatima El Amrani" in page and "Yusuf" in page and "groep 3" in page
    assert "Voorlezen groep 3" in page
    assert "€ 12,50" in page  # earned, and outstanding


def test_another_schools_records_answer_not_found(world: World, client_as) -> None:
    client = client_as("trainer")
    for url in (f"/programs/{world.other_program_id}", f"/sessions/{world.other_session}", f"/parents/{world.other_parent}",
                f"/programs/{world.other_program_id}/sessions.csv", f"/programs/{world.other_program_id}/sessions/new"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Niet gevonden" in response.get_data(as_text=True)


def test_an_unknown_id_is_a_friendly_404(world: World, client_as) -> None:
    response = client_as("trainer").get(f"/programs/{uuid4()}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Niet gevonden" in page and "Traceback" not in page


def test_an_unexpected_error_shows_a_friendly_page_without_a_stack_trace(app: Flask, world: World, client_as, monkeypatch) -> None:
    client = client_as("trainer")
    service = app.extensions["betrokken"].service

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service.directory, "programs_of", broken)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_the_api_keeps_answering_json_errors(app: Flask) -> None:
    response = app.test_client().get("/api/v1/does-not-exist")
    assert response.status_code == 404 and response.is_json
    response = app.test_client().post("/api/v1/parents", json={})
    assert response.status_code == 401 and response.is_json  # no CSRF demanded of the API


def test_static_css_is_served_locally(app: Flask) -> None:
    response = app.test_client().get("/static/betrokken.css")
    assert response.status_code == 200 and b".rollcall" in response.data


def test_csv_downloads_defuse_text_that_a_spreadsheet_would_run_as_a_formula(app: Flask, client_as) -> None:
    from datetime import date

    service = app.extensions["betrokken"].service
    program = service.create_program(school="12AB", name="PACT", kind="pact", starts_on=date(2026, 9, 1))
    parent = service.register_parent(school="12AB", name="=HYPERLINK(\"http://x\")", children=[("Kind", 3)])
    service.enroll(program.id, parent_id=parent.id, enrolled_on=date(2026, 9, 1))
    text = client_as("trainer").get(f"/programs/{program.id}/rewards.csv").get_data(as_text=True)
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["parent_id"] == str(parent.id))
    assert row["name"] == "'=HYPERLINK(\"http://x\")"
    assert row["earned_cents"] == "0"
