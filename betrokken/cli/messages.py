"""`betrokken messages send-due`: deliver the messages to parents that are due, each at most once."""

from __future__ import annotations

from datetime import timedelta

import click

from adapters.config import StoreConfig
from application.messages import DEFAULT_LEASE, Messages
from betrokken.sender import kill_hook, send_due, transports_from_environ
from betrokken.system import open_service_with_projections


@click.group("messages")
def command() -> None:
    """Messages to parents."""


@command.command("send-due")
@click.option("--lease", type=click.FloatRange(min=0), default=DEFAULT_LEASE.total_seconds(), show_default=True,
              help="Seconds after which a send that never recorded its outcome counts as failed (unconfirmed).")
def send_due_command(lease: float) -> None:
    """Send every queued message whose time has come (quiet hours 21:00-08:00 over), over
    BETROKKEN_SMTP_URL. A message whose sending was interrupted is never sent again."""
    try:
        transports = transports_from_environ()
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    service, projections = open_service_with_projections(StoreConfig.from_environ())
    try:
        report = send_due(Messages(service), projections, transports,
                          lease=timedelta(seconds=lease), after_send=kill_hook())
    finally:
        projections.close()
        service.close()
    click.echo(f"sent {report.sent}, failed {report.failed}, unconfirmed {report.unconfirmed}, skipped {report.skipped}")
