"""Helpers for the Python client's tests: the real server from the environment, and a flaky proxy."""

import http.server
import os
import threading
import urllib.error
import urllib.request
import uuid

from labtrack_client import Labtrack

PROJECT = "python-client"


def client(**options):
    """A client for the server the test runner started (LABTRACK_URL / LABTRACK_TOKEN)."""
    if not os.environ.get("LABTRACK_URL") or not os.environ.get("LABTRACK_TOKEN"):
        raise RuntimeError(
            "set LABTRACK_URL and LABTRACK_TOKEN to a running tracker-api "
            "(pnpm --filter @labtrack/examples test starts one and runs this suite)"
        )
    options.setdefault("retry_base_delay", 0.05)
    options.setdefault("retry_timeout", 20.0)
    return Labtrack(**options)


def unique_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def series(api, run_id, keys, max_points=20_000):
    """{key: series} for one run, read back through `metrics.series`."""
    data = api.call("metrics.series", {"runIds": [run_id], "keys": keys, "maxPoints": max_points}, query=True)
    return {s["key"]: s for s in data}


class FlakyProxy:
    """Forwards HTTP to `upstream`, but fails `procedure` requests (`metrics.log` unless told) as
    `plan` says, one action each: "drop" (close before forwarding), "drop-after" (forward, then
    close without answering: a lost answer), "503".
    """

    def __init__(self, upstream, plan, procedure="metrics.log"):
        self.upstream = upstream.rstrip("/")
        self.procedure = procedure
        self.plan = list(plan)
        self.seen = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy._handle(self)

            do_POST = do_PUT = do_GET

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, handler):
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else None
        action = None
        with self._lock:
            if f"/trpc/{self.procedure}" in handler.path:
                action = self.plan.pop(0) if self.plan else "forward"
                self.seen.append(action)
        if action == "drop":
            handler.close_connection = True
            return
        if action == "503":
            handler.send_response(503)
            handler.send_header("content-length", "0")
            handler.end_headers()
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() in ("authorization", "content-type")}
        request = urllib.request.Request(self.upstream + handler.path, body, headers, method=handler.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        if action == "drop-after":
            handler.close_connection = True
            return
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)
