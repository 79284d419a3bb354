"""Two gunicorn servers (gthread workers, `--preload`), each with its own data directory, on one
PostgreSQL and one shared master key and UI secret, as betrokken/gunicorn_conf.py runs them.
API writes and staff-form posts go round-robin: nothing is lost, a read on one host after a write
on the other sees it, and a form rendered on one host is accepted by the other."""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import new_postgres_database
from tests.helpers.processes import Processes, stop
from tests.helpers.serve import add_user, environment, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

GUNICORN = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
PASSWORD = "een-lang-wachtwoord-42"
ROUNDS = 12


def start_host(processes: Processes, env: dict[str, str], log: Path, workers: int) -> tuple[subprocess.Popen[str], str]:
    """A gunicorn on a free port with the production configuration; its process and base URL."""
    port = free_port()
    proc = processes.start(
        [GUNICORN, "-c", "python:betrokken.gunicorn_conf", "--preload", "--workers", str(workers), "--threads", "4",
         "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"{base}/readyz", timeout=10).status_code == 200:
                return proc, base
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not get ready: {log.read_text()[-3000:]}")


def form_token(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    found = CSRF.search(page.text)
    assert found, url
    return found.group(1)


def test_two_gunicorn_hosts_on_one_postgres_lose_nothing(tmp_path: Path, postgres_server: Any, processes: Processes) -> None:
    url = new_postgres_database(postgres_server)
    shared = {
        "BETROKKEN_MASTER_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "BETROKKEN_SECRET_KEY": secrets.token_hex(32),
        "BETROKKEN_INSECURE_COOKIES": "1",  # plain http on loopback in this test
        "PYTHONPATH": str(Path(__file__).parents[2]),
        "GUNICORN_CMD_ARGS": "--no-control-socket",
        "BETROKKEN_POOL_SIZE": "4",  # the event store's connections per process (the test server allows 100)
    }
    envs = [{**environment(tmp_path / f"host{i}", url), **shared} for i in (1, 2)]
    token = add_user(envs[0], "beheer", "admin", password=PASSWORD)
    # Three worker processes and two projections followers in all.
    hosts = [start_host(processes, env, tmp_path / f"host{i}.log", workers=3 - i) for i, env in enumerate(envs, 1)]
    bases = [base for _, base in hosts]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"

    def call(host: int, method: str, path: str, **kw: Any) -> Any:
        r = api.request(method, f"{bases[host % 2]}/api/v1{path}", timeout=30, **kw)
        assert r.status_code in (200, 201), (host % 2, method, path, r.status_code, r.text[:500])
        return r.json()

    program = call(0, "POST", "/programs", json={"school": "12AB", "name": "PACT", "kind": "pact", "starts_on": "2025-09-01"})
    browser = requests.Session()
    signed_in = browser.post(f"{bases[1]}/login", timeout=10, allow_redirects=False,
                             data={"username": "beheer", "password": PASSWORD, "csrf_token": form_token(browser, f"{bases[0]}/login")})
    assert signed_in.status_code == 302 and "/login" not in signed_in.headers["Location"], signed_in.text[:500]

    parents: list[str] = []
    children: dict[str, str] = {}
    for i in range(ROUNDS):
        parent = call(i, "POST", "/parents", json={"school": "12AB", "name": f"Ouder {i}", "children": [{"name": "Kind", "group": 3}]})
        parents.append(parent["id"])
        assert call(i + 1, "GET", f"/parents/{parent['id']}")["name"] == f"Ouder {i}"  # no stale read on the other host
        call(i + 1, "POST", f"/programs/{program['id']}/enrollments", json={"parent_id": parent["id"], "enrolled_on": "2025-09-01"})
        assert parent["id"] in [e["parent_id"] if isinstance(e, dict) else e
                                for e in call(i, "GET", f"/programs/{program['id']}")["enrolments"]]
        # a staff form rendered on one host, posted to the other
        form = f"/parents/{parent['id']}/children/new"
        token_on_one = form_token(browser, f"{bases[i % 2]}{form}")
        posted = browser.post(f"{bases[(i + 1) % 2]}{form}", timeout=30, allow_redirects=False,
                              data={"name": f"Form {i}", "group": "4", "csrf_token": token_on_one})
        assert posted.status_code == 302, (i, posted.status_code, posted.text[:800])
        children[parent["id"]] = f"Form {i}"
        names = [c["name"] for c in call(i, "GET", f"/parents/{parent['id']}")["children"]]
        assert names == ["Kind", f"Form {i}"], names

    for host in (0, 1):
        listed = {p["id"] for p in call(host, "GET", "/parents?limit=500")["items"]}
        assert set(parents) <= listed, f"host {host} misses {set(parents) - listed}"
        enrolled = call(host, "GET", f"/programs/{program['id']}")["enrolments"]
        assert len(enrolled) == ROUNDS
        ready = requests.get(f"{bases[host]}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["store"] == "ok"
    for proc, _ in hosts:
        stop(proc)
    # a third host with another master key is refused before it serves (started once the others
    # stopped: the test server has connections for three workers)
    rogue = {**envs[0], "BETROKKEN_DATA_DIR": str(tmp_path / "host3"),
             "BETROKKEN_MASTER_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode()}
    refused = subprocess.run([GUNICORN, "-c", "python:betrokken.gunicorn_conf", "--preload", "--bind", f"127.0.0.1:{free_port()}"],
                             env=rogue, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "refusing to start" in refused.stderr, refused.stderr[-2000:]
    for i in (1, 2):
        log = (tmp_path / f"host{i}.log").read_text()
        assert "Traceback" not in log and " 500 " not in log, log[-3000:]
        assert "betrokken.access POST /api/v1/parents 201 " in log and "user=beheer" in log
        assert token not in log and PASSWORD not in log
