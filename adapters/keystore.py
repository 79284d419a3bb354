"""Per-parent data keys, wrapped with the master key, apart from the events: destroying one erases
what was personal in the parent's events (crypto-shredding), and its tombstone (an empty row) keeps
later personal data about them from being sealed under a fresh, readable key."""

from __future__ import annotations

import logging
import os
import time
from typing import Iterator
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.config import StoreConfig
from adapters.side_store import SECURE_DELETE, SideStore, Tables

# Other processes may keep a key in memory this long after an erasure elsewhere.
CACHE_SECONDS = 5.0
# What is left of a destroyed key: its owner's row, with nothing in it.
TOMBSTONE = b""
# The row every host's master key must open: written by the first host to start, so a second one
# started with another (or a freshly generated) master key is refused before it writes anything.
VERIFIER = UUID(int=0)
log = logging.getLogger("betrokken.keys")


class DataKeyUnavailable(Exception):
    """A parent's data key was wrapped with another master key: personal data about them cannot be
    sealed here (nothing is recorded); the installation's hosts must share one master key."""

    code = "data_key_unavailable"

    def __init__(self, owner: UUID) -> None:
        self.message = (f"the data key of {owner} was wrapped with another master key: nothing recorded; "
                        "every host must share one BETROKKEN_MASTER_KEY")
        super().__init__(self.message)


class MasterKeyMismatch(Exception):
    """This master key cannot open the keys already stored: starting would split the installation."""
KEY_TABLES = Tables(
    file="keys.sqlite", table="betrokken_parent_keys", sqlite_table="parent_keys", pragmas=(SECURE_DELETE,),
    schema=("CREATE TABLE IF NOT EXISTS {table} (owner {uuid} PRIMARY KEY, wrapped {blob} NOT NULL)",),
)


class KeyTable(SideStore):
    """Wrapped keys by owner (as hex: PostgreSQL reads it as a uuid); a deleted one is overwritten."""

    def insert_if_absent(self, owner: UUID, wrapped: bytes) -> None:
        self.execute(f"INSERT INTO {self.table} VALUES (?, ?) ON CONFLICT (owner) DO NOTHING", (owner.hex, wrapped))

    def upsert(self, owner: UUID, wrapped: bytes) -> None:
        self.execute(
            f"INSERT INTO {self.table} VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET wrapped = excluded.wrapped",
            (owner.hex, wrapped),
        )

    def select(self, owner: UUID) -> bytes | None:
        rows = self.query(f"SELECT wrapped FROM {self.table} WHERE owner = ?", (owner.hex,))
        return bytes(rows[0][0]) if rows else None

    def delete(self, owner: UUID) -> bool:
        deleted = self.execute(f"DELETE FROM {self.table} WHERE owner = ? AND length(wrapped) > 0", (owner.hex,))
        self.checkpoint()  # the deleted page may still sit in the WAL
        if deleted and self.is_postgres:
            self.vacuum()
        return bool(deleted)

    def vacuum(self) -> None:
        """PostgreSQL keeps a deleted row as a dead tuple in its page until vacuumed: rewrite the
        (small) key table into new files (VACUUM FULL; the old files are unlinked) and checkpoint,
        so the destroyed key is in no table file. It still sits in WAL segments until they are
        recycled and overwritten, and in WAL archives and backups until they expire (docs/privacy.md)."""
        import psycopg  # only ever on PostgreSQL

        with self._pool.connection() as conn:  # autocommit: VACUUM runs outside a transaction
            conn.execute(f"VACUUM FULL {self.table}")
            # Close the WAL segment holding the key and checkpoint, so the server can drop it
            # (removed at once with wal_recycle = off): needs superuser or pg_checkpoint; without
            # them the segment goes at a later checkpoint, as every segment does.
            for statement in ("SELECT pg_switch_wal()", "CHECKPOINT"):
                try:
                    conn.execute(statement)
                except psycopg.Error:
                    pass
    def some_key(self) -> list[tuple[UUID, bytes]]:
        """One parent's wrapped key (none when there is none)."""
        rows = self.query(
            f"SELECT owner, wrapped FROM {self.table} WHERE owner <> ? AND length(wrapped) > 0 LIMIT 1", (VERIFIER.hex,)
        )
        return [(UUID(str(owner)), bytes(wrapped)) for owner, wrapped in rows]

    def all(self) -> Iterator[tuple[UUID, bytes]]:
        rows = self.query(f"SELECT owner, wrapped FROM {self.table} WHERE owner <> ? ORDER BY owner", (VERIFIER.hex,))
        return ((UUID(str(owner)), bytes(wrapped)) for owner, wrapped in rows)


