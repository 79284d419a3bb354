"""The composition root: opens the programme service, the user accounts and the projections on
one configured store, and wires them together. Both the web app and the CLI start here."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts import Accounts
from application.config import StoreConfig
from application.factory import open_service
from application.programs import ProgramService
from projections import Projections, open_projections


@dataclass
class System:
    """Everything that runs on one store."""

    config: StoreConfig
    service: ProgramService
    accounts: Accounts
    projections: Projections

    def close(self) -> None:
        self.projections.close()
        self.accounts.close()
        self.service.close()


def open_system(config: StoreConfig | None = None) -> System:
    """Open Betrokken on BETROKKEN_DATA_DIR / BETROKKEN_DATABASE_URL (or the given config)."""
    config = config or StoreConfig.from_environ()
    service = open_service(config)
    accounts = Accounts(config)
    projections = open_projections(config, service)
    # Payouts are checked against the rewards projection (caught up to the head first).
    service.earned_cents = lambda program, parent_id: projections.earned_cents(program.id, parent_id)
    return System(config=config, service=service, accounts=accounts, projections=projections)
