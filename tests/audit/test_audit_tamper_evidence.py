"""The hash chain shows every kind of edit to the stored log, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from betrokken.system import open_service
from adapters.sealing import GENESIS, Seal, SealError, StoredRecord, next_link
from adapters.verification import verify


def flip_a_bit(raw, position: int) -> None:
    state = bytearray(raw.state(position))
    state[len(state) // 2] ^= 0x01
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", bytes(state), position)


def test_an_untouched_log_is_intact_and_its_head_is_the_last_link(story, service):
    verdict = verify(service.recorder)
    assert verdict.intact, verdict
    assert verdict.events == 7
    assert service.recorder.head() == verdict.head
    assert verdict.head.position == service.recorder.max_notification_id()


def test_the_chain_is_sha256_over_the_stored_rows_in_log_order(story, service):
    link = GENESIS
    for record in service.recorder.iter_records():
        link = next_link(link, record)
    assert link == service.recorder.head().digest


def test_a_flipped_bit_in_a_stored_event_is_found_at_its_position(story, service, raw):
    flip_a_bit(raw, 3)
    verdict = verify(service.recorder)
    assert not verdict.intact
    assert verdict.first_bad_position == 3


def test_a_deleted_event_is_found_at_its_position(story, service, raw):
    raw.sql(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", 4)
    verdict = verify(service.recorder)
    assert (verdict.intact, verdict.first_bad_position) == (False, 4)


def test_an_inserted_event_is_found_at_its_position(story, service, raw):
    last = service.recorder.max_notification_id()
    oid, _, topic, state = raw.sql(f"SELECT originator_id, originator_version, topic, state FROM {raw.events} WHERE {raw.position} = ?", last)[0]
    raw.sql(f"INSERT INTO {raw.events} ({raw.position}, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
            last + 1, oid, 99, topic, state)
    verdict = verify(service.recorder)
    assert (verdict.intact, verdict.first_bad_position) == (False, last + 1)


def test_an_event_inserted_into_a_gap_is_found_there(story, service, raw):
    # Move the last event one place on, leaving a gap, then fill the gap with a made-up event.
    last = service.recorder.max_notification_id()
    raw.sql(f"UPDATE {raw.events} SET {raw.position} = ? WHERE {raw.position} = ?", last + 1, last)
    raw.sql(f"UPDATE {raw.seals} SET position = ? WHERE position = ?", last + 1, last)
    verdict = verify(service.recorder)
    assert (verdict.intact, verdict.first_bad_position) == (False, last + 1)


def test_reordered_events_are_found_at_the_first_moved_position(story, service, raw):
    raw.sql(f"UPDATE {raw.events} SET {raw.position} = 1000 WHERE {raw.position} = 2")
    raw.sql(f"UPDATE {raw.events} SET {raw.position} = 2 WHERE {raw.position} = 3")
    raw.sql(f"UPDATE {raw.events} SET {raw.position} = 3 WHERE {raw.position} = 1000")
    verdict = verify(service.recorder)
    assert (verdict.intact, verdict.first_bad_position) == (False, 2)


def test_a_log_rewritten_with_fresh_seals_no_longer_extends_a_kept_digest(story, service, raw):
    kept = service.recorder.head()
    flip_a_bit(raw, 2)
    # The forger recomputes every seal, so the chain alone looks intact ...
    link = GENESIS
    for record in service.recorder.iter_records():
        link = next_link(link, record)
        raw.sql(f"UPDATE {raw.seals} SET digest = ? WHERE position = ?", link, record.position)
    assert verify(service.recorder).intact
    # ... but it no longer extends the digest the auditors kept.
    verdict = verify(service.recorder, kept)
    assert (verdict.intact, verdict.first_bad_position) == (False, kept.position)


def test_cutting_off_the_tail_with_its_seals_breaks_a_kept_digest(story, service, raw):
    kept = service.recorder.head()
    raw.sql(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", kept.position)
    raw.sql(f"DELETE FROM {raw.seals} WHERE position = ?", kept.position)
    assert verify(service.recorder).intact
    verdict = verify(service.recorder, kept)
    assert (verdict.intact, verdict.first_bad_position) == (False, kept.position)


def test_the_log_keeps_extending_a_kept_digest_as_events_are_added(story, service):
    kept = service.recorder.head()
    service.register_parent(school="12AB", name="Noor", children=[("Sem", 5)])
    assert verify(service.recorder, kept).intact
    assert not verify(service.recorder, Seal(kept.position, bytes(32))).intact


def test_writers_in_parallel_still_make_one_unbroken_chain(store, story):
    # One service each (its own connections), opened one after another: PostgreSQL's
    # CREATE OR REPLACE FUNCTION at start-up does not like racing itself.
    services = [open_service(store) for _ in range(4)]

    def write(n: int) -> None:
        svc = services[n]
        for i in range(15):
            parent = svc.register_parent(school="12AB", name=f"Ouder {n}.{i}", children=[("Kind", 4)])
            svc.enroll(story.program_id, parent_id=parent.id)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for svc in services:
        svc.close()
    verdict = verify(story.service.recorder)
    assert verdict.intact, verdict
    assert verdict.events == 7 + 4 * 15 * 2


def test_canonical_form_does_not_let_fields_run_into_each_other():
    a = StoredRecord(1, "ab", 1, "t:x", b"c")
    b = StoredRecord(1, "a", 1, "bt:x", b"c")
    assert next_link(GENESIS, a) != next_link(GENESIS, b)


def test_a_save_that_cannot_be_sealed_records_nothing(story, service, raw):
    """A seal already standing beyond the log's end (a log cut back by hand) makes the next save
    unsealable: it is refused and writes neither the event nor a seal, on either back end."""
    last = service.recorder.max_notification_id()
    head = service.recorder.head()
    raw.sql(f"INSERT INTO {raw.seals} (position, digest) VALUES (?, ?)", last + 1000, head.digest)
    events, seals = (raw.sql(f"SELECT COUNT(*) FROM {t}")[0][0] for t in (raw.events, raw.seals))
    with pytest.raises(SealError):
        story.service.register_parent(school="12AB", name="Noor", children=[])
    assert service.recorder.max_notification_id() == last
    assert [raw.sql(f"SELECT COUNT(*) FROM {t}")[0][0] for t in (raw.events, raw.seals)] == [events, seals]
    # The refusal left the store usable: with the stray seal gone, the next save is sealed.
    raw.sql(f"DELETE FROM {raw.seals} WHERE position = ?", last + 1000)
    story.service.register_parent(school="12AB", name="Noor", children=[])
    assert verify(service.recorder).intact
