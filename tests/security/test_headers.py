"""Security headers on every answer (Flask-Talisman), a CSP with no inline script, and templates
and charts that need none."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import Flask

from application.actor import Actor
from application.clock import SCHOOL_TZ
from tests.security.conftest import login

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def test_pages_and_api_answers_carry_the_security_headers(app: Flask) -> None:
    client = app.test_client()
    for response in (client.get("/login"), client.get("/api/v1/programs"), client.get("/api/v1/openapi.json")):
        policy = csp(response)
        assert policy["script-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers  # plain http: HSTS means nothing there


def test_hsts_over_https(app: Flask) -> None:
    response = app.test_client().get("/login", base_url="https://betrokken.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_static_files_may_be_cached(app: Flask) -> None:
    response = app.test_client().get("/static/betrokken.css")
    assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"


def test_no_template_has_inline_script_event_handlers_or_style_attributes() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)", r"\son[a-z]+\s*=", r"javascript:", r"\sstyle\s*=", r"<style"):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert not offenders


def test_the_attendance_chart_has_no_script_and_its_style_carries_the_request_nonce(app: Flask) -> None:
    service = app.extensions["betrokken"].service
    admin = Actor("beheer", "admin", None)
    program = service.create_program(school="12AB", name="Voorlezen", kind="pact",
                                     starts_on=date.today() - timedelta(days=10), actor=admin)
    first = datetime.combine(date.today() - timedelta(days=3), datetime.min.time()).replace(hour=19, tzinfo=SCHOOL_TZ)
    service.schedule_series(program.id, title="Bijeenkomst", first_starts_at=first, weeks=1, actor=admin)
    client = app.test_client()
    login(client, "trainer")
    response = client.get(f"/programs/{program.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<svg" in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "<script" not in svg.lower() and not re.search(r"\son[a-z]+\s*=", svg) and " style=" not in svg
    nonce = re.search(r"'nonce-([^']+)'", csp(response)["style-src"])
    assert nonce and f'<style nonce="{nonce.group(1)}"' in svg
    assert "<script" not in page.replace('<script src="', "")
