"""The proof verifier printed in docs/audit-chain.md ("Checking proofs against a checkpoint"), run
exactly as printed with the standard library only: on RFC 9162's tree test vectors, on proofs a
real store serves between two checkpoints, and on a rewritten store, whose proofs fail against
the checkpoint kept from before the rewrite."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from adapters.config import StoreConfig
from adapters.sealing import SealedRecorder
from betrokken.demo import SCHOOLS, DemoBuilder
from betrokken.system import open_service
from tests.audit.conftest import RawStore
from tests.audit.test_audit_checkpoints import reseal_from
from tests.audit.test_audit_merkle import CONSISTENCY, INCLUSION, LEAVES, ROOTS
from tests.helpers.api_client import Api, open_api
from tests.helpers.cli import run
from tests.helpers.doc_scripts import python3_script
from tests.helpers.processes import Processes

Verify = Callable[..., subprocess.CompletedProcess[str]]


@dataclass
class Served:
    """The API on a store with two checkpoints, and the first one's answer as an auditor kept it."""

    api: Api
    old: dict[str, Any]


def proof_verifier() -> str:
    """The document's proof verifier, exactly as printed."""
    code = python3_script("# verify_proofs.py\n")
    assert len(code.splitlines()) <= 47, "the proof verifier is meant to stay about 45 lines"
    return code


@pytest.fixture
def verify(tmp_path: Path, processes: Processes) -> Verify:
    """Save each JSON answer to a file and run the script on them: `verify(PROOF, CHECKPOINT, ...)`."""
    script = tmp_path / "verify_proofs.py"
    script.write_text(proof_verifier(), encoding="utf-8")
    numbers = count()

    def saved(answer: dict[str, Any]) -> str:
        path = tmp_path / f"answer-{next(numbers)}.json"
        path.write_text(json.dumps(answer), encoding="utf-8")
        return str(path)

    def run_script(*answers: dict[str, Any], key: str = "") -> subprocess.CompletedProcess[str]:
        # -I -S: no PYTHONPATH, no site-packages, so nothing of ours can be imported; with a
        # verifier key, only -I, so that the optional `cryptography` branch can run.
        argv = [sys.executable, "-I", *([] if key else ["-S"]), str(script), *map(saved, answers)]
        proc = processes.start(argv, env={"BETROKKEN_VERIFIER_KEY": key}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)

    return run_script


def unsigned(size: int, head: bytes) -> dict[str, Any]:
    """A checkpoint answer for a tree of the test vectors (its note without a signature)."""
    return {"note": f"rfc9162.example\n{size}\n{base64.b64encode(head).decode()}\n"}


def flipped(path: list[str], i: int = 0) -> list[str]:
    """The path with one byte of node i changed."""
    node = bytearray(bytes.fromhex(path[i]))
    node[7] ^= 0x01
    return [*path[:i], node.hex(), *path[i + 1:]]


# -- RFC 9162 / certificate-transparency test vectors ------------------------------------------


@pytest.mark.parametrize("index, size, path", INCLUSION)
def test_every_inclusion_vector_checks_and_a_wrong_leaf_or_node_does_not(verify, index, size, path):
    checkpoint = unsigned(size, ROOTS[size - 1])
    proof = {"index": index, "size": size, "leaf": LEAVES[index].hex(), "proof": path}
    ok = verify(proof, checkpoint)
    assert (ok.returncode, ok.stdout) == (0, f"OK: leaf {index} is in the tree of {size}\n"), ok.stderr
    wrong = [{**proof, "leaf": LEAVES[index + 1].hex()}, {**proof, "index": size}]
    wrong += [{**proof, "proof": flipped(path)}, {**proof, "proof": path[:-1]}] if path else []
    for bad in wrong:
        failed = verify(bad, checkpoint)
        assert failed.returncode == 1 and failed.stdout.startswith("FAILED: "), (bad, failed.stdout, failed.stderr)
    assert verify(proof, unsigned(size, ROOTS[size - 2] if size > 1 else ROOTS[1])).returncode == 1
    assert verify(proof).returncode == 1  # no checkpoint: nothing to check against


@pytest.mark.parametrize("m, n, path", CONSISTENCY)
def test_every_consistency_vector_checks_and_a_wrong_head_or_node_does_not(verify, m, n, path):
    proof = {"from": m, "to": n, "proof": path}
    old, new = unsigned(m, ROOTS[m - 1]), unsigned(n, ROOTS[n - 1])
    ok = verify(proof, old, new)
    assert (ok.returncode, ok.stdout) == (0, f"OK: the tree of {m} is the start of the tree of {n}\n"), ok.stderr
    other = ROOTS[m] if m < 8 else ROOTS[0]
    # m == n: the proof is empty, and it holds for any checkpoint of that size, none of another.
    wrong = [(proof, unsigned(m, other), new), (proof, old)] if m < n else [(proof, unsigned(m + 1, other))]
    wrong += [({**proof, "proof": flipped(path, i)}, old, new) for i in range(len(path))]
    wrong += [({**proof, "proof": path[:-1]}, old, new)] if path else []
    for answers in wrong:
        failed = verify(*answers)
        assert failed.returncode == 1 and failed.stdout.startswith("FAILED: "), (answers, failed.stdout, failed.stderr)


