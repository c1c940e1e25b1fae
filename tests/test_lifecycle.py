"""Every state has an owner: labs, gateways and servers opened and closed again and again leave no
thread, child process, open file, listening port, temporary directory or handler module behind."""

from __future__ import annotations

import dataclasses
import http.client
import io
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from backends import EchoHandler
from processes import child_processes
from labkit import Gateway, Lab
from labkit.apis import RestApi
from labkit.backends.services import BotoServices
from labkit.gateway.clock import RealClock, VirtualClock
from labkit.gateway.lambdas import FunctionCode

ROUNDS = 6
HELPER = "lifecycle_helper"  # a module the handler imports from its own package: unloaded on close
INDEX = f"import json\nimport {HELPER}\ndef handler(e, c):\n    return {{'statusCode': 200, 'body': {HELPER}.ANSWER}}\n"


# --- what the process holds ------------------------------------------------------------------------

def _listening_ports() -> set[int]:
    """Ports on 127.0.0.1 that a socket of this process listens on (/proc/net/tcp, matched by inode)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    with open("/proc/net/tcp") as table:
        for line in list(table)[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == "0A" and address == "0100007F" and fields[9] in inodes:  # LISTEN on 127.0.0.1
                ports.add(int(port, 16))
    return ports


def _children() -> set[int]:
    """This process's child processes, running or not yet reaped."""
    return set(child_processes())


def _held() -> dict[str, Any]:
    """Threads (ident -> name), child processes, open descriptors, listening ports, the kit's temp
    entries, handler modules."""
    return {
        "threads": {t.ident: t.name for t in threading.enumerate()},
        "processes": _children(),
        "fds": len(os.listdir("/proc/self/fd")),
        "ports": _listening_ports(),
        "temp": sorted(e for e in os.listdir(tempfile.gettempdir()) if e.startswith("labkit")),
        "modules": HELPER in sys.modules,
    }


def _settled(before: dict[str, Any], deadline: float = 10.0) -> dict[str, Any]:
    """What the process holds once threads that were told to end have ended (a short wait, with a deadline)."""
    end = time.monotonic() + deadline
    while True:
        now = _held()
        if now == before or time.monotonic() > end:
            return now
        time.sleep(0.02)


def _no_leftovers(before: dict[str, Any], after: dict[str, Any]) -> None:
    new_threads = {i: n for i, n in after["threads"].items() if i not in before["threads"]}
    assert new_threads == {}, f"threads left running: {sorted(new_threads.values())}"
    assert after["processes"] <= before["processes"], f"processes left: {after['processes'] - before['processes']}"
    assert after["fds"] == before["fds"], f"open descriptors {before['fds']} -> {after['fds']}"
    assert after["ports"] == before["ports"], f"listening ports {before['ports']} -> {after['ports']}"
    assert after["temp"] == before["temp"], f"temp entries {before['temp']} -> {after['temp']}"
    assert after["modules"] == before["modules"], f"{HELPER} still imported"


