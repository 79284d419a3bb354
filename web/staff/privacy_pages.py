"""The staff's pages for corrections and privacy: correct a parent's or child's details, a
parent's payout history with reversal (after a confirmation), a programme closed and reopened,
and the printable access report (AVG art. 15). Dutch first, like every page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from domain.errors import NotFoundError
from application.parent_file import access_report, payout_history
from web.privacy_forms import (
    AssessmentCorrectionForm, ChildCorrectionForm, ParentCorrectionForm, ReasonForm, SchoolYearForm,
)
from web.staff import bp
from web.staff.access import actor, requires, system
from web.staff.form_command import done, run_form
from web.staff.present import payout_label


def _reads_of(parent_id: UUID) -> list[dict[str, Any]]:
    log = system().reads
    return [vars(r) for r in log.find(parent_id=parent_id, limit=100_000)] if log else []


@bp.route("/parents/<uuid:parent_id>/edit", methods=["GET", "POST"])
@requires("run")
def edit_parent(parent_id: UUID) -> ResponseReturnValue:
    """Correct a parent's name, phone, e-mail or home language."""
    service = system().service
    p = service.parent(parent_id, actor())
    form = ParentCorrectionForm()
    if request.method == "GET":
        form.name.data, form.phone.data, form.email.data, form.language.data = p.name, p.phone, p.email, p.language
    return run_form(
        "staff/parent_edit.html", form,
        lambda: service.corrections.correct_parent(parent_id, changes=form.changes(), actor=actor()),
        lambda _p: done(_("De gegevens zijn gecorrigeerd."), "staff.parent", parent_id=parent_id),
        p=p,
    )


@bp.route("/parents/<uuid:parent_id>/children/<uuid:child_id>/edit", methods=["GET", "POST"])
@requires("run")
def edit_child(parent_id: UUID, child_id: UUID) -> ResponseReturnValue:
    """Correct a child's name or groep."""
    service = system().service
    p = service.parent(parent_id, actor())
    child = p.children.get(child_id)
    if child is None:
        raise NotFoundError("child", child_id)
    form = ChildCorrectionForm()
    if request.method == "GET":
        form.name.data, form.group.data = child.name, child.group
    return run_form(
        "staff/child_edit.html", form,
        lambda: service.corrections.correct_child(parent_id, child_id, name=form.name.data, group=form.group.data,
                                                  actor=actor()),
        lambda _c: done(_("De gegevens zijn gecorrigeerd."), "staff.parent", parent_id=parent_id),
        p=p, child=child,
    )


@bp.route("/parents/<uuid:parent_id>/assessments/<uuid:assessment_id>/correction", methods=["GET", "POST"])
@requires("run")
def correct_assessment(parent_id: UUID, assessment_id: UUID) -> ResponseReturnValue:
    """Correct a result's score or maximum, or withdraw it; the rewards follow."""
    service = system().service
    p = service.parent(parent_id, actor())
    a = p.assessment(assessment_id)
    form = AssessmentCorrectionForm()
    if request.method == "GET":
        form.score.data, form.max_score.data = a.score, a.max_score
    return run_form(
        "staff/assessment_correction.html", form,
        lambda: service.corrections.correct_assessment(
            parent_id, assessment_id, reason=form.reason.data, withdrawn=bool(form.withdrawn.data),
            score=None if form.score.data is None else float(form.score.data),
            max_score=None if form.max_score.data is None else float(form.max_score.data), actor=actor()),
        lambda _a: done(_("De toetsuitslag is gecorrigeerd."), "staff.parent", parent_id=parent_id),
        p=p, a=a,
    )


@bp.route("/school-year", methods=["GET", "POST"])
@requires("run")
def school_year() -> ResponseReturnValue:
    """The new school year at one of my schools: every child a group up, groep 8 leaves."""
    form = SchoolYearForm()
    schools = actor().schools or sorted(set(system().service.directory.school_of_each().values()) - {""})
    form.school.choices = [(s, s) for s in sorted(schools)]
    return run_form(
        "staff/school_year.html", form,
        lambda: system().service.corrections.start_school_year(form.school.data, on=form.on.data, actor=actor()),
        lambda counts: done(_("Nieuw schooljaar: %(moved)s kinderen een groep hoger, %(left)s van school (groep 8).",
                              moved=counts[0], left=counts[1]), "staff.parents"),
    )


@bp.get("/parents/<uuid:parent_id>/payouts")
@requires("records")
def payout_history_page(parent_id: UUID) -> ResponseReturnValue:
    """Every payout to the parent: date, amount, method, who, and whether it was reversed."""
    p = system().service.parent(parent_id, actor())
    return render_template("staff/payout_history.html", p=p, payouts=payout_history(system().service, parent_id, actor()),
                           payout_label=payout_label)


@bp.route("/programs/<uuid:program_id>/payouts/<uuid:payout_id>/reversal", methods=["GET", "POST"])
@requires("run")
def reverse_payout(program_id: UUID, payout_id: UUID) -> ResponseReturnValue:
    """Reverse a payout recorded by mistake, after asking (with the reason)."""
    service = system().service
    program = service.program(program_id, actor())
    payout = program.payout(payout_id)
    p = service.parent(payout.parent_id, actor())
    form = ReasonForm()
    return run_form(
        "staff/payout_reversal.html", form,
        lambda: service.corrections.reverse_payout(program_id, payout_id, reason=form.reason.data, actor=actor()),
        lambda _x: done(_("De uitbetaling is teruggedraaid."), "staff.payout_history_page", parent_id=p.id),
        program=program, payout=payout, p=p,
    )


def _closure_page(program_id: UUID, reopening: bool) -> ResponseReturnValue:
    """Close (staff) or reopen (admins) a programme, with the reason."""
    service = system().service
    program = service.program(program_id, actor())
    form = ReasonForm()
    command = service.corrections.reopen_program if reopening else service.corrections.close_program
    said = _("Het programma is heropend.") if reopening else _("Het programma is afgesloten.")
    return run_form(
        "staff/program_closure.html", form,
        lambda: command(program_id, reason=form.reason.data, actor=actor()),
        lambda _x: done(said, "staff.program", program_id=program_id),
        program=program, reopening=reopening,
    )


@bp.route("/programs/<uuid:program_id>/closure", methods=["GET", "POST"])
@requires("run")
def close_program(program_id: UUID) -> ResponseReturnValue:
    """Close a programme: its figures become final."""
    return _closure_page(program_id, reopening=False)


@bp.route("/programs/<uuid:program_id>/reopening", methods=["GET", "POST"])
@requires("reopen")
def reopen_program(program_id: UUID) -> ResponseReturnValue:
    """Reopen a closed programme (admins)."""
    return _closure_page(program_id, reopening=True)


@bp.get("/parents/<uuid:parent_id>/access-report")
@requires("access")
def access_report_page(parent_id: UUID) -> ResponseReturnValue:
    """Everything held about the parent, to print or save as PDF (AVG art. 15); producing it is recorded."""
    report = access_report(system().service, parent_id, reads=_reads_of, actor=actor())
    return render_template("staff/access_report.html", r=report, payout_label=payout_label)
