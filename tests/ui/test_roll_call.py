"""Taking the roll call, correcting it, and seeing the figures and the history change."""

from __future__ import annotations

import re

from flask import Flask

from tests.ui.conftest import World, post


def checked(page: str, parent_id: object, status: str) -> bool:
    return re.search(rf'name="status-{parent_id}" value="{status}" checked', page) is not None


def test_one_save_records_attendance_and_homework_and_redirects_with_a_message(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    response = post(client, f"/sessions/{world.session_1}", {
        f"status-{world.parent_a}": "present", f"homework-{world.parent_a}": "on",
        f"status-{world.parent_b}": "excused",
    })
    assert response.status_code == 302 and response.headers["Location"] == f"/sessions/{world.session_1}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De presentie is opgeslagen." in page
    assert checked(page, world.parent_a, "present") and checked(page, world.parent_b, "excused")
    assert re.search(rf'name="homework-{world.parent_a}" checked', page)
    session = app.extensions["betrokken"].service.session(world.session_1)
    assert session.attendance == {world.parent_a: "present", world.parent_b: "excused"}
    assert session.homework_done == {world.parent_a: True}  # an unticked box records nothing


def test_a_correction_shows_in_the_history_and_changes_the_programme_figures(world: World, client_as) -> None:
    client = client_as("trainer")
    post(client, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "absent", f"status-{world.parent_b}": "present"})
    before = client.get(f"/programs/{world.program_id}").get_data(as_text=True)
    post(client, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "present", f"status-{world.parent_b}": "present"})
    page = client.get(f"/sessions/{world.session_1}").get_data(as_text=True)
    history = page.split("Geschiedenis en correcties", 1)[1]
    assert "correctie" in history and "Afwezig → Aanwezig" in history
    assert "trainer" in history
    assert history.count("<tr>") == 4  # header + three facts: two first records and one correction
    after = client.get(f"/programs/{world.program_id}").get_data(as_text=True)
    completion_before = before.split('id="completion"', 1)[1]
    completion_after = after.split('id="completion"', 1)[1]
    assert completion_before != completion_after
    rows = after.split('id="rewards"', 1)[1]
    assert rows.count("€ 12,50") >= 2  # both parents earned one session's reward


def test_saving_the_same_roll_call_again_records_nothing_new(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    data = {f"status-{world.parent_a}": "present"}
    post(client, f"/sessions/{world.session_1}", data)
    version = app.extensions["betrokken"].service.session(world.session_1).version
    post(client, f"/sessions/{world.session_1}", data)
    assert app.extensions["betrokken"].service.session(world.session_1).version == version


def test_a_roll_call_without_the_csrf_token_is_refused_and_records_nothing(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    response = client.post(f"/sessions/{world.session_1}", data={f"status-{world.parent_a}": "present"})
    assert response.status_code == 400
    assert app.extensions["betrokken"].service.session(world.session_1).attendance == {}


def test_a_roll_call_on_a_cancelled_session_is_refused_on_the_page(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    page = client.get(f"/sessions/{world.session_2}").get_data(as_text=True)
    assert "Bijeenkomst annuleren" in page
    response = post(client, f"/sessions/{world.session_2}/cancellation", {"cancel-reason": "Studiedag"}, follow=True)
    assert "De bijeenkomst is geannuleerd." in response.get_data(as_text=True)
    response = post(client, f"/sessions/{world.session_2}", {f"status-{world.parent_a}": "present"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Deze bijeenkomst is geannuleerd." in page and "Studiedag" in page


def test_a_withdrawn_parent_has_no_row_on_later_sessions(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    s2 = service.session(world.session_2)
    service.withdraw(world.program_id, parent_id=world.parent_b, reason="verhuisd", withdrawn_on=s2.date)
    page = client_as("trainer").get(f"/sessions/{world.session_2}").get_data(as_text=True)
    assert "Fatima El Amrani" in page and "Jan de Vries" not in page
    page = client_as("trainer").get(f"/sessions/{world.session_1}").get_data(as_text=True)
    assert "Jan de Vries" in page


def test_an_auditor_sees_the_roll_call_read_only_and_may_not_save_it(app: Flask, world: World, client_as) -> None:
    client_as("trainer")
    app.extensions["betrokken"].service.take_roll_call(world.session_1, [(world.parent_a, "present")])
    client = client_as("controle")
    page = client.get(f"/sessions/{world.session_1}").get_data(as_text=True)
    assert "Fatima El Amrani" in page and "Aanwezig" in page
    assert 'type="radio"' not in page and "Opslaan" not in page
    response = post(client, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "absent"})
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)
    assert app.extensions["betrokken"].service.session(world.session_1).attendance[world.parent_a] == "present"