@pytest.fixture
def own_tempdir(tmp_path, monkeypatch):
    """This test's own temp directory: other processes' labkit-* entries in /tmp are not ours to count."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _repeatedly(round_: Callable[[], None]) -> None:
    """One warm-up round (process-wide state made once: moto's backends and model registries,
    botocore's loaders and the `requests` adapters it patches live as long as the process, and are
    not the kit's to release), then ROUNDS more that must leave nothing of their own behind."""
    round_()
    before = _settled(_held(), deadline=2.0)
    for _ in range(ROUNDS):
        round_()
    _no_leftovers(before, _settled(before))


# --- the rounds ----------------------------------------------------------------------------------

def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", INDEX)
        archive.writestr(f"{HELPER}.py", "import json\nANSWER = json.dumps({'hi': 'from the package'})\n")
    return buffer.getvalue()


def _lambda_lab_round() -> None:
    with Lab(verbose=False) as lab:
        role = lab.client("iam").create_role(RoleName="lifecycle", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        fn = lab.client("lambda").create_function(FunctionName="lifecycle", Runtime="python3.11", Role=role,
                                                  Handler="index.handler", Code={"ZipFile": _package()})
        api = RestApi.create(lab.client("apigateway"), "lifecycle")
        api.resource("/hello").method("GET").lambda_proxy(fn["FunctionArn"])
        api.deploy("dev")
        response = lab.gateway().invoke("GET", lab.stage_url(api.id, "dev") + "/hello")
        assert (response.status_code, response.json()) == (200, {"hi": "from the package"})
        runner = lab.gateway().lambdas
        assert runner.worker_pids() and HELPER not in sys.modules  # a live call runs in a worker process
        code = lab.gateway().source.function_code(fn["FunctionArn"])
        # A simulation of a function no live call has warmed runs in-process (a warmed one reuses its worker).
        cold = dataclasses.replace(code, function_arn=code.function_arn + "-simulated")
        assert runner.invoke(cold, {}, VirtualClock()).payload["statusCode"] == 200
        unpacked = [e for e in os.listdir(tempfile.gettempdir()) if e.startswith("labkit-functions-")]
        assert len(unpacked) == 1 and HELPER in sys.modules  # the round did unpack and import a package


class _KeepAliveHandler(EchoHandler):
    protocol_version = "HTTP/1.1"  # the gateway's pool keeps the connection open until it is closed


def _bare_gateway_round() -> None:
    backend = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAliveHandler)
    serving = threading.Thread(target=backend.serve_forever, name="lifecycle-backend")
    serving.start()
    try:
        with Lab(verbose=False) as lab:
            api = RestApi.create(lab.client("apigateway"), "lifecycle")
            api.resource("/echo").method("GET").http_proxy(f"http://127.0.0.1:{backend.server_port}/echo")
            api.deploy("dev")
            with Gateway(lab.gateway().source, services=BotoServices(lab.client)) as gateway:
                for _ in range(3):
                    response = gateway.invoke("GET", lab.stage_url(api.id, "dev") + "/echo")
                    assert response.status_code == 200 and json.loads(response.body)["path"] == "/echo"
    finally:
        backend.shutdown()
        serving.join()
        backend.server_close()  # joins the connection threads: they end once the gateway's pool closed


def _served_lab_round() -> None:
    with Lab(verbose=False) as lab:
        api = RestApi.create(lab.client("apigateway"), "lifecycle")
        api.resource("/ping").method("GET").mock(body='{"pong": true}')
        api.deploy("dev")
        server = lab.serve()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            for _ in range(3):  # one keep-alive connection, left open: stopping the server closes its side
                connection.request("GET", f"/restapis/{api.id}/dev/_user_request_/ping")
                answer = connection.getresponse()
                assert (answer.status, json.loads(answer.read())) == (200, {"pong": True})
        finally:
            lab.close()
            connection.close()


def _sample_backend_round() -> None:
    with Lab(verbose=False) as lab:
        backend = lab.sample_backend()
        with urllib.request.urlopen(backend.url + "/pets", timeout=10) as answer:
            assert answer.status == 200 and json.loads(answer.read())


# --- the tests -----------------------------------------------------------------------------------

def test_labs_that_ran_a_lambda_handler_leave_nothing(own_tempdir):
    _repeatedly(_lambda_lab_round)
    assert not list(own_tempdir.iterdir())


def test_bare_gateways_with_an_http_integration_leave_nothing(own_tempdir):
    _repeatedly(_bare_gateway_round)


def test_served_labs_leave_nothing(own_tempdir):
    _repeatedly(_served_lab_round)


def test_sample_backends_leave_nothing(own_tempdir):
    _repeatedly(_sample_backend_round)


def test_close_twice_and_context_managers():
    with Lab(verbose=False) as lab:
        gateway = lab.gateway()
        server = lab.serve()
        backend = lab.sample_backend()
    for thing in (gateway, server, backend, lab):
        thing.close()  # again: nothing to do
    with Gateway(gateway.source) as bare, bare.lambdas as runner:
        pass
    bare.close()
    runner.close()
    with pytest.raises(RuntimeError, match="closed"):
        runner.invoke(FunctionCode("arn:aws:lambda:us-east-1:123456789012:function:gone", _package()), {},
                      RealClock())
