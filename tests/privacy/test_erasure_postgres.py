"""On PostgreSQL a deleted row lingers as a dead tuple, and in the WAL, until vacuumed and
recycled: an erasure rewrites the key table (VACUUM FULL) and closes the WAL segment, and then no
file of the server's data directory holds the destroyed wrapped key (as the SQLite test scans
its files)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from adapters.config import StoreConfig
from betrokken.system import open_service

pytestmark = pytest.mark.postgres


def holding(data_dir: Path, secret: bytes) -> list[str]:
    """The files of the server's data directory that hold these bytes."""
    found = []
    for f in data_dir.rglob("*"):
        try:
            if f.is_file() and secret in f.read_bytes():
                found.append(str(f.relative_to(data_dir)))
        except OSError:  # a file the server removed while we looked
            continue
    return found


def test_after_erasure_no_file_of_the_postgres_data_directory_holds_the_key(postgres_store: StoreConfig, postgres_server) -> None:
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
        assert row is not None
        data_dir = Path(row[0])
        # Segments are then removed when done with, not renamed for reuse with their old bytes in them.
        conn.execute("ALTER SYSTEM SET wal_recycle = off")
        conn.execute("SELECT pg_reload_conf()")
    service = open_service(postgres_store)
    try:
        parent = service.register_parent(school="12AB", name="Te wissen", children=[("Kind", 2)])
        wrapped = service.keys.table.select(parent.id)
        assert wrapped
        with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
            conn.execute("CHECKPOINT")  # the row is written to its table file, not only to the WAL
        assert any(f.startswith("base") for f in holding(data_dir, wrapped))  # negative control
        service.erase_parent(parent.id, reason="verzoek")
        assert holding(data_dir, wrapped) == []
        assert service.parent(parent.id).name == "gewist"
    finally:
        service.close()
        with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM RESET wal_recycle")
            conn.execute("SELECT pg_reload_conf()")
