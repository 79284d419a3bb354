"""The auditors' pages: the filtered event log, the timeline with the state at any version, and
the check of the log's hash chain; for auditors and admins of their schools only."""

from __future__ import annotations

import html
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import web.staff.audit_pages as audit_pages
from application.actor import Actor
from application.audit import AuditLog, LogFilter
from tests.ui.conftest import World, post

PAGES = ("/audit/log", "/audit/verify")
ROW = re.compile(r'<tr>\s*<td class="num">(\d+)</td>')


def positions(page: str) -> list[int]:
    """The log positions listed on a log page, in order."""
    return [int(p) for p in ROW.findall(page)]


def log_rows(page: str) -> list[str]:
    """The rows of the log table as HTML fragments."""
    body = page.split('<table id="log">', 1)[1].split("</table>", 1)[0] if '<table id="log">' in page else ""
    return body.split("<tr>")[2:]


def correct_the_roll_call(client_as, world: World) -> None:  # type: ignore[no-untyped-def]
    """The trainer marks parent A absent, then corrects it to present."""
    trainer = client_as("trainer")
    post(trainer, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "absent"})
    post(trainer, f"/sessions/{world.session_1}", {f"status-{world.parent_a}": "present"})


# -- who may see them --------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["controle", "beheer"])
def test_every_auditor_page_renders_for_auditors_and_admins_and_is_in_their_menu(world: World, client_as, user: str) -> None:
    client = client_as(user)
    for url in (*PAGES, f"/audit/aggregates/{world.program_id}"):
        response = client.get(url)
        assert response.status_code == 200, url
    home = client.get("/").get_data(as_text=True)
    assert 'href="/audit/log"' in home and 'href="/audit/verify"' in home


@pytest.mark.parametrize("user", ["trainer", "analist"])
def test_other_roles_neither_see_the_auditor_pages_nor_may_open_them(world: World, client_as, user: str) -> None:
    client = client_as(user)
    for url in (*PAGES, f"/audit/aggregates/{world.program_id}", f"/audit/aggregates/{world.program_id}?version=1"):
        assert client.get(url).status_code == 403, url
    home = client.get("/").get_data(as_text=True)
    assert "/audit/log" not in home and "/audit/verify" not in home


def test_an_aggregate_of_another_school_is_not_found_for_an_auditor(world: World, client_as) -> None:
    client = client_as("controle")
    for url in (f"/audit/aggregates/{world.other_program_id}", f"/audit/aggregates/{world.other_session}?version=1",
                f"/audit/aggregates/{world.other_parent}?as_of=2030-01-01T00:00"):
        assert client.get(url).status_code == 404, url
    assert client_as("beheer").get(f"/audit/aggregates/{world.other_program_id}").status_code == 200


# -- the log -----------------------------------------------------------------------------------

def test_the_log_lists_events_with_their_time_type_actor_and_a_link_to_the_timeline(world: World, client_as) -> None:
    page = client_as("controle").get("/audit/log").get_data(as_text=True)
    assert f'href="/audit/aggregates/{world.program_id}"' in page
    assert "TrainingProgram.Created" in page and "Parent.Registered" in page and "beheer" in page
    # Dutch date format: a weekday and month abbreviation, day first, 24-hour time
    assert re.search(r"\b(ma|di|wo|do|vr|za|zo) \d{1,2} \w+ \d{4} \d{2}:\d{2}\b", page)
    # the auditor of 12AB never sees the other school's records
    assert str(world.other_program_id) not in page and str(world.other_parent) not in page
    assert str(world.other_program_id) in client_as("beheer").get("/audit/log").get_data(as_text=True)


def test_the_log_filters_by_event_type(world: World, client_as) -> None:
    page = client_as("controle").get("/audit/log?type=TrainingProgram.ParentEnrolled").get_data(as_text=True)
    rows = log_rows(page)
    assert len(rows) == 2 and all("TrainingProgram.ParentEnrolled" in r for r in rows)
    assert '<option value="TrainingProgram.ParentEnrolled" selected>' in page
    response = client_as("controle").get("/audit/log?type=Nonsense.Happened")
    assert response.status_code == 422 and "Onbekend soort feit" in response.get_data(as_text=True)


def test_the_log_filters_by_actor(world: World, client_as) -> None:
    correct_the_roll_call(client_as, world)
    client = client_as("controle")
    rows = log_rows(client.get("/audit/log?actor=trainer").get_data(as_text=True))
    assert len(rows) == 2 and all("Session.AttendanceRecorded" in r and "<td>trainer</td>" in r for r in rows)
    assert log_rows(client.get("/audit/log?actor=TRAINER").get_data(as_text=True)) == rows
    assert log_rows(client.get("/audit/log?actor=trainer2").get_data(as_text=True)) == []
    everything = log_rows(client.get("/audit/log").get_data(as_text=True))
    by_admin = log_rows(client.get("/audit/log?actor=beheer").get_data(as_text=True))
    assert len(by_admin) == len(everything) - 2


