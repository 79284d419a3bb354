"""The weekly cap holds when several processes write to one parent at the same moment: the
mailbox is one aggregate, so their saves conflict and each message is decided again on fresh state."""

from __future__ import annotations

import sys
import textwrap

from adapters.config import StoreConfig
from application.messages import Messages
from betrokken.system import open_service
from tests.helpers.processes import Processes
from tests.helpers.serve import environment
from tests.messages.conftest import populate

WRITERS, EACH = 4, 5
SCRIPT = textwrap.dedent("""
    import sys
    from datetime import datetime
    from uuid import UUID
    from adapters.config import StoreConfig
    from application.messages import Draft, Messages
    from betrokken.system import open_service
    from domain.message import QUIET_TZ

    service = open_service(StoreConfig.from_environ())
    messages = Messages(service, clock=lambda: datetime(2026, 12, 1, 10, tzinfo=QUIET_TZ))
    sys.stdin.readline()  # every writer starts at the same signal
    for _ in range(int(sys.argv[2])):
        messages.write(Draft("informeren", "Tegelijk"), parent_ids=[UUID(sys.argv[1])])
    service.close()
""")


def test_four_processes_writing_at_once_get_exactly_three_messages_through(
    sqlite_store: StoreConfig, processes: Processes,
) -> None:
    service = open_service(sqlite_store)
    try:
        _, (parent, *_) = populate(service, 1)
    finally:
        service.close()
    env = environment(sqlite_store.data_dir)
    writers = [processes.start([sys.executable, "-c", SCRIPT, str(parent), str(EACH)], env=env, stdin=-1, text=True)
               for _ in range(WRITERS)]
    for w in writers:
        w.stdin.write("go\n")  # type: ignore[union-attr]
        w.stdin.flush()  # type: ignore[union-attr]
    assert [w.wait(timeout=120) for w in writers] == [0] * WRITERS
    service = open_service(sqlite_store)
    try:
        statuses = [m.status for m in Messages(service).of_parent(parent)]
    finally:
        service.close()
    assert len(statuses) == WRITERS * EACH
    assert statuses.count("queued") == 3 and statuses.count("suppressed") == WRITERS * EACH - 3
