"""Personal data is encrypted per parent; erasure destroys the key and keeps every figure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from betrokken.system import open_service
from adapters.personal_data import ERASED
from tests.oracle import figures


def files_of(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())


def test_names_and_contacts_are_never_stored_in_clear(sqlite_store):
    svc = open_service(sqlite_store)
    svc.register_parent(school="12AB", name="Zeynep Kaya-Uniek", phone="0612345678", email="zeynep@example.nl",
                        children=[("Elif Uniekenaam", 4)])
    svc.close()
    stored = files_of(sqlite_store.data_dir)
    for secret in (b"Zeynep", b"0612345678", b"zeynep@example", b"Elif Uniekenaam"):
        assert secret not in stored


def test_erasure_leaves_a_readable_history_with_the_personal_fields_gone(store, pact):
    svc = pact.service
    parent_id = pact.parents[0]
    svc.take_roll_call(pact.session_id, [(parent_id, "present")])
    svc.withdraw(pact.program_id, parent_id=parent_id, withdrawn_on=date(2026, 10, 1), reason="Gezin verhuist naar Tilburg")
    before = figures(svc, pact.program_id, parent_id)
    svc.erase_parent(parent_id, reason="Verzoek van ouder (art. 17 AVG)")

    for service in (svc, open_service(store)):  # this process, and a fresh one
        parent = service.parent(parent_id)
        assert parent.erased and parent.name == ERASED and parent.phone is None
        assert all(c.name == ERASED for c in parent.children.values())
        program = service.program(pact.program_id)
        assert program.enrolments[parent_id][0].reason == ERASED
        assert figures(service, pact.program_id, parent_id) == before
        types = [type(e).__name__ for e in service.events.get(parent_id)]
        assert types[-1] == "Erased"
    # Other parents keep their data.
    assert svc.parent(pact.parents[1]).name == "Ouder 1"


def test_erasing_twice_records_one_erasure(pact):
    svc = pact.service
    svc.erase_parent(pact.parents[0], reason="verzoek")
    svc.erase_parent(pact.parents[0], reason="verzoek")
    types = [type(e).__name__ for e in svc.events.get(pact.parents[0])]
    assert types.count("Erased") == 1


def test_after_erasure_no_file_of_the_store_holds_the_key(sqlite_store):
    svc = open_service(sqlite_store)
    parent = svc.register_parent(school="12AB", name="Te wissen", children=[("Kind", 2)])
    wrapped = svc.keys.table.select(parent.id)
    assert wrapped is not None and wrapped in files_of(sqlite_store.data_dir)
    svc.erase_parent(parent.id, reason="verzoek")
    assert wrapped not in files_of(sqlite_store.data_dir)
    svc.close()


def test_personal_data_recorded_after_erasure_is_not_kept_readable(store, pact):
    """A destroyed key is never made again: a later withdrawal reason or child's name reads as erased."""
    svc = pact.service
    parent_id = pact.parents[0]
    svc.erase_parent(parent_id, reason="Verzoek van ouder (art. 17 AVG)")
    svc.withdraw(pact.program_id, parent_id=parent_id, withdrawn_on=date(2026, 10, 1), reason="Verhuisd naar Kerkstraat 5")
    svc.add_child(parent_id, name="Nieuw Kindnaam", group=4)
    for service in (svc, open_service(store)):  # this process, and a fresh one
        assert service.program(pact.program_id).enrolments[parent_id][0].reason == ERASED
        assert all(c.name == ERASED for c in service.parent(parent_id).children.values())
    assert svc.keys.key_for(parent_id) is None
    if not store.is_postgres:
        stored = files_of(store.data_dir)
        assert b"Kerkstraat" not in stored and b"Kindnaam" not in stored
