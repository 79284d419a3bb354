"""The coordinator's week in the staff UI: "Te doen" (the to-do lists, each line linking to
where it is fixed), "Vandaag" (today's and this week's sessions, one tap from their roll call),
the parents' import (upload, preview, confirm) and school names instead of codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField

from application.clock import SCHOOL_TZ
from application.clock import today as today_in_nl
from application.intake import already_registered, enroll_many, import_parents, parse_parents, rejected
from application.name_index import ProgramCard
from application.schools import school_names
from domain.errors import ImportRejectedError
from domain.session import Session
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, InputRequired

from web.dutch_fields import DutchDateField as DateField
from web.forms import CsrfOnlyForm, MultiCheckboxField, choices
from web.staff.form_command import run_form
from web.staff import bp
from web.staff.access import actor, ensure, may, requires, system
from web.staff.form_command import done
from web.staff.pickers import not_enrolled, pickable_parents

KIND_NAMES = (  # domain/templates.py's labels, listed here so the catalogue translates them
    _l("PACT (voorleestraining voor ouders)"), _l("Pittige Jaren (Incredible Years)"), _l("REAL huisbezoeken"),
    _l("Informatiebijeenkomsten ouders-school"), _l("Eigen programma"),
)
MAX_UPLOAD = 2 * 1024 * 1024
"""A school's administration export is well under 2 MB."""


@bp.app_context_processor
def week_helpers() -> dict[str, Any]:
    return {"school_name": school_name, "running": running}


def running(sessions: list[Any]) -> bool:
    """Whether a programme still has sessions to come (completion then reads "op koers" or
    "niet op koers"; "afgerond" only once its last session lies behind it)."""
    now = datetime.now(SCHOOL_TZ)
    return any(r.session.starts_at > now and not r.session.cancelled for r in sessions)


def school_name(brin: str) -> str:
    """The school's name from the register (read once per request), else its BRIN code."""
    if "school_names" not in g:
        g.school_names = school_names(system().service, actor())
    return str(g.school_names.get(brin, brin))


def my_programme_cards() -> list[ProgramCard]:
    """The programmes of my schools as the name index shows them: no programme is loaded."""
    service = system().service
    return service.names.cards(service.directory.programs_of(actor().schools))


# -- te doen -----------------------------------------------------------------------------------


@bp.get("/te-doen")
@requires("records")
def todo() -> ResponseReturnValue:
    """What needs doing at my schools, from the projections; each line links to where it is fixed."""
    lists = system().projections.todo(actor().schools, datetime.now(SCHOOL_TZ))
    service = system().service
    programs = {str(c.id): c for c in my_programme_cards()}
    listed = {x["parent_id"] for key in ("consecutive_absences", "overdue_home_visits", "outstanding_payouts",
                                          "failed_messages") for x in lists[key]}
    # Admins decide erasure requests: a held one comes back here once its date has passed.
    erasures = service.directory.erasures_due(actor().schools, today_in_nl()) if may("erase") else []
    listed |= {str(p) for p, _ in erasures}
    names = {pid: service.parent(UUID(pid), actor()).name for pid in listed}  # only the parents listed
    return render_template("staff/todo.html", lists=lists, programs=programs, names=names, erasures=erasures)


# -- vandaag ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A session of this week with its programme's name, and whether it lies in the past."""

    session: Session
    program_name: str
    past: bool
    today: bool


def week_sessions(now: datetime) -> list[Planned]:
    """This week's sessions (Monday to Sunday) across my programmes, from the projection's
    sessions table; only those few are loaded for their titles."""
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time(), SCHOOL_TZ)
    service = system().service
    ids = system().projections.sessions_between(actor().schools, monday, monday + timedelta(days=7))
    names = {c.id: c.name for c in my_programme_cards()}
    found = []
    for sid in ids:
        s = service.session(UUID(sid), actor())
        found.append(Planned(s, names.get(s.program_id, ""), s.starts_at < now, s.starts_at.astimezone(SCHOOL_TZ).date() == now.date()))
    return found


