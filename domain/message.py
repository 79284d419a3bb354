"""Messages to parents (toolkit §2.6): a parent's mailbox, the rules of what may be sent, and
the facts of each message's life (queued, suppressed, sending, sent, failed).

The toolkit asks for at most three short messages a week (Cortes et al.: one a week did worse,
five no better), with a purpose: informing, advising or encouraging, or a reminder. The mailbox
is one aggregate per parent, so the weekly cap holds under concurrent writers: two messages
queued at once for one parent conflict on the mailbox's version, and the second is decided again
on the fresh state."""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidMessageError

PURPOSES = ("informeren", "adviseren", "aanmoedigen", "herinnering")
"""The toolkit's three purposes, and a reminder (a session tomorrow, homework due)."""

CHANNELS = ("email", "sms")
"""How a message reaches a parent: e-mail to their address, a text message to their phone."""

PLACEHOLDERS = ("naam", "datum", "plaats")
"""What a template may fill in per parent: their name, a date, a place."""

WEEKLY_CAP = 3
CAP_WINDOW = timedelta(days=7)
"""At most WEEKLY_CAP messages leave for one parent in any CAP_WINDOW (a rolling week)."""

QUIET_TZ = ZoneInfo("Europe/Amsterdam")
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)
"""No message leaves between 21:00 and 08:00 Dutch time: it waits until 08:00."""

# Why a message was not sent (suppressed: decided when it was written; failed: when delivering).
SUPPRESSED_REASONS = ("weekly_cap", "opted_out", "erased", "withdrawn")
FAILED_REASONS = ("unconfirmed", "rejected", "unreachable", "no_sms_provider", "no_address", "erased", "opted_out")

DELIVERY_MODES = ("each", "digest")
"""A parent's choice: each message as it is written, or one weekly digest (Monday 08:00)."""
DIGEST_DAY = 0  # Monday

STATUSES = ("queued", "sending", "sent", "suppressed", "failed")
ACTIVE = frozenset({"queued", "sending", "sent"})
"""The statuses that count towards the weekly cap (a message that left, or will)."""



def counts_for_cap(message: "Message") -> bool:
    """Whether a message takes one of the week's places: it left, will leave, or may have left
    (a send interrupted before its outcome was recorded)."""
    return message.status in ACTIVE or (message.status == "failed" and message.reason == "unconfirmed")


_MAILBOX_NAMESPACE = uuid5(NAMESPACE_URL, "https://betrokken.local/mailbox")


def mailbox_id(parent_id: UUID) -> UUID:
    """The id of a parent's mailbox (one per parent, found without an index)."""
    return uuid5(_MAILBOX_NAMESPACE, str(parent_id))


def header_id(message_id: UUID) -> str:
    """The message's RFC 5322 Message-ID: the same on every attempt, so a receiver can tell a repeat."""
    return f"<{message_id}@betrokken.local>"


def leaves_at(moment: datetime) -> datetime:
    """When a message written at `moment` may leave: at once, or at 08:00 after quiet hours."""
    local = moment.astimezone(QUIET_TZ)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return moment
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=QUIET_TZ)


def digest_at(moment: datetime) -> datetime:
    """When the weekly digest with a message written at `moment` leaves: the next Monday 08:00."""
    local = moment.astimezone(QUIET_TZ)
    day = local.date() + timedelta(days=(DIGEST_DAY - local.weekday()) % 7)
    leaves = datetime.combine(day, QUIET_UNTIL, tzinfo=QUIET_TZ)
    return leaves if leaves > moment else leaves + timedelta(days=7)


def digest_header_id(message_ids: list[UUID]) -> str:
    """The Message-ID of a digest: derived from the messages it carries, the same on every attempt."""
    return f"<digest-{uuid5(_MAILBOX_NAMESPACE, ','.join(sorted(map(str, message_ids))))}@betrokken.local>"


