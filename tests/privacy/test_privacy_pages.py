"""The staff UI for corrections and privacy, in Dutch: correct a parent, a payout history with a
reversal after asking, a programme closed and reopened, and the printable access report."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.helpers.api_client import Api
from tests.privacy.test_corrections_api import earning  # noqa: F401  (the fixture)

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def signed_in(api: Api, user: str) -> FlaskClient:
    client = api.app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    assert token
    r = client.post("/login", data={"username": user, "password": f"{user}-password", "csrf_token": token.group(1)})
    assert r.status_code == 302
    return client


def post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    token = CSRF.search(client.get(url).get_data(as_text=True))
    assert token, url
    return client.post(url, data={**data, "csrf_token": token.group(1)})


def test_staff_correct_a_parent_and_a_child_on_forms(api: Api) -> None:
    parent = api.parent(name="Fatma Yilmas")
    staff = signed_in(api, "staff")
    page = staff.get(f"/parents/{parent['id']}").get_data(as_text=True)
    assert "Gegevens corrigeren" in page
    r = post(staff, f"/parents/{parent['id']}/edit", {"name": "Fatma Yilmaz", "phone": "0612345678", "email": "", "language": ""})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert api.get(f"/parents/{parent['id']}").json["name"] == "Fatma Yilmaz"
    bad = post(staff, f"/parents/{parent['id']}/edit", {"name": "", "email": "geen-adres"})
    assert bad.status_code == 422
    child = parent["children"][0]["id"]
    r = post(staff, f"/parents/{parent['id']}/children/{child}/edit", {"name": "Sarah", "group": "5"})
    assert r.status_code == 302
    assert api.get(f"/parents/{parent['id']}").json["children"][0]["group"] == 5


def test_a_payout_history_shows_who_paid_and_a_reversal_is_asked_first(api: Api, earning) -> None:
    p = earning
    staff = signed_in(api, "staff")
    pay_form = staff.get(f"/programs/{p['program']}/payouts/{p['parent']}/new").get_data(as_text=True)
    assert "data-confirm=" in pay_form  # the UI asks before paying
    history = staff.get(f"/parents/{p['parent']}/payouts").get_data(as_text=True)
    assert "€ 7,00" in history and "staff" in history and "Terugdraaien" in history
    ask = staff.get(f"/programs/{p['program']}/payouts/{p['payout']}/reversal").get_data(as_text=True)
    assert "Weet je het zeker?" in ask and "data-confirm=" in ask
    assert post(staff, f"/programs/{p['program']}/payouts/{p['payout']}/reversal", {"reason": ""}).status_code == 422
    r = post(staff, f"/programs/{p['program']}/payouts/{p['payout']}/reversal", {"reason": "dubbel geboekt"})
    assert r.status_code == 302
    history = staff.get(f"/parents/{p['parent']}/payouts").get_data(as_text=True)
    assert "teruggedraaid" in history
    again = post(staff, f"/programs/{p['program']}/payouts/{p['payout']}/reversal", {"reason": "nog eens"})
    assert again.status_code == 409 and "al teruggedraaid" in again.get_data(as_text=True)


def test_a_programme_is_closed_by_staff_and_reopened_by_an_admin(api: Api, earning) -> None:
    p = earning
    staff, admin = signed_in(api, "staff"), signed_in(api, "admin")
    assert post(staff, f"/programs/{p['program']}/closure", {"reason": "afgerond"}).status_code == 302
    page = staff.get(f"/programs/{p['program']}").get_data(as_text=True)
    assert "afgesloten" in page and "Programma heropenen" not in page
    assert staff.get(f"/programs/{p['program']}/reopening").status_code == 403
    assert "Programma heropenen" in admin.get(f"/programs/{p['program']}").get_data(as_text=True)
    assert post(admin, f"/programs/{p['program']}/reopening", {"reason": "te vroeg"}).status_code == 302
    assert api.get(f"/programs/{p['program']}").json["closed_on"] is None


def test_the_access_report_page_is_dutch_printable_and_for_admins(api: Api, earning) -> None:
    p = earning
    admin = signed_in(api, "admin")
    page = admin.get(f"/parents/{p['parent']}/access-report").get_data(as_text=True)
    assert "Er zijn geen berichten aan deze ouder bewaard." in page
    assert api.post("/messages", {"parent_ids": [p["parent"]], "purpose": "informeren", "text": "Beste {naam}, tot dinsdag"}).status_code == 201
    page = admin.get(f"/parents/{p['parent']}/access-report").get_data(as_text=True)
    assert "Inzageoverzicht persoonsgegevens" in page and "Fatima Yilmaz" in page
    assert "Beste Fatima Yilmaz, tot dinsdag" in page and "geen berichten" not in page
    assert "Uitbetalingen" in page and "Geschiedenis" in page and "Parent.Registered" in page
    assert signed_in(api, "staff").get(f"/parents/{p['parent']}/access-report").status_code == 403
    reads = api.get(f"/audit/reads?parent_id={p['parent']}&user=admin", user="auditor").json["items"]
    assert any(r["channel"] == "ui" and r["purpose"].startswith("inzageverzoek") for r in reads)


def test_staff_correct_or_withdraw_a_result_and_start_the_school_year_on_forms(api: Api, earning) -> None:
    p = earning
    staff = signed_in(api, "staff")
    assert "Corrigeren" in staff.get(f"/parents/{p['parent']}").get_data(as_text=True)
    url = f"/parents/{p['parent']}/assessments/{p['assessment']}/correction"
    assert post(staff, url, {"score": "2", "max_score": "10", "reason": ""}).status_code == 422
    assert post(staff, url, {"score": "2", "max_score": "10", "reason": "overgenomen"}).status_code == 302
    assert api.get(f"/programs/{p['program']}/rewards").json[0]["assessment_cents"] == 0
    assert post(staff, url, {"withdrawn": "y", "reason": "verkeerd kind"}).status_code == 302
    assert "ingetrokken" in staff.get(f"/parents/{p['parent']}").get_data(as_text=True)
    refused = post(staff, url, {"score": "9", "reason": "toch"})
    assert refused.status_code == 409 and "ingetrokken" in refused.get_data(as_text=True)
    r = post(staff, "/school-year", {"school": "12AB", "on": "2026-08-31"})
    assert r.status_code == 302
    assert api.get(f"/parents/{p['parent']}").json["children"][0]["group"] == 5
    assert post(staff, "/school-year", {"school": "34CD", "on": "2026-08-31"}).status_code == 422  # not a choice


def test_a_held_erasure_request_comes_back_on_the_admins_to_do_page_when_its_date_passes(api: Api) -> None:
    from datetime import date, timedelta
    from uuid import UUID

    waiting, due = api.parent(name="Wacht Nog"), api.parent(name="Nu Aan De Beurt")
    corrections = api.service.corrections
    corrections.hold_erasure(UUID(waiting["id"]), until=date.today() + timedelta(days=30), hold="decision", reason="verzoek")
    corrections.hold_erasure(UUID(due["id"]), until=date.today() - timedelta(days=1), hold="decision", reason="verzoek")
    page = signed_in(api, "admin").get("/te-doen").get_data(as_text=True)
    assert "Aangehouden verzoeken om gegevens te wissen" in page
    assert f"/parents/{due['id']}" in page and "Nu Aan De Beurt" in page and f"/parents/{waiting['id']}" not in page
    assert "Aangehouden verzoeken" not in signed_in(api, "staff").get("/te-doen").get_data(as_text=True)
    corrections.refuse_erasure(UUID(due["id"]), refusal="geschil", reason="verzoek")
    page = signed_in(api, "admin").get("/te-doen").get_data(as_text=True)
    assert f"/parents/{due['id']}" not in page and "Geen aangehouden verzoek om te wissen is aan de beurt." in page
