"""The `betrokken` console script: a Click group; each command lives in its own module."""

from __future__ import annotations

import importlib

import click

# Each module exposes a click command or group called `command`.
COMMAND_MODULES: tuple[str, ...] = (
    "demo", "audit", "events", "keys", "users", "serve", "projections", "query", "parents", "messages", "privacy",
    "schools", "evaluate", "trial",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Betrokken: run parental-engagement programmes, audit them, analyse them.

    The store is BETROKKEN_DATA_DIR (default ./instance, SQLite) or BETROKKEN_DATABASE_URL
    (postgresql://...)."""


for _name in COMMAND_MODULES:
    cli.add_command(importlib.import_module(f"betrokken.cli.{_name}").command)
