"""The staff's forms: register a parent, create a programme, schedule, enrol, withdraw,
record an assessment, record a payout. Each: parse -> call the service -> redirect with a
flash message, or show the form again with what was typed and why it was refused."""

from __future__ import annotations

from typing import Any, Callable, TypeVar
from uuid import UUID

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from application.schedules import schedule_series
from application.schools import region_of
from domain.templates import KINDS, TEMPLATES
from web.forms import (
    AssessmentForm,
    ChildAddForm,
    EnrolForm,
    ParentForm,
    PayoutForm,
    ProgramForm,
    ScheduleForm,
    WithdrawForm,
    choices,
    limit_schools,
    number,
)
from web.staff import bp
from web.staff.access import actor, requires, system
from web.staff.form_command import done, run_form
from web.staff.pickers import by_name, chosen_parent, child_label, children_of, not_enrolled, parent_of_children, pickable_parents
from web.staff.present import by_parent, enrolled_programs


F = TypeVar("F", bound=Callable[..., Any])


def form_page(rule: str) -> Callable[[F], F]:
    """A staff form's page (GET shows it, POST runs its command), for the roles that run commands."""

    def decorate(view: F) -> F:
        return bp.route(rule, methods=["GET", "POST"])(requires("run")(view))

    return decorate


# -- parents ---------------------------------------------------------------------------------


@form_page("/parents/new")
def register_parent() -> ResponseReturnValue:
    """Register a parent with their children."""
    form = ParentForm()
    limit_schools(form, actor().schools)
    return run_form(
        "staff/parent_form.html", form,
        lambda: system().service.register_parent(
            school=form.school.data, name=form.name.data, children=form.child_rows(),
            phone=form.phone.data or None, email=form.email.data or None,
            language=form.language.data or None, actor=actor(),
        ),
        lambda p: done(_("%(name)s is geregistreerd.", name=p.name), "staff.parent", parent_id=p.id),
    )


@form_page("/parents/<uuid:parent_id>/children/new")
def add_child(parent_id: UUID) -> ResponseReturnValue:
    """Add a child to a registered parent."""
    p = system().service.parent(parent_id, actor())
    form = ChildAddForm()
    return run_form(
        "staff/child_form.html", form,
        lambda: system().service.add_child(parent_id, name=(form.name.data or "").strip(), group=form.group.data, actor=actor()),
        lambda _child: done(_("Het kind is toegevoegd."), "staff.parent", parent_id=parent_id),
        p=p,
    )


@form_page("/parents/<uuid:parent_id>/assessments/new")
def record_assessment(parent_id: UUID) -> ResponseReturnValue:
    """Record a child's (tussen)toets result within one of the parent's programmes."""
    service = system().service
    p = service.parent(parent_id, actor())
    form = AssessmentForm()
    form.program_id.choices = choices((str(pr.id), pr.name) for pr in by_name(enrolled_programs(p.id, actor())))
    form.child_id.choices = choices((str(c.id), child_label(c)) for c in by_name(p.children.values()))
    if request.method == "GET" and request.args.get("program"):
        form.program_id.data = request.args["program"]
    return run_form(
        "staff/assessment_form.html", form,
        lambda: service.record_assessment(
            parent_id, program_id=UUID(form.program_id.data), child_id=UUID(form.child_id.data),
            name=form.name.data, score=number(form.score), max_score=number(form.max_score),
            taken_on=form.taken_on.data, actor=actor(),
        ),
        lambda _assessment: done(_("De toetsuitslag is opgeslagen."), "staff.parent", parent_id=parent_id),
        p=p,
    )


# -- programmes ------------------------------------------------------------------------------


@form_page("/programs/new")
def create_program() -> ResponseReturnValue:
    """Create a programme from a kind's template; its defaults are filled in and shown."""
    form = ProgramForm()
    limit_schools(form, actor().schools)
    if request.method == "GET":
        form.fill_defaults(request.args.get("kind", "pact"))
    return run_form(
        "staff/program_form.html", form,
        lambda: system().service.create_program(
            school=form.school.data, name=form.name.data, kind=form.kind.data,
            starts_on=form.starts_on.data, completion=form.completion(), rewards=form.rewards(),
            actor=actor(),
        ),
        lambda program: done(_("Het programma %(name)s is aangemaakt.", name=program.name),
                             "staff.program", program_id=program.id),
        templates=TEMPLATES, kinds=KINDS,
    )


