"""The web app on the configured store, for a WSGI server (`betrokken.wsgi:app`), `betrokken serve`
and the tests: the composition root opens the system, the web layer is handed it."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from adapters.config import StoreConfig
from betrokken.system import open_system
from web import create_app

STORE_KEYS = ("BETROKKEN_DATA_DIR", "BETROKKEN_DATABASE_URL")


def store_config(settings: dict[str, Any]) -> StoreConfig:
    """The store named in these settings, else in the environment."""
    environ = dict(os.environ)
    environ.update({k: str(settings[k]) for k in STORE_KEYS if settings.get(k)})
    return StoreConfig.from_environ(environ)


def open_app(config: dict[str, Any] | None = None) -> Flask:
    """A web app on its own system; `config` may name BETROKKEN_DATA_DIR / BETROKKEN_DATABASE_URL
    (else the environment's) beside Flask's settings; PASSWORD_HASHER replaces production's argon2
    parameters (tests that don't test hashing). Close it with `app.extensions["betrokken"].close()`."""
    settings = config or {}
    return create_app(open_system(store_config(settings), hasher=settings.get("PASSWORD_HASHER")), config)


def __getattr__(name: str) -> Any:
    # `app` is opened when a WSGI server asks for it, not whenever this module is imported.
    if name == "app":
        globals()["app"] = open_app()
        return globals()["app"]
    raise AttributeError(name)
