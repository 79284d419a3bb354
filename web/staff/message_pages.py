"""The staff UI for messages to parents: a form to write to one parent or a programme's parents
that says, before anything is sent, how many the weekly cap (and opt-outs, erasures, withdrawals)
will hold back; and the list of a parent's messages on the parent page."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

from flask import abort, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, Field, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from application.messages import Draft, Outcome
from domain.errors import InvalidMessageError
from domain.languages import language_code
from domain.limits import MAX_FORM_TEXT, MAX_MESSAGE_TEXT, MAX_SHORT_TEXT
from domain.message import Message, check_template
from web.dutch_fields import DutchDateField as DateField
from web.api_messages import messages
from web.forms import choices
from web.staff import bp
from web.staff.access import actor, may, requires, system
from web.staff.form_command import done, run_form


MAX_TRANSLATION_ROWS = 6
"""Home languages written in one message at most (more is a mistake)."""

PURPOSE_LABELS = {
    "informeren": _l("Informeren"),
    "adviseren": _l("Adviseren"),
    "aanmoedigen": _l("Aanmoedigen"),
    "herinnering": _l("Herinnering"),
}
STATUS_LABELS = {
    "queued": _l("klaar om te versturen"),
    "sending": _l("wordt verstuurd"),
    "sent": _l("verstuurd"),
    "suppressed": _l("niet verstuurd"),
    "failed": _l("mislukt"),
}
REASON_LABELS = {
    "weekly_cap": _l("al 3 berichten deze week"),
    "opted_out": _l("afgemeld voor berichten"),
    "erased": _l("gegevens gewist"),
    "withdrawn": _l("uitgeschreven"),
    "no_address": _l("geen e-mailadres of telefoonnummer"),
    "unconfirmed": _l("onbekend of het is aangekomen"),
    "rejected": _l("geweigerd door de mailserver"),
    "unreachable": _l("mailserver niet bereikbaar"),
    "no_sms_provider": _l("sms is niet ingesteld"),
}


def template_check(form: FlaskForm, field: Field) -> None:
    try:
        check_template(field.data or "")
    except InvalidMessageError:
        raise ValidationError(_("Gebruik alleen {naam}, {datum} en {plaats}.")) from None


class TranslationRow(Form):
    """The message in one home language (an empty row is skipped)."""

    language = StringField(_l("Taal"), [Optional(), Length(max=MAX_SHORT_TEXT)])
    text = TextAreaField(_l("Tekst in die taal"), [Optional(), Length(max=MAX_MESSAGE_TEXT), template_check])


class MessageForm(FlaskForm):
    """A message to parents: its purpose, the text (a template, Dutch), its translations, and what
    {datum} and {plaats} mean."""

    purpose = SelectField(_l("Doel"), [InputRequired(message=_l("Kies een doel."))],
                          choices=choices(PURPOSE_LABELS.items()))
    text = TextAreaField(_l("Bericht"), [InputRequired(message=_l("Schrijf een bericht.")),
                                         Length(max=MAX_MESSAGE_TEXT), template_check])
    on = DateField(_l("Datum voor {datum} (niet verplicht)"), [Optional()])
    place = StringField(_l("Plaats voor {plaats} (niet verplicht)"), [Optional(), Length(max=MAX_FORM_TEXT)])
    translations = FieldList(FormField(TranslationRow), min_entries=2, max_entries=MAX_TRANSLATION_ROWS)

    def translated(self) -> dict[str, str]:
        """The filled-in translations by language code."""
        return {
            language_code(row.form.language.data): row.form.text.data or "" for row in self.translations
            if (row.form.language.data or "").strip() and (row.form.text.data or "").strip()
        }


DELIVERY_LABELS = {"each": _l("Elk bericht apart"), "digest": _l("Eén overzicht per week (maandag 08.00 uur)")}


class PreferencesForm(FlaskForm):
    """What the parent wants: no e-mail, no text messages, each message or a weekly digest."""

    no_email = BooleanField(_l("Geen e-mail"))
    no_sms = BooleanField(_l("Geen sms"))
    delivery = RadioField(_l("Berichten ontvangen"), choices=choices(DELIVERY_LABELS.items()), default="each")


def reasons_counted(outcome: Outcome) -> list[tuple[str, int]]:
    """How many parents each reason holds back, in the labels' order."""
    counted = Counter(reason for _, reason in outcome.suppressed)
    return [(str(REASON_LABELS.get(r, r)), counted[r]) for r in REASON_LABELS if counted[r]]


