"""The composition root: opens the programme service, the user accounts and the projections on
one configured store, and wires them together. Both the web app and the CLI start here."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher

from application.accounts import Accounts
from application.config import StoreConfig
from application.factory import open_service
from application.programs import ProgramService
from application.throttle import LoginThrottle
from application.web_sessions import WebSessions
from application.web_store import WebStore
from projections import Projections, open_projections


@dataclass
class System:
    """Everything that runs on one store."""

    config: StoreConfig
    service: ProgramService
    accounts: Accounts
    projections: Projections
    web: WebStore | None = field(default=None)  # sign-in sessions and throttling (web_store.py)

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
        if self.web is not None:
            self.web.close()
        self.projections.close()
        self.accounts.close()
        self.service.close()


def open_system(config: StoreConfig | None = None, *, hasher: PasswordHasher | None = None) -> System:
    """Open Betrokken on BETROKKEN_DATA_DIR / BETROKKEN_DATABASE_URL (or the given config);
    `hasher` replaces the production password hasher (tests that don't test hashing)."""
    config = config or StoreConfig.from_environ()
    service = open_service(config)
    accounts = Accounts(config, hasher=hasher)
    projections = open_projections(config, service)
    # Payouts are checked against the rewards projection (caught up to the head first).
    service.earned_cents = lambda program, parent_id: projections.earned_cents(program.id, parent_id)
    return System(config=config, service=service, accounts=accounts, projections=projections, web=WebStore(config))
