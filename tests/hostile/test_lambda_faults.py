"""Hostile Lambda handlers behind a live AWS_PROXY method: each is stopped and answered as AWS answers
it, leaves no CPU burning, thread or process behind, and the next call works.

Function timeouts are 1-2 s to keep the file well under a minute. The 2-second bound after the
timeout is the issue's own requirement (issue 16), so it is waited for with a deadline here.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from labkit.apis import RestApi
from processes import child_processes

OK = "def handler(e, c):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def _busy_children(window: float = 0.3) -> set[int]:
    """Children that used more than a tenth of the window's CPU while we watched."""
    first = child_processes()
    time.sleep(window)
    second = child_processes()
    return {pid for pid, used in second.items() if used - first.get(pid, used) > window / 10}


def _threads() -> int:
    """Threads, but for the HTTP server's extra workers: it adds them while requests wait on slow
    integrations and retires them after 5 idle seconds (doors/server.py), which is its design, not a leak."""
    return sum(1 for t in threading.enumerate() if not t.name.startswith("labkit-gateway-worker-"))


def _at_baseline(threads: int, deadline: float) -> tuple[int, set[int]]:
    """Wait until no child burns CPU and the thread count is back (or the deadline passes)."""
    while True:
        busy = _busy_children()
        count = _threads()
        if (not busy and count <= threads) or time.monotonic() > deadline:
            return count, busy


@pytest.fixture
def served(lab):
    """A live server for the lab's gateway; `call(name)` GETs /<name> over HTTP: (status, body)."""
    api = RestApi.create(lab.client("apigateway"), "hostile", endpoint_type="REGIONAL")
    server = lab.serve()

    def add(name: str, source: str, **options) -> None:
        api.resource(f"/{name}").method("GET").lambda_proxy(lab.lambda_function(name, source, **options))

    def call(name: str) -> tuple[int, bytes]:
        parts = urlsplit(server.stage_url(api.id, "dev"))
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("GET", f"{parts.path}/{name}")
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    add("ok", OK)
    return api, add, call


def _deploy(api) -> None:
    api.deploy("dev")


def _function_log(lab, name: str) -> list[str]:
    events = lab.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    return [event["message"] for event in events]


@pytest.mark.parametrize("name, source", [
    ("spin", "def handler(e, c):\n    while True:\n        pass\n"),
    ("hang", "import time\ndef handler(e, c):\n    time.sleep(600)\n"),
])
def test_a_runaway_handler_is_stopped_at_its_timeout(lab, served, name, source):
    api, add, call = served
    add(name, source, timeout=1)
    _deploy(api)
    assert call("ok")[0] == 200  # the server and a warm function: the baseline
    threads = _threads()
    status, body = call(name)
    answered = time.monotonic()
    # A function error (here its timeout) is 502 Internal server error for AWS_PROXY:
    # https://repost.aws/knowledge-center/malformed-502-api-gateway
    assert (status, json.loads(body)) == (502, {"message": "Internal server error"})
    count, busy = _at_baseline(threads, answered + 2.0)
    assert busy == set() and count <= threads
    assert call("ok") == (200, b"ok") and call(name)[0] == 502  # both still work, the runaway again stopped
    log = _function_log(lab, name)
    assert any(line.endswith("Task timed out after 1.00 seconds") for line in log)
    assert any(line.startswith("REPORT") and line.endswith("Status: timeout") for line in log)


def test_many_hanging_calls_at_once_end_and_leave_nothing(lab, served):
    api, add, call = served
    add("hang", "import time\ndef handler(e, c):\n    time.sleep(600)\n", timeout=1)
    _deploy(api)
    assert call("ok")[0] == 200
    threads = _threads()
    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda _: call("hang"), range(24)))
    answered = time.monotonic()
    # Those that ran timed out (502); the rest found every environment busy: Lambda's 429, which API
    # Gateway answers 500 (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
    statuses = sorted(status for status, _ in answers)
    assert set(statuses) == {500, 502} and statuses.count(502) >= lab.gateway().lambdas.max_environments
    assert {json.loads(body)["message"] for _, body in answers} == {"Internal server error"}
    count, busy = _at_baseline(threads, answered + 2.0)
    assert busy == set() and count <= threads
    assert len(lab.gateway().lambdas.worker_pids()) <= lab.gateway().lambdas.max_environments + 1
    assert call("ok") == (200, b"ok")


@pytest.mark.parametrize("name, source, error_type, message", [
    # test_lambda.snapshot.json::TestLambdaErrors::test_lambda_handler_exit: sys.exit(0) in a handler.
    ("exit0", "import sys\ndef handler(e, c):\n    sys.exit(0)\n", "Runtime.ExitError",
     "Error: Runtime exited without providing a reason"),
    # https://repost.aws/knowledge-center/lambda-runtime-error: "Runtime exited with error: exit status N".
    ("exit3", "import sys\ndef handler(e, c):\n    sys.exit(3)\n", "Runtime.ExitError",
     "Error: Runtime exited with error: exit status 3"),
    ("crash", "import os\ndef handler(e, c):\n    os._exit(9)\n", "Runtime.ExitError",
     "Error: Runtime exited with error: exit status 9"),
    ("oom", "def handler(e, c):\n    data = bytearray(2 * 1024 ** 3)\n    return {'statusCode': 200}\n",
     "Runtime.OutOfMemory", "Error: Runtime exited with error: signal: killed"),
])
def test_exit_crash_and_out_of_memory_are_function_errors(lab, served, name, source, error_type, message):
    api, add, call = served
    add(name, source, timeout=2)
    _deploy(api)
    status, body = call(name)
    assert (status, json.loads(body)) == (502, {"message": "Internal server error"})
    outcome = lab.gateway().lambdas.invoke(lab.gateway().source.function_code(
        f"arn:aws:lambda:{lab.region}:{lab.account_id}:function:{name}"), {}, lab.gateway().clock)
    assert outcome.error["errorType"] == error_type and outcome.error["errorMessage"].endswith(message)
    assert call("ok") == (200, b"ok")
    assert any(message in line for line in _function_log(lab, name))


def test_memory_within_memory_size_is_allowed(lab, served):
    api, add, call = served
    add("fifty", "def handler(e, c):\n    data = bytearray(50 * 1024 ** 2)\n"
                 "    return {'statusCode': 200, 'body': str(len(data))}\n", timeout=2)
    _deploy(api)
    assert call("fifty") == (200, str(50 * 1024 ** 2).encode())


def test_a_flood_of_output_is_bounded_and_kept_out_of_the_servers_stdout(lab, served, capfd):
    api, add, call = served
    add("loud", "def handler(e, c):\n    print('x' * 200_000_000)\n    return {'statusCode': 200, 'body': 'done'}\n",
        timeout=3, memory=1024)
    _deploy(api)
    assert call("loud") == (200, b"done")
    assert "xxxx" not in capfd.readouterr().out
    log = _function_log(lab, "loud")
    kept = sum(len(line) for line in log if line.startswith("x"))
    assert 0 < kept <= 256 * 1024
    assert any("characters of output dropped" in line for line in log)
    assert call("ok") == (200, b"ok")
