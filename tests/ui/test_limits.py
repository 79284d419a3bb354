"""The staff forms and the API check input against the same limits (domain/limits.py): a BRIN
code one accepts, the other accepts; one refuses, the other refuses."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_wtf import FlaskForm

from tests.ui.conftest import post
from web.forms import SchoolMixin
from web.schemas import ParentSchema

# As typed after the form's own tidying (spaces trimmed, capitals): the form upper-cases what
# staff type, the API takes the code as sent.
BRINS = ["12AB", "00A1", "1234", "99ZZ", "12A", "12ABC", "AB12", "1ABC", "12A-", "12ÀB", "", "١٢AB"]


class SchoolForm(SchoolMixin, FlaskForm):
    """The staff forms' school field alone."""


def form_accepts(app: Flask, brin: str) -> bool:
    with app.test_request_context("/", method="POST", data={"school": brin}):
        form = SchoolForm(meta={"csrf": False})
        form.validate()
        return "school" not in form.errors


def api_accepts(brin: str) -> bool:
    return "school" not in ParentSchema().validate({"school": brin, "name": "Iemand"})


@pytest.mark.parametrize("brin", BRINS)
def test_the_form_and_the_api_accept_and_refuse_the_same_brin_codes(app: Flask, brin: str) -> None:
    assert form_accepts(app, brin) == api_accepts(brin)


def test_the_api_refuses_a_code_with_a_trailing_newline_that_the_form_tidies_away(app: Flask) -> None:
    # Python's `$` also matches before a final newline: the API matches the whole text instead
    assert not api_accepts("12AB\n") and not api_accepts("12AB\n\n")
    assert form_accepts(app, "12AB\n") and form_accepts(app, " 12ab ")


def test_both_accept_a_brin_code_ending_in_digits_and_refuse_letters_first(app: Flask) -> None:
    assert form_accepts(app, "00A1") and api_accepts("00A1")
    assert not form_accepts(app, "AB12") and not api_accepts("AB12")


def test_an_admin_registers_a_parent_at_a_school_whose_code_ends_in_digits(app: Flask, client_as) -> None:
    response = post(client_as("beheer"), "/parents/new", {"school": "01A2", "name": "Sanne Bakker"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [p.school for p in app.extensions["betrokken"].service.parents()] == ["01A2"]
