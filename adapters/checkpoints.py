"""The transparency log beside the chain: an RFC 6962 tree whose leaves are the seals, in log
order, and a text file of signed checkpoints of it that can be kept and published apart from the
store. A store cut below a checkpoint, or rewritten (even with fresh seals) under one, no longer
has that checkpoint's tree head; `verify_checkpoints` names the first such checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from adapters.merkle import ProofError, TreeHeads, consistency_proof, inclusion_proof, leaf_hash, root
from adapters.sealing import SealedRecorder
from adapters.signed_note import DASH, Checkpoint, NoteError, NoteKey, NoteVerifier

ORIGIN_PREFIX = "betrokken.local/"


def origin_of(recorder: SealedRecorder) -> str | None:
    """The log's name in its checkpoints: `betrokken.local/` and the first 16 hex digits of the
    first seal (the same after `events export` / `import` moves the store); None when empty."""
    first = recorder.select_digests(0, 1)
    return ORIGIN_PREFIX + first[0][1].hex()[:16] if first else None


def leaves(recorder: SealedRecorder) -> list[bytes]:
    """The tree's leaf hashes: leaf i is SHA-256(0x00 || the seal of the (i+1)-th event)."""
    return [leaf_hash(seal.digest) for seal in recorder.iter_seals()]


def current(recorder: SealedRecorder) -> Checkpoint | None:
    """The checkpoint of the store as it is now (None for an empty log)."""
    origin = origin_of(recorder)
    if origin is None:
        return None
    heads = TreeHeads()
    for seal in recorder.iter_seals():
        heads.append(leaf_hash(seal.digest))
    return Checkpoint(origin, heads.size, heads.root())


@dataclass(frozen=True)
class Inclusion:
    """The proof that the event at `position` is leaf `index` of the tree of `size` with head `root`."""

    position: int
    index: int
    size: int
    leaf: bytes
    root: bytes
    proof: list[bytes]


@dataclass(frozen=True)
class Consistency:
    """The proof that the tree of size `old` (head `old_root`) is a prefix of that of size `new`."""

    old: int
    new: int
    old_root: bytes
    new_root: bytes
    proof: list[bytes]


def inclusion(recorder: SealedRecorder, position: int, size: int) -> Inclusion:
    """The inclusion proof of the event at `position` in the store's tree of `size` leaves;
    ProofError when that position is not among the first `size` sealed events."""
    seals = list(recorder.iter_seals())
    if not 0 < size <= len(seals):
        raise ProofError(f"the tree has {len(seals)} leaves, not {size}")
    index = next((i for i, seal in enumerate(seals[:size]) if seal.position == position), None)
    if index is None:
        raise ProofError(f"no sealed event at position {position} in the tree of {size}")
    hashes = [leaf_hash(seal.digest) for seal in seals[:size]]
    return Inclusion(position, index, size, hashes[index], root(hashes), inclusion_proof(hashes, index))


def consistency(recorder: SealedRecorder, old: int, new: int) -> Consistency:
    """The consistency proof from the store's tree of `old` leaves to that of `new` leaves."""
    hashes = leaves(recorder)
    if not 0 < old <= new <= len(hashes):
        raise ProofError(f"the tree has {len(hashes)} leaves: no proof from {old} to {new}")
    return Consistency(old, new, root(hashes[:old]), root(hashes[:new]), consistency_proof(hashes[:new], old))


@dataclass(frozen=True)
class Entry:
    """One signed note in the checkpoint log, with the line it starts on (to name it)."""

    line: int
    note: str

    def size(self) -> int | None:
        """The tree size the note claims (before its signature is checked)."""
        lines = self.note.split("\n")
        return int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else None


class CheckpointLog:
    """The checkpoint log: signed notes one after another, a blank line between them; lines
    starting with `#` between notes are records (e.g. of `audit seal-unsealed`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, text: str) -> None:
        """Add a signed note or a `#` record at the end, flushed to disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(text if text.endswith("\n") else text + "\n")
            f.write("\n")
            f.flush()

    def record(self, what: str) -> None:
        """A `#` line saying what was done to the store outside the ordinary way, and when."""
        self.append(f"# {datetime.now(timezone.utc).isoformat(timespec='seconds')} {what}")

    def entries(self) -> list[Entry]:
        """Every signed note in the file, in order (none when there is no file)."""
        if not self.path.exists():
            return []
        return list(_notes(self.path.read_text(encoding="utf-8").split("\n")))

    def last_size(self) -> int:
        """The size of the last checkpoint written (0 when none)."""
        entries = self.entries()
        return (entries[-1].size() or 0) if entries else 0


def _notes(lines: list[str]) -> Iterator[Entry]:
    i = 0
    while i < len(lines):
        if not lines[i].strip() or lines[i].startswith("#"):
            i += 1
            continue
        start, body = i, lines[i:i + 3]
        i += 4  # three lines and the blank one
        signatures = []
        while i < len(lines) and lines[i].startswith(DASH):
            signatures.append(lines[i])
            i += 1
        yield Entry(start + 1, "\n".join(body) + "\n\n" + "".join(s + "\n" for s in signatures))


def append_checkpoint(recorder: SealedRecorder, seed: bytes, log: CheckpointLog) -> Checkpoint | None:
    """Sign the store's current checkpoint and append it to the log (None for an empty log)."""
    checkpoint = current(recorder)
    if checkpoint is not None:
        log.append(NoteKey(checkpoint.origin, seed).sign(checkpoint))
    return checkpoint


@dataclass(frozen=True)
class CheckpointVerdict:
    """Whether the store still holds every checkpoint in the log; the first that fails, and why."""

    checked: int
    failure: str = ""

    @property
    def holds(self) -> bool:
        return not self.failure


def verify_checkpoints(recorder: SealedRecorder, verifier: Callable[[str], NoteVerifier], log: CheckpointLog) -> CheckpointVerdict:
    """Check every checkpoint in the log: signed by the key `verifier` gives for the origin it
    names, of this store, and the store's tree of that size has that head (so the store is not
    shorter, nor rewritten under it)."""
    opened: list[tuple[Entry, Checkpoint]] = []
    origin = origin_of(recorder)
    for entry in log.entries():
        name = f"the checkpoint on line {entry.line} of {log.path} (size {entry.size()})"
        claimed = entry.note.split("\n", 1)[0]
        try:
            checkpoint = verifier(claimed).open(entry.note)
        except NoteError as e:
            return CheckpointVerdict(len(opened), f"{name}: {e}")
        if origin is None:
            return CheckpointVerdict(len(opened), f"{name}: this store holds no events (cut below the checkpoint, or not the store it signed)")
        if checkpoint.origin != origin:
            return CheckpointVerdict(len(opened), f"{name} is of the log {checkpoint.origin}, this store is {origin}: rewritten from its first event")
        opened.append((entry, checkpoint))
    heads = TreeHeads()
    seals = recorder.iter_seals()
    for entry, checkpoint in sorted(opened, key=lambda pair: pair[1].size):
        while heads.size < checkpoint.size:
            seal = next(seals, None)
            if seal is None:
                return CheckpointVerdict(len(opened), f"the checkpoint on line {entry.line} of {log.path} (size {checkpoint.size}): "
                                                      f"the log holds only {heads.size} events, it was cut below this checkpoint")
            heads.append(leaf_hash(seal.digest))
        if heads.root() != checkpoint.root:
            return CheckpointVerdict(len(opened), f"the checkpoint on line {entry.line} of {log.path} (size {checkpoint.size}): "
                                                  "the log's first events are no longer those it signed (rewritten under it)")
    return CheckpointVerdict(len(opened))
