"""A room of three learners on a real JupyterHub (tools/local_hub.py), run by `make test-hub`.

Each learner gets a server through the hub, runs notebook 05 to the end in a kernel driven over the
hub's websocket as JupyterLab drives it, moves the throttling lab's slider, and opens lab.serve()'s URL
and the sample backend's through the hub (jupyter-server-proxy). The three share one control plane, a
moto server standing in for one AWS account used by the whole room: what one learner's lab, ledger and
clean-up touch must be theirs alone, and nothing may listen beyond 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
import psutil
import pytest
import requests

from backends import moto_server_url
from hub.remote_kernel import RemoteKernel

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from local_hub import LocalHub  # noqa: E402

pytestmark = pytest.mark.skipif(not os.environ.get("LABKIT_HUB_TEST"),
                                reason="`make test-hub` runs these: a real JupyterHub with configurable-http-proxy")

NOTEBOOK = ROOT / "notebooks" / "05_throttling_and_usage_plans.ipynb"
LEARNERS = ("alice", "bob", "carol")
LOOPBACK = {"127.0.0.1", "::1"}


@pytest.fixture(scope="module")
def control_plane():
    """One moto server for the whole room, as one AWS account would be."""
    with moto_server_url() as url:
        yield url


@pytest.fixture(scope="module")
def hub(control_plane):
    environment = {"LABKIT_BACKEND": "server", "LABKIT_ENDPOINT_URL": control_plane,
                   "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    room = LocalHub(python=os.environ.get("LABKIT_HUB_PYTHON") or sys.executable, environment=environment)
    yield room
    room.close()


@pytest.fixture(scope="module")
def kernels(hub):
    """Each learner's server started through the hub, notebook 05 in their home, a kernel beside it."""
    started: dict[str, tuple[str, RemoteKernel]] = {}
    try:
        for name in LEARNERS:
            token = hub.add_learner(name)
            server = f"{hub.url}/user/{name}"
            content = {"type": "notebook", "format": "json", "content": json.loads(NOTEBOOK.read_text())}
            auth = {"Authorization": f"token {token}"}
            requests.put(f"{server}/api/contents/{NOTEBOOK.name}", json=content, headers=auth,
                         timeout=30).raise_for_status()
            started[name] = (token, RemoteKernel(server, token, path=NOTEBOOK.name))
        yield started
    finally:
        for _, kernel in started.values():
            kernel.close()


def code_cells(notebook: pathlib.Path) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"] if cell["cell_type"] == "code"]


@pytest.fixture(scope="module")
def notebook_runs(kernels):
    """Notebook 05, every code cell in order, in the three kernels at once; (cell, error) per learner."""

    def run(kernel: RemoteKernel) -> list[tuple[int, str]]:
        errors = []
        for i, code in enumerate(code_cells(NOTEBOOK)):
            result = kernel.execute(code)
            if result.status != "ok":
                errors.append((i, result.error))
                break
        return errors

    with ThreadPoolExecutor(len(kernels)) as pool:
        runs = dict(zip(kernels, pool.map(run, [kernel for _, kernel in kernels.values()])))
    return runs


def test_each_learner_runs_notebook_05_to_the_end_through_the_hub(notebook_runs):
    assert notebook_runs == {name: [] for name in LEARNERS}


def test_a_learner_moving_the_slider_gets_a_new_chart(kernels, notebook_runs):
    for name, (_, kernel) in kernels.items():
        slider = next(comm for comm, state in kernel.comms.items()
                      if state.get("_model_name") == "FloatSliderModel" and state.get("description") == "stage rate /s")
        charts_before = len(charts(kernel.comm_updates))
        kernel.update_widget(slider, {"value": 37.0})
        kernel.wait_for(lambda: len(charts(kernel.comm_updates)) > charts_before, timeout=60)
        new_chart = charts(kernel.comm_updates)[-1]
        assert new_chart not in charts(kernel.comm_updates)[:-1], name  # the chart redrawn, not resent


def charts(updates: list[dict]) -> list[bytes]:
    """Every SVG the kernel sent to a widget (the labs draw their dashboards as SVG in an Image widget)."""
    return [buffer for u in updates for buffer in u.get("buffers", []) if b"<svg" in buffer[:200]]


