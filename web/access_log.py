"""One access-log line per request (logger `betrokken.access`, level INFO): method, path, status,
duration in milliseconds and the user, e.g.

    GET /api/v1/programs?limit= 200 12.3ms user=admin

Never a token, a password or personal data: the path is logged without the query's values (a
`next=` or a search could carry anything), only the names of its parameters; no header, no body,
no client address (the security log, web/security.py, keeps addresses of refusals); the user is
the account name the events already carry as `actor`, or `-` when nobody is signed in."""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl

from flask import Flask, Response, g, request

from web.security import who

access_log = logging.getLogger("betrokken.access")


def logged_path() -> str:
    """The request's path, with the names of its query parameters but none of their values."""
    names = dict.fromkeys(name for name, _ in parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True))
    return request.path + ("?" + "&".join(f"{name}=" for name in names) if names else "")


def init_app(app: Flask) -> None:
    """Time every request from its first hook and log it once its answer is final."""

    @app.before_request
    def start_clock() -> None:
        g.access_started = time.perf_counter()

    @app.after_request
    def log_access(response: Response) -> Response:
        started = g.get("access_started")
        elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        user = who()
        access_log.info(
            "%s %s %d %.1fms user=%s", request.method, logged_path(), response.status_code, elapsed,
            "-" if user == "anonymous" else user,
            extra={"method": request.method, "status": response.status_code, "duration_ms": round(elapsed, 1)},
        )
        return response
