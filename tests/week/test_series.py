"""Series that fit a school year: weekly, fortnightly, monthly; skipping a region's holidays
(read from the data file) and public holidays keeps the cadence."""

from __future__ import annotations

from datetime import date, timedelta

from adapters.holidays_nl import is_closed, school_holidays
from domain.schedule import series_dates
from tests.helpers.api_client import Api

FIRST = "2025-09-25T19:00:00+02:00"  # a Thursday


def series(api: Api, program_id: str, **extra: object) -> list[str]:
    body = {"title": "Informatieavond", "first_starts_at": FIRST, "count": 3, **extra}
    r = api.post(f"/programs/{program_id}/sessions/series", body)
    assert r.status_code == 201, r.json
    return [s["starts_at"] for s in r.json]


def autumn_holiday_covering(day: date) -> tuple[set[str], set[str]]:
    """The regions whose autumn holiday (in the data file) covers the day, and the others."""
    covering = set().union(*(h.regions for h in school_holidays() if h.name == "Herfstvakantie" and h.first <= day <= h.last))
    return covering, {"noord", "midden", "zuid"} - covering


def test_a_fortnightly_series_skips_the_autumn_holiday_of_its_region_and_keeps_its_cadence(api: Api) -> None:
    program = api.program()["id"]
    assert series(api, program, cadence="fortnightly") == [
        "2025-09-25T19:00:00+02:00", "2025-10-09T19:00:00+02:00", "2025-10-23T19:00:00+02:00"]
    covering, open_regions = autumn_holiday_covering(date(2025, 10, 23))
    assert covering and open_regions  # the data file has both kinds of region for this date
    for region in sorted(open_regions):
        assert series(api, program, cadence="fortnightly", skip_holidays=region)[2] == "2025-10-23T19:00:00+02:00"
    for region in sorted(covering):
        # 23 Oct is left out; the next date is the fortnight after it (and 19:00 in winter time)
        assert series(api, program, cadence="fortnightly", skip_holidays=region) == [
            "2025-09-25T19:00:00+02:00", "2025-10-09T19:00:00+02:00", "2025-11-06T19:00:00+01:00"]


def test_weekly_and_monthly_series_and_public_holidays() -> None:
    assert series_dates(date(2025, 9, 25), 3, "weekly") == [date(2025, 9, 25), date(2025, 10, 2), date(2025, 10, 9)]
    # monthly: the same weekday of the same week of the month (the 4th Thursday)
    assert series_dates(date(2025, 9, 25), 3, "monthly") == [date(2025, 9, 25), date(2025, 10, 23), date(2025, 11, 27)]
    ascension = date(2026, 5, 14)
    assert is_closed("noord", ascension) and not is_closed("noord", ascension + timedelta(weeks=1))
    assert series_dates(ascension - timedelta(weeks=1), 2, "weekly", lambda d: is_closed("noord", d)) == [
        date(2026, 5, 7), date(2026, 5, 21)]


def test_bad_series_are_refused_and_record_nothing(api: Api) -> None:
    program = api.program()["id"]
    before = api.last_position()
    for extra in ({"cadence": "daily"}, {"skip_holidays": "oost"}, {"count": 0}, {"count": 61}):
        r = api.post(f"/programs/{program}/sessions/series",
                     {"title": "X", "first_starts_at": FIRST, "count": 3, **extra})
        assert r.status_code == 422, (extra, r.json)
    other = api.program(school="34CD", user="admin")["id"]
    r = api.post(f"/programs/{other}/sessions/series", {"title": "X", "first_starts_at": FIRST, "count": 2})
    assert r.status_code == 404
    assert api.last_position() == before + 1  # only the other programme


def test_a_series_is_extended_on_its_cadence_and_one_session_moved(api: Api) -> None:
    program = api.program()["id"]
    r = api.post(f"/programs/{program}/sessions/series",
                 {"title": "Informatieavond", "first_starts_at": FIRST, "count": 2, "cadence": "fortnightly"})
    last = r.json[-1]
    more = api.post(f"/sessions/{last['id']}/series-extension", {"count": 2, "cadence": "fortnightly", "skip_holidays": "midden"})
    assert more.status_code == 201, more.json
    assert [(s["title"], s["starts_at"]) for s in more.json] == [
        ("Informatieavond 3", "2025-11-06T19:00:00+01:00"), ("Informatieavond 4", "2025-11-20T19:00:00+01:00")]
    moved = api.post(f"/sessions/{more.json[0]['id']}/move", {"starts_at": "2025-11-05T19:30:00+01:00"})
    assert moved.status_code == 200 and moved.json["starts_at"] == "2025-11-05T19:30:00+01:00"
    attendance = api.get(f"/programs/{program}/attendance").json
    assert "2025-11-05T19:30:00+01:00" in [s["starts_at"] for s in attendance["sessions"]]  # the projection follows
    parent = api.parent()["id"]
    api.enroll(program, parent)
    assert api.roll_call(last["id"], (parent, "present")).status_code == 200
    held = api.post(f"/sessions/{last['id']}/move", {"starts_at": "2025-10-10T19:00:00+02:00"})
    assert (held.status_code, held.json["error"]["code"]) == (409, "session_held")
