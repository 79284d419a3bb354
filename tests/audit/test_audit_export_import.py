"""Export to JSON Lines and import into an empty store: same positions, same chain head."""

from __future__ import annotations

import io
import json

import pytest

from application.export import ImportRefusedError, export_events, import_events
from betrokken.system import open_service
from application.history import History
from adapters.verification import verify


def exported(service, with_data: bool = True) -> str:
    out = io.StringIO()
    export_events(service, out, with_data)
    return out.getvalue()


def lines_of(text: str):
    return lambda: io.StringIO(text)


def states(service, ids) -> list[dict]:
    history = History(service)
    return [history.state_at(i) for i in ids]


def test_each_line_is_one_readable_stored_event_in_log_order(story):
    lines = [json.loads(line) for line in exported(story.service).splitlines()]
    assert [line["position"] for line in lines] == list(range(1, 8))
    roll_call = lines[5]
    assert roll_call["type"] == "Session.AttendanceRecorded"
    assert roll_call["aggregate_id"] == str(story.session_id)
    assert roll_call["version"] == 3
    assert roll_call["actor"] == "system"
    assert roll_call["data"] == {"parent_id": str(story.parent_id), "status": "present"}
    assert roll_call["topic"] == "domain.session:Session.AttendanceRecorded"
    assert lines[-1]["seal"] == story.service.recorder.head().digest.hex()


def test_export_without_data_leaves_the_personal_data_out(story):
    out = io.StringIO()
    export_events(story.service, out, with_data=False)
    assert "Fatima" not in out.getvalue()
    assert all("data" not in json.loads(line) for line in out.getvalue().splitlines())


@pytest.mark.postgres
def test_sqlite_to_postgres_and_back_keeps_positions_chain_head_and_states(sqlite_store, postgres_store, tmp_path):
    from dataclasses import replace

    source = open_service(sqlite_store)
    program = source.create_program(school="12AB", name="Pittige Jaren", kind="pittige_jaren", starts_on=__import__("datetime").date(2026, 1, 5))
    parent = source.register_parent(school="12AB", name="Sara", children=[("Lina", 2)])
    source.enroll(program.id, parent_id=parent.id)
    source.withdraw(program.id, parent_id=parent.id, reason="verhuisd")
    text = exported(source)
    head = source.recorder.head()

    target = open_service(postgres_store)
    result = import_events(target, lines_of(text), batch=2)
    assert result.events == 4 and result.head == str(head)
    assert target.recorder.head() == head
    assert verify(target.recorder).intact
    # Personal fields are encrypted with the parent's key, which lives in the key store, not in
    # the log: without moving the keys, the target reads them as unreadable ("onleesbaar", not
    # "gewist": nothing was erased); all else is equal.
    imported, original = states(target, [program.id])[0], states(source, [program.id])[0]
    withdrawn = lambda s: s["state"]["enrolments"][str(parent.id)][0]  # noqa: E731
    assert withdrawn(original)["reason"] == "verhuisd" and withdrawn(imported)["reason"] == "onleesbaar"
    withdrawn(imported)["reason"] = "verhuisd"
    assert imported == original
    assert exported(target, with_data=False) == exported(source, with_data=False)

    # The imported store goes on from where the source stopped.
    target.register_parent(school="12AB", name="Ahmed", children=[])
    assert target.recorder.max_notification_id() == 5
    assert verify(target.recorder, head).intact

    back = open_service(replace(sqlite_store, data_dir=tmp_path / "back"))
    import_events(back, lines_of(exported(target)))
    assert back.recorder.head() == target.recorder.head()
    assert verify(back.recorder).intact
    for svc in (source, target, back):
        svc.close()


def test_import_keeps_gaps_in_positions(sqlite_store, tmp_path, story):
    from dataclasses import replace

    from adapters.sealing import GENESIS, next_link
    from application.export import read_records

    moved, link = [], GENESIS
    for line, (record, _) in zip(exported(story.service).splitlines(), read_records(exported(story.service).splitlines())):
        record = replace(record, position=record.position * 10)
        link = next_link(link, record)  # a file from a store with gaps carries its own seals
        moved.append({**json.loads(line), "position": record.position, "seal": link.hex()})
    text = "".join(json.dumps(line) + "\n" for line in moved)
    target = open_service(replace(sqlite_store, data_dir=tmp_path / "gappy"))
    import_events(target, lines_of(text), batch=3)
    assert [r.position for r in target.recorder.iter_records()] == [10 * i for i in range(1, 8)]
    assert verify(target.recorder).intact
    target.close()


