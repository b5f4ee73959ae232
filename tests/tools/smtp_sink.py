#!/usr/bin/env python3
"""A real SMTP server for the mail tests (aiosmtpd). Every accepted message is written as JSON to
OUT_DIR/<n>.json: envelope, headers, decoded text and HTML parts, and the time it was accepted.
Recipients whose local part starts with `bounce` are refused with 550 (a permanent failure);
while the file OUT_DIR/.refuse exists, every message is refused with 451 (a transient one).

Usage: smtp_sink.py PORT OUT_DIR    (prints "ready" once it listens)
"""
import email
import email.policy
import itertools
import json
import os
import sys
import time

from aiosmtpd.controller import Controller


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


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
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
