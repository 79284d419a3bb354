"""Bulk intake: parents and children from a school administration's CSV export, and many
parents enrolled at once. Both are all or nothing: one bad row (or parent) and nothing is stored.

The CSV has a header row with `naam, telefoon, email, taal, kind, groep` (or `name, phone,
email, language, child, group`; `brin`/`school` optional), separated by `,` or `;`, one row per
child; rows with the same parent name and phone are one parent. Every problem is named with its
line (the header is line 1) and column, in Dutch, for the coordinator who fixes the file."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from application.actor import SYSTEM, Actor
from application.clock import today
from application import trial
from application.programs import ProgramService
from domain.errors import ImportRejectedError
from domain.limits import (
    BRIN_PATTERN, MAX_GROUP, MAX_IMPORT_ROWS, MAX_SHORT_TEXT, MAX_TEXT, MIN_GROUP,
    is_email, is_phone,
)
from domain.parent import Parent
from domain.training_program import TrainingProgram

COLUMNS = {  # the column as the file may name it -> ours
    "naam": "name", "name": "name", "telefoon": "phone", "phone": "phone", "email": "email", "e-mail": "email",
    "taal": "language", "language": "language", "kind": "child", "child": "child", "groep": "group",
    "group": "group", "brin": "school", "school": "school",
}
REQUIRED = ("name", "child", "group")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell of the file (line 1 is the header)."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"regel {self.line}, kolom {self.column}: {self.message}"


@dataclass
class ImportedParent:
    """A parent as the file describes them, with the line they first appear on."""

    line: int
    school: str
    name: str
    phone: str | None
    email: str | None
    language: str | None
    children: list[tuple[str, int]] = field(default_factory=list)


def rejected(problems: list[Problem]) -> ImportRejectedError:
    """The refusal naming every problem (the first ones in the message, all in `problems`)."""
    shown = "; ".join(str(p) for p in problems[:10])
    more = f" (en nog {len(problems) - 10})" if len(problems) > 10 else ""
    return ImportRejectedError(
        f"niets geïmporteerd: {shown}{more}", problems=[{"line": p.line, "column": p.column, "message": p.message} for p in problems]
    )


def _dialect(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read_rows(text: str) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]]]:
    """The file's columns (ours -> as written) and its data rows with their line numbers."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=_dialect(text))
    header = next(reader, None)
    if not header:
        raise rejected([Problem(1, "-", "het bestand is leeg; de eerste regel noemt de kolommen")])
    names = {COLUMNS.get(h.strip().lower(), ""): h.strip() for h in header}
    unknown = [h.strip() for h in header if h.strip().lower() not in COLUMNS]
    missing = [c for c in REQUIRED if c not in names]
    problems = [Problem(1, h or "(leeg)", "onbekende kolom") for h in unknown]
    problems += [Problem(1, c, "deze kolom ontbreekt (naam, kind en groep zijn nodig)") for c in missing]
    if problems:
        raise rejected(problems)
    positions = {h.strip().lower(): i for i, h in enumerate(header)}
    rows: list[tuple[int, dict[str, str]]] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise rejected([Problem(reader.line_num, "-", f"meer dan {MAX_IMPORT_ROWS} regels; splits het bestand")])
        row = {ours: (cells[positions[written.lower()]].strip() if positions[written.lower()] < len(cells) else "")
               for ours, written in names.items() if ours}
        rows.append((reader.line_num, row))
    return names, rows


