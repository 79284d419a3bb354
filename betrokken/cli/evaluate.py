"""`betrokken evaluate PROGRAM`: the effect report of a trial (docs/evaluation.md), as a table,
JSON or CSV; pseudonymous like the API's."""

from __future__ import annotations

import csv
import json
import sys

import click

from application.evaluation import CSV_COLUMNS, Evaluation, csv_rows
from betrokken.cli.audit import opened, parse_id
from domain.errors import NotFoundError

TABLE_COLUMNS = ("instrument", "arm", "analysis", "subgroup", "n", "post_mean", "post_sd", "difference", "cohens_d",
                 "ci95_low", "ci95_high", "hedges_g", "label")


def cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


@click.command("evaluate")
@click.argument("program_id", metavar="PROGRAM")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def command(program_id: str, fmt: str) -> None:
    """Per instrument and arm: n, mean, sd, the difference with control, Cohen's d with its 95%
    interval, Hedges' g and the label (klein / gemiddeld / groot); ITT, per protocol, subgroups."""
    ident = parse_id(program_id)
    with opened() as service:
        try:
            report = Evaluation(service).report(ident)
        except NotFoundError:
            raise click.ClickException(f"no programme {ident}") from None
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, default=str))
        return
    rows = csv_rows(report)
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = [list(TABLE_COLUMNS)] + [[cell(r[c]) for c in TABLE_COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(TABLE_COLUMNS))]
    for line in table:
        click.echo("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip())
    for a in report["attrition"]:
        click.echo(f"arm {a['arm']}: {a['allocated']} allocated, {a['with_post']} with a post measure, "
                   f"{a['completers']} completed, {a['withdrawn']} withdrawn")
    for c in report["costs"]:
        click.echo(f"arm {c['arm']}: paid {c['paid_cents']} cents; per participant {c['per_participant_cents']}, "
                   f"per completer {c['per_completer_cents']}")
    for warning in report["warnings"]:
        click.echo(f"let op: {warning}")
