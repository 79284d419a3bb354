"""The parents' keys on PostgreSQL survive the server dropping its connections."""

from __future__ import annotations

import psycopg

from application.factory import open_service
from application.keystore import PostgresKeyTable


def test_reading_a_parent_after_the_server_dropped_every_connection(postgres_store):
    svc = open_service(postgres_store)
    try:
        parent = svc.register_parent(school="12AB", name="Anouk de Boer", children=[("Sem", 4)])
        assert isinstance(svc.keys.table, PostgresKeyTable)
        with psycopg.connect(postgres_store.database_url or "", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        svc.keys.cache.clear()
        assert svc.keys.table.select(parent.id) is not None
    finally:
        svc.close()
