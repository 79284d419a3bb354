"""Form fields that take what a Dutch coordinator types: `01-12-2026` beside the browser's
`2026-12-01`, `19.00` beside `19:00`. Each says what it expects when it cannot read the input."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, IntegerField, TimeField
from wtforms.form import BaseForm
from wtforms.validators import StopValidation

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
"""ISO first: the browser's date picker sends it, and the field shows its value so."""
TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S", "%Hu%M", "%H%M"]


def first_reading(text: str, formats: list[str]) -> datetime | None:
    """The text read by the first format that fits, or None."""
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


class ReadOrStop(Field):
    """A field whose input could not be read says only that, and what it expects: its other
    checks (a range, "required") would add a second message about the same mistake."""

    def pre_validate(self, form: BaseForm) -> None:
        if self.process_errors:
            raise StopValidation()  # no message of its own: the reading's message is the one


class WholeNumberField(ReadOrStop, IntegerField):
    """A whole number, refused with a Dutch message that says what is expected."""

    def __init__(self, label: Any = None, validators: Any = None, unreadable: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)
        self.unreadable = unreadable or _l("Vul een heel getal in, bijvoorbeeld 3.")

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.unreadable) from None


class DutchDateField(ReadOrStop, DateField):
    """A date as the browser sends it or as typed in Dutch (01-12-2026, 1/12/2026)."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", DATE_FORMATS)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and valuelist[0].strip():
            read = first_reading(valuelist[0].strip(), DATE_FORMATS)
            self.data: date | None = read.date() if read else None
            if read is None:
                raise ValueError(_l("Vul een datum in, bijvoorbeeld 01-12-2026."))


class DutchTimeField(ReadOrStop, TimeField):
    """A time as the browser sends it or as typed in Dutch (19.00, 19:00, 19u30)."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", TIME_FORMATS)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and valuelist[0].strip():
            read = first_reading(valuelist[0].strip().lower(), TIME_FORMATS)
            self.data: time | None = read.time() if read else None
            if read is None:
                raise ValueError(_l("Vul een tijd in, bijvoorbeeld 19.00."))
