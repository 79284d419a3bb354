"""`betrokken` commands run in-process on a given store, as an operator or a script runs them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from adapters.config import StoreConfig
from betrokken.cli.main import cli


def run(config: StoreConfig, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """A `betrokken` command on the store, as a script runs it."""
    monkeypatch.setenv("BETROKKEN_DATA_DIR", str(config.data_dir))
    if config.database_url:
        monkeypatch.setenv("BETROKKEN_DATABASE_URL", config.database_url)
    else:
        monkeypatch.delenv("BETROKKEN_DATABASE_URL", raising=False)
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)