def test_the_log_filters_by_dates_inclusive(world: World, client_as) -> None:
    client = client_as("controle")
    today = date.today()
    everything = positions(client.get("/audit/log").get_data(as_text=True))
    assert positions(client.get(f"/audit/log?from={today}&to={today}").get_data(as_text=True)) == everything
    assert positions(client.get(f"/audit/log?from={today}").get_data(as_text=True)) == everything
    assert positions(client.get(f"/audit/log?to={today - timedelta(days=1)}").get_data(as_text=True)) == []
    assert positions(client.get(f"/audit/log?from={today + timedelta(days=1)}").get_data(as_text=True)) == []
    combined = client.get(f"/audit/log?from={today}&type=Session.Scheduled&actor=beheer").get_data(as_text=True)
    assert len(log_rows(combined)) == 2
    bad = client.get("/audit/log?from=31-12-2025")
    assert bad.status_code == 422 and "JJJJ-MM-DD" in bad.get_data(as_text=True)
    backwards = client.get(f"/audit/log?from={today}&to={today - timedelta(days=3)}")
    assert backwards.status_code == 422


def test_the_log_pages_forward_by_position_with_volgende(world: World, client_as, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_pages, "LOG_PAGE", 3)
    client = client_as("beheer")
    seen: list[int] = []
    url: str | None = "/audit/log"
    while url:
        page = client.get(url).get_data(as_text=True)
        found = positions(page)
        assert 0 < len(found) <= 3
        seen += found
        link = re.search(r'<a class="button" href="([^"]+)" rel="next">Volgende</a>', page)
        url = link.group(1).replace("&amp;", "&") if link else None
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert seen == list(range(1, len(seen) + 1))  # the admin sees every position, none skipped


def test_a_filtered_log_pages_forward_keeping_its_filter(world: World, client_as, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_pages, "LOG_PAGE", 1)
    client = client_as("controle")
    page = client.get("/audit/log?type=Session.Scheduled").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" rel="next">Volgende', page)
    assert link and "type=Session.Scheduled" in link.group(1)
    second = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(log_rows(second)) == 1 and "Session.Scheduled" in log_rows(second)[0]
    assert positions(second) > positions(page)
    # a full page cannot know whether more matches follow; the next one says so, and ends
    link = re.search(r'href="([^"]+)" rel="next">Volgende', second)
    assert link
    third = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert log_rows(third) == [] and "Geen feiten gevonden" in third and 'rel="next"' not in third


def test_a_filtered_read_stops_at_its_scan_budget_and_says_where_to_continue(app: Flask, world: World) -> None:
    log = AuditLog(app.extensions["betrokken"].service)
    wanted = LogFilter(type="Session.Scheduled")
    all_matches = log.search(wanted, limit=100).items
    assert [e.type for e in all_matches] == ["Session.Scheduled"] * 3
    first = log.search(wanted, limit=100, budget=2)
    assert first.budget_spent and first.items == [] and first.next == 2
    found, after = [], 0
    while True:  # continuing from each answer finds exactly what one long scan finds
        page = log.search(wanted, after=after, limit=100, budget=2)
        found += page.items
        if page.next is None:
            break
        after = page.next
    assert found == all_matches
    scoped = log.search(wanted, limit=100, schools=frozenset({"12AB"}))
    assert len(scoped.items) == 2 and scoped.next is None and not scoped.budget_spent


# -- the timeline and the state at a version ---------------------------------------------------

def test_the_timeline_shows_version_type_time_actor_and_data(world: World, client_as) -> None:
    correct_the_roll_call(client_as, world)
    page = client_as("controle").get(f"/audit/aggregates/{world.session_1}").get_data(as_text=True)
    timeline = page.split('<table id="timeline">')[1].split("</table>")[0]
    assert timeline.count("Session.AttendanceRecorded") == 2 and "Session.Scheduled" in timeline
    assert '<td class="num">3</td>' in timeline and "<td>trainer</td>" in timeline
    assert "<dt>status</dt><dd>absent</dd>" in timeline and "<dt>status</dt><dd>present</dd>" in timeline
    assert re.search(r"<time datetime=\"[^\"]+\">\w+ \d{1,2} \w+ \d{4} \d{2}:\d{2}</time>", timeline)


