"""A small HTTP backend on 127.0.0.1 that the tests' integrations call (it echoes what it received), and
a moto server that several labs share."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from moto.server import ThreadedMotoServer


class EchoHandler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path.startswith("/slow"):
            time.sleep(float(query.get("s", ["1"])[0]))
        if parts.path.startswith("/status/"):
            status = int(parts.path.rsplit("/", 1)[1])
        else:
            status = 200
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        payload = json.dumps({"method": self.command, "path": parts.path, "query": query,
                              "headers": dict(self.headers), "body": body}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Backend", "echo")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, *args: object) -> None:
        pass


class EchoServer:
    """Start with `EchoServer()`, read `.url`, `stop()` when done."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def moto_server_url() -> Iterator[str]:
    """A moto server on 127.0.0.1 for labs and outsiders to share, empty at the start and the end
    (moto's state is the process's: without a reset one test would see another's leftovers)."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    url = f"http://{host}:{port}"
    requests.post(f"{url}/moto-api/reset", timeout=10)
    try:
        yield url
    finally:
        requests.post(f"{url}/moto-api/reset", timeout=10)
        moto.stop()
