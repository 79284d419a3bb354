"""Eight tablets correcting one session's roll call at once lose nothing."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from application.actor import Actor
from domain.errors import ConcurrentEditError

THREADS, WRITES = 8, 12
STATUSES = ("present", "absent", "excused")


def test_concurrent_roll_call_corrections_on_one_session_lose_nothing(any_api) -> None:  # type: ignore[no-untyped-def]
    service = any_api.service
    staff = Actor(name="staff", role="staff", schools=frozenset({"12AB"}))
    program = service.create_program(school="12AB", name="PACT", kind="pact", starts_on=date(2025, 9, 1), actor=staff)
    parents = []
    for i in range(THREADS):
        p = service.register_parent(school="12AB", name=f"Ouder {i}", actor=staff)
        service.enroll(program.id, parent_id=p.id, enrolled_on=date(2025, 9, 1), actor=staff)
        parents.append(p.id)
    session = service.schedule_session(
        program.id, title="Samen lezen", starts_at=datetime(2025, 9, 8, 19, tzinfo=timezone(timedelta(hours=2))), actor=staff
    )
    accepted: dict[UUID, list[str]] = {p: [] for p in parents}
    failures: list[BaseException] = []
    refused = [0] * THREADS
    start = threading.Barrier(THREADS)

    def tablet(parent_id: UUID, offset: int) -> None:
        try:
            start.wait()
            for n in range(WRITES):
                status = STATUSES[(n + offset) % 3]  # always a different status: each write is a correction
                while True:
                    try:
                        service.take_roll_call(session.id, [(parent_id, status)], actor=Actor(f"tablet-{offset}", "staff", frozenset({"12AB"})))
                        break
                    except ConcurrentEditError:
                        # 409 "reload and retry": refused, nothing recorded; a tablet sends it again.
                        refused[offset] += 1
                accepted[parent_id].append(status)
        except BaseException as e:  # noqa: BLE001
            failures.append(e)

    threads = [threading.Thread(target=tablet, args=(p, i)) for i, p in enumerate(parents)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    assert all(len(v) == WRITES for v in accepted.values())

    final = service.session(session.id)
    assert {p: final.attendance[p] for p in parents} == {p: accepted[p][-1] for p in parents}
    stored = [e for e in service.events.get(session.id) if type(e).__qualname__ == "Session.AttendanceRecorded"]
    for i, p in enumerate(parents):
        mine = [e for e in stored if e.parent_id == p]
        assert [e.status for e in mine] == accepted[p]
        assert {e.actor for e in mine} == {f"tablet-{i}"}
    # exactly one fact per accepted write: a refused attempt left nothing behind
    assert len(stored) == THREADS * WRITES
    # and the HTTP view shows the same
    shown = {r["parent_id"]: r["status"] for r in any_api.get(f"/sessions/{session.id}").json["attendance"]}
    assert shown == {str(p): accepted[p][-1] for p in parents}
