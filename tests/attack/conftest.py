"""Attack tests: quick runs in `make test`; ATTACK_LONG=1 (`make attack`) makes them long."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

LONG = os.environ.get("ATTACK_LONG") == "1"


def figure(line: str) -> None:
    """A figure for the report: shown with -s, and appended to $ATTACK_REPORT when set."""
    print(f"[attack] {line}")
    report = os.environ.get("ATTACK_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as f:
            f.write(line + "\n")
