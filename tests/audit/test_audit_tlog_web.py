"""GET /audit/checkpoint and /audit/proof/inclusion|consistency: auditors only; the proofs check
with RFC 9162's verification against the signed checkpoint's tree head."""

from __future__ import annotations

import base64
from typing import Iterator

import pytest

from adapters.checkpoints import CheckpointLog, append_checkpoint
from adapters.merkle import verify_consistency, verify_inclusion
from tests.helpers.api_client import Api, open_api


@pytest.fixture
def api(store, monkeypatch) -> Iterator[Api]:
    monkeypatch.delenv("BETROKKEN_CHECKPOINT_LOG", raising=False)
    monkeypatch.delenv("BETROKKEN_CHECKPOINT_KEY", raising=False)
    opened = open_api(store)
    for _ in range(3):
        opened.parent()
    yield opened
    opened.app.extensions["betrokken"].close()


def test_proofs_check_against_the_signed_checkpoint(api, store):
    system = api.app.extensions["betrokken"]
    assert api.get("/audit/checkpoint", user="auditor").status_code == 404
    append_checkpoint(system.service.recorder, store.checkpoint_seed(), CheckpointLog(store.checkpoint_log()))
    signed = api.get("/audit/checkpoint", user="auditor")
    assert signed.status_code == 200, signed.json
    size, head = signed.json["size"], base64.b64decode(signed.json["root"])
    assert signed.json["note"] == (store.data_dir / "checkpoints.log").read_text().rstrip("\n") + "\n"
    positions = [s.position for s in system.service.recorder.iter_seals()]
    assert len(positions) == size >= 3
    for index, position in enumerate(positions):
        r = api.get("/audit/proof/inclusion", user="auditor", query_string={"position": position, "size": size})
        assert r.status_code == 200, r.json
        assert r.json["index"] == index and bytes.fromhex(r.json["root"]) == head
        proof = [bytes.fromhex(h) for h in r.json["proof"]]
        assert verify_inclusion(bytes.fromhex(r.json["leaf"]), index, size, proof, head)
    for m in range(1, size + 1):
        r = api.get("/audit/proof/consistency", user="auditor", query_string={"from": m, "to": size})
        assert r.status_code == 200, r.json
        proof = [bytes.fromhex(h) for h in r.json["proof"]]
        assert verify_consistency(m, size, bytes.fromhex(r.json["from_root"]), head, proof)


def test_only_auditors_and_sizes_that_exist(api):
    assert api.get("/audit/proof/consistency", user="staff", query_string={"from": 1, "to": 2}).status_code == 403
    too_big = api.get("/audit/proof/consistency", user="auditor", query_string={"from": 1, "to": 10**6})
    assert too_big.status_code == 422
    nowhere = api.get("/audit/proof/inclusion", user="auditor", query_string={"position": 10**6, "size": 1})
    assert nowhere.status_code == 422
