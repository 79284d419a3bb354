"""An app on a fresh SQLite data dir with a user per role, and helpers to sign in as a browser does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.hashing import CHEAP_HASHER
from betrokken.wsgi import open_app

PASSWORD = "veilig-wachtwoord-1"
USERS = {"beheer": ("admin", []), "trainer": ("staff", ["12AB"]), "controle": ("auditor", ["12AB"])}
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def make_app(data_dir: Path, hasher: PasswordHasher = CHEAP_HASHER, **config: Any) -> Flask:
    """An app on this data dir (users added once, by the first app)."""
    app = open_app({"BETROKKEN_DATA_DIR": str(data_dir), "TESTING": True, "PASSWORD_HASHER": hasher, **config})
    accounts = app.extensions["betrokken"].accounts
    for name, (role, schools) in USERS.items():
        if accounts.user(name) is None:
            accounts.add_user(name, role, schools, PASSWORD)
    return app


@pytest.fixture
def app(tmp_path: Path, password_hasher: PasswordHasher) -> Iterator[Flask]:
    made = make_app(tmp_path / "data", password_hasher)
    yield made
    made.extensions["betrokken"].close()


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    found = CSRF.search(client.get(url).get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD) -> Any:
    """Post the sign-in form with the session's CSRF token."""
    return client.post("/login", data={"username": name, "password": password, "csrf_token": csrf_token(client)})


def session_cookie(app: Flask, client: FlaskClient) -> str | None:
    """The value of the client's session cookie."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None
