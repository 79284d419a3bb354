"""The effect report of a trial in the staff UI (admins, auditors, analysts): per instrument
the post-test means of each arm beside the baseline in a chart, and the estimates in a table,
with the report's warnings. Pseudonymous, like the API's answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pygal
from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from application.evaluation import Evaluation
from web.staff import bp
from web.staff.access import actor, requires, system
from web.staff.present import chart_style, inline_svg


def means_chart(report: dict[str, Any], instrument: str, title_id: str) -> str:
    """Baseline and post-test means per arm (intention to treat) as grouped bars."""
    rows = [r for r in report["results"] if r["instrument"] == instrument]
    chart = pygal.Bar(
        style=chart_style(("#9aa5b1", "#1b7f3b")), js=[], width=800, height=340, legend_at_bottom=True,
        show_y_guides=True, title=_("Gemiddelde score per groep: %(i)s", i=instrument), print_values=False,
        disable_xml_declaration=True, explicit_size=False,
    )
    chart.x_labels = [str(r["arm"]) for r in rows]
    chart.add(_("Voormeting"), [r["baseline"]["mean"] for r in rows])
    chart.add(_("Nameting"), [r["post"]["mean"] for r in rows])
    return inline_svg(chart.render(is_unicode=True), title_id)


@bp.get("/programs/<uuid:program_id>/evaluation")
@requires("evaluate")
def evaluation(program_id: UUID) -> ResponseReturnValue:
    """The trial's effect report: a chart per instrument, the estimates, attrition and costs."""
    program = system().service.program(program_id, actor())
    report = Evaluation(system().service).report(program_id, actor())
    instruments = list(dict.fromkeys(r["instrument"] for r in report["results"]))
    charts = {i: means_chart(report, i, f"chart-{n}") for n, i in enumerate(instruments)}
    return render_template("staff/evaluation.html", program=program, report=report, instruments=instruments, charts=charts)
