"""Signing in and out, cookies, the signing secret, CSRF on the sign-in form."""

from __future__ import annotations

import stat
from pathlib import Path

from flask import Flask

from tests.helpers.hashing import CHEAP
from tests.ui.conftest import PASSWORD, csrf_token, login, post


def test_pages_send_a_visitor_to_the_sign_in_page(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/programs/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_signing_in_opens_the_start_page_and_signing_out_closes_it(app: Flask) -> None:
    client = app.test_client()
    response = login(client, "trainer")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "trainer" in page and "Uitloggen" in page
    response = post(client, "/logout", {})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_and_the_name_is_kept(app: Flask) -> None:
    client = app.test_client()
    response = login(client, "trainer", "fout")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Onbekende gebruikersnaam of verkeerd wachtwoord." in page
    assert 'value="trainer"' in page
    assert client.get("/").status_code == 302


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(app: Flask) -> None:
    page = login(app.test_client(), "niemand").get_data(as_text=True)
    assert "Onbekende gebruikersnaam of verkeerd wachtwoord." in page


def test_signing_in_without_the_csrf_token_is_refused(app: Flask) -> None:
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "trainer", "password": PASSWORD})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_signing_out_needs_the_csrf_token(app: Flask, client_as) -> None:
    client = client_as("trainer")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_the_session_cookie_is_httponly_and_samesite_lax(app: Flask) -> None:
    client = app.test_client()
    response = login(client, "trainer")
    name = app.config["SESSION_COOKIE_NAME"]  # __Host-session (Secure) unless BETROKKEN_INSECURE_COOKIES=1
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie


def test_the_cookie_secret_is_generated_into_the_data_dir_readable_by_the_owner_only(app: Flask) -> None:
    secret = Path(app.extensions["betrokken"].config.data_dir) / "secret_key"
    assert secret.exists()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == secret.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 32


def test_the_same_secret_is_used_after_a_restart(app: Flask, tmp_path: Path) -> None:
    from betrokken.wsgi import open_app

    again = open_app({"BETROKKEN_DATA_DIR": str(tmp_path / "data"), "TESTING": True, **CHEAP})
    try:
        assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    finally:
        again.extensions["betrokken"].close()


def test_after_signing_in_only_a_local_next_page_is_followed(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/x", data={"username": "trainer", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login?next=/parents", data={"username": "trainer", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/parents"


def test_a_disabled_user_is_signed_out_at_the_next_click(app: Flask, client_as) -> None:
    client = client_as("trainer")
    assert client.get("/").status_code == 200
    app.extensions["betrokken"].accounts.disable("trainer")
    assert client.get("/").status_code == 302