class KeyStore:
    """Get-or-create a parent's data key (race-free: the first insert wins), or destroy it."""

    def __init__(self, table: KeyTable, master_key: bytes) -> None:
        self.table = table
        self.master = AESGCM(master_key)
        # Each read or write of the cache is one dict operation, atomic: threads share it without a lock.
        self.cache: dict[UUID, tuple[float, bytes | None]] = {}

    def _wrap(self, owner: UUID, key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self.master.encrypt(nonce, key, owner.bytes)

    def _unwrap(self, owner: UUID, wrapped: bytes) -> bytes:
        return self.master.decrypt(wrapped[:12], wrapped[12:], owner.bytes)

    def key_for(self, owner: UUID) -> bytes | None:
        """The owner's key, created on first use; None once it was destroyed (never made again).
        A key this master key cannot open raises DataKeyUnavailable: nothing is sealed under a key
        the installation could not read back, and no personal data is stored as "gewist" by mistake."""
        key = self.find(owner)
        if key is None:
            # A tombstone is a row: then this insert does nothing and the key stays gone.
            self.table.insert_if_absent(owner, self._wrap(owner, AESGCM.generate_key(bit_length=256)))
            self.cache.pop(owner, None)
            wrapped = self.table.select(owner)
            try:
                key = self._unwrap(owner, wrapped) if wrapped else None
            except InvalidTag:
                raise DataKeyUnavailable(owner) from None
            self.cache[owner] = (time.monotonic(), key if key is not None else TOMBSTONE)
        return key

    def find(self, owner: UUID) -> bytes | None:
        """The owner's key, or None when there is none (never made, or destroyed)."""
        return self.lookup(owner) or None

    def lookup(self, owner: UUID) -> bytes | None:
        """The owner's key, TOMBSTONE when it was destroyed, None when this store never held one
        (never made, or a log imported without the source's keys)."""
        now = time.monotonic()
        hit = self.cache.get(owner)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        wrapped = self.table.select(owner)
        try:
            key = self._unwrap(owner, wrapped) if wrapped else wrapped  # a key, a tombstone, or None
        except InvalidTag:  # wrapped with another master key: unreadable here, never an error for every reader
            log.error("the data key of %s was wrapped with another master key", owner)
            key = None
        if len(self.cache) > 100_000:
            self.cache.clear()
        self.cache[owner] = (now, key)
        return key

    def destroy(self, owner: UUID) -> bool:
        """Destroy the owner's key for good (a tombstone stays); returns whether there was one."""
        self.cache[owner] = (time.monotonic() + 10**9, TOMBSTONE)
        existed = self.table.delete(owner)
        self.table.insert_if_absent(owner, TOMBSTONE)
        return existed

    def export_wrapped(self) -> Iterator[tuple[UUID, bytes]]:
        """Every key, still wrapped with the master key, and every tombstone (for moving a store:
        without its tombstone an erased parent would read "onleesbaar" there, not "gewist")."""
        return self.table.all()

    def import_wrapped(self, owner: UUID, wrapped: bytes) -> None:
        """Take over a wrapped key (or a tombstone) from another store; a key is refused unless
        this master key opens it."""
        if wrapped == TOMBSTONE:
            self.destroy(owner)
            return
        try:
            self._unwrap(owner, wrapped)
        except InvalidTag:
            refused = f"the key of {owner} was wrapped with another master key: use the source store's master key"
            raise ValueError(refused) from None
        self.table.insert_if_absent(owner, wrapped)

    def keep(self, owner: UUID, secret: bytes) -> None:
        """Keep a secret of our own choosing under an owner id (a trial's allocation seed), wrapped
        like a key; replaces what was kept before."""
        self.table.upsert(owner, self._wrap(owner, secret))
        self.cache.pop(owner, None)
    def check_master_key(self) -> None:
        """Refuse (MasterKeyMismatch) a master key that cannot open the keys already stored; the
        first host to check leaves the verifier row the next hosts' keys must open."""
        self.table.insert_if_absent(VERIFIER, self._wrap(VERIFIER, bytes(32)))
        stored = [(VERIFIER, self.table.select(VERIFIER) or b"")]
        stored += self.table.some_key()
        for owner, wrapped in stored:  # the verifier, and a parent's key for stores older than it
            try:
                self._unwrap(owner, wrapped)
            except InvalidTag:
                raise MasterKeyMismatch(
                    "the master key cannot open the data keys already stored: every host of one installation "
                    "needs the same BETROKKEN_MASTER_KEY (or the same master.key); started with another one, "
                    "this host would write personal data no other host can read"
                ) from None

    def close(self) -> None:
        self.table.close()


def open_keystore(config: StoreConfig) -> KeyStore:
    """The key store beside the configured event store."""
    return KeyStore(KeyTable(config, KEY_TABLES), config.master_key())
