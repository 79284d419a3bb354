"""Lists across processes: a second service on the same store (as another `betrokken serve`)
registers and erases parents; the first one's pages and name search follow the log."""

from __future__ import annotations

import pytest

from application import listing
from application.actor import Actor
from application.paging import window
from betrokken.system import open_service

STAFF = Actor(name="ineke", role="staff", schools=frozenset({"12AB"}))
ADMIN = Actor(name="beheer", role="admin", schools=None)


def test_another_process_s_registrations_and_erasures_reach_this_one_s_search(store, service) -> None:
    kept = service.register_parent(school="12AB", name="Ayla Kaya").id
    assert listing.parents_page(service, STAFF, q="ayla").items == [kept]  # the name is now held here
    other = open_service(store)
    try:
        gone = other.register_parent(school="12AB", name="Ayla Demir").id
        other.register_parent(school="34CD", name="Ayla Elders")
        assert listing.parents_page(service, STAFF, q="AYLA").items == [kept, gone]
        other.erase_parent(gone, reason="verzoek van ouder")
    finally:
        other.close()
    assert listing.parents_page(service, STAFF, q="ayla").items == [kept]
    assert listing.parents_page(service, STAFF).items == [kept, gone]  # listed, read as "gewist"
    assert listing.parents_page(service, STAFF, q="gewist").items == []


def test_a_window_continues_after_its_cursor_and_goes_back_before_it() -> None:
    keyed = [((n,), f"item {n}") for n in range(0, 10, 2)]  # keys 0, 2, 4, 6, 8
    first = window(keyed, 2)
    assert first.items == ["item 0", "item 2"] and first.next == (2,) and first.previous is None
    second = window(keyed, 2, after=first.next)
    assert second.items == ["item 4", "item 6"] and second.previous == (4,)
    assert window(keyed, 2, before=second.previous).items == first.items
    last = window(keyed, 2, after=second.next)
    assert last.items == ["item 8"] and last.next is None
    assert window(keyed, 2, after=(3,)).items == ["item 4", "item 6"]  # a key no longer there: the next one on
    assert window(keyed, 2, after=(99,)).items == [] and window(keyed, 2, after=(99,)).next is None


@pytest.mark.parametrize("who", [STAFF, ADMIN], ids=["one by one", "in one pass"])
def test_a_parent_erased_while_the_search_reads_names_is_not_found(store, service, monkeypatch, who) -> None:
    target = service.register_parent(school="12AB", name="Ayla Demir").id
    for i in range(5):  # few to read of many: one by one; all of them: in one pass over the log
        service.register_parent(school="34CD", name=f"Elders {i}")
    other = open_service(store)
    read_many = service.names._read_many

    def read_then_erase_elsewhere(parent_ids, upto):  # type: ignore[no-untyped-def]
        names = read_many(parent_ids, upto)  # the names as they were...
        if names.get(target) is not None and not other.parent(target).erased:
            other.erase_parent(target, reason="verzoek van ouder")  # ...and the parent erased just after
        return names

    monkeypatch.setattr(service.names, "_read_many", read_then_erase_elsewhere)
    try:
        assert listing.parents_page(service, who, q="ayla").items == []
    finally:
        other.close()


def test_warming_reads_every_name_once_so_the_first_search_reads_none(store, service, monkeypatch) -> None:
    ids = [service.register_parent(school="12AB", name=f"Ouder {n}").id for n in range(5)]
    fresh = open_service(store)  # a process just started: nothing read yet
    try:
        assert fresh.names.warm() == 5
        reads: list[object] = []
        monkeypatch.setattr(fresh.names, "_read_many", lambda wanted, upto: reads.append(wanted) or {})
        monkeypatch.setattr(fresh.names, "_read", lambda parent_id: reads.append(parent_id))
        assert listing.parents_page(fresh, STAFF, q="ouder 3").items == [ids[3]]
        assert reads == [[]]  # nothing was missing
    finally:
        fresh.close()
