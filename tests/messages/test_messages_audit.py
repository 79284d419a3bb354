"""Messages and the auditors' tools: the projections rebuild to the same rows, and an export
without personal data carries no message text."""

from __future__ import annotations

import io

from application.export import export_events
from application.messages import Draft
from betrokken.replay_check import replay_check
from tests.messages.conftest import World


def write_and_send(world: World) -> None:
    world.messages.choose_delivery(world.parents[2], "digest")
    for day in (1, 2, 3, 4):
        world.clock.set(2026, 12, day, 10 if day % 2 else 22, 0)
        world.messages.write(Draft("aanmoedigen", "Goed bezig, {naam}!"), program_id=world.program_id)
        world.send_due()
    world.clock.set(2026, 12, 7, 8, 0)
    world.send_due()


def test_the_replay_check_finds_the_message_projections_identical_to_a_rebuild(world: World) -> None:
    write_and_send(world)
    world.projections.catch_up()
    counted = world.projections.db.query("SELECT COUNT(*), SUM(written) FROM message_weeks")
    assert counted[0][1] == 12  # 4 messages x 3 parents, suppressed ones included
    report = replay_check(world.config, world.service)
    assert report.identical, report.diffs


def test_an_export_without_personal_data_carries_no_message_text(world: World) -> None:
    write_and_send(world)
    without, with_data = io.StringIO(), io.StringIO()
    export_events(world.service, without)
    export_events(world.service, with_data, personal_data=True)
    assert "Goed bezig" not in without.getvalue()
    assert "Goed bezig, Ouder 0!" in with_data.getvalue()
