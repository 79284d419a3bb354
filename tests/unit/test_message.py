"""The mailbox alone: when a message may leave, the weekly cap, opt-outs, templates, and replay."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4

import pytest

from domain.errors import InvalidMessageError
from domain.message import QUIET_TZ, Mailbox, Recipient, check_template, digest_at, leaves_at

READY = Recipient(erased=False, withdrawn=False, has_email=True, has_phone=True)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=QUIET_TZ)  # 1 December 2026 is a Tuesday


@pytest.mark.parametrize("written, leaves", [
    (at(1, 7, 59), at(1, 8)),
    (at(1, 8), at(1, 8)),
    (at(1, 20, 59), at(1, 20, 59)),
    (at(1, 21), at(2, 8)),
    (at(1, 23, 30), at(2, 8)),
    (at(2, 0, 30), at(2, 8)),
])
def test_quiet_hours_hold_a_message_until_eight(written: datetime, leaves: datetime) -> None:
    assert leaves_at(written) == leaves


def test_quiet_hours_follow_dutch_time_whatever_offset_the_moment_has() -> None:
    utc = datetime(2026, 12, 1, 20, 30, tzinfo=timezone.utc)
    assert leaves_at(utc) == at(2, 8)  # 20:30 UTC is 21:30 in Amsterdam in winter


@pytest.mark.parametrize("written, leaves", [(at(1, 10), at(7, 8)), (at(7, 7), at(7, 8)), (at(7, 8), at(14, 8))])
def test_a_digest_leaves_on_the_next_monday_at_eight(written: datetime, leaves: datetime) -> None:
    assert digest_at(written) == leaves


def mailbox() -> Mailbox:
    return Mailbox(parent_id=uuid4(), school="12AB", actor="test")


def write(box: Mailbox, now: datetime, recipient: Recipient = READY, channel: str | None = None):  # type: ignore[no-untyped-def]
    return box.write(message_id=uuid4(), purpose="informeren", text="Hallo", recipient=recipient,
                     channel=channel, now=now, actor="test")


def test_the_fourth_message_in_any_seven_days_is_suppressed() -> None:
    box = mailbox()
    assert [write(box, at(d, 10)).status for d in (1, 3, 5, 7)] == ["queued", "queued", "queued", "suppressed"]
    assert write(box, at(8, 10, 1)).status == "queued"  # seven days and a minute after the first


def test_a_failed_message_frees_its_place_unless_it_may_have_arrived() -> None:
    box = mailbox()
    first, second, third = (write(box, at(1, 10)) for _ in range(3))
    box.start_sending(first.id, now=at(1, 10), actor="sender")
    box.record_failed(first.id, reason="rejected", now=at(1, 10), actor="sender")
    assert write(box, at(1, 11)).status == "queued"
    box.start_sending(second.id, now=at(1, 12), actor="sender")
    box.record_failed(second.id, reason="unconfirmed", now=at(1, 12), actor="sender")
    assert write(box, at(1, 13)).reason == "weekly_cap"


def test_opting_out_of_email_sends_a_text_instead_and_of_both_suppresses() -> None:
    box = mailbox()
    box.set_opt_out("email", True, actor="test")
    assert write(box, at(1, 10)).channel == "sms"
    box.set_opt_out("sms", True, actor="test")
    assert write(box, at(1, 11)).reason == "opted_out"
    box.set_opt_out("sms", False, actor="test")  # out of e-mail only, no phone: nothing reaches them
    assert write(box, at(1, 12), Recipient(False, False, True, False)).reason == "opted_out"
    assert write(mailbox(), at(1, 12), Recipient(False, False, False, False)).channel == "email"  # fails no_address


def test_erasure_and_withdrawal_come_before_the_cap() -> None:
    box = mailbox()
    assert write(box, at(1, 10), Recipient(True, False, True, True)).reason == "erased"
    assert write(box, at(1, 10), Recipient(False, True, True, True)).reason == "withdrawn"


def test_a_message_starts_sending_once() -> None:
    box = mailbox()
    m = write(box, at(1, 10))
    assert box.start_sending(m.id, now=at(1, 10), actor="sender") == [m.id]
    assert box.start_sending(m.id, now=at(1, 10), actor="sender") == []
    assert box.record_sent(m.id, now=at(1, 10), actor="sender") and not box.record_sent(m.id, now=at(1, 10), actor="s")


@pytest.mark.parametrize("text", ["Beste {voornaam}", "Beste {naam", "{0}", "Beste {naam!r}x{"])
def test_a_template_uses_only_naam_datum_and_plaats(text: str) -> None:
    with pytest.raises(InvalidMessageError):
        check_template(text)
    check_template("Beste {naam}, {datum} in {plaats}; {{accolades}}")


def test_unknown_purposes_and_channels_are_refused() -> None:
    box = mailbox()
    with pytest.raises(InvalidMessageError):
        box.write(message_id=uuid4(), purpose="reclame", text="x", recipient=READY, channel=None, now=at(1, 10), actor="t")
    with pytest.raises(InvalidMessageError):
        box.set_opt_out("fax", True, actor="t")


def test_replay_rebuilds_the_same_mailbox() -> None:
    box = mailbox()
    box.choose_delivery("digest", actor="t")
    for day in (1, 2):
        write(box, at(day, 10))
    box.set_opt_out("sms", True, actor="t")
    events = box.collect_events()
    replayed = None
    for e in events:
        replayed = e.mutate(replayed)
    assert replayed is not None and replayed.messages == box.messages
    assert (replayed.opted_out, replayed.delivery) == ({"sms"}, "digest")
    assert {m.due_at for m in replayed.messages.values()} == {at(7, 8)}  # both in Monday's digest


@pytest.mark.parametrize("typed, code", [("Turks", "tr"), (" tr ", "tr"), ("Turkish", "tr"), ("Marokkaans", "ar"),
                                         ("", "nl"), (None, "nl"), ("Nederlands", "nl"), ("Klingon", "klingon")])
def test_a_home_language_as_typed_becomes_one_code(typed: str | None, code: str) -> None:
    from domain.languages import language_code

    assert language_code(typed) == code
