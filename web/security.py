"""Hardening for the whole app: server-side sessions, cookie flags, security headers, throttling
of token guessing on the API, logging of every refusal, and no debug mode.

Cookies are `Secure` unless `BETROKKEN_INSECURE_COOKIES=1` (environment or app config), with one
exception made per request in web/sessions.py: plain http to a numeric loopback address
(http://127.0.0.1:5000, as `make run` prints it), where scripts' HTTP libraries would otherwise
never send the cookie back. Behind a TLS-terminating proxy on loopback, set BETROKKEN_PROXY_HOPS
so requests are seen as HTTPS and the cookie stays Secure; a plain-http address on a LAN needs
`BETROKKEN_INSECURE_COOKIES=1`. With Secure on, the cookie is named `__Host-session`, which
browsers accept only with Secure, Path=/ and no Domain: no subdomain or plain-http page can
plant one.

Headers come from Flask-Talisman (the maintained wntrblm line, 1.1.x): it sets the CSP with a
per-request nonce, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Permissions-Policy
and, on HTTPS requests only, HSTS. Its HTTPS redirect is off: TLS ends at the proxy (set
`BETROKKEN_PROXY_HOPS=1` there, so X-Forwarded-For/-Proto are believed from that one hop)."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

from flask import Flask, Response, abort, g, request
from flask_login import current_user
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from adapters.throttle import LoginThrottle, Throttled, address_scope, token_scope
from adapters.web_sessions import WebSessions
from web.errors import TooManyAttempts, handle_exception
from web.sessions import StoreSessionInterface

security_log = logging.getLogger("betrokken.security")

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    # pygal's inline <svg> carries a <style> element: it gets the request's nonce (web/staff/present.py).
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {"camera": "()", "microphone": "()", "geolocation": "()", "browsing-topics": "()"}
# Same-origin keeps the Referer that Flask-WTF's strict HTTPS CSRF check needs, and keeps the
# programme and parent ids in our URLs from reaching any other site.
REFERRER_POLICY = "same-origin"


def _flag(app: Flask, name: str) -> bool:
    value = app.config.get(name, os.environ.get(name, ""))
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def cookies_secure(app: Flask) -> bool:
    """Whether cookies carry Secure: yes unless BETROKKEN_INSECURE_COOKIES=1."""
    return not _flag(app, "BETROKKEN_INSECURE_COOKIES")


def client_address() -> str:
    """The client's address (as ProxyFix left it, when a proxy is trusted)."""
    return request.remote_addr or "unknown"


def who() -> str:
    """The user of this request for the log: API token user, signed-in user, or anonymous."""
    actor = g.get("actor")
    if actor is not None:
        return str(actor.name)
    try:
        if current_user and current_user.is_authenticated:
            return str(current_user.name)
    except Exception:  # noqa: BLE001 - outside a request with Flask-Login set up
        pass
    return "anonymous"


def log_denial(response: Response) -> Response:
    """Log every refusal: 401, 403, 404 on a known route (unknown id or another school's), 429,
    and the sign-in redirect of an anonymous visitor."""
    status = response.status_code
    rule = request.url_rule.rule if request.url_rule is not None else None
    outcome = None
    if status in (401, 403, 429):
        outcome = str(status)
    elif status == 404 and rule is not None and rule != "/static/<path:filename>":
        outcome = "404"
    elif status == 302 and (response.location or "").startswith("/login?next="):
        outcome = "login-redirect"
    if outcome is not None:
        security_log.warning(
            "denied user=%s route=%s %s path=%s outcome=%s address=%s",
            who(), request.method, rule or "-", request.path, outcome, client_address(),
            extra={"user": who(), "route": rule, "outcome": outcome, "method": request.method},
        )
    return response


def init_security(app: Flask) -> None:
    """Sessions, cookie flags, headers, API throttling and denial logging for this app."""
    system = app.extensions["betrokken"]
    hops = int(app.config.get("BETROKKEN_PROXY_HOPS", os.environ.get("BETROKKEN_PROXY_HOPS", 0)) or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    secure = cookies_secure(app)
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["SESSION_COOKIE_NAME"] = "__Host-session" if secure else "session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_PATH"] = "/"
    app.config["SESSION_COOKIE_DOMAIN"] = None
    # Remember-me is never offered; should anything set its cookie, it is short and locked down.
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(hours=1)

    idle = timedelta(minutes=float(app.config.get("BETROKKEN_SESSION_IDLE_MINUTES", 30)))
    absolute = timedelta(hours=float(app.config.get("BETROKKEN_SESSION_MAX_HOURS", 12)))
    sessions = WebSessions(system.web, idle=idle, absolute=absolute)
    app.extensions["betrokken_sessions"] = sessions
    app.extensions["betrokken_throttle"] = LoginThrottle(system.web)
    app.session_interface = StoreSessionInterface(sessions)
    app.permanent_session_lifetime = absolute

    Talisman(
        app,
        force_https=False,
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        frame_options="DENY",
        strict_transport_security=secure,
        strict_transport_security_max_age=365 * 24 * 3600,
        strict_transport_security_include_subdomains=False,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["style-src"],
        referrer_policy=REFERRER_POLICY,
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
        x_xss_protection=False,  # the old XSS auditor header is obsolete and can do harm
    )

    @app.before_request
    def throttle_token_guessing() -> Any:
        """A token refused too often, or an address past its much higher ceiling, waits (429)
        before the token is checked; other tokens at that address go on."""
        if request.path.startswith("/api/") and "Authorization" in request.headers:
            waiting = throttle().waiting(token_scopes())
            if waiting is not None:
                return too_many_attempts(waiting)
        return None

    @app.before_request
    def refuse_nul_in_forms() -> Any:
        """A staff form whose text holds a NUL character (only a crafted request can send one,
        and PostgreSQL cannot store it) is refused before it reaches a view."""
        if request.method == "POST" and not request.path.startswith("/api/"):
            if any("\x00" in v for v in request.form.values()):
                abort(400)
        return None

    @app.after_request
    def count_bad_tokens(response: Response) -> Response:
        """A request that sent a token and got 401 counts as a failure for the token and its address."""
        if response.status_code == 401 and request.path.startswith("/api/") and "Authorization" in request.headers:
            throttle().failed(token_scopes())
        return response

    @app.after_request
    def no_store(response: Response) -> Response:
        """Pages and answers carry personal data: no browser or proxy keeps a copy."""
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.after_request(log_denial)


def token_scopes() -> list[str]:
    """The throttle's scopes of an API request: the token it sent, and its address."""
    return [token_scope(request.headers.get("Authorization", "")), address_scope(client_address())]


def throttle() -> LoginThrottle:
    """The app's sign-in throttle."""
    from flask import current_app

    return current_app.extensions["betrokken_throttle"]


def too_many_attempts(waiting: Throttled) -> Response:
    """The API's 429: the error shape, with Retry-After."""
    return handle_exception(TooManyAttempts(waiting.seconds))
