"""One installation, one master key: a host started with another is refused before it writes, and
a data key someone wrapped with another master key never breaks the listings or the scoping (the
directory reads schools without opening personal data)."""

from __future__ import annotations

import base64
import dataclasses
import os
import subprocess
from pathlib import Path

import pytest

from adapters.config import StoreConfig
from adapters.keystore import MasterKeyMismatch
from betrokken.system import open_service, open_system
from domain.parent import UNREADABLE
from tests.helpers.api_client import Api
from tests.helpers.hashing import CHEAP_HASHER
from tests.helpers.serve import BETROKKEN, environment


def with_master_key(config: StoreConfig, key: bytes) -> StoreConfig:
    return dataclasses.replace(config, settings={"BETROKKEN_MASTER_KEY": base64.urlsafe_b64encode(key).decode()})


def test_a_second_master_key_is_refused_even_before_any_parent_exists(store: StoreConfig) -> None:
    open_system(store, hasher=CHEAP_HASHER).close()  # the first host leaves the verifier
    with pytest.raises(MasterKeyMismatch, match="same BETROKKEN_MASTER_KEY"):
        open_system(with_master_key(store, os.urandom(32)), hasher=CHEAP_HASHER)
    open_system(store, hasher=CHEAP_HASHER).close()  # the right key still opens it


def test_a_key_wrapped_with_another_master_key_leaves_the_listings_and_scoping_whole(
    any_api: Api, store: StoreConfig
) -> None:
    mine = any_api.parent(name="Fatima Yilmaz")
    program = any_api.program()
    rogue = open_service(with_master_key(store, os.urandom(32)))  # as a split host did before the check
    try:
        theirs = rogue.register_parent(school="12AB", name="Noor de Vries", children=[("Daan", 5)])
    finally:
        rogue.close()
    listed = any_api.get("/parents")
    assert listed.status_code == 200, listed.json
    names = {p["id"]: p["name"] for p in listed.json["items"]}
    assert names[mine["id"]] == "Fatima Yilmaz" and names[str(theirs.id)] == UNREADABLE
    assert any_api.get("/programs").status_code == 200
    assert any_api.get(f"/parents/{theirs.id}", user="other_staff").status_code == 404  # scoping still works
    enrolled = any_api.post(f"/programs/{program['id']}/enrollments", {"parent_id": str(theirs.id), "enrolled_on": "2025-09-01"})
    assert enrolled.status_code == 201, enrolled.json  # no personal data to seal: goes ahead
    # personal data about that parent is never sealed under a key this host cannot open
    before = any_api.last_position()
    child = any_api.post(f"/parents/{theirs.id}/children", {"name": "Sara", "group": 4})
    assert child.status_code == 503 and child.json["error"]["code"] == "data_key_unavailable"
    assert any_api.last_position() == before


def test_serve_refuses_to_start_with_another_master_key(store: StoreConfig, tmp_path: Path) -> None:
    first = environment(store.data_dir, store.database_url)
    subprocess.run([BETROKKEN, "users", "add", "beheer", "--role", "admin", "--password-stdin"], env=first,
                   input="een-lang-wachtwoord-42\n", capture_output=True, text=True, check=True, timeout=120)
    open_system(store, hasher=CHEAP_HASHER).close()
    if store.database_url:  # another host: its own data directory, so its own generated master.key
        second = environment(tmp_path / "second-host", store.database_url)
    else:  # the same files, but someone replaced the master key
        (store.data_dir / "master.key").write_bytes(base64.urlsafe_b64encode(os.urandom(32)) + b"\n")
        second = first
    done = subprocess.run([BETROKKEN, "serve", "--host", "127.0.0.1", "--port", "0"], env=second,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "refusing to start" in done.stderr and "BETROKKEN_MASTER_KEY" in done.stderr
    assert "http://" not in done.stdout and "Traceback" not in done.stderr
