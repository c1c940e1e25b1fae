"""The gateway's HTTP server (labkit/gateway/server.py): routing, headers, limits, concurrency, stop."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest
import requests

from labkit.apis import RestApi
from labkit.gateway.http import Headers, Request, Response
from labkit.gateway.doors.server import CORE_WORKERS, serve


class Recording:
    """A stand-in gateway: remembers each request and answers with a fixed response."""

    def __init__(self, response: Response | None = None) -> None:
        self.requests: list[Request] = []
        self.response = response or Response(200, Headers({"Content-Type": "application/json"}), b"{}")

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        return self.response


@pytest.fixture
def recording():
    gateway = Recording()
    server = serve(gateway)  # type: ignore[arg-type]
    yield gateway, server
    server.stop()


def mock_api(lab, name="served"):
    api = RestApi.create(lab.client("apigateway"), name)
    api.resource("/ping").method("GET").mock(body='{"pong": true}')
    api.resource("/upload").method("POST").mock(body='{"got": true}')
    api.deploy("dev")
    return api


def test_local_path_and_execute_api_host_reach_the_same_stage(lab):
    api = mock_api(lab)
    server = lab.serve()
    local = requests.get(server.stage_url(api.id, "dev") + "/ping")
    assert (local.status_code, local.json()) == (200, {"pong": True})
    host = f"{api.id}.execute-api.us-east-1.amazonaws.com"
    routed = requests.get(f"{server.url}/dev/ping", headers={"Host": host})
    assert (routed.status_code, routed.json()) == (200, {"pong": True})
    with_port = requests.get(f"{server.url}/dev/ping", headers={"Host": f"{host}:{server.port}"})
    assert with_port.status_code == 200
    assert requests.get(f"{server.url}/prod/ping", headers={"Host": host}).status_code == 403  # no such stage
    nowhere = requests.get(f"{server.url}/dev/ping")  # neither form: the server says which path to use
    assert nowhere.status_code == 404 and "_user_request_" in nowhere.json()["message"]


def test_host_routing_gives_the_gateway_stage_path_query_and_domain(recording):
    gateway, server = recording
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    conn.request("GET", "/dev/pets/a%20b?x=1&x=2&y=", headers={"Host": "abc123.execute-api.eu-west-1.amazonaws.com"})
    assert conn.getresponse().status == 200
    conn.close()
    (seen,) = gateway.requests
    assert (seen.method, seen.api_id, seen.stage, seen.path) == ("GET", "abc123", "dev", "/pets/a b")
    assert seen.query == [("x", "1"), ("x", "2"), ("y", "")]
    assert seen.domain_name == "abc123.execute-api.eu-west-1.amazonaws.com"
    assert seen.source_ip == "127.0.0.1"


def test_repeated_headers_are_kept_both_ways(recording):
    gateway, server = recording
    gateway.response = Response(200, Headers([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
                                              ("x-amzn-RequestId", "r-1"), ("Content-Type", "text/plain")]), b"ok")
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    conn.putrequest("GET", "/restapis/abc/dev/_user_request_/h")
    conn.putheader("X-Tag", "one")
    conn.putheader("X-Tag", "two")
    conn.putheader("x-api-key", "k")
    conn.endheaders()
    answer = conn.getresponse()
    assert answer.read() == b"ok"
    assert answer.headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert ("x-amzn-RequestId", "r-1") in answer.getheaders()  # the gateway's spelling, as AWS sends it
    conn.close()
    (seen,) = gateway.requests
    assert seen.headers.getlist("x-tag") == ["one", "two"]
    assert ("x-api-key", "k") in seen.headers.items_list()  # the caller's spelling


def test_only_loopback_addresses_are_served(lab):
    for host in ("0.0.0.0", "192.168.1.10", "::", ""):
        with pytest.raises(ValueError, match="host must be a loopback address"):
            serve(lab.gateway(), host=host)
    with pytest.raises(ValueError, match="port must be between 0 and 65535"):
        serve(lab.gateway(), port=70000)
    server = serve(lab.gateway(), host="localhost")
    try:
        assert server.url == f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_a_payload_over_10_mb_answers_413_from_the_gateway(lab):
    api = mock_api(lab)
    server = lab.serve()
    url = server.stage_url(api.id, "dev") + "/upload"
    limit = 10 * 1024 * 1024
    with requests.Session() as session:
        too_big = session.post(url, data=b"x" * (limit + 1))
        assert too_big.status_code == 413
        assert too_big.json() == {"message": "Request Too Long"}
        assert too_big.headers["x-amzn-ErrorType"] == "RequestTooLargeException"
        assert session.post(url, data=b"x" * limit).status_code == 200  # the same connection goes on
        chunked = session.post(url, data=iter([b"x" * (limit // 2), b"x" * (limit // 2 + 1)]))  # no length
        assert chunked.status_code == 413


def test_a_slow_integration_does_not_hold_up_other_requests(lab, echo):
    api = mock_api(lab)
    api.resource("/slow").method("GET").http_proxy(echo.url + "/slow")
    api.deploy("dev")
    server = lab.serve()
    base = server.stage_url(api.id, "dev")
    slow_codes: list[int] = []

    def slow():
        slow_codes.append(requests.get(base + "/slow?s=2").status_code)

    slow_callers = [threading.Thread(target=slow) for _ in range(CORE_WORKERS + 2)]  # more than the core workers
    for t in slow_callers:
        t.start()
    time.sleep(0.3)  # the slow ones are now with the backend
    started = time.monotonic()
    with requests.Session() as session:
        fast = [session.get(base + "/ping").status_code for _ in range(20)]
    took = time.monotonic() - started
    for t in slow_callers:
        t.join()
    assert fast == [200] * 20
    assert took < 1.2, f"fast requests waited for the slow ones ({took:.2f} s)"
    assert slow_codes == [200] * (CORE_WORKERS + 2)


def test_keep_alive_and_pipelined_requests_answer_in_order(recording):
    gateway, server = recording
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"".join(f"GET /restapis/a/dev/_user_request_/{n} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
                              for n in range(3)))
        received = b""
        while received.count(b"HTTP/1.1 200") < 3:
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection"
            received += chunk
    assert [r.path for r in gateway.requests] == ["/0", "/1", "/2"]


def test_nothing_is_logged_for_requests(lab, capfd):
    api = mock_api(lab)
    server = lab.serve()
    for _ in range(3):
        requests.get(server.stage_url(api.id, "dev") + "/ping")
    requests.get(server.url + "/elsewhere")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_stop_frees_the_port(lab):
    api = mock_api(lab)
    server = lab.serve()
    port = server.port
    held = requests.Session()  # a keep-alive connection left open does not keep the server alive
    assert held.get(server.stage_url(api.id, "dev") + "/ping").status_code == 200
    server.stop()
    server.stop()  # twice is harmless
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    again = serve(lab.gateway(), port=port)
    try:
        assert again.port == port
        assert requests.get(again.stage_url(api.id, "dev") + "/ping").status_code == 200
    finally:
        again.stop()
        held.close()
