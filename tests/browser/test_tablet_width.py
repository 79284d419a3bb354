"""Every staff page on a coordinator's 768 px tablet: no page is wider than the viewport.

A live server with the demo data and an admin (who sees every page); the browser follows the
menu and every link on the site from the start page, once per kind of page (ids aside), and
measures the document's width on each."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import PASSWORD, Server
from tests.browser.test_staff_journey import DOCS, UPDATE_SCREENSHOTS
from tests.helpers.processes import Processes
from tests.helpers.serve import Server as Serving, add_user, cli, environment

pytestmark = pytest.mark.browser
TABLET = {"width": 768, "height": 1024}
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NOT_PAGES = re.compile(r"\.(csv|xlsx|css|svg|png)$|/logout$|/static/")
MAX_PAGES = 60


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, module_processes: Processes) -> Iterator[Server]:
    """`betrokken serve` on the demo data, with an admin who may open every page."""
    data_dir = tmp_path_factory.mktemp("tablet-data")
    env = environment(data_dir)
    cli(env, "demo")
    add_user(env, "tablet", "admin", password=PASSWORD)
    serving = Serving(module_processes, env)
    yield Server(url=serving.base, data_dir=data_dir)
    serving.stop()


def kind_of(path: str) -> str:
    """A page's kind: its path with ids left out (one programme page stands for all), and the names
    of its query's parameters without their values (one page of a list stands for all)."""
    target = urlsplit(path)
    keys = sorted({part.split("=", 1)[0] for part in target.query.split("&") if part})
    return ID.sub("<id>", target.path) + (f"?{'&'.join(keys)}" if keys else "")


def test_no_staff_page_is_wider_than_a_768_px_tablet(browser, demo_server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=TABLET, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{demo_server.url}/login")
    page.get_by_label("Gebruikersnaam").fill("tablet")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/$"))
    queue, seen, too_wide = ["/"], set(), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if kind_of(path) in seen:
            continue
        seen.add(kind_of(path))
        response = page.goto(f"{demo_server.url}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > TABLET["width"]:
            too_wide[kind_of(path)] = width
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(href)
            if target.netloc or not target.path.startswith("/") or NOT_PAGES.search(target.path):
                continue
            # The query stays: some pages need theirs (a message form names its parent or programme).
            link = target.path + (f"?{target.query}" if target.query else "")
            if kind_of(link) not in seen:
                queue.append(link)
    if UPDATE_SCREENSHOTS:  # the README's pictures of a coordinator's week, refreshed on request only
        for path, name in (("/te-doen", "todo.png"), ("/vandaag", "vandaag.png")):
            page.goto(f"{demo_server.url}{path}")
            page.screenshot(path=str(DOCS / name), full_page=False)
    context.close()
    assert {"/", "/vandaag", "/te-doen", "/programs/<id>", "/sessions/<id>", "/parents/<id>"} <= seen, sorted(seen)
    assert len(seen) >= 15, sorted(seen)  # the forms, the audit pages and the import too
    assert too_wide == {}, f"wider than {TABLET['width']} px: {too_wide}"
