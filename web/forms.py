"""The staff UI's forms: what a person types, checked for shape before the service checks the rules.

Labels and messages are lazy Dutch strings, so a form renders in the language of the request.
Field names follow the API's (web/schemas.py) where they mean the same thing; money is typed
in euros (`12,50`) and rates as percentages, as staff think of them, and converted here."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable

from flask_babel import lazy_gettext as _l
import wtforms.fields.choices
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from application.clock import SCHOOL_TZ, today
from web.dutch_fields import DutchDateField as DateField, DutchTimeField as TimeField, ReadOrStop, WholeNumberField
from domain.limits import (
    BRIN_PATTERN, LARGEST_NUMBER, MAX_CENTS, MAX_CHILDREN_ROWS, MAX_FORM_TEXT, MAX_GROUP, MAX_HOMEWORK_TEXT,
    MAX_SHORT_TEXT, MAX_TEXT, MAX_WEEKS, MIN_GROUP, MIN_WEEKS, PAYOUT_METHODS, is_email, is_phone,
)
from domain.rules import CompletionRule, RewardScheme
from domain.templates import KINDS, TEMPLATES

# WTForms 3.3 on (None before it); looked up by name, as its stubs may not name it yet.
SelectChoice = getattr(wtforms.fields.choices, "SelectChoice", None)

REQUIRED = _l("Vul dit veld in.")
GROUP_EXPECTED = _l("Vul de groep van het kind in (1 tot en met 8).")
PHONE_EXPECTED = _l("Vul een telefoonnummer in, bijvoorbeeld 06-12345678 of +31 6 12345678.")


def required() -> InputRequired:
    return InputRequired(message=REQUIRED)


def choices(pairs: Iterable[tuple[str, Any]]) -> list[Any]:
    """(value, label) pairs as WTForms wants them: SelectChoice from WTForms 3.3 on (tuples are
    deprecated there), plain tuples before."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


PAYOUT_LABELS = {"cash": _l("Contant"), "education_fund": _l("Onderwijsfonds")}
PAYOUT_CHOICES = choices((method, PAYOUT_LABELS[method]) for method in PAYOUT_METHODS)


class DecimalCommaField(ReadOrStop):
    """A number typed with a decimal comma or point (`7,5` or `7.5`)."""

    widget = TextInput()  # as StringField's
    # Bigger is a typing error, and 1e999999 became float('inf') (stored in an assessment) or
    # overflowed the cents conversion (a 500).
    largest = Decimal(LARGEST_NUMBER)
    too_big = _l("Dat getal is te groot.")
    unreadable = _l("Vul een getal in, bijvoorbeeld 7,5.")

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        text = format(self.data, "f")
        return text.rstrip("0").rstrip(".").replace(".", ",") if "." in text else text

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip().replace(" ", "").removesuffix("%")  # 75% is a percentage as typed
        if "," in text:
            text = text.replace(".", "").replace(",", ".")  # 1.234,50 -> 1234.50
        try:
            self.data = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(self.unreadable) from None
        if not self.data.is_finite():
            self.data = None
            raise ValueError(self.unreadable)
        if self.data.copy_abs() > self.largest:  # copy_abs: no context, so no Overflow
            self.data = None
            raise ValueError(self.too_big)


class EuroField(DecimalCommaField):
    """An amount in euros (`12,50`); `.cents` is what the service takes."""

    largest = Decimal(MAX_CENTS) / 100
    too_big = _l("Een bedrag is hoogstens € 10.000.000.")
    unreadable = _l("Vul een bedrag in euro in, bijvoorbeeld 12,50.")

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            valuelist = [valuelist[0].replace("€", "")]
        super().process_formdata(valuelist)
        if self.data is not None and self.data != self.data.quantize(Decimal("0.01")):
            raise ValueError(_l("Een bedrag heeft hoogstens twee cijfers achter de komma."))

    def _value(self) -> str:
        if self.raw_data or self.data is None:
            return super()._value()
        return format(self.data.quantize(Decimal("0.01")), "f").replace(".", ",")

    @property
    def cents(self) -> int | None:
        return None if self.data is None else int(self.data * 100)

    def set_cents(self, cents: int | None) -> None:
        self.data = None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def number(field: DecimalCommaField) -> float:
    """A required number field's value, once the form validated."""
    if field.data is None:
        raise ValueError(f"{field.name} has no value; validate the form first")
    return float(field.data)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (each with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def not_negative() -> NumberRange:
    return NumberRange(min=0, message=_l("Vul 0 of meer in."))


def group_range() -> NumberRange:
    return NumberRange(min=MIN_GROUP, max=MAX_GROUP, message=_l("Een groep is %(min)s tot en met %(max)s.", min=MIN_GROUP, max=MAX_GROUP))


def percentage() -> NumberRange:
    return NumberRange(min=0, max=100, message=_l("Vul een percentage van 0 tot 100 in."))


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Gebruikersnaam"), [DataRequired(message=REQUIRED)], render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Wachtwoord"), [DataRequired(message=REQUIRED)], render_kw={"autocomplete": "current-password"})


