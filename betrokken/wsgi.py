"""The web app on the configured store, for a WSGI server (`betrokken.wsgi:app`), `betrokken serve`
and the tests: the composition root opens the system, the web layer is handed it.

`app` opens nothing when it is imported: each process opens its own system (database connections,
pools, threads) on its first request, or when a server's hook calls `app.open()` after the fork
(betrokken/gunicorn_conf.py). So `gunicorn --preload` imports it in the master and every worker
still gets its own connections: nothing opened before a fork is ever used after it."""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Iterable

from flask import Flask

from adapters.config import StoreConfig
from betrokken.follower import thread_wanted
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
    system = open_system(store_config(settings), hasher=settings.get("PASSWORD_HASHER"), follow=thread_wanted())
    return create_app(system, config)


class ProcessApp:
    """The WSGI application of this process: opened in the process that serves with it, never
    inherited across a fork (an app opened before one is left to the parent, a fresh one opened)."""

    def __init__(self, opener: Callable[[], Flask] = open_app) -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._opened: tuple[int, Flask] | None = None

    def open(self) -> Flask:
        """This process's Flask app, opened on first use (MasterKeyMismatch and store errors rise here)."""
        opened = self._opened
        if opened is not None and opened[0] == os.getpid():
            return opened[1]
        with self._lock:
            if self._opened is None or self._opened[0] != os.getpid():
                self._opened = (os.getpid(), self._opener())
            return self._opened[1]

    def close(self) -> None:
        """Close this process's system, if it opened one."""
        with self._lock:
            if self._opened is not None and self._opened[0] == os.getpid():
                self._opened[1].extensions["betrokken"].close()
            self._opened = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.open()(environ, start_response)


app = ProcessApp()
