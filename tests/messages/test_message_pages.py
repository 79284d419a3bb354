"""The staff UI: the message form says before sending how many the cap holds back; the parent
page lists the parent's messages. Dutch first."""

from __future__ import annotations

import re
from datetime import date, datetime
from uuid import UUID

from flask import Flask

from application.actor import Actor
from application.messages import Draft, Messages
from domain.message import QUIET_TZ
from tests.messages.conftest import Clock
from tests.ui.conftest import app, client_as, post  # noqa: F401  (fixtures)
from web.api_messages import EXTENSION

ADMIN = Actor("beheer", "admin", None)


def programme(app: Flask) -> tuple[UUID, list[UUID]]:  # noqa: F811
    service = app.extensions["betrokken"].service
    program = service.create_program(school="12AB", name="Voorlezen groep 3", kind="pact",
                                     starts_on=date(2026, 9, 1), actor=ADMIN)
    ids = []
    for name in ("Fatima El Amrani", "Jan de Vries", "Sanne Bakker"):
        p = service.register_parent(school="12AB", name=name, email=f"{name.split()[0].lower()}@example.nl",
                                    children=[("Kind", 3)], actor=ADMIN)
        service.enroll(program.id, parent_id=p.id, enrolled_on=date(2026, 9, 1), actor=ADMIN)
        ids.append(p.id)
    messages = Messages(service, Clock(datetime(2026, 12, 1, 10, 0, tzinfo=QUIET_TZ)))
    app.extensions[EXTENSION] = messages
    for _ in range(3):  # Fatima has had her three this week
        messages.write(Draft("informeren", "Hallo"), parent_ids=[ids[0]])
    return program.id, ids


def test_the_form_says_before_sending_how_many_the_weekly_cap_holds_back(app: Flask, client_as) -> None:  # noqa: F811
    program_id, parents = programme(app)
    client = client_as("trainer")
    page = client.get(f"/messages/new?program={program_id}").get_data(as_text=True)
    assert "Dit bericht gaat naar 2 ouder(s)." in page
    assert "al 3 berichten deze week: 1" in page
    sent = post(client, f"/messages/new?program={program_id}",
                {"purpose": "herinnering", "text": "Beste {naam}, morgen om 19.00 uur in {plaats}.", "place": "de aula"},
                follow=True)
    body = sent.get_data(as_text=True)
    assert sent.status_code == 200 and "Bericht klaargezet voor 2 ouder(s)." in body
    assert "Niet verstuurd aan 1 ouder(s) (al 3 berichten deze week: 1)." in body
    parent_page = client.get(f"/parents/{parents[1]}").get_data(as_text=True)
    assert "Beste Jan de Vries, morgen om 19.00 uur in de aula." in parent_page
    assert "Herinnering" in parent_page and "klaar om te versturen" in parent_page
    capped = client.get(f"/parents/{parents[0]}").get_data(as_text=True)
    assert "niet verstuurd (al 3 berichten deze week)" in capped


