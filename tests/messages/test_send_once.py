"""Done when: SIGKILL of the sender between the mail server's acceptance and its record, 20 times,
sends nothing twice (the test counts what a real SMTP server on loopback received).

Deterministic, not timed: `BETROKKEN_TEST_KILL_AFTER_SEND=1` makes `betrokken messages send-due`
SIGKILL itself right after the server accepted a message and before `Sent` is recorded."""

from __future__ import annotations

import signal
import time
from datetime import datetime

from adapters.config import StoreConfig
from application.messages import Draft, Messages
from betrokken.system import open_service, open_service_with_projections
from domain.message import QUIET_TZ
from tests.helpers.processes import Processes
from tests.helpers.serve import BETROKKEN, Server, environment
from tests.helpers.smtp import Inbox
from tests.messages.conftest import populate

KILLS = 20


def queue_one_each(config: StoreConfig, parents: int) -> None:
    """One message to each of `parents` parents, written on a weekday morning (due at once)."""
    service = open_service(config)
    try:
        _, ids = populate(service, parents)
        messages = Messages(service, clock=lambda: datetime(2026, 1, 5, 10, 0, tzinfo=QUIET_TZ))
        messages.write(Draft("herinnering", "Morgen om 19.00 bijeenkomst, {naam}"), parent_ids=ids)
    finally:
        service.close()


def send_due(processes: Processes, env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = processes.start([BETROKKEN, "messages", "send-due", *args], env=env, stdout=-1, stderr=-1, text=True)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out + err


def statuses(config: StoreConfig) -> dict[str, int]:
    """The messages projection, caught up to the log: how many messages per status (and reason)."""
    service, projections = open_service_with_projections(config)
    try:
        projections.catch_up()
        rows = projections.db.query("SELECT status, reason, COUNT(*) FROM messages GROUP BY status, reason")
    finally:
        projections.close()
        service.close()
    return {f"{s}:{r}" if r else s: n for s, r, n in rows}


def test_killing_the_sender_between_send_and_record_twenty_times_sends_nothing_twice(
    sqlite_store: StoreConfig, smtp: tuple[str, Inbox], processes: Processes,
) -> None:
    url, inbox = smtp
    queue_one_each(sqlite_store, KILLS)
    env = environment(sqlite_store.data_dir) | {"BETROKKEN_SMTP_URL": url}
    for kill in range(1, KILLS + 1):
        code, output = send_due(processes, env | {"BETROKKEN_TEST_KILL_AFTER_SEND": "1"})
        assert code == -signal.SIGKILL, output
        # Each run got exactly one new message out before it died: the ones before it were not resent.
        assert len(inbox.received) == kill
    code, output = send_due(processes, env)  # a clean run: the interrupted ones are never sent again
    assert code == 0, output
    assert "sent 0" in output
    assert len(inbox.received) == KILLS
    assert len(set(inbox.message_ids())) == KILLS
    assert sorted(inbox.to()) == sorted(f"ouder{i}@example.nl" for i in range(KILLS))
    # After the lease, the interrupted sends are settled as failed (unconfirmed), for staff to check.
    code, output = send_due(processes, env, "--lease", "0")
    assert code == 0 and "unconfirmed 20" in output, output
    assert len(inbox.received) == KILLS
    assert statuses(sqlite_store) == {"failed:unconfirmed": KILLS}


def test_without_the_kill_every_due_message_is_sent_once_and_recorded_sent(
    sqlite_store: StoreConfig, smtp: tuple[str, Inbox], processes: Processes,
) -> None:
    url, inbox = smtp
    queue_one_each(sqlite_store, 3)
    env = environment(sqlite_store.data_dir) | {"BETROKKEN_SMTP_URL": url}
    for _ in range(2):
        code, output = send_due(processes, env)
        assert code == 0, output
    assert len(inbox.received) == 3
    assert statuses(sqlite_store) == {"sent": 3}


def test_send_due_without_an_smtp_url_says_so_and_sends_nothing(
    sqlite_store: StoreConfig, processes: Processes,
) -> None:
    queue_one_each(sqlite_store, 1)
    code, output = send_due(processes, environment(sqlite_store.data_dir))
    assert code == 1 and "BETROKKEN_SMTP_URL is not set" in output


def test_serve_sends_what_is_due_in_the_background(
    sqlite_store: StoreConfig, smtp: tuple[str, Inbox], processes: Processes,
) -> None:
    url, inbox = smtp
    queue_one_each(sqlite_store, 2)
    server = Server(processes, environment(sqlite_store.data_dir) | {"BETROKKEN_SMTP_URL": url})
    deadline = time.monotonic() + 60  # the first round runs as the server starts
    while len(inbox.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.stop() == 0
    assert sorted(inbox.to()) == ["ouder0@example.nl", "ouder1@example.nl"]
    assert statuses(sqlite_store) == {"sent": 2}
