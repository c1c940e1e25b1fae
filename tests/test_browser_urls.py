"""Where a learner's browser reaches lab.serve() and the sample backend: 127.0.0.1 on a laptop, the
jupyter-server-proxy URL inside a Jupyter server (tests/hub/ checks the proxied URL through a real hub)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

import labkit
from labkit import browser_urls

HUB_VARS = ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_PUBLIC_URL")


@pytest.fixture
def outside_jupyter(monkeypatch, tmp_path):
    """No hub variables and an empty runtime directory: the kernel is not inside a Jupyter server."""
    for name in HUB_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    return tmp_path


def test_outside_a_jupyter_server_the_url_is_loopback(outside_jupyter):
    assert browser_urls.server_prefix() is None
    assert browser_urls.browser_url(41234) == "http://127.0.0.1:41234"


def test_on_a_hub_the_url_goes_through_the_users_server_proxy(outside_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    assert browser_urls.browser_url(41234) == "/user/ada/proxy/41234"


def test_a_hub_with_a_public_url_gives_an_absolute_one(outside_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/user/ada/")
    assert browser_urls.browser_url(8000) == "https://hub.example.org/user/ada/proxy/8000"


def test_a_plain_jupyter_server_is_found_by_its_runtime_file(outside_jupyter):
    (outside_jupyter / f"jpserver-{os.getppid()}.json").write_text(json.dumps({"base_url": "/course"}))
    assert browser_urls.browser_url(5000) == "/course/proxy/5000"


def test_an_unreadable_runtime_file_means_not_inside_a_server(outside_jupyter):
    (outside_jupyter / f"jpserver-{os.getppid()}.json").write_text("{truncated")
    assert browser_urls.browser_url(5000) == "http://127.0.0.1:5000"


def test_without_jupyter_server_proxy_the_url_stays_loopback(outside_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    monkeypatch.setattr(browser_urls, "proxy_installed", lambda: False)
    assert browser_urls.browser_url(41234) == "http://127.0.0.1:41234"


@pytest.mark.parametrize("port", [0, -1, 65536, True, "80"])
def test_a_port_outside_its_range_is_refused(port):
    with pytest.raises(ValueError, match="port must be between 1 and 65535"):
        browser_urls.browser_url(port)


def test_lab_serve_keeps_loopback_for_code_and_gives_the_browser_the_proxied_url(outside_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    lab = labkit.Lab(seed=0)
    try:
        server = lab.serve()
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.browser_url == f"/user/ada/proxy/{server.port}"
        assert server.browser_stage_url("abc123", "dev") == f"/user/ada/proxy/{server.port}/restapis/abc123/dev/_user_request_"
        assert f"browser: /user/ada/proxy/{server.port}" in repr(server)
        assert f"/user/ada/proxy/{server.port}" in server._repr_html_()
        assert requests.get(server.url + "/", timeout=5).status_code == 404  # code on this machine uses url
        backend = lab.sample_backend()
        assert backend.url == f"http://127.0.0.1:{backend.port}"
        assert backend.browser_url == f"/user/ada/proxy/{backend.port}"
    finally:
        lab.close()


def test_on_a_laptop_lab_serve_shows_one_url(outside_jupyter):
    lab = labkit.Lab(seed=0)
    try:
        server = lab.serve()
        assert server.browser_url == server.url
        assert repr(server) == f"<RunningServer {server.url}>"
    finally:
        lab.close()


def test_inside_a_plain_jupyter_server_the_browser_url_answers_through_its_proxy(tmp_path):
    """End to end: a kernel of a real Jupyter server finds the server by its runtime file, and the
    URL it gives answers through jupyter-server-proxy with the server's login."""
    from hub.remote_kernel import RemoteKernel

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in HUB_VARS}
    env.update(HOME=str(tmp_path), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), LABKIT_HOME=str(tmp_path))
    command = [sys.executable, "-m", "jupyter", "server", "--ip=127.0.0.1", f"--port={port}",
               "--IdentityProvider.token=labkit-test", "--ServerApp.open_browser=False",
               *(["--allow-root"] if os.geteuid() == 0 else [])]
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": "token labkit-test"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/api/status", headers=auth, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "jupyter server did not start"
            time.sleep(0.3)
        kernel = RemoteKernel(base, "labkit-test")
        try:
            result = kernel.execute(
                "import labkit\nfrom labkit.apis import RestApi\nlab = labkit.Lab()\n"
                "api = RestApi.create(lab.client('apigateway'), 'in-a-server')\n"
                "api.resource('/hi').method('GET').mock(body='{\"from\": \"the kernel\"}')\napi.deploy('dev')\n"
                "server = lab.serve()\nprint(server.port, server.browser_stage_url(api.id, 'dev'))", timeout=120)
            assert result.status == "ok", result.error
            served_port, stage = "".join(result.text).split()
            assert stage.startswith(f"/proxy/{served_port}/restapis/")
            answer = requests.get(base + stage + "/hi", headers=auth, timeout=30)
            assert (answer.status_code, answer.json()) == (200, {"from": "the kernel"})
        finally:
            kernel.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
