"""The `Idempotency-Key` header on every POST and PUT under /api/v1: retry a command safely.

Send a fresh random key (a UUID, say) with a command and send the same key with every retry of
it. The command is stored once, however often (or however concurrently) it arrives:

- the first request with the key runs the command and its answer is kept for 24 hours;
- a retry with the same key, method, path and body gets that answer again (same status and
  body) with the header `Idempotent-Replayed: true`; a refusal (4xx) is replayed too;
- the same key with another method, path or body: 409 `idempotency_key_reused` (the request is
  well formed; what refuses it is the key's history, as with any other conflict);
- a retry while the first is still running waits for it (up to WAIT_SECONDS), then replays,
  or answers 409 `idempotency_in_progress` (try again a little later);
- an error on our side (5xx) is not kept: the key is free again and a retry runs afresh.

Keys belong to the signed-in user: two users may use the same key independently. A request
without a valid token is not remembered (it answers 401 as usual), nor is one to a path or
method there is no command for (404, 405 as usual). The key is 1 to 255
printable ASCII characters; another value answers 422 `idempotency_key_invalid`."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from apispec import BasePlugin
from flask import Flask, Response, g, request
from flask_smorest import Api

from adapters.idempotency import Claimed, IdempotencyStore, InProgress, Outcome, Reused, Stored
from web.auth import authenticate, system
from web.errors import (
    AuthenticationRequired,
    IdempotencyInProgress,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    handle_exception,
)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
PREFIX = "/api/v1/"
METHODS = ("POST", "PUT", "PATCH")
WAIT_SECONDS = 10.0
MAX_KEY = 255
# Answers that say nothing about the command itself: not kept, the key is freed for a retry.
NOT_KEPT = (401, 408, 429)
COMPONENT = "IdempotencyKey"

DESCRIPTION = (
    "Commands (POST, PUT) accept an `Idempotency-Key` header: send a fresh random key with a command "
    "and the same key with every retry of it. The command is stored once; a retry gets the first "
    "answer again (same status and body, header `Idempotent-Replayed: true`), also while the first is "
    "still running (it waits up to 10 s, else 409 `idempotency_in_progress`). The same key with "
    "another body answers 409 `idempotency_key_reused`. Keys are per user and kept 24 hours; errors "
    "on our side (5xx) are not kept."
)
PARAMETER: dict[str, Any] = {
    "description": "Retry this command safely: the same key with the same request is stored once and "
                   "its answer replayed (header `Idempotent-Replayed: true`). Per user, kept 24 hours.",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": "^[\\x21-\\x7e]+$"},
    "example": "3f1c2a7e-6a51-4c1e-9a55-0c6f1d9e2b10",
}


@dataclass(frozen=True)
class Held:
    """The key this request holds while its command runs."""

    user: str
    key: str


def store() -> IdempotencyStore:
    """The system's idempotency table (opened and closed with the system)."""
    table = system().idempotency
    assert table is not None, "the system was opened without its idempotency table"
    return table


def fingerprint() -> str:
    """The request in one hash: method, path with query, and the body (JSON compared by meaning)."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        body = raw
    target = request.full_path.rstrip("?")
    return hashlib.sha256(b"\n".join([request.method.encode(), target.encode(), body])).hexdigest()


def replay(stored: Stored) -> Response:
    """The stored answer, again."""
    response = Response(stored.body, status=stored.status, content_type=stored.content_type)
    response.headers[REPLAYED] = "true"
    return response


def settle(user: str, key: str, print_: str) -> Outcome:
    """Claim the key, or wait (bounded) while another request with it is running."""
    deadline = time.monotonic() + WAIT_SECONDS
    delay = 0.01
    outcome = store().claim(user, key, print_, request.path)
    while isinstance(outcome, InProgress) and time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)
        outcome = store().look(user, key, print_)
        if isinstance(outcome, Claimed):  # the first attempt failed on our side and let go
            outcome = store().claim(user, key, print_, request.path)
    return outcome


def before_command() -> Response | None:
    """Claim the request's key before its command runs; answer a retry from the stored answer."""
    key = request.headers.get(HEADER)
    if key is None or request.method not in METHODS or not request.path.startswith(PREFIX):
        return None
    if request.url_rule is None or request.routing_exception is not None:
        return None  # routing first: an unknown path is 404, a method the path does not take 405
    if not 1 <= len(key) <= MAX_KEY or not all(0x21 <= ord(c) <= 0x7E for c in key):
        message = f"the {HEADER} header must be 1 to {MAX_KEY} printable ASCII characters without spaces"
        return handle_exception(IdempotencyKeyInvalid(message, {HEADER: [message]}))
    try:
        user = authenticate().name
    except AuthenticationRequired:
        return None  # the view answers 401; nothing to remember for nobody
    outcome = settle(user, key, fingerprint())
    if isinstance(outcome, Claimed):
        g.idempotency = Held(user, key)
        return None
    if isinstance(outcome, Stored):
        return replay(outcome)
    if isinstance(outcome, Reused):
        return handle_exception(IdempotencyKeyReused(
            f"this {HEADER} was already used for another request; use a new key for a new command",
            {HEADER: ["already used for another request"]}))
    return handle_exception(IdempotencyInProgress(
        f"a request with this {HEADER} is still being processed; retry it a little later"))


def after_command(response: Response) -> Response:
    """Keep the answer of a command that held a key (not errors on our side: those free the key)."""
    held: Held | None = g.pop("idempotency", None)
    if held is None:
        return response
    status = response.status_code
    if status >= 500 or status in NOT_KEPT or response.direct_passthrough:
        store().release(held.user, held.key)
    else:
        store().complete(held.user, held.key, status, response.get_data(), response.content_type or "application/json")
    return response


def teardown(exc: BaseException | None) -> None:
    """A request that ended without an answer (an unhandled exception) frees its key."""
    held: Held | None = g.pop("idempotency", None)
    if held is not None:
        store().release(held.user, held.key)


class IdempotencyKeyPlugin(BasePlugin):
    """Documents the Idempotency-Key header on every POST, PUT and PATCH operation."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        if not path or not path.startswith(PREFIX) or not operations:
            return
        for method, operation in operations.items():
            if method.upper() in METHODS:
                params = operation.setdefault("parameters", [])
                if COMPONENT not in params:
                    params.append(COMPONENT)  # apispec turns a component id into its $ref


def init_app(app: Flask, api: Api) -> None:
    """Turn idempotency keys on for the API; call before the blueprints register (for the docs)."""
    app.before_request(before_command)
    app.after_request(after_command)
    app.teardown_request(teardown)
    api.spec.components.parameter(COMPONENT, "header", {"name": HEADER, **PARAMETER})
    api.spec.plugins.append(IdempotencyKeyPlugin())
    info = api.spec.options.setdefault("info", {})
    info["description"] = (info.get("description", "") + "\n\n" + DESCRIPTION).strip()
