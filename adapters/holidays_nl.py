"""The days a school in the Netherlands is closed: the school holidays of its region (kept as
data with its source, adapters/data/schoolvakanties.json) and the public holidays (the
maintained `holidays` package, so Easter and Ascension need no table of ours)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import holidays

DATA = Path(__file__).parent / "data" / "schoolvakanties.json"


@dataclass(frozen=True)
class Holiday:
    """A school holiday of some regions, from its first to its last day."""

    name: str
    regions: frozenset[str]
    first: date
    last: date


@lru_cache(maxsize=1)
def school_holidays(path: Path = DATA) -> tuple[Holiday, ...]:
    """Every school holiday in the data file, of every school year it holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Holiday(h["name"], frozenset(h["regions"]), date.fromisoformat(h["first"]), date.fromisoformat(h["last"]))
        for year in data["years"].values() for h in year["holidays"]
    )


def closed_because(region: str, day: date) -> str | None:
    """Why a school in the region is closed that day (the holiday's name), or None when it is open."""
    for h in school_holidays():
        if region in h.regions and h.first <= day <= h.last:
            return h.name
    public = holidays.country_holidays("NL", years=day.year, language="nl")
    name = public.get(day)
    return str(name) if name is not None else None


def is_closed(region: str, day: date) -> bool:
    """Whether a school in the region is closed that day."""
    return closed_because(region, day) is not None
