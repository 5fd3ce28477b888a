"""A connect and subscribe hook for cometkit in plain Python (standard library only).

    COMET_HOOK_SECRET=... python3 hook_backend.py 8001

then start the push server with
    COMET_HOOK_SECRET=... COMET_HOOK_CONNECT_URL=http://127.0.0.1:8001/connect \
    COMET_HOOK_SUBSCRIBE_URL=http://127.0.0.1:8001/subscribe cometkit-server

Sessions and rooms are a dictionary here; a real application reads its own
session store and permissions. See PROTOCOL.md, Hooks.
"""
import hashlib
import hmac
import json
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ["COMET_HOOK_SECRET"].encode()
SESSIONS = {"s-ada": {"user": "ada", "name": "Ada", "rooms": {"lobby", "ops"}}, "s-bob": {"user": "bob", "name": "Bob", "rooms": {"lobby"}}}
ROOMS_OF = {session["user"]: session["rooms"] for session in SESSIONS.values()}


def signed(header, body):
    """Comet-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "t.body")>, within 5 minutes."""
    match = re.fullmatch(r"t=(\d{1,12}),v1=([0-9a-f]{64})", header or "")
    if not match or abs(time.time() - int(match[1])) > 300:
        return False
    expected = hmac.new(SECRET, match[1].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match[2])


def session_of(cookie):
    for part in (cookie or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "session" and value in SESSIONS:
            return SESSIONS[value]
    return None


class Hooks(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not signed(self.headers.get("Comet-Signature"), body):
            return self.answer(401, {"error": "bad signature"})
        question = json.loads(body)
        if self.path == "/connect":
            session = session_of(question.get("cookie"))
            if session is None:
                return self.answer(200, {"allow": False, "reason": "sign in first"})
            return self.answer(200, {"allow": True, "user": session["user"], "name": session["name"]})
        if self.path == "/subscribe":
            rooms = ROOMS_OF.get(question.get("user"), set())
            allowed = [channel for channel in question["channels"] if channel.removeprefix("room.") in rooms]
            return self.answer(200, {"allow": bool(allowed), "channels": allowed, "reason": "not a member of these rooms"})
        self.answer(404, {"error": "no such hook"})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8001), Hooks)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()
