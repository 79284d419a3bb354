"""The scripts docs/audit-chain.md prints for auditors, taken out exactly as printed, so the tests
run what an auditor copies."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit-chain.md"


def python3_script(first_line: str) -> str:
    """The document's one ```python3 block that begins with `first_line`."""
    blocks = re.findall(r"^```python3\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    (code,) = [b for b in blocks if b.startswith(first_line)]
    return code
