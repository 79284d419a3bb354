"""Roles: what a role may not do is not shown and is refused with 403; languages and formats."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.ui.conftest import World, post


def form_urls(world: World) -> list[str]:
    p, a = world.program_id, world.parent_a
    return [
        "/parents/new", "/programs/new", f"/programs/{p}/sessions/new", f"/programs/{p}/enrolments/new",
        f"/programs/{p}/enrolments/{a}/withdrawal", f"/programs/{p}/payouts/{a}/new",
        f"/parents/{a}/assessments/new", f"/parents/{a}/children/new",
    ]


@pytest.mark.parametrize("user", ["controle", "analist"])
def test_roles_without_commands_get_403_on_every_form(world: World, client_as, user: str) -> None:
    client = client_as(user)
    for url in form_urls(world):
        assert client.get(url).status_code == 403, url
        response = post(client, url, {"name": "x"})
        assert response.status_code == 403, url
        assert "Geen toegang" in response.get_data(as_text=True)
    assert post(client, f"/sessions/{world.session_2}/cancellation", {"cancel-reason": "x"}).status_code == 403


@pytest.mark.parametrize("user", ["controle", "analist"])
def test_roles_without_commands_see_no_command_links(world: World, client_as, user: str) -> None:
    client = client_as(user)
    for url in ("/", f"/programs/{world.program_id}"):
        page = client.get(url).get_data(as_text=True)
        for text in ("Nieuw programma", "Ouder registreren", "Bijeenkomsten inplannen", "Ouder inschrijven", "Uitschrijven", "Uitbetalen"):
            assert text not in page, (url, text)


def test_an_auditor_reads_parents_and_programmes_of_their_school(world: World, client_as) -> None:
    client = client_as("controle")
    assert "Fatima El Amrani" in client.get(f"/programs/{world.program_id}").get_data(as_text=True)
    assert client.get(f"/parents/{world.parent_a}").status_code == 200
    assert client.get(f"/parents/{world.other_parent}").status_code == 404


def test_an_analyst_sees_figures_but_no_names_and_no_parent_records(world: World, client_as) -> None:
    client = client_as("analist")
    response = client.get(f"/programs/{world.program_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Afronding" in page and "<svg" in page
    assert "Fatima El Amrani" not in page and "Jan de Vries" not in page
    assert f"Ouder {str(world.parent_a)[:8]}" in page
    csv_text = client.get(f"/programs/{world.program_id}/completion.csv").get_data(as_text=True)
    assert csv_text.startswith("parent_id,attended,") and "Fatima" not in csv_text
    for url in (f"/parents/{world.parent_a}", f"/sessions/{world.session_1}", "/parents"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Fatima" not in response.get_data(as_text=True)
    assert "Ouders" not in client.get("/").get_data(as_text=True).split("<main", 1)[0]


def test_an_analyst_of_one_school_gets_404_for_another(world: World, client_as) -> None:
    assert client_as("analist").get(f"/programs/{world.other_program_id}").status_code == 404


def test_switching_to_english_and_back(world: World, client_as) -> None:
    client = client_as("trainer")
    url = f"/sessions/{world.session_1}"
    response = post(client, "/language", {"lang": "en", "next": url})
    assert response.status_code == 302 and response.headers["Location"] == url
    page = client.get(url).get_data(as_text=True)
    assert '<html lang="en">' in page
    for label in ("<span>Present</span>", "<span>Absent</span>", "<span>Excused</span>", "<span>Homework done</span>", ">Save<", "Nederlands"):
        assert label in page
    assert "Aanwezig<" not in page
    post(client, "/language", {"lang": "nl", "next": url})
    assert "<span>Aanwezig</span>" in client.get(url).get_data(as_text=True)


def test_english_shows_errors_dates_and_money_in_english(world: World, client_as) -> None:
    client = client_as("trainer")
    post(client, "/language", {"lang": "en", "next": "/"})
    response = post(client, "/parents/new", {"school": "12AB", "name": "", "children-0-name": "Noah", "children-0-group": "9"})
    page = response.get_data(as_text=True)
    assert "Fill in this field." in page and "A group is 1 to 8." in page and 'value="Noah"' in page
    response = post(client, f"/programs/{world.program_id}/payouts/{world.parent_a}/new", {"amount": "5", "method": "cash"})
    assert "That is more than is outstanding (€0.00)." in response.get_data(as_text=True)
    response = post(client, f"/programs/{world.program_id}/sessions/new", {"title": "Avond", "first_date": "2026-09-07", "time": "19:00", "weeks": "1"})
    assert "Mon 7 Sep 2026 19:00" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_language_choice_survives_signing_in_and_an_unknown_language_is_ignored(app: Flask) -> None:
    from tests.ui.conftest import csrf_token, login

    client = app.test_client()
    client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token(client)})
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    login(client, "trainer")
    assert "Programmes" in client.get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "xx", "next": "//evil.example", "csrf_token": csrf_token(client, "/")})
    response = client.get("/")
    assert "Programmes" in response.get_data(as_text=True)


def test_dutch_dates_and_money_match_the_schools_format() -> None:
    from datetime import date

    from web import i18n

    app = Flask(__name__)
    app.secret_key = "x"
    i18n.babel.init_app(app, locale_selector=lambda: "nl")
    with app.test_request_context():
        assert i18n.fmt_date(date(2026, 9, 7)) == "ma 7 sep 2026"
        assert i18n.fmt_money(1250) == "€ 12,50"
        assert i18n.fmt_money(123450) == "€ 1.234,50"
        assert i18n.fmt_percent(0.75) == "75%"
        assert i18n.fmt_percent(None) == "–"


def test_the_compiled_english_catalogue_matches_its_po(tmp_path) -> None:
    import shutil

    from web.i18n import TRANSLATIONS, compile_catalogues

    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy)
    for mo in copy.glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    compile_catalogues(copy)
    fresh = (copy / "en/LC_MESSAGES/messages.mo").read_bytes()
    assert fresh == (TRANSLATIONS / "en/LC_MESSAGES/messages.mo").read_bytes()


def test_every_message_has_an_english_translation() -> None:
    from babel.messages.pofile import read_po

    from web.i18n import TRANSLATIONS

    with open(TRANSLATIONS / "en/LC_MESSAGES/messages.po", "rb") as f:
        catalogue = read_po(f)
    missing = [m.id for m in catalogue if m.id and not m.string]
    assert missing == []
