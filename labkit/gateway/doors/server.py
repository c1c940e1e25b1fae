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

Hostile or broken clients: a request line and headers over AWS's 10,240 bytes get 431 and the rest of
the request is never read; a request head that has not arrived `header_timeout` seconds (10 at most)
after the connection went idle closes the connection; unparsable input gets 400. Either refusal comes
after the answers to every complete request before it, in order; a client that half-closes still gets
its answers. A response header whose name is not an HTTP token (CR, LF, `:`, space...) is dropped and
CR/LF in a value become spaces, so no integration can split a response.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import html
import itertools
import json
import logging
import queue
import re
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
# AWS's limit on a REST API call's request line and headers together, in bytes: beyond it the request is
# refused and the rest of it is never read (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
HEAD_LIMIT = 10_240
# Seconds a connection may take to send a request head once it has nothing being answered (idle keep-alive
# connections included); slower ones are closed. serve() takes a shorter one, never a longer one.
HEADER_TIMEOUT = 10.0
# After an answer that ends the connection, seconds spent discarding what the client still sends: closing
# at once with unread input makes the kernel send a reset, which can destroy the answer before it is read.
LINGER = 2.0
# A response header name must be an RFC 9110 token: one holding CR, LF, `:` or a space would let an
# integration's header write other headers, or a second response (response splitting).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z").match
# Not taken from the gateway's answer: the server frames each response itself.
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade",
                         "proxy-connection", "te", "trailer"})
_NO_BODY_STATUS = frozenset({204, 304})
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_NOT_A_STAGE = json.dumps({"message": "Use /restapis/{api_id}/{stage}/_user_request_/{path}"}).encode()
_BAD_REQUEST = (400, b'{"message": "Bad Request"}')
# AWS's status for a head over HEAD_LIMIT, as callers of API Gateway report it (no AWS page states it):
# https://backbencher.dev/solved-431-status-code-with-request-header-fields-too-large
_HEAD_TOO_LARGE = (431, b'{"message": "Request Header Fields Too Large"}')

log = logging.getLogger(__name__)


class RunningServer:
    """A gateway being served; `url` is its base, `stop()` ends it and frees the port."""

    def __init__(self, url: str, port: int, server: _Server) -> None:
        self.url = url
        self.port = port
        # Where a learner's browser reaches the server: `url` on a laptop; inside a Jupyter server the
        # lab sets the jupyter-server-proxy URL (labkit/browser_urls.py), since 127.0.0.1 is the server's.
        self.browser_url = url
        self._server = server

    def stage_url(self, api_id: str, stage: str) -> str:
        """The stage's base URL, for code on this machine (curl, requests, load tools)."""
        return f"{self.url}/restapis/{api_id}/{stage}/_user_request_"

    def browser_stage_url(self, api_id: str, stage: str) -> str:
        """The stage's base URL for the learner's browser (proxied when the kit runs on a JupyterHub)."""
        return f"{self.browser_url}/restapis/{api_id}/{stage}/_user_request_"

    @property
    def open_connections(self) -> int:
        """Client connections the server holds now (idle ones are closed after the header timeout)."""
        return len(self._server.connections)

    def stop(self) -> None:
        """Stop listening, close every connection, end the loop and worker threads; safe to call twice."""
        self._server.stop()

    close = stop

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        browser = f" (browser: {self.browser_url})" if self.browser_url != self.url else ""
        return f"<RunningServer {self.url}{browser}{' (stopped)' if self._server.stopped else ''}>"

    def _repr_html_(self) -> str:
        state = " (stopped)" if self._server.stopped else ""
        where = f"<code>{html.escape(self.url)}</code>"
        if self.browser_url != self.url:
            where += f" (your browser: <code>{html.escape(self.browser_url)}</code>)"
        return (f"Gateway on {where}{state}; a stage answers at "
                "<code>/restapis/{api_id}/{stage}/_user_request_/{path}</code> below it")


