"""What the pages show, gathered from the service and the projections (no rules decided here).

The projections answer per programme; these helpers join their rows to names (for roles that
may see names), in the order staff expect: parents in order of enrolment, sessions by date."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable
from uuid import UUID

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from application.actor import Actor
from application.name_index import ProgramCard
from domain.parent import Parent
from domain.rules import takes_part
from domain.session import Session
from domain.templates import TEMPLATES
from domain.training_program import Enrolment, TrainingProgram
from web.staff.pickers import child_label
from web.staff.access import system

def status_label(status: str | None) -> str:
    """Aanwezig / Afwezig / Afgemeld in the user's language."""
    labels = {"present": _("Aanwezig"), "absent": _("Afwezig"), "excused": _("Afgemeld")}
    return labels.get(status or "", "–")


def kind_label(kind: str) -> str:
    """A programme kind's name (the template's)."""
    t = TEMPLATES.get(kind)
    return _(t.label) if t else kind  # the labels are listed for translation in web/staff/week_pages.py


def payout_label(method: str) -> str:
    """Contant / Onderwijsfonds in the user's language."""
    return {"cash": _("Contant"), "education_fund": _("Onderwijsfonds")}.get(method, method)


def by_parent(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Projection rows keyed by the parent's id as text."""
    return {str(r["parent_id"]): r for r in rows}


def pseudonym(parent_id: UUID | str) -> str:
    """How a parent is shown to analysts: no name, a short stable code."""
    return _("Ouder %(code)s", code=str(parent_id)[:8])


@dataclass
class ParentRow:
    """One enrolled parent on the programme page."""

    parent_id: UUID
    label: str
    erased: bool
    unreadable: bool
    child: str | None
    enrolments: list[Enrolment]
    attendance: dict[str, Any] = field(default_factory=dict)
    completion: dict[str, Any] = field(default_factory=dict)
    rewards: dict[str, Any] = field(default_factory=dict)

    @property
    def enrolled_now(self) -> bool:
        return any(e.withdrawn_on is None for e in self.enrolments)


@dataclass
class SessionRow:
    """One session on the programme page, with its roll-call counts."""

    session: Session
    present: int = 0
    absent: int = 0
    excused: int = 0


@dataclass
class ProgramPage:
    """Everything the programme page shows."""

    program: TrainingProgram
    sessions: list[SessionRow]
    parents: list[ParentRow]
    names_shown: bool

    @property
    def kind_label(self) -> str:
        return kind_label(self.program.kind)


def program_page(program_id: UUID, actor: Actor, names: bool) -> ProgramPage:
    """The programme with its sessions and its parents' attendance, completion and rewards."""
    sys = system()
    program = sys.service.program(program_id, actor)
    sessions = sys.service.sessions(program_id, actor)
    attendance = sys.projections.attendance(program_id)
    per_session = {str(r["session_id"]): r for r in attendance.get("sessions", [])}
    session_rows = []
    for s in sessions:
        counts = per_session.get(str(s.id), {})
        session_rows.append(
            SessionRow(s, counts.get("present", 0), counts.get("absent", 0), counts.get("excused", 0))
        )
    att = by_parent(attendance.get("parents", []))
    comp = by_parent(sys.projections.completion(program_id))
    rew = by_parent(sys.projections.rewards(program_id))
    parents = []
    for pid in program.enrolled_parents():
        enrolments = program.enrolments[pid]
        label, erased, unreadable, child = pseudonym(pid), False, False, None
        if names:
            p = sys.service.parent(pid, actor)
            label, erased, unreadable = p.name, p.erased, p.unreadable
            for_children = [e.child_ids for e in enrolments if e.child_ids]  # the latest enrolment that names any
            if for_children:
                child = ", ".join(child_label(p.children[c]) for c in for_children[-1] if c in p.children) or None
        key = str(pid)
        parents.append(ParentRow(pid, label, erased, unreadable, child, enrolments, att.get(key, {}), comp.get(key, {}), rew.get(key, {})))
    return ProgramPage(program, session_rows, parents, names)


def attendance_chart(page: ProgramPage) -> str:
    """Attendance per session as a stacked bar chart: an inline SVG drawn by pygal (no scripts)."""
    style = chart_style(("#1b7f3b", "#b7791f", "#b42318"))
    chart = pygal.StackedBar(
        style=style, js=[], width=800, height=360, legend_at_bottom=True, show_y_guides=True,
        title=_("Aanwezigheid per bijeenkomst"), x_label_rotation=30, print_values=False,
        disable_xml_declaration=True, explicit_size=False, min_scale=1, max_scale=10, order_min=0,
    )
    from web.i18n import fmt_date  # the page's own date format on the axis

    rows = [r for r in page.sessions if not r.session.cancelled]
    chart.x_labels = [fmt_date(r.session.starts_at) for r in rows]
    chart.add(_("Aanwezig"), [r.present for r in rows])
    chart.add(_("Afgemeld"), [r.excused for r in rows])
    chart.add(_("Afwezig"), [r.absent for r in rows])
    return inline_svg(chart.render(is_unicode=True))


def chart_style(colors: tuple[str, ...]) -> Style:
    """The pages' chart style: the site's colours and type, no background."""
    return Style(
        background="transparent", plot_background="transparent", foreground="#1f2933",
        foreground_strong="#1f2933", foreground_subtle="#52606d",
        colors=colors, font_family="system-ui, sans-serif",
        label_font_size=14, major_label_font_size=14, legend_font_size=14, title_font_size=16,
    )


def inline_svg(svg: str, title_id: str = "chart-title") -> str:
    """A pygal chart fit for the page: no scripts, its style under the CSP nonce, labelled by its caption."""
    # pygal adds a small inline <script> with its config for its (absent) tooltip JS: drop it.
    start = svg.find("<script")
    while start != -1:
        end = svg.find("</script>", start)
        svg = svg[:start] + svg[end + len("</script>"):]
        start = svg.find("<script")
    # The CSP allows no inline style without the request's nonce (web/security.py): give it to
    # pygal's own <style>, and make its one style attribute a presentation attribute.
    from flask import request

    nonce = getattr(request, "csp_nonce", "")
    svg = svg.replace("<style", f'<style nonce="{nonce}"').replace('style="opacity: 0"', 'opacity="0"')
    return svg.replace("<svg ", f'<svg role="img" aria-labelledby="{title_id}" ', 1)


@dataclass
class RollCallRow:
    """A parent the session counts for, with what is recorded so far."""

    parent: Parent
    status: str | None
    homework_done: bool


@dataclass
class HistoryEntry:
    """One recorded fact of the roll call: who changed what, when."""

    when: datetime
    actor: str | None
    parent_name: str
    what: str
    before: str | None
    after: str

    @property
    def correction(self) -> bool:
        return self.before is not None


def roll_call(session: Session, program: TrainingProgram, actor: Actor) -> list[RollCallRow]:
    """A row per parent the session counts for on its date (and, for a visit, named in it)."""
    rows = []
    for pid in program.enrolled_parents():
        if not takes_part(pid, session.date, session.participants, program.enrolment_periods(pid)):
            continue
        parent = system().service.parent(pid, actor)
        rows.append(RollCallRow(parent, session.attendance.get(pid), session.homework_done.get(pid) is True))
    return rows


def roll_call_history(session: Session, actor: Actor, names: dict[UUID, str] | None = None) -> list[HistoryEntry]:
    """The roll call's recorded facts, newest first; a changed value is a correction. `names`:
    parents' names the page already loaded (the roll call's rows), so they are not loaded again."""
    service = system().service
    names = dict(names or {})
    status: dict[UUID, str] = {}
    done: dict[UUID, bool] = {}
    entries = []
    for e in service.events.get(session.id):
        kind = type(e).__name__
        if kind not in ("AttendanceRecorded", "HomeworkRecorded"):
            continue
        pid = e.parent_id
        if pid not in names:
            try:
                names[pid] = service.parent(pid, actor).name
            except Exception:  # a parent no longer readable still has a line in the history
                names[pid] = str(pid)[:8]
        if kind == "AttendanceRecorded":
            before = status.get(pid)
            status[pid] = e.status
            entries.append(HistoryEntry(e.timestamp, getattr(e, "actor", None), names[pid], _("Aanwezigheid"),
                                        status_label(before) if before else None, status_label(e.status)))
        else:
            before_done = done.get(pid)
            done[pid] = e.completed
            yes_no = {True: _("huiswerk gedaan"), False: _("huiswerk niet gedaan")}
            entries.append(HistoryEntry(e.timestamp, getattr(e, "actor", None), names[pid], _("Huiswerk"),
                                        yes_no[before_done] if before_done is not None else None, yes_no[e.completed]))
    return list(reversed(entries))


@dataclass
class ParentProgram:
    """A programme a parent is (or was) enrolled in, with their figures there."""

    program: TrainingProgram
    enrolments: list[Enrolment]
    completion: dict[str, Any]
    rewards: dict[str, Any]


def parent_programs(parent: Parent, actor: Actor) -> list[ParentProgram]:
    """The parent's programmes within the user's schools, with completion and rewards."""
    sys = system()
    found = []
    for program in enrolled_programs(parent.id, actor):
        comp = by_parent(sys.projections.completion(program.id)).get(str(parent.id), {})
        rew = by_parent(sys.projections.rewards(program.id)).get(str(parent.id), {})
        found.append(ParentProgram(program, program.enrolments[parent.id], comp, rew))
    return found


def enrolled_programs(parent_id: UUID, actor: Actor) -> list[TrainingProgram]:
    """The programmes (within the user's schools) the parent was ever enrolled in: found in the
    projections, so only those programmes are loaded, not every programme of the user's schools."""
    sys = system()
    programs = [sys.service.program(p) for p in sys.projections.programs_of_parent(parent_id)]
    return [p for p in programs if actor.may_see(p.school) and parent_id in p.enrolments]


@dataclass
class ProgramSummary:
    """A programme at a glance on the start page."""

    program: ProgramCard
    enrolled: int
    sessions_planned: int
    sessions_held: int
    attendance_rate: float | None
    completed: int

    @property
    def kind_label(self) -> str:
        return kind_label(self.program.kind)


def summaries(program_ids: list[UUID]) -> list[ProgramSummary]:
    """These programmes at a glance: name and kind from the name index, figures from the
    projections (one read for the page; no programme's history is loaded)."""
    sys = system()
    figures = sys.projections.glance(program_ids)
    return [
        ProgramSummary(card, g.enrolled, g.sessions_planned, g.sessions_held, g.attendance_rate, g.completed)
        for card, g in ((card, figures[card.id]) for card in sys.service.names.cards(program_ids))
    ]


def csv_text(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text (comma-separated, a header line first)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else spreadsheet_safe(v) for v in row])
    return buf.getvalue()


def spreadsheet_safe(value: Any) -> Any:
    """Typed text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
    apostrophe (OWASP's advice against CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
