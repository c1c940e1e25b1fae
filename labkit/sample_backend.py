"""A tiny pet-store HTTP backend on 127.0.0.1 for learners' HTTP integrations.

    >>> backend = start()                 # a free port on 127.0.0.1
    >>> backend.url                       # e.g. 'http://127.0.0.1:41234'
    >>> backend.stop()

Routes (JSON in, JSON out, nothing logged to stderr):

- ``GET /pets``               the three fixed pets
- ``GET /pets/{id}``          one pet, or 404 ``{"message": "Pet 9 not found"}``
- ``POST /pets``              echoes the JSON body back as a new pet with the next id (201)
- ``GET /slow?seconds=N``     sleeps N seconds (0-60), then answers; for integration timeouts
- ``GET /status/{code}``      answers that status (100-599), e.g. 503 for "the backend is down"
- anything else               404 ``{"message": "Not found: <path>"}``

Every response carries ``X-Backend: labkit-sample-backend`` so a learner can see which answers
came from the backend and which from API Gateway itself. The data is the same on every start.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import browser_urls

__all__ = ["PETS", "SampleBackend", "start"]

LOOPBACK = "127.0.0.1"
MAX_SLOW_SECONDS = 60.0
BACKEND_HEADER = ("X-Backend", "labkit-sample-backend")

PETS: tuple[dict[str, Any], ...] = (
    {"id": 1, "type": "dog", "name": "Rex", "price": 249.99},
    {"id": 2, "type": "cat", "name": "Tom", "price": 124.99},
    {"id": 3, "type": "fish", "name": "Nemo", "price": 0.99},
)


class _Handler(BaseHTTPRequestHandler):
    server: _Server  # type: ignore[assignment]
    server_version = "labkit-sample-backend"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        """No request lines on stderr: they would land in notebook outputs."""

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header(*BACKEND_HEADER)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _parts(self) -> tuple[list[str], dict[str, list[str]]]:
        url = urlsplit(self.path)
        return [p for p in url.path.split("/") if p], parse_qs(url.query)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts, query = self._parts()
        if parts == ["pets"]:
            self._send(200, self.server.pets())
        elif len(parts) == 2 and parts[0] == "pets":
            pet = self.server.pet(parts[1])
            if pet is None:
                self._send(404, {"message": f"Pet {parts[1]} not found"})
            else:
                self._send(200, pet)
        elif len(parts) == 2 and parts[0] == "status" and parts[1].isdigit() and 100 <= int(parts[1]) <= 599:
            self._send(int(parts[1]), {"status": int(parts[1])})
        elif parts == ["slow"]:
            try:
                seconds = float(query.get("seconds", ["1"])[0])
            except ValueError:
                seconds = -1.0
            if not 0 <= seconds <= MAX_SLOW_SECONDS:
                self._send(400, {"message": f"seconds must be a number between 0 and {MAX_SLOW_SECONDS:g}"})
                return
            time.sleep(seconds)
            self._send(200, {"slept": seconds})
        else:
            self._not_found()

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        parts, _ = self._parts()
        if parts != ["pets"]:
            self._not_found()
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"message": "The body must be a JSON object"})
            return
        if not isinstance(body, dict):
            self._send(400, {"message": "The body must be a JSON object"})
            return
        self._send(201, self.server.add(body))

    def _not_found(self) -> None:
        self._send(404, {"message": f"Not found: {urlsplit(self.path).path}"})

    def do_PUT(self) -> None:  # noqa: N802
        self._not_found()

    do_DELETE = do_PATCH = do_PUT


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A caller that gave up (the gateway's integration timeout) is normal here: no traceback on
        stderr, where it would land in some later notebook cell."""

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self._lock = threading.Lock()
        self._pets: list[dict[str, Any]] = [dict(p) for p in PETS]

    def pets(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(p) for p in self._pets]

    def pet(self, pet_id: str) -> dict[str, Any] | None:
        with self._lock:
            return next((dict(p) for p in self._pets if str(p["id"]) == pet_id), None)

    def add(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            pet = {**body, "id": max(p["id"] for p in self._pets) + 1}
            self._pets.append(pet)
            return dict(pet)


@dataclass
class SampleBackend:
    """A running sample backend: `url` is its base (no trailing slash), `stop()` ends it."""

    url: str
    port: int
    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def browser_url(self) -> str:
        """Where the learner's browser reaches the backend: `url` on a laptop, the jupyter-server-proxy
        URL when the kernel runs inside a Jupyter server (a JupyterHub's 127.0.0.1 is not the learner's)."""
        return browser_urls.browser_url(self.port)

    def stop(self) -> None:
        """Stop serving and free the port; safe to call twice. Requests being answered are finished
        first (their threads are joined)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    close = stop

    def __enter__(self) -> SampleBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(host: str = LOOPBACK, port: int = 0) -> SampleBackend:
    """Serve the pet store on `host` (only 127.0.0.1) and `port` (0 picks a free port)."""
    if host != LOOPBACK:
        raise ValueError(f"host must be {LOOPBACK!r}: the sample backend never listens beyond this machine, "
                         f"got {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an integer between 0 and 65535, got {port!r}")
    server = _Server((host, port))
    thread = threading.Thread(target=server.serve_forever, name="labkit-sample-backend", daemon=True)
    thread.start()
    bound = server.server_address[1]
    return SampleBackend(f"http://{host}:{bound}", bound, server, thread)