def check_template(text: str) -> None:
    """A template may use only {naam}, {datum} and {plaats} (refused otherwise: the parent would
    read a brace, or the text would not fill in)."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError:
        raise InvalidMessageError("a template has an unmatched { or }; write {{ or }} for a brace") from None
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        raise InvalidMessageError(
            f"unknown placeholder(s) {', '.join('{' + f + '}' for f in unknown)}; use {{naam}}, {{datum}}, {{plaats}}",
            placeholders=unknown,
        )


def fill(text: str, *, naam: str, datum: str, plaats: str) -> str:
    """The template filled in for one parent (checked by check_template first)."""
    return text.format(naam=naam, datum=datum, plaats=plaats)


@dataclass(frozen=True)
class Message:
    """One message to the parent and where it stands."""

    id: UUID
    purpose: str
    channel: str | None
    text: str
    status: str
    queued_at: datetime
    due_at: datetime | None = None
    reason: str | None = None
    sent_at: datetime | None = None
    sending_since: datetime | None = None
    digest: bool = False

    @property
    def slot(self) -> object:
        """What takes a place in the week: the message itself, or the digest it goes out in."""
        return ("digest", self.due_at) if self.digest else self.id


@dataclass(frozen=True)
class Recipient:
    """What the mailbox needs to know of the parent when a message is written."""

    erased: bool
    withdrawn: bool
    has_email: bool
    has_phone: bool


class Mailbox(Aggregate):
    """The messages written to one parent, and their opt-outs per channel."""

    if TYPE_CHECKING:

        class Queued(Aggregate.Event):
            message_id: UUID
            parent_id: UUID
            text: str

        class Suppressed(Aggregate.Event):
            message_id: UUID
            parent_id: UUID
            text: str

    @staticmethod
    def create_id(parent_id: UUID, school: str, actor: str) -> UUID:
        return mailbox_id(parent_id)

    @event("Opened")
    def __init__(self, parent_id: UUID, school: str, actor: str) -> None:
        self.parent_id = parent_id
        self.school = school
        self.messages: dict[UUID, Message] = {}
        self.opted_out: set[str] = set()
        self.delivery = "each"

    # -- deciding --------------------------------------------------------------------------

    def slots_near(self, moment: datetime) -> set[object]:
        """The messages (a digest counts as one) that left, or will, less than CAP_WINDOW before or
        after this moment: every rolling week that holds the moment lies within that span, so
        fewer than WEEKLY_CAP of them keeps each such week within the cap (messages planned for
        later, e.g. a holiday campaign's reminders, included)."""
        return {
            m.slot for m in self.messages.values()
            if counts_for_cap(m) and m.due_at is not None and abs(m.due_at - moment) < CAP_WINDOW
        }

    def channel_for(self, recipient: Recipient, wanted: str | None) -> tuple[str | None, str | None]:
        """The channel a message takes (one with an address first, e-mail before a text), or None
        when the parent opted out of every channel that could reach them. Without any address and
        any opt-out the message is still queued: its delivery fails `no_address`, and the
        coordinator's list of failed messages says whose contact details to complete."""
        addressed = [c for c in (wanted,) if c] or list(CHANNELS)
        usable = [c for c in addressed if c not in self.opted_out]
        if not usable:
            return None, "opted_out"
        reachable = [c for c in usable if (recipient.has_email if c == "email" else recipient.has_phone)]
        if reachable:
            return reachable[0], None
        if len(usable) < len(addressed):  # the only channels left have no address: the opt-out decides
            return None, "opted_out"
        return usable[0], None

    def decide(
        self, recipient: Recipient, wanted: str | None, now: datetime, send_at: datetime | None = None,
    ) -> tuple[str | None, str | None, datetime]:
        """(channel, reason not to send, when it leaves) for a message written now, to leave at
        `send_at` (None: as soon as quiet hours and the parent's choice of a digest allow)."""
        moment = max(now, send_at) if send_at is not None else now
        due = digest_at(moment) if self.delivery == "digest" else leaves_at(moment)
        if recipient.erased:
            return None, "erased", due
        if recipient.withdrawn:
            return None, "withdrawn", due
        channel, reason = self.channel_for(recipient, wanted)
        slots = self.slots_near(due)
        joins = self.delivery == "digest" and ("digest", due) in slots  # one more item in a digest already counted
        if reason is None and not joins and len(slots) >= WEEKLY_CAP:
            reason = "weekly_cap"
        return channel, reason, due

    # -- commands --------------------------------------------------------------------------

    def write(
        self, *, message_id: UUID, purpose: str, text: str, recipient: Recipient,
        channel: str | None, now: datetime, actor: str, send_at: datetime | None = None,
    ) -> Message:
        """Queue a message (to leave now, or at `send_at`), or record it as suppressed with the
        reason (cap, opt-out, erasure, withdrawal)."""
        if purpose not in PURPOSES:
            raise InvalidMessageError(f"purpose must be one of {', '.join(PURPOSES)}", purpose=purpose)
        if channel is not None and channel not in CHANNELS:
            raise InvalidMessageError(f"channel must be one of {', '.join(CHANNELS)}", channel=channel)
        chosen, reason, due = self.decide(recipient, channel, now, send_at)
        if reason is None:
            self._queued(message_id=message_id, parent_id=self.parent_id, school=self.school, purpose=purpose, channel=chosen,
                         text=text, queued_at=now, due_at=due, digest=self.delivery == "digest", actor=actor)
        else:
            self._suppressed(message_id=message_id, parent_id=self.parent_id, school=self.school, purpose=purpose, text=text,
                             queued_at=now, reason=reason, actor=actor)
        return self.messages[message_id]

    def start_sending(self, message_id: UUID, *, now: datetime, actor: str) -> list[UUID]:
        """Record that this message (or the digest it belongs to: every item due in it) is about to
        be handed to the mail server, before it is; the ids that start, none when the message is not
        queued any more (sent, being sent, or never to be sent)."""
        m = self.messages[message_id]
        if m.status != "queued":
            return []
        batch = [m.id]
        if m.digest:
            batch = sorted((x.id for x in self.messages.values() if x.digest and x.status == "queued"
                            and x.due_at is not None and x.due_at <= max(now, m.due_at or now)
                            and x.channel == m.channel), key=str)
        header = digest_header_id(batch) if m.digest else header_id(m.id)
        for ident in batch:
            self._sending_started(message_id=ident, header_id=header, started_at=now, actor=actor)
        return batch

    def choose_delivery(self, mode: str, *, actor: str) -> None:
        """The parent's choice: each message as written, or a weekly digest (which counts as one)."""
        if mode not in DELIVERY_MODES:
            raise InvalidMessageError(f"delivery must be one of {', '.join(DELIVERY_MODES)}", delivery=mode)
        if mode != self.delivery:
            self._delivery_chosen(mode=mode, actor=actor)

    def record_sent(self, message_id: UUID, *, now: datetime, actor: str) -> bool:
        """The mail server (or SMS provider) accepted the message; False when it was not being sent."""
        if self.messages[message_id].status != "sending":
            return False
        self._sent(message_id=message_id, sent_at=now, actor=actor)
        return True

    def record_failed(self, message_id: UUID, *, reason: str, now: datetime, actor: str) -> bool:
        """The message could not be delivered, or it is not known whether it was (`unconfirmed`);
        False when it had already left or been settled."""
        if self.messages[message_id].status not in ("queued", "sending"):
            return False
        self._failed(message_id=message_id, reason=reason, failed_at=now, actor=actor)
        return True

    def set_opt_out(self, channel: str, opted_out: bool, *, actor: str) -> None:
        """The parent wants no more messages on this channel (or wants them again)."""
        if channel not in CHANNELS:
            raise InvalidMessageError(f"channel must be one of {', '.join(CHANNELS)}", channel=channel)
        if opted_out and channel not in self.opted_out:
            self._opted_out(channel=channel, actor=actor)
        elif not opted_out and channel in self.opted_out:
            self._opted_in(channel=channel, actor=actor)

    # -- facts -----------------------------------------------------------------------------

    @event("Queued")
    def _queued(self, *, message_id: UUID, parent_id: UUID, school: str, purpose: str, channel: str | None, text: str,
                queued_at: datetime, due_at: datetime, digest: bool, actor: str) -> None:
        self.messages[message_id] = Message(message_id, purpose, channel, text, "queued", queued_at, due_at, digest=digest)

    @event("Suppressed")
    def _suppressed(self, *, message_id: UUID, parent_id: UUID, school: str, purpose: str, text: str, queued_at: datetime,
                    reason: str, actor: str) -> None:
        self.messages[message_id] = Message(message_id, purpose, None, text, "suppressed", queued_at, reason=reason)

    @event("SendingStarted")
    def _sending_started(self, *, message_id: UUID, header_id: str, started_at: datetime, actor: str) -> None:
        self.messages[message_id] = replace(self.messages[message_id], status="sending", sending_since=started_at)

    @event("Sent")
    def _sent(self, *, message_id: UUID, sent_at: datetime, actor: str) -> None:
        self.messages[message_id] = replace(self.messages[message_id], status="sent", sent_at=sent_at)

    @event("Failed")
    def _failed(self, *, message_id: UUID, reason: str, failed_at: datetime, actor: str) -> None:
        self.messages[message_id] = replace(self.messages[message_id], status="failed", reason=reason)

    @event("OptedOut")
    def _opted_out(self, *, channel: str, actor: str) -> None:
        self.opted_out.add(channel)

    @event("OptedIn")
    def _opted_in(self, *, channel: str, actor: str) -> None:
        self.opted_out.discard(channel)

    @event("DeliveryChosen")
    def _delivery_chosen(self, *, mode: str, actor: str) -> None:
        self.delivery = mode
