"""The pages people bookmark: start page, programme, roll call, parent."""

from __future__ import annotations

from uuid import UUID

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from application import listing
from domain.errors import DomainError
from domain.limits import MAX_FORM_TEXT
from domain.session import Session
from domain.templates import TEMPLATES
from web.errors import status_of
from web.forms import CancelForm, CsrfOnlyForm
from web.staff import bp
from web.staff.access import actor, ensure, may, requires, system
from web.staff.form_command import attempt, done
from web.staff.messages import refusal
from web.staff.paging import UI_PAGE, cursors, links
from web.staff.week_pages import future_unconfirmed, is_future, nothing_filled_in
from web.staff.present import (
    RollCallRow,
    attendance_chart,
    kind_label,
    parent_programs,
    payout_label,
    program_page,
    roll_call,
    roll_call_history,
    status_label,
    summaries,
)

STATUSES = ("present", "absent", "excused")


@bp.get("/")
@requires("figures")
def home() -> ResponseReturnValue:
    """The programmes of my schools, with attendance and completion at a glance, 50 a page."""
    page = listing.programs_page(system().service, actor(), limit=UI_PAGE, school=request.args.get("school"),
                                 **cursors(listing.PROGRAM_KEY))
    return render_template("staff/home.html", programs=summaries(page.items), pager=links(page))


@bp.get("/programs/<uuid:program_id>")
@requires("figures")
def program(program_id: UUID) -> ResponseReturnValue:
    """A programme: sessions, enrolled parents, completion and rewards, attendance chart."""
    page = program_page(program_id, actor(), names=may("records"))
    return render_template(
        "staff/program.html", page=page, chart=attendance_chart(page), template=TEMPLATES.get(page.program.kind),
        kind_label=kind_label, payout_label=payout_label,
    )


@bp.route("/sessions/<uuid:session_id>", methods=["GET", "POST"])
@requires("records")
def session(session_id: UUID) -> ResponseReturnValue:
    """The roll call: a row per parent the session counts for, saved with one button."""
    service = system().service
    s = service.session(session_id, actor())
    program = service.program(s.program_id, actor())
    rows = roll_call(s, program, actor())
    form = CsrfOnlyForm()
    refused: DomainError | None = None
    typed: dict[str, str] = {}
    typed_homework: set[str] = set()
    if request.method == "POST":
        ensure("run")
        if form.validate_on_submit():
            attendance, homework, typed, typed_homework = _roll_call_input(rows, s)
            if not attendance and not homework:
                flash(nothing_filled_in(), "info")
                return redirect(url_for("staff.session", session_id=session_id))
            unsaid = future_unconfirmed(s)
            if unsaid:
                return render_template(
                    "staff/session.html", s=s, program=program, rows=rows, form=form, error=unsaid, typed=typed,
                    typed_homework=typed_homework, statuses=STATUSES, status_label=status_label, future=is_future(s),
                    history=roll_call_history(s, actor(), {r.parent.id: r.parent.name for r in rows}),
                    cancel_form=CancelForm(prefix="cancel"),
                ), 422

            def save() -> None:
                if attendance:
                    service.take_roll_call(session_id, attendance, actor=actor())
                if homework:
                    service.record_homework(session_id, homework, actor=actor())

            refused = attempt(save)
            if refused is None:
                return done(_("De presentie is opgeslagen."), "staff.session", session_id=session_id)
    if refused is None and request.method == "GET":
        typed = {str(r.parent.id): r.status for r in rows if r.status}
        typed_homework = {str(r.parent.id) for r in rows if r.homework_done}
    return render_template(
        "staff/session.html", s=s, program=program, rows=rows, form=form, error=refusal(refused) if refused else None,
        typed=typed, typed_homework=typed_homework, statuses=STATUSES, status_label=status_label, future=is_future(s),
        history=roll_call_history(s, actor(), {r.parent.id: r.parent.name for r in rows}), cancel_form=CancelForm(prefix="cancel"),
    ), (status_of(refused) if refused else 200)


def _roll_call_input(
    rows: list[RollCallRow], s: Session
) -> tuple[list[tuple[UUID, str]], list[tuple[UUID, bool]], dict[str, str], set[str]]:
    """The statuses and homework ticks typed on the roll call, for the parents shown."""
    attendance: list[tuple[UUID, str]] = []
    homework: list[tuple[UUID, bool]] = []
    typed: dict[str, str] = {}
    ticked: set[str] = set()
    for r in rows:
        key = str(r.parent.id)
        status = request.form.get(f"status-{key}")
        if status in STATUSES:
            attendance.append((r.parent.id, status))
            typed[key] = status
        if s.has_homework:
            done = request.form.get(f"homework-{key}") == "on"
            if done:
                ticked.add(key)
            # Unticked and never recorded stays unrecorded: no fact for nothing done.
            if done or r.parent.id in s.homework_done:
                homework.append((r.parent.id, done))
    return attendance, homework, typed, ticked


@bp.post("/sessions/<uuid:session_id>/cancellation")
@requires("run")
def cancel_session(session_id: UUID) -> ResponseReturnValue:
    """Cancel a session that has no roll call yet."""
    form = CancelForm(prefix="cancel")
    service = system().service
    s = service.session(session_id, actor())
    if form.validate_on_submit():
        refused = attempt(lambda: service.cancel_session(session_id, reason=form.reason.data, actor=actor()))
        if isinstance(refused, DomainError):
            flash(refusal(refused), "error")
        else:
            flash(_("De bijeenkomst is geannuleerd."), "success")
    else:
        flash(_("Vul een reden in om de bijeenkomst te annuleren."), "error")
    return redirect(url_for("staff.session", session_id=s.id))


@bp.get("/parents/<uuid:parent_id>")
@requires("records")
def parent(parent_id: UUID) -> ResponseReturnValue:
    """A parent: children, programmes, assessments, earned, paid and outstanding."""
    p = system().service.parent(parent_id, actor())
    programs = parent_programs(p, actor())
    names = {pp.program.id: pp.program.name for pp in programs}
    return render_template("staff/parent.html", p=p, programs=programs, program_names=names, kind_label=kind_label)


@bp.get("/parents")
@requires("records")
def parents() -> ResponseReturnValue:
    """The parents registered at my schools, 50 a page; `q` searches their names."""
    service = system().service
    q = request.args.get("q", "")[:MAX_FORM_TEXT]
    page = listing.parents_page(service, actor(), limit=UI_PAGE, q=q, school=request.args.get("school"),
                                **cursors(listing.PARENT_KEY))
    shown = page.map(lambda i: service.parent(i, actor()))
    return render_template("staff/parents.html", parents=shown.items, q=q, pager=links(page))
