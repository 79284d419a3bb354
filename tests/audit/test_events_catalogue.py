"""docs/events.md is what the code generates, and what it says holds for a real store: every
event the aggregates record is in it, with the keys and encodings its stored JSON really has."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID

import pytest

from adapters.config import StoreConfig
from adapters.delivery import DeliveryError, Outgoing
from application.messages import Draft, Messages
from application.schedules import move_session
from application.schools import register_school
from application.accounts import ACCOUNTS_FILE, Accounts
from application.programs import ProgramService
from application.rule_changes import change_rules
from application.trial import TrialService
from betrokken.catalogue import events
from betrokken.system import open_service
from tests.helpers.hashing import CHEAP_HASHER

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
CET = timezone(timedelta(hours=1))


def test_docs_events_md_is_what_the_code_generates() -> None:
    assert DOC.read_text(encoding="utf-8") == events.markdown(), (
        f"docs/events.md differs from the code; regenerate it: {events.REGENERATE}"
    )


def test_every_recorded_event_names_its_actor() -> None:
    for store in events.STORES:
        for aggregate in store.aggregates:
            for event in events.recorded_events(aggregate):
                assert "actor" in events.own_fields(event), event.__qualname__


# -- the document against a real store ---------------------------------------------------------


def documented() -> dict[str, list[tuple[str, str]]]:
    """Per stored topic, the documented (field path, stored as) rows, read from docs/events.md."""
    found: dict[str, list[tuple[str, str]]] = {}
    rows: list[tuple[str, str]] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := re.fullmatch(r"- topic: `(.+)`", line):
            rows = found.setdefault(m[1], [])
        elif rows is not None and (m := re.fullmatch(r"\| `([^`]+)` \| `.*?` \| (.+?) \| .* \|", line)):
            rows.append((m[1], m[2].replace("\\|", "|")))
    return found


def values_at(state: Any, path: str) -> Iterator[Any]:
    """The values a documented path names (`children[].name`: each child's name)."""
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    value = state.get(head.removesuffix("[]")) if isinstance(state, dict) else None
    items = (value or []) if many else [value]
    for item in items:
        if rest:
            yield from values_at(item, rest)
        else:
            yield item


def matches(value: Any, stored_as: str) -> bool:
    """Whether a stored JSON value is what the document's "stored as" cell says."""
    for alternative in stored_as.split(" or "):
        if alternative.startswith("array of "):
            if isinstance(value, list) and all(matches(v, alternative.removeprefix("array of ")) for v in value):
                return True
        elif m := re.fullmatch(r"`(\w+)` object", alternative):
            if isinstance(value, dict) and value.keys() == {"_type_", "_data_"} and value["_type_"] == m[1]:
                return True
        elif m := re.fullmatch(r"`([^`]+)` string \(encrypted.*\)", alternative):
            if isinstance(value, str) and value.startswith(m[1]):
                return True
        elif {
            "`null`": value is None,
            "string": isinstance(value, str),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "`true` / `false`": isinstance(value, bool),
            "object": isinstance(value, dict),
        }.get(alternative, False):
            return True
    return False


def record_every_event(config: StoreConfig) -> None:
    """One of each event the aggregates record, through the application as staff would."""
    service = open_service(config)
    try:
        parent = service.register_parent(school="12AB", name="Ouder", phone="0612345678", email=None,
                                         language="Turks", children=[("Kind", 3)])
        child = service.add_child(parent.id, name="Tweede kind", group=5)
        program = service.create_program(school="12AB", name="PACT", kind="pact", starts_on=date(2025, 10, 1),
                                         rewards={"per_session_cents": 500})
        service.enroll(program.id, parent_id=parent.id, child_id=child.id, enrolled_on=date(2025, 10, 1))
        held = service.schedule_session(program.id, title="Bijeenkomst", starts_at=datetime(2025, 10, 28, 19, tzinfo=CET),
                                        location="Ouderkamer", homework="Voorlezen", participants=[parent.id])
        service.take_roll_call(held.id, [(parent.id, "present")])
        service.record_homework(held.id, [(parent.id, True)])
        service.record_assessment(parent.id, program_id=program.id, child_id=child.id, name="Tussentoets",
                                  score=36, max_score=40, taken_on=date(2025, 11, 1))
        service.record_payout(program.id, parent_id=parent.id, amount_cents=500, method="cash")
        off = service.schedule_session(program.id, title="Vervalt", starts_at=datetime(2025, 11, 4, 19, tzinfo=CET))
        service.cancel_session(off.id, reason="trainer ziek")
        record_every_message_event(service, parent.id)
        service.withdraw(program.id, parent_id=parent.id, reason="verhuisd", withdrawn_on=date(2025, 11, 10))
        # corrections and the erasure requests that end otherwise than erased
        service.corrections.correct_parent(parent.id, changes={"phone": "0687654321"})
        service.corrections.correct_child(parent.id, child.id, group=6)
        service.corrections.start_school_year("12AB", on=date(2026, 8, 31))
        assessment = service.parent(parent.id).assessments[0]
        service.corrections.correct_assessment(parent.id, assessment.id, score=30, reason="overgenomen")
        service.corrections.reverse_payout(program.id, service.program(program.id).payouts[0].id, reason="dubbel")
        service.corrections.close_program(program.id, reason="afgerond", on=date(2026, 1, 31))
        service.corrections.reopen_program(program.id, reason="te vroeg")
        change_rules(service, program.id, effective_from=date(2025, 11, 1), rewards={"per_session_cents": 700},
                     reason="bestuursbesluit")
        service.corrections.hold_erasure(parent.id, until=date(2026, 3, 1), hold="decision", reason="verzoek")
        service.corrections.refuse_erasure(parent.id, refusal="geschil", reason="verzoek")
        service.corrections.record_access_report(parent.id)
        record_a_trial(service, parent.id, child.id)
        service.erase_parent(parent.id, reason="verzoek van de ouder")
        register_school(service, brin="12AB", name="De Regenboog", region="midden")
        later = service.schedule_session(program.id, title="Later", starts_at=datetime(2025, 11, 11, 19, tzinfo=CET))
        move_session(service, later.id, starts_at=datetime(2025, 11, 12, 19, tzinfo=CET))
    finally:
        service.close()
    accounts = Accounts(config, hasher=CHEAP_HASHER)
    try:
        accounts.add_user("trainer", "staff", ["12AB"], "een lang wachtwoord", actor="cli")
        accounts.issue_token("trainer")
        accounts.revoke_tokens("trainer")
        accounts.change_password("trainer", "nog een lang wachtwoord")
        accounts.disable("trainer")
    finally:
        accounts.close()


class Provider:
    """An SMS provider that accepts the first message and refuses the next."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, message: Outgoing) -> None:
        self.sent += 1
        if self.sent > 1:
            raise DeliveryError("rejected")

    def close(self) -> None:
        pass


def record_every_message_event(service, parent_id) -> None:
    """A message sent, one failed, one suppressed by an opt-out; the opt-out taken back."""
    messages = Messages(service, clock=lambda: datetime(2025, 11, 5, 10, tzinfo=CET))
    provider = Provider()
    for _ in range(2):
        sent = messages.write(Draft("informeren", "Beste {naam}"), parent_ids=[parent_id]).message_ids[parent_id]
        messages.deliver(parent_id, sent, {"sms": provider})
    messages.set_opt_out(parent_id, "sms", True)
    messages.write(Draft("aanmoedigen", "Goed bezig"), parent_ids=[parent_id])
    messages.set_opt_out(parent_id, "sms", False)
    messages.choose_delivery(parent_id, "digest")
def record_a_trial(service: ProgramService, parent_id: UUID, child_id: UUID) -> None:
    """The trial's events: arms, allocation, an assignment, an override, the fund, the lock."""
    trials = TrialService(service)
    arms = [{"name": "fund", "rewards": {"per_session_cents": 500, "payout": "education_fund"}}, {"name": "control"}]
    program = service.create_program(school="12AB", name="PACT-proef", kind="pact", starts_on=date(2025, 10, 1), arms=arms)
    trials.set_up_allocation(program.id, method="stratified_blocks", strata=["group"], block_sizes=[2], seed="zaad-1234")
    service.enroll(program.id, parent_id=parent_id, child_id=child_id, enrolled_on=date(2025, 10, 1))
    trials.change_arm(program.id, parent_id=parent_id, arm="fund", override=True, reason="broer al in fondsgroep")
    held = service.schedule_session(program.id, title="Proef", starts_at=datetime(2025, 10, 29, 19, tzinfo=CET))
    service.take_roll_call(held.id, [(parent_id, "present")])
    service.record_assessment(parent_id, program_id=program.id, child_id=child_id, name="CITO lezen", score=50,
                              max_score=100, taken_on=date(2025, 10, 2), instrument="cito_lezen", domain="cognitive",
                              moment="baseline")
    service.record_payout(program.id, parent_id=parent_id, amount_cents=500, method="education_fund")
    trials.release_fund(program.id, parent_id=parent_id, amount_cents=300, evidence="inschrijving mbo",
                        released_on=date(2031, 9, 1))
    trials.forfeit_fund(program.id, parent_id=parent_id, amount_cents=100, reason="verhuisd naar buitenland")
    trials.lock(program.id)


def stored(path: Path) -> list[tuple[str, dict[str, Any]]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT topic, state FROM stored_events ORDER BY rowid").fetchall()
    conn.close()
    return [(topic, json.loads(state)) for topic, state in rows]


@pytest.fixture(scope="module")
def stored_events(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    config = StoreConfig(data_dir=tmp_path_factory.mktemp("catalogue"))
    record_every_event(config)
    return stored(config.events_path) + stored(config.data_dir / ACCOUNTS_FILE)


def test_every_documented_event_is_in_a_store_recording_one_of_each(stored_events) -> None:
    assert {topic for topic, _ in stored_events} == set(documented()), (
        "record_every_event must record one of each event docs/events.md lists"
    )


def test_stored_json_has_the_documented_keys_in_order(stored_events) -> None:
    doc = documented()
    for topic, state in stored_events:
        top_level = [path for path, _ in doc[topic] if "." not in path]
        assert list(state) == top_level, topic


def test_stored_objects_have_the_documented_keys(stored_events) -> None:
    doc = documented()
    for topic, state in stored_events:
        paths = [path for path, _ in doc[topic]]
        for path, stored_as in doc[topic]:
            if stored_as not in ("object", "array of object"):
                continue
            keys = [p.split(".")[-1] for p in paths if p.rsplit(".", 1)[0] in (path, f"{path}[]") and "." in p]
            for value in values_at(state, path):
                for item in value if isinstance(value, list) else [value]:
                    assert list(item) == keys, f"{topic} {path}"


def test_stored_values_are_encoded_as_documented(stored_events) -> None:
    doc = documented()
    for topic, state in stored_events:
        for path, stored_as in doc[topic]:
            for value in values_at(state, path):
                assert matches(value, stored_as), f"{topic} {path}: {value!r} is not {stored_as}"
