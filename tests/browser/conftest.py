"""A live `betrokken serve` on a free port with a fresh data dir, and Debian's Chromium driven
by Playwright (never `playwright install`: the browser is /usr/bin/chromium)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PASSWORD = "browser-wachtwoord-1"
USERS = {"trainer": ("staff", ["12AB"]), "analist": ("analyst", ["12AB"])}
BIN = Path(sys.executable).parent / "betrokken"


@dataclass
class Server:
    """The running server: where it listens and where its data lives."""

    url: str
    data_dir: Path


def _betrokken(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], env=env, input=stdin, capture_output=True, text=True, timeout=60, check=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`betrokken serve --port 0` with two users; stopped (by its pid) at the end."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = {**os.environ, "BETROKKEN_DATA_DIR": str(data_dir)}
    env.pop("BETROKKEN_DATABASE_URL", None)
    for name, (role, schools) in USERS.items():
        school_args = [a for s in schools for a in ("--school", s)]
        _betrokken(["users", "add", name, "--role", role, *school_args, "--password-stdin"], env, PASSWORD + "\n")
    proc = subprocess.Popen(
        [str(BIN), "serve", "--host", "127.0.0.1", "--port", "0"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = None
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if found:
            url = found.group(0)
            break
    if url is None:
        proc.kill()
        pytest.fail("betrokken serve did not print its URL")
    try:
        yield Server(url=url, data_dir=data_dir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()
