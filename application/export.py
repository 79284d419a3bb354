"""Export the event log as JSON Lines, and import such a file into an empty store.

Each line is one stored event, in log order: what a person reads (position, aggregate_id,
version, type, timestamp, actor, data) and what restores it exactly (topic, the stored `state`
bytes in base64, and the chain link `seal` after it). An import writes the same rows at the
same positions, so the target's chain head equals the source's and its projections come out
the same. The readable `data` leaves personal fields out unless asked for (they stay in
`state`, encrypted under each parent's key, which is all an import needs); docs/export-format.md
describes the format."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterable, Iterator

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from application.history import event_record, jsonable
from application.stored import as_uuid, domain_event
from adapters.personal_data import withhold
from adapters.sealing import GENESIS, SealedRecorder, StoredRecord, next_link

BATCH = 1000
# Version 2: `data` leaves personal fields out (listed in `withheld`) unless the export was made
# with them, which `personal_data` says on every line. Version 1 always had them in clear.
FORMAT = "betrokken-events/2"
# What an import reads (position, aggregate_id, version, topic, state, seal) is the same in
# every version; a line without `format` (written by hand) is read as version 1.
READABLE_FORMATS = frozenset({None, "betrokken-events/1", FORMAT})


class ImportRefusedError(Exception):
    """The import was refused before anything was written (a store not empty, a damaged file)."""


@dataclass(frozen=True)
class ImportResult:
    """How many events were imported, and the chain head they end in."""

    events: int
    head: str | None


def export_line(
    app: Application, record: StoredRecord, seal: bytes | None, with_data: bool = True, personal_data: bool = False,
) -> dict[str, Any]:
    """One stored event as a line of the export: the decoded `data` without its personal fields
    (with them when `personal_data`, none at all unless `with_data`); `state` keeps them
    encrypted as stored."""
    line: dict[str, Any] = {
        "position": record.position,
        "aggregate_id": str(as_uuid(record.originator_id) or record.originator_id),
        "version": record.originator_version,
        "type": record.topic.partition(":")[2] or record.topic,
        "topic": record.topic,
    }
    try:
        event = app.mapper.to_domain_event(
            Notification(
                id=record.position,
                originator_id=as_uuid(record.originator_id) or record.originator_id,
                originator_version=record.originator_version,
                topic=record.topic,
                state=record.state,
            )
        )
    except Exception as e:  # an event this code can no longer read is still exported faithfully
        line.update(timestamp=None, actor=None, data=None, unreadable=f"{type(e).__name__}: {e}")
    else:
        readable = event_record(domain_event(event))
        line.update(type=readable["type"], timestamp=readable["timestamp"], actor=readable["actor"])
        if with_data:
            line["data"] = readable["data"]
            withheld = [] if personal_data else withhold(record.topic, line["data"])
            if withheld:
                line["withheld"] = withheld
    line["personal_data"] = personal_data and with_data
    line["state"] = base64.b64encode(record.state).decode("ascii")
    if seal is not None:  # an event stored without its seal is exported without one
        line["seal"] = seal.hex()
    line["format"] = FORMAT
    return line


def export_events(app: Application, out: IO[str], with_data: bool = True, personal_data: bool = False) -> int:
    """Write every stored event to `out` as JSON Lines, in log order; the number written
    (personal data in clear only when `personal_data`)."""
    recorder = app.recorder
    assert isinstance(recorder, SealedRecorder)
    # The seals as stored, not recomputed: an export of an altered log shows the alteration
    # (import and the reference verifier refuse it) instead of carrying fresh, matching seals.
    seals, count = recorder.iter_seals(), 0
    seal = next(seals, None)
    for record in recorder.iter_records():
        while seal is not None and seal.position < record.position:
            seal = next(seals, None)
        own = seal.digest if seal is not None and seal.position == record.position else None
        out.write(json.dumps(export_line(app, record, own, with_data, personal_data), ensure_ascii=False, default=jsonable) + "\n")
        count += 1
    return count


def read_records(lines: Iterable[str]) -> Iterator[tuple[StoredRecord, bytes | None]]:
    """The stored rows in an export file, each with the seal it claims."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            if line.get("format") not in READABLE_FORMATS:
                raise ValueError(f"format {line.get('format')!r} is not one this version reads")
            record = StoredRecord(
                position=int(line["position"]),
                originator_id=as_uuid(str(line["aggregate_id"])) or str(line["aggregate_id"]),
                originator_version=int(line["version"]),
                topic=str(line["topic"]),
                state=base64.b64decode(line["state"], validate=True),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ImportRefusedError(f"line {number} is not an exported event: {e}") from None
        seal = line.get("seal")
        yield record, bytes.fromhex(seal) if seal else None


def check_file(open_lines: Callable[[], Iterable[str]]) -> int:
    """Refuse a file whose events are out of order or do not match the seals it carries."""
    link, last, count = GENESIS, 0, 0
    for record, seal in read_records(open_lines()):
        if record.position <= last:
            raise ImportRefusedError(f"position {record.position} comes after {last}: the file is out of order")
        link = next_link(link, record)
        if seal is None:
            raise ImportRefusedError(f"the event at position {record.position} carries no seal: the store it came from had lost it")
        if seal != link:
            raise ImportRefusedError(f"the event at position {record.position} does not match its seal: the file was altered")
        last, count = record.position, count + 1
    return count


def import_events(
    app: Application,
    open_lines: Callable[[], Iterable[str]],
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import an export file into an empty store, in batches, at the same positions."""
    recorder = app.recorder
    assert isinstance(recorder, SealedRecorder)
    if not recorder.is_empty():
        raise ImportRefusedError("the store already holds events: import only into an empty store")
    check_file(open_lines)
    pending: list[StoredRecord] = []
    count = 0
    for record, _ in read_records(open_lines()):
        pending.append(record)
        if len(pending) >= batch:
            recorder.import_records(pending)
            count += len(pending)
            if progress:
                progress(len(pending))
            pending = []
    if pending:
        recorder.import_records(pending)
        count += len(pending)
        if progress:
            progress(len(pending))
    head = recorder.head()
    return ImportResult(events=count, head=str(head) if head else None)
