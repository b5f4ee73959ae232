#!/usr/bin/env python3
"""A webhook receiver for the tests: a real HTTP server that verifies every delivery with the
`standardwebhooks` package (PyPI), as a school's system would.

    webhook_receiver.py PORT

Each test uses its own path, `/hook/<name>`. Control (JSON):
  POST /_config/<name>   {"secrets": [...], "fail": N, "status": S, "redirect": URL, "delay": SECONDS}
                         verify with any of the secrets; answer `status` (500) to the next N
                         deliveries, or a redirect, or answer after `delay` seconds
  GET  /_received/<name> every request to /hook/<name>: id, timestamp, verified, error, body,
                         received_at (Unix seconds, float), status answered
A delivery that does not verify (a changed body, a stale timestamp, a wrong key) is answered 400.
Prints `ready` once listening.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

LOCK = threading.Lock()
CONFIG = {}
RECEIVED = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Keep-alive answers go out at once (without it, a client's delayed ACK holds each one ~40 ms).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        if self.path.startswith("/_received/"):
            name = self.path[len("/_received/"):]
            with LOCK:
                got = list(RECEIVED.get(name, []))
            return self.answer(200, json.dumps(got).encode(), [("Content-Type", "application/json")])
        self.answer(404)

    def do_POST(self):
        raw = self.body()
        if self.path.startswith("/_config/"):
            name = self.path[len("/_config/"):]
            with LOCK:
                CONFIG[name] = json.loads(raw)
            return self.answer(204)
        if not self.path.startswith("/hook/"):
            return self.answer(404)
        name = self.path[len("/hook/"):]
        received_at = time.time()
        with LOCK:
            config = CONFIG.setdefault(name, {})
            secrets = list(config.get("secrets", []))
        headers = {k.lower(): v for k, v in self.headers.items()}
        verified, error = False, None
        for secret in secrets:
            try:
                Webhook(secret).verify(raw, headers)
                verified, error = True, None
                break
            except WebhookVerificationError as e:
                error = str(e)
        if not secrets:
            error = "no secret configured"
        status, extra = 200, []
        with LOCK:
            if not verified:
                status = 400
            elif config.get("fail", 0) > 0:
                config["fail"] -= 1
                status = config.get("status", 500)
            elif config.get("redirect"):
                status, extra = 302, [("Location", config["redirect"])]
            delay = config.get("delay", 0)
        if delay:
            time.sleep(delay)
        entry = {
            "id": headers.get("webhook-id"),
            "timestamp": headers.get("webhook-timestamp"),
            "signature": headers.get("webhook-signature"),
            "verified": verified,
            "error": error,
            "body": raw.decode("utf-8", "replace"),
            "received_at": received_at,
            "status": status,
        }
        with LOCK:
            RECEIVED.setdefault(name, []).append(entry)
        self.answer(status, b"ok" if status < 300 else b"no", extra)


def main():
    port = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    # Ends with the test process that started it, however that ends.
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)


if __name__ == "__main__":
    main()
