"""An SMTP server on loopback for Confab's tests (aiosmtpd): it keeps every
message it receives and tells them to the test.

It prints the SMTP port and the HTTP port it listens on, then serves
GET /messages over HTTP: [{"from", "to": [...], "subject", "text", "html",
"headers": {...}}], in the order received.
"""

import email
import email.policy
import json
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

received = []
lock = threading.Lock()


class Keep:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        with lock:
            received.append({
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "subject": str(message["Subject"]),
                "text": text.get_content() if text else None,
                "html": html.get_content() if html else None,
                "headers": {k: str(v) for k, v in message.items()},
            })
        return "250 kept"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        with lock:
            data = json.dumps(received).encode()
        self.send_response(200 if self.path == "/messages" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    with socket.socket() as probe:  # a free port (aiosmtpd needs one named)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(port, http.server_address[1], flush=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    # Ends with the test: its stdin closes when the test process drops it.
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
