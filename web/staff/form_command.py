"""One way to run a staff form's command: check what was typed, run the command, and either
say it is done (a flash and a redirect: post/redirect/get) or show the form again with what was
typed and the refusal in the user's language, with the status web/errors.py's table gives."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from marshmallow import ValidationError

from domain.errors import DomainError
from web.errors import status_for, status_of
from web.staff.messages import refusal

T = TypeVar("T")


def attempt(command: Callable[[], T]) -> T | DomainError:
    """Run a command; a domain refusal comes back as a value, for the page to show."""
    try:
        return command()
    except DomainError as e:
        return e


def show(template: str, form: FlaskForm, refused: DomainError | None = None, **context: Any) -> ResponseReturnValue:
    """The form page: 200 to fill in, the table's status for typing errors (422) or a refusal (409)."""
    if refused is not None:
        status = status_of(refused)
    else:
        status = status_for(ValidationError) if request.method == "POST" else 200
    error = refusal(refused) if refused is not None else None
    return render_template(template, form=form, error=error, **context), status


def done(message: str, endpoint: str, **values: Any) -> ResponseReturnValue:
    """Say what was saved and go to the page that shows it."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def run_form(
    template: str, form: FlaskForm, command: Callable[[], T], then: Callable[[T], ResponseReturnValue], **context: Any,
) -> ResponseReturnValue:
    """Run the command of a form that passed its checks and go on with `then(result)`; otherwise
    (not sent, mistyped or refused) show the form again."""
    if not form.validate_on_submit():
        return show(template, form, **context)
    outcome = attempt(command)
    if isinstance(outcome, DomainError):
        return show(template, form, outcome, **context)
    return then(outcome)
