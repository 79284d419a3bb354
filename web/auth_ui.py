"""Signing in to the staff UI: a username and password form, a session cookie, signing out.

Flask-Login keeps the user's name in the server-side session (web/sessions.py); each request
looks the user up again in Accounts, so a disabled user is out at their next click, and a
session begun before the user's password changed is refused too (its `_credential` no longer
matches). Failed sign-ins are throttled per username and per address (adapters/throttle.py).
The app's secret (CSRF tokens) is generated into the data directory on first start (0600)."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user

from application.accounts import Accounts
from application.actor import Actor
from adapters.throttle import Throttled, address_scope, user_scope
from web.errors import TooManyAttempts, status_for
from web.forms import LoginForm
from web.i18n import _safe_next

SECRET_FILE = "secret_key"

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class StaffUser(UserMixin):
    """The signed-in user, carrying the Actor that every command and read runs as."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def get_id(self) -> str:
        return self.actor.name

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def role(self) -> str:
        return self.actor.role


def _accounts() -> Accounts:
    return current_app.extensions["betrokken"].accounts


@login_manager.user_loader
def load_user(name: str) -> StaffUser | None:
    """The user named in the session cookie, if they still exist and are enabled."""
    found = _accounts().user(name)
    if found is None or found.disabled:
        return None
    if session.get(CREDENTIAL_KEY) != credential(found.password_hash):
        return None  # signed in before the password changed (or not through this form at all)
    return StaffUser(_accounts().actor_of(found))


CREDENTIAL_KEY = "_credential"


def credential(password_hash: str) -> str:
    """A fingerprint of the password hash a session was opened with."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def secret_key(data_dir: Path) -> str:
    """The data directory's cookie-signing secret, created (mode 0600) on first start."""
    path = Path(data_dir) / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return path.read_text().strip()


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The sign-in form; a wrong name or password says so without telling which."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    if form.validate_on_submit():
        from web.security import client_address, throttle

        assert form.username.data is not None and form.password.data is not None  # both are required
        name = form.username.data.strip()
        attempt = throttle().begin([user_scope(name), address_scope(client_address())])
        if isinstance(attempt, Throttled):
            minutes = max(1, round(attempt.seconds / 60))
            form.password.errors = [*form.password.errors, _(
                "Te veel mislukte pogingen om in te loggen. Wacht %(minutes)s min. en probeer het dan opnieuw.",
                minutes=minutes)]
            response = current_app.make_response((render_template("login.html", form=form), status_for(TooManyAttempts)))
            response.headers["Retry-After"] = str(attempt.seconds)
            return response
        actor = _accounts().authenticate_password(name, form.password.data)
        if actor is not None:
            throttle().succeeded(attempt, clear=[user_scope(name)])
            found = _accounts().user(actor.name)
            lang = session.get("lang")
            session.clear()  # a fresh session at sign-in: nothing carried over but the language
            if lang:
                session["lang"] = lang
            session[CREDENTIAL_KEY] = credential(found.password_hash if found else "")
            login_user(StaffUser(actor))
            flash(_("Je bent ingelogd als %(name)s.", name=actor.name), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors = [*form.password.errors, _("Onbekende gebruikersnaam of verkeerd wachtwoord.")]
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out and forget the session (the language choice stays)."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Je bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))


def init_auth(app: Flask) -> None:
    """Cookie settings, the signing secret and Flask-Login."""
    if not app.config.get("SECRET_KEY"):
        # Shared by every host of one installation (a form rendered on one is posted to another),
        # else the data directory's own.
        config = app.extensions["betrokken"].config
        app.config["SECRET_KEY"] = config.setting("BETROKKEN_SECRET_KEY") or secret_key(Path(config.data_dir))
    # Flask's defaults leave SameSite unset: set both cookies explicitly. Secure follows
    # SESSION_COOKIE_SECURE (on behind HTTPS; off for http://127.0.0.1 on a laptop).
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # Remember-me is not offered; Flask-Login's cookie defaults (365 days, no SameSite) are
    # tightened anyway in case it ever is.
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(hours=12))
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.init_app(app)
    app.register_blueprint(bp)
