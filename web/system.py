"""What the web layer is handed: the opened system, as the composition root builds it
(betrokken/system.py). Described here by what the views use, so web/ imports nothing of betrokken/."""

from __future__ import annotations

from typing import Protocol

from adapters.config import StoreConfig
from adapters.idempotency import IdempotencyStore
from adapters.read_log import ReadLog
from adapters.throttle import LoginThrottle
from adapters.web_sessions import WebSessions
from application.accounts import Accounts
from application.programs import ProgramService
from projections import Projections


class System(Protocol):
    """The programme service, the accounts, the projections and the web tables on one store."""

    config: StoreConfig
    service: ProgramService
    accounts: Accounts
    projections: Projections
    idempotency: IdempotencyStore | None
    reads: ReadLog | None

    @property
    def sessions(self) -> WebSessions: ...

    @property
    def throttle(self) -> LoginThrottle: ...

    def disable_user(self, name: str, actor: str = "cli") -> int: ...

    def change_password(self, name: str, password: str, actor: str = "cli") -> int: ...

    def close(self) -> None: ...