def test_a_template_with_an_unknown_placeholder_is_shown_again_with_what_was_typed(app: Flask, client_as) -> None:  # noqa: F811
    _, parents = programme(app)
    client = client_as("trainer")
    answer = post(client, f"/messages/new?parent={parents[1]}", {"purpose": "informeren", "text": "Beste {voornaam}"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Gebruik alleen {naam}, {datum} en {plaats}." in page and "Beste {voornaam}" in page
    assert "Nog geen berichten." in client.get(f"/parents/{parents[1]}").get_data(as_text=True)


def test_the_form_is_for_those_who_run_programmes_and_within_their_schools(app: Flask, client_as) -> None:  # noqa: F811
    program_id, parents = programme(app)
    assert client_as("analist").get(f"/messages/new?parent={parents[1]}").status_code == 403
    assert client_as("controle").get(f"/messages/new?parent={parents[1]}").status_code == 403
    assert client_as("trainer2").get(f"/messages/new?program={program_id}").status_code == 404
    assert client_as("trainer").get("/messages/new").status_code == 404
    assert client_as("trainer").get("/messages/new?parent=not-an-id").status_code == 404


def test_the_english_ui_translates_the_form(app: Flask, client_as) -> None:  # noqa: F811
    program_id, _ = programme(app)
    client = client_as("trainer")
    post(client, "/language", {"lang": "en", "next": "/"})
    page = client.get(f"/messages/new?program={program_id}").get_data(as_text=True)
    assert "This message goes to 2 parent(s)." in page and "already 3 messages this week: 1" in page


def test_staff_record_a_parents_opt_out_and_choice_of_a_weekly_digest(app: Flask, client_as) -> None:  # noqa: F811
    _, parents = programme(app)
    jan = parents[1]
    client = client_as("trainer")
    saved = post(client, f"/parents/{jan}/message-preferences", {"no_email": "y", "delivery": "digest"}, follow=True)
    assert saved.status_code == 200 and "De voorkeuren voor berichten zijn opgeslagen." in saved.get_data(as_text=True)
    messages = app.extensions[EXTENSION]
    assert messages.opted_out(jan) == {"email"} and messages.delivery(jan) == "digest"
    page = client.get(f"/parents/{jan}").get_data(as_text=True)
    assert re.search(r'<input checked id="no_email"|<input[^>]*id="no_email"[^>]*checked', page), "the opt-out is shown"
    assert re.search(r'<input checked[^>]*value="digest"|<input[^>]*value="digest"[^>]*checked', page)
    post(client, f"/parents/{jan}/message-preferences", {"delivery": "each"})
    assert messages.opted_out(jan) == set() and messages.delivery(jan) == "each"
    assert post(client_as("controle"), f"/parents/{jan}/message-preferences", {"delivery": "each"}).status_code == 403
    assert post(client, f"/parents/{jan}/message-preferences", {"delivery": "elke eeuw"}).status_code == 422


def test_a_message_to_those_who_missed_the_last_session(app: Flask, client_as) -> None:  # noqa: F811
    program_id, parents = programme(app)
    service = app.extensions["betrokken"].service
    first, last = service.schedule_series(program_id, title="Voorleesavond", first_starts_at=datetime(
        2026, 11, 17, 19, tzinfo=QUIET_TZ), weeks=2, actor=ADMIN)
    service.take_roll_call(first.id, [(p, "absent") for p in parents], actor=ADMIN)
    # the last one: Fatima there, Jan absent, Sanne without a record (counts as absent)
    service.take_roll_call(last.id, [(parents[0], "present"), (parents[1], "absent")], actor=ADMIN)
    client = client_as("trainer")
    page = client.get(f"/messages/new?program={program_id}&absent=1").get_data(as_text=True)
    assert "wie er niet was bij Voorleesavond 2 (" in page and "Dit bericht gaat naar 2 ouder(s)." in page
    sent = post(client, f"/messages/new?program={program_id}&absent=1",
                {"purpose": "aanmoedigen", "text": "We misten je, {naam}!"}, follow=True)
    assert "Bericht klaargezet voor 2 ouder(s)." in sent.get_data(as_text=True)
    messages = app.extensions[EXTENSION]
    assert [m.text for m in messages.of_parent(parents[1])] == ["We misten je, Jan de Vries!"]
    assert [m.text for m in messages.of_parent(parents[2])] == ["We misten je, Sanne Bakker!"]
    assert all(m.text == "Hallo" for m in messages.of_parent(parents[0]))


def test_a_translation_reaches_the_parents_who_speak_it_and_dutch_the_rest(app: Flask, client_as) -> None:  # noqa: F811
    program_id, parents = programme(app)
    service = app.extensions["betrokken"].service
    ayse = service.register_parent(school="12AB", name="Ayşe Kaya", email="ayse@example.nl", language="Turks",
                                   children=[("Elif", 3)], actor=ADMIN)
    service.enroll(program_id, parent_id=ayse.id, enrolled_on=date(2026, 9, 1), actor=ADMIN)
    client = client_as("trainer")
    assert "Talen thuis van deze ouders: tr (1)" in client.get(f"/messages/new?program={program_id}").get_data(as_text=True)
    post(client, f"/messages/new?program={program_id}", {
        "purpose": "informeren", "text": "Beste {naam}, tot donderdag.",
        "translations-0-language": "tr", "translations-0-text": "Sayın {naam}, perşembe görüşmek üzere.",
    })
    messages = app.extensions[EXTENSION]
    assert [m.text for m in messages.of_parent(ayse.id)] == ["Sayın Ayşe Kaya, perşembe görüşmek üzere."]
    assert [m.text for m in messages.of_parent(parents[1])] == ["Beste Jan de Vries, tot donderdag."]
