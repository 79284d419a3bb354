"""The School aggregate: a school in the register, with its BRIN code, name and holiday region."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import UnknownRegionError
from domain.limits import REGIONS


def school_id(brin: str) -> UUID:
    """A school's aggregate id follows from its BRIN code, so a code is registered once."""
    return uuid5(NAMESPACE_URL, f"betrokken:school:{brin}")


class School(Aggregate):
    """A school taking part: its BRIN code, its name, and the region its holidays follow."""

    # @event(...) makes the event class at run time; declared here for mypy alone.
    if TYPE_CHECKING:

        class Registered(Aggregate.Created):
            brin: str
            name: str
            region: str
            actor: str

    @staticmethod
    def create_id(brin: str, **_: object) -> UUID:
        return school_id(brin)

    @classmethod
    def register(cls, *, brin: str, name: str, region: str, actor: str) -> "School":
        """Register a school in one of the holiday regions."""
        if region not in REGIONS:
            raise UnknownRegionError(f"region must be one of {', '.join(REGIONS)}", region=region)
        return cls(brin=brin, name=name, region=region, actor=actor)

    @event("Registered")
    def __init__(self, *, brin: str, name: str, region: str, actor: str) -> None:
        self.brin = brin
        self.name = name
        self.region = region