class SchoolMixin:
    """The school: one of the user's own, or any BRIN code for an admin."""

    school = StringField(
        _l("School (BRIN)"),
        [required(), Regexp(BRIN_PATTERN, message=_l("Een BRIN-code is twee cijfers en dan twee hoofdletters of cijfers, bijvoorbeeld 12AB."))],
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
    )


def check_phone(field: Field) -> None:
    """A typed phone number must be one (the bulk import's check, domain/limits.py)."""
    if field.data and not is_phone(field.data):
        raise ValidationError(PHONE_EXPECTED)


def limit_schools(form: FlaskForm, schools: frozenset[str] | None) -> None:
    """For a user of named schools the school is a choice among them, not free text."""
    if schools is None:
        return
    choices = sorted(schools)
    field = form.school
    field.render_kw = {"list": "schools"}
    field.choices_for_ui = choices
    if not field.data and len(choices) == 1:
        field.data = choices[0]
    if field.data and field.data not in schools:
        field.validators = [*field.validators, _only(choices)]


def _only(choices: list[str]) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        if field.data not in choices:
            raise ValidationError(_l("Kies een van je eigen scholen: %(schools)s.", schools=", ".join(choices)))
    return check


class ChildForm(Form):
    """One child: name and groep (1 to 8); an empty row is skipped."""

    name = StringField(_l("Naam kind"), [Optional(), Length(max=MAX_FORM_TEXT)])
    group = WholeNumberField(_l("Groep"), [Optional(), group_range()], unreadable=GROUP_EXPECTED)

    def validate(self, extra_validators: Any = None) -> bool:
        """A named child needs a group (checked here: Optional() ends the field's own chain)."""
        ok = super().validate(extra_validators)
        if self.name.data and self.name.data.strip() and self.group.data is None and not self.group.errors:
            self.group.errors = [*self.group.errors, _l("Vul de groep van het kind in (1 tot en met 8).")]
            ok = False
        return ok


class ParentForm(SchoolMixin, FlaskForm):
    """Register a parent with their children."""

    name = StringField(_l("Naam ouder"), [required(), Length(max=MAX_FORM_TEXT)], filters=[lambda v: v.strip() if v else v])
    phone = StringField(_l("Telefoon"), [Optional(), Length(max=MAX_SHORT_TEXT)], render_kw={"type": "tel", "autocomplete": "off"})
    email = StringField(_l("E-mail"), [Optional(), Length(max=MAX_FORM_TEXT)], render_kw={"type": "email"})
    language = StringField(_l("Taal thuis"), [Optional(), Length(max=MAX_SHORT_TEXT)])
    children = FieldList(FormField(ChildForm), min_entries=3, max_entries=MAX_CHILDREN_ROWS)

    def validate_email(self, field: Field) -> None:
        # The API's own check (web/schemas.py), so form and API agree.
        if not is_email(field.data):
            raise ValidationError(_l("Vul een geldig e-mailadres in."))

    def validate_phone(self, field: Field) -> None:
        check_phone(field)

    def child_rows(self) -> list[tuple[str, int]]:
        """The filled-in children as (name, group)."""
        rows = []
        for c in self.children:
            name, group = c.form.name.data, c.form.group.data
            if name and name.strip():
                assert group is not None  # ChildForm.validate refuses a named child without a group
                rows.append((name.strip(), group))
        return rows


class ChildAddForm(FlaskForm):
    """Add a child to a registered parent."""

    name = StringField(_l("Naam kind"), [required(), Length(max=MAX_FORM_TEXT)])
    group = WholeNumberField(_l("Groep"), [InputRequired(message=GROUP_EXPECTED), group_range()], unreadable=GROUP_EXPECTED)


