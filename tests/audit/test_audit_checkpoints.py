"""Signed checkpoints of the log's Merkle tree, on SQLite and PostgreSQL: a store cut below one, or
rewritten under one even with fresh seals, fails `audit verify` naming it; so does a tampered
signature; the key can come from the environment; a store without seals is refused until an
explicit, recorded `audit seal-unsealed`."""

from __future__ import annotations

import base64
import hashlib
import threading

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from adapters.checkpoints import CheckpointLog, current
from adapters.merkle import leaf_hash, root
from adapters.sealing import GENESIS, UnsealedStoreError, next_link
from adapters.signed_note import NoteKey, NoteVerifier
from adapters.verification import verify
from betrokken.checkpointer import Checkpointer
from betrokken.cli.main import cli
from betrokken.system import open_service

DASH = "\u2014 "


@pytest.fixture
def run(store, story, monkeypatch):
    monkeypatch.setenv("BETROKKEN_DATA_DIR", str(store.data_dir))
    monkeypatch.delenv("BETROKKEN_CHECKPOINT_KEY", raising=False)
    monkeypatch.delenv("BETROKKEN_CHECKPOINT_LOG", raising=False)
    if store.database_url:
        monkeypatch.setenv("BETROKKEN_DATABASE_URL", store.database_url)
    else:
        monkeypatch.delenv("BETROKKEN_DATABASE_URL", raising=False)
    return lambda *args: CliRunner().invoke(cli, list(args), catch_exceptions=False)


def checkpoint_log(store) -> str:
    return (store.data_dir / "checkpoints.log").read_text(encoding="utf-8")


def reseal_from(raw, service, position: int) -> None:
    """What someone with write access does after an edit: recompute every seal from here on."""
    link = GENESIS
    for record in service.recorder.iter_records():
        link = next_link(link, record)
        if record.position >= position:
            raw.sql(f"UPDATE {raw.seals} SET digest = ? WHERE position = ?", link, record.position)


def test_a_checkpoint_is_a_signed_note_an_outsider_can_check(run, store, service):
    made = run("audit", "checkpoint")
    assert made.exit_code == 0, made.output
    note = checkpoint_log(store)
    body, blank, signature = note.partition("\n\n")
    origin, size, head = body.split("\n")
    assert origin.startswith("betrokken.local/") and size == "7"
    seals = [s.digest for s in service.recorder.iter_seals()]
    assert base64.b64decode(head) == root([leaf_hash(s) for s in seals])
    assert origin == "betrokken.local/" + seals[0].hex()[:16]
    # The verifier key printed for auditors, and the signature line, read as C2SP specifies.
    vkey = run("audit", "checkpoint", "--public-key").output.strip()
    name, key_id, key = vkey.split("+", 2)
    public = base64.b64decode(key)[1:]
    assert name == origin and bytes.fromhex(key_id) == hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    assert signature.startswith(DASH + origin + " ")
    signed = base64.b64decode(signature.strip().rsplit(" ", 1)[1])
    assert signed[:4] == bytes.fromhex(key_id)
    Ed25519PublicKey.from_public_bytes(public).verify(signed[4:], (body + "\n").encode())
    ok = run("audit", "verify")
    assert ok.exit_code == 0 and "1 checkpoint holds" in ok.output


