"""E-mail to parents over SMTP (BETROKKEN_SMTP_URL), with the standard library's smtplib.

    smtp://user:pass@host:587      STARTTLS when the server offers it, then login if a user is given
    smtp://host:25?starttls=required   refuse to send without STARTTLS
    smtps://user:pass@host:465     TLS from the first byte
    ...?from=school@example.nl     the From address (default betrokken@localhost)
    ...?cafile=/path/ca.pem        trust this CA (a school's own relay) besides the system's

A login is never sent over a plain connection: smtplib refuses AUTH unless the server offers it,
and we only ask after STARTTLS unless the server is on loopback (a local relay)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

from adapters.delivery import DeliveryError, Outgoing

TIMEOUT = 30.0
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand e-mail over, read from BETROKKEN_SMTP_URL."""

    host: str
    port: int
    implicit_tls: bool
    starttls: str  # "auto" (when offered) or "required"
    user: str | None
    password: str | None
    sender: str
    cafile: str | None

    @classmethod
    def from_url(cls, url: str) -> "SmtpSettings":
        """Parse `smtp://user:pass@host:port?from=...` (or `smtps://`); a bad URL is a ValueError."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("BETROKKEN_SMTP_URL must look like smtp://user:pass@host:port or smtps://...")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        implicit = parts.scheme == "smtps"
        starttls = query.get("starttls", "auto")
        if starttls not in ("auto", "required"):
            raise ValueError("starttls= must be auto or required")
        return cls(
            host=parts.hostname, port=parts.port or (465 if implicit else 25), implicit_tls=implicit,
            starttls=starttls, user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=query.get("from", "betrokken@localhost"), cafile=query.get("cafile"),
        )


class SmtpTransport:
    """Hands messages to one SMTP server, over one connection opened on first use."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        client: smtplib.SMTP
        if s.implicit_tls:
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT, context=self._tls())
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=self._tls())
                client.ehlo()
            elif s.starttls == "required" or (s.user and s.host not in LOOPBACK):
                client.close()
                raise DeliveryError("unreachable", f"{s.host} does not offer STARTTLS")
        if s.user:
            client.login(s.user, s.password or "")
        return client

    def send(self, message: Outgoing) -> None:
        """Hand one message over; DeliveryError when refused (`rejected`), not reachable (`unreachable`),
        or cut off on the way (`unconfirmed`: it may have arrived)."""
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message.header_id
        mail.set_content(message.text)
        try:
            if self._client is None:
                self._client = self._connect()
        except smtplib.SMTPAuthenticationError as e:
            self.close()
            raise DeliveryError("rejected", f"login refused: {e}") from e
        except (OSError, smtplib.SMTPException) as e:
            self.close()
            raise DeliveryError("unreachable", str(e)) from e
        try:
            self._client.send_message(mail)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as e:
            self.close()
            raise DeliveryError("rejected", str(e)) from e
        except (OSError, smtplib.SMTPException) as e:
            # The connection broke while the message was on its way: it may have arrived.
            self.close()
            raise DeliveryError("unconfirmed", str(e)) from e

    def close(self) -> None:
        """End the connection (a later send opens a new one)."""
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
