"""A holiday reading campaign: a reading list to a programme's parents before the holiday and up
to two reminders during it, each leaving on its day, within the weekly cap."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterator

import pytest

from adapters.config import StoreConfig
from application.campaigns import ReadingCampaign, plan_reading_campaign
from application.messages import Draft, Messages
from domain.errors import InvalidMessageError
from domain.message import QUIET_TZ
from tests.helpers.api_client import Api, open_api
from tests.messages.conftest import Clock, World
from web.api_messages import EXTENSION

CAMPAIGN = ReadingCampaign(
    "Beste {naam}, de leeslijst voor de kerstvakantie: ...", date(2026, 12, 18),
    [(date(2026, 12, 23), "Lezen jullie al samen, {naam}?"), (date(2026, 12, 30), "Nog een paar dagen: lees samen!")],
)


def test_the_campaign_leaves_on_its_days_and_a_reminder_over_the_cap_is_suppressed(world: World) -> None:
    busy = world.parents[0]
    for _ in range(2):  # two messages already planned for busy's holiday week
        world.messages.write(Draft("informeren", "Rapportgesprek", send_at=datetime(2026, 12, 22, 9, tzinfo=QUIET_TZ)),
                             parent_ids=[busy])
    planned = plan_reading_campaign(world.messages, world.program_id, CAMPAIGN)
    assert sorted(planned.reading_list.queued) == sorted(world.parents)
    (first_day, first), (second_day, second) = planned.reminders
    assert first_day == date(2026, 12, 23) and first.suppressed == [(busy, "weekly_cap")]
    assert sorted(second.queued) == sorted(world.parents)
    received = []
    for day in (17, 18, 22, 23, 30):
        world.clock.set(2026, 12, day, 12, 0)
        world.send_due()
        received.append(len(world.inbox.received))
    assert received == [0, 3, 5, 7, 10]
    texts = [m.get_payload().strip() for m in world.inbox.received]
    assert texts[0].startswith("Beste Ouder ") and texts[-1] == "Nog een paar dagen: lees samen!"


@pytest.mark.parametrize("campaign", [
    ReadingCampaign("Leeslijst", date(2026, 11, 30)),  # in the past
    ReadingCampaign("Leeslijst", date(2026, 12, 18), [(date(2026, 12, 20), "a"), (date(2026, 12, 21), "b"),
                                                      (date(2026, 12, 22), "c")]),  # three reminders
    ReadingCampaign("Leeslijst", date(2026, 12, 18), [(date(2026, 12, 17), "a")]),  # a reminder before the list
    ReadingCampaign("Leeslijst {titel}", date(2026, 12, 18)),  # an unknown placeholder
    ReadingCampaign("Leeslijst", date(2026, 12, 18), [(date(9999, 12, 31), "a")]),  # beyond a year ahead
])
def test_a_wrong_plan_is_refused_and_writes_nothing(world: World, campaign: ReadingCampaign) -> None:
    head = world.projections.head()
    with pytest.raises(InvalidMessageError):
        plan_reading_campaign(world.messages, world.program_id, campaign)
    assert world.projections.head() == head


@pytest.fixture
def api(sqlite_store: StoreConfig) -> Iterator[Api]:
    opened = open_api(sqlite_store)
    opened.app.extensions[EXTENSION] = Messages(opened.service, Clock(datetime(2026, 12, 1, 10, tzinfo=QUIET_TZ)))
    yield opened
    opened.app.extensions["betrokken"].close()


def test_the_campaign_over_the_api(api: Api) -> None:
    program = api.program()
    parent = api.post("/parents", {"school": "12AB", "name": "Anna", "email": "anna@example.nl", "children": []}).json
    api.enroll(program["id"], parent["id"])
    body = {"reading_list": "Leeslijst voor {naam}", "send_on": "2026-12-18",
            "reminders": [{"on": "2026-12-23", "text": "Lees samen"}]}
    r = api.post(f"/programs/{program['id']}/reading-campaign", body)
    assert r.status_code == 201, r.json
    assert r.json["reading_list"]["queued"] == [parent["id"]]
    assert r.json["reminders"][0]["on"] == "2026-12-23" and r.json["reminders"][0]["queued"] == [parent["id"]]
    too_many = {**body, "reminders": [{"on": f"2026-12-2{i}", "text": "x"} for i in (1, 2, 3)]}
    assert api.post(f"/programs/{program['id']}/reading-campaign", too_many).status_code == 422
    past = {**body, "send_on": "2026-11-01"}
    refused = api.post(f"/programs/{program['id']}/reading-campaign", past)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "invalid_message"
    assert api.post(f"/programs/{program['id']}/reading-campaign", body, user="analyst").status_code == 403