def parse_parents(text: str, school: str | None) -> list[ImportedParent]:
    """The parents in the file, each once with their children; refused with every problem named."""
    names, rows = read_rows(text)
    problems: list[Problem] = []
    parents: dict[tuple[str, str, str], ImportedParent] = {}
    seen_children: dict[tuple[str, str, str, str], int] = {}
    for line, row in rows:
        def bad(column: str, message: str) -> None:
            problems.append(Problem(line, names[column], message))
        brin = row.get("school") or school or ""
        if not re.fullmatch(BRIN_PATTERN, brin):
            problems.append(Problem(line, names.get("school", "brin"),
                                    "geen BRIN-code (twee cijfers en twee hoofdletters of cijfers, bijv. 12AB); geef --school BRIN"))
        name, phone, email = row["name"], row.get("phone", ""), row.get("email", "")
        if not name:
            bad("name", "de naam van de ouder ontbreekt")
        elif len(name) > MAX_TEXT:
            bad("name", f"de naam is langer dan {MAX_TEXT} tekens")
        if phone and not is_phone(phone):
            bad("phone", "geen telefoonnummer (bijv. 06-12345678 of +31 6 12345678)")
        if email and not is_email(email):
            bad("email", "geen e-mailadres (bijv. naam@voorbeeld.nl)")
        if len(row.get("language", "")) > MAX_SHORT_TEXT:
            bad("language", f"de taal is langer dan {MAX_SHORT_TEXT} tekens")
        child, group_text = row["child"], row["group"]
        if not child:
            bad("child", "de naam van het kind ontbreekt (één regel per kind)")
        found = re.fullmatch(r"(?:groep\s*)?([0-9]{1,2})[a-z]?", group_text, re.IGNORECASE)  # 3, 5b, Groep 7
        group = int(found.group(1)) if found else 0
        if not MIN_GROUP <= group <= MAX_GROUP:
            bad("group", f"de groep is een getal van {MIN_GROUP} tot en met {MAX_GROUP}, niet '{group_text}'")
        key = (brin, name.casefold(), re.sub(r"\D", "", phone))
        parent = parents.setdefault(key, ImportedParent(line, brin, name, phone or None, email or None,
                                                        row.get("language") or None))
        if email and parent.email and email.casefold() != parent.email.casefold():
            bad("email", f"een ander e-mailadres dan op regel {parent.line} voor dezelfde ouder")
        parent.email = parent.email or email or None
        first = seen_children.setdefault((*key, child.casefold()), line)
        if first != line:
            bad("child", f"dubbele regel: dit kind van deze ouder staat al op regel {first}")
        elif MIN_GROUP <= group <= MAX_GROUP and child:
            parent.children.append((child, group))
    if problems:
        raise rejected(problems)
    return list(parents.values())


def already_registered(service: ProgramService, found: list[ImportedParent], actor: Actor) -> list[Problem]:
    """The parents of the file who are registered at their school already (same name and phone)."""
    schools = {p.school for p in found}
    known = {
        (p.school, p.name.casefold(), re.sub(r"\D", "", p.phone or "")): p.id
        for p in service.parents(actor) if p.school in schools and not p.erased
    }
    return [
        Problem(p.line, "naam", f"deze ouder staat al geregistreerd (id {known[k]})")
        for p in found if (k := (p.school, p.name.casefold(), re.sub(r"\D", "", p.phone or ""))) in known
    ]


def import_parents(service: ProgramService, text: str, *, school: str | None = None, actor: Actor = SYSTEM) -> list[Parent]:
    """Register every parent of the file with their children, in one go, or none of them."""
    found = parse_parents(text, school)
    for brin in {p.school for p in found}:
        actor.ensure_may_see(brin, "school", brin)
    duplicates = already_registered(service, found, actor)
    if duplicates:
        raise rejected(duplicates)
    parents = [
        Parent.register(school=p.school, name=p.name, phone=p.phone, email=p.email, language=p.language,
                        children=p.children, actor=actor.name)
        for p in found
    ]
    if parents:
        service._save(*parents)  # one recording: all of them or none
    return parents


def enroll_many(
    service: ProgramService,
    program_id: UUID,
    parent_ids: list[UUID],
    *,
    enrolled_on: date | None = None,
    actor: Actor = SYSTEM,
) -> TrainingProgram:
    """Enrol many parents of the programme's school at once; one refusal and none is enrolled."""
    def command() -> TrainingProgram:
        program = service.program(program_id, actor)
        for parent_id in parent_ids:
            parent = service.parent(parent_id, actor)
            program.enroll(parent_id=parent_id, parent_school=parent.school, child_id=None,
                           enrolled_on=enrolled_on or today(), actor=actor.name)
            trial.allocate(service.seeds, program, parent, None, actor.name)  # a trial's next slot, if any
        service._save(program)
        return program
    return service._retrying(command, program_id)
