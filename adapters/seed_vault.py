"""Where a trial's allocation seed is kept while the trial runs: in the key store, wrapped with
the master key like a parent's key, under an owner id derived from the programme's id. The
event log holds only the seed's commitment until the trial is locked; `keys export` and
`keys import` carry the seed along when a store moves."""

from __future__ import annotations

from uuid import UUID, uuid5

from adapters.keystore import KeyStore


class SeedVault:
    """Keep and read back trial seeds."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    @staticmethod
    def owner(program_id: UUID) -> UUID:
        """The key-store owner id of a programme's seed (never a parent's id)."""
        return uuid5(program_id, "betrokken/allocation-seed")

    def keep(self, program_id: UUID, seed: str) -> None:
        """Keep the seed of a programme's allocation (a new set-up replaces it)."""
        self.keys.keep(self.owner(program_id), seed.encode("utf-8"))

    def seed_of(self, program_id: UUID) -> str | None:
        """The programme's seed, None when this store holds none."""
        found = self.keys.find(self.owner(program_id))
        return found.decode("utf-8") if found else None
