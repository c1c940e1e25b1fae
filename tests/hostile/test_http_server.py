"""Hostile clients of the gateway's HTTP server (labkit/gateway/doors/server.py): oversized and endless
request heads, slow heads, garbage after pipelined requests, half-closed connections, integration
headers that would split a response, and raw-byte fuzzing. Every wait is a bounded socket timeout
that proves an answer or a close arrived; none measures how long anything took."""

from __future__ import annotations

import re
import select
import socket
import threading
import time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from labkit.apis import RestApi
from labkit.gateway.doors.server import HEAD_LIMIT, HEADER_TIMEOUT, serve
from labkit.gateway.http import Headers, Request, Response

SHORT = 0.3  # the header timeout of these tests' servers: seconds
BOUND = 5.0  # seconds any answer or close must arrive within, far beyond what it needs
STAGE = "/restapis/a/dev/_user_request_"


class PathEcho:
    """A stand-in gateway answering 200 with the request's path as the body; `slow_for` paths wait first."""

    def __init__(self, slow_for: tuple[str, ...] = (), wait: float = 0.0) -> None:
        self.slow_for = slow_for
        self.wait = wait

    def handle(self, request: Request) -> Response:
        if request.path in self.slow_for:
            time.sleep(self.wait)
        return Response(200, Headers([("Content-Type", "text/plain")]), request.path.encode())


@pytest.fixture(scope="module")
def server():
    running = serve(PathEcho(slow_for=("/slow",), wait=2 * SHORT), header_timeout=SHORT)  # type: ignore[arg-type]
    yield running
    running.stop()


def get(path: str, extra: bytes = b"") -> bytes:
    return f"GET {STAGE}{path} HTTP/1.1\r\nHost: x\r\n".encode() + extra + b"\r\n"


def exchange(port: int, data: bytes, half_close: bool = False) -> bytes:
    """Send `data`, then read until the server closes; a hang fails the test after BOUND seconds."""
    with socket.create_connection(("127.0.0.1", port), timeout=BOUND) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # BrokenPipe/ConnectionReset: the server refused before reading it all
            pass
        return read_to_close(sock)


def read_to_close(sock: socket.socket) -> bytes:
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            pytest.fail(f"the server neither answered nor closed within {BOUND} s; got {received[:200]!r}")
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def statuses(received: bytes) -> list[int]:
    """The status of each answer in `received` (an answer's body never holds a space: PathEcho's paths)."""
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", received)]


def bodies(received: bytes) -> list[bytes]:
    """The bodies of a run of 200 answers from PathEcho (each is the request's path)."""
    out = []
    for part in received.split(b"HTTP/1.1 ")[1:]:
        head, _, rest = part.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        out.append(rest[:length])
    return out


def assert_still_serving(port: int) -> None:
    assert statuses(exchange(port, get("/ok", b"Connection: close\r\n"))) == [200]


# --- the request head: 10,240 bytes at most -----------------------------------------------------------

def head_of(size: int) -> bytes:
    """A GET whose request line and headers are exactly `size` bytes."""
    start = get("/size", b"X-Pad: ")[:-2]
    return start + b"a" * (size - len(start) - 4) + b"\r\n\r\n"


def test_a_head_of_10240_bytes_is_served_and_one_byte_more_is_431(server):
    # AWS: "request line and header values" of a REST API call total at most 10,240 bytes
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
    assert len(head_of(HEAD_LIMIT)) == HEAD_LIMIT == 10_240
    assert statuses(exchange(server.port, head_of(HEAD_LIMIT), half_close=True)) == [200]
    refused = exchange(server.port, head_of(HEAD_LIMIT + 1))  # no half-close: the server ends it itself
    assert statuses(refused) == [431]
    assert b"Connection: close" in refused and refused.endswith(b'{"message": "Request Header Fields Too Large"}')
    assert_still_serving(server.port)


def test_many_small_headers_count_toward_the_limit(server):
    many = get("/many", b"".join(b"X-%d: v\r\n" % n for n in range(2000)))
    assert len(many) > HEAD_LIMIT
    assert statuses(exchange(server.port, many)) == [431]


