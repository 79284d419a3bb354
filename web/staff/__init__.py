"""The staff web UI: server-rendered pages for programme staff, auditors and analysts.

`init_app(app)` adds everything the UI needs to an app made by web.create_app: the cookie
secret, sign-in, CSRF on every form (the Bearer-token API under /api/ is left alone),
languages, the pages and friendly error pages. Views are thin: parse the form, call the
service, redirect with a flash message (post/redirect/get) or show the form again with the
typed values and the refusal in the user's language."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from domain.errors import DomainError
from web.errors import status_of
from web.staff.access import may
from web.staff.messages import refusal

log = logging.getLogger(__name__)

bp = Blueprint("staff", __name__)
csrf = CSRFProtect()


@bp.before_request
def signed_in_only() -> Any:
    """Every staff page needs a signed-in user; others go to the sign-in page."""
    if not current_user.is_authenticated:
        from web.auth_ui import login_manager

        return login_manager.unauthorized()
    return None


def error_page(error: Exception) -> tuple[str, int]:
    """A friendly page for any error: never a stack trace; its status from web/errors.py's table."""
    code = status_of(error)
    if code >= 500 and not isinstance(error, HTTPException):
        log.exception("error on %s %s", request.method, request.path, exc_info=error)
    titles = {
        400: _("Het formulier is verlopen"),
        403: _("Geen toegang"),
        404: _("Niet gevonden"),
        405: _("Dit kan hier niet"),
        500: _("Er ging iets mis"),
    }
    texts = {
        400: _("Het formulier kon niet worden gecontroleerd (het is verlopen of niet vanaf deze site verstuurd). Laad de pagina opnieuw en probeer het nog eens."),
        403: _("Je rol geeft geen toegang tot deze pagina of handeling."),
        404: _("Deze pagina bestaat niet, of hoort bij een school waar je geen toegang toe hebt."),
        405: _("Deze handeling kan op deze pagina niet."),
        500: _("Er ging aan onze kant iets mis. Er is niets opgeslagen van wat je net deed, tenzij de pagina dat meldt. Probeer het opnieuw of meld het bij de beheerder."),
    }
    key = code if code in titles else (500 if code >= 500 else 400)
    if key == 400 and not isinstance(error, CSRFError):
        titles[400] = _("Ongeldig verzoek")
        texts[400] = _("Dit verzoek kon niet worden verwerkt.")
    if isinstance(error, DomainError) and key == 400:  # a refusal no form showed (409): say which
        texts[400] = refusal(error)
    return render_template("error.html", code=code, title=titles[key], text=texts[key]), code


def wants_html() -> bool:
    """Everything outside the JSON API answers in HTML."""
    return not request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    """Add the staff UI (sign-in, languages, CSRF, pages, error pages) to the app."""
    from web.auth_ui import init_auth
    from web.i18n import init_i18n
    from web.staff import (  # noqa: F401  (the routes)
        audit_pages, commands, downloads, evaluation_page, excel_downloads, message_pages, pages, privacy_pages,
        week_pages, xlsx_downloads,
    )
    from web.staff import rules_page  # noqa: F401  (rules that change mid-year)

    init_auth(app)
    init_i18n(app)

    # CSRF for every UI form; the API authenticates with Bearer tokens, so it is exempt by path
    # (robust to however its blueprints are nested or named).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the signed session's life
    csrf.init_app(app)

    @app.before_request
    def csrf_outside_api() -> None:
        if wants_html():
            csrf.protect()

    app.register_blueprint(bp)

    @app.context_processor
    def ui_helpers() -> dict[str, Any]:
        return {"may": may, "audit_url": _audit_url, "role_label": role_label}

    # Errors outside the UI's blueprints (an unknown URL, a CSRF refusal before routing) get the
    # friendly page too; under /api/ the JSON error table (web/errors.py) answers as before.
    from web.errors import handle_exception

    def html_or_json(error: Exception) -> Any:
        return error_page(error) if wants_html() else handle_exception(error)

    app.register_error_handler(HTTPException, html_or_json)
    app.register_error_handler(Exception, html_or_json)


def role_label(role: str) -> str:
    """A role's name in the user's language."""
    return {
        "admin": _("beheerder"), "staff": _("medewerker"), "auditor": _("controleur"), "analyst": _("analist"),
    }.get(role, role)


def _audit_url(aggregate_id: Any) -> str | None:
    """The audit timeline of an aggregate, for roles that may read it."""
    from flask import url_for

    return url_for("staff.audit_timeline", aggregate_id=aggregate_id) if may("audit") else None
