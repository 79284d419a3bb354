"""A live `betrokken serve` on a free port with a fresh data dir, and Debian's Chromium driven
by Playwright (never `playwright install`: the browser is /usr/bin/chromium)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from tests.helpers.processes import Processes
from tests.helpers.serve import Server as Serving, add_user, environment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PASSWORD = "browser-wachtwoord-1"
USERS = {"trainer": ("staff", ["12AB"]), "analist": ("analyst", ["12AB"])}


@dataclass
class Server:
    """The running server: where it listens and where its data lives."""

    url: str
    data_dir: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, module_processes: Processes) -> Iterator[Server]:
    """`betrokken serve --port 0` with two users; stopped by module_processes whatever the outcome."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = environment(data_dir)
    for name, (role, schools) in USERS.items():
        add_user(env, name, role, *schools, password=PASSWORD)
    serving = Serving(module_processes, env)
    yield Server(url=serving.base, data_dir=data_dir)
    serving.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()
