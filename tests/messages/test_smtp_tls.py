"""BETROKKEN_SMTP_URL with TLS and login: STARTTLS on smtp://, TLS from the start on smtps://,
against a real SMTP server on loopback with a certificate made for the test."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapters.delivery import DeliveryError, Outgoing
from adapters.smtp import SmtpSettings, SmtpTransport
from tests.helpers.serve import free_port
from tests.helpers.smtp import Inbox

MAIL = Outgoing(header_id="<m1@betrokken.local>", to="ouder@example.nl", subject="Bericht van school", text="Hallo")


def certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = auth_data.login == b"school" and auth_data.password == b"geheim wachtwoord"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    cert, key = certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


@contextmanager
def serve(inbox: Inbox, **options: Any) -> Iterator[int]:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=check_login,
                            auth_required=True, **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def deliver(url: str, inbox: Inbox, **server: Any) -> None:
    """Send MAIL over `url` ({port} filled in) to a fresh server started with these options."""
    with serve(inbox, **server) as port:
        transport = SmtpTransport(SmtpSettings.from_url(url.format(port=port)))
        try:
            transport.send(MAIL)
        finally:
            transport.close()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("url, implicit", [
    ("smtp://school:geheim%20wachtwoord@127.0.0.1:{port}?starttls=required&cafile=CERT", False),  # STARTTLS
    ("smtps://school:geheim%20wachtwoord@127.0.0.1:{port}?cafile=CERT", True),  # TLS from the first byte
])
def test_tls_then_login_delivers(tls: tuple[Path, ssl.SSLContext], url: str, implicit: bool) -> None:
    cert, context = tls
    inbox = Inbox()
    # aiosmtpd counts only STARTTLS as TLS for AUTH: an smtps server is told TLS is not required.
    server: dict[str, Any] = (
        {"ssl_context": context, "auth_require_tls": False} if implicit
        else {"tls_context": context, "require_starttls": True}
    )
    deliver(url.replace("CERT", str(cert)), inbox, **server)
    assert inbox.message_ids() == ["<m1@betrokken.local>"]


@pytest.mark.parametrize("url, reason", [
    ("smtp://school:fout@127.0.0.1:{port}?cafile=CERT", "rejected"),  # a wrong password
    ("smtp://school:geheim@127.0.0.1:{port}", "unreachable"),  # a certificate nobody vouches for
])
def test_a_refused_login_or_certificate_delivers_nothing(tls: tuple[Path, ssl.SSLContext], url: str, reason: str) -> None:
    cert, context = tls
    inbox = Inbox()
    with pytest.raises(DeliveryError) as refused:
        deliver(url.replace("CERT", str(cert)), inbox, tls_context=context, require_starttls=True)
    assert refused.value.reason == reason and inbox.received == []


@pytest.mark.parametrize("url", ["http://host", "smtp://", "smtp://host?starttls=sometimes"])
def test_a_malformed_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        SmtpSettings.from_url(url)
