"""What a stored field means, by its name, where the name alone does not say it; the allowed
values are read from the code that checks them."""

from __future__ import annotations

from domain.allocation import METHODS, STRATA
from domain.message import CHANNELS, DELIVERY_MODES, FAILED_REASONS, PURPOSES, SUPPRESSED_REASONS
from domain.limits import ATTENDANCE_STATUSES, MAX_CENTS, MAX_GROUP, MIN_GROUP, PAYOUT_METHODS, REGIONS
from domain.parent import DOMAINS, MOMENTS
from domain.templates import KINDS
from domain.user import ROLES


def one_of(values: tuple[str, ...]) -> str:
    return "one of " + ", ".join(f"`{v}`" for v in values)


NOTES = {
    "Parent.Registered.name": "the parent's name",
    "Parent.Registered.language": "the home language",
    "Parent.Registered.children[].name": "the child's first name",
    "Parent.ChildAdded.name": "the child's first name",
    "Parent.AssessmentRecorded.name": "the test's name",
    "Parent.Erased.reason": "why the data was erased",
    "TrainingProgram.Created.name": "the programme's name",
    "TrainingProgram.ParentWithdrawn.reason": "why the parent left",
    "Session.Cancelled.reason": "why the session was cancelled",
    "User.UserAdded.name": "the user's sign-in name (the user's id is derived from it)",
    "School.Registered.brin": "the school's BRIN code (the school's id is derived from it)",
    "School.Registered.name": "the school's name, as pages show it",
    "School.Registered.region": "the school-holiday region: " + one_of(REGIONS),
    "User.UserAdded.schools": "BRIN codes; empty: every school (admins, and auditors or analysts added without)",
    "children": "the children registered with the parent",
    "phone": "the phone number",
    "email": "the e-mail address",
    "completion": "the completion rule ([rules.md](rules.md))",
    "rewards": "the reward scheme ([rules.md](rules.md))",
    "children[].id": "the child's id",
    "assessment_id": "the assessment's id",
    "payout_id": "the payout's id",
    "token_id": "the token's id",
    "starts_on": "the programme's first day",
    "enrolled_on": "the first day of the enrolment",
    "withdrawn_on": "the first day the parent is no longer enrolled",
    "title": "the session's title",
    "location": "where the session is held",
    "min_sessions_attended": "sessions a parent must attend at least",
    "timestamp": "when the event was recorded, in UTC (what `audit state --as-of` compares with)",
    "originator_topic": "the aggregate's class (an aggregate's first event only)",
    "actor": "who caused it: the signed-in user's name; `cli` from the command line, `demo` for demo data",
    "school": "the school's BRIN code",
    "status": one_of(ATTENDANCE_STATUSES),
    "method": one_of(PAYOUT_METHODS),
    "kind": one_of(KINDS),
    "role": one_of(ROLES),
    "group": f"year group {MIN_GROUP}..{MAX_GROUP}",
    "amount_cents": f"euro cents, 1..{MAX_CENTS}",
    "parent_id": "a `Parent`'s id",
    "program_id": "a `TrainingProgram`'s id",
    "child_id": "the id of one of the parent's children",
    "child_ids": "the ids of the parent's children the enrolment is for, child_id first (none: an empty list)",
    "starts_at": "the start, in the UTC offset it was scheduled in (its date is the session's date)",
    "homework": "the homework text; `null`: no homework",
    "participants": "the parents of a home visit; `null`: every parent enrolled on the date",
    "completed": "whether the homework was done",
    "score": "0..`max_score`; a whole number may be stored without a fraction (`36`)",
    "max_score": "greater than 0",
    "taken_on": "the date of the test",
    "destroyed": "the personal fields whose key was destroyed",
    "password_hash": "the argon2id hash (the password itself is never stored)",
    "token_hash": "SHA-256 of the token, hex (the token itself is never stored)",
    "cap_cents": "euro cents; `null`: no cap",
    "payout": one_of(PAYOUT_METHODS),
    # messages to parents (domain/message.py)
    "message_id": "the message's id",
    "purpose": one_of(PURPOSES),
    "channel": one_of(CHANNELS) + "; `null`: none (suppressed)",
    "Mailbox.OptedOut.channel": one_of(CHANNELS),
    "Mailbox.OptedIn.channel": one_of(CHANNELS),
    "text": "the message as the parent reads it: the template in their language, filled in",
    "queued_at": "when it was written",
    "due_at": "when it may leave: at once, or 08:00 Dutch time after quiet hours",
    "header_id": "the e-mail Message-ID, the same on every attempt",
    "started_at": "when the sender took it, before handing it over",
    "sent_at": "when the mail server or provider accepted it",
    "failed_at": "when the failure was recorded",
    "Mailbox.Suppressed.reason": one_of(SUPPRESSED_REASONS),
    "Mailbox.Failed.reason": one_of(FAILED_REASONS),
    "digest": "part of the weekly digest (leaves Monday 08:00; a digest counts as one message)",
    "Mailbox.DeliveryChosen.mode": one_of(DELIVERY_MODES),
    "class_version": "the event class's version (written above 1; an older state is upcast when read)",
    # trials (docs/evaluation.md, docs/allocation.md)
    "arms": "the trial's arms, each with its complete reward scheme (`control` earns nothing)",
    "arms[].name": "the arm's name, e.g. `cash`, `education_fund`, `control`",
    "arm": "the arm's name",
    "TrainingProgram.AllocationSetUp.method": one_of(METHODS),
    "strata": "what a stratum is made of, " + one_of(STRATA) + "; empty: one stratum",
    "block_sizes": "the sizes a stratum's permuted blocks are drawn from (multiples of the ratios' sum)",
    "ratios": "each arm's share of a block, in the arms' order",
    "commitment": "SHA-256 of the seed (UTF-8), hex: the seed itself is revealed only when the trial is locked",
    "seed": "the allocation's seed, revealed: anyone can now re-derive every assignment",
    "stratum": "the enrolment's stratum, e.g. `group=5`; `all` without strata",
    "slot": "the place in its stratum's sequence, from 0",
    "TrainingProgram.ArmOverridden.reason": "why an admin overrode the lot (flagged in every report)",
    "move_id": "the fund movement's id",
    "evidence": "what was shown, e.g. enrolment in further education",
    "released_on": "the date the fund was released",
    "TrainingProgram.FundForfeited.reason": "why the fund was forfeited",
    "forfeited_on": "the date the fund was forfeited",
    "instrument": "what the test measures with, e.g. `cito_lezen`, `sdq`; `null`: recorded before outcome measures",
    "domain": one_of(DOMAINS) + "; `null`: unknown",
    "moment": one_of(MOMENTS) + "; `null`: unknown (recorded before outcome measures)",
}


def note(event: str, path: str) -> str:
    """The note for a stored field of an event (`children[].name` for a record's key): first by
    the event and field, then by the field's name, then units by the name's ending."""
    field = path.rsplit(".", 1)[-1]
    for key in (f"{event}.{path}", path, field):
        if key in NOTES:
            return NOTES[key]
    if field.endswith("_cents"):
        return "euro cents"
    if field.endswith("_rate") or field.endswith("_threshold"):
        return "a fraction, 0..1"
    return ""
