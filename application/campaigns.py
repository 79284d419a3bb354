"""The holiday reading campaign, in the coordinator's words: plan a reading list for a
programme's parents before a holiday and up to two reminders during it (domain/campaign.py).
Each is written at once to every parent, to leave on its day, so the answer says now who will
get which message and who not (the weekly cap counts the campaign's messages too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from application.actor import SYSTEM, Actor
from application.messages import Draft, Messages, Outcome
from domain.campaign import check_campaign, leaves_on
from domain.message import QUIET_TZ


@dataclass(frozen=True)
class ReadingCampaign:
    """The reading list (a template, like any message), its day, and the reminders (day, text)."""

    reading_list: str
    send_on: date
    reminders: list[tuple[date, str]] = field(default_factory=list)


@dataclass
class Planned:
    """What the campaign wrote: the reading list's outcome, and each reminder's (with its day)."""

    reading_list: Outcome
    reminders: list[tuple[date, Outcome]]


def plan_reading_campaign(
    messages: Messages, program_id: UUID, campaign: ReadingCampaign, *, actor: Actor = SYSTEM,
) -> Planned:
    """Write the reading list and the reminders to every parent of the programme, each to leave
    at ten on its day (refused before anything is written when the plan or a template is wrong)."""
    check_campaign(campaign.send_on, [day for day, _ in campaign.reminders], messages.clock().astimezone(QUIET_TZ).date())
    drafts = [Draft("adviseren", campaign.reading_list, send_at=leaves_on(campaign.send_on))] + [
        Draft("herinnering", text, on=day, send_at=leaves_on(day)) for day, text in campaign.reminders
    ]
    for draft in drafts:
        draft.check()
    messages.recipients(program_id=program_id, actor=actor)  # a programme outside the actor's schools: 404 first
    outcomes = [messages.write(d, program_id=program_id, actor=actor) for d in drafts]
    return Planned(outcomes[0], [(day, o) for (day, _), o in zip(campaign.reminders, outcomes[1:])])
