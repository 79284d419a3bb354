"""The enrolment and assessment pickers: parents sorted by name with erased ones left out, only the
chosen parent's children offered, and a parent enrolled for more than one child."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask

from tests.ui.conftest import World, csrf_token, post


def test_the_enrolment_picker_sorts_parents_by_name_and_leaves_out_erased_ones(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    for name in ("zoë Visser", "Anna Bos", "Mohammed Amrani"):
        service.register_parent(school="12AB", name=name, children=[("Kind", 3)])
    gone = service.register_parent(school="12AB", name="Weg Gegaan", children=[("Kind", 3)])
    service.erase_parent(gone.id, reason="verzoek van de ouder")
    page = client_as("trainer").get(f"/programs/{world.program_id}/enrolments/new").get_data(as_text=True)
    select = page[page.index('<select id="parent_id"'):page.index("</select>")]
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select)[1:] == ["Anna Bos", "Mohammed Amrani", "zoë Visser"]
    assert str(gone.id) not in page
    assert 'data-search-for="parent_id"' in page and "pickers.js" in page


def test_only_the_chosen_parents_children_are_shown(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    ayse = service.register_parent(school="12AB", name="Ayşe Yılmaz", children=[("Elif", 5), ("Can", 2)])
    other = service.register_parent(school="12AB", name="Sara Jansen", children=[("Mila", 1)])
    page = client_as("trainer").get(f"/programs/{world.program_id}/enrolments/new?parent={ayse.id}").get_data(as_text=True)
    shown = re.findall(r'<li data-parent="([^"]+)">.*?<span>([^<]+)</span>', page)
    assert shown == [(str(ayse.id), "Can (groep 2)"), (str(ayse.id), "Elif (groep 5)")]  # sorted by name
    assert f'<li data-parent="{other.id}" hidden>' in page


def test_a_parent_is_enrolled_for_two_children_on_the_form(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    ayse = service.register_parent(school="12AB", name="Ayşe Yılmaz", children=[("Elif", 5), ("Can", 2), ("Ada", 7)])
    elif_, can, _ada = ayse.children
    client = client_as("trainer")
    response = client.post(f"/programs/{world.program_id}/enrolments/new", data={
        "parent_id": str(ayse.id), "child_id": [str(elif_), str(can)], "enrolled_on": date.today().isoformat(),
        "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    enrolment = service.program(world.program_id).current_enrolment(ayse.id)
    assert enrolment is not None and set(enrolment.child_ids) == {elif_, can}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Elif (groep 5), Can (groep 2)" in page  # the programme's list names both


def test_another_parents_child_is_refused_with_what_was_chosen_kept(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    ayse = service.register_parent(school="12AB", name="Ayşe Yılmaz", children=[("Elif", 5)])
    other = service.register_parent(school="12AB", name="Sara Jansen", children=[("Mila", 1)])
    (mila,) = other.children
    response = post(client_as("trainer"), f"/programs/{world.program_id}/enrolments/new", {
        "parent_id": str(ayse.id), "child_id": str(mila), "enrolled_on": "01-12-2026"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kies alleen kinderen van de gekozen ouder." in page
    assert f'<option selected value="{ayse.id}">' in page and 'value="01-12-2026"' in page
    assert service.program(world.program_id).current_enrolment(ayse.id) is None


def test_the_assessment_form_offers_the_parents_children_by_name(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    service.add_child(world.parent_a, name="Amira", group=6)
    page = client_as("trainer").get(f"/parents/{world.parent_a}/assessments/new").get_data(as_text=True)
    select = page[page.index('<select id="child_id"'):]
    select = select[:select.index("</select>")]
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select) == ["Amira (groep 6)", "Yusuf (groep 3)"]



def test_in_english_a_new_parent_is_registered_and_the_picker_speaks_english(app: Flask, world: World, client_as) -> None:
    client = client_as("trainer")
    post(client, "/language", {"lang": "en", "next": "/"})
    response = post(client, "/parents/new", {"school": "12AB", "name": "Sara Jansen", "phone": "06 1234 5678"}, follow=True)
    assert "Sara Jansen has been registered." in response.get_data(as_text=True)
    page = client.get(f"/programs/{world.program_id}/enrolments/new").get_data(as_text=True)
    assert "Search for a parent by name" in page and "For which children (optional)" in page
