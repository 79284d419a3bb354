"""docs/events.md, written from the code: every event the aggregates record, its stored topic and
class version, and each field's type, stored encoding and (for personal data) encryption."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, Iterator

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import get_topic

from adapters.config import EVENTS_FILE
from adapters.personal_data import ERASED, PERSONAL, PREFIX, PersonalFields
from application.accounts import ACCOUNTS_FILE, Accounts
from application.programs import ProgramService
from betrokken.catalogue import shapes
from betrokken.catalogue.notes import note
from domain.message import Mailbox
from domain.parent import Parent
from domain.rules import CompletionRule, RewardScheme
from domain.school import School
from domain.session import Session
from domain.training_program import TrainingProgram
from domain.user import User

REGENERATE = "python -m betrokken.catalogue events > docs/events.md"
COLUMNS = ("originator_id", "originator_version")
"""Stored as columns of the row, not in the JSON state."""
ENVELOPE = COLUMNS + ("timestamp", "originator_topic")
"""What eventsourcing gives every event; an event the domain records has fields of its own."""


@dataclass(frozen=True)
class Store:
    """One event store: the application writing it and the aggregates it holds."""

    application: type[Application]
    sqlite_file: str
    aggregates: tuple[type[Aggregate], ...]

    @property
    def postgres_table(self) -> str:
        """eventsourcing names an application's table on PostgreSQL after it."""
        return f"{self.application.name.lower()}_events"


STORES = (
    Store(ProgramService, EVENTS_FILE, (Parent, TrainingProgram, Session, Mailbox, School)),
    Store(Accounts, ACCOUNTS_FILE, (User,)),
)

SHAPES: dict[str, type] = {
    "TrainingProgram.Created.completion": CompletionRule,
    "TrainingProgram.Created.rewards": RewardScheme,
    "TrainingProgram.ArmsDefined.arms[].rewards": RewardScheme,
}
"""The keys of fields typed as a plain dict (a rule's settings, stored as the value object's dict)."""


def recorded_events(aggregate: type[Aggregate]) -> list[type[Aggregate.Event]]:
    """The events an aggregate records, in the order its code defines them: its nested event
    classes with fields of their own (the library's generic `Event` and `Created` have none)."""
    return [
        v for v in vars(aggregate).values()
        if isinstance(v, type) and issubclass(v, Aggregate.Event) and own_fields(v)
    ]


def own_fields(event: type) -> list[str]:
    return [f.name for f in dataclasses.fields(event) if f.name not in ENVELOPE]


def stored_fields(event: type) -> list[tuple[str, Any]]:
    """The keys of an event's stored JSON state and their types, in the order they are written."""
    hints = typing.get_type_hints(event)
    fields = [(f.name, hints[f.name]) for f in dataclasses.fields(event) if f.name not in COLUMNS]
    # the library's mapper writes the class version last, for a class above version 1
    return fields + ([("class_version", int)] if getattr(event, "class_version", 1) > 1 else [])


def personal_of(event: type) -> PersonalFields | None:
    return PERSONAL.get(get_topic(event))


class _KeyName(dict[str, Any]):
    """A state that answers every key with its name: shows which field a mapper reads."""

    def __missing__(self, key: str) -> str:
        return key


def owner_field(spec: PersonalFields) -> str:
    """The field naming the parent whose key encrypts the event's personal fields."""
    return str(spec.owner(_KeyName()))


def field_rows(transcoder: JSONTranscoder, event: type) -> Iterator[tuple[str, str, str, str]]:
    """(field, type, stored as, notes) for each key of the stored state, nested keys after their field."""
    spec = personal_of(event)
    personal = set(spec.fields) if spec else set()
    child_personal = {f"children[].{c}" for c in spec.child_fields} if spec else set()
    for name, tp in stored_fields(event):
        yield from _rows(transcoder, event, name, tp, personal | child_personal)


def _rows(
    transcoder: JSONTranscoder, event: type, path: str, tp: Any, personal: set[str]
) -> Iterator[tuple[str, str, str, str]]:
    if path in personal:
        stored = f"`{PREFIX}` string (encrypted: see *Personal data*)" + (" or `null`" if type(None) in shapes.arguments(tp) else "")
    else:
        stored = shapes.stored_text(transcoder, tp)
    yield f"`{path}`", f"`{shapes.type_text(tp)}`", stored, note(event.__qualname__, path)
    record = shape_of(event, path, tp)
    if record is not None:
        prefix = f"{path}[]" if typing.get_origin(tp) is list else path
        for key, key_tp in shapes.keys_of(record).items():
            yield from _rows(transcoder, event, f"{prefix}.{key}", key_tp, personal)


def shape_of(event: type, path: str, tp: Any) -> type | None:
    """The record whose keys a field's value has (None for a plain value); a dict field must
    have its shape named in SHAPES."""
    item = shapes.arguments(tp)[0] if typing.get_origin(tp) is list else tp
    if shapes.is_record(item):
        return typing.cast(type, item)
    if typing.get_origin(item) is dict:
        key = f"{event.__qualname__}.{path}"
        if key not in SHAPES:
            raise LookupError(f"{key} is a dict: name the record it holds in betrokken.catalogue.events.SHAPES")
        return SHAPES[key]
    return None


