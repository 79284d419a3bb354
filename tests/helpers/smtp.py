"""A real SMTP server on loopback (aiosmtpd) that keeps what it received, for the message tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any, Iterator

from aiosmtpd.controller import Controller

from tests.helpers.serve import free_port


@dataclass
class Inbox:
    """Every message the server accepted, in order of arrival."""

    received: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]

    def to(self) -> list[str]:
        with self.lock:
            return [str(m["To"]) for m in self.received]


def smtp_server() -> Iterator[tuple[str, Inbox]]:
    """Start the server; yields (its smtp:// URL, the inbox); stopped when the generator closes."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}?from=school@example.nl", inbox
    finally:
        controller.stop()
