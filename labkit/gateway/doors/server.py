"""The gateway over HTTP on 127.0.0.1, for curl, browsers and load tools.

Paths follow LocalStack's `/restapis/{api_id}/{stage}/_user_request_/{path}`, so tools written for
it work; a request whose Host is `{api_id}.execute-api.{region}.amazonaws.com` is routed as on AWS.
A custom domain name is reached with its name in Host, or at `/_domains/{domain_name}/{base_path}/...`.

The server is a lean HTTP/1.1 server (keep-alive, pipelining, `Expect: 100-continue`, chunked
request bodies) on asyncio, with httptools' C parser and uvloop where it is installed, running its
event loop in one background thread. `Gateway.handle` runs on a few worker threads, never on the
event loop: integrations may block (an HTTP backend, a Lambda handler), and one slow request must
not stall the others, so more workers start while some are stuck. Measured on a 2-core machine
with wrk (benchmarks/http_throughput.py): 2,700-4,800 MOCK requests/s, where werkzeug's threaded
development server it replaces served about 500/s and uvicorn (ASGI, same thread hand-off)
2,500-3,000/s.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import json
import logging
import queue
import threading
import time
from collections import deque
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

import httptools

from .urls import request_for
from ..engine import Gateway
from ..http import Headers, Request, Response
from ..pipeline import MAX_PAYLOAD_BYTES

try:  # uvloop: a faster event loop where it exists (not on Windows); asyncio's own otherwise
    import uvloop as _uvloop
except ImportError:  # pragma: no cover - depends on the platform
    _uvloop = None

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Threads running Gateway.handle. A MOCK request is ~100 us of pure Python, so more threads than this
# only fight over the GIL (measured: 16 threads serve half as many requests/s as 4, with p99 in the
# hundreds of ms); when threads are stuck on slow integrations, more are started, up to MAX_WORKERS.
CORE_WORKERS = 4
MAX_WORKERS = 64
STALLED = 0.05  # seconds a thread is on one request before it counts as stuck
# The body kept of a request: one byte over the gateway's payload limit is enough for it to answer
# 413; the rest is read from the connection and dropped, so a huge upload costs no memory.
KEEP_BODY = MAX_PAYLOAD_BYTES + 1
PIPELINE_LIMIT = 16  # pipelined requests parsed ahead of their answers before the server stops reading
# Not taken from the gateway's answer: the server frames each response itself.
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade",
                         "proxy-connection", "te", "trailer"})
_NO_BODY_STATUS = frozenset({204, 304})
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_NOT_A_STAGE = json.dumps({"message": "Use /restapis/{api_id}/{stage}/_user_request_/{path}"}).encode()

log = logging.getLogger(__name__)


class RunningServer:
    """A gateway being served; `url` is its base, `stop()` ends it and frees the port."""

    def __init__(self, url: str, port: int, server: _Server) -> None:
        self.url = url
        self.port = port
        self._server = server

    def stage_url(self, api_id: str, stage: str) -> str:
        return f"{self.url}/restapis/{api_id}/{stage}/_user_request_"

    def stop(self) -> None:
        """Stop listening, close every connection, end the loop and worker threads; safe to call twice."""
        self._server.stop()

    close = stop

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<RunningServer {self.url}{' (stopped)' if self._server.stopped else ''}>"


def serve(gateway: Gateway, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve `gateway` in a background thread on a loopback address (port 0 picks a free one)."""
    if host not in LOOPBACK:
        raise ValueError(f"host must be a loopback address ({', '.join(sorted(LOOPBACK))}); the kit never "
                         f"listens beyond this machine, got {host!r}")
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be between 0 and 65535, got {port!r}")
    bind = "127.0.0.1" if host == "localhost" else host
    server = _Server(gateway)
    bound = server.start(bind, port)
    shown = f"[{bind}]" if ":" in bind else bind
    return RunningServer(f"http://{shown}:{bound}", bound, server)


