"""Where the store lives: a SQLite file under BETROKKEN_DATA_DIR (the embedded default), or
PostgreSQL when BETROKKEN_DATABASE_URL says so. Turns that into eventsourcing's settings."""

from __future__ import annotations

import base64
import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import parse_qs, unquote, urlparse

DEFAULT_DATA_DIR = "./instance"
EVENTS_FILE = "events.sqlite"
MASTER_KEY_FILE = "master.key"
CHECKPOINT_KEY_FILE = "checkpoint.key"
CHECKPOINT_LOG_FILE = "checkpoints.log"


@dataclass(frozen=True)
class StoreConfig:
    """The data directory (always: secrets and SQLite files), an optional PostgreSQL URL, and the
    other BETROKKEN_* settings it was made from (secrets among them: never shown or compared)."""

    data_dir: Path
    database_url: str | None = None
    settings: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "StoreConfig":
        """The store and settings named in this mapping (the process's environment when None)."""
        env = os.environ if environ is None else environ
        return cls(
            data_dir=Path(env.get("BETROKKEN_DATA_DIR") or DEFAULT_DATA_DIR),
            database_url=env.get("BETROKKEN_DATABASE_URL") or None,
            settings={k: v for k, v in env.items() if k.startswith("BETROKKEN_")},
        )

    def setting(self, name: str) -> str | None:
        """A BETROKKEN_* setting as this configuration was given it (None when unset or empty)."""
        return self.settings.get(name) or None

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url) and urlparse(self.database_url).scheme in ("postgres", "postgresql")

    @property
    def events_path(self) -> Path:
        return self.data_dir / EVENTS_FILE

    def master_key(self) -> bytes:
        """BETROKKEN_MASTER_KEY (base64 of 32 bytes), or a key generated into the data directory once."""
        return self._secret("BETROKKEN_MASTER_KEY", MASTER_KEY_FILE)

    def checkpoint_seed(self) -> bytes:
        """The Ed25519 seed that signs checkpoints: BETROKKEN_CHECKPOINT_KEY (base64 of 32 bytes),
        or one generated into the data directory once (`checkpoint.key`, mode 0600)."""
        return self._secret("BETROKKEN_CHECKPOINT_KEY", CHECKPOINT_KEY_FILE)

    def checkpoint_log(self) -> Path:
        """The file signed checkpoints are appended to: BETROKKEN_CHECKPOINT_LOG (so it can be kept
        and published apart from the store), else `checkpoints.log` in the data directory."""
        return Path(self.setting("BETROKKEN_CHECKPOINT_LOG") or self.data_dir / CHECKPOINT_LOG_FILE)

    def _secret(self, variable: str, file_name: str) -> bytes:
        """32 bytes from the environment (base64), or generated into the data directory once."""
        given = self.setting(variable)
        if given:
            key = base64.urlsafe_b64decode(given.encode() + b"=" * (-len(given) % 4))
            if len(key) != 32:
                raise ValueError(f"{variable} must be the base64 of 32 random bytes")
            return key
        path = self.data_dir / file_name
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # The first process to create the file writes the key; every other one reads it.
        with suppress(FileExistsError), os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(base64.urlsafe_b64encode(os.urandom(32)) + b"\n")
        return base64.urlsafe_b64decode(path.read_bytes().strip())

    def eventsourcing_env(self) -> dict[str, str]:
        """The settings eventsourcing's Application reads."""
        if self.database_url and not self.is_postgres:
            raise ValueError(f"BETROKKEN_DATABASE_URL must start with postgresql://, not {self.database_url!r}")
        if self.is_postgres:
            return {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                # Seals every event in a hash chain as it is written (adapters/sealing.py).
                "APPLICATION_RECORDER_TOPIC": "adapters.sealing:SealedPostgresApplicationRecorder",
                **postgres_settings(self.database_url or "", self.setting("BETROKKEN_POOL_SIZE") or "10"),
            }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "APPLICATION_RECORDER_TOPIC": "adapters.sealing:SealedSQLiteApplicationRecorder",
            "SQLITE_DBNAME": str(self.events_path.resolve()),
            # Whole seconds; the WSGI server's threads wait for each other's writes this long.
            "SQLITE_LOCK_TIMEOUT": "30",
        }


def postgres_settings(url: str, pool_size: str = "10") -> dict[str, str]:
    """postgresql://user:pass@host:port/db as eventsourcing's POSTGRES_* settings; the event
    store's connections per process: `pool_size` kept open, as many again when busy."""
    u = urlparse(url)
    query = parse_qs(u.query)
    settings = {
        "POSTGRES_DBNAME": unquote(u.path.lstrip("/")) or "postgres",
        # ?host=/path/to/socket-dir selects a Unix socket, as libpq allows.
        "POSTGRES_HOST": query.get("host", [u.hostname or "localhost"])[0],
        "POSTGRES_PORT": query.get("port", [str(u.port or 5432)])[0],
        "POSTGRES_USER": unquote(u.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(u.password or ""),
        "POSTGRES_POOL_SIZE": pool_size,
        "POSTGRES_MAX_OVERFLOW": pool_size,
        "POSTGRES_CONNECT_TIMEOUT": "10",
    }
    return settings