def test_an_endless_header_is_refused_before_the_client_has_sent_much(server):
    """The server stops reading a head that is already too large: it answers 431 while the client is
    still sending, instead of buffering everything (a 100 MB header once cost the process 1.2 GB)."""
    cap = 32 << 20
    piece = b"a" * (1 << 20)
    with socket.create_connection(("127.0.0.1", server.port), timeout=BOUND) as sock:
        sock.setblocking(False)
        sent, pending = 0, b"GET / HTTP/1.1\r\nX-Endless: " + piece
        answered = False
        while sent < cap and not answered:
            readable, writable, _ = select.select([sock], [sock], [], BOUND)
            assert readable or writable, "the server neither read nor answered"
            answered = bool(readable)
            if writable and not answered:
                try:
                    n = sock.send(pending)
                except (BlockingIOError, ConnectionResetError, BrokenPipeError):
                    continue
                sent += n
                pending = pending[n:] or piece
        sock.settimeout(BOUND)
        assert answered, f"no answer after {sent >> 20} MB of one header"
        assert statuses(read_to_close(sock)) == [431]
    assert sent < cap // 2  # what the kernel's buffers take, at most; the server itself read about 10 KB
    assert_still_serving(server.port)


# --- slow heads: the header timeout ------------------------------------------------------------------------

def test_a_slow_or_missing_head_is_closed_after_the_header_timeout(server):
    for partial in (b"", b"GET / HTTP/1.1\r\nHost: x\r\n", b"GE"):  # idle, slowloris, a request line begun
        assert exchange(server.port, partial) == b""  # closed without an answer, before BOUND


def test_an_idle_keep_alive_connection_is_closed_but_a_slow_answer_is_awaited(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=BOUND) as sock:
        sock.sendall(get("/slow"))  # the gateway takes 2 x the header timeout to answer it
        received = read_to_close(sock)  # then the connection idles past the timeout and is closed
    assert statuses(received) == [200] and bodies(received) == [b"/slow"]


def test_a_client_that_reads_no_answers_is_dropped_with_them_after_the_header_timeout():
    """Answers a client never reads would pin their memory in the server for as long as it stays: once
    nothing more is being answered, the header timeout drops the connection and what it still holds."""
    big = Response(200, Headers([("Content-Type", "text/plain")]), b"x" * (1 << 20))
    running = serve(type("Big", (), {"handle": lambda self, request: big})(), header_timeout=SHORT)  # type: ignore[arg-type]
    try:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)  # no autotuning up to tens of MB
            sock.settimeout(BOUND)
            sock.connect(("127.0.0.1", running.port))
            sock.sendall(get("/big") * 12)  # 12 MB of answers, more than the socket buffers hold
            deadline = time.monotonic() + BOUND
            while not running.open_connections:  # accepted by the kernel is not yet taken by the server
                assert time.monotonic() < deadline, "the server never took the connection"
                time.sleep(0.01)
            while running.open_connections:
                assert time.monotonic() < deadline, "the server kept a connection whose client reads nothing"
                time.sleep(0.05)
            assert len(read_to_close(sock)) < 12 << 20  # only what the kernel had taken already
    finally:
        running.stop()


def test_the_header_timeout_is_at_most_ten_seconds():
    assert HEADER_TIMEOUT == 10.0
    for bad in (0, -1, 10.5, "5", True):
        with pytest.raises(ValueError, match=r"header_timeout must be more than 0 and at most 10 seconds"):
            serve(PathEcho(), header_timeout=bad)  # type: ignore[arg-type]


# --- answers are never lost ---------------------------------------------------------------------------------

def test_pipelined_requests_are_answered_in_order_before_the_400_for_garbage(server):
    # the first request is still with the gateway when the garbage is parsed
    received = exchange(server.port, get("/slow") + get("/next") + b"NOT HTTP\x00\r\n\r\n")
    assert statuses(received) == [200, 200, 400]
    assert bodies(received)[:2] == [b"/slow", b"/next"]
    assert received.endswith(b'{"message": "Bad Request"}')