def serve(gateway: Gateway, host: str = "127.0.0.1", port: int = 0,
          header_timeout: float = HEADER_TIMEOUT) -> RunningServer:
    """Serve `gateway` in a background thread on a loopback address (port 0 picks a free one); a
    connection that sends no complete request head within `header_timeout` seconds of going idle is closed."""
    if host not in LOOPBACK:
        raise ValueError(f"host must be a loopback address ({', '.join(sorted(LOOPBACK))}); the kit never "
                         f"listens beyond this machine, got {host!r}")
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be between 0 and 65535, got {port!r}")
    if isinstance(header_timeout, bool) or not isinstance(header_timeout, (int, float)) \
            or not 0 < header_timeout <= HEADER_TIMEOUT:
        raise ValueError(f"header_timeout must be more than 0 and at most {HEADER_TIMEOUT:g} seconds, "
                         f"got {header_timeout!r}")
    bind = "127.0.0.1" if host == "localhost" else host
    server = _Server(gateway, float(header_timeout))
    bound = server.start(bind, port)
    shown = f"[{bind}]" if ":" in bind else bind
    return RunningServer(f"http://{shown}:{bound}", bound, server)


class _Server:
    """The event loop thread, the listening socket, the open connections and the handler pool."""

    def __init__(self, gateway: Gateway, header_timeout: float = HEADER_TIMEOUT) -> None:
        self.gateway = gateway
        self.header_timeout = header_timeout
        self._sweeper: asyncio.TimerHandle | None = None
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
        self._header_names: set[str] = set()  # response header names already found to be tokens

    def header_name_ok(self, name: str) -> bool:
        """Whether `name` may be written as a response header name (an RFC 9110 token)."""
        if name in self._header_names:
            return True
        if not _TOKEN(name):
            return False
        if len(self._header_names) >= 512:  # integrations may invent names: keep the set small
            self._header_names.clear()
        self._header_names.add(name)
        return True

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
        self._sweep()
        return int(self._listener.sockets[0].getsockname()[1])

    def _sweep(self) -> None:
        """Close the connections whose request head is overdue (loop thread; runs a few times a timeout)."""
        overdue = self.loop.time() - self.header_timeout
        for connection in [c for c in self.connections if c.waiting_since is not None and c.waiting_since < overdue]:
            connection.expire()
        self._sweeper = self.loop.call_later(min(1.0, self.header_timeout / 4), self._sweep)

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
        if self._sweeper is not None:
            self._sweeper.cancel()
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


class _HeadTooLarge(Exception):
    """Raised from the parser's callback to stop it at a head over HEAD_LIMIT."""


