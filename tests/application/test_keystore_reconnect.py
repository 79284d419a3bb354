"""The parents' keys on PostgreSQL survive the server dropping its connections."""

from __future__ import annotations

import psycopg

from betrokken.system import open_service


def test_reading_a_parent_after_the_server_dropped_every_connection(postgres_store):
    svc = open_service(postgres_store)
    try:
        parent = svc.register_parent(school="12AB", name="Anouk de Boer", children=[("Sem", 4)])
        assert svc.keys.table.is_postgres
        with psycopg.connect(postgres_store.database_url or "", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        svc.keys.cache.clear()
        assert svc.keys.table.select(parent.id) is not None
    finally:
        svc.close()


def test_idempotency_keys_on_postgres_survive_dropped_connections(postgres_store):
    from adapters.idempotency import Claimed, open_idempotency

    store = open_idempotency(postgres_store)
    try:
        assert isinstance(store.claim("trainer", "k1", "fp", "/api/v1/parents"), Claimed)
        with psycopg.connect(postgres_store.database_url or "", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        store.complete("trainer", "k1", 201, b"{}", "application/json")
        assert not isinstance(store.look("trainer", "k1", "fp"), Claimed)
    finally:
        store.close()
