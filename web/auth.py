"""Who is calling the API and what their role lets them do.

Role matrix (every read and command is further limited to the user's schools; admins have all):
- admin: everything;
- staff: every command and every read of the records (parents, programmes, sessions, projections);
- auditor: the same reads, no commands, and the audit log;
- analyst: the programme list and detail and the projection endpoints only: no parent or
  session records, no commands, no audit log.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from flask import current_app, g, request
from werkzeug.exceptions import BadRequest

from application.actor import Actor
from betrokken.system import System
from web.errors import AuthenticationRequired, BadBody, RoleForbidden

F = TypeVar("F", bound=Callable[..., Any])

COMMANDS = ("admin", "staff")
RECORDS = ("admin", "staff", "auditor")
PROJECTIONS = ("admin", "staff", "auditor", "analyst")
AUDIT = ("admin", "auditor")


def system() -> System:
    """The running system (programme service, accounts, ...)."""
    return current_app.extensions["betrokken"]


def current_actor() -> Actor:
    """The authenticated user of this request."""
    return g.actor


def authenticate() -> Actor:
    """The user behind the request's bearer token (401 when there is none or it is not live)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationRequired()
    actor = system().accounts.authenticate_token(token)
    if actor is None:
        raise AuthenticationRequired()
    g.actor = actor
    return actor


def ensure_json_object() -> None:
    """A command's body must be one JSON object; say clearly what is wrong with it otherwise."""
    if not request.is_json:
        raise BadBody("the body must be JSON, sent with 'Content-Type: application/json'")
    try:
        body = request.get_json()
    except BadRequest:
        raise BadBody("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadBody("the body must be a JSON object ({...})")


def requires(*roles: str) -> Callable[[F], F]:
    """Let only these roles through: 401 without a live token, 403 for other roles, then 422 for a
    body that is not a JSON object (before flask-smorest reads it). Put it right under `route`."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = authenticate()
            if actor.role not in roles:
                raise RoleForbidden(actor.role)
            if request.method in ("POST", "PUT", "PATCH"):
                ensure_json_object()
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
