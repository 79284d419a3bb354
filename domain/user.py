"""The User aggregate: someone who may sign in to Betrokken, in one role, for some schools.

Only hashes are recorded: the password as an argon2id hash, each API token as its SHA-256.
The id is derived from the name, so a sign-in finds the user without an index."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, NAMESPACE_URL, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidRoleError, SchoolRequiredError, UserDisabledError, UserNameRequiredError

ROLES = ("admin", "staff", "auditor", "analyst")
USER_NAMESPACE = uuid5(NAMESPACE_URL, "https://betrokken.nl/users")


def user_id(name: str) -> UUID:
    """The id of the user with this name (the same in every store)."""
    return uuid5(USER_NAMESPACE, name)


# Read-only roles that may be added without --school (the contract: `[--school BRIN ...]`): they then
# see every school, like an admin. Staff always work for named schools.
SCHOOLLESS_ROLES = ("admin", "auditor", "analyst")


def check_role(role: str, schools: list[str]) -> None:
    """A role must be known; staff work for named schools, the other roles may name none."""
    if role not in ROLES:
        raise InvalidRoleError(f"role must be one of {', '.join(ROLES)}, not {role!r}", role=role)
    if role not in SCHOOLLESS_ROLES and not schools:
        raise SchoolRequiredError(f"a {role} needs at least one school (--school BRIN)", role=role)


class User(Aggregate):
    """A user account: name, role, schools, password hash and the hashes of live API tokens."""

    # @event(...) makes these event classes at run time, from the method's signature; mypy can't
    # see them, so the ones read outside the aggregate are declared here for it alone.
    if TYPE_CHECKING:

        class UserAdded(Aggregate.Created):
            name: str
            role: str
            schools: list[str]
            password_hash: str
            actor: str

    @staticmethod
    def create_id(name: str) -> UUID:
        return user_id(name)

    @classmethod
    def add(cls, *, name: str, role: str, schools: list[str], password_hash: str, actor: str) -> "User":
        """Add a user after checking the role (admins see every school, so they list none)."""
        check_role(role, schools)
        if not name.strip():
            raise UserNameRequiredError("a user needs a name")
        schools = [] if role == "admin" else sorted(set(schools))
        return cls(name=name, role=role, schools=schools, password_hash=password_hash, actor=actor)

    @event("UserAdded")
    def __init__(self, *, name: str, role: str, schools: list[str], password_hash: str, actor: str) -> None:
        self.name = name
        self.role = role
        self.schools = list(schools)
        self.password_hash = password_hash
        self.tokens: dict[UUID, str] = {}
        self.disabled = False

    @property
    def school_set(self) -> frozenset[str] | None:
        """The schools the user may see; None (every school) for an admin, and for an auditor or
        analyst added without schools."""
        if self.role == "admin" or (self.role in SCHOOLLESS_ROLES and not self.schools):
            return None
        return frozenset(self.schools)

    def issue_token(self, *, token_id: UUID, token_hash: str, actor: str) -> None:
        """Record a new API token by its hash."""
        if self.disabled:
            raise UserDisabledError("this user is disabled")
        self._token_issued(token_id=token_id, token_hash=token_hash, actor=actor)

    @event("TokenIssued")
    def _token_issued(self, *, token_id: UUID, token_hash: str, actor: str) -> None:
        self.tokens[token_id] = token_hash

    def revoke_tokens(self, *, actor: str) -> int:
        """Revoke every live token; returns how many were revoked."""
        revoked = list(self.tokens)
        for token_id in revoked:
            self._token_revoked(token_id=token_id, actor=actor)
        return len(revoked)

    @event("TokenRevoked")
    def _token_revoked(self, *, token_id: UUID, actor: str) -> None:
        self.tokens.pop(token_id, None)

    def change_password(self, *, password_hash: str, actor: str) -> None:
        """Replace the password (its hash) and revoke every API token: a password changed because
        it leaked must not leave a token issued with it working."""
        self._password_changed(password_hash=password_hash, actor=actor)
        self.revoke_tokens(actor=actor)

    @event("PasswordChanged")
    def _password_changed(self, *, password_hash: str, actor: str) -> None:
        self.password_hash = password_hash

    def disable(self, *, actor: str) -> None:
        """Stop the user signing in, by password or token."""
        if not self.disabled:
            self._disabled(actor=actor)

    @event("Disabled")
    def _disabled(self, *, actor: str) -> None:
        self.disabled = True
        self.tokens.clear()
