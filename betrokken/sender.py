"""The sender: delivers the messages that are due (queued, quiet hours over), each at most once,
through the configured transports; `betrokken messages send-due` runs it once, `serve` runs it in
a background thread every minute (like the checkpointer).

The due list comes from the messages projection (caught up first); the mailbox decides: a message
that is no longer `queued` is skipped, so a stale list or two senders at once send nothing twice."""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable
from uuid import UUID

from adapters.delivery import NoSmsProvider, Transport
from adapters.smtp import SmtpSettings, SmtpTransport
from application.messages import DEFAULT_LEASE, Messages
from application.programs import ProgramService
from projections import Projections
from projections import messages as message_view

log = logging.getLogger("betrokken.messages")

SMTP_URL = "BETROKKEN_SMTP_URL"
KILL_AFTER_SEND = "BETROKKEN_TEST_KILL_AFTER_SEND"
"""A test hook: set to 1, the sender SIGKILLs its own process right after the mail server accepted
a message and before that is recorded (the crash "once" has to survive)."""
DEFAULT_INTERVAL = 30.0
"""Seconds between the server's sending rounds (a message written now leaves within about this)."""


def transports_from_environ() -> dict[str, Transport]:
    """E-mail over BETROKKEN_SMTP_URL (a ValueError when unset or malformed); SMS: none configured."""
    url = os.environ.get(SMTP_URL)
    if not url:
        raise ValueError(f"{SMTP_URL} is not set: say where e-mail goes, e.g. smtp://user:pass@host:587")
    return {"email": SmtpTransport(SmtpSettings.from_url(url)), "sms": NoSmsProvider()}


def kill_hook() -> Callable[[], None] | None:
    """The crash test's hook, when asked for in the environment."""
    if os.environ.get(KILL_AFTER_SEND) != "1":
        return None
    return lambda: os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class SendReport:
    """What one run did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    unconfirmed: int = 0


def send_due(
    messages: Messages, projections: Projections, transports: dict[str, Transport],
    *, lease: timedelta = DEFAULT_LEASE, after_send: Callable[[], None] | None = None,
) -> SendReport:
    """Settle interrupted sends older than `lease`, then deliver every message due now."""
    report = SendReport()
    projections.catch_up()
    for parent_id, message_id in message_view.sending(projections.db):
        if messages.settle_interrupted(UUID(parent_id), UUID(message_id), lease=lease):
            report.unconfirmed += 1
    for parent_id, message_id in message_view.due(projections.db, messages.clock()):
        status = messages.deliver(UUID(parent_id), UUID(message_id), transports, after_send=after_send)
        if status == "sent":
            report.sent += 1
        elif status == "failed":
            report.failed += 1
        else:
            report.skipped += 1
    for transport in transports.values():
        transport.close()
    return report


class Sender(threading.Thread):
    """Runs send_due every `interval` seconds; `stop()` ends it."""

    def __init__(self, messages: Messages, projections: Projections, transports: dict[str, Transport],
                 interval: float = DEFAULT_INTERVAL) -> None:
        super().__init__(name="sender", daemon=True)
        self.messages, self.projections, self.transports, self.interval = messages, projections, transports, interval
        self._stopping = threading.Event()

    def run(self) -> None:
        while True:
            try:
                report = send_due(self.messages, self.projections, self.transports)
                if report.sent or report.failed or report.unconfirmed:
                    log.info("messages: %s", report)
            except Exception:  # a failed round must not end the thread nor the server
                log.exception("could not send the messages that are due")
            if self._stopping.wait(self.interval):
                return

    def stop(self) -> None:
        """End the thread (after the round it may be in) and wait for it."""
        self._stopping.set()
        self.join()


def start_sender(service: ProgramService, projections: Projections) -> Sender | None:
    """In `serve`: a sender thread when BETROKKEN_SMTP_URL is set (a malformed one is a ValueError);
    None (and a log line) when it is not: messages then wait for `betrokken messages send-due`."""
    if not os.environ.get(SMTP_URL):
        log.warning("%s is not set: queued messages wait for `betrokken messages send-due`", SMTP_URL)
        return None
    sender = Sender(Messages(service), projections, transports_from_environ())
    sender.start()
    return sender
