"""The admin's page for rules that change mid-year: the programme's rules in force, the form to
change them from a date on, and the history of its rules (also shown on the programme page)."""

from __future__ import annotations

from uuid import UUID

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from application.clock import today
from application.rule_changes import change_rules
from domain.training_program import RecordedRuleChange
from web.rules_form import RulesForm
from web.staff import bp
from web.staff.access import actor, requires, system
from web.staff.form_command import done, run_form
from web.staff.present import payout_label


@bp.route("/programs/<uuid:program_id>/rules", methods=["GET", "POST"])
@requires("rules")
def change_program_rules(program_id: UUID) -> ResponseReturnValue:
    """Change a programme's completion rule and/or reward scheme from a date on (admins)."""
    service = system().service
    program = service.program(program_id, actor())
    form = RulesForm()
    if request.method == "GET":
        form.fill_rules(*program.rulebook_for_programme().in_force(today()))
        form.effective_from.data = today()

    def command() -> RecordedRuleChange:
        assert form.effective_from.data is not None and form.reason.data  # both required: checked before
        return change_rules(
            service, program_id, effective_from=form.effective_from.data, completion=form.completion(),
            rewards=form.rewards(), reason=form.reason.data, actor=actor(),
        )

    return run_form(
        "staff/program_rules.html", form, command,
        lambda _x: done(_("De nieuwe regels zijn vastgelegd."), "staff.program", program_id=program_id),
        program=program, payout_label=payout_label,
    )
