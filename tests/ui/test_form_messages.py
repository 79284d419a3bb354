"""Every staff form, sent with mistakes: one message per mistake saying what is expected (never a
second one about the same field, never the library's English), what was typed kept, nothing
recorded; and phone numbers and e-mail addresses are checked."""

from __future__ import annotations

import re
from typing import Callable

import pytest
from flask import Flask

from tests.ui.conftest import World, post

ERROR = re.compile(r'<p class="error-text"[^>]*>(.*?)</p>', re.S)

Case = tuple[Callable[[World], str], Callable[[World], dict[str, str]], list[str]]

CASES: dict[str, Case] = {
    "register a parent": (lambda w: "/parents/new", lambda w: {
        "school": "12AB", "name": "Ayşe", "phone": "bel me", "email": "ayse@", "children-0-name": "Elif", "children-0-group": "vijf",
    }, ["Vul een telefoonnummer in, bijvoorbeeld 06-12345678 of +31 6 12345678.", "Vul een geldig e-mailadres in.",
        "Vul de groep van het kind in (1 tot en met 8)."]),
    "add a child": (lambda w: f"/parents/{w.parent_a}/children/new", lambda w: {"name": "Amira", "group": "twee"},
                    ["Vul de groep van het kind in (1 tot en met 8)."]),
    "record an assessment": (lambda w: f"/parents/{w.parent_a}/assessments/new", lambda w: {
        "program_id": str(w.program_id), "child_id": str(w.child_a), "name": "Toets", "score": "acht", "max_score": "10",
        "taken_on": "32-13-2026",
    }, ["Vul een getal in, bijvoorbeeld 7,5.", "Vul een datum in, bijvoorbeeld 01-12-2026."]),
    "create a programme": (lambda w: "/programs/new", lambda w: {
        "school": "12AB", "name": "Lezen", "kind": "pact", "starts_on": "morgen", "min_attendance_pct": "veel",
        "min_homework_pct": "75%", "min_sessions_attended": "drie", "per_session": "12,50", "per_homework": "0",
        "per_assessment": "0", "assessment_threshold_pct": "60", "cap": "", "payout": "cash",
    }, ["Vul een datum in, bijvoorbeeld 01-12-2026.", "Vul een getal in, bijvoorbeeld 7,5.", "Vul een heel getal in, bijvoorbeeld 3."]),
    "schedule sessions": (lambda w: f"/programs/{w.program_id}/sessions/new", lambda w: {
        "title": "Avond", "first_date": "1-13-2026", "time": "25.00", "weeks": "tien", "cadence": "weekly",
    }, ["Vul een datum in, bijvoorbeeld 01-12-2026.", "Vul een tijd in, bijvoorbeeld 19.00.", "Vul een heel getal in, bijvoorbeeld 3."]),
    "withdraw": (lambda w: f"/programs/{w.program_id}/enrolments/{w.parent_a}/withdrawal", lambda w: {"withdrawn_on": "ooit", "reason": "verhuisd"},
                 ["Vul een datum in, bijvoorbeeld 01-12-2026."]),
    "record a payout": (lambda w: f"/programs/{w.program_id}/payouts/{w.parent_a}/new", lambda w: {"amount": "tien euro", "method": "cash"},
                        ["Vul een bedrag in euro in, bijvoorbeeld 12,50."]),
    "correct a parent": (lambda w: f"/parents/{w.parent_a}/edit", lambda w: {"name": "Fatima", "phone": "12", "email": "fatima.nl"},
                         ["Vul een telefoonnummer in, bijvoorbeeld 06-12345678 of +31 6 12345678.", "Vul een geldig e-mailadres in."]),
    "correct a child": (lambda w: f"/parents/{w.parent_a}/children/{w.child_a}/edit", lambda w: {"name": "Yusuf", "group": "drie"},
                        ["Vul de groep van het kind in (1 tot en met 8)."]),
    "write a message": (lambda w: f"/messages/new?parent={w.parent_a}", lambda w: {"purpose": "informeren", "text": "Tot {datum}!", "on": "1 december"},
                        ["Vul een datum in, bijvoorbeeld 01-12-2026."]),
}


@pytest.mark.parametrize("name", CASES)
def test_each_mistake_gets_one_message_that_says_what_is_expected(app: Flask, world: World, client_as, name: str) -> None:
    url, typing, expected = CASES[name]
    typed = typing(world)
    before = app.extensions["betrokken"].service.recorder.max_notification_id()
    response = post(client_as("beheer"), url(world), typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    shown = [m.strip() for m in ERROR.findall(page)]
    assert shown == expected
    for value in typed.values():  # what was typed stays in the form
        if value and not re.fullmatch(r"[0-9a-f-]{36}|cash|pact|weekly|informeren", value):
            assert f'value="{value}"' in page or re.search(rf">\s*{re.escape(value)}<", page), value
    assert app.extensions["betrokken"].service.recorder.max_notification_id() == before


@pytest.mark.parametrize("phone", ["06-12345678", "+31 6 1234 5678", "010 123 4567", "(020) 555 12 34"])
def test_phone_numbers_as_people_write_them_are_taken(app: Flask, client_as, phone: str) -> None:
    response = post(client_as("trainer"), "/parents/new", {"school": "12AB", "name": "Ouder", "phone": phone})
    assert response.status_code == 302
    (parent,) = app.extensions["betrokken"].service.parents()
    assert parent.phone == phone
