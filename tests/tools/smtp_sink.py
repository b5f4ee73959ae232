#!/usr/bin/env python3
"""A real SMTP server for the mail tests (aiosmtpd). Every accepted message is written as JSON to
OUT_DIR/<n>.json: envelope, headers, decoded text and HTML parts, and the time it was accepted.
Recipients whose local part starts with `bounce` are refused with 550 (a permanent failure);
while the file OUT_DIR/.refuse exists, every message is refused with 451 (a transient one).

With `--tls starttls` the server requires STARTTLS; with `--tls implicit` it speaks TLS from the
first byte (SMTPS). Either way it makes itself a certificate authority (OUT_DIR/ca.pem, for the
client to trust) and a certificate it signs for `localhost` and 127.0.0.1. With `--auth USER:PASSWORD` it requires
that login (over TLS only).

Usage: smtp_sink.py PORT OUT_DIR [--tls starttls|implicit] [--auth USER:PASSWORD]
(prints "ready" once it listens)
"""
import argparse
import datetime
import email
import email.policy
import ipaddress
import ssl
import itertools
import json
import os
import sys
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out):
        self.out = out
        self.counter = itertools.count()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].startswith("bounce"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.out, ".refuse")):
            return "451 4.3.0 try again later"
        accepted = time.time()
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                parts[part.get_content_subtype()] = part.get_content()
        record = {
            "accepted": accepted,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k.lower(): str(v) for k, v in msg.items()},
            "text": parts.get("plain", ""),
            "html": parts.get("html", ""),
        }
        n = next(self.counter)
        tmp = os.path.join(self.out, f".{n}.tmp")
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.out, f"{n}.json"))
        return "250 Message accepted"


def tls_context(out):
    """A certificate authority (written to OUT_DIR/ca.pem, for the client to trust) and a server
    certificate it signs for localhost and 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, key, issuer, issuer_key, ca):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False).add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("smtp sink test CA", ca_key, "smtp sink test CA", ca_key, True)
    leaf = certificate("localhost", key, "smtp sink test CA", ca_key, False)
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
    with open(os.path.join(out, "ca.pem"), "wb") as f:
        f.write(pem(ca))
    chain, key_path = os.path.join(out, ".chain.pem"), os.path.join(out, ".key.pem")
    with open(chain, "wb") as f:
        f.write(pem(leaf) + pem(ca))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain, key_path)
    return context


def main():
    # aiosmtpd warns about its own deprecated attribute on every login.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("out")
    ap.add_argument("--tls", choices=["starttls", "implicit"])
    ap.add_argument("--auth")
    args = ap.parse_args()
    port, out = args.port, args.out
    os.makedirs(out, exist_ok=True)
    options = {}
    if args.tls:
        context = tls_context(out)
        if args.tls == "starttls":
            options.update(tls_context=context, require_starttls=True)
        else:
            # The whole connection is TLS: aiosmtpd's own check only knows STARTTLS.
            options.update(ssl_context=context, auth_require_tls=False)
    if args.auth:
        user, password = args.auth.encode().split(b":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == user and data.password == password
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_required=True)
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("ready", flush=True)
    parent = os.getppid()
    try:
        # Ends with the test process that started it, however that ends.
        while os.getppid() == parent:
            time.sleep(1)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()
