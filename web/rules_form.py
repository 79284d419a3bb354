"""The admin's form for rules that change mid-year: the programme form's completion and reward
fields (so both read Dutch input alike), a date from which they apply, and the reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from domain.limits import MAX_TEXT
from web.dutch_fields import DutchDateField
from web.forms import ProgramForm


class RulesForm(ProgramForm):
    """New rules from a date on; the fields start at the rules in force today."""

    # the programme's own fields are not changed here (WTForms drops a field set to None)
    school = None  # type: ignore[assignment]
    name = None  # type: ignore[assignment]
    kind = None  # type: ignore[assignment]
    starts_on = None  # type: ignore[assignment]
    effective_from = DutchDateField(_l("Geldt vanaf"), [InputRequired(message=_l("Vul een datum in."))])
    reason = StringField(_l("Reden"), [InputRequired(message=_l("Vul een reden in.")), Length(max=MAX_TEXT)])
