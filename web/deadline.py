"""Every request gets a deadline (BETROKKEN_REQUEST_DEADLINE seconds, 5 by default), well under
the client timeouts the README documents: a command still waiting on the store after it answers
503 with nothing recorded (adapters/deadline.py), instead of landing after the client gave up."""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable

from flask import Flask

from adapters import deadline

SETTING = "BETROKKEN_REQUEST_DEADLINE"
DEFAULT_SECONDS = 5.0


class RequestDeadline:
    """WSGI middleware: the view (and the command it runs) works within the request's deadline."""

    def __init__(self, app: Flask) -> None:
        self.app, self.wsgi_app = app, app.wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        token = deadline.start(float(self.app.config[SETTING]))
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            deadline.end(token)


def init_app(app: Flask) -> None:
    """Wrap the app so every request carries its deadline (app config beats the environment)."""
    app.config[SETTING] = float(app.config.get(SETTING) or os.environ.get(SETTING) or DEFAULT_SECONDS)
    app.wsgi_app = RequestDeadline(app)  # type: ignore[method-assign]
