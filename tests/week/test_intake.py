"""Bulk intake: a school administration's CSV, all or nothing, every bad row named; many parents
enrolled in one call, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.config import StoreConfig
from application.intake import parse_parents
from domain.errors import ImportRejectedError
from tests.helpers.api_client import Api
from tests.helpers.cli import run
from betrokken.system import open_system


def administration(rows: int, bad_line: int | None = None) -> str:
    """A 200-row export: one row per child, every fourth parent with a second child (a row more)."""
    lines = ["naam;telefoon;email;taal;kind;groep"]
    parent = 0
    while len(lines) <= rows:
        parent += 1
        lines.append(f"Ouder {parent};06-{10000000 + parent};ouder{parent}@voorbeeld.nl;Nederlands;Kind {parent};{parent % 8 + 1}")
        if parent % 4 == 0 and len(lines) <= rows:
            lines.append(f"Ouder {parent};06-{10000000 + parent};;;Broer {parent};{(parent + 3) % 8 + 1}")
    if bad_line is not None:
        cells = lines[bad_line - 1].split(";")
        cells[5] = "negen"
        lines[bad_line - 1] = ";".join(cells)
    return "\n".join(lines) + "\n"


def parents_of(config: StoreConfig) -> int:
    system = open_system(config)
    try:
        return len(system.service.parents())
    finally:
        system.close()


def test_a_200_row_import_with_one_bad_row_stores_nothing_then_the_fixed_file_imports(
    sqlite_store: StoreConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "leerlingen.csv"
    path.write_text(administration(200, bad_line=137), encoding="utf-8")
    refused = run(sqlite_store, monkeypatch, "parents", "import", str(path), "--school", "12AB")
    assert refused.exit_code != 0
    assert "regel 137, kolom groep" in refused.output and "niets geïmporteerd" in refused.output
    assert parents_of(sqlite_store) == 0
    path.write_text(administration(200), encoding="utf-8")
    done = run(sqlite_store, monkeypatch, "parents", "import", str(path), "--school", "12AB")
    assert done.exit_code == 0, done.output
    assert "160 ouders met 200 kinderen" in done.output  # 200 rows: 160 parents, 40 of them with two children
    assert parents_of(sqlite_store) == 160
    again = run(sqlite_store, monkeypatch, "parents", "import", str(path), "--school", "12AB")
    assert again.exit_code != 0 and "al geregistreerd" in again.output
    assert parents_of(sqlite_store) == 160


def test_english_headers_commas_and_every_problem_named() -> None:
    good = "name,phone,email,language,child,group\nAmina,0612345678,a@b.nl,Arabisch,Sara,3\nAmina,0612345678,,,Omar,Groep 5b\n"
    [amina] = parse_parents(good, "12AB")
    assert (amina.name, amina.email, amina.children) == ("Amina", "a@b.nl", [("Sara", 3), ("Omar", 5)])
    bad = ("naam,telefoon,email,taal,kind,groep\n"
           "Amina,bellen,a@b,NL,Sara,3\n"
           ",0612345678,,,Omar,9\n"
           "Amina,bellen,,NL,Sara,3\n")
    with pytest.raises(ImportRejectedError) as refused:
        parse_parents(bad, "12AB")
    problems = {(p["line"], p["column"]) for p in refused.value.problems}
    assert problems == {(2, "telefoon"), (2, "email"), (3, "naam"), (3, "groep"), (4, "telefoon"), (4, "kind")}
    with pytest.raises(ImportRejectedError) as unknown:
        parse_parents("naam;adres;kind;groep\nA;Dorpsstraat 1;B;2\n", "12AB")
    assert [(p["line"], p["column"]) for p in unknown.value.details["problems"]] == [(1, "adres")]  # type: ignore[union-attr]


def test_many_parents_are_enrolled_in_one_call_or_none(api: Api) -> None:
    program = api.program()["id"]
    ids = [api.parent(name=f"Ouder {i}")["id"] for i in range(3)]
    other = api.parent(school="34CD", user="admin")["id"]
    before = api.last_position()
    refused = api.post(f"/programs/{program}/enrollments", {"parent_ids": [*ids, other]})
    assert refused.status_code == 404
    assert api.last_position() == before
    assert api.post(f"/programs/{program}/enrollments", {"parent_ids": ids, "parent_id": ids[0]}).status_code == 422
    assert api.post(f"/programs/{program}/enrollments", {"parent_ids": []}).status_code == 422
    r = api.post(f"/programs/{program}/enrollments", {"parent_ids": ids, "enrolled_on": "2025-09-01"})
    assert r.status_code == 201, r.json
    assert [e["parent_id"] for e in r.json] == ids and all(e["enrolled_on"] == "2025-09-01" for e in r.json)
    twice = api.post(f"/programs/{program}/enrollments", {"parent_ids": [ids[0]]})
    assert (twice.status_code, twice.json["error"]["code"]) == (409, "already_enrolled")


def test_a_bulk_enrolment_repeated_with_its_idempotency_key_answers_the_same(api: Api) -> None:
    program = api.program()["id"]
    ids = [api.parent(name=f"Ouder {i}")["id"] for i in range(2)]
    body = {"parent_ids": ids, "enrolled_on": "2025-09-01"}
    first = api.post(f"/programs/{program}/enrollments", body, headers={"Idempotency-Key": "bulk-1"})
    before = api.last_position()
    again = api.post(f"/programs/{program}/enrollments", body, headers={"Idempotency-Key": "bulk-1"})
    assert (first.status_code, again.status_code) == (201, 201) and first.json == again.json
    assert api.last_position() == before