@bp.get("/vandaag")
@requires("records")
def today() -> ResponseReturnValue:
    """Today's and this week's sessions across my programmes, each a link to its roll call."""
    now = datetime.now(SCHOOL_TZ)
    planned = week_sessions(now)
    return render_template("staff/today.html", today=[p for p in planned if p.today],
                           week=[p for p in planned if not p.today], now=now)


# -- the parents' import -----------------------------------------------------------------------


class ImportForm(CsrfOnlyForm):
    """A CSV file from the school's administration."""

    file = FileField()


@bp.route("/ouders/importeren", methods=["GET", "POST"])
@requires("run")
def import_parents_page() -> ResponseReturnValue:
    """Upload a CSV, see what it holds (or every problem by line and column), then confirm."""
    form = ImportForm()
    problems: list[dict[str, object]] = []
    preview = None
    text = ""
    school = request.form.get("school") or None
    if request.method == "POST" and form.validate_on_submit():
        ensure("run")
        upload = request.files.get("file")
        text = upload.read(MAX_UPLOAD + 1).decode("utf-8-sig", errors="replace") if upload else request.form.get("csv", "")
        if len(text) > MAX_UPLOAD:
            problems = [{"line": 1, "column": "-", "message": _("Het bestand is groter dan 2 MB.")}]
        elif request.form.get("confirm") == "1":
            try:
                parents = import_parents(system().service, text, school=school, actor=actor())
            except ImportRejectedError as e:
                problems = e.problems
            else:
                return done(_("%(n)s ouders geregistreerd.", n=len(parents)), "staff.parents")
        else:
            try:
                preview = parse_parents(text, school)
                duplicates = already_registered(system().service, preview, actor())
                if duplicates:
                    raise rejected(duplicates)
            except ImportRejectedError as e:
                problems, preview = e.problems, None
    status = 422 if problems else 200
    children = sum(len(p.children) for p in preview or [])
    return render_template("staff/import.html", form=form, problems=problems, preview=preview, csv=text, children=children,
                           school=school or "", schools=sorted((actor().schools or school_names(system().service, actor())))), status


# -- many parents enrolled at once --------------------------------------------------------------


class EnrolManyForm(FlaskForm):
    """Parents of the programme's school to enrol at once, from one date on."""

    parent_ids = MultiCheckboxField(_l("Ouders"), [DataRequired(message=_l("Kies een of meer ouders."))], choices=[])
    enrolled_on = DateField(_l("Ingeschreven vanaf"), [InputRequired(message=_l("Vul een datum in."))], default=today_in_nl)


@bp.route("/programs/<uuid:program_id>/enrolments/many", methods=["GET", "POST"])
@requires("run")
def enrol_many(program_id: UUID) -> ResponseReturnValue:
    """Enrol several parents in one go (one command: all of them or none), sorted by name, erased ones left out."""
    service = system().service
    program = service.program(program_id, actor())
    candidates = not_enrolled(pickable_parents(service, actor(), program.school), program)
    form = EnrolManyForm()
    form.parent_ids.choices = choices((str(p.id), p.name) for p in candidates)
    return run_form(
        "staff/enrol_many.html", form,
        lambda: enroll_many(service, program_id, [UUID(i) for i in form.parent_ids.data or []],
                            enrolled_on=form.enrolled_on.data, actor=actor()),
        lambda _program: done(_("%(n)s ouders ingeschreven voor %(program)s.", n=len(form.parent_ids.data or []),
                                program=program.name), "staff.program", program_id=program_id),
        program=program,
    )


# -- the roll call's two questions -------------------------------------------------------------


def is_future(s: Session) -> bool:
    """Whether the session has not started yet (its roll call asks first)."""
    return s.starts_at > datetime.now(SCHOOL_TZ)


def nothing_filled_in() -> str:
    """What an empty roll call says instead of "saved"."""
    return _("Er is niets ingevuld, dus er is niets opgeslagen. Kies per ouder aanwezig, afwezig of afgemeld.")


def future_unconfirmed(s: Session) -> str | None:
    """Why a roll call of a session that lies ahead is not saved yet (None: it may be)."""
    if is_future(s) and not s.attendance and request.form.get("confirm_future") != "1":
        return _("Deze bijeenkomst is nog niet geweest. Vink aan dat je toch nu de presentie wilt opnemen, of kom na de bijeenkomst terug.")
    return None
