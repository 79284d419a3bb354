"""Messages in a real browser: from the programme page a coordinator writes to its parents, the
form says before sending who the weekly cap holds back, and the parent page lists the message.
With BETROKKEN_SCREENSHOTS=1 the README's pictures (docs/message.png, docs/parent-messages.png)
are refreshed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from adapters.config import StoreConfig
from application.actor import Actor
from application.messages import Draft, Messages
from betrokken.system import open_service
from tests.browser.conftest import Server
from tests.browser.test_staff_journey import DOCS, UPDATE_SCREENSHOTS, sign_in

pytestmark = pytest.mark.browser
ADMIN = Actor("beheer", "admin", None)


def programme_with_a_busy_parent(data_dir: Path) -> tuple[str, str, str]:
    """A programme with three parents; one already had three messages this week. Its id and the
    ids of the two parents the message will reach (Dutch and Turkish at home)."""
    service = open_service(StoreConfig(data_dir=data_dir))
    try:
        program = service.create_program(school="12AB", name="Voorlezen groep 3", kind="pact",
                                         starts_on=date(2026, 9, 1), actor=ADMIN)
        ids = []
        for name, language in (("Fatima El Amrani", "ar"), ("Jan de Vries", "nl"), ("Ayşe Kaya", "tr")):
            p = service.register_parent(school="12AB", name=name, email=f"{name.split()[0].lower()}@example.nl",
                                        language=language, children=[("Kind", 3)], actor=ADMIN)
            service.enroll(program.id, parent_id=p.id, enrolled_on=date(2026, 9, 1), actor=ADMIN)
            ids.append(p.id)
        messages = Messages(service)
        for text in ("Welkom bij Voorlezen!", "Morgen de eerste bijeenkomst.", "Goed bezig, {naam}!"):
            messages.write(Draft("informeren", text), parent_ids=[ids[0]])
        return str(program.id), str(ids[1]), str(ids[2])
    finally:
        service.close()


def test_a_coordinator_writes_to_a_programmes_parents_and_sees_the_cap_first(
    server: Server, browser, tmp_path: Path,
) -> None:
    program_id, jan, ayse = programme_with_a_busy_parent(server.data_dir)
    page: Page = browser.new_page(viewport={"width": 768, "height": 1024}, locale="nl-NL")
    sign_in(page, server, "trainer")
    page.goto(f"{server.url}/programs/{program_id}")
    page.get_by_role("link", name="Bericht aan de ouders").click()
    preview = page.locator("#message-preview")
    expect(preview).to_contain_text("Dit bericht gaat naar 2 ouder(s).")
    expect(preview).to_contain_text("al 3 berichten deze week: 1")
    page.get_by_label("Doel").select_option("herinnering")
    page.get_by_label("Bericht").fill("Beste {naam}, donderdag om 19.00 uur lezen we samen in {plaats}. Neem uw kind mee!")
    page.locator("#translations-0-language").fill("tr")
    page.locator("#translations-0-text").fill("Sayın {naam}, perşembe saat 19.00'da {plaats} birlikte okuyoruz.")
    page.get_by_label("Plaats voor {plaats} (niet verplicht)").fill("de ouderkamer")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    shot = (DOCS if UPDATE_SCREENSHOTS else tmp_path) / "message.png"
    page.screenshot(path=str(shot), full_page=True)
    page.get_by_role("button", name="Versturen").click()
    expect(page.locator(".flash-success")).to_contain_text("Bericht klaargezet voor 2 ouder(s).")
    expect(page.locator(".flash-success")).to_contain_text("Niet verstuurd aan 1 ouder(s)")
    page.goto(f"{server.url}/parents/{jan}")
    row = page.locator("table#parent-messages tbody tr").first
    expect(row).to_contain_text("Herinnering")
    expect(row).to_contain_text("Beste Jan de Vries, donderdag om 19.00 uur lezen we samen in de ouderkamer.")
    page.goto(f"{server.url}/parents/{ayse}")
    expect(page.locator("table#parent-messages tbody tr").first).to_contain_text("Sayın Ayşe Kaya, perşembe")
    page.goto(f"{server.url}/parents/{jan}")
    shot = (DOCS if UPDATE_SCREENSHOTS else tmp_path) / "parent-messages.png"
    page.locator("section[aria-labelledby=messages-h]").screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    page.close()
