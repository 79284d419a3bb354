"""The paged lists (contract, Additions *Lists*): `?limit&after` answered as `{items, next}`,
`q` searching parents' names within the caller's schools, `school` filtering; bad input 422."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.api_client import OTHER_SCHOOL, SCHOOL, Api, Programme
from tests.web.test_api_errors import assert_error


def every_page(api: Api, path: str, user: str = "staff", **params: Any) -> tuple[list[dict[str, Any]], int]:
    """All items of a list read page by page, and the number of pages it took."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    pages = 0
    while True:
        query = {**params, **({"after": after} if after else {})}
        r = api.get(path, user=user, query_string=query)
        assert r.status_code == 200, r.json
        assert set(r.json) == {"items", "next"}
        items += r.json["items"]
        pages += 1
        after = r.json["next"]
        if after is None:
            return items, pages
        assert isinstance(after, str) and r.json["items"], "a page with a next has items"


def test_parents_page_in_order_of_registration_and_nothing_is_lost_or_repeated(any_api: Api) -> None:
    ids = [any_api.parent(name=f"Ouder {i}")["id"] for i in range(7)]
    listed, pages = every_page(any_api, "/parents", limit=3)
    assert [p["id"] for p in listed] == ids and pages == 3
    # a parent registered while paging shows up at the end, the pages before are unchanged
    first = any_api.get("/parents", query_string={"limit": 3}).json
    new = any_api.parent(name="Later")["id"]
    rest, _ = every_page(any_api, "/parents", limit=3, after=first["next"])
    assert [p["id"] for p in first["items"] + rest] == [*ids, new]


def test_the_default_page_is_50_and_the_last_page_has_no_next(api: Api) -> None:
    for i in range(51):
        api.parent(name=f"Ouder {i}")
    first = api.get("/parents").json
    assert len(first["items"]) == 50 and first["next"]
    last = api.get("/parents", query_string={"after": first["next"]}).json
    assert len(last["items"]) == 1 and last["next"] is None


def test_programmes_come_20_a_page_unless_asked_for_more(api: Api) -> None:
    for _ in range(21):
        api.program()
    first = api.get("/programs").json
    assert len(first["items"]) == 20 and first["next"]
    assert len(api.get("/programs", query_string={"limit": 21}).json["items"]) == 21


def test_searching_parents_by_name_ignores_case_and_accents_and_stays_within_my_schools(api: Api) -> None:
    mine = api.parent(name="Fatma Özdemir")["id"]
    api.parent(name="Jan de Vries")
    api.parent(school=OTHER_SCHOOL, user="admin", name="Fatma Ozdemir")  # not in staff's school
    found = api.get("/parents", query_string={"q": "ozdem"}).json
    assert [p["id"] for p in found["items"]] == [mine] and found["next"] is None
    assert len(api.get("/parents", user="admin", query_string={"q": "OZDEMIR"}).json["items"]) == 2
    assert api.get("/parents", query_string={"q": "niemand"}).json == {"items": [], "next": None}


def test_search_follows_corrections_and_never_finds_an_erased_parent(api: Api) -> None:
    kept = api.parent(name="Ayla Kaya")["id"]
    gone = api.parent(name="Ayla Demir")["id"]
    assert len(api.get("/parents", query_string={"q": "ayla"}).json["items"]) == 2  # the names are now known
    r = api.post(f"/parents/{gone}/erasure", {"reason": "verzoek van ouder"}, user="admin")
    assert r.status_code == 200, r.json
    assert [p["id"] for p in api.get("/parents", query_string={"q": "ayla"}).json["items"]] == [kept]
    assert api.get("/parents", query_string={"q": "gewist"}).json["items"] == []


def test_a_search_pages_like_the_whole_list(api: Api) -> None:
    ids = [api.parent(name=f"Noor {i}")["id"] for i in range(5)]
    api.parent(name="Sem")
    listed, pages = every_page(api, "/parents", limit=2, q="noor")
    assert [p["id"] for p in listed] == ids and pages == 3


def test_school_filters_parents_and_programmes_and_another_school_is_empty(api: Api) -> None:
    here = api.parent()["id"]
    there = api.parent(school=OTHER_SCHOOL, user="admin")["id"]
    assert [p["id"] for p in api.get("/parents", user="admin", query_string={"school": OTHER_SCHOOL}).json["items"]] == [there]
    assert [p["id"] for p in api.get("/parents", query_string={"school": SCHOOL}).json["items"]] == [here]
    assert api.get("/parents", query_string={"school": OTHER_SCHOOL}).json["items"] == []  # not staff's school
    mine = api.program()["id"]
    api.program(school=OTHER_SCHOOL, user="admin")
    assert [p["id"] for p in api.get("/programs", user="admin", query_string={"school": SCHOOL}).json["items"]] == [mine]
    assert api.get("/programs", query_string={"school": OTHER_SCHOOL}).json["items"] == []


def test_programmes_and_sessions_page(api: Api, programme: Programme) -> None:
    more = [api.program()["id"] for _ in range(2)]
    programs, pages = every_page(api, "/programs", limit=2)
    assert [p["id"] for p in programs] == [programme.program_id, *more] and pages == 2
    assert all("session_ids" in p for p in programs)
    starts = ["2025-10-06T19:00:00+02:00", "2025-09-01T19:00:00+02:00", "2025-09-15T18:00:00+01:00"]
    made = [api.session(programme.program_id, starts_at=s)["id"] for s in starts]
    sessions, pages = every_page(api, f"/programs/{programme.program_id}/sessions", limit=2)
    assert [s["id"] for s in sessions] == [made[1], programme.session_id, made[2], made[0]] and pages == 2


@pytest.mark.parametrize("query", [
    {"limit": 0}, {"limit": 501}, {"limit": "ten"}, {"after": "not-a-cursor"}, {"after": "W10"},
    {"after": "eyJ4IjoxfQ"}, {"after": "x" * 300}, {"school": "nope"}, {"q": "x" * 501},
])
def test_bad_paging_input_is_a_422_naming_the_field(api: Api, query: dict[str, Any]) -> None:
    error = assert_error(api.get("/parents", query_string=query), 422)
    assert set(error["fields"]) == set(query)


def test_a_cursor_of_another_list_is_refused(api: Api, programme: Programme) -> None:
    for _ in range(2):
        api.session(programme.program_id)
    cursor = api.get(f"/programs/{programme.program_id}/sessions", query_string={"limit": 1}).json["next"]
    assert cursor
    assert_error(api.get("/parents", query_string={"after": cursor}), 422)
    assert_error(api.get(f"/programs/{programme.program_id}/sessions", query_string={"after": "MQ"}), 422)


def test_the_openapi_document_describes_the_pages(api: Api) -> None:
    doc = api.client.get("/api/v1/openapi.json").json
    schemas = doc["components"]["schemas"]
    for path, page in [("/api/v1/parents", "ParentPage"), ("/api/v1/programs", "ProgramPage"),
                       ("/api/v1/programs/{program_id}/sessions", "SessionPage")]:
        operation = doc["paths"][path]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(page)
        assert {"limit", "after"} <= {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert set(schemas[page]["properties"]) == {"items", "next"}
    names = {p["name"] for p in doc["paths"]["/api/v1/parents"]["get"]["parameters"]}
    assert {"q", "school"} <= names
