"""The composition root: opens the programme service, the user accounts and the projections on
one configured store, and wires them together. Both the web app and the CLI start here."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts import Accounts
from application.config import StoreConfig
from application.factory import open_service
from application.programs import ProgramService


@dataclass
class System:
    """Everything that runs on one store."""

    config: StoreConfig
    service: ProgramService
    accounts: Accounts

    def close(self) -> None:
        self.accounts.close()
        self.service.close()


def open_system(config: StoreConfig | None = None) -> System:
    """Open Betrokken on BETROKKEN_DATA_DIR / BETROKKEN_DATABASE_URL (or the given config)."""
    config = config or StoreConfig.from_environ()
    service = open_service(config)
    accounts = Accounts(config)
    return System(config=config, service=service, accounts=accounts)
