"""`betrokken schools add BRIN --name --region` and `schools list`: the register of schools."""

from __future__ import annotations

import re

import click

from application.schools import register_school, schools
from betrokken.cli.audit import opened
from domain.errors import DomainError
from domain.limits import BRIN_PATTERN, REGIONS


@click.group("schools")
def command() -> None:
    """The register of schools: name, BRIN code and holiday region."""


@command.command("add")
@click.argument("brin", metavar="BRIN")
@click.option("--name", required=True, help="The school's name, as pages show it.")
@click.option("--region", required=True, type=click.Choice(REGIONS), help="The school-holiday region.")
def add(brin: str, name: str, region: str) -> None:
    """Add a school to the register (a BRIN code once)."""
    if re.fullmatch(BRIN_PATTERN, brin) is None:
        raise click.BadParameter("a BRIN code is two digits and two capitals or digits, e.g. 12AB", param_hint="BRIN")
    if not name.strip():
        raise click.BadParameter("the name is empty", param_hint="--name")
    with opened(existing=False) as service:
        try:
            school = register_school(service, brin=brin, name=name.strip(), region=region)
        except DomainError as e:
            raise click.ClickException(e.message) from None
    click.echo(f"school {school.brin} ({school.name}) registered in region {school.region}")


@command.command("list")
def list_schools() -> None:
    """Every registered school: BRIN, region, name."""
    with opened(existing=False) as service:
        for s in schools(service):
            click.echo(f"{s.brin}\t{s.region}\t{s.name}")
