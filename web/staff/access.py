"""Who may do what in the staff UI: the API's roles, checked before a view does anything.

What a role may not do is not shown (templates ask `may(...)`), and is refused with 403 when
the URL is typed anyway. School scoping is the service's: outside one's schools is a 404."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import abort, current_app
from flask_login import current_user

from application.actor import Actor

F = TypeVar("F", bound=Callable[..., Any])

# permission -> roles holding it
PERMISSIONS: dict[str, frozenset[str]] = {
    # programme figures (projections) without names: everyone, analysts included
    "figures": frozenset({"admin", "staff", "auditor", "analyst"}),
    # parent records, names, roll calls (reading)
    "records": frozenset({"admin", "staff", "auditor"}),
    # commands: register, enrol, schedule, roll call, payouts ...
    "run": frozenset({"admin", "staff"}),
    # the audit timelines
    "audit": frozenset({"admin", "auditor"}),
}


def may(permission: str) -> bool:
    """Whether the signed-in user's role holds a permission."""
    return current_user.is_authenticated and current_user.role in PERMISSIONS[permission]


def requires(permission: str) -> Callable[[F], F]:
    """Refuse a view with 403 unless the user's role holds the permission."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not may(permission):
                abort(403)
            return view(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate


def actor() -> Actor:
    """The Actor the signed-in user's commands and reads run as."""
    return current_user.actor


def system() -> Any:
    """The running System (service, accounts, projections)."""
    return current_app.extensions["betrokken"]
