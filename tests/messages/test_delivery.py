"""Done when: the SMTP server receives exactly what the cap, quiet hours and opt-outs allow."""

from __future__ import annotations

from datetime import date

from application.messages import Draft
from domain.message import header_id
from tests.messages.conftest import World


def test_the_fourth_message_within_seven_days_is_suppressed_and_never_reaches_the_server(world: World) -> None:
    parent = world.parents[0]
    for day in (1, 3, 5):
        world.clock.set(2026, 12, day, 10, 0)
        outcome = world.messages.write(Draft("aanmoedigen", "Goed bezig, {naam}!"), parent_ids=[parent])
        assert outcome.queued == [parent]
        world.send_due()
    world.clock.set(2026, 12, 7, 10, 0)  # within 7 days of the first
    outcome = world.messages.write(Draft("informeren", "Nog een bericht"), parent_ids=[parent])
    assert outcome.queued == [] and outcome.suppressed == [(parent, "weekly_cap")]
    world.send_due()
    assert world.inbox.to() == ["ouder0@example.nl"] * 3
    world.clock.set(2026, 12, 8, 10, 1)  # the first one is out of the rolling week now
    assert world.messages.write(Draft("informeren", "Weer ruimte"), parent_ids=[parent]).queued == [parent]
    world.send_due()
    assert len(world.inbox.received) == 4
    statuses = [m.status for m in world.messages.of_parent(parent)]
    assert sorted(statuses) == ["sent"] * 4 + ["suppressed"]


def test_a_message_written_at_ten_in_the_evening_leaves_at_eight_in_the_morning(world: World) -> None:
    world.clock.set(2026, 12, 1, 22, 0)
    outcome = world.messages.write(Draft("herinnering", "Morgen bijeenkomst, {naam}"), parent_ids=[world.parents[0]])
    assert outcome.queued == [world.parents[0]]
    assert world.send_due().sent == 0
    world.clock.set(2026, 12, 2, 7, 59)
    assert world.send_due().sent == 0
    assert world.inbox.received == []
    world.clock.set(2026, 12, 2, 8, 0)
    assert world.send_due().sent == 1
    [mail] = world.inbox.received
    assert mail["Message-ID"] == header_id(outcome.message_ids[world.parents[0]])
    assert mail.get_payload().strip() == "Morgen bijeenkomst, Ouder 0"
    [message] = world.messages.of_parent(world.parents[0])
    assert message.status == "sent" and message.sent_at is not None and message.sent_at.hour == 8


def test_an_opted_out_parent_gets_nothing_and_the_reason_is_recorded(world: World) -> None:
    world.messages.set_opt_out(world.parents[2], "email", True)
    outcome = world.messages.write(Draft("informeren", "Beste {naam}"), program_id=world.program_id)
    assert sorted(outcome.queued) == sorted(world.parents[:2])
    assert outcome.suppressed == [(world.parents[2], "opted_out")]
    world.send_due()
    assert sorted(world.inbox.to()) == ["ouder0@example.nl", "ouder1@example.nl"]


def test_the_parents_language_comes_first_with_dutch_as_the_fallback(world: World) -> None:
    draft = Draft("herinnering", "Beste {naam}, tot {datum} in {plaats}",
                  translations={"TR ": "Sayın {naam}, {datum} {plaats}"}, on=date(2026, 12, 3), place="de aula")
    world.messages.write(draft, parent_ids=world.parents[:2])
    world.send_due()
    texts = {str(m["To"]): m.get_payload().strip() for m in world.inbox.received}
    assert texts["ouder0@example.nl"] == "Beste Ouder 0, tot donderdag 3 december 2026 in de aula"
    assert texts["ouder1@example.nl"].startswith("Sayın Ouder 1, 3 Aralık 2026 Perşembe")


def test_a_withdrawn_or_erased_parent_gets_nothing(world: World) -> None:
    world.service.withdraw(world.program_id, parent_id=world.parents[0], reason="verhuisd")
    world.service.erase_parent(world.parents[1], reason="verzoek van ouder")
    outcome = world.messages.write(Draft("informeren", "Beste {naam}"), program_id=world.program_id)
    assert outcome.queued == [world.parents[2]]
    assert sorted(outcome.suppressed) == sorted([(world.parents[0], "withdrawn"), (world.parents[1], "erased")])
    world.send_due()
    assert world.inbox.to() == ["ouder2@example.nl"]


def test_after_an_erasure_the_text_of_a_message_reads_gewist(world: World) -> None:
    world.messages.write(Draft("informeren", "Beste {naam}"), parent_ids=[world.parents[0]])
    assert world.messages.of_parent(world.parents[0])[0].text == "Beste Ouder 0"
    world.service.erase_parent(world.parents[0], reason="verzoek van ouder")
    assert world.messages.of_parent(world.parents[0])[0].text == "gewist"
    world.send_due()  # a queued message to a parent erased since is not sent
    assert world.inbox.received == []
    assert world.messages.of_parent(world.parents[0])[0].status == "failed"


def test_a_preview_says_who_the_cap_holds_back_and_records_nothing(world: World) -> None:
    for _ in range(3):
        world.messages.write(Draft("informeren", "Hallo"), parent_ids=[world.parents[0]])
    head = world.projections.head()
    preview = world.messages.write(Draft("informeren", "Hallo"), program_id=world.program_id, preview=True)
    assert preview.suppressed == [(world.parents[0], "weekly_cap")] and len(preview.queued) == 2
    assert world.projections.head() == head


def test_a_message_that_failed_is_listed_among_the_failed_ones_of_its_school(world: World) -> None:
    from projections import messages as message_view

    texting = world.service.register_parent(school="12AB", name="Sms ouder", phone="0612345678").id
    world.messages.write(Draft("informeren", "Hallo", channel="sms"), parent_ids=[texting])  # no SMS provider
    world.send_due()
    world.projections.catch_up()
    [failed] = message_view.failed(world.projections.db, frozenset({"12AB"}))
    assert (failed["parent_id"], failed["reason"], failed["channel"]) == (str(texting), "no_sms_provider", "sms")
    assert message_view.failed(world.projections.db, frozenset({"34CD"})) == []


def test_a_parent_without_an_address_is_queued_and_the_delivery_fails_no_address(world: World) -> None:
    quiet = world.service.register_parent(school="12AB", name="Zonder adres").id
    assert world.messages.write(Draft("informeren", "Hallo"), parent_ids=[quiet]).queued == [quiet]
    assert world.send_due().failed == 1
    [message] = world.messages.of_parent(quiet)
    assert (message.status, message.reason) == ("failed", "no_address")
    assert world.inbox.received == []


def test_a_failed_message_is_on_the_coordinators_to_do_list_of_its_school_only(world: World) -> None:
    from projections import todo

    quiet = world.service.register_parent(school="12AB", name="Zonder adres").id
    world.messages.write(Draft("herinnering", "Morgen bijeenkomst"), parent_ids=[quiet])
    world.send_due()
    world.projections.catch_up()
    now = world.clock()
    [line] = todo.read(world.projections.db, frozenset({"12AB"}), now)["failed_messages"]
    assert (line["parent_id"], line["reason"], line["purpose"]) == (str(quiet), "no_address", "herinnering")
    assert todo.read(world.projections.db, frozenset({"34CD"}), now)["failed_messages"] == []