def event_section(store: Store, transcoder: JSONTranscoder, event: type) -> list[str]:
    """One event: its topic, version, personal data and fields."""
    version = getattr(event, "class_version", 1)
    upcasters = sorted(n for n in dir(event) if n.startswith("upcast_v"))
    spec = personal_of(event)
    lines = [
        f"### `{event.__qualname__}`",
        "",
        f"- topic: `{get_topic(event)}`",
        f"- class version: {version}" + (" (no `class_version` key is stored)" if version == 1 else
                                          f" (stored as `\"class_version\": {version}`; upcasters: "
                                          + ", ".join(f"`{u}`" for u in upcasters) + ")"),
        f"- store: `{store.sqlite_file}` / `{store.postgres_table}`",
    ]
    if spec is not None:
        fields = [f"`{f}`" for f in spec.fields] + [f"`children[].{f}`" for f in spec.child_fields]
        lines.append(f"- personal data: {', '.join(fields)}, encrypted with the key of the parent in "
                     f"`{owner_field(spec)}`")
    lines += ["", "| field | type | stored as | notes |", "| --- | --- | --- | --- |"]
    lines += [table_row(row) for row in field_rows(transcoder, event)]
    return lines + [""]


def table_row(cells: tuple[str, ...]) -> str:
    """A Markdown table row; a `|` inside a cell (`str | None`) is escaped."""
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def encodings_table(transcoder: JSONTranscoder) -> list[str]:
    """How each type appears in the stored JSON, the tagged ones shown by the transcoder itself."""
    used = sorted(
        {t for s in STORES for a in s.aggregates for e in recorded_events(a)
         for _, tp in stored_fields(e) for t in shapes.leaves(tp)} - {type(None)},
        key=lambda t: t.__name__,
    )
    lines = ["| type in the code | in the stored JSON | example |", "| --- | --- | --- |"]
    for tp in used:
        if tp in shapes.EXAMPLES:
            lines.append(f"| `{tp.__name__}` | `{shapes.tag_of(transcoder, tp)}` object: "
                         f"{shapes.TAGGED_MEANING[tp]} | `{shapes.example(transcoder, tp)}` |")
        elif tp in shapes.PLAIN:
            lines.append(f"| `{tp.__name__}` | {shapes.PLAIN[tp]} | |")
    return lines


def markdown() -> str:
    """The whole of docs/events.md."""
    transcoder = shapes.transcoder_of(STORES[0].application)
    lines = [
        "# The stored events",
        "",
        f"Generated from the code by `{REGENERATE}`; do not edit by hand:",
        "`tests/audit/test_events_catalogue.py` fails when this page and the code disagree.",
        "",
        "Every fact is one event, nested in the aggregate that records it and never changed once",
        "stored (how to change an event's shape safely: [evolving-events.md](evolving-events.md)).",
        "",
        "## How an event is stored",
        "",
        "One row per event. On SQLite the table `stored_events` of the store's file in the data",
        "directory; on PostgreSQL the table named below (eventsourcing names it after the application).",
        "",
        "| column | meaning |",
        "| --- | --- |",
        "| `originator_id` | the aggregate's id: 32 hex digits on SQLite, a `uuid` on PostgreSQL |",
        "| `originator_version` | 1 for the aggregate's first event, then 2, 3, ... |",
        "| `topic` | the event's class as `module:Class.Event` (the *topic* of each event below) |",
        "| `state` | the event's fields as compact UTF-8 JSON: the keys of the tables below, in that order |",
        "",
        "The position of an event in the log is SQLite's `rowid` of `stored_events` and PostgreSQL's",
        "`notification_id`. `timestamp` (when the event was recorded, in UTC) is in every state;",
        "`originator_topic` (the aggregate's class) only in an aggregate's first event.",
        "A class version of 1 is not written; a higher one is written as `\"class_version\": N`,",
        "and an older state is upcast when it is read.",
        "",
        "Snapshots of programmes and sessions (`stored_snapshots` on SQLite, named after the application",
        "on PostgreSQL) are a cache of the same facts: the aggregate's state at a version, its personal",
        "fields sealed like the events' (docs/snapshots.md). The audit and every export read the events.",
        "",
        "## How values are encoded",
        "",
        *encodings_table(transcoder),
        "",
        "`X | None` is X's encoding or `null`; `list[X]` an array; a record (a `TypedDict` or a",
        "rule's settings) an object with the nested keys listed under its field.",
        "",
        "## Personal data",
        "",
        "Names, contact details, the home language and free text about a parent are encrypted with",
        "that parent's own key (AES-256-GCM) before the event is stored: the value's JSON text is",
        f"encrypted and stored as `\"{PREFIX}\"` followed by the base64 of the 12-byte nonce, the",
        "ciphertext and the 16-byte tag. The associated data is the 16 bytes of the parent's id",
        "followed by the field's name in UTF-8 (`children.name` for a child's name), so a value",
        "cannot be moved to another parent or field. `null` stays `null`. After the parent's key",
        f"is destroyed (erasure) a personal field recorded about them is stored as `\"{ERASED}\"`;",
        "the encrypted ones already stored can no longer be read. Ids, dates, statuses, scores and",
        "amounts are never encrypted, so every figure can be recomputed without the keys.",
        "",
    ]
    for store in STORES:
        transcoder = shapes.transcoder_of(store.application)
        for aggregate in store.aggregates:
            lines += [f"## {aggregate.__name__}", "", (aggregate.__doc__ or "").strip(), ""]
            for event in recorded_events(aggregate):
                lines += event_section(store, transcoder, event)
    return "\n".join(lines).rstrip() + "\n"