SERVE = """
import json, labkit
from labkit.apis import RestApi
hub_lab = labkit.Lab()
hello = RestApi.create(hub_lab.client("apigateway"), "hub-hello-{name}")
hello.resource("/hello").method("GET").mock(body='{{"from": "{name}"}}')
hello.deploy("dev")
server = hub_lab.serve()
backend = hub_lab.sample_backend()
print(json.dumps({{"lab": hub_lab.lab_id, "api": hello.id, "port": server.port,
                  "stage": server.browser_stage_url(hello.id, "dev"), "backend": backend.browser_url}}))
"""


@pytest.fixture(scope="module")
def served(kernels, notebook_runs):
    """In each learner's kernel, a lab left open with an API on a stage, lab.serve() and the sample backend."""
    found = {}
    for name, (_, kernel) in kernels.items():
        result = kernel.execute(SERVE.format(name=name))
        assert result.status == "ok", result.error
        found[name] = json.loads(result.text[-1].strip().splitlines()[-1])
    return found


def test_lab_serve_prints_the_proxied_url_and_it_answers_through_the_hub(hub, kernels, served):
    for name, (token, _) in kernels.items():
        seen = served[name]
        assert seen["stage"].startswith(f"/user/{name}/proxy/{seen['port']}/restapis/{seen['api']}/dev/")
        answer = requests.get(hub.url + seen["stage"] + "/hello", headers={"Authorization": f"token {token}"},
                              timeout=30)
        assert (answer.status_code, answer.json()) == (200, {"from": name})
        pet = requests.get(hub.url + seen["backend"] + "/pets/1", headers={"Authorization": f"token {token}"},
                           timeout=30)
        assert pet.status_code == 200 and pet.json()["name"] == "Rex"


def test_the_proxied_url_needs_that_learners_login(hub, kernels, served):
    alice, bob = served["alice"], kernels["bob"][0]
    anonymous = requests.get(hub.url + alice["stage"] + "/hello", allow_redirects=False, timeout=30)
    assert anonymous.status_code in (302, 403)  # sent to the hub's login
    as_bob = requests.get(hub.url + alice["stage"] + "/hello", headers={"Authorization": f"token {bob}"},
                          allow_redirects=False, timeout=30)
    assert as_bob.status_code in (403, 404)


def test_every_learner_gets_ports_of_their_own(served):
    ports = [seen["port"] for seen in served.values()]
    assert len(set(ports)) == len(ports)


def test_nothing_the_room_started_listens_beyond_loopback(hub, served):
    listening = []
    for pid in hub.process_ids() + [os.getpid()]:
        try:
            connections = psutil.Process(pid).net_connections(kind="inet")
        except psutil.NoSuchProcess:
            continue
        listening += [(pid, c.laddr.ip, c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN]
    assert listening, "found no listening sockets: the check would prove nothing"
    assert [entry for entry in listening if entry[1] not in LOOPBACK] == []
    ports = {port for _, _, port in listening}
    assert {seen["port"] for seen in served.values()} <= ports


def test_each_learner_has_a_ledger_of_their_own_labs(hub, served):
    for name, seen in served.items():
        ledgers = {path.stem for path in (hub.home(name) / ".labkit" / "labs").glob("*.json")}
        assert seen["lab"] in ledgers
        others = {served[other]["lab"] for other in served if other != name}
        assert not ledgers & others


def test_a_learners_cleanup_deletes_only_their_own_resources(hub, kernels, served, control_plane):
    apigw = boto3.client("apigateway", endpoint_url=control_plane, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing")

    def api_ids() -> set[str]:
        return {api["id"] for page in apigw.get_paginator("get_rest_apis").paginate() for api in page["items"]}

    assert {seen["api"] for seen in served.values()} <= api_ids()
    cleanup = kernels["alice"][1].execute(
        "import subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'labkit', 'cleanup'], capture_output=True, text=True)\n"
        "print(done.returncode, done.stdout, done.stderr)")
    assert cleanup.status == "ok", cleanup.error
    left = api_ids()
    assert served["alice"]["api"] not in left, "".join(cleanup.text)
    assert {served["bob"]["api"], served["carol"]["api"]} <= left, "".join(cleanup.text)
    bob_token = kernels["bob"][0]
    still = requests.get(hub.url + served["bob"]["stage"] + "/hello", headers={"Authorization": f"token {bob_token}"},
                         timeout=30)
    assert still.status_code == 200
