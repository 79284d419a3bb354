"""The web layer's own tables (sessions, sign-in throttling): `web.sqlite`, or beside the events in
PostgreSQL. They may lose their last commit in a power cut; a deleted session is overwritten."""

from __future__ import annotations

from adapters.config import StoreConfig
from adapters.side_store import NOT_DURABLE, SECURE_DELETE, SideStore, Tables

WEB_TABLES = Tables(
    file="web.sqlite", pool_size=10, pragmas=(SECURE_DELETE, NOT_DURABLE),
    schema=(  # times are epoch seconds on both engines
        "CREATE TABLE IF NOT EXISTS betrokken_web_sessions (id_hash TEXT PRIMARY KEY, user_name TEXT,"
        " data TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, seen_at DOUBLE PRECISION NOT NULL)",
        "CREATE INDEX IF NOT EXISTS betrokken_web_sessions_user ON betrokken_web_sessions (user_name)",
        "CREATE INDEX IF NOT EXISTS betrokken_web_sessions_seen ON betrokken_web_sessions (seen_at)",
        "CREATE TABLE IF NOT EXISTS betrokken_login_attempts (id {identity}, scope TEXT NOT NULL,"
        " at DOUBLE PRECISION NOT NULL)",
        "CREATE INDEX IF NOT EXISTS betrokken_login_attempts_scope ON betrokken_login_attempts (scope, at)",
    ),
)


class WebStore(SideStore):
    """Transactions on the web tables, on SQLite or PostgreSQL."""

    def __init__(self, config: StoreConfig) -> None:
        super().__init__(config, WEB_TABLES)
