"""Every refusal of the domain has a name, a code of its own and a sentence in both languages."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale

from domain.errors import DomainError
from web.staff.messages import MESSAGES, refusal


def refusals(cls: type[DomainError] = DomainError) -> list[type[DomainError]]:
    """Every subclass of DomainError, however deep."""
    found: list[type[DomainError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *refusals(sub)]
    return found


def test_every_refusal_has_its_own_code() -> None:
    codes = [cls.code for cls in refusals()]
    assert len(codes) > 20
    assert DomainError.code not in codes  # the base's rule_violated: no refusal goes unnamed
    assert len(set(codes)) == len(codes), sorted(c for c in codes if codes.count(c) > 1)
    assert all(code.isidentifier() and code == code.lower() for code in codes)


def test_every_refusal_has_a_dutch_sentence_on_the_form_and_an_english_one(app: Flask) -> None:
    with app.test_request_context():
        for cls in refusals():
            assert cls in MESSAGES, f"{cls.__name__} has no sentence of its own in web/staff/messages.py"
            error = cls("an English message for the log")
            with force_locale("nl"):
                dutch = refusal(error)
            with force_locale("en"):
                english = refusal(error)
            assert dutch and english and "English message" not in dutch, cls.__name__
            assert dutch != english, f"{cls.__name__}: no English translation of {dutch!r}"