def test_the_state_at_an_older_version_shows_the_value_before_the_correction(world: World, client_as) -> None:
    correct_the_roll_call(client_as, world)
    client = client_as("controle")
    current = html.unescape(client.get(f"/audit/aggregates/{world.session_1}").get_data(as_text=True))
    state = current.split('id="state-h"')[1]
    assert "Toestand na versie 3" in state and "huidig" in state
    assert f'"{world.parent_a}": "present"' in state and '"absent"' not in state
    older = html.unescape(client.get(f"/audit/aggregates/{world.session_1}?version=2").get_data(as_text=True))
    state = older.split('id="state-h"')[1]
    assert "Toestand na versie 2" in state and "huidig" not in state.split("</h2>")[0]
    assert f'"{world.parent_a}": "absent"' in state
    assert '<option value="2" selected>' in older
    created = client.get(f"/audit/aggregates/{world.session_1}?version=1").get_data(as_text=True)
    assert "<dt>attendance</dt><dd><pre class=\"value\">{}</pre>" in created


def test_the_state_at_a_moment_and_refusals_of_impossible_versions(world: World, client_as) -> None:
    client = client_as("controle")
    url = f"/audit/aggregates/{world.program_id}"
    later = client.get(f"{url}?as_of=2999-01-01T00:00").get_data(as_text=True)
    assert "Toestand na versie 3" in later  # created, and two parents enrolled
    before = client.get(f"{url}?as_of=2000-01-01T00:00")
    assert before.status_code == 404 and "bestond op dat moment nog niet" in before.get_data(as_text=True)
    assert "TrainingProgram.Created" in before.get_data(as_text=True)  # the timeline is still shown
    assert client.get(f"{url}?version=99").status_code == 404
    assert client.get(f"{url}?version=twee").status_code == 422
    assert client.get(f"{url}?as_of=gisteren").status_code == 422
    assert client.get(f"{url}?version=1&as_of=2999-01-01T00:00").status_code == 422


# -- the chain check ---------------------------------------------------------------------------

def _digest(page: str) -> str:
    found = re.search(r'<code id="digest" class="digest">(\d+:[0-9a-f]{64})</code>', page)
    assert found, page
    return found.group(1)


def test_verify_shows_an_intact_log_with_its_head_to_keep(app: Flask, world: World, client_as) -> None:
    for user in ("controle", "beheer"):
        page = client_as(user).get("/audit/verify").get_data(as_text=True)
        head = app.extensions["betrokken"].service.recorder.head()
        assert "Intact" in page and _digest(page) == str(head)
        assert f'<dd id="head-position">{head.position}</dd>' in page
    client = client_as("controle")
    kept = _digest(client.get("/audit/verify").get_data(as_text=True))
    correct_the_roll_call(client_as, world)  # the log grows: it still extends the kept head
    page = client.get(f"/audit/verify?digest={kept}").get_data(as_text=True)
    assert "Intact" in page and "bewaarde vingerafdruk" in page
    bad = client.get("/audit/verify?digest=12:abc")
    assert bad.status_code == 422 and "POSITIE:HEX" in bad.get_data(as_text=True)


def test_verify_names_the_first_altered_position_after_a_stored_event_is_tampered_with(
    app: Flask, world: World, client_as, tmp_path: Path
) -> None:
    client = client_as("controle")
    kept = _digest(client.get("/audit/verify").get_data(as_text=True))
    db = sqlite3.connect(tmp_path / "data" / "events.sqlite")
    with db:
        db.execute("UPDATE stored_events SET state = zeroblob(16) WHERE rowid = 4")
    db.close()
    response = client.get("/audit/verify")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Gewijzigd" in page and "Intact" not in page
    assert '<strong id="first-bad-position">4</strong>' in page
    assert "wijkt af van wat is verzegeld" in page
    page = client.get(f"/audit/verify?digest={kept}").get_data(as_text=True)
    assert '<strong id="first-bad-position">4</strong>' in page


# -- English -----------------------------------------------------------------------------------

def test_the_auditor_pages_speak_english_on_request(world: World, client_as) -> None:
    client: FlaskClient = client_as("controle")
    post(client, "/language", {"lang": "en", "next": "/"})
    log = client.get("/audit/log").get_data(as_text=True)
    assert "Event log" in log and "Search" in log and "Logboek" not in log
    verify = client.get("/audit/verify").get_data(as_text=True)
    assert "Intact" in verify and "Check the event log" in verify
    timeline = client.get(f"/audit/aggregates/{world.program_id}").get_data(as_text=True)
    assert "Show state" in timeline and "current" in timeline


def test_positions_and_versions_beyond_any_stored_are_an_answer_not_a_500(world: World, client_as) -> None:
    client = client_as("controle")
    assert client.get("/audit/log?after=99999999999999999999999999").status_code == 200
    for version, status in (("99999999999999999999999", 422), ("²", 422), ("9007199254740992", 404)):
        assert client.get(f"/audit/aggregates/{world.program_id}?version={version}").status_code == status
