"""A parent's choice of a weekly digest: every message of the week in one e-mail on Monday 08:00,
counted as one message towards the weekly cap."""

from __future__ import annotations

from application.messages import Draft
from tests.messages.conftest import World


def test_a_digest_parent_gets_the_weeks_messages_in_one_mail_on_monday_morning(world: World) -> None:
    parent = world.parents[0]
    world.messages.choose_delivery(parent, "digest")
    for day, text in ((1, "Dinsdag: {naam}, lees samen"), (2, "Woensdag: toets"), (3, "Donderdag: goed bezig"),
                      (4, "Vrijdag: bijeenkomst")):
        world.clock.set(2026, 12, day, 10, 0)  # Tuesday 1 December 2026 onwards
        outcome = world.messages.write(Draft("informeren", text), parent_ids=[parent])
        assert outcome.queued == [parent]  # four in a week: one digest, within the cap
    world.clock.set(2026, 12, 7, 7, 59)  # Monday, before eight
    assert world.send_due().sent == 0
    world.clock.set(2026, 12, 7, 8, 0)
    world.send_due()
    [mail] = world.inbox.received
    body = mail.get_payload()
    assert [line for line in body.splitlines() if line and line != "---"] == [
        "Dinsdag: Ouder 0, lees samen", "Woensdag: toets", "Donderdag: goed bezig", "Vrijdag: bijeenkomst",
    ]
    assert mail["Subject"] == "Berichten van school deze week" and mail["Message-ID"].startswith("<digest-")
    assert {m.status for m in world.messages.of_parent(parent)} == {"sent"}
    world.send_due()
    assert len(world.inbox.received) == 1


def test_a_digest_counts_as_one_towards_the_weekly_cap(world: World) -> None:
    parent = world.parents[0]
    world.clock.set(2026, 12, 7, 9, 0)  # Monday
    for _ in range(2):
        assert world.messages.write(Draft("informeren", "Los bericht"), parent_ids=[parent]).queued == [parent]
    world.messages.choose_delivery(parent, "digest")
    for _ in range(3):  # all in next Monday's digest: one place in the week
        assert world.messages.write(Draft("informeren", "In de bundel"), parent_ids=[parent]).queued == [parent]
    world.messages.choose_delivery(parent, "each")
    world.clock.set(2026, 12, 9, 9, 0)  # two loose ones and a digest within seven days: the cap is reached
    assert world.messages.write(Draft("informeren", "Te veel"), parent_ids=[parent]).suppressed == [(parent, "weekly_cap")]
