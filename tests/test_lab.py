"""Lab: backends chosen in code or from the environment, and clean-up of everything a lab creates."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from labkit import Lab
from labkit.apis import RestApi

HELLO = "import json\ndef handler(e, c):\n    return {'statusCode': 200, 'body': json.dumps({'hi': e['pathParameters']})}\n"


def test_default_backend_is_moto_in_process():
    with Lab(verbose=False) as lab:
        assert lab.backend == "moto"
        assert lab.stage_url("abc123", "dev") == "https://abc123.execute-api.us-east-1.amazonaws.com/dev"
        assert lab.client("apigateway").get_rest_apis()["items"] == []


def test_unknown_backend_is_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match="backend must be one of moto, server, aws"):
        Lab("azure")


@pytest.mark.parametrize("where", [{"region": "mars-1"}, {"env": "moon-2"}])
def test_unknown_region_is_refused_naming_the_parameter_and_the_regions(where, monkeypatch):
    if "env" in where:
        monkeypatch.setenv("LABKIT_REGION", where["env"])
    allowed = r"region must be an AWS Region .*\beu-west-1\b.*\bus-east-1\b.*got '(mars-1|moon-2)'"
    with pytest.raises(ValueError, match=allowed):
        Lab(region=where.get("region"), verbose=False)


def test_aws_backend_refuses_without_the_opt_in():
    with pytest.raises(PermissionError, match="LABKIT_ALLOW_AWS=1"):
        Lab("aws")


def test_aws_backend_with_the_opt_in_prints_the_account(monkeypatch, capsys):
    monkeypatch.setenv("LABKIT_ALLOW_AWS", "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():  # stands in for AWS: the Lab asks STS who it is
        lab = Lab("aws", region="eu-west-1")
        assert "account 123456789012 (eu-west-1)" in capsys.readouterr().out
        assert lab.stage_url("abc", "prod") == "https://abc.execute-api.eu-west-1.amazonaws.com/prod"
        lab.close()


def test_environment_chooses_the_server_backend(monkeypatch):
    monkeypatch.setenv("LABKIT_BACKEND", "server")
    with Lab(verbose=False) as lab:
        assert lab.backend == "server"
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", lab.endpoint_url)
        assert lab.client("apigateway").get_rest_apis()["items"] == []


def test_close_deletes_what_the_lab_created_and_only_that():
    external = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    external.start()
    try:
        host, port = external.get_host_and_port()
        url = f"http://{host}:{port}"
        outsider = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1",
                                aws_access_key_id="x", aws_secret_access_key="y")
        mine = outsider.create_rest_api(name="not-the-labs")["id"]
        lab = Lab("server", endpoint_url=url, verbose=False)
        RestApi.create(lab.client("apigateway"), "the-labs").resource("/a").method("GET").mock()
        lab.lambda_function("fn", HELLO)
        lab.client("sqs").create_queue(QueueName="orders")
        lab.close()
        assert [a["id"] for a in outsider.get_rest_apis()["items"]] == [mine]
        lam = boto3.client("lambda", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="y")
        assert lam.list_functions()["Functions"] == []
        sqs = boto3.client("sqs", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="y")
        assert sqs.list_queues().get("QueueUrls", []) == []
        assert lab.close() == []  # a second close is harmless
        with pytest.raises(RuntimeError, match="closed"):
            lab.client("apigateway")
    finally:
        external.stop()


def test_a_failed_notebook_cell_leaves_nothing_behind():
    class Result:
        error_in_exec = RuntimeError("the cell raised")

    with Lab(verbose=False) as lab:
        kept = RestApi.create(lab.client("apigateway"), "kept")
        lab._pre_cell()
        RestApi.create(lab.client("apigateway"), "half-made")
        lab._post_cell(Result())
        names = [a["name"] for a in lab.client("apigateway").get_rest_apis()["items"]]
        assert names == ["kept"] and kept.id


def test_serve_answers_plain_http_on_loopback():
    with Lab(verbose=False) as lab:
        api = RestApi.create(lab.client("apigateway"), "served")
        api.resource("/ping").method("GET").mock(body='{"pong": true}')
        api.deploy("dev")
        server = lab.serve()
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.stage_url(api.id, "dev") + "/ping") as answer:
            assert answer.status == 200 and answer.read() == b'{"pong": true}'
        with pytest.raises(ValueError, match="loopback"):
            from labkit.gateway.doors.server import serve
            serve(lab.gateway(), host="0.0.0.0")


def test_python_m_labkit_serve_answers_curl(tmp_path):
    env = {**os.environ, "LABKIT_HOME": str(tmp_path)}
    env.pop("LABKIT_BACKEND", None)
    proc = subprocess.Popen([sys.executable, "-m", "labkit", "serve", "--port", "0", "--demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        url = None
        deadline = time.time() + 60
        while time.time() < deadline and url is None:
            line = proc.stdout.readline()
            found = re.search(r"curl (\S+)", line)
            url = found.group(1) if found else None
        assert url, "serve printed no curl command"
        with urllib.request.urlopen(url) as answer:
            assert answer.status == 200
            assert b"Hello from the Lab Kit" in answer.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_python_m_labkit_serve_on_a_taken_port_says_so_and_names_the_way_out(tmp_path):
    """On a shared hub machine another learner's gateway may hold the default port."""
    env = {**os.environ, "LABKIT_HOME": str(tmp_path)}
    env.pop("LABKIT_BACKEND", None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "labkit", "serve", "--port", str(port)],
                              capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert f"--port: 127.0.0.1:{port} is already in use" in done.stdout
    assert "--port 0 picks a free one" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_python_m_labkit_cleanup_removes_what_an_interrupted_lab_left(tmp_path):
    import atexit

    external = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    external.start()
    try:
        host, port = external.get_host_and_port()
        url = f"http://{host}:{port}"
        crashed = Lab("server", endpoint_url=url, verbose=False)
        atexit.unregister(crashed.close)  # as if the kernel died: close() never runs
        RestApi.create(crashed.client("apigateway"), "left-behind")
        assert crashed.ledger.path.exists()
        env = {**os.environ, "LABKIT_BACKEND": "server", "LABKIT_ENDPOINT_URL": url}
        done = subprocess.run([sys.executable, "-m", "labkit", "cleanup"], env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "left-behind" in done.stdout or "rest_api" in done.stdout
        outsider = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1",
                                aws_access_key_id="x", aws_secret_access_key="y")
        assert outsider.get_rest_apis()["items"] == []
        assert not crashed.ledger.path.exists()
    finally:
        external.stop()


def test_close_deletes_iam_users_with_their_keys_and_a_bare_custom_domain():
    lab = Lab(verbose=False)
    iam = lab.client("iam")
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="invoke", PolicyDocument='{"Version": "2012-10-17", '
                        '"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}')
    apigw = lab.client("apigateway")
    apigw.create_domain_name(domainName="bare.example.com", regionalCertificateArn="arn:aws:acm:us-east-1:"
                             "123456789012:certificate/x", endpointConfiguration={"types": ["REGIONAL"]})
    with mock_aws():  # the lab's moto stays up while we look (nested mocks share state)
        lines = lab.close()
        assert any("alice" in line for line in lines)
        iam_after = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
        assert iam_after.list_users()["Users"] == []