# -- proofs served for a real store ------------------------------------------------------------


@pytest.fixture
def served(sqlite_store: StoreConfig, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """One demo school, `audit checkpoint`, three more parents, `audit checkpoint` again."""
    for name in ("BETROKKEN_CHECKPOINT_LOG", "BETROKKEN_CHECKPOINT_KEY"):
        monkeypatch.delenv(name, raising=False)
    service = open_service(sqlite_store)
    try:
        DemoBuilder(service).build_school(SCHOOLS[0])
    finally:
        service.close()
    checkpoint(sqlite_store, monkeypatch)
    api = open_api(sqlite_store)
    old = api.get("/audit/checkpoint", user="auditor").json
    for i in range(3):
        api.parent(name=f"Ouder {i}")
    checkpoint(sqlite_store, monkeypatch)
    yield Served(api, old)
    api.app.extensions["betrokken"].close()


def checkpoint(config: StoreConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    made = run(config, monkeypatch, "audit", "checkpoint")
    assert made.exit_code == 0, made.output


def recorder_of(api: Api) -> SealedRecorder:
    recorder = api.service.recorder
    assert isinstance(recorder, SealedRecorder)
    return recorder


def inclusion(api: Api, position: int, size: int) -> dict[str, Any]:
    r = api.get("/audit/proof/inclusion", user="auditor", query_string={"position": position, "size": size})
    assert r.status_code == 200, r.json
    return dict(r.json)


def test_proofs_served_between_two_checkpoints_check(served, verify, sqlite_store, monkeypatch):
    old = served.old
    new = served.api.get("/audit/checkpoint", user="auditor").json
    seals = list(recorder_of(served.api).iter_seals())
    assert old["size"] > 100 and new["size"] == old["size"] + 3 == len(seals)
    for index in (0, 1, old["size"] // 2, old["size"] - 1, new["size"] - 1):
        for checkpoint_ in (old, new) if index < old["size"] else (new,):
            proof = inclusion(served.api, seals[index].position, checkpoint_["size"])
            assert verify(proof, checkpoint_).stdout == f"OK: leaf {index} is in the tree of {checkpoint_['size']}\n"
            by_seal = {k: v for k, v in proof.items() if k != "leaf"} | {"seal": seals[index].digest.hex()}
            assert verify(by_seal, checkpoint_).returncode == 0
            assert verify({**by_seal, "seal": seals[index - 1].digest.hex()}, checkpoint_).returncode == 1
            assert verify({**proof, "proof": flipped(proof["proof"], -1)}, checkpoint_).returncode == 1
    r = served.api.get("/audit/proof/consistency", user="auditor", query_string={"from": old["size"], "to": new["size"]})
    assert r.status_code == 200, r.json
    ok = verify(r.json, old, new)
    assert (ok.returncode, ok.stdout) == (0, f"OK: the tree of {old['size']} is the start of the tree of {new['size']}\n")
    assert verify({**r.json, "proof": flipped(r.json["proof"])}, old, new).returncode == 1
    # With `cryptography` at hand and the verifier key, the script checks the notes' signatures too.
    key = run(sqlite_store, monkeypatch, "audit", "checkpoint", "--public-key").output.strip()
    assert verify(r.json, old, new, key=key).returncode == 0
    forged = {"note": new["note"].replace(f"\n{new['size']}\n", f"\n{new['size'] - 1}\n")}
    refused = verify(r.json, old, forged, key=key)
    assert refused.returncode == 1 and "InvalidSignature" in refused.stderr


def test_proofs_from_a_rewritten_store_fail_against_the_checkpoint_kept_from_before(served, verify, sqlite_store, monkeypatch):
    old = served.old
    raw = RawStore(sqlite_store)
    state = bytearray(raw.state(4))
    state[len(state) // 2] ^= 0x01
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", bytes(state), 4)
    reseal_from(raw, served.api.service, 4)  # fresh seals: the chain alone looks intact
    positions = [s.position for s in recorder_of(served.api).iter_seals()]
    for index in (0, 3, old["size"] - 1):
        proof = inclusion(served.api, positions[index], old["size"])
        failed = verify(proof, old)
        assert (failed.returncode, failed.stdout) == (1, f"FAILED: leaf {index} is in the tree of {old['size']}\n")
    # The rewritten store's own head, signed afresh, is not an extension of the one kept.
    size = len(positions)
    fresh = served.api.get("/audit/proof/inclusion", user="auditor", query_string={"position": positions[-1], "size": size}).json
    new = {"note": f"{old['note'].split(chr(10))[0]}\n{size}\n{base64.b64encode(bytes.fromhex(fresh['root'])).decode()}\n"}
    assert verify(fresh, new).returncode == 0  # consistent in itself
    r = served.api.get("/audit/proof/consistency", user="auditor", query_string={"from": old["size"], "to": size})
    assert r.status_code == 200, r.json
    failed = verify(r.json, old, new)
    assert failed.returncode == 1 and failed.stdout.startswith("FAILED: "), failed.stdout
    assert verify({**r.json}, {"note": f"x\n{old['size']}\n{base64.b64encode(bytes.fromhex(r.json['from_root'])).decode()}\n"},
                  new).returncode == 0  # only against the rewritten store's own old head would it hold
