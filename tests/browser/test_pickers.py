"""The enrolment picker in a real browser (pickers.js): the search box narrows the parents, and
choosing a parent shows only their children, several of whom can be ticked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server
from tests.browser.test_staff_journey import sign_in

pytestmark = pytest.mark.browser


def test_the_enrolment_picker_searches_and_follows_the_chosen_parent(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="nl-NL")
    page = context.new_page()
    try:
        sign_in(page, server, "trainer")
        for name, children in (("Ayşe Yılmaz", [("Elif", 5), ("Can", 2)]), ("Sara Jansen", [("Mila", 1)])):
            page.goto(f"{server.url}/parents/new")
            page.get_by_label("Naam ouder").fill(name)
            for i, (child, group) in enumerate(children):
                page.locator(f"#children-{i}-name").fill(child)
                page.locator(f"#children-{i}-group").fill(str(group))
            page.get_by_role("button", name="Registreren").click()
            expect(page.locator(".flash-success")).to_contain_text(f"{name} is geregistreerd.")
        page.goto(f"{server.url}/programs/new")
        page.get_by_label("Naam programma").fill("Kiezen en zoeken")
        page.get_by_role("button", name="Programma aanmaken").click()
        program_url = page.url
        page.goto(f"{program_url}/enrolments/many")  # the list of many parents searches too
        page.get_by_label("Zoek een ouder op naam").fill("jan")
        expect(page.get_by_label("Ayşe Yılmaz")).to_be_hidden()
        expect(page.get_by_label("Sara Jansen")).to_be_visible()
        page.goto(program_url)
        page.get_by_role("link", name="Ouder inschrijven").click()

        expect(page.get_by_text("Kies eerst een ouder")).to_be_visible()  # no parent yet: no children
        expect(page.get_by_label("Mila (groep 1)")).to_be_hidden()
        page.get_by_label("Zoek een ouder op naam").fill("ayse")  # without the accents
        options = page.locator("#parent_id option")
        expect(options.filter(has_text="Sara Jansen")).to_have_attribute("hidden", "")
        expect(options.filter(has_text="Ayşe Yılmaz")).not_to_have_attribute("hidden", "")

        page.get_by_label("Ouder", exact=True).select_option(label="Ayşe Yılmaz")
        expect(page.get_by_label("Mila (groep 1)")).to_be_hidden()
        page.get_by_label("Elif (groep 5)").check()
        page.get_by_label("Can (groep 2)").check()
        page.get_by_role("button", name="Inschrijven").click()
        expect(page.locator(".flash-success")).to_contain_text("De ouder is ingeschreven voor Kiezen en zoeken.")
        expect(page.locator("#parents")).to_contain_text("Can (groep 2), Elif (groep 5)")
    finally:
        context.close()
