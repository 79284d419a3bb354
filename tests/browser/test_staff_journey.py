"""The staff journey in a real browser against a live server: sign in, register parents, create a
programme, enrol, schedule a weekly series, take the roll call on a tablet-sized screen (partly
by keyboard), correct it, watch the programme's figures change, switch language, and be refused
a page the role may not see."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, Server

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"
# The README's screenshot is refreshed only on request (BETROKKEN_SCREENSHOTS=1): a test run never
# writes into the source tree.
UPDATE_SCREENSHOTS = os.environ.get("BETROKKEN_SCREENSHOTS") == "1"


def sign_in(page: Page, server: Server, name: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Je bent ingelogd als {name}")


def register_parent(page: Page, server: Server, name: str, child: str, group: int) -> str:
    page.goto(f"{server.url}/parents/new")
    page.get_by_label("Naam ouder").fill(name)
    page.locator("#children-0-name").fill(child)
    page.locator("#children-0-group").fill(str(group))
    page.get_by_role("button", name="Registreren").click()
    expect(page.locator(".flash-success")).to_contain_text(f"{name} is geregistreerd.")
    found = re.search(r"/parents/([0-9a-f-]{36})$", page.url)
    assert found, page.url
    return found.group(1)


def roll_call_row(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("row", name=re.compile(re.escape(name)))


def test_the_staff_journey(browser, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="nl-NL")
    page = context.new_page()
    sign_in(page, server, "trainer")

    # a parent form with a mistake keeps what was typed and says what is wrong
    page.goto(f"{server.url}/parents/new")
    page.get_by_label("Naam ouder").fill("Fatima El Amrani")
    page.locator("#children-0-name").fill("Yusuf")
    page.locator("#children-0-group").fill("9")
    page.get_by_role("button", name="Registreren").click()
    expect(page.locator("#children-0-group-error")).to_have_text(re.compile("Een groep is 1 tot en met 8"))
    expect(page.get_by_label("Naam ouder")).to_have_value("Fatima El Amrani")

    fatima = register_parent(page, server, "Fatima El Amrani", "Yusuf", 3)
    jan = register_parent(page, server, "Jan de Vries", "Emma", 4)

    # a programme from the PACT template, with a reward per session
    page.goto(f"{server.url}/programs/new")
    expect(page.get_by_label("Minimaal huiswerk gedaan (%)")).to_have_value("75")  # the template's default
    page.get_by_label("Naam programma").fill("Voorlezen groep 3")
    page.get_by_label("Beloning per bijeenkomst aanwezig (€)").fill("12,50")
    page.get_by_role("button", name="Programma aanmaken").click()
    expect(page.locator(".flash-success")).to_contain_text("Het programma Voorlezen groep 3 is aangemaakt.")
    program_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorlezen groep 3")

    # enrol both parents
    for name in ("Fatima El Amrani", "Jan de Vries"):
        page.get_by_role("link", name="Ouder inschrijven").click()
        page.get_by_label("Ouder", exact=True).select_option(label=name)
        page.get_by_role("button", name="Inschrijven").click()
        expect(page.locator(".flash-success")).to_contain_text("De ouder is ingeschreven")

    # a weekly series of three sessions with homework, in one go
    page.get_by_role("link", name="Bijeenkomsten inplannen").click()
    page.get_by_label("Titel").fill("Voorleesavond")
    page.get_by_label("Datum (eerste bijeenkomst)").fill(date.today().isoformat())
    page.get_by_label("Begintijd").fill("00:00")  # already begun whenever today the test runs: a roll call without asking
    page.get_by_label("Aantal weken (elke week één bijeenkomst)").fill("3")
    page.get_by_label("Huiswerk (leeg als er geen huiswerk is)").fill("Elke dag 20 minuten samen lezen")
    page.get_by_role("button", name="Inplannen").click()
    expect(page.locator(".flash-success")).to_contain_text("3 bijeenkomst(en) ingepland.")
    sessions = page.locator("table#sessions tbody tr")
    expect(sessions).to_have_count(3)

    # the roll call of the first session, on a 768 px wide tablet
    page.get_by_role("link", name="Presentie Voorleesavond 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Voorleesavond 1")
    fatima_row = roll_call_row(page, "Fatima El Amrani")
    jan_row = roll_call_row(page, "Jan de Vries")
    fatima_row.get_by_label("Aanwezig", exact=True).check()
    fatima_row.get_by_label("Huiswerk gedaan").check()
    # Jan's row by keyboard only: focus the first choice, Space selects, the arrow moves on
    jan_row.get_by_label("Aanwezig", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(jan_row.get_by_label("Afwezig", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(jan_row.get_by_label("Huiswerk gedaan")).to_be_focused()
    # touch targets are big and nothing scrolls sideways at 768 px
    box = jan_row.locator("label.choice").first.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    shot = (DOCS if UPDATE_SCREENSHOTS else tmp_path) / "rollcall.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000  # a picture of the page, not an empty canvas
    expect(page.get_by_role("button", name="Opslaan")).to_have_count(1)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".flash-success")).to_have_text("De presentie is opgeslagen.")
    expect(roll_call_row(page, "Jan de Vries").get_by_label("Afwezig", exact=True)).to_be_checked()
    rollcall_url = page.url

    # the programme page counts it: one present, one absent; Fatima earned € 12,50
    page.goto(program_url)
    first = page.locator("table#sessions tbody tr").first
    expect(first.locator("td.num").nth(0)).to_have_text("1")
    expect(first.locator("td.num").nth(2)).to_have_text("1")
    rewards = page.locator("table#rewards")
    expect(rewards.get_by_role("row", name=re.compile("Fatima El Amrani"))).to_contain_text("€ 12,50")
    expect(rewards.get_by_role("row", name=re.compile("Jan de Vries"))).to_contain_text("€ 0,00")
    expect(page.locator("figure.chart svg")).to_be_visible()

    # a correction: Jan was there after all
    page.goto(rollcall_url)
    roll_call_row(page, "Jan de Vries").get_by_label("Aanwezig", exact=True).check()
    page.get_by_role("button", name="Opslaan").click()
    history = page.locator("table.history")
    expect(history).to_contain_text("correctie")
    expect(history).to_contain_text("Afwezig → Aanwezig")
    expect(history).to_contain_text("trainer")

    page.goto(program_url)
    first = page.locator("table#sessions tbody tr").first
    expect(first.locator("td.num").nth(0)).to_have_text("2")
    expect(first.locator("td.num").nth(2)).to_have_text("0")
    expect(page.locator("table#rewards").get_by_role("row", name=re.compile("Jan de Vries"))).to_contain_text("€ 12,50")
    expect(page.locator("table#completion").get_by_role("row", name=re.compile("Jan de Vries"))).to_contain_text("100%")

    # the CSV of the rewards table, with the session cookie
    with page.expect_download() as download:
        page.locator("a.download").last.click()
    csv_text = Path(download.value.path()).read_text()
    assert csv_text.startswith("parent_id,name,") and "1250" in csv_text and fatima in csv_text and jan in csv_text

    # English, then back to Dutch
    page.goto(rollcall_url)
    page.get_by_role("button", name="English").click()
    expect(roll_call_row(page, "Jan de Vries").get_by_label("Present", exact=True)).to_be_checked()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("button", name="Opslaan")).to_be_visible()

    # signing out
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.locator(".flash-success")).to_have_text("Je bent uitgelogd.")
    context.close()

    # an analyst sees figures without names, and is refused the parent's page with 403
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    sign_in(page, server, "analist")
    page.goto(program_url)
    expect(page.locator("table#rewards")).not_to_contain_text("Fatima")
    response = page.goto(f"{server.url}/parents/{fatima}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    response = page.goto(f"{server.url}/programs/new")
    assert response is not None and response.status == 403
    context.close()
