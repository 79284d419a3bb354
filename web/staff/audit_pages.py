"""The auditors' page: an aggregate's timeline (every recorded fact: who, what, when), and its
state at any version. Reads through application/history.py, scoped to the user's schools."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import render_template, request
from flask.typing import ResponseReturnValue

from application.history import History
from web.staff import bp
from web.staff.access import actor, requires, system


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return None


@bp.get("/audit/aggregates/<uuid:aggregate_id>")
@requires("audit")
def audit_timeline(aggregate_id: UUID) -> ResponseReturnValue:
    """An aggregate's recorded facts, oldest first; `?version=N` also shows its state then."""
    history = History(system().service)
    found = history.events_of(aggregate_id, actor())
    events = [{**e, "when": _moment(e["timestamp"])} for e in found["events"]]
    state = None
    version = request.args.get("version", type=int)
    if version is not None:
        state = history.state_at(aggregate_id, version=version, actor=actor())
    return render_template("staff/audit.html", aggregate_id=aggregate_id, events=events, state=state)
