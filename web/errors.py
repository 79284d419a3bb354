"""The one table from exception to HTTP status, and the one shape of every error answer:
`{"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}}}` (fields always
present, as API.md shows it; empty unless the input failed validation).

Views never pick a status for a refusal themselves; they let the exception rise to here."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from application.deadline import DeadlineExceededError
from domain.errors import DomainError, NotFoundError

log = logging.getLogger("betrokken.web")


class BadBody(Exception):
    """The request body is not a JSON object (wrong content type, broken JSON, an array...)."""

    code = "invalid_body"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthenticationRequired(Exception):
    """No token, or not a live one."""

    code = "unauthorized"
    message = "sign in: send a valid API token as 'Authorization: Bearer TOKEN'"


class RoleForbidden(Exception):
    """The user's role may not do this."""

    code = "forbidden"

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.message = f"the role {role!r} may not do this"


# exception type -> status; the first match in this order wins (subclasses before their bases).
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (ValidationError, 422),
    (BadBody, 422),
    (AuthenticationRequired, 401),
    (RoleForbidden, 403),
    (NotFoundError, 404),
    (DomainError, 409),  # ConcurrentEditError (a persisting IntegrityError) included: "reload and retry"
    (DeadlineExceededError, 503),  # nothing recorded: try again
)


def error_body(status: int, code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> Response:
    """The JSON answer for an error."""
    error: dict[str, Any] = {"code": code, "message": message, "fields": dict(fields or {})}
    response = jsonify({"error": error})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="betrokken"'
    return response


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"children.0.group": ["..."]}; whole-body ones under "body"."""
    flat: dict[str, list[str]] = {}

    def merge(more: dict[str, list[str]]) -> None:
        for k, v in more.items():
            flat.setdefault(k, []).extend(v)

    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            merge(flatten(value, name))
    elif isinstance(messages, list):
        for m in messages:
            merge(flatten(m, prefix) if isinstance(m, (Mapping, list)) else {prefix or "body": [str(m)]})
    else:
        merge({prefix or "body": [str(messages)]})
    return flat


def validation_failed(messages: Any) -> Response:
    fields = flatten(messages)
    summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
    return error_body(422, "validation_failed", f"the input failed validation ({summary})", fields)


def handle_exception(exc: Exception) -> Response:
    """Answer any exception a view lets through."""
    if isinstance(exc, ValidationError):
        return validation_failed(exc.messages)
    if isinstance(exc, BadBody):
        return error_body(422, exc.code, exc.message, {"body": [exc.message]})
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return error_body(status, getattr(exc, "code", "error"), getattr(exc, "message", str(exc)))
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log.exception("unexpected error")
    return error_body(500, "internal_error", "something went wrong on our side; it has been logged")


def handle_http_exception(exc: HTTPException) -> Response:
    """Flask's and flask-smorest's own errors (404 route, 405, webargs' 422) in our shape."""
    data = getattr(exc, "data", None) or {}
    status = exc.code or 500
    if status == 422 and "messages" in data:
        # webargs keys its messages by location ("json", "query"); the client knows where it sent them.
        messages = data["messages"]
        if isinstance(messages, Mapping) and len(messages) == 1:
            messages = next(iter(messages.values()))
        return validation_failed(messages)
    if status >= 500:
        log.error("server error %s: %s", status, exc)
        return error_body(status, "internal_error", "something went wrong on our side; it has been logged")
    code = (exc.name or "error").lower().replace(" ", "_").replace("'", "")
    message = data.get("message") or exc.description or exc.name
    response = error_body(status, code, str(message))
    if status == 405 and isinstance(exc.valid_methods, (list, tuple, set)):  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # type: ignore[attr-defined]
    return response


def register_error_handlers(app: Flask) -> None:
    """Make every error answer in the one shape (also Flask's and flask-smorest's own)."""
    app.register_error_handler(HTTPException, handle_exception)
    app.register_error_handler(Exception, handle_exception)
