"""The web layer's own small tables (sessions, sign-in throttling) on the configured store:
`web.sqlite` in the data directory, or tables prefixed `betrokken_` beside the events.
Sessions and counters may lose their last commit in a power cut (synchronous=NORMAL); a deleted
session's data is overwritten. Times are DOUBLE PRECISION epoch seconds on both engines."""

from __future__ import annotations

from adapters.config import StoreConfig
from adapters.side_store import SideStore, Tables

WEB_FILE = "web.sqlite"

WEB_TABLES = Tables(
    file=WEB_FILE, pool_size=10, secure_delete=True, durable=False,
    schema=(
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