@form_page("/programs/<uuid:program_id>/sessions/new")
def schedule_sessions(program_id: UUID) -> ResponseReturnValue:
    """Schedule one session or a weekly series in one go."""
    service = system().service
    program = service.program(program_id, actor())
    form = ScheduleForm()
    current = [service.parent(pid, actor()) for pid in program.enrolled_parents() if program.current_enrolment(pid)]
    form.participants.choices = choices((str(p.id), p.name) for p in by_name(p for p in current if not p.erased))
    if request.method == "GET":
        form.skip_holidays.data = region_of(service, program.school) or ""
    return run_form(
        "staff/schedule_form.html", form,
        lambda: service.schedule_series(
            program_id, title=form.title.data,
            first_starts_at=form.first_starts_at(),
            weeks=form.weeks.data, location=form.location.data or None,
            homework=(form.homework.data or "").strip() or None,
            participants=[UUID(p) for p in form.participants.data or []] or None, actor=actor(),
        ) if form.participants.data else schedule_series(  # a group series: on its cadence, past the holidays
            service, program_id, title=form.title.data or "", first_starts_at=form.first_starts_at(), count=form.weeks.data or 0,
            cadence=form.cadence.data or "weekly", skip_holidays=form.skip_holidays.data or None,
            location=form.location.data or None, homework=(form.homework.data or "").strip() or None, actor=actor(),
        ),
        lambda sessions: done(_("%(count)s bijeenkomst(en) ingepland.", count=len(sessions)),
                              "staff.program", program_id=program_id),
        program=program,
    )


@form_page("/programs/<uuid:program_id>/enrolments/new")
def enrol(program_id: UUID) -> ResponseReturnValue:
    """Enrol a parent of the programme's school (optionally for one or more of their children)."""
    service = system().service
    program = service.program(program_id, actor())
    candidates = not_enrolled(pickable_parents(service, actor(), program.school), program)
    form = EnrolForm()
    form.parent_id.choices = choices([("", _("— kies een ouder —"))] + [(str(p.id), p.name) for p in candidates])
    offered = children_of(candidates)
    form.child_id.choices = choices((value, label) for value, label, _parent in offered)
    form.child_parent = parent_of_children(candidates)
    if request.method == "GET" and request.args.get("parent"):
        form.parent_id.data = request.args["parent"]
    return run_form(
        "staff/enrol_form.html", form,
        lambda: service.enroll(
            program_id, parent_id=UUID(form.parent_id.data),
            child_ids=[UUID(c) for c in form.child_id.data or []],
            enrolled_on=form.enrolled_on.data, actor=actor(),
        ),
        lambda _program: done(_("De ouder is ingeschreven voor %(program)s.", program=program.name),
                              "staff.program", program_id=program_id),
        program=program, offered=offered, chosen=str(chosen_parent(form.parent_id.data) or ""),
    )


@form_page("/programs/<uuid:program_id>/enrolments/<uuid:parent_id>/withdrawal")
def withdraw(program_id: UUID, parent_id: UUID) -> ResponseReturnValue:
    """Withdraw (uitschrijven) a parent from a date on."""
    service = system().service
    program = service.program(program_id, actor())
    p = service.parent(parent_id, actor())
    form = WithdrawForm()
    return run_form(
        "staff/withdraw_form.html", form,
        lambda: service.withdraw(program_id, parent_id=parent_id, reason=form.reason.data,
                                 withdrawn_on=form.withdrawn_on.data, actor=actor()),
        lambda _program: done(_("%(name)s is uitgeschreven.", name=p.name), "staff.program", program_id=program_id),
        program=program, p=p,
    )


@form_page("/programs/<uuid:program_id>/payouts/<uuid:parent_id>/new")
def record_payout(program_id: UUID, parent_id: UUID) -> ResponseReturnValue:
    """Pay a parent (part of) what they have outstanding."""
    service = system().service
    program = service.program(program_id, actor())
    p = service.parent(parent_id, actor())
    figures = by_parent(system().projections.rewards(program_id)).get(str(parent_id), {})
    form = PayoutForm()
    if request.method == "GET":
        form.method.data = program.scheme_for(parent_id).payout
        if figures.get("outstanding_cents", 0) > 0:
            form.amount.set_cents(figures["outstanding_cents"])
    return run_form(
        "staff/payout_form.html", form,
        lambda: service.record_payout(program_id, parent_id=parent_id, amount_cents=form.amount.cents,
                                      method=form.method.data, actor=actor()),
        lambda _payout: done(_("De uitbetaling aan %(name)s is opgeslagen.", name=p.name),
                             "staff.program", program_id=program_id),
        program=program, p=p, figures=figures,
    )
