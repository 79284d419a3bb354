"""The start page and the parents page list 50 a page with "vorige" / "volgende"; the parents
page searches names; a tampered cursor is a friendly 400, never a 500."""

from __future__ import annotations

import re

from flask import Flask

from tests.ui.conftest import World

TODAY = "2025-09-01"


def register(app: Flask, count: int, school: str = "12AB", name: str = "Ouder") -> None:
    service = app.extensions["betrokken"].service
    for i in range(count):
        service.register_parent(school=school, name=f"{name} {i:03d}", children=[("Kind", 3)])


def rows(page: str) -> list[str]:
    """The names linked in the list's rows."""
    return re.findall(r'<th scope="row"><a href="/(?:parents|programs)/[^"]+">([^<]+)</a>', page)


def follow(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_parents_page_pages_by_50_back_and_forth(app: Flask, world: World, client_as) -> None:
    register(app, 60)
    client = client_as("trainer")
    first = client.get("/parents").get_data(as_text=True)
    assert len(rows(first)) == 50 and follow(first, "prev") is None
    second = client.get(follow(first, "next") or "").get_data(as_text=True)
    everyone = rows(first) + rows(second)
    assert len(everyone) == len(set(everyone)) == 60 + 2  # the world's two parents at 12AB first
    assert everyone[-1] == "Ouder 059" and follow(second, "next") is None
    back = client.get(follow(second, "prev") or "").get_data(as_text=True)
    assert rows(back) == rows(first)


def test_the_parents_page_searches_names_within_my_schools(app: Flask, world: World, client_as) -> None:
    register(app, 3, name="Zeynep")
    register(app, 1, school="34CD", name="Zeynep elders")
    client = client_as("trainer")
    page = client.get("/parents?q=zeyn").get_data(as_text=True)
    assert rows(page) == ["Zeynep 000", "Zeynep 001", "Zeynep 002"]
    assert 'value="zeyn"' in page
    none = client.get("/parents?q=qqqq").get_data(as_text=True)
    assert "Geen ouder gevonden" in none


def test_the_start_page_pages_programmes_and_shows_their_figures(app: Flask, world: World, client_as) -> None:
    service = app.extensions["betrokken"].service
    from datetime import date

    for i in range(55):
        service.create_program(school="12AB", name=f"Extra {i:02d}", kind="custom", starts_on=date(2025, 9, 1))
    client = client_as("trainer")
    first = client.get("/").get_data(as_text=True)
    assert rows(first)[0] == "Voorlezen groep 3" and len(rows(first)) == 50
    second = client.get(follow(first, "next") or "").get_data(as_text=True)
    assert rows(second)[-1] == "Extra 54" and len(set(rows(first) + rows(second))) == 56
    assert follow(second, "next") is None


def test_a_tampered_cursor_is_a_friendly_400(world: World, client_as) -> None:
    client = client_as("trainer")
    for url in ("/parents?after=nonsense", "/?before=W10", "/parents?after=" + "x" * 5000):
        response = client.get(url)
        assert response.status_code == 400 and "Ongeldig verzoek" in response.get_data(as_text=True)
