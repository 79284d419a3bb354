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


# endpoint -> (channel, default purpose, the parents it showed)
LOGGED: dict[str, tuple[str, str, Ids]] = {
    "api_parents.get_parent": ("api", RUN, _path("parent_id")),
    "api_parents.list_parents": ("api", RUN, _listed),
    "api_corrections.correct_parent": ("api", RUN, _path("parent_id")),
    "api_access.get_access_report": ("api", ACCESS, _path("parent_id")),
    "api_audit_history.get_aggregate_events": ("api", AUDIT, _aggregate_if_parent),
    "api_audit_history.get_aggregate_state": ("api", AUDIT, _aggregate_if_parent),
    "staff.parent": ("ui", RUN, _path("parent_id")),
    "staff.audit_timeline": ("ui", AUDIT, _aggregate_if_parent),
    "staff.edit_parent": ("ui", RUN, _path("parent_id")),
    "staff.edit_child": ("ui", RUN, _path("parent_id")),
    "staff.payout_history_page": ("ui", RUN, _path("parent_id")),
    "staff.access_report_page": ("ui", ACCESS, _path("parent_id")),
}


def _school(parent_id: str) -> str | None:
    directory = current_app.extensions["betrokken"].service.directory
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
    reads: list[Any] = []
    for parent_id in ids(response):
        school = _school(parent_id)
        if school is not None:
            reads.append(Read(at, who[0], who[1], parent_id, school, channel, activity, why, trace))
    reads_log.append(reads)
    return response


def init_app(app: Flask) -> None:
    """Log reads of parents' personal data after every request."""
    app.after_request(log_reads)
