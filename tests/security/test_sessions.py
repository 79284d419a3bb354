"""Server-side sessions: the cookie holds a random id only; sign-out, disabling, a new password,
idle and absolute timeouts end a session for good, in every process on the store."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from adapters.config import StoreConfig
from adapters.web_sessions import WebSessions, id_hash
from adapters.web_store import WebStore
from tests.security.conftest import PASSWORD, csrf_token, login, make_app, session_cookie


def signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/").status_code == 200


def test_the_cookie_carries_a_256_bit_random_id_and_the_store_only_its_hash(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "trainer").status_code == 302
    sid = session_cookie(app, client)
    assert sid is not None and len(sid) >= 43 and "." not in sid  # token_urlsafe(32): no signed data
    web = app.extensions["betrokken"].web
    with web.reading() as cur:
        cur.execute("SELECT id_hash, user_name, data FROM betrokken_web_sessions WHERE user_name = ?", ("trainer",))
        rows = cur.fetchall()
    assert [(r[0], r[1]) for r in rows] == [(id_hash(sid), "trainer")]
    assert sid not in rows[0][2]


def test_the_cookie_is_secure_httponly_samesite_lax_and_host_only(app: Flask) -> None:
    response = login(app.test_client(), "trainer")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-session="))
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie and "Expires" not in cookie


def test_insecure_cookies_only_when_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETROKKEN_INSECURE_COOKIES", "1")
    app = make_app(tmp_path / "data")
    try:
        response = login(app.test_client(), "trainer")
        cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
        assert "Secure" not in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert app.config["REMEMBER_COOKIE_SECURE"] is False
    finally:
        app.extensions["betrokken"].close()


def test_signing_in_gives_a_new_id_and_the_one_from_before_is_gone(app: Flask) -> None:
    client = app.test_client()
    csrf_token(client)  # an anonymous session (it holds the CSRF token)
    before = session_cookie(app, client)
    assert before is not None
    login(client, "trainer")
    after = session_cookie(app, client)
    assert after and after != before
    sessions: WebSessions = app.extensions["betrokken_sessions"]
    assert sessions.load(before) is None and sessions.load(after) is not None


def test_signing_out_deletes_the_session_so_a_copied_cookie_opens_nothing(app: Flask) -> None:
    client = app.test_client()
    login(client, "trainer")
    stolen = session_cookie(app, client)
    assert stolen is not None
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not signed_in(client)
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert thief.get("/").status_code == 302
    assert app.extensions["betrokken_sessions"].count("trainer") == 0


def test_a_session_ends_when_idle_too_long_or_too_old(app: Flask) -> None:
    sessions: WebSessions = app.extensions["betrokken_sessions"]
    for column, age in (("seen_at", sessions.idle + 5), ("created_at", sessions.absolute + 5)):
        client = app.test_client()
        login(client, "trainer")
        assert signed_in(client)
        with app.extensions["betrokken"].web.transaction() as cur:
            cur.execute(f"UPDATE betrokken_web_sessions SET {column} = ? WHERE user_name = ?", (time.time() - age, "trainer"))
        assert not signed_in(client), column


def test_a_session_in_use_stays_alive_past_the_idle_timeout_measured_from_its_start(app: Flask) -> None:
    sessions: WebSessions = app.extensions["betrokken_sessions"]
    client = app.test_client()
    login(client, "trainer")
    with app.extensions["betrokken"].web.transaction() as cur:
        # begun long ago, but seen more than a minute ago: the next click refreshes it
        cur.execute("UPDATE betrokken_web_sessions SET created_at = ?, seen_at = ?",
                    (time.time() - sessions.idle * 2, time.time() - 120))
    assert signed_in(client)
    with app.extensions["betrokken"].web.reading() as cur:
        cur.execute("SELECT seen_at FROM betrokken_web_sessions WHERE user_name = 'trainer'")
        assert cur.fetchone()[0] > time.time() - 10


def test_disabling_a_user_ends_every_session_of_theirs(app: Flask) -> None:
    clients = [app.test_client() for _ in range(3)]
    for c in clients:
        login(c, "trainer")
    other = app.test_client()
    login(other, "controle")
    assert app.extensions["betrokken"].disable_user("trainer", actor="beheer") == 3
    assert not any(signed_in(c) for c in clients)
    assert signed_in(other)
    assert login(app.test_client(), "trainer").status_code == 200  # refused at the form


def test_a_new_password_ends_every_session_even_when_changed_around_the_web_tables(app: Flask) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, "trainer")
    login(second, "trainer")
    assert app.extensions["betrokken"].change_password("trainer", "nieuw-wachtwoord-2") == 2
    assert not signed_in(first) and not signed_in(second)
    # a change made by Accounts alone (no session deleted) is noticed too: the credential moved on
    third = app.test_client()
    assert login(third, "trainer", "nieuw-wachtwoord-2").status_code == 302
    app.extensions["betrokken"].accounts.change_password("trainer", "derde-wachtwoord-3")
    assert not signed_in(third)


def test_betrokken_users_disable_ends_the_sessions_of_a_running_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from betrokken.cli.main import cli

    client = app.test_client()
    login(client, "trainer")
    monkeypatch.setenv("BETROKKEN_DATA_DIR", str(app.extensions["betrokken"].config.data_dir))
    monkeypatch.delenv("BETROKKEN_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["users", "disable", "trainer"])
    assert result.exit_code == 0, result.output
    assert "ended 1 session(s)" in result.output
    assert not signed_in(client)


def test_betrokken_users_password_ends_the_sessions(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from betrokken.cli.main import cli

    client = app.test_client()
    login(client, "trainer")
    monkeypatch.setenv("BETROKKEN_DATA_DIR", str(app.extensions["betrokken"].config.data_dir))
    monkeypatch.delenv("BETROKKEN_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["users", "password", "trainer", "--password-stdin"], input="ander-wachtwoord-4\n")
    assert result.exit_code == 0, result.output
    assert not signed_in(client)
    assert login(app.test_client(), "trainer", "ander-wachtwoord-4").status_code == 302


def test_two_processes_on_one_store_share_sessions_and_their_end(tmp_path: Path) -> None:
    one, two = make_app(tmp_path / "data"), make_app(tmp_path / "data")
    try:
        c1 = one.test_client()
        login(c1, "trainer")
        c2 = two.test_client()
        c2.set_cookie(two.config["SESSION_COOKIE_NAME"], session_cookie(one, c1) or "")
        assert signed_in(c2)
        c2.post("/logout", data={"csrf_token": csrf_token(c2, "/")})
        assert not signed_in(c1)
    finally:
        one.extensions["betrokken"].close()
        two.extensions["betrokken"].close()


def test_the_remember_me_cookie_is_short_and_locked_down(app: Flask) -> None:
    from datetime import timedelta

    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(hours=12)
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    response = login(app.test_client(), "trainer")
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]


def test_the_session_store_works_the_same_on_sqlite_and_postgresql(store: StoreConfig) -> None:
    web = WebStore(store)
    try:
        sessions = WebSessions(web)
        now = time.time()
        sessions.save("a" * 43, '{"x": 1}', "trainer", created_at=now, now=now)
        sessions.save("b" * 43, '{"x": 2}', "trainer", created_at=now, now=now)
        sessions.save("c" * 43, "{}", None, created_at=now, now=now)
        assert sessions.load("a" * 43).data == '{"x": 1}'  # type: ignore[union-attr]
        sessions.save("a" * 43, '{"x": 3}', "trainer", created_at=now, now=now + 1)
        assert sessions.load("a" * 43, now=now + 2).data == '{"x": 3}'  # type: ignore[union-attr]
        assert sessions.load("c" * 43, now=now + sessions.idle + 1) is None  # idle: gone, and deleted
        assert sessions.count() == 2
        assert sessions.revoke_user("trainer") == 2 and sessions.count() == 0
        sessions.save("d" * 43, "{}", None, created_at=now - sessions.absolute - 1, now=now)
        assert sessions.purge(now) == 1
    finally:
        web.close()


def test_the_app_never_runs_in_debug_mode_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_app(tmp_path / "data")
    try:
        assert app.debug is False
    finally:
        app.extensions["betrokken"].close()
    assert PASSWORD


def test_plain_http_on_loopback_gets_a_cookie_that_scripts_send_back(app: Flask) -> None:
    """http://127.0.0.1:5000 (make run): an HTTP library keeps no Secure cookie over http, so the
    cookie there is a plain `session` (HttpOnly, SameSite=Lax); every other host keeps Secure."""
    client = app.test_client()
    page = client.get("/login", base_url="http://127.0.0.1:5000").get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page)
    assert found
    token = found.group(1)
    response = client.post("/login", base_url="http://127.0.0.1:5000",
                           data={"username": "trainer", "password": PASSWORD, "csrf_token": token})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" not in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/", base_url="http://127.0.0.1:5000").status_code == 200  # still signed in
    secure = login(app.test_client(), "trainer")  # http://localhost: a host name, stays Secure
    assert any(h.startswith("__Host-session=") and "Secure" in h for h in secure.headers.getlist("Set-Cookie"))
    over_tls = app.test_client().get("/login", base_url="https://127.0.0.1")
    assert any(h.startswith("__Host-session=") and "Secure" in h for h in over_tls.headers.getlist("Set-Cookie"))
