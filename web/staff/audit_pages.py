"""The auditors' pages (admins and auditors only, scoped to their schools): the event log with
filters, an aggregate's timeline and its state at any version or moment, and the check of the
log's hash chain. Read-only: parse the query string -> application/audit.py or history.py ->
present. Every page answers GET (nothing changes), so a filtered view can be bookmarked."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from application.audit import AuditLog, LogFilter, LogPage, NotSealedError, event_types
from application.history import History
from adapters.sealing import Seal
from adapters.verification import DIFFERS, MISSING, UNSEALED
from domain.errors import NotFoundError
from domain.limits import MAX_POSITION
from web.errors import status_for
from web.staff import bp
from web.staff.access import actor, requires, system

LOG_PAGE = 50


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return None


def shown(value: Any) -> str:
    """A recorded value as text: scalars as they are, records and lists as indented JSON."""
    if value is None:
        return "–"
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return str(value)


def _date_arg(name: str, errors: dict[str, str]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = _("Geef een datum als JJJJ-MM-DD.")
        return None


@dataclass
class LogQuery:
    """The log page's query string, parsed: where to start and what to look for."""

    after: int = 0
    wanted: LogFilter = field(default_factory=LogFilter)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls) -> "LogQuery":
        """Read `after`, `type`, `actor`, `from` and `to` from the request; note what is wrong."""
        errors: dict[str, str] = {}
        after = request.args.get("after", 0, type=int)
        type_name = request.args.get("type", "").strip() or None
        if type_name and type_name not in event_types():
            errors["type"] = _("Onbekend soort feit.")
            type_name = None
        since, until = _date_arg("from", errors), _date_arg("to", errors)
        if since and until and until < since:
            errors["to"] = _("De einddatum ligt voor de begindatum.")
        wanted = LogFilter(type=type_name, actor=request.args.get("actor", "").strip() or None, since=since, until=until)
        return cls(min(max(after or 0, 0), MAX_POSITION), wanted, errors)

    def args(self, after: int | None = None) -> dict[str, Any]:
        """The query string for another page of the same search."""
        w = self.wanted
        found = {"type": w.type, "actor": w.actor, "from": w.since and w.since.isoformat(),
                 "to": w.until and w.until.isoformat(), "after": after}
        return {k: v for k, v in found.items() if v}


@bp.get("/audit/log")
@requires("audit")
def audit_log() -> ResponseReturnValue:
    """The event log page by page, filtered by type, actor and dates; `Volgende` continues."""
    query = LogQuery.parse()
    page = LogPage(items=[], next=None)
    if not query.errors:
        page = AuditLog(system().service).search(query.wanted, query.after, LOG_PAGE, schools=actor().schools)
    next_url = url_for("staff.audit_log", **query.args(page.next)) if page.next is not None else None
    first_url = url_for("staff.audit_log", **query.args()) if query.after else None
    return render_template(
        "staff/audit_log.html", query=query, page=page, types=event_types(),
        next_url=next_url, first_url=first_url,
    ), (status_for(ValidationError) if query.errors else 200)


@bp.get("/audit/aggregates/<uuid:aggregate_id>")
@requires("audit")
def audit_timeline(aggregate_id: UUID) -> ResponseReturnValue:
    """An aggregate's recorded facts, oldest first, and its state at `?version=N` or `?as_of=`
    (date-time, Dutch time when no offset is given); the current state by default."""
    history = History(system().service)
    found = history.events_of(aggregate_id, actor())  # outside the user's schools: 404
    events = [{**e, "when": _moment(e["timestamp"])} for e in found["events"]]
    error, status, state = None, 200, None
    version = request.args.get("version", "").strip()
    as_of_text = request.args.get("as_of", "").strip()
    as_of: datetime | None = None
    wanted_version: int | None = None
    try:
        if version and as_of_text:
            raise ValueError(_("Kies een versie of een moment, niet allebei."))
        if version:
            if not (version.isascii() and version.isdigit()) or int(version) > MAX_POSITION:
                raise ValueError(_("Een versie is een heel getal vanaf 1."))
            wanted_version = int(version)
        if as_of_text:
            try:
                as_of = datetime.fromisoformat(as_of_text)
            except ValueError:
                raise ValueError(_("Geef een moment als JJJJ-MM-DD UU:MM.")) from None
    except ValueError as e:
        error, status = str(e), status_for(ValidationError)
    if error is None:
        try:
            state = history.state_at(aggregate_id, version=wanted_version, as_of=as_of, actor=actor())
        except NotFoundError:
            # Visible (events_of passed), so what is missing is that version or moment.
            error, status = _("Die versie bestaat niet, of het record bestond op dat moment nog niet."), status_for(NotFoundError)
    return render_template(
        "staff/audit.html", aggregate_id=aggregate_id, events=events, state=state,
        current=events[-1]["version"] if events else None, as_of=as_of_text,
        error=error, shown=shown,
    ), status


@bp.get("/audit/verify")
@requires("audit")
def audit_verify() -> ResponseReturnValue:
    """Recompute the log's hash chain: intact with its head (to keep elsewhere), or the first bad
    position; and where the projections stopped if their catch-up met a broken seal."""
    kept_text = request.args.get("digest", "").strip()
    error, kept, verdict, unsealed = None, None, None, False
    if kept_text:
        try:
            kept = Seal.parse(kept_text)
        except ValueError:
            error = _("Een bewaarde vingerafdruk ziet eruit als POSITIE:HEX (64 hexadecimale tekens).")
    if error is None:
        try:
            verdict = AuditLog(system().service).verify(kept)
        except NotSealedError:
            unsealed = True
    projections = system().projections
    projections.catch_up()  # finds a break behind the figures now, not at the next read
    halted = projections.broken
    # An altered log is a finding, not a failed request: the page answers 200 and says where.
    return render_template(
        "staff/audit_verify.html", verdict=verdict, kept=kept_text, error=error, unsealed=unsealed,
        reason=_reason(verdict.reason) if verdict and not verdict.intact else None,
        halted=halted, halted_reason=_reason(halted.reason) if halted else None, halted_at=projections.position,
    ), (status_for(ValidationError) if error else 200)


def _reason(reason: str) -> str:
    """Why the chain broke, in the user's language (adapters/verification.py words it in English)."""
    reasons = {
        MISSING:
            _("Een verzegeld feit ontbreekt hier (verwijderd of verplaatst)."),
        UNSEALED:
            _("Hier staat een feit dat nooit is verzegeld (toegevoegd of verplaatst)."),
        DIFFERS:
            _("Het opgeslagen feit wijkt af van wat is verzegeld."),
        "the log up to here no longer matches the kept digest":
            _("Het logboek tot hier klopt niet meer met de bewaarde vingerafdruk."),
        "the kept digest's position is no longer in the log":
            _("De positie van de bewaarde vingerafdruk staat niet meer in het logboek."),
    }
    return reasons.get(reason, reason)
