"""Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), Ed25519.

A checkpoint's text is three lines: the origin, the tree size in decimal, the tree head in
standard base64; each ends in a newline. The signed note is that text, a blank line, and one
line per signature: an em dash (U+2014), a space, the key name, a space, and the base64 of the
4-byte key hash followed by the 64-byte Ed25519 signature of the text. The key hash is the first
4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DASH = "\u2014 "
ED25519 = b"\x01"  # the signature type of Ed25519 in a signed note's key hash


class NoteError(ValueError):
    """A checkpoint that is malformed or whose signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: the log named `origin` had this tree head at this size."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        """The signed body: origin, size and base64 root, a line each."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id of a signed note: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


@dataclass(frozen=True)
class NoteVerifier:
    """A public Ed25519 key with the name it signs under: opens notes, cannot sign them."""

    name: str
    public_bytes: bytes

    @classmethod
    def parse(cls, verifier_key: str) -> "NoteVerifier":
        """A verifier key as `betrokken audit checkpoint --public-key` prints it (NAME+HEX+BASE64)."""
        # A key name never holds a "+" (signed-note's rule); the base64 after the second may.
        name, _, rest = verifier_key.strip().partition("+")
        hash_hex, _, rest = rest.partition("+")
        try:
            key = base64.b64decode(rest, validate=True)
        except ValueError:
            raise NoteError("the verifier key's last part is not base64") from None
        if not name or len(key) != 33 or key[:1] != ED25519:
            raise NoteError("not an Ed25519 verifier key: expected NAME+HEX+BASE64 as `audit checkpoint --public-key` prints")
        verifier = cls(name, key[1:])
        if verifier.key_hash.hex() != hash_hex:
            raise NoteError("the verifier key's hash does not match its name and key")
        return verifier

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.public_bytes)

    def verifier_key(self) -> str:
        """The public key as a note verifier key, `name+HEX(key hash)+base64(0x01 || key)`, as Go's
        golang.org/x/mod/sumdb/note and other signed-note tools read it."""
        return f"{self.name}+{self.key_hash.hex()}+{base64.b64encode(ED25519 + self.public_bytes).decode()}"

    def open(self, note: str) -> Checkpoint:
        """The checkpoint of a signed note, once its signature by this key checks; NoteError otherwise."""
        body, sep, signatures = note.partition("\n\n")
        lines = body.split("\n")
        if not sep or len(lines) != 3:
            raise NoteError("not a checkpoint: expected origin, size and root lines, then a blank line")
        origin, size, root = lines
        if not size.isdigit() or (size.startswith("0") and size != "0"):
            raise NoteError(f"the tree size {size!r} is not a decimal number")
        try:
            head = base64.b64decode(root, validate=True)
        except ValueError:
            raise NoteError("the root is not base64") from None
        wanted = self.key_hash
        for line in signatures.splitlines():
            name, _, encoded = line.removeprefix(DASH).partition(" ")
            if not line.startswith(DASH) or name != self.name:
                continue
            try:
                signature = base64.b64decode(encoded, validate=True)
            except ValueError:
                continue
            if signature[:4] != wanted:
                continue
            try:
                Ed25519PublicKey.from_public_bytes(self.public_bytes).verify(signature[4:], (body + "\n").encode())
            except InvalidSignature:
                raise NoteError(f"the signature by {self.name} does not verify") from None
            return Checkpoint(origin, int(size), head)
        raise NoteError(f"no signature by {self.name} (key hash {wanted.hex()})")


@dataclass(frozen=True)
class NoteKey:
    """An Ed25519 key with the name it signs under (the log's origin)."""

    name: str
    seed: bytes

    @property
    def private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> NoteVerifier:
        """The public half, for checking notes."""
        return NoteVerifier(self.name, self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def verifier_key(self) -> str:
        return self.verifier.verifier_key()

    def sign(self, checkpoint: Checkpoint) -> str:
        """The checkpoint as a signed note, ending in a newline."""
        body = checkpoint.text()
        signature = self.verifier.key_hash + self.private.sign(body.encode())
        return f"{body}\n{DASH}{self.name} {base64.b64encode(signature).decode()}\n"

    def open(self, note: str) -> Checkpoint:
        """The checkpoint of a signed note, once its signature by this key checks; NoteError otherwise."""
        return self.verifier.open(note)
