"""A stored event edited by hand into TEXT (as SQL's replace() does) is reported, not a crash."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from betrokken.system import open_service
from betrokken.cli.main import cli


def test_an_event_rewritten_as_text_is_named_by_verify(sqlite_store):
    svc = open_service(sqlite_store)
    program = svc.create_program(school="12AB", name="PACT", kind="pact", starts_on=__import__("datetime").date(2026, 9, 1))
    svc.create_program(school="12AB", name="Pittige Jaren", kind="pittige_jaren", starts_on=program.starts_on)
    svc.close()
    env = {"BETROKKEN_DATA_DIR": str(sqlite_store.data_dir), "BETROKKEN_DATABASE_URL": ""}
    assert CliRunner().invoke(cli, ["audit", "verify"], env=env).exit_code == 0
    with sqlite3.connect(sqlite_store.data_dir / "events.sqlite") as c:
        c.execute("UPDATE stored_events SET state = replace(state, 'PACT', 'PACX') WHERE rowid = 1")
    result = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert result.exit_code != 0 and "first bad position: 1" in result.output
