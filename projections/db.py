"""The read models' side store: `projections.sqlite` beside the events, or the PostgreSQL schema
`projections`. Not durable: a lost commit takes its tracking position along, so it is redone."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol, Sequence

from adapters.config import StoreConfig
from adapters.side_store import LOCK_KEY, NOT_DURABLE, Row, SideStore, Tables, Tx

DEFAULT_NAMESPACE = "projections"
__all__ = ["DEFAULT_NAMESPACE", "Database", "Queries", "Row", "Tx", "open_database"]


class Queries(Protocol):
    """What the views read through: the store itself, or one snapshot of it (a Tx)."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


class Database(SideStore):
    """The read-model store; `exclusive()` is the one writer's transaction."""

    def exclusive(self) -> AbstractContextManager[Tx]:
        """One writer across threads and processes (two catch-ups never interleave); all or nothing."""
        return self.transaction(LOCK_KEY)


def open_database(config: StoreConfig, namespace: str = DEFAULT_NAMESPACE, *, readonly: bool = False) -> Database:
    """The read-model store of this configuration."""
    # 64 MiB of cache: a rebuild keeps its indexes in memory.
    tables = Tables(file=f"{namespace}.sqlite", namespace=namespace, timeout=60.0,
                    pragmas=(NOT_DURABLE, "cache_size = -65536"))
    if readonly and not config.is_postgres and not (config.data_dir / tables.file).exists():
        raise FileNotFoundError(
            f"no projections yet at {config.data_dir / tables.file}: run `betrokken projections status` first")
    return Database(config, tables, readonly=readonly)
