"""GET /api/v1/audit/chain: every position with its seal, the events of the caller's schools and
only the record digests of others'; the verifier printed in docs/audit-chain.md ("Verifying over
HTTP with a limited scope") reproduces `audit digest` from it without seeing another school."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests

from adapters.config import StoreConfig
from adapters.sealing import SealedRecorder, canonical_bytes
from betrokken.demo import SCHOOLS, DemoBuilder
from betrokken.system import open_service
from tests.helpers.api_client import OTHER_SCHOOL, SCHOOL, Api, open_api
from tests.helpers.doc_scripts import python3_script
from tests.helpers.processes import Processes
from tests.helpers.serve import Server, add_user, cli, environment


def scope_verifier() -> str:
    """The document's scoped verifier, exactly as printed."""
    return python3_script('"""Verify Betrokken\'s chain as GET /api/v1/audit/chain serves it')


# -- the endpoint, in process ------------------------------------------------------------------


@pytest.fixture
def api(store: StoreConfig) -> Iterator[Api]:
    opened = open_api(store)
    yield opened
    opened.app.extensions["betrokken"].close()


def whole_chain(api: Api, user: str, limit: int = 500) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:
        r = api.get("/audit/chain", user=user, query_string={"after": after, "limit": limit})
        assert r.status_code == 200, r.json
        items += r.json["items"]
        after = r.json["next"]
    return items


def test_a_scoped_auditor_gets_every_position_with_the_other_schools_events_only_as_digests(api):
    ours = api.parent()
    theirs = api.parent(school=OTHER_SCHOOL, user="other_staff", name="Jan de Vries")
    recorder = api.service.recorder
    assert isinstance(recorder, SealedRecorder)
    records = list(recorder.iter_records())
    items = whole_chain(api, "auditor")
    assert [i["position"] for i in items] == [r.position for r in records]
    assert [i["seal"] for i in items] == [s.digest.hex() for s in recorder.iter_seals()]
    for item, record in zip(items, records):
        if str(record.originator_id).replace("-", "") == ours["id"].replace("-", ""):
            assert set(item) == {"position", "seal", "event"}
            assert item["event"] == {"aggregate_id": ours["id"], "version": record.originator_version,
                                     "topic": record.topic, "state": base64.b64encode(record.state).decode()}
        else:
            assert set(item) == {"position", "seal", "content_digest"}
            assert item["content_digest"] == hashlib.sha256(canonical_bytes(record)).hexdigest()
    text = json.dumps(items)
    assert theirs["id"] not in text and theirs["id"].replace("-", "") not in text
    assert all("event" in i for i in whole_chain(api, "admin"))


def test_the_chain_pages_like_the_log(api):
    for i in range(3):
        api.parent(name=f"Ouder {i}")
    every = whole_chain(api, "admin")
    assert len(every) == 3 and whole_chain(api, "admin", limit=1) == every
    first = api.get("/audit/chain", user="admin", query_string={"limit": 2}).json
    assert first["items"] == every[:2] and first["next"] == every[1]["position"]
    rest = api.get("/audit/chain", user="admin", query_string={"after": first["next"]}).json
    assert rest == {"items": every[2:], "next": None}
    for bad in ({"limit": 0}, {"limit": 1001}, {"after": -1}, {"limit": "viel"}):
        assert api.get("/audit/chain", user="auditor", query_string=bad).status_code == 422


# -- the document's verifier against a live server -----------------------------------------------


Verify = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def verify(tmp_path: Path, processes: Processes) -> Verify:
    """The scoped verifier saved as a script and run with the standard library only."""
    script = tmp_path / "verify_scope.py"
    script.write_text(scope_verifier(), encoding="utf-8")

    def run(*args: str, token: str = "") -> subprocess.CompletedProcess[str]:
        # -I -S: no PYTHONPATH, no site-packages, so nothing of ours can be imported.
        argv = [sys.executable, "-I", "-S", str(script), *args]
        proc = processes.start(argv, env={"BETROKKEN_TOKEN": token}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)

    return run


@pytest.fixture
def two_schools(sqlite_store: StoreConfig) -> dict[str, Any]:
    """The demo's first two schools; what the store holds of the second (ids, names, states)."""
    service = open_service(sqlite_store)
    try:
        builder = DemoBuilder(service)
        for school in SCHOOLS:
            if school.brin in (SCHOOL, OTHER_SCHOOL):
                builder.build_school(school)
        school_of = service.directory.school_of_each()
        theirs = {a for a, brin in school_of.items() if brin == OTHER_SCHOOL}
        recorder = service.recorder
        assert isinstance(recorder, SealedRecorder)
        states = [base64.b64encode(r.state).decode() for r in recorder.iter_records()
                  if str(r.originator_id).replace("-", "") in {a.hex for a in theirs}]
        names = [service.repository.get(a).name for a in service.directory.parents_of(frozenset({OTHER_SCHOOL}))]
    finally:
        service.close()
    secrets = [*(str(a) for a in theirs), *(a.hex for a in theirs), *names, *states]
    assert len(theirs) > 10 and len(names) > 5 and len(states) > 300
    return {"config": sqlite_store, "secrets": secrets, "school_name": "Het Palet"}


