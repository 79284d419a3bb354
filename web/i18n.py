"""The staff UI's languages: Dutch by default, English on request; dates and money as schools write them.

Message ids are the Dutch texts; the English catalogue lives in web/translations/en. The
compiled .mo is committed and installed with the package; the app never writes it (an installed
copy may be read-only, and a clone must stay clean). After editing a .po, `make catalogues`
compiles it (web.i18n.compile_catalogues); a test fails while the committed .mo is out of date."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from flask.typing import ResponseReturnValue
from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_babel import Babel, get_locale

from application.clock import SCHOOL_TZ

LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"
TRANSLATIONS = Path(__file__).parent / "translations"
# Babel locales used for formatting: Dutch as in the Netherlands; plain English (en_GB would
# write "Sept"). The date pattern below puts the day first in both.
FORMAT_LOCALES = {"nl": "nl_NL", "en": "en"}

babel = Babel()
bp = Blueprint("i18n", __name__)


def current_language() -> str:
    """The language chosen in this browser session, Dutch when none was chosen."""
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _format_locale() -> str:
    return FORMAT_LOCALES.get(str(get_locale() or DEFAULT_LANGUAGE), "nl_NL")


def _plain_spaces(text: str) -> str:
    # Babel puts a no-break space after the euro sign; pages wrap money in a nowrap span instead,
    # so the text reads (and is searched) as "€ 12,50".
    return text.replace("\xa0", " ").replace("\u202f", " ")


def fmt_date(value: date | datetime | None) -> str:
    """A date as `ma 7 sep 2026` (Dutch) or `Mon 7 Sep 2026` (English)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SCHOOL_TZ).date() if value.tzinfo else value.date()
    return _plain_spaces(format_date(value, "EEE d MMM y", locale=_format_locale()))


def fmt_datetime(value: datetime | None) -> str:
    """A moment as `ma 7 sep 2026 19:00`, in Dutch time."""
    if value is None:
        return ""
    local = value.astimezone(SCHOOL_TZ) if value.tzinfo else value
    return f"{fmt_date(local)} {format_time(local, 'HH:mm', locale=_format_locale())}"


def fmt_money(cents: int | None) -> str:
    """Euro cents as `€ 12,50`."""
    if cents is None:
        return ""
    return _plain_spaces(format_currency(cents / 100, "EUR", locale=_format_locale()))


def fmt_percent(rate: float | None) -> str:
    """A rate as a whole percentage (`75%`); a dash when there is nothing to divide by."""
    if rate is None:
        return "–"
    return _plain_spaces(format_percent(rate, locale=_format_locale()))


def fmt_number(value: float | int | None) -> str:
    """A number with the language's decimal separator (`7,5`)."""
    if value is None:
        return ""
    return _plain_spaces(format_decimal(value, locale=_format_locale()))


def compile_catalogues(directory: Path = TRANSLATIONS) -> None:
    """Compile each messages.po into its messages.mo (a build step; a file already up to date is left alone)."""
    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            catalogue = read_po(f, locale=po.parent.parent.name)
        compiled = BytesIO()
        write_mo(compiled, catalogue)
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled.getvalue():
            mo.write_bytes(compiled.getvalue())


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return url_for("staff.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("staff.home")
    return target


@bp.post("/language")
def switch_language() -> ResponseReturnValue:
    """Remember the chosen language in the session and go back where the user was."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))


def init_i18n(app: Flask) -> None:
    """Flask-Babel with the session's language, and the formatting filters for templates."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(
        app,
        default_locale=DEFAULT_LANGUAGE,
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=current_language,
    )
    app.jinja_env.filters.update(
        date=fmt_date, datetime=fmt_datetime, money=fmt_money, percent=fmt_percent, number=fmt_number
    )
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language)
    app.register_blueprint(bp)

