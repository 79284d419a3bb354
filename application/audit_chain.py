"""The sealed log as a scoped auditor may download it: every position with its seal, and either
the stored event (in the auditor's schools) or only the SHA-256 of its record (outside them).

An auditor recomputes the link of every event they are shown from the seal before it, follows
the seals to the head `betrokken audit digest` prints, and sees nothing of another school's
events but their positions, seals and record digests. docs/audit-chain.md ("Verifying over HTTP
with a limited scope") says what that proves and what it does not."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from uuid import UUID

from adapters.sealing import Seal, SealedRecorder, StoredRecord, canonical_bytes
from application.audit import NotSealedError
from application.programs import ProgramService
from application.stored import as_uuid


@dataclass(frozen=True)
class ChainEvent:
    """The stored event as the chain hashes it: id (UUID with dashes), version, topic, state (base64)."""

    aggregate_id: str
    version: int
    topic: str
    state: str


@dataclass(frozen=True)
class ChainEntry:
    """One position of the log: its seal (None if it has none) and the event or its record's digest."""

    position: int
    seal: str | None
    event: ChainEvent | None = None
    content_digest: str | None = None


@dataclass(frozen=True)
class ChainPage:
    """A page of the chain; `next` is the position to continue after, None at the end."""

    items: list[ChainEntry]
    next: int | None


class AuditChain:
    """The programme service's sealed log, position by position, for one caller's schools."""

    def __init__(self, service: ProgramService) -> None:
        recorder = service.recorder
        if not isinstance(recorder, SealedRecorder):
            raise NotSealedError("this store is not configured with the sealing recorder")
        self.service, self.recorder = service, recorder

    def page(self, after: int, limit: int, schools: frozenset[str] | None = None) -> ChainPage:
        """Up to `limit` positions after `after`, each with its seal and its event or digest."""
        records, seals = self._read(max(after, 0), limit)
        by_position = {r.position: r for r in records}
        sealed = {s.position: s.digest.hex() for s in seals}
        positions = sorted(by_position.keys() | sealed.keys())
        # Read after the records, so the directory knows every aggregate created in this page.
        school_of = self.service.directory.school_of_each() if schools is not None else {}
        items = []
        for position in positions[:limit]:
            record = by_position.get(position)
            if record is None:  # a seal without its event: shown as it is, for the verifier to name
                items.append(ChainEntry(position, sealed[position]))
                continue
            uid = as_uuid(record.originator_id)
            if schools is None or (uid is not None and school_of.get(uid) in schools):
                items.append(ChainEntry(position, sealed.get(position), event=self._event(record, uid)))
            else:
                digest = hashlib.sha256(canonical_bytes(record)).hexdigest()
                items.append(ChainEntry(position, sealed.get(position), content_digest=digest))
        more = len(positions) > limit
        return ChainPage(items=items, next=items[-1].position if more else None)

    def _read(self, after: int, limit: int) -> tuple[list[StoredRecord], list[Seal]]:
        """The first `limit` + 1 events and seals after `after`, read so that they match.

        An event and its seal are committed together, but they are read in two queries: seals
        read second may belong to events written in between, so those events are read again
        (and nothing beyond the last seal read, whose seal was not read)."""
        records = self.recorder.select_records(after, limit + 1)
        seals = self.recorder.select_seals(after, limit + 1)
        last = records[-1].position if records else after
        if len(records) <= limit and seals and seals[-1].position > last:
            newer = self.recorder.select_records(last, limit + 1 - len(records))
            records += [r for r in newer if r.position <= seals[-1].position]
        return records, seals

    @staticmethod
    def _event(record: StoredRecord, uid: UUID | None) -> ChainEvent:
        return ChainEvent(
            aggregate_id=str(uid) if uid else str(record.originator_id),
            version=record.originator_version,
            topic=record.topic,
            state=base64.b64encode(record.state).decode("ascii"),
        )
