"""Who may do what in the staff UI: the API's permissions (web/roles.py), checked before a view
does anything.

What a role may not do is not shown (templates ask `may(...)`), and is refused with 403 when
the URL is typed anyway. School scoping is the service's: outside one's schools is a 404."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import current_app
from flask_login import current_user

from application.actor import Actor
from web.errors import RoleForbidden
from web.roles import PERMISSIONS, holds

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["PERMISSIONS", "actor", "ensure", "may", "requires", "system"]


def may(permission: str) -> bool:
    """Whether the signed-in user's role holds a permission."""
    return bool(current_user.is_authenticated) and holds(current_user.role, permission)


def ensure(permission: str) -> None:
    """Refuse (403, by web/errors.py's table) unless the user's role holds the permission."""
    if not may(permission):
        raise RoleForbidden(getattr(current_user, "role", "anonymous"))


def requires(permission: str) -> Callable[[F], F]:
    """Refuse a view with 403 unless the user's role holds the permission."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ensure(permission)
            return view(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate


def actor() -> Actor:
    """The Actor the signed-in user's commands and reads run as."""
    return current_user.actor


def system() -> Any:
    """The running System (service, accounts, projections)."""
    return current_app.extensions["betrokken"]