def test_pipelined_requests_are_answered_before_the_431_for_an_oversized_head(server):
    received = exchange(server.port, get("/one") + head_of(HEAD_LIMIT + 1))
    assert statuses(received) == [200, 431]


def test_a_client_that_half_closes_after_its_requests_gets_every_answer(server):
    received = exchange(server.port, get("/slow") + get("/two"), half_close=True)
    assert statuses(received) == [200, 200] and bodies(received) == [b"/slow", b"/two"]


def test_a_half_closed_incomplete_request_is_closed_without_an_answer(server):
    assert exchange(server.port, b"GET / HTTP/1.1\r\nHost:", half_close=True) == b""
    assert exchange(server.port, b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", half_close=True) == b""


# --- response splitting --------------------------------------------------------------------------------------

def test_integration_header_names_with_cr_or_lf_are_dropped_and_values_flattened(lab):
    """A Lambda proxy response's headers reach the wire only as single, well-formed header lines. No AWS
    source says what API Gateway does with such a name, so the server drops the header (status kept)."""
    fn = lab.lambda_function("splitter", "def handler(e, c):\n    return {'statusCode': 200, 'body': 'ok', "
                             "'headers': {'X-Split\\r\\nSet-Cookie: stolen=1': 'v', 'X-Bad Name': 'v', "
                             "'X-Value': 'a\\r\\nLocation: https://evil.example\\r\\n\\r\\nHTTP/1.1 200 OK'}}\n")
    api = RestApi.create(lab.client("apigateway"), "splitting")
    api.resource("/split").method("GET").lambda_proxy(fn)
    api.deploy("dev")
    running = lab.serve()
    path = f"/restapis/{api.id}/dev/_user_request_/split"
    received = exchange(running.port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK" and body == b"ok"
    assert not [line for line in lines if line.lower().startswith((b"set-cookie", b"location", b"x-split", b"x-bad"))]
    assert b"X-Value: a  Location: https://evil.example    HTTP/1.1 200 OK" in lines


# --- fuzzing ------------------------------------------------------------------------------------------------

HEAD_PARTS = st.sampled_from([b"GET ", b"POST ", b"HEAD ", STAGE.encode() + b"/f", b" HTTP/1.1", b" HTTP/1.0",
                              b"\r\n", b"\n", b"\r", b"Host: x", b"Content-Length: 3", b"Content-Length: -1",
                              b"Transfer-Encoding: chunked", b"3\r\nabc\r\n0\r\n\r\n", b"Expect: 100-continue",
                              b"Connection: close", b": ", b"\x00", b" ", b"\t", b"abc", b"\xff\xfe"])
RAW = st.one_of(
    st.binary(max_size=512),
    st.lists(HEAD_PARTS, max_size=40).map(b"".join),
    st.tuples(st.lists(HEAD_PARTS, max_size=20).map(b"".join), st.binary(max_size=64)).map(lambda t: get("/p") + t[0] + t[1]),
)


@settings(max_examples=150, deadline=15_000, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=RAW, half_close=st.sampled_from([True, True, True, False]))
def test_raw_bytes_are_answered_or_closed_and_the_server_keeps_serving(server, data, half_close):
    received = exchange(server.port, data, half_close=half_close)  # fails if the server hangs
    assert received == b"" or received.startswith(b"HTTP/1.1 "), received[:200]
    event(f"answers {statuses(received)[:3]}, half-closed: {half_close}")
    assert all(100 <= code <= 599 for code in statuses(received))
    assert_still_serving(server.port)


def test_clients_sending_at_once_do_not_stop_a_good_client(server):
    """Several hostile connections open together (slow head, endless header, garbage) while a good client
    is served."""
    hostile = [head_of(HEAD_LIMIT + 1), b"GET / HTTP/1.1\r\nHost: x\r\n", b"\x16\x03\x01garbage"]
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda d=d: results.append(exchange(server.port, d))) for d in hostile]
    for thread in threads:
        thread.start()
    assert_still_serving(server.port)
    for thread in threads:
        thread.join(2 * BOUND)
    assert sorted(statuses(b"".join(results))) == [400, 431]
