"""How a message leaves: one interface for every channel (e-mail over SMTP, text messages through
a provider), so the sender's "at most once" holds the same way for each.

A transport is handed a message whose sending is already recorded (Mailbox.SendingStarted, with
its Message-ID); it either returns (the server or provider accepted it) or raises DeliveryError
with a reason. It never retries on its own: a retry after an unknown outcome could deliver twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """A message ready to leave: its stable id (the e-mail Message-ID), where to, and what it says."""

    header_id: str
    to: str
    subject: str
    text: str


class DeliveryError(Exception):
    """The message was not accepted; `reason` is recorded with the failure (rejected, unreachable, ...)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class Transport(Protocol):
    """One channel's way out (SMTP, an SMS provider). `send` returns once the other side accepted the
    message, and raises DeliveryError when it refused or could not be reached. A provider for text
    messages implements this, passing `header_id` as its idempotency key where it has one (most
    SMS APIs take a client reference), so that even a repeat on their side is recognised."""

    def send(self, message: Outgoing) -> None: ...

    def close(self) -> None: ...


class NoSmsProvider:
    """The text-message channel when no provider is configured: every message fails, recorded as
    `no_sms_provider`, so the coordinator sees it among the failed messages."""

    def send(self, message: Outgoing) -> None:
        raise DeliveryError("no_sms_provider", "no SMS provider is configured")

    def close(self) -> None:
        pass
