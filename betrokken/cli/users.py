"""`betrokken users`: add users, issue and revoke their API tokens, list them."""

from __future__ import annotations

import sys

import click

from application.accounts import Accounts
from application.config import StoreConfig
from domain.errors import DomainError
from domain.user import ROLES


def _accounts() -> Accounts:
    return Accounts(StoreConfig.from_environ())


@click.group("users")
def command() -> None:
    """Who may sign in: users, their roles, schools and API tokens."""


@command.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin sees every school")
@click.option("--school", "schools", multiple=True, metavar="BRIN", help="a school the user works for (repeat)")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
def add(name: str, role: str, schools: tuple[str, ...], password_stdin: bool) -> None:
    """Add a user in a role for some schools."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise click.ClickException("the password is empty")
    accounts = _accounts()
    try:
        accounts.add_user(name, role, list(schools), password, actor="cli")
    except DomainError as e:
        raise click.ClickException(e.message) from None
    finally:
        accounts.close()
    where = "every school" if role == "admin" or not schools else ", ".join(sorted(set(schools)))
    click.echo(f"added {name} ({role}; {where})")


@command.command("token")
@click.argument("name")
def token(name: str) -> None:
    """Issue a new API token; it is shown once, on the last line."""
    accounts = _accounts()
    try:
        issued = accounts.issue_token(name, actor="cli")
    except DomainError as e:
        raise click.ClickException(e.message) from None
    finally:
        accounts.close()
    click.echo(f"API token for {name} (send as 'Authorization: Bearer TOKEN'; it is not shown again):")
    click.echo(issued)


@command.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke every API token of a user."""
    accounts = _accounts()
    try:
        accounts.revoke_tokens(name, actor="cli")
    except DomainError as e:
        raise click.ClickException(e.message) from None
    finally:
        accounts.close()
    click.echo(f"revoked every token of {name}")


@command.command("list")
def list_users() -> None:
    """List the users: name, role, schools, live tokens."""
    accounts = _accounts()
    try:
        users = accounts.users()
    finally:
        accounts.close()
    for u in users:
        schools = "*" if u.role == "admin" or not u.schools else ",".join(u.schools)
        state = " (disabled)" if u.disabled else ""
        click.echo(f"{u.name}\t{u.role}\t{schools}\t{len(u.tokens)} token(s){state}")


def _end_sessions(name: str) -> int:
    """End every staff-UI session of the user (the web tables of the same store)."""
    from application.web_sessions import WebSessions
    from application.web_store import WebStore

    store = WebStore(StoreConfig.from_environ())
    try:
        return WebSessions(store).revoke_user(name)
    finally:
        store.close()


@command.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Stop a user signing in: tokens revoked, every open session ended."""
    accounts = _accounts()
    try:
        accounts.disable(name, actor="cli")
    except DomainError as e:
        raise click.ClickException(e.message) from None
    finally:
        accounts.close()
    click.echo(f"disabled {name}; ended {_end_sessions(name)} session(s)")


@command.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="read the new password from the first line of stdin")
def password(name: str, password_stdin: bool) -> None:
    """Give a user a new password; every open session of theirs ends."""
    if password_stdin:
        new = sys.stdin.readline().rstrip("\r\n")
    else:
        new = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    if not new:
        raise click.ClickException("the password is empty")
    accounts = _accounts()
    try:
        accounts.change_password(name, new, actor="cli")
    except DomainError as e:
        raise click.ClickException(e.message) from None
    finally:
        accounts.close()
    click.echo(f"changed the password of {name}; ended {_end_sessions(name)} session(s)")
