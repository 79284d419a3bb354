"""The composition root: opens the programme service, the user accounts and the projections on
one configured store, and wires them together. The CLI, the WSGI entry (betrokken/wsgi.py) and
the tests start here; the web app is handed the opened System and imports nothing of betrokken/."""

from __future__ import annotations

import logging
import threading

from dataclasses import dataclass, field
from typing import Sequence
from uuid import UUID

from argon2 import PasswordHasher

from adapters.config import StoreConfig
from adapters.idempotency import IdempotencyStore, open_idempotency
from adapters.keystore import MasterKeyMismatch, open_keystore
from adapters.read_log import ReadLog
from adapters.throttle import LoginThrottle
from adapters.web_sessions import WebSessions
from adapters.web_store import WebStore
from application.accounts import Accounts
from application.programs import EarnedCents, ProgramService, SavedListener
from domain.training_program import TrainingProgram
from projections import Projections, open_projections


@dataclass
class System:
    """Everything that runs on one store."""

    config: StoreConfig
    service: ProgramService
    accounts: Accounts
    projections: Projections
    web: WebStore | None = field(default=None)  # sign-in sessions and throttling (web_store.py)
    idempotency: IdempotencyStore | None = field(default=None)  # the API's stored answers per key
    reads: ReadLog | None = field(default=None)  # who read which parent's personal data (read_log.py)

    @property
    def sessions(self) -> WebSessions:
        """The staff UI's server-side sessions."""
        assert self.web is not None, "opened without the web tables"
        return WebSessions(self.web)

    @property
    def throttle(self) -> LoginThrottle:
        """Failed sign-ins, counted in the store."""
        assert self.web is not None, "opened without the web tables"
        return LoginThrottle(self.web)

    def disable_user(self, name: str, actor: str = "cli") -> int:
        """Disable a user and end every session of theirs; how many sessions ended."""
        self.accounts.disable(name, actor=actor)
        return self.sessions.revoke_user(name) if self.web is not None else 0

    def change_password(self, name: str, password: str, actor: str = "cli") -> int:
        """Give a user a new password and end every session of theirs; how many sessions ended."""
        self.accounts.change_password(name, password, actor=actor)
        return self.sessions.revoke_user(name) if self.web is not None else 0

    def close(self) -> None:
        """Close every store this system opened."""
        if self.idempotency is not None:
            self.idempotency.close()
        if self.reads is not None:
            self.reads.close()
        if self.web is not None:
            self.web.close()
        self.projections.close()
        self.accounts.close()
        self.service.close()


def open_service(
    config: StoreConfig | None = None,
    *,
    earned_cents: EarnedCents | None = None,
    saved_listeners: Sequence[SavedListener] = (),
) -> ProgramService:
    """The service on BETROKKEN_DATA_DIR's SQLite file, or on BETROKKEN_DATABASE_URL's PostgreSQL."""
    config = config or StoreConfig.from_environ()
    return ProgramService(
        env=config.eventsourcing_env(), keys=open_keystore(config),
        earned_cents=earned_cents, saved_listeners=saved_listeners,
    )


def open_service_with_projections(config: StoreConfig, *, follow: bool = True) -> tuple[ProgramService, Projections]:
    """The service and its projections, wired: payouts are checked against the rewards projection
    (caught up to the head first), and (with `follow`) each save wakes the projections' follower
    thread; without it, readers catch the views up themselves, or a follower process does
    (betrokken/follower.py)."""
    projections: Projections | None = None  # opened on the service below; the two refer to each other

    def earned_cents(program: TrainingProgram, parent_id: UUID) -> int:
        assert projections is not None
        return projections.earned_cents(program.id, parent_id)

    def saved(position: int) -> None:
        if projections is not None:
            projections.saved(position)

    service = open_service(config, earned_cents=earned_cents, saved_listeners=[saved] if follow else [])
    projections = open_projections(config, service)
    return service, projections


def open_system(
    config: StoreConfig | None = None, *, hasher: PasswordHasher | None = None, follow: bool = True,
) -> System:
    """Open Betrokken on BETROKKEN_DATA_DIR / BETROKKEN_DATABASE_URL (or the given config);
    `hasher` replaces the production password hasher (tests that don't test hashing); `follow`
    False starts no projections thread (a follower process keeps them up, betrokken/follower.py).
    A master key that cannot open the stored data keys raises MasterKeyMismatch (adapters/keystore.py)."""
    config = config or StoreConfig.from_environ()
    service, projections = open_service_with_projections(config, follow=follow)
    try:
        service.keys.check_master_key()
    except MasterKeyMismatch:
        projections.close()
        service.close()
        raise
    return System(config=config, service=service, accounts=Accounts(config, hasher=hasher), projections=projections,
                  web=WebStore(config), idempotency=open_idempotency(config), reads=ReadLog(config))


def warm_name_index(service: ProgramService) -> threading.Thread:
    """Read the parents' names for search in the background (application/name_index.py): the
    first search after a start answers at once instead of reading every parent then."""
    def warm() -> None:
        try:
            service.names.warm()
        except Exception:  # the first search reads them after all
            logging.getLogger("betrokken").exception("reading the parents' names at start failed")

    thread = threading.Thread(target=warm, name="name-index", daemon=True)
    thread.start()
    return thread
