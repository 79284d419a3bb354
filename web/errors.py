"""The one table from exception to HTTP status, for the JSON API and the staff's HTML pages alike,
and the one shape of every JSON error answer:
`{"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}}}` (fields always
present, as the public contract shows it; empty unless the input failed validation).

Views never pick a status for a refusal themselves: they let the exception rise to here, or
(a staff form shown again with its refusal) ask `status_of(error)` / `status_for(kind)`."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from adapters.deadline import DeadlineExceededError
from adapters.keystore import DataKeyUnavailable
from domain.errors import DomainError, NotFoundError

log = logging.getLogger("betrokken.web")


class Refusal(Exception):
    """A refusal of the web layer's own (not the domain's): a stable code, a message, and the
    fields it is about."""

    code = "error"
    message = ""

    def __init__(self, message: str | None = None, fields: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = dict(fields or {})


class BadBody(Refusal):
    """The request body is not a JSON object (wrong content type, broken JSON, an array...)."""

    code = "invalid_body"

    def __init__(self, message: str) -> None:
        super().__init__(message, {"body": [message]})


class IdempotencyKeyInvalid(Refusal):
    """The Idempotency-Key header is not 1 to 255 printable ASCII characters (web/idempotency.py)."""

    code = "idempotency_key_invalid"


class IdempotencyKeyReused(Refusal):
    """The key was used before for another request: the key's history refuses it, not its shape."""

    code = "idempotency_key_reused"


class IdempotencyInProgress(Refusal):
    """A request with this key is still running: retry a little later."""

    code = "idempotency_in_progress"


class AuthenticationRequired(Refusal):
    """No token, or not a live one."""

    code = "unauthorized"
    message = "sign in: send a valid API token as 'Authorization: Bearer TOKEN'"


class RoleForbidden(Refusal):
    """The user's role may not do this."""

    code = "forbidden"

    def __init__(self, role: str) -> None:
        super().__init__(f"the role {role!r} may not do this")


class TooManyAttempts(Refusal):
    """Too many failed sign-ins or bad tokens from here: wait before trying again."""

    code = "too_many_attempts"

    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many failed attempts from this address; try again in {seconds} seconds")
        self.seconds = seconds


# exception type -> status; the first match in this order wins (subclasses before their bases).
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (ValidationError, 422),
    (BadBody, 422),
    (IdempotencyKeyInvalid, 422),
    (IdempotencyKeyReused, 409),
    (IdempotencyInProgress, 409),
    (AuthenticationRequired, 401),
    (RoleForbidden, 403),
    (NotFoundError, 404),
    (TooManyAttempts, 429),
    (DeadlineExceededError, 503),  # nothing recorded: try again
    (DataKeyUnavailable, 503),  # a split installation's key: nothing recorded (adapters/keystore.py)
    (DomainError, 409),  # ConcurrentEditError (a persisting IntegrityError) included: "reload and retry"
)


def row_for(kind: type[Exception]) -> int | None:
    """The table's status for a kind of error, None when it has no row for it."""
    return next((status for cls, status in STATUS if issubclass(kind, cls)), None)


def status_for(kind: type[Exception]) -> int:
    """The status a kind of error answers with (500 for one the table does not know)."""
    return row_for(kind) or 500


def status_of(error: Exception) -> int:
    """The status of an error: the table's, else an HTTP error's own (404 route, 405, CSRF 400), else 500."""
    status = row_for(type(error))
    if status is None and isinstance(error, HTTPException):
        return error.code or 500
    return status or 500


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
    return error_body(status_for(ValidationError), "validation_failed", f"the input failed validation ({summary})", fields)


def handle_exception(exc: Exception) -> Response:
    """Answer any exception a view lets through."""
    if isinstance(exc, ValidationError):
        return validation_failed(exc.messages)  # 422, with the fields
    status = row_for(type(exc))
    if status is not None:
        fields = exc.fields if isinstance(exc, Refusal) else None
        response = error_body(status, getattr(exc, "code", "error"), getattr(exc, "message", str(exc)), fields)
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.seconds)
        return response
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
