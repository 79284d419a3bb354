"""User accounts: who may sign in, in which role, for which schools; passwords and API tokens.

Accounts is its own eventsourcing application on the same store configuration as the
programme service. On SQLite it gets its own file (`accounts.sqlite`): the SQLite recorder's
table names are fixed, so two applications in one file would share one log. On PostgreSQL
it shares the database; the library prefixes its tables with the application name."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Callable, TypeVar
from uuid import UUID, uuid4

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from application.actor import Actor
from application.stored import aggregate_id
from adapters.config import StoreConfig
from domain.errors import ConcurrentEditError, UnknownUserError, UserExistsError
from domain.user import User, user_id

ACCOUNTS_FILE = "accounts.sqlite"
T = TypeVar("T")

# OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): tens of milliseconds per sign-in.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)


def token_hash(token: str) -> str:
    """What is stored of an API token: its SHA-256 (tokens are long and random, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


def accounts_env(config: StoreConfig) -> dict[str, str]:
    """The programme store's settings, with SQLite pointed at the accounts file."""
    env = config.eventsourcing_env()
    if not config.is_postgres:
        env["SQLITE_DBNAME"] = str((config.data_dir / ACCOUNTS_FILE).resolve())
    return env


class Accounts(Application):
    """Add users, issue and revoke their API tokens, and tell who is signing in."""

    name = "Accounts"

    def __init__(self, config: StoreConfig | None = None, env: dict[str, str] | None = None, *,
                 hasher: PasswordHasher | None = None) -> None:
        super().__init__(env if env is not None else accounts_env(config or StoreConfig.from_environ()))
        self.hasher = hasher or HASHER  # tests that don't test hashing pass a cheap one
        # Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    def _retrying(self, command: Callable[[], T]) -> T:
        for _ in range(10):
            try:
                return command()
            except IntegrityError:
                continue
        raise ConcurrentEditError("the user kept changing while saving; reload and retry")

    def _existing(self, name: str) -> User:
        found = self.user(name)
        if found is None:
            raise UnknownUserError(f"no user named {name!r}", name=name)
        return found

    # -- commands ---------------------------------------------------------------------------

    def add_user(self, name: str, role: str, schools: list[str], password: str, actor: str = "cli") -> None:
        """Add a user in a role for some schools (an admin: every school)."""
        if self.user(name) is not None:
            raise UserExistsError(f"a user named {name!r} already exists", name=name)
        new = User.add(name=name, role=role, schools=list(schools), password_hash=self.hasher.hash(password), actor=actor)
        try:
            self.save(new)
        except IntegrityError:
            raise UserExistsError(f"a user named {name!r} already exists", name=name) from None

    def issue_token(self, name: str, actor: str = "cli") -> str:
        """A new API token for the user; only its hash is kept, so show it once."""
        token = f"{user_id(name).hex}.{secrets.token_urlsafe(32)}"

        def command() -> str:
            found = self._existing(name)
            found.issue_token(token_id=uuid4(), token_hash=token_hash(token), actor=actor)
            self.save(found)
            return token
        return self._retrying(command)

    def revoke_tokens(self, name: str, actor: str = "cli") -> None:
        """Revoke every API token of the user."""
        def command() -> None:
            found = self._existing(name)
            found.revoke_tokens(actor=actor)
            self.save(found)
        self._retrying(command)

    def change_password(self, name: str, password: str, actor: str = "cli") -> None:
        """Give the user a new password."""
        def command() -> None:
            found = self._existing(name)
            found.change_password(password_hash=self.hasher.hash(password), actor=actor)
            self.save(found)
        self._retrying(command)

    def disable(self, name: str, actor: str = "cli") -> None:
        """Stop the user signing in (tokens included)."""
        def command() -> None:
            found = self._existing(name)
            found.disable(actor=actor)
            self.save(found)
        self._retrying(command)

    # -- questions --------------------------------------------------------------------------

    def authenticate_password(self, name: str, password: str) -> Actor | None:
        """The user acting, if the name and password match an enabled user."""
        found = self.user(name)
        try:
            self.hasher.verify(found.password_hash if found else self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if found is None or found.disabled:
            return None
        return self.actor_of(found)

    def authenticate_token(self, token: str) -> Actor | None:
        """The user acting, if the token is one of their live tokens."""
        ident, sep, secret = token.partition(".")
        if not sep or not secret:
            return None
        try:
            uid = UUID(hex=ident)
        except ValueError:
            return None
        found = self._by_id(uid)
        if found is None or found.disabled:
            return None
        digest = token_hash(token)
        # Compare against every live token, without stopping early, so timing tells nothing.
        matched = False
        for stored in found.tokens.values():
            matched |= hmac.compare_digest(stored, digest)
        return self.actor_of(found) if matched else None

    @staticmethod
    def actor_of(found: User) -> Actor:
        """The Actor that commands and reads run as for this user."""
        return Actor(name=found.name, role=found.role, schools=found.school_set)

    def user(self, name: str) -> User | None:
        """The user with this name, if any."""
        return self._by_id(user_id(name))

    def _by_id(self, uid: UUID) -> User | None:
        try:
            found: Aggregate = self.repository.get(uid)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, User) else None

    def has_users(self) -> bool:
        """Whether anyone has been added yet (the first user must come from the CLI)."""
        return bool(self.recorder.select_notifications(start=None, limit=1))

    def users(self) -> list[User]:
        """Every user, in the order they were added."""
        names: list[UUID] = []
        position = 0
        topic = get_topic(User.UserAdded)
        while True:
            page = self.recorder.select_notifications(
                start=position, limit=500, topics=[topic], inclusive_of_start=False
            )
            names.extend(aggregate_id(n) for n in page)
            if len(page) < 500:
                break
            position = page[-1].id
        return [u for u in (self._by_id(i) for i in names) if u is not None]