def summary(outcome: Outcome) -> str:
    """The flash after sending: queued for how many, held back for how many and why."""
    text = _("Bericht klaargezet voor %(n)s ouder(s).", n=len(outcome.queued))
    if outcome.suppressed:
        why = ", ".join(f"{label}: {n}" for label, n in reasons_counted(outcome))
        text += " " + _("Niet verstuurd aan %(n)s ouder(s) (%(why)s).", n=len(outcome.suppressed), why=why)
    return text


@bp.route("/messages/new", methods=["GET", "POST"])
@requires("run")
def write_message() -> ResponseReturnValue:
    """Write to one parent (?parent=ID), a programme's parents (?program=ID), or those of them who
    missed its last session (?program=ID&absent=1)."""
    service, who = system().service, actor()
    parent_arg, program_arg = request.args.get("parent"), request.args.get("program")
    absent_only = request.args.get("absent") == "1"
    try:
        parent_id = UUID(parent_arg) if parent_arg else None
        program_id = UUID(program_arg) if program_arg and not parent_arg else None
    except ValueError:
        abort(404)
    if parent_id is not None:
        target = {"name": service.parent(parent_id, who).name,
                  "back": url_for("staff.parent", parent_id=parent_id), "endpoint": ("staff.parent", {"parent_id": parent_id})}
    elif program_id is not None:
        target = {"name": service.program(program_id, who).name,
                  "back": url_for("staff.program", program_id=program_id), "endpoint": ("staff.program", {"program_id": program_id})}
    else:
        abort(404)
    addressed: dict[str, Any] = {"parent_ids": [parent_id] if parent_id else [], "program_id": program_id, "actor": who}
    last, missed = messages().absent_last_time(program_id, who) if program_id is not None else (None, [])
    if absent_only:
        addressed.update(parent_ids=missed, program_id=None)
    # Before sending: who would the cap, an opt-out, an erasure or a withdrawal hold back now?
    preview = messages().write(Draft("informeren", "-"), preview=True, **addressed)
    spoken = Counter(language_code(p.language) for p, _ in messages().recipients(**addressed))
    form = MessageForm()
    endpoint, values = target["endpoint"]
    return run_form(
        "staff/message_form.html", form,
        lambda: messages().write(
            Draft(form.purpose.data, form.text.data or "", translations=form.translated(), on=form.on.data,
                  place=(form.place.data or "").strip() or None),
            **addressed,
        ),
        lambda outcome: done(summary(outcome), endpoint, **values),
        target=target, preview=preview, held_back=reasons_counted(preview),
        last=last, missed=missed, absent_only=absent_only, program_id=program_id,
        languages=sorted((code, n) for code, n in spoken.items() if code != "nl"),
    )


@bp.route("/parents/<uuid:parent_id>/message-preferences", methods=["POST"])
@requires("run")
def save_preferences(parent_id: UUID) -> ResponseReturnValue:
    """Record the parent's opt-outs per channel and their choice of each message or a weekly digest."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        abort(422)
    service, who = messages(), actor()
    service.set_opt_out(parent_id, "email", bool(form.no_email.data), actor=who)
    service.set_opt_out(parent_id, "sms", bool(form.no_sms.data), actor=who)
    service.choose_delivery(parent_id, form.delivery.data, actor=who)
    return done(_("De voorkeuren voor berichten zijn opgeslagen."), "staff.parent", parent_id=parent_id)


@bp.app_context_processor
def message_helpers() -> dict[str, Any]:
    """The parent page's list of messages and preferences form (templates call `parent_messages(p.id)`
    and `message_preferences(p.id)`)."""

    def parent_messages(parent_id: UUID) -> list[Message]:
        return messages().of_parent(parent_id, actor()) if may("records") else []

    def message_preferences(parent_id: UUID) -> PreferencesForm:
        service, who = messages(), actor()
        opted_out = service.opted_out(parent_id, who)
        return PreferencesForm(formdata=None, no_email="email" in opted_out, no_sms="sms" in opted_out,
                               delivery=service.delivery(parent_id, who))

    return {"parent_messages": parent_messages, "message_preferences": message_preferences,
            "purpose_labels": PURPOSE_LABELS, "message_status_labels": STATUS_LABELS,
            "message_reason_labels": REASON_LABELS}