def test_import_into_a_store_with_events_is_refused(story):
    with pytest.raises(ImportRefusedError, match="empty store"):
        import_events(story.service, lines_of(exported(story.service)))


def test_an_altered_export_is_refused_before_anything_is_written(sqlite_store, tmp_path, story, store):
    lines = [json.loads(line) for line in exported(story.service).splitlines()]
    lines[2]["version"] = 7
    text = "".join(json.dumps(line) + "\n" for line in lines)
    from dataclasses import replace

    target = open_service(replace(sqlite_store, data_dir=tmp_path / "altered"))
    with pytest.raises(ImportRefusedError, match="position 3"):
        import_events(target, lines_of(text))
    assert target.recorder.is_empty()
    target.close()


def test_by_default_an_export_withholds_the_personal_fields_and_keeps_the_rest_readable(story):
    lines = [json.loads(line) for line in exported(story.service).splitlines()]
    text = json.dumps(lines)
    assert "Fatima" not in text and "Yusuf" not in text and "Jan" not in text
    registered = lines[1]
    assert registered["type"] == "Parent.Registered" and registered["personal_data"] is False
    assert registered["withheld"] == ["name", "children.name"]
    assert registered["data"]["school"] == "12AB" and registered["data"]["children"][0]["group"] == 3
    assert all(line["format"] == "betrokken-events/2" for line in lines)


def test_an_export_with_personal_data_shows_it_and_says_so_on_every_line(story):
    lines = [json.loads(line) for line in exported_with_personal_data(story.service).splitlines()]
    assert all(line["personal_data"] is True and "withheld" not in line for line in lines)
    assert lines[1]["data"]["name"] == "Fatima" and lines[1]["data"]["children"][0]["name"] == "Yusuf"


def exported_with_personal_data(service) -> str:
    out = io.StringIO()
    export_events(service, out, personal_data=True)
    return out.getvalue()


def test_import_reads_version_1_exports_and_refuses_an_unknown_format(sqlite_store, tmp_path, story):
    from dataclasses import replace

    lines = [json.loads(line) for line in exported_with_personal_data(story.service).splitlines()]
    version_1 = "".join(json.dumps({**line, "format": "betrokken-events/1"}) + "\n" for line in lines)
    target = open_service(replace(sqlite_store, data_dir=tmp_path / "from-v1"))
    assert import_events(target, lines_of(version_1)).head == str(story.service.recorder.head())
    target.close()

    unknown = "".join(json.dumps({**line, "format": "betrokken-events/9"}) + "\n" for line in lines)
    other = open_service(replace(sqlite_store, data_dir=tmp_path / "from-v9"))
    with pytest.raises(ImportRefusedError, match="line 1 .*betrokken-events/9"):
        import_events(other, lines_of(unknown))
    assert other.recorder.is_empty()
    other.close()


def test_an_export_of_an_altered_store_carries_the_stored_seals_and_is_refused(sqlite_store, tmp_path, story, store, raw):
    """The export copies the seals the store holds: an event edited in the store, or stored
    without its seal, shows in the file, and import refuses it."""
    from dataclasses import replace

    state = bytearray(raw.state(3))
    state[len(state) // 2] ^= 0x01
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", bytes(state), 3)
    stored = {s.position: s.digest.hex() for s in story.service.recorder.iter_seals()}
    lines = [json.loads(line) for line in exported(story.service).splitlines()]
    assert {line["position"]: line["seal"] for line in lines} == stored
    target = open_service(replace(sqlite_store, data_dir=tmp_path / "altered"))
    with pytest.raises(ImportRefusedError, match="position 3 does not match its seal"):
        import_events(target, lines_of(exported(story.service)))
    raw.sql(f"DELETE FROM {raw.seals} WHERE position = ?", 5)
    lines = [json.loads(line) for line in exported(story.service).splitlines()]
    assert "seal" not in lines[4] and all("seal" in line for i, line in enumerate(lines) if i != 4)
    assert target.recorder.is_empty()
    target.close()
