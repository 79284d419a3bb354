"""Plain-text tables for the auditors' commands (readable in a terminal, no extra dependency)."""

from __future__ import annotations

import json
from typing import Any, Sequence

import click


def cell(value: Any, width: int = 80) -> str:
    """A value as one line of text, long ones cut short."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = "" if value is None else text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int = 80) -> None:
    """Print rows under headers, columns padded to their widest cell."""
    texts = [[cell(v, width) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in texts)]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    click.echo(line)
    click.echo("  ".join("-" * w for w in widths))
    for r in texts:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def echo_json(document: Any) -> None:
    """Print a document as indented JSON (for scripts)."""
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False))