class ProgramForm(SchoolMixin, FlaskForm):
    """Create a programme from its kind's template; the settings start at the template's defaults."""

    name = StringField(_l("Naam programma"), [required(), Length(max=MAX_FORM_TEXT)])
    kind = SelectField(_l("Soort programma"), choices=choices((k, _l(TEMPLATES[k].label)) for k in KINDS), default="pact")
    starts_on = DateField(_l("Startdatum"), [InputRequired(message=_l("Vul een datum in."))], default=today)
    min_attendance_pct = DecimalCommaField(_l("Minimale aanwezigheid (%)"), [required(), percentage()])
    min_homework_pct = DecimalCommaField(_l("Minimaal huiswerk gedaan (%)"), [required(), percentage()])
    min_sessions_attended = WholeNumberField(_l("Minimaal aantal bijeenkomsten aanwezig"), [required(), not_negative()])
    per_session = EuroField(_l("Beloning per bijeenkomst aanwezig (€)"), [required(), not_negative()])
    per_homework = EuroField(_l("Beloning per keer huiswerk gedaan (€)"), [required(), not_negative()])
    per_assessment = EuroField(_l("Beloning per toets boven de drempel (€)"), [required(), not_negative()])
    assessment_threshold_pct = DecimalCommaField(_l("Drempel voor een toets (% van de maximale score)"), [required(), percentage()])
    cap = EuroField(_l("Maximale beloning (€, leeg is geen maximum)"), [Optional(), not_negative()])
    payout = SelectField(_l("Uitbetaling"), choices=PAYOUT_CHOICES, default="cash")

    def fill_defaults(self, kind: str) -> None:
        """Put a kind's template values in the settings fields."""
        t = TEMPLATES.get(kind) or TEMPLATES["custom"]
        self.kind.data = t.kind
        self.fill_rules(t.completion, t.rewards)

    def fill_rules(self, completion: CompletionRule, rewards: RewardScheme) -> None:
        """Put a completion rule and reward scheme in the settings fields."""
        self.min_attendance_pct.data = Decimal(str(round(completion.min_attendance_rate * 100, 2)))
        self.min_homework_pct.data = Decimal(str(round(completion.min_homework_rate * 100, 2)))
        self.min_sessions_attended.data = completion.min_sessions_attended
        self.per_session.set_cents(rewards.per_session_cents)
        self.per_homework.set_cents(rewards.per_homework_cents)
        self.per_assessment.set_cents(rewards.per_assessment_cents)
        self.assessment_threshold_pct.data = Decimal(str(round(rewards.assessment_threshold * 100, 2)))
        self.cap.set_cents(rewards.cap_cents)
        self.payout.data = rewards.payout

    def completion(self) -> dict[str, Any]:
        """The completion rule as the service takes it."""
        return {
            "min_attendance_rate": number(self.min_attendance_pct) / 100,
            "min_homework_rate": number(self.min_homework_pct) / 100,
            "min_sessions_attended": self.min_sessions_attended.data,
        }

    def rewards(self) -> dict[str, Any]:
        """The reward scheme as the service takes it."""
        return {
            "per_session_cents": self.per_session.cents,
            "per_homework_cents": self.per_homework.cents,
            "per_assessment_cents": self.per_assessment.cents,
            "assessment_threshold": number(self.assessment_threshold_pct) / 100,
            "cap_cents": self.cap.cents,
            "payout": self.payout.data,
        }


