"""Messages to parents, measured in one run on a fresh temporary SQLite store with a real SMTP
server (aiosmtpd) on loopback:

(a) writing: one message to a programme of N parents (each parent's mailbox decided and saved);
(b) sending: `send_due` delivering all of them over one SMTP connection, each with its
    SendingStarted saved before and Sent after the hand-over (two saves a message).

Usage: .venv/bin/python benchmarks/messages.py [--parents 200]
Prints a markdown table."""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from adapters.config import StoreConfig
from adapters.delivery import NoSmsProvider
from adapters.smtp import SmtpSettings, SmtpTransport
from application.messages import Draft, Messages
from betrokken.sender import send_due
from betrokken.system import open_service_with_projections
from domain.message import QUIET_TZ
from tests.helpers.smtp import smtp_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parents", type=int, default=200)
    n = parser.parse_args().parents
    with tempfile.TemporaryDirectory() as tmp:
        service, projections = open_service_with_projections(StoreConfig(data_dir=Path(tmp)))
        server = smtp_server()
        url, inbox = next(server)
        try:
            program = service.create_program(school="12AB", name="PACT", kind="pact", starts_on=date(2026, 9, 1))
            for i in range(n):
                p = service.register_parent(school="12AB", name=f"Ouder {i}", email=f"o{i}@example.nl")
                service.enroll(program.id, parent_id=p.id, enrolled_on=date(2026, 9, 1))
            messages = Messages(service, clock=lambda: datetime(2026, 12, 1, 10, tzinfo=QUIET_TZ))
            started = time.perf_counter()
            outcome = messages.write(Draft("herinnering", "Beste {naam}, morgen om 19.00 uur."), program_id=program.id)
            written = time.perf_counter() - started
            transports = {"email": SmtpTransport(SmtpSettings.from_url(url)), "sms": NoSmsProvider()}
            started = time.perf_counter()
            report = send_due(messages, projections, transports)
            sent = time.perf_counter() - started
            assert len(outcome.queued) == n and report.sent == n and len(inbox.received) == n
        finally:
            server.close()
            projections.close()
            service.close()
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, {n} parents")
    print("| what | seconds | per second |\n| --- | --- | --- |")
    print(f"| write one message to a programme of {n} | {written:.2f} | {n / written:.0f} messages |")
    print(f"| send_due over loopback SMTP | {sent:.2f} | {n / sent:.0f} messages |")


if __name__ == "__main__":
    main()
