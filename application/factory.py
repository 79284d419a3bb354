"""Open the programme service on the configured store."""

from __future__ import annotations

from application.config import StoreConfig
from application.keystore import open_keystore
from application.programs import ProgramService


def open_service(config: StoreConfig | None = None) -> ProgramService:
    """The service on BETROKKEN_DATA_DIR's SQLite file, or on BETROKKEN_DATABASE_URL's PostgreSQL."""
    config = config or StoreConfig.from_environ()
    return ProgramService(env=config.eventsourcing_env(), keys=open_keystore(config))