class ScheduleForm(FlaskForm):
    """Schedule one session or a weekly series: first date and time, number of weeks."""

    title = StringField(_l("Titel"), [required(), Length(max=MAX_FORM_TEXT)])
    first_date = DateField(_l("Datum (eerste bijeenkomst)"), [InputRequired(message=_l("Vul een datum in."))])
    time = TimeField(_l("Begintijd"), [InputRequired(message=_l("Vul een tijd in, bijvoorbeeld 19:00."))])
    weeks = WholeNumberField(
        _l("Aantal weken (elke week één bijeenkomst)"),
        [InputRequired(message=REQUIRED), NumberRange(min=MIN_WEEKS, max=MAX_WEEKS, message=_l("Vul %(min)s tot en met %(max)s weken in.", min=MIN_WEEKS, max=MAX_WEEKS))],
        default=1,
    )
    cadence = SelectField(_l("Hoe vaak"), choices=choices(
        [("weekly", _l("elke week")), ("fortnightly", _l("om de week")), ("monthly", _l("elke maand"))]), default="weekly")
    skip_holidays = SelectField(_l("Schoolvakanties en feestdagen overslaan"), choices=choices(
        [("", _l("niet overslaan")), ("noord", _l("regio noord")), ("midden", _l("regio midden")), ("zuid", _l("regio zuid"))]),
        default="")
    location = StringField(_l("Locatie"), [Optional(), Length(max=MAX_FORM_TEXT)])
    homework = TextAreaField(_l("Huiswerk (leeg als er geen huiswerk is)"), [Optional(), Length(max=MAX_HOMEWORK_TEXT)])
    participants = MultiCheckboxField(_l("Alleen voor (huisbezoek; niets aangevinkt is alle ingeschreven ouders)"), choices=[])

    def first_starts_at(self) -> datetime:
        """The first session's start, in the school's time zone."""
        assert self.first_date.data is not None and self.time.data is not None  # both are required
        return datetime.combine(self.first_date.data, self.time.data).replace(tzinfo=SCHOOL_TZ)


class EnrolForm(FlaskForm):
    """Enrol a parent of the programme's school."""

    parent_id = SelectField(_l("Ouder"), [InputRequired(message=_l("Kies een ouder."))], choices=[])
    # Named as the API's one-child field: each ticked child is sent as one child_id value.
    child_id = MultiCheckboxField(_l("Voor welke kinderen (niet verplicht)"), choices=[])
    enrolled_on = DateField(_l("Ingeschreven vanaf"), [InputRequired(message=_l("Vul een datum in."))], default=today)
    child_parent: dict[str, str] = {}
    """Which parent each offered child belongs to; set by the page with the choices."""

    def validate_child_id(self, field: Field) -> None:
        if any(self.child_parent.get(c) != self.parent_id.data for c in field.data or []):
            raise ValidationError(_l("Kies alleen kinderen van de gekozen ouder."))


class WithdrawForm(FlaskForm):
    """Withdraw (uitschrijven) a parent from a date on."""

    withdrawn_on = DateField(_l("Uitgeschreven vanaf"), [InputRequired(message=_l("Vul een datum in."))], default=today)
    reason = StringField(_l("Reden"), [required(), Length(max=MAX_TEXT)])


class AssessmentForm(FlaskForm):
    """A child's (tussen)toets result within a programme."""

    program_id = SelectField(_l("Programma"), [InputRequired(message=_l("Kies een programma."))], choices=[])
    child_id = SelectField(_l("Kind"), [InputRequired(message=_l("Kies een kind."))], choices=[])
    name = StringField(_l("Toets"), [required(), Length(max=MAX_FORM_TEXT)])
    score = DecimalCommaField(_l("Score"), [required(), not_negative()])
    max_score = DecimalCommaField(_l("Maximale score"), [required()])
    taken_on = DateField(_l("Afgenomen op"), [InputRequired(message=_l("Vul een datum in."))], default=today)

    def validate_max_score(self, field: Field) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("Vul een getal groter dan 0 in."))

    def validate_score(self, field: Field) -> None:
        if field.data is not None and self.max_score.data is not None and field.data > self.max_score.data:
            raise ValidationError(_l("De score kan niet hoger zijn dan de maximale score."))


class PayoutForm(FlaskForm):
    """Pay a parent (part of) what is outstanding."""

    amount = EuroField(_l("Bedrag (€)"), [required(), NumberRange(min=Decimal("0.01"), message=_l("Vul een bedrag groter dan € 0 in."))])
    method = SelectField(_l("Uitbetaling"), choices=PAYOUT_CHOICES)


class CancelForm(FlaskForm):
    """Cancel a session that has no roll call yet."""

    reason = StringField(_l("Reden"), [required(), Length(max=MAX_TEXT)])


class CsrfOnlyForm(FlaskForm):
    """A form whose fields are read by hand (the roll call) but that still carries the CSRF token."""


__all__ = [
    "AssessmentForm", "CancelForm", "ChildAddForm", "CsrfOnlyForm", "EnrolForm", "LoginForm",
    "ParentForm", "PayoutForm", "ProgramForm", "ScheduleForm", "WithdrawForm", "choices", "limit_schools",
]
