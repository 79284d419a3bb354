"""The trial in the staff UI: the programme page shows each parent's arm and fund; the effect
report page (admins, auditors, analysts) draws a chart and names no parent."""

from __future__ import annotations

from datetime import date

from flask import Flask

from application.trial import TrialService
from betrokken.demo_trial import ARMS


def make_trial(app: Flask) -> tuple[str, list[str]]:
    service = app.extensions["betrokken"].service
    program = service.create_program(school="12AB", name="PACT-proef", kind="pact", starts_on=date(2026, 9, 1), arms=ARMS)
    TrialService(service).set_up_allocation(program.id, method="stratified_blocks", strata=["group"], block_sizes=[3],
                                            seed="ui-zaad-1234")
    names = []
    for i in range(9):
        parent = service.register_parent(school="12AB", name=f"Naam{i} Achternaam", children=[(f"Kind{i}", 4)])
        child = next(iter(parent.children))
        service.enroll(program.id, parent_id=parent.id, child_id=child, enrolled_on=date(2026, 9, 1))
        for moment, score in (("baseline", 40 + i), ("post", 45 + i)):
            service.record_assessment(parent.id, program_id=program.id, child_id=child, name="CITO", score=score,
                                      max_score=100, taken_on=date(2026, 9, 2), instrument="cito_lezen",
                                      domain="cognitive", moment=moment)
        names.append(f"Naam{i} Achternaam")
    return str(program.id), names


def test_the_effect_report_page_has_a_chart_and_no_names(app: Flask, client_as) -> None:  # type: ignore[no-untyped-def]
    program_id, names = make_trial(app)
    for user in ("analist", "controle", "beheer"):
        page = client_as(user).get(f"/programs/{program_id}/evaluation")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "<svg" in html and "cito_lezen" in html and "Cohen" in html
        assert not any(name in html for name in names)
    assert client_as("trainer").get(f"/programs/{program_id}/evaluation").status_code == 403
    assert client_as("analist").get(f"/programs/{program_id}").get_data(as_text=True).count("education_fund") >= 1


def test_the_programme_page_shows_each_parent_s_arm(app: Flask, client_as) -> None:  # type: ignore[no-untyped-def]
    program_id, _ = make_trial(app)
    html = client_as("trainer").get(f"/programs/{program_id}").get_data(as_text=True)
    assert 'id="arms"' in html and html.count(">control<") >= 1