def test_a_log_cut_below_a_checkpoint_fails_verify_naming_it(run, store, raw, service, story):
    assert run("audit", "checkpoint").exit_code == 0
    story.service.register_parent(school="12AB", name="Ahmed", children=[])
    assert run("audit", "checkpoint").exit_code == 0  # size 8, on line 7 of the log (a note is 5 lines and a blank one)
    raw.sql(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", 8)
    raw.sql(f"DELETE FROM {raw.seals} WHERE position = ?", 8)
    assert verify(service.recorder).intact  # the chain alone cannot tell
    cut = run("audit", "verify")
    assert cut.exit_code == 1
    assert "line 7" in cut.output and "size 8" in cut.output and "cut below" in cut.output


def test_a_log_rewritten_with_fresh_seals_under_a_checkpoint_fails_verify(run, store, raw, service):
    assert run("audit", "checkpoint").exit_code == 0
    state = bytearray(raw.state(4))
    state[len(state) // 2] ^= 0x01
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", bytes(state), 4)
    reseal_from(raw, service, 4)
    assert verify(service.recorder).intact
    rewritten = run("audit", "verify")
    assert rewritten.exit_code == 1
    assert "line 1" in rewritten.output and "size 7" in rewritten.output and "rewritten" in rewritten.output


def test_a_tampered_signature_or_tree_head_fails(run, store):
    assert run("audit", "checkpoint").exit_code == 0
    path = store.data_dir / "checkpoints.log"
    note = path.read_text(encoding="utf-8")
    body, _, signature = note.partition("\n\n")
    origin, size, head = body.split("\n")
    forged = base64.b64encode(hashlib.sha256(b"another head").digest()).decode()
    path.write_text(f"{origin}\n{size}\n{forged}\n\n{signature}", encoding="utf-8")
    bad = run("audit", "verify")
    assert bad.exit_code == 1 and "line 1" in bad.output and "does not verify" in bad.output
    raw_sig = bytearray(base64.b64decode(signature.strip().rsplit(" ", 1)[1]))
    raw_sig[-1] ^= 1
    path.write_text(f"{body}\n\n{DASH}{origin} {base64.b64encode(bytes(raw_sig)).decode()}\n", encoding="utf-8")
    assert run("audit", "verify").exit_code == 1


def test_the_key_and_the_log_can_come_from_the_environment(run, store, tmp_path, monkeypatch):
    seed = bytes(range(32))
    monkeypatch.setenv("BETROKKEN_CHECKPOINT_KEY", base64.b64encode(seed).decode())
    published = tmp_path / "published" / "checkpoints.log"
    monkeypatch.setenv("BETROKKEN_CHECKPOINT_LOG", str(published))
    assert run("audit", "checkpoint").exit_code == 0
    assert not (store.data_dir / "checkpoint.key").exists() and not (store.data_dir / "checkpoints.log").exists()
    vkey = run("audit", "checkpoint", "--public-key").output.strip()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert base64.b64decode(vkey.split("+", 2)[2]) == b"\x01" + public
    assert run("audit", "verify").exit_code == 0
    monkeypatch.setenv("BETROKKEN_CHECKPOINT_KEY", base64.b64encode(bytes(32)).decode())  # another key
    other = run("audit", "verify")
    assert other.exit_code == 1 and "no signature" in other.output


def test_the_generated_key_is_private_to_its_owner(run, store):
    assert run("audit", "checkpoint").exit_code == 0
    assert (store.data_dir / "checkpoint.key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("drop", ["DELETE FROM {}", "DROP TABLE {}"])
def test_a_store_without_seals_is_refused_until_sealed_on_purpose(run, store, raw, service, drop):
    service.close()
    state = bytearray(raw.state(3))
    state[len(state) // 2] ^= 0x01  # an edit, then its evidence dropped
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", bytes(state), 3)
    raw.sql(drop.format(raw.seals))
    with pytest.raises(UnsealedStoreError):
        open_service(store)
    refused = run("audit", "verify")
    assert refused.exit_code == 1 and "no seals" in refused.output
    assert raw.sql(f"SELECT COUNT(*) FROM {raw.seals}")[0][0] == 0  # nothing sealed by trying
    sealed = run("audit", "seal-unsealed", "--reason", "seal table lost in the 2026-11 restore")
    assert sealed.exit_code == 0, sealed.output
    assert "7 sealed events" in sealed.output
    log = checkpoint_log(store)
    assert "# " in log and "seal table lost in the 2026-11 restore" in log
    assert run("audit", "verify").exit_code == 0


def test_seal_unsealed_wants_a_reason(run):
    assert run("audit", "seal-unsealed").exit_code == 2


def test_the_server_thread_appends_a_checkpoint_when_the_log_grew(store, story, service):
    log = CheckpointLog(store.data_dir / "checkpoints.log")
    worker = Checkpointer(service.recorder, bytes(32), log, interval=0.05)
    worker.start()
    try:
        wait_for(lambda: log.last_size() == 7)
        story.service.register_parent(school="12AB", name="Ahmed", children=[])
        wait_for(lambda: log.last_size() == 8)
    finally:
        worker.stop()
    assert not worker.is_alive()
    assert len(log.entries()) == 2  # nothing new while the log did not grow
    assert current(service.recorder).size == 8


def wait_for(condition, seconds: float = 10.0) -> None:
    done = threading.Event()
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        done.wait(0.02)
    raise AssertionError("timed out")


def test_serve_appends_checkpoints_while_it_runs_and_stops_cleanly(sqlite_store, processes):
    from tests.helpers.serve import Server, environment

    service = open_service(sqlite_store)
    service.register_parent(school="12AB", name="Fatima", children=[])
    service.close()
    env = {**environment(sqlite_store.data_dir), "BETROKKEN_CHECKPOINT_INTERVAL": "0.1"}
    server = Server(processes, env, threads=2)
    log = CheckpointLog(sqlite_store.data_dir / "checkpoints.log")
    wait_for(lambda: log.last_size() == 1)
    assert server.stop() == 0
    assert len(log.entries()) == 1  # the log did not grow after the first
    assert (sqlite_store.data_dir / "checkpoint.key").exists()


def test_an_outside_auditor_checks_a_published_log_with_the_published_key_only(run, store, raw, service, tmp_path):
    """`audit verify --checkpoints FILE --verifier-key KEY`: the store's own key file is neither
    needed nor read, a checkpoint signed by another key is refused, and a bad key is a usage error."""
    assert run("audit", "checkpoint").exit_code == 0
    published = tmp_path / "published-checkpoints.log"
    published.write_text(checkpoint_log(store), encoding="utf-8")
    key = run("audit", "checkpoint", "--public-key").output.strip()
    (store.data_dir / "checkpoints.log").unlink()
    (store.data_dir / "checkpoint.key").unlink()  # the auditor has the store, not its signing key
    ok = run("audit", "verify", "--checkpoints", str(published), "--verifier-key", key)
    assert ok.exit_code == 0 and "1 checkpoint holds" in ok.output, ok.output
    assert not (store.data_dir / "checkpoint.key").exists()
    # A checkpoint log signed by a key the auditor was not given fails.
    run("audit", "checkpoint")  # signs with a freshly generated key
    other = run("audit", "verify", "--checkpoints", str(store.data_dir / "checkpoints.log"), "--verifier-key", key)
    assert other.exit_code == 1 and "no signature by" in other.output
    # So does the published log once the store is rewritten under it.
    state = bytearray(raw.state(4))
    state[len(state) // 2] ^= 0x01
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", bytes(state), 4)
    reseal_from(raw, service, 4)
    rewritten = run("audit", "verify", "--checkpoints", str(published), "--verifier-key", key)
    assert rewritten.exit_code == 1 and "rewritten" in rewritten.output
    for bad in ("not-a-key", key[:-4] + "AAAA", key.replace("+", "+0", 1), key.replace("+", "", 1)):
        refused = run("audit", "verify", "--checkpoints", str(published), "--verifier-key", bad)
        assert refused.exit_code == 2 and "--verifier-key" in refused.output
    missing = run("audit", "verify", "--checkpoints", str(tmp_path / "none.log"))
    # The base64 of a key often holds "+" itself: keys are read as NAME+HEX+rest, never from the right.
    for seed in (bytes(range(32)), b"\xfb" * 32, b"\x3e" * 32):
        verifier = NoteKey("betrokken.local/0123456789abcdef", seed).verifier
        assert NoteVerifier.parse(verifier.verifier_key()) == verifier
    assert missing.exit_code == 2 and "--checkpoints" in missing.output
