"""Logging the command line's reads of parents' personal data (adapters/read_log.py): an
aggregate's history or state of a parent, an export with personal data. The CLI user is the
operating-system user running it (the CLI has no sign-in), in the role `cli`."""

from __future__ import annotations

import getpass
from typing import Iterable
from uuid import UUID

from adapters.config import StoreConfig
from adapters.read_log import Read, ReadLog, new_trace, now
from application.programs import ProgramService

AUDIT = "verantwoording en controle"
EXPORT = "export met persoonsgegevens (verhuizing of back-up)"


def cli_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in this environment (a container without passwd)
        return "cli"


def log_cli_reads(service: ProgramService, ids: Iterable[UUID], *, activity: str, purpose: str, channel: str = "cli") -> int:
    """Log a read for each id that is a parent's; how many were logged."""
    service.directory.refresh()
    trace, at, user = new_trace(), now(), cli_user()
    reads = [
        Read(at, user, "cli", str(i), school, channel, activity, purpose, trace)
        for i in ids if (school := service.directory.parents.get(i)) is not None
    ]
    if not reads:
        return 0
    log = ReadLog(StoreConfig.from_environ())
    try:
        return log.append(reads)
    finally:
        log.close()
