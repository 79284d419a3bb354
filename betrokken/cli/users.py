"""`betrokken users`: add users, issue and revoke their API tokens, list them."""

from __future__ import annotations

import sys
from typing import Callable, TypeVar

import click

from application.accounts import Accounts
from adapters.config import StoreConfig
from domain.errors import DomainError
from domain.user import ROLES

T = TypeVar("T")


def _run(act: Callable[[Accounts], T]) -> T:
    """One use of the accounts of the configured store; a refusal is a clear CLI error."""
    accounts = Accounts(StoreConfig.from_environ())
    try:
        return act(accounts)
    except DomainError as e:
        raise click.ClickException(e.message) from None
    finally:
        accounts.close()


def _read_password(password_stdin: bool, prompt: str) -> str:
    """The password from the first line of stdin, or asked for twice; never empty."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    if not password:
        raise click.ClickException("the password is empty")
    return password


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
    password = _read_password(password_stdin, "Password")
    _run(lambda accounts: accounts.add_user(name, role, list(schools), password, actor="cli"))
    where = "every school" if role == "admin" or not schools else ", ".join(sorted(set(schools)))
    click.echo(f"added {name} ({role}; {where})")


@command.command("token")
@click.argument("name")
def token(name: str) -> None:
    """Issue a new API token; it is shown once, on the last line."""
    issued = _run(lambda accounts: accounts.issue_token(name, actor="cli"))
    click.echo(f"API token for {name} (send as 'Authorization: Bearer TOKEN'; it is not shown again):")
    click.echo(issued)


@command.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke every API token of a user."""
    _run(lambda accounts: accounts.revoke_tokens(name, actor="cli"))
    click.echo(f"revoked every token of {name}")


@command.command("list")
def list_users() -> None:
    """List the users: name, role, schools, live tokens."""
    users = _run(Accounts.users)
    for u in users:
        schools = "*" if u.role == "admin" or not u.schools else ",".join(u.schools)
        state = " (disabled)" if u.disabled else ""
        click.echo(f"{u.name}\t{u.role}\t{schools}\t{len(u.tokens)} token(s){state}")


def _end_sessions(name: str) -> int:
    """End every staff-UI session of the user (the web tables of the same store)."""
    from adapters.web_sessions import WebSessions
    from adapters.web_store import WebStore

    store = WebStore(StoreConfig.from_environ())
    try:
        return WebSessions(store).revoke_user(name)
    finally:
        store.close()


@command.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Stop a user signing in: tokens revoked, every open session ended."""
    _run(lambda accounts: accounts.disable(name, actor="cli"))
    click.echo(f"disabled {name}; ended {_end_sessions(name)} session(s)")


@command.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="read the new password from the first line of stdin")
def password(name: str, password_stdin: bool) -> None:
    """Give a user a new password; every open session and API token of theirs ends."""
    new = _read_password(password_stdin, "New password")
    _run(lambda accounts: accounts.change_password(name, new, actor="cli"))
    click.echo(f"changed the password of {name}; revoked their API tokens; ended {_end_sessions(name)} session(s)")
