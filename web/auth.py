"""Who is calling the API and whether their role holds the permission a view needs (web/roles.py)."""

from __future__ import annotations

import functools
import inspect
from copy import deepcopy
from typing import Any, Callable, TypeVar

from flask import current_app, g, request
from werkzeug.exceptions import BadRequest

from application.actor import Actor
from web.errors import AuthenticationRequired, BadBody, RoleForbidden
from web.roles import COMMANDS, PERMISSIONS, ROLES, holds
from web.system import System

F = TypeVar("F", bound=Callable[..., Any])


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
    if has_nul(body):
        raise BadBody("text may not contain NUL characters (\\u0000)")


def has_nul(value: Any) -> bool:
    """Whether any text in a parsed body holds a NUL character (PostgreSQL cannot store one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def document_errors(view: Any, permission: str) -> None:
    """List in the OpenAPI document the error answers (web/errors.py's shape) this view can give:
    401 always; 403 when some role is turned away; 404 when the path names an id, and for
    commands (ids and schools in the body); 409 and 422 for commands. One by one, with no
    catch-all `default`, so clients (and schemathesis) can hold us to them. Writes flask-smorest's
    own `_apidoc`, as its `alt_response` does."""
    statuses = [(401, "UNAUTHORIZED")]
    if PERMISSIONS[permission] != set(ROLES):
        statuses.append((403, "FORBIDDEN"))
    command = permission in COMMANDS
    # a command names ids (and a school) in its body too: one outside the user's schools is a 404
    if command or any(name.endswith("_id") for name in inspect.signature(view).parameters):
        statuses.append((404, "NOT_FOUND"))
    if command:
        statuses += [(409, "CONFLICT"), (422, "UNPROCESSABLE_ENTITY")]
    view._apidoc = deepcopy(getattr(view, "_apidoc", {}))
    responses = view._apidoc.setdefault("response", {}).setdefault("responses", {})
    for status, name in statuses:
        if name not in responses.setdefault(status, []):
            responses[status].append(name)


def requires(permission: str) -> Callable[[F], F]:
    """Let only the roles holding the permission through: 401 without a live token, 403 for other
    roles, then 422 for a body that is not a JSON object (before flask-smorest reads it). Put it
    right under `route`."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = authenticate()
            if not holds(actor.role, permission):
                raise RoleForbidden(actor.role)
            if request.method in ("POST", "PUT", "PATCH"):
                ensure_json_object()
            return view(*args, **kwargs)

        document_errors(wrapper, permission)
        return wrapper  # type: ignore[return-value]

    return decorator
