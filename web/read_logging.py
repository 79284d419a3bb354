"""Logging every read of a parent's personal data (adapters/read_log.py), for the API and the
staff UI alike, after the answer is made: only a successful answer that showed a parent is
logged, with the user, the route, the purpose and one trace id per request.

The purpose is the caller's `X-Purpose` header (up to 200 characters; scripts should send it),
else the route's default below. Analysts never reach these routes (their figures are
pseudonymous), so their queries are not logged row by row."""

from __future__ import annotations

import logging
from typing import Any, Callable
from uuid import UUID

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

from adapters.read_log import Read, new_trace, now
from web.roles import holds

log = logging.getLogger("betrokken.reads")
MAX_PURPOSE = 200

RUN = "uitvoering programma"  # running the programme: the school's task (AVG art. 6(1)(e))
AUDIT = "verantwoording en controle"  # accountability: auditors checking the history
ACCESS = "inzageverzoek (AVG art. 15)"

Ids = Callable[[Response], list[str]]


def _path(name: str) -> Ids:
    return lambda response: [str(request.view_args[name])] if request.view_args and name in request.view_args else []


def _listed(response: Response) -> list[str]:
    """The parents an answer lists (a list of parents, or a page `{items: [...]}` of them)."""
    body = response.get_json(silent=True)
    items = body.get("items", []) if isinstance(body, dict) else body
    return [str(i["id"]) for i in items or () if isinstance(i, dict) and "id" in i]


def _aggregate_if_parent(response: Response) -> list[str]:
    ident = (request.view_args or {}).get("aggregate_id")
    return [str(ident)] if ident is not None and _school(str(ident)) is not None else []


def _names_shown() -> bool:
    """Whether the signed-in user's pages show parents' names (analysts see ids only)."""
    who = _who()
    return who is not None and holds(who[1], "records")


def _program_parents(response: Response) -> list[str]:
    """A programme's page or download names every parent ever enrolled (for roles that see names)."""
    program_id = (request.view_args or {}).get("program_id")
    if program_id is None or not _names_shown() or (request.view_args or {}).get("table") == "sessions":
        return []
    return [str(p) for p in _service().program(program_id).enrolled_parents()]


def _session_parents(response: Response) -> list[str]:
    """A roll call names the parents enrolled in the session's programme."""
    session_id = (request.view_args or {}).get("session_id")
    if session_id is None or not _names_shown():
        return []
    return [str(p) for p in _service().program(_service().session(session_id).program_id).enrolled_parents()]


def _school_parents(response: Response) -> list[str]:
    """The parents list of the user's schools."""
    who = getattr(current_user, "actor", None)
    return [str(p) for p in _service().directory.parents_of(who.schools)] if who is not None else []


def _service() -> Any:
    return current_app.extensions["betrokken"].service


# endpoint -> (channel, default purpose, the parents it showed)
LOGGED: dict[str, tuple[str, str, Ids]] = {
    "api_parents.get_parent": ("api", RUN, _path("parent_id")),
    "api_parents.list_parents": ("api", RUN, _listed),
    "api_corrections.correct_parent": ("api", RUN, _path("parent_id")),
    "api_access.get_access_report": ("api", ACCESS, _path("parent_id")),
    "api_audit_history.get_aggregate_events": ("api", AUDIT, _aggregate_if_parent),
    "api_audit_history.get_aggregate_state": ("api", AUDIT, _aggregate_if_parent),
    "staff.parent": ("ui", RUN, _path("parent_id")),
    "staff.parents": ("ui", RUN, _school_parents),
    "staff.program": ("ui", RUN, _program_parents),
    "staff.program_csv": ("export", RUN, _program_parents),
    "staff.session": ("ui", RUN, _session_parents),
    "staff.audit_timeline": ("ui", AUDIT, _aggregate_if_parent),
    "staff.edit_parent": ("ui", RUN, _path("parent_id")),
    "staff.edit_child": ("ui", RUN, _path("parent_id")),
    "staff.payout_history_page": ("ui", RUN, _path("parent_id")),
    "staff.access_report_page": ("ui", ACCESS, _path("parent_id")),
}


def _school(parent_id: str) -> str | None:
    directory = _service().directory
    try:
        ident = UUID(parent_id)
    except ValueError:
        return None
    if ident not in directory.parents:
        directory.refresh()
    return directory.parents.get(ident)


def _who() -> tuple[str, str] | None:
    actor = getattr(g, "actor", None)
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user.actor
    return (actor.name, actor.role) if actor is not None else None


def purpose(default: str) -> str:
    """The caller's stated purpose, or the route's default."""
    stated = (request.headers.get("X-Purpose") or "").strip()
    return stated[:MAX_PURPOSE] if stated and stated.isprintable() else default


def log_reads(response: Response) -> Response:
    """After a successful answer on a logged route: one read per parent it showed."""
    spec = LOGGED.get(request.endpoint or "")
    reads_log = getattr(current_app.extensions.get("betrokken"), "reads", None)
    if spec is None or reads_log is None or not 200 <= response.status_code < 300:
        return response
    who = _who()
    if who is None:
        return response
    channel, default, ids = spec
    trace, at, why = new_trace(), now(), purpose(default)
    activity = f"{request.method} {request.url_rule.rule if request.url_rule else request.path}"
    try:
        reads: list[Any] = []
        for parent_id in ids(response):
            school = _school(parent_id)
            if school is not None:
                reads.append(Read(at, who[0], who[1], parent_id, school, channel, activity, why, trace))
        reads_log.append(reads)
    except Exception:  # the answer is made: a log that fails is reported loudly, the answer still goes
        log.exception("could not log the reads of %s %s", request.method, request.path)
    return response


def init_app(app: Flask) -> None:
    """Log reads of parents' personal data after every request."""
    app.after_request(log_reads)
