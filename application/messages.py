"""Messages to parents, in the coordinator's words: write to one parent or a programme's parents
(each decided by the parent's mailbox: queued, or suppressed with the reason), preview what the
cap would hold back, list a parent's messages, record opt-outs, and deliver what is due.

"Once": a message is sent at most once. Before it is handed to a transport, `SendingStarted`
(with its Message-ID) is saved; only a message still `queued` can start, and two senders racing
for it conflict on the mailbox's version, so one of them sends. A sender that dies after that
save leaves the message `sending`: it is never sent again, and after `lease` it is recorded
`failed` with reason `unconfirmed` (it may or may not have arrived; the coordinator decides)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable, Mapping, TypeVar
from uuid import UUID, uuid4

from babel.dates import format_date
from eventsourcing.application import AggregateNotFoundError

from adapters.delivery import DeliveryError, Outgoing, Transport
from application.actor import SYSTEM, Actor
from application.programs import ProgramService
from domain.languages import language_code
from domain.message import (
    Mailbox, Message, Recipient, check_template, digest_header_id, fill, header_id, mailbox_id,
)
from domain.parent import ERASED, UNREADABLE, Parent
from domain.rules import counts_for
from domain.session import Session
from domain.training_program import TrainingProgram

Clock = Callable[[], datetime]
T = TypeVar("T")
SENDER = Actor(name="sender", role="admin", schools=None)
"""The actor of the delivery events (the worker, not a person)."""

DEFAULT_LEASE = timedelta(minutes=5)
"""How long a message may stay `sending` before it is recorded `failed` (`unconfirmed`)."""

SUBJECTS = {
    "informeren": "Bericht van school",
    "adviseren": "Een tip van school",
    "aanmoedigen": "Goed bezig!",
    "herinnering": "Herinnering van school",
}
"""The e-mail subject per purpose (Dutch: the school's own language to parents)."""
DIGEST_SUBJECT = "Berichten van school deze week"
DIGEST_SEPARATOR = "\n\n---\n\n"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Draft:
    """What staff write: a purpose, a Dutch template (the fallback), translations per language
    (the parent's language first), and what {datum} and {plaats} stand for."""

    purpose: str
    text: str
    translations: Mapping[str, str] = field(default_factory=dict)
    on: date | None = None
    place: str | None = None
    channel: str | None = None
    send_at: datetime | None = None  # a moment to leave at (a campaign's reminder); None: now

    def check(self) -> None:
        """Every template may use only {naam}, {datum} and {plaats}."""
        for template in (self.text, *self.translations.values()):
            check_template(template)

    def for_parent(self, parent: Parent) -> str:
        """The template in the parent's language (Dutch when there is none), filled in for them."""
        language = language_code(parent.language)
        translations = {language_code(k): v for k, v in self.translations.items()}
        template = translations.get(language) or self.text
        locale = language if language in translations else "nl"
        try:
            day = format_date(self.on, format="full", locale=locale) if self.on else ""
        except (ValueError, LookupError):  # a language babel does not know: the Dutch date
            day = format_date(self.on, format="full", locale="nl") if self.on else ""
        return fill(template, naam=parent.name, datum=day, plaats=self.place or "")


@dataclass
class Outcome:
    """Per parent: queued (with the new message's id) or suppressed with the reason."""

    queued: list[UUID] = field(default_factory=list)
    suppressed: list[tuple[UUID, str]] = field(default_factory=list)
    message_ids: dict[UUID, UUID] = field(default_factory=dict)


class Messages:
    """Write to parents within the toolkit's limits, and deliver each message at most once."""

    def __init__(self, service: ProgramService, clock: Clock = utc_now) -> None:
        self.service = service
        self.clock = clock

    # -- the parent's mailbox --------------------------------------------------------------

    def _mailbox(self, parent: Parent, actor: Actor) -> Mailbox:
        try:
            found: Mailbox = self.service.repository.get(mailbox_id(parent.id))
            return found
        except AggregateNotFoundError:
            return Mailbox(parent_id=parent.id, school=parent.school, actor=actor.name)

    def _existing_mailbox(self, parent_id: UUID) -> Mailbox | None:
        try:
            found: Mailbox = self.service.repository.get(mailbox_id(parent_id))
            return found
        except AggregateNotFoundError:
            return None

    # -- writing ---------------------------------------------------------------------------

    def recipients(
        self, *, parent_ids: Iterable[UUID] = (), program_id: UUID | None = None, actor: Actor = SYSTEM
    ) -> list[tuple[Parent, bool]]:
        """The parents addressed (each once, unknown ones refused with 404 before anything is
        written) and whether each is withdrawn: from this programme, or, addressed by name, from
        every programme they were in."""
        found: dict[UUID, tuple[Parent, bool]] = {}
        if program_id is not None:
            program = self.service.program(program_id, actor)
            for pid in program.enrolled_parents():
                found[pid] = (self.service.parent(pid, actor), program.current_enrolment(pid) is None)
        for pid in parent_ids:
            if pid not in found:
                parent = self.service.parent(pid, actor)
                found[pid] = (parent, self._withdrawn_everywhere(parent))
        return list(found.values())

    def absent_last_time(self, program_id: UUID, actor: Actor = SYSTEM) -> tuple[Session | None, list[UUID]]:
        """The programme's last held session (by start) and the parents it counted for who were
        not there (absent, or no record: excused ones are left out), for a message to just them."""
        held = [s for s in self.service.sessions(program_id, actor) if s.held]
        if not held:
            return None, []
        last, program = held[-1], self.service.program(program_id, actor)
        missed = [
            pid for pid in program.enrolled_parents()
            if counts_for(True, pid, last.date, last.participants, program.enrolment_periods(pid))
            and last.attendance.get(pid) not in ("present", "excused")
        ]
        return last, missed

    def _withdrawn_everywhere(self, parent: Parent) -> bool:
        programs: list[TrainingProgram] = [
            self.service.program(p) for p in self.service.directory.programs_of(frozenset({parent.school}))
        ]
        was_in = [p for p in programs if p.was_enrolled(parent.id)]
        return bool(was_in) and all(p.current_enrolment(parent.id) is None for p in was_in)

    @staticmethod
    def _recipient(parent: Parent, withdrawn: bool) -> Recipient:
        readable = not parent.erased and parent.name != ERASED
        gone = (None, "", ERASED, UNREADABLE)  # no address, or one this store cannot read
        return Recipient(
            erased=not readable, withdrawn=withdrawn,
            has_email=parent.email not in gone, has_phone=parent.phone not in gone,
        )

    def write(
        self, draft: Draft, *, parent_ids: Iterable[UUID] = (), program_id: UUID | None = None,
        actor: Actor = SYSTEM, preview: bool = False,
    ) -> Outcome:
        """Queue the message for each parent addressed, or record it suppressed with the reason;
        with `preview`, only say what would happen (nothing is recorded)."""
        draft.check()
        for_whom = self.recipients(parent_ids=parent_ids, program_id=program_id, actor=actor)
        outcome = Outcome()
        for parent, withdrawn in for_whom:
            recipient = self._recipient(parent, withdrawn)
            if preview:
                _, reason, _ = self._mailbox(parent, actor).decide(recipient, draft.channel, self.clock(), draft.send_at)
                message_id = None
            else:
                message = self._write_one(parent, recipient, draft, actor)
                reason, message_id = message.reason, message.id
            if reason is None:
                outcome.queued.append(parent.id)
            else:
                outcome.suppressed.append((parent.id, reason))
            if message_id is not None:
                outcome.message_ids[parent.id] = message_id
        return outcome

    def _write_one(self, parent: Parent, recipient: Recipient, draft: Draft, actor: Actor) -> Message:
        message_id = uuid4()
        text = draft.for_parent(parent) if not recipient.erased else ERASED

        def command() -> Message:
            mailbox = self._mailbox(parent, actor)
            message = mailbox.write(
                message_id=message_id, purpose=draft.purpose, text=text, recipient=recipient,
                channel=draft.channel, now=self.clock(), actor=actor.name, send_at=draft.send_at,
            )
            self.service._save(mailbox)
            return message

        return self.service._retrying(command, mailbox_id(parent.id))

    # -- reading and preferences -----------------------------------------------------------

    def of_parent(self, parent_id: UUID, actor: Actor = SYSTEM) -> list[Message]:
        """The parent's messages, newest first."""
        self.service.parent(parent_id, actor)
        mailbox = self._existing_mailbox(parent_id)
        found = list(mailbox.messages.values()) if mailbox else []
        return sorted(found, key=lambda m: (m.queued_at, str(m.id)), reverse=True)

    def opted_out(self, parent_id: UUID, actor: Actor = SYSTEM) -> set[str]:
        """The channels on which the parent wants no messages."""
        self.service.parent(parent_id, actor)
        mailbox = self._existing_mailbox(parent_id)
        return set(mailbox.opted_out) if mailbox else set()

    def _for_parent(self, parent_id: UUID, actor: Actor, change: Callable[[Mailbox], T]) -> T:
        """Change the parent's mailbox (opened if need be) as the actor, and save what it recorded."""
        def command() -> T:
            mailbox = self._mailbox(self.service.parent(parent_id, actor), actor)
            result = change(mailbox)
            if mailbox.pending_events:
                self.service._save(mailbox)
            return result
        return self.service._retrying(command, mailbox_id(parent_id))

    def set_opt_out(self, parent_id: UUID, channel: str, opted_out: bool, *, actor: Actor = SYSTEM) -> set[str]:
        """Record the parent's choice for a channel; the channels opted out of afterwards."""
        def change(mailbox: Mailbox) -> set[str]:
            mailbox.set_opt_out(channel, opted_out, actor=actor.name)
            return set(mailbox.opted_out)
        return self._for_parent(parent_id, actor, change)

    def delivery(self, parent_id: UUID, actor: Actor = SYSTEM) -> str:
        """The parent's choice: `each` message as written, or a weekly `digest`."""
        self.service.parent(parent_id, actor)
        mailbox = self._existing_mailbox(parent_id)
        return mailbox.delivery if mailbox else "each"

    def choose_delivery(self, parent_id: UUID, mode: str, *, actor: Actor = SYSTEM) -> str:
        """Record the parent's choice of each message or a weekly digest; the choice afterwards."""
        def change(mailbox: Mailbox) -> str:
            mailbox.choose_delivery(mode, actor=actor.name)
            return mailbox.delivery
        return self._for_parent(parent_id, actor, change)

    # -- delivering ------------------------------------------------------------------------

    def _change(self, parent_id: UUID, change: Callable[[Mailbox], T]) -> T | None:
        """Apply a change to the parent's mailbox and save it (retrying on a concurrent edit)."""
        def command() -> T | None:
            mailbox = self._existing_mailbox(parent_id)
            if mailbox is None:
                return None
            changed = change(mailbox)
            if mailbox.pending_events:
                self.service._save(mailbox)
            return changed
        return self.service._retrying(command, mailbox_id(parent_id))

    def deliver(
        self, parent_id: UUID, message_id: UUID, transports: Mapping[str, Transport],
        *, after_send: Callable[[], None] | None = None,
    ) -> str:
        """Send one due message (or the weekly digest it is part of) at most once; its status
        afterwards. The start is recorded before the hand-over; `after_send` runs between the
        hand-over and its record (a test hook)."""
        now = self.clock()
        batch = self._change(parent_id, lambda m: m.start_sending(message_id, now=now, actor=SENDER.name)) or []
        mailbox = self._existing_mailbox(parent_id)
        assert mailbox is not None
        if not batch:
            return mailbox.messages[message_id].status
        items = [mailbox.messages[i] for i in batch]
        try:
            outgoing = self._outgoing(parent_id, items, mailbox)
            transports[items[0].channel or "email"].send(outgoing)
        except DeliveryError as e:
            reason = e.reason
            self._change(parent_id, lambda m: [m.record_failed(i, reason=reason, now=self.clock(), actor=SENDER.name)
                                               for i in batch])
            return "failed"
        if after_send is not None:
            after_send()
        self._change(parent_id, lambda m: [m.record_sent(i, now=self.clock(), actor=SENDER.name) for i in batch])
        return "sent"

    def _outgoing(self, parent_id: UUID, items: list[Message], mailbox: Mailbox) -> Outgoing:
        """The message (or digest) with the parent's current address (refused when gone or opted out since)."""
        parent, first = self.service.parent(parent_id), items[0]
        if parent.erased or any(m.text == ERASED for m in items):
            raise DeliveryError("erased")
        if first.channel in mailbox.opted_out:
            raise DeliveryError("opted_out")
        to = parent.email if first.channel == "email" else parent.phone
        if not to or to in (ERASED, UNREADABLE):
            raise DeliveryError("no_address")
        if not first.digest:
            return Outgoing(header_id=header_id(first.id), to=to, subject=SUBJECTS[first.purpose], text=first.text)
        ordered = sorted(items, key=lambda m: m.queued_at)
        return Outgoing(header_id=digest_header_id([m.id for m in items]), to=to, subject=DIGEST_SUBJECT,
                        text=DIGEST_SEPARATOR.join(m.text for m in ordered))

    def settle_interrupted(self, parent_id: UUID, message_id: UUID, *, lease: timedelta = DEFAULT_LEASE) -> bool:
        """A message left `sending` longer than `lease` (its sender died between hand-over and
        record): recorded `failed` (`unconfirmed`), never sent again. True when it was."""
        now = self.clock()

        def settle(mailbox: Mailbox) -> bool:
            m = mailbox.messages.get(message_id)
            if m is None or m.status != "sending" or m.sending_since is None or now - m.sending_since < lease:
                return False
            return mailbox.record_failed(message_id, reason="unconfirmed", now=now, actor=SENDER.name)

        return bool(self._change(parent_id, settle))
