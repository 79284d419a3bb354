"""`betrokken parents erase ID --reason ...`: erase a parent's personal data (AVG art. 17)."""

from __future__ import annotations

import click

from application.actor import Actor
from adapters.config import StoreConfig
from adapters.idempotency import open_idempotency
from application.privacy import erase_parent
from betrokken.cli.audit import opened, parse_id
from domain.errors import DomainError, ImportRejectedError, NotFoundError
from application.intake import import_parents
from application.schools import schools

CLI_ACTOR = Actor(name="cli", role="admin", schools=None)


@click.group("parents")
def command() -> None:
    """Parents' personal data."""


@command.command("erase")
@click.argument("parent_id", metavar="ID")
@click.option("--reason", required=True,
              help="Why (kept in the audit log; put no personal data in it, e.g. 'verzoek van ouder').")
def erase(parent_id: str, reason: str) -> None:
    """Erase a parent's personal data for good (their key is destroyed; figures stay).

    The erasure is recorded as an event (Parent.Erased, actor "cli"); afterwards the parent's
    name, contact details, children's names and withdrawal reasons read as "gewist". It cannot
    be undone. Running it again on an erased parent records nothing new."""
    ident = parse_id(parent_id)
    if not reason.strip():
        raise click.BadParameter("the reason is empty", param_hint="--reason")
    idempotency = open_idempotency(StoreConfig.from_environ())
    try:
        with opened() as service:
            try:
                was_erased = service.parent(ident).erased
                parent = erase_parent(service, idempotency, ident, reason=reason, actor=CLI_ACTOR)
            except NotFoundError:
                raise click.ClickException(f"no parent {ident}") from None
            except DomainError as e:
                raise click.ClickException(e.message) from None
    finally:
        idempotency.close()
    if was_erased:
        click.echo(f"parent {parent.id} was already erased; the key is gone")
    else:
        click.echo(f"erased the personal data of parent {parent.id} (school {parent.school}, version {parent.version})")


@command.command("import")
@click.argument("path", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False))
@click.option("--school", "brin", default=None,
              help="The school's BRIN code (else the file's brin column, or the one registered school).")
def import_parents_file(path: str, brin: str | None) -> None:
    """Register the parents and children of a school administration's CSV, all or nothing.

    Header row: naam, telefoon, email, taal, kind, groep (or name, phone, email, language,
    child, group); separated by , or ;; one row per child. A bad row stores nothing and is named
    with its line (the header is line 1) and column."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except UnicodeDecodeError:
        raise click.ClickException("het bestand is geen UTF-8-tekst; sla het op als 'CSV UTF-8'") from None
    with opened(existing=False) as service:
        if brin is None:
            registered = schools(service)
            brin = registered[0].brin if len(registered) == 1 else None
        try:
            parents = import_parents(service, text, school=brin, actor=CLI_ACTOR)
        except ImportRejectedError as e:
            for problem in e.problems:
                click.echo(f"regel {problem['line']}, kolom {problem['column']}: {problem['message']}", err=True)
            raise click.ClickException("niets geïmporteerd: verbeter de regels hierboven en probeer het opnieuw") from None
        except NotFoundError as e:
            raise click.ClickException(e.message) from None
    children = sum(len(p.children) for p in parents)
    click.echo(f"{len(parents)} ouders met {children} kinderen geregistreerd")
