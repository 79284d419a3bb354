"""Flask's session kept server-side: the cookie holds only a random id, the data a row in the store.

Flask's own cookie session cannot be revoked (a copied cookie stays valid until it expires), so
sign-out, disabling a user and a new password could not end it. Flask-Session has no maintained
backend for our pair of SQLite file and PostgreSQL table, so this is a SessionInterface of our
own on adapters/web_sessions.py; Flask-Login, Flask-WTF and Babel use `session` unchanged.

A new id is issued whenever the signed-in user changes (sign-in, sign-out): a session id known
before signing in is worthless after it, and the old row is deleted.

The cookie is `__Host-session`, Secure (web/security.py), except on a plain-http request to a
numeric loopback address (http://127.0.0.1:5000 as `make run` and `betrokken serve` print it):
there a Secure cookie would never come back from clients other than browsers (scripts, HTTP
libraries), and nothing leaves the machine. Behind a TLS proxy on loopback, set
BETROKKEN_PROXY_HOPS so the request is seen as HTTPS and the cookie stays Secure."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from flask import Flask, Request, Response, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from adapters.web_sessions import SessionRecord, WebSessions, new_session_id

USER_KEY = "_user_id"  # where Flask-Login keeps the signed-in user's id
TOUCH_EVERY = 60.0  # seconds: a read-only request refreshes the idle clock at most this often
MAX_ID_LENGTH = 128


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The session's data, with the id and times of the row it came from."""

    def __init__(self, initial: dict[str, Any] | None = None, sid: str | None = None,
                 record: SessionRecord | None = None) -> None:
        def on_update(self: ServerSession) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial or {}, on_update)
        self.sid = sid
        self.user: str | None = record.user if record else None
        self.created_at = record.created_at if record else None
        self.seen_at = record.seen_at if record else None
        self.modified = False
        self.accessed = False


def plain_http_on_loopback() -> bool:
    """Whether this request came over plain http to 127.0.0.0/8 or [::1]."""
    if request.is_secure:
        return False
    host = request.host
    host = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class StoreSessionInterface(SessionInterface):
    """Sessions in the store's `betrokken_web_sessions` table."""

    serializer = TaggedJSONSerializer()

    def get_cookie_name(self, app: Flask) -> str:
        return "session" if plain_http_on_loopback() else super().get_cookie_name(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return False if plain_http_on_loopback() else super().get_cookie_secure(app)

    def __init__(self, sessions: WebSessions) -> None:
        self.sessions = sessions

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid and len(sid) <= MAX_ID_LENGTH:
            record = self.sessions.load(sid)
            if record is not None:
                return ServerSession(self.serializer.loads(record.data), sid=sid, record=record)
        return ServerSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if session.accessed:
            response.vary.add("Cookie")
        user = session.get(USER_KEY)
        user = None if user is None else str(user)
        if session.sid is not None and (not session or user != session.user):
            # Signing in or out (or emptying the session) ends the old id for good.
            self.sessions.delete(session.sid)
            session.sid = None
            if not session:
                response.delete_cookie(name, domain=domain, path=path,
                                       secure=self.get_cookie_secure(app), httponly=True,
                                       samesite=self.get_cookie_samesite(app))
                return
        if not session:
            return  # nothing to keep: no row, no cookie
        now = time.time()
        if session.sid is None:
            sid = new_session_id()
            self.sessions.save(sid, self.serializer.dumps(dict(session)), user, created_at=now, now=now)
            response.vary.add("Cookie")
            response.set_cookie(
                name, sid, domain=domain, path=path,  # no Expires: the server decides when it ends
                secure=self.get_cookie_secure(app), httponly=True, samesite=self.get_cookie_samesite(app),
            )
            return
        if session.modified:
            self.sessions.save(session.sid, self.serializer.dumps(dict(session)), user,
                               created_at=session.created_at or now, now=now)
        elif session.seen_at is None or now - session.seen_at >= TOUCH_EVERY:
            self.sessions.touch(session.sid, now)
