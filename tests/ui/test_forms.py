"""The staff's forms: success redirects with a message; mistakes and refusals are shown on the
form in the user's language with what was typed kept."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask

from tests.ui.conftest import World, post


def test_registering_a_parent_with_children_opens_their_page(app: Flask, client_as) -> None:
    client = client_as("trainer")
    response = post(client, "/parents/new", {
        "school": "12AB", "name": "Ayşe Yılmaz", "phone": "0612345678", "language": "Turks",
        "children-0-name": "Elif", "children-0-group": "5", "children-1-name": "Can", "children-1-group": "2",
        "children-2-name": "", "children-2-group": "",
    })
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ayşe Yılmaz is geregistreerd." in page
    assert "Elif" in page and "groep 5" in page and "Can" in page


def test_a_parent_form_with_mistakes_shows_them_and_keeps_what_was_typed(app: Flask, client_as) -> None:
    client = client_as("trainer")
    response = post(client, "/parents/new", {
        "school": "12AB", "name": "", "phone": "0687654321", "email": "geen-adres",
        "children-0-name": "Noah", "children-0-group": "9",
        "children-1-name": "Lina", "children-1-group": "",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Controleer de velden hieronder." in page
    assert "Vul dit veld in." in page
    assert "Vul een geldig e-mailadres in." in page
    assert "Een groep is 1 tot en met 8." in page
    assert "Vul de groep van het kind in (1 tot en met 8)." in page
    assert 'value="0687654321"' in page and 'value="Noah"' in page and 'value="9"' in page and 'value="geen-adres"' in page
    assert app.extensions["betrokken"].service.parents() == []


def test_staff_can_only_register_at_their_own_schools(app: Flask, client_as) -> None:
    client = client_as("trainer")
    page = client.get("/parents/new").get_data(as_text=True)
    assert '<select id="school" name="school">' in page and "34CD" not in page
    response = post(client, "/parents/new", {"school": "34CD", "name": "Iemand"})
    assert response.status_code == 422
    assert "Kies een van je eigen scholen: 12AB." in response.get_data(as_text=True)


def test_the_programme_form_shows_the_kinds_template_defaults(client_as) -> None:
    client = client_as("trainer")
    page = client.get("/programs/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="min_attendance_pct"[^>]*value="50"', page)
    assert re.search(r'<input[^>]*name="min_homework_pct"[^>]*value="75"', page)
    assert "Pittige Jaren (Incredible Years)" in page and 'id="template-defaults"' in page
    page = client.get("/programs/new?kind=pittige_jaren").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="min_sessions_attended"[^>]*value="7"', page)
    assert '<option selected value="pittige_jaren">' in page


def test_creating_a_programme_opens_its_page(app: Flask, client_as) -> None:
    client = client_as("trainer")
    response = post(client, "/programs/new", {
        "school": "12AB", "name": "Pittige Jaren najaar", "kind": "pittige_jaren", "starts_on": "2026-09-07",
        "min_attendance_pct": "50", "min_homework_pct": "0", "min_sessions_attended": "7",
        "per_session": "12,50", "per_homework": "0", "per_assessment": "0", "assessment_threshold_pct": "60",
        "cap": "", "payout": "education_fund",
    })
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Het programma Pittige Jaren najaar is aangemaakt." in page
    assert "ma 7 sep 2026" in page
    assert "€ 12,50 per bijeenkomst" in page and "Onderwijsfonds" in page
    (program,) = app.extensions["betrokken"].service.programs()
    assert program.rewards.per_session_cents == 1250 and program.completion.min_sessions_attended == 7


def test_a_programme_with_impossible_settings_is_shown_again(app: Flask, client_as) -> None:
    client = client_as("trainer")
    response = post(client, "/programs/new", {
        "school": "12AB", "name": "Voorlezen", "kind": "pact", "starts_on": "2026-09-07",
        "min_attendance_pct": "150", "min_homework_pct": "75", "min_sessions_attended": "0",
        "per_session": "12,555", "per_homework": "0", "per_assessment": "0", "assessment_threshold_pct": "50",
        "cap": "", "payout": "cash",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul een percentage van 0 tot 100 in." in page
    assert "Een bedrag heeft hoogstens twee cijfers achter de komma." in page
    assert 'value="150"' in page and 'value="12,555"' in page and 'value="Voorlezen"' in page
    assert app.extensions["betrokken"].service.programs() == []


def test_scheduling_a_weekly_series_in_one_go(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    response = post(client, f"/programs/{world.program_id}/sessions/new", {
        "title": "Voorleesavond", "first_date": "2026-09-07", "time": "19:00", "weeks": "3",
        "location": "Lokaal 4", "homework": "Samen een prentenboek lezen",
    })
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 bijeenkomst(en) ingepland." in page
    assert "Voorleesavond 1" in page and "Voorleesavond 3" in page
    assert "ma 7 sep 2026 19:00" in page and "ma 21 sep 2026 19:00" in page
    sessions = [s for s in app.extensions["betrokken"].service.sessions(world.program_id) if s.title.startswith("Voorlees")]
    assert [s.starts_at.utcoffset() for s in sessions] == [timedelta(hours=2)] * 3  # Dutch summer time


def test_a_series_of_zero_weeks_is_refused_on_the_form(world: World, client_as) -> None:
    response = post(client_as("trainer"), f"/programs/{world.program_id}/sessions/new", {
        "title": "Avond", "first_date": "2026-09-07", "time": "19:00", "weeks": "0",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Vul 1 tot en met 60 weken in." in page and 'value="Avond"' in page


@pytest.mark.parametrize("first_date", ["0001-01-01", "9999-12-31"])
def test_a_series_in_an_impossible_year_is_refused_on_the_form(app: Flask, world: World, client_as, first_date) -> None:
    client = client_as("trainer")
    response = post(client, f"/programs/{world.program_id}/sessions/new", {
        "title": "Avond", "first_date": first_date, "time": "00:00", "weeks": "60",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Een bijeenkomst valt in de jaren 1900 tot en met 2999" in page
    assert client.get(f"/programs/{world.program_id}").status_code == 200  # the projections still read


def test_a_home_visit_names_one_family(app: Flask, world: World, client_as) -> None:
    response = post(client_as("trainer"), f"/programs/{world.program_id}/sessions/new", {
        "title": "Huisbezoek", "first_date": (date.today() + timedelta(days=3)).isoformat(), "time": "10:00", "weeks": "1",
        "participants": str(world.parent_a),
    })
    assert response.status_code == 302
    (visit,) = [s for s in app.extensions["betrokken"].service.sessions(world.program_id) if s.title == "Huisbezoek"]
    assert visit.participants == [world.parent_a]
    page = client_as("trainer").get(f"/sessions/{visit.id}").get_data(as_text=True)
    assert "Fatima El Amrani" in page and "Jan de Vries" not in page


def test_enrolling_and_the_refusal_of_a_double_enrolment(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    newcomer = service.register_parent(school="12AB", name="Sara Jansen", children=[("Mila", 1)])
    client = client_as("trainer")
    page = client.get(f"/programs/{world.program_id}/enrolments/new").get_data(as_text=True)
    assert "Sara Jansen" in page and f'value="{world.parent_a}"' not in page  # already enrolled: not offered
    response = post(client, f"/programs/{world.program_id}/enrolments/new", {
        "parent_id": str(newcomer.id), "child_id": str(next(iter(newcomer.children))), "enrolled_on": date.today().isoformat(),
    })
    assert response.status_code == 302
    assert "De ouder is ingeschreven voor Voorlezen groep 3." in client.get(response.headers["Location"]).get_data(as_text=True)
    # the same parent again (a second tab still showing the old list): the rule refuses, on the form
    page = client.get(f"/programs/{world.program_id}/enrolments/new").get_data(as_text=True)
    assert "Sara Jansen" not in page


def test_a_rule_refusal_is_shown_on_the_form_with_the_typed_values(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    response = post(client, f"/programs/{world.program_id}/enrolments/{world.parent_a}/withdrawal", {
        "withdrawn_on": "2000-01-01", "reason": "verhuisd naar Utrecht",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "De datum van uitschrijven kan niet voor de datum van inschrijven liggen." in page
    assert 'value="verhuisd naar Utrecht"' in page and 'value="2000-01-01"' in page


def test_withdrawing_a_parent(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    response = post(client, f"/programs/{world.program_id}/enrolments/{world.parent_b}/withdrawal", {
        "withdrawn_on": date.today().isoformat(), "reason": "verhuisd",
    })
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jan de Vries is uitgeschreven." in page and "Opnieuw inschrijven" in page


def test_recording_an_assessment_and_a_score_above_the_maximum(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    url = f"/parents/{world.parent_a}/assessments/new"
    bad = {"program_id": str(world.program_id), "child_id": str(world.child_a), "name": "Tussentoets lezen",
           "score": "12", "max_score": "10", "taken_on": "2026-01-20"}
    response = post(client, url, bad)
    assert response.status_code == 422
    assert "De score kan niet hoger zijn dan de maximale score." in response.get_data(as_text=True)
    response = post(client, url, {**bad, "score": "7,5"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De toetsuitslag is opgeslagen." in page and "Tussentoets lezen" in page and "7,5 / 10" in page
    assert "di 20 jan 2026" in page


def test_a_payout_above_what_is_outstanding_is_refused_and_a_fitting_one_saved(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    post(client, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "present"})
    url = f"/programs/{world.program_id}/payouts/{world.parent_a}/new"
    page = client.get(url).get_data(as_text=True)
    assert 'value="12,50"' in page  # the outstanding amount is offered
    response = post(client, url, {"amount": "20,00", "method": "cash"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Dat is meer dan er openstaat (€ 12,50)." in page and 'value="20,00"' in page
    response = post(client, url, {"amount": "12,50", "method": "cash"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De uitbetaling aan Fatima El Amrani is opgeslagen." in page
    rewards = page.split('id="rewards"', 1)[1]
    assert "€ 12,50" in rewards and "Uitbetalen" not in rewards.split("Jan de Vries")[0].split("Fatima El Amrani")[1]


@pytest.mark.parametrize("typed", ["1e30", "1e999999", "1e9999999999", "99999999999999999999999999999999,99"])
def test_a_number_too_big_to_mean_anything_is_refused_on_the_form(app: Flask, world: World, client_as, typed) -> None:
    client = client_as("trainer")
    before = app.extensions["betrokken"].service.events.recorder.max_notification_id()
    payout = post(client, f"/programs/{world.program_id}/payouts/{world.parent_a}/new", {"amount": typed, "method": "cash"})
    assert payout.status_code == 422 and "Een bedrag is hoogstens € 10.000.000." in payout.get_data(as_text=True)
    assessment = post(client, f"/parents/{world.parent_a}/assessments/new", {
        "program_id": str(world.program_id), "child_id": str(world.child_a), "name": "Toets",
        "score": typed, "max_score": typed, "taken_on": "2026-01-20",
    })
    assert assessment.status_code == 422 and "Dat getal is te groot." in assessment.get_data(as_text=True)
    assert app.extensions["betrokken"].service.events.recorder.max_notification_id() == before


def test_adding_a_child(world: World, client_as) -> None:
    client = client_as("trainer")
    response = post(client, f"/parents/{world.parent_a}/children/new", {"name": "Ilyas", "group": "1"})
    assert response.status_code == 302
    assert "Ilyas" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_form_without_the_csrf_token_is_refused(app: Flask, client_as) -> None:
    response = client_as("trainer").post("/parents/new", data={"school": "12AB", "name": "Zonder token"})
    assert response.status_code == 400
    assert app.extensions["betrokken"].service.parents() == []