class _Connection(asyncio.Protocol):
    """One client connection: parse requests, answer them one at a time and in order.

    A request the server cannot take (unparsable, head over HEAD_LIMIT) ends the connection, but only
    after every complete request before it is answered: the refusal is kept in `failure` and reading stops.
    """

    def __init__(self, server: _Server) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.pending: deque[tuple[str, bytes, list[tuple[str, str]], bytes, bool]] = deque()
        self.busy = False  # a request is with the gateway
        self.paused_reading = False
        self.writable = True
        self.closed = False  # nothing more is answered; what still arrives is dropped
        self.eof = False  # the client has half-closed: answer what is complete, then close
        self.failure: tuple[int, bytes] | None = None  # the refusal to send once earlier answers are out
        self.waiting_since: float | None = None  # loop time since which a request head is awaited
        self.peer = "127.0.0.1"
        self._linger: asyncio.TimerHandle | None = None
        self._method = "GET"
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self._body_size = 0
        # Head accounting. httptools hands a header over only once it is whole, so bytes of a header still
        # arriving are counted by the reads that brought no parser event at all (`_unseen`). A head that
        # stops arriving half-way can thus be one read (<= 256 KB) over the limit unnoticed: it is never
        # buffered beyond that, and the header timeout ends it.
        self._head = 0  # bytes of the current head handed over so far
        self._unseen = 0  # bytes read since the last parser event, outside a body
        self._in_body = False
        self._progress = False  # a parser event happened during the current read

    # --- asyncio.Protocol ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        if peer:
            self.peer = peer[0]
        self.server.connections.add(self)
        self.waiting_since = self.server.loop.time()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.waiting_since = None
        self.pending.clear()
        if self._linger is not None:
            self._linger.cancel()
        self.server.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        if self.closed or self.failure is not None:
            return  # lingering, or past a request that cannot be read: dropped unread
        self._progress = False
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # the request itself was complete; no protocol switch is offered
        except httptools.HttpParserError as exc:  # a callback's own error comes as its context
            self._fail(_HEAD_TOO_LARGE if isinstance(exc.__context__, _HeadTooLarge) else _BAD_REQUEST)
        if not self._in_body and self.failure is None:
            self._unseen = 0 if self._progress else self._unseen + len(data)
            if self._head + self._unseen > HEAD_LIMIT:  # a head still arriving is already too large
                self._fail(_HEAD_TOO_LARGE)
        if not self.busy:
            self._advance()
        if len(self.pending) >= PIPELINE_LIMIT:
            self._pause()  # answers go one at a time: let TCP hold what a client piles up

    def eof_received(self) -> bool:
        """The client will send nothing more: keep the connection to answer its complete requests."""
        self.eof = True
        if not self.closed and (self.busy or self.pending or self.failure is not None):
            return True
        self.closed = True
        self.waiting_since = None
        return False  # nothing left to answer (or lingering): the transport closes

    def pause_writing(self) -> None:  # the client reads its answers slower than they come: stop reading it
        self.writable = False
        self._pause()

    def resume_writing(self) -> None:
        self.writable = True
        self._resume()

    # --- httptools callbacks ------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._progress = True
        self._head = 0
        self._url = b""
        self._headers = []
        self._body = []
        self._body_size = 0

    def on_url(self, url: bytes) -> None:
        self._progress = True
        self._head += len(url)
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._progress = True
        self._head += len(name) + len(value) + 4  # `name: value` CRLF
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._progress = True
        method = self._method = self.parser.get_method().decode("latin-1")
        if self._head + len(method) + 14 > HEAD_LIMIT:  # `M url HTTP/1.1` CRLF, then the blank line CRLF
            raise _HeadTooLarge
        self._in_body = True
        self.waiting_since = None
        if self.parser.get_http_version() == "1.1":
            for name, value in self._headers:
                if name.lower() == "expect" and value.lower() == "100-continue":
                    self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # type: ignore[union-attr]

    def on_body(self, body: bytes) -> None:
        self._progress = True
        room = KEEP_BODY - self._body_size
        if room > 0:
            chunk = body[:room] if len(body) > room else body
            self._body.append(chunk)
            self._body_size += len(chunk)

    def on_message_complete(self) -> None:
        self._progress = True
        self._in_body = False
        body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
        self.pending.append((self._method, self._url, self._headers, body, self.parser.should_keep_alive()))

    # --- answering ----------------------------------------------------------------------------------

    def _advance(self) -> None:
        """With no request at the gateway: start the next one, or send the refusal, or end a half-closed
        connection, or wait for the next request head."""
        if self.closed:
            return
        if self.pending:
            self._next()
        elif self.failure is not None:
            status, body = self.failure
            self._write_simple(status, body)
            self._shut()
        elif self.eof:
            self.close()
        elif not self._in_body and self.waiting_since is None:
            self.waiting_since = self.server.loop.time()

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
            if not self.server.header_name_ok(name):
                continue  # not a header name: dropped, never written raw
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
            self._shut()
            return
        self._advance()
        self._resume()

    def _pause(self) -> None:
        if not self.paused_reading and not self.closed:
            self.paused_reading = True
            self.transport.pause_reading()  # type: ignore[union-attr]

    def _resume(self) -> None:
        if self.paused_reading and self.writable and len(self.pending) < PIPELINE_LIMIT and not self.closed \
                and self.failure is None:
            self.paused_reading = False
            self.transport.resume_reading()  # type: ignore[union-attr]

    def _fail(self, failure: tuple[int, bytes]) -> None:
        """Refuse the request being read: stop reading; the refusal goes out after the earlier answers."""
        self.failure = failure
        self.waiting_since = None
        self._pause()

    def _write_simple(self, status: int, body: bytes) -> None:
        self.transport.write(  # type: ignore[union-attr]
            f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)

    def _shut(self) -> None:
        """End the connection after what is written: send FIN, then discard input until the client
        closes or LINGER seconds pass, so that unread input cannot turn the close into a reset."""
        if self.closed:
            return
        self.closed = True
        self.waiting_since = None
        self.pending.clear()
        transport = self.transport
        if self.eof or not transport.can_write_eof():  # type: ignore[union-attr]
            transport.close()  # type: ignore[union-attr]
            return
        transport.write_eof()  # type: ignore[union-attr]
        self._linger = self.server.loop.call_later(LINGER, self.abort)
        if self.paused_reading:
            self.paused_reading = False
            transport.resume_reading()  # type: ignore[union-attr]

    def expire(self) -> None:
        """The request head did not come in time: close (called by the server's sweep). Answers the
        client has not read are dropped with it: a client that reads nothing must not pin them."""
        self.waiting_since = None
        if self.transport is not None and self.transport.get_write_buffer_size():
            self.abort()
        else:
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.transport.close()  # type: ignore[union-attr]
        self.waiting_since = None

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
