"""The staff's forms for corrections (AVG art. 16) and a programme's closure: what they ask,
checked as the API checks it (web/api_corrections.py)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectField, StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from domain.limits import MAX_FORM_TEXT, MAX_SHORT_TEXT, MAX_TEXT, is_email
from web.dutch_fields import DutchDateField as DateField, WholeNumberField
from web.forms import GROUP_EXPECTED, DecimalCommaField, check_phone, group_range, not_negative, required


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ParentCorrectionForm(FlaskForm):
    """A parent's details as they should read; an empty phone, e-mail or language clears it."""

    name = StringField(_l("Naam ouder"), [required(), Length(max=MAX_FORM_TEXT)], filters=[_strip])
    phone = StringField(_l("Telefoon"), [Optional(), Length(max=MAX_SHORT_TEXT)], filters=[_strip],
                        render_kw={"type": "tel", "autocomplete": "off"})
    email = StringField(_l("E-mail"), [Optional(), Length(max=MAX_FORM_TEXT)], filters=[_strip], render_kw={"type": "email"})
    language = StringField(_l("Taal thuis"), [Optional(), Length(max=MAX_SHORT_TEXT)], filters=[_strip])

    def validate_email(self, field: Field) -> None:
        if field.data and not is_email(field.data):
            raise ValidationError(_l("Vul een geldig e-mailadres in."))

    def validate_phone(self, field: Field) -> None:
        check_phone(field)

    def changes(self) -> dict[str, str | None]:
        """Every field as it should read (empty: none)."""
        return {f: (getattr(self, f).data or None) for f in ("name", "phone", "email", "language")}


class ChildCorrectionForm(FlaskForm):
    """A child's name and groep as they should read."""

    name = StringField(_l("Naam kind"), [required(), Length(max=MAX_FORM_TEXT)], filters=[_strip])
    group = WholeNumberField(_l("Groep"), [InputRequired(message=GROUP_EXPECTED), group_range()], unreadable=GROUP_EXPECTED)


class ReasonForm(FlaskForm):
    """Why (kept in the history with who did it)."""

    reason = StringField(_l("Reden"), [required(), Length(max=MAX_TEXT)], filters=[_strip])


class AssessmentCorrectionForm(FlaskForm):
    """A result's score and maximum as they should read, or its withdrawal, with the reason."""

    score = DecimalCommaField(_l("Score"), [Optional(), not_negative()])
    max_score = DecimalCommaField(_l("Maximale score"), [Optional()])
    withdrawn = BooleanField(_l("Toetsuitslag intrekken (telt dan niet meer mee)"))
    reason = StringField(_l("Reden"), [required(), Length(max=MAX_TEXT)], filters=[_strip])

    def validate_max_score(self, field: Field) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("Vul een getal groter dan 0 in."))


class SchoolYearForm(FlaskForm):
    """The school and the first day of its new school year."""

    school = SelectField(_l("School"), [InputRequired(message=_l("Kies een school."))], choices=[])
    on = DateField(_l("Eerste dag van het nieuwe schooljaar"), [InputRequired(message=_l("Vul een datum in."))])
