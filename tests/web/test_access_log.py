"""One access-log line per request: method, path (query values left out), status, duration and
user; never a token, a password or personal data."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from flask import Flask

from tests.helpers.api_client import Api
from tests.helpers.hashing import CHEAP
from tests.ui.conftest import csrf_token
from betrokken.wsgi import open_app

LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms user=(?P<user>\S+)$")


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    lines = [r.getMessage() for r in caplog.records if r.name == "betrokken.access"]
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    return [m.groupdict() for m in parsed if m]


def test_an_api_request_is_logged_with_its_user_but_not_its_token(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="betrokken.access")
    created = api.parent(name="Fatima Yilmaz")
    api.get(f"/parents/{created['id']}?secret=abc123&limit=5")
    api.call("GET", "/programs", user=None, headers={"Authorization": "Bearer not-a-real-token"})
    lines = access_lines(caplog)
    assert [(entry["method"], entry["status"], entry["user"]) for entry in lines] == [
        ("POST", "201", "staff"), ("GET", "200", "staff"), ("GET", "401", "-"),
    ]
    assert lines[1]["path"] == f"/api/v1/parents/{created['id']}?secret=&limit="
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("abc123", "not-a-real-token", api.tokens["staff"], "Fatima", "Yilmaz"):
        assert secret not in text


def test_a_sign_in_is_logged_without_the_password_or_the_next_page(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app: Flask = open_app({"BETROKKEN_DATA_DIR": str(tmp_path / "data"), "TESTING": True, **CHEAP})
    try:
        app.extensions["betrokken"].accounts.add_user("trainer", "staff", ["12AB"], "geheim-wachtwoord-1")
        client = app.test_client()
        token = csrf_token(client, "/login?next=/parents")
        caplog.set_level(logging.INFO, logger="betrokken.access")
        client.post("/login", data={"username": "trainer", "password": "fout-wachtwoord-9", "csrf_token": token})
        client.post("/login?next=/parents", data={"username": "trainer", "password": "geheim-wachtwoord-1",
                                                   "csrf_token": token})
        client.get("/")
    finally:
        app.extensions["betrokken"].close()
    lines = access_lines(caplog)
    assert [(e["method"], e["path"], e["user"]) for e in lines] == [
        ("POST", "/login", "-"), ("POST", "/login?next=", "trainer"), ("GET", "/", "trainer"),
    ]
    assert float(lines[0]["ms"]) > 0
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "geheim-wachtwoord-1" not in text and "fout-wachtwoord-9" not in text and token not in text


def test_serve_writes_the_access_log_to_stderr(tmp_path: Path, processes) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import urllib.request

    from tests.helpers.processes import stop
    from tests.helpers.serve import BETROKKEN, URL, environment

    with (tmp_path / "stderr.log").open("w+") as err:
        proc = processes.start([BETROKKEN, "serve", "--host", "127.0.0.1", "--port", "0"],
                               env=environment(tmp_path / "data"), stdout=subprocess.PIPE, stderr=err, text=True)
        line = proc.stdout.readline()
        match = URL.search(line)
        assert match, line
        with urllib.request.urlopen(f"http://127.0.0.1:{match.group(1)}/healthz?probe=lb-7") as r:
            assert r.status == 200
        stop(proc)
        err.seek(0)
        logged = err.read()
    assert "betrokken.access GET /healthz?probe= 200 " in logged and "user=-" in logged and "lb-7" not in logged