class _Server:
    """The event loop thread, the listening socket, the open connections and the handler pool."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.workers = _Workers()
        self.outstanding = 0  # requests with the workers
        self._watch: asyncio.TimerHandle | None = None
        self.loop = _uvloop.new_event_loop() if _uvloop is not None else asyncio.new_event_loop()
        self.connections: set[_Connection] = set()
        self.stopped = False
        self._listener: asyncio.AbstractServer | None = None
        self._thread = threading.Thread(target=self._run, name="labkit-gateway", daemon=True)
        self._date = ""
        self._date_second = -1

    def start(self, host: str, port: int) -> int:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(host, port), self.loop)
        try:
            return future.result(timeout=30)
        except BaseException:
            self.stop()
            raise

    async def _listen(self, host: str, port: int) -> int:
        self._listener = await self.loop.create_server(lambda: _Connection(self), host, port, backlog=1024,
                                                       reuse_address=True)
        return int(self._listener.sockets[0].getsockname()[1])

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self._thread.is_alive():
            try:
                asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=10)
            except (concurrent.futures.TimeoutError, RuntimeError):
                pass
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
        elif not self.loop.is_closed():
            self.loop.close()  # never started: the loop's own descriptors still need closing
        self.workers.stop()

    async def _close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        for connection in list(self.connections):
            connection.abort()
        if self._listener is not None:
            await self._listener.wait_closed()

    def submit(self, connection: _Connection, request: Request, method: str, keep_alive: bool) -> None:
        """Run `gateway.handle(request)` on a worker; its answer comes back to the loop thread."""
        self.outstanding += 1
        if self._watch is None:
            self._watch = self.loop.call_later(STALLED / 2, self._check_workers)
        loop = self.loop

        def done(answer: Response | None, error: BaseException | None) -> None:  # on the worker thread
            try:
                loop.call_soon_threadsafe(self._answered, connection, answer, error, method, keep_alive)
            except RuntimeError:  # the server was stopped meanwhile: nobody to answer
                pass

        self.workers.submit(self.gateway.handle, request, done)

    def _answered(self, connection: _Connection, answer: Response | None, error: BaseException | None,
                  method: str, keep_alive: bool) -> None:
        self.outstanding -= 1
        connection.answered(answer, error, method, keep_alive)

    def _check_workers(self) -> None:
        self.workers.unstick()
        self._watch = self.loop.call_later(STALLED / 2, self._check_workers) if self.outstanding else None

    def date(self) -> str:
        now = int(time.time())
        if now != self._date_second:
            self._date_second, self._date = now, formatdate(now, usegmt=True)
        return self._date


class _Connection(asyncio.Protocol):
    """One client connection: parse requests, answer them one at a time and in order."""

    def __init__(self, server: _Server) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.pending: deque[tuple[str, bytes, list[tuple[str, str]], bytes, bool]] = deque()
        self.busy = False  # a request is with the gateway
        self.paused_reading = False
        self.writable = True
        self.closed = False
        self.peer = "127.0.0.1"
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self._body_size = 0

    # --- asyncio.Protocol ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        if peer:
            self.peer = peer[0]
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.pending.clear()
        self.server.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # the request itself was complete; no protocol switch is offered
        except httptools.HttpParserError:
            self._write_simple(400, b'{"message": "Bad Request"}')
            self.close()
            return
        if self.pending and not self.busy:
            self._next()
        if len(self.pending) >= PIPELINE_LIMIT and not self.paused_reading and not self.closed:
            self.paused_reading = True  # answers go one at a time: let TCP hold what a client piles up
            self.transport.pause_reading()  # type: ignore[union-attr]

    def pause_writing(self) -> None:  # the client reads its answers slower than they come: stop reading it
        self.writable = False
        if not self.paused_reading and not self.closed:
            self.paused_reading = True
            self.transport.pause_reading()  # type: ignore[union-attr]

    def resume_writing(self) -> None:
        self.writable = True
        self._resume()

    # --- httptools callbacks ------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._body = []
        self._body_size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        if self.parser.get_http_version() == "1.1":
            for name, value in self._headers:
                if name.lower() == "expect" and value.lower() == "100-continue":
                    self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # type: ignore[union-attr]

    def on_body(self, body: bytes) -> None:
        room = KEEP_BODY - self._body_size
        if room > 0:
            chunk = body[:room] if len(body) > room else body
            self._body.append(chunk)
            self._body_size += len(chunk)

    def on_message_complete(self) -> None:
        body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
        self.pending.append((self.parser.get_method().decode("latin-1"), self._url, self._headers, body,
                             self.parser.should_keep_alive()))

    # --- answering ----------------------------------------------------------------------------------

    def _next(self) -> None:
        method, url, headers, body, keep_alive = self.pending.popleft()
        self.busy = True
        request = self._request(method, url, headers, body)
        if request is None:
            self._respond(method, 404, [("Content-Type", "application/json")], _NOT_A_STAGE, keep_alive)
            return
        self.server.submit(self, request, method, keep_alive)

    def _request(self, method: str, url: bytes, headers: list[tuple[str, str]], body: bytes) -> Request | None:
        target = url.decode("latin-1")
        if not target.startswith("/"):  # absolute form (a proxy-style request) or `*`
            try:
                parsed = httptools.parse_url(url)
            except httptools.HttpParserInvalidURLError:
                return None
            target = (parsed.path or b"/").decode("latin-1")
            if parsed.query:
                target += "?" + parsed.query.decode("latin-1")
        raw_path, _, query = target.partition("?")
        path = unquote(raw_path, errors="replace") if "%" in raw_path else raw_path
        host = ""
        for name, value in headers:
            if name.lower() == "host":
                host = value
                break
        return request_for(method, host, path, query, Headers(headers), body, source_ip=self.peer)

    def answered(self, answer: Response | None, error: BaseException | None, method: str, keep_alive: bool) -> None:
        if error is not None:  # a bug in the kit: say so on stderr, answer as API Gateway would
            log.error("the gateway failed to answer a request", exc_info=error)
        if self.closed:
            return
        if answer is None:
            self._respond(method, 500, [("Content-Type", "application/json")],
                          b'{"message": "Internal server error"}', keep_alive)
            return
        self._respond(method, answer.status_code, answer.headers.items_list(), answer.body, keep_alive)

    def _respond(self, method: str, status: int, headers: list[tuple[str, str]], body: bytes,
                 keep_alive: bool) -> None:
        if self.closed:
            return
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\nDate: {self.server.date()}\r\n"]
        length = None
        for name, value in headers:
            low = name.lower()
            if low in _HOP_BY_HOP:
                if low == "content-length":
                    length = value
                continue
            if "\n" in value or "\r" in value:
                value = value.replace("\r", " ").replace("\n", " ")
            lines.append(f"{name}: {value}\r\n")
        no_body = status in _NO_BODY_STATUS or 100 <= status < 200
        if not no_body:
            # A HEAD answer tells the length a GET would have had, when the integration said it.
            lines.append(f"Content-Length: {length if method == 'HEAD' and length and not body else len(body)}\r\n")
        if not keep_alive:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        head = "".join(lines)
        try:
            data = head.encode("latin-1")
        except UnicodeEncodeError:
            data = head.encode("utf-8")
        if body and not no_body and method != "HEAD":
            data += body
        self.transport.write(data)  # type: ignore[union-attr]
        self.busy = False
        if not keep_alive:
            self.close()
        else:
            if self.pending:
                self._next()
            self._resume()

    def _resume(self) -> None:
        if self.paused_reading and self.writable and len(self.pending) < PIPELINE_LIMIT and not self.closed:
            self.paused_reading = False
            self.transport.resume_reading()  # type: ignore[union-attr]

    def _write_simple(self, status: int, body: bytes) -> None:
        self.transport.write(  # type: ignore[union-attr]
            f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.transport.close()  # type: ignore[union-attr]

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class _Workers:
    """CORE_WORKERS threads always; one more for each that is stuck on a slow integration while
    requests wait (up to MAX_WORKERS), retiring once the others are free again."""

    def __init__(self, core: int | None = None, most: int | None = None) -> None:
        self.core = CORE_WORKERS if core is None else core
        self.most = MAX_WORKERS if most is None else most
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._busy: dict[int, float | None] = {}  # worker -> when it took its current request
        self._threads: dict[int, threading.Thread] = {}  # live workers, joined by stop()
        self._ids = itertools.count()
        self._stopped = False
        with self._lock:
            for _ in range(self.core):
                self._spawn(core=True)

    def submit(self, fn: Any, arg: Any, done: Any) -> None:
        self._queue.put((fn, arg, done))

    def _spawn(self, core: bool) -> None:  # under self._lock
        wid = next(self._ids)
        self._busy[wid] = None
        thread = self._threads[wid] = threading.Thread(target=self._work, args=(wid, core),
                                                       name=f"labkit-gateway-worker-{wid}", daemon=True)
        thread.start()

    def _free(self, now: float) -> int:
        """Workers not stuck on a request."""
        busy = list(self._busy.values())
        return len(busy) - sum(1 for since in busy if since is not None and now - since > STALLED)

    def unstick(self) -> None:
        """Start workers while requests wait and fewer than `core` workers are free (loop thread)."""
        if self._queue.empty() or self._stopped:
            return
        with self._lock:
            free = self._free(time.monotonic())
            for _ in range(min(self.core - free, self.most - len(self._busy), self._queue.qsize())):
                self._spawn(core=False)

    def _work(self, wid: int, core: bool) -> None:
        while True:
            try:
                item = self._queue.get(timeout=None if core else 5.0)
            except queue.Empty:
                item = None
            if item is None or self._stopped:
                break
            fn, arg, done = item
            self._busy[wid] = time.monotonic()
            try:
                answer, error = fn(arg), None
            except BaseException as exc:  # noqa: BLE001 - handed to the loop thread, which logs it
                answer, error = None, exc
            self._busy[wid] = None
            done(answer, error)
            if not core and self._free(time.monotonic()) > self.core:
                break  # the others are free again: this extra worker is not needed
        with self._lock:
            self._busy.pop(wid, None)
            self._threads.pop(wid, None)

    def stop(self, wait: float = 10.0) -> None:
        """End every worker: idle ones at once, one busy on a request when it is done (waiting up to
        `wait` seconds in all)."""
        self._stopped = True
        with self._lock:
            threads = list(self._threads.values())
            for _ in range(len(self._busy)):
                self._queue.put(None)
        deadline = time.monotonic() + wait
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))


def static_gateway(status: int = 200, body: bytes = b'{"pong": true}',
                   headers: list[tuple[str, str]] | None = None) -> Any:
    """A stand-in gateway answering every request with one fixed response: `serve(static_gateway())`
    measures the HTTP server alone (benchmarks/http_throughput.py's reference)."""

    class _Static:
        def handle(self, request: Request) -> Response:
            return Response(status, Headers(headers or [("Content-Type", "application/json")]), body)

    return _Static()