def test_an_auditor_of_one_school_verifies_the_whole_chain_and_sees_nothing_of_the_other(two_schools, processes, verify, tmp_path):
    env = environment(two_schools["config"].data_dir)
    auditor = add_user(env, "controleur", "auditor", SCHOOL)
    admin = add_user(env, "beheer", "admin")
    head = cli(env, "audit", "digest").stdout
    server = Server(processes, env, threads=2)
    try:
        saved = tmp_path / "chain.json"
        scoped = verify(server.url, str(saved), token=auditor)
        assert (scoped.returncode, scoped.stdout) == (0, head), scoped.stderr
        shown, total = map(int, re.match(r"(\d+) of (\d+) links recomputed", scoped.stderr).groups())  # type: ignore[union-attr]
        assert 0 < shown < total and f"{total}:" in head
        full = verify(server.url, token=admin)
        assert (full.returncode, full.stdout) == (0, head) and full.stderr.startswith(f"{total} of {total} ")

        # Every answer the auditor can get, byte for byte: nothing of the other school in it.
        answers, after = [], 0
        while after is not None:
            r = requests.get(f"{server.url}/audit/chain", params={"after": after},
                             headers={"Authorization": f"Bearer {auditor}"}, timeout=30)
            answers.append(r.text)
            after = r.json()["next"]
    finally:
        assert server.stop() == 0
    seen = "".join(answers) + json.dumps([json.loads(a) for a in answers], ensure_ascii=False)
    leaked = [s for s in [*two_schools["secrets"], two_schools["school_name"]] if s in seen]
    assert leaked == []
    assert verify(str(saved)).stdout == head  # the saved download verifies again without the server


def test_the_verifier_names_an_altered_event_and_a_forged_seal_before_it(verify, tmp_path):
    chain = [{"position": 1, "seal": "", "content_digest": "ab" * 32}, {"position": 2, "seal": "", "event": {
        "aggregate_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "version": 1,
        "topic": "domain.parent:Parent.Registered", "state": "eyJzY2hvb2wiOiIxMkFCIn0="}}]
    first = bytes.fromhex("11" * 32)
    record = bytes.fromhex("0000000000000002" "00000020") + b"0190a1b2c3d47e5f8a9b0c1d2e3f4a5b" + bytes.fromhex(
        "0000000000000001" "0000001f") + b"domain.parent:Parent.Registered" + bytes.fromhex("00000011") + b'{"school":"12AB"}'
    chain[0]["seal"], chain[1]["seal"] = first.hex(), hashlib.sha256(first + record).hexdigest()

    def verdict(items: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "chain.json"
        path.write_text(json.dumps({"items": items}), encoding="utf-8")
        return verify(str(path))

    assert verdict(chain).stdout == f"2:{chain[1]['seal']}\n"
    forged = [{**chain[0], "seal": "22" * 32}, chain[1]]  # an out-of-scope seal changed: the next link breaks
    edited = [chain[0], {**chain[1], "event": {**chain[1]["event"], "version": 2}}]
    unsealed = [chain[0], {**chain[1], "seal": None}]
    for items, position in ((forged, 2), (edited, 2), (unsealed, 2), ([chain[0], chain[0]], 1)):
        result = verdict(items)
        assert result.returncode == 1 and result.stderr.startswith(f"ALTERED at position {position}:"), result.stderr


def test_the_proof_verifier_takes_proofs_and_checkpoints_straight_from_the_server(two_schools, processes, tmp_path):
    """verify_proofs.py with URLs: an auditor's token in $BETROKKEN_TOKEN, the answers read from
    the server itself, one checkpoint kept as a file from an earlier visit."""
    from tests.audit.test_audit_proof_verifier import proof_verifier

    script = tmp_path / "verify_proofs.py"
    script.write_text(proof_verifier(), encoding="utf-8")
    env = environment(two_schools["config"].data_dir)
    auditor = add_user(env, "controleur", "auditor", SCHOOL)
    admin = add_user(env, "beheer", "admin")
    cli(env, "audit", "checkpoint")
    server = Server(processes, env, threads=2)

    def verify(*sources: str, token: str = auditor) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-I", "-S", str(script), *sources]
        proc = processes.start(argv, env={"BETROKKEN_TOKEN": token}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)

    try:
        kept = tmp_path / "checkpoint-earlier.json"
        auth = {"Authorization": f"Bearer {auditor}"}
        kept.write_text(requests.get(f"{server.url}/audit/checkpoint", headers=auth, timeout=30).text, encoding="utf-8")
        m = json.loads(kept.read_text(encoding="utf-8"))["size"]
        added = requests.post(f"{server.url}/parents", json={"school": SCHOOL, "name": "Noor", "children": []},
                              headers={"Authorization": f"Bearer {admin}"}, timeout=30)
        assert added.status_code == 201, added.text
        cli(env, "audit", "checkpoint")
        latest = f"{server.url}/audit/checkpoint"
        n = requests.get(latest, headers=auth, timeout=30).json()["size"]
        assert n == m + 1
        position = requests.get(f"{server.url}/audit/chain", params={"after": 0, "limit": 5}, headers=auth, timeout=30).json()["items"][2]["position"]

        included = verify(f"{server.url}/audit/proof/inclusion?position={position}&size={n}", latest)
        assert (included.returncode, included.stdout) == (0, f"OK: leaf 2 is in the tree of {n}\n"), included.stderr
        grew = verify(f"{server.url}/audit/proof/consistency?from={m}&to={n}", str(kept), latest)
        assert (grew.returncode, grew.stdout) == (0, f"OK: the tree of {m} is the start of the tree of {n}\n"), grew.stderr
        # Without a valid token the server answers 401, and the script fails rather than passing.
        refused = verify(f"{server.url}/audit/proof/consistency?from={m}&to={n}", str(kept), latest, token="nope")
        assert refused.returncode != 0 and "401" in refused.stderr
    finally:
        assert server.stop() == 0
