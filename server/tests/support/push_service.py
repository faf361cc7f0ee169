"""A push service on loopback for Confab's tests: the receiving side of Web
Push (RFC 8030), checking each request's VAPID signature (RFC 8292, with
py_vapid) and decrypting its payload (RFC 8291, aes128gcm, with http_ece),
both written independently of the server under test.

It prints the port it listens on, then serves:
  POST /subscriptions?mode=M  a new subscription, as a browser would make it:
                              {"endpoint", "keys": {"p256dh", "auth"}}; M is
                              ok (201), gone (410 always) or busy-once (503
                              with Retry-After: 1 the first time, then 201)
  POST /push/ID               a push (what the server under test sends)
  GET  /received/ID           {"attempts": n, "pushes": [{payload, ttl,
                              urgency, topic, aud, sub}], "errors": [...]}
"""

import base64
import json
import os
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

subscriptions = {}
lock = threading.Lock()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_vapid(header, origin):
    """The claims of a valid VAPID Authorization header; raises otherwise."""
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError("scheme is not vapid: %r" % scheme)
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    if not Vapid02.verify("vapid t=%s,k=%s" % (parts["t"], parts["k"])):
        raise ValueError("the VAPID signature does not verify")
    claims = json.loads(unb64url(parts["t"].split(".")[1]))
    if claims.get("aud") != origin:
        raise ValueError("aud %r is not %r" % (claims.get("aud"), origin))
    if not (time.time() < claims["exp"] <= time.time() + 24 * 3600 + 60):
        raise ValueError("exp is not within a day")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError("sub is no contact")
    return claims


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        path, _, query = self.path.partition("?")
        if path == "/subscriptions":
            mode = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("mode", "ok")
            key = ec.generate_private_key(ec.SECP256R1())
            auth = secrets.token_bytes(16)
            sid = secrets.token_hex(8)
            public = key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
            with lock:
                subscriptions[sid] = {
                    "key": key, "auth": auth, "mode": mode,
                    "attempts": 0, "pushes": [], "errors": [],
                }
            host = self.headers.get("Host")
            return self.answer(201, {
                "endpoint": "http://%s/push/%s" % (host, sid),
                "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
            })
        if path.startswith("/push/"):
            sid = path[len("/push/"):]
            with lock:
                sub = subscriptions.get(sid)
                if sub is None:
                    return self.answer(404, {"error": "no such subscription"})
                sub["attempts"] += 1
                attempts, mode = sub["attempts"], sub["mode"]
            if mode == "gone":
                return self.answer(410, {"error": "unsubscribed"})
            if mode == "busy-once" and attempts == 1:
                return self.answer(503, {"error": "busy"}, [("Retry-After", "1")])
            try:
                origin = "http://%s" % self.headers.get("Host")
                claims = check_vapid(self.headers.get("Authorization", ""), origin)
                if self.headers.get("Content-Encoding") != "aes128gcm":
                    raise ValueError("Content-Encoding is not aes128gcm")
                plain = http_ece.decrypt(
                    body, private_key=sub["key"], auth_secret=sub["auth"], version="aes128gcm"
                )
                push = {
                    "payload": json.loads(plain),
                    "ttl": self.headers.get("TTL"),
                    "urgency": self.headers.get("Urgency"),
                    "topic": self.headers.get("Topic"),
                    "aud": claims["aud"],
                    "sub": claims["sub"],
                }
            except Exception as e:  # the test reads what went wrong
                with lock:
                    sub["errors"].append("%s: %s" % (type(e).__name__, e))
                return self.answer(400, {"error": str(e)})
            with lock:
                sub["pushes"].append(push)
            return self.answer(201, None, [("Location", "/message/%d" % attempts)])
        self.answer(404, {"error": "no such path"})

    def do_GET(self):
        if self.path.startswith("/received/"):
            with lock:
                sub = subscriptions.get(self.path[len("/received/"):])
                if sub is None:
                    return self.answer(404, {"error": "no such subscription"})
                return self.answer(200, {
                    "attempts": sub["attempts"], "pushes": sub["pushes"], "errors": sub["errors"],
                })
        self.answer(404, {"error": "no such path"})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    # Ends with the test: its stdin closes when the test process drops it.
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
