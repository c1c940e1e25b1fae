"""One learner's clean-up never touches another learner's labs on a shared control plane (issue 18).

A workshop room on JupyterHub shares one backend (an AWS account, or a moto/LocalStack server the
trainer runs); each learner has a home of their own. Here two learners' labs talk to one moto
server, each with its own LABKIT_OWNER and LABKIT_HOME, and "crash" (close() never runs).
"""

from __future__ import annotations

import atexit
import re

import boto3
import pytest

from backends import moto_server_url
from labkit import Lab
from labkit.__main__ import main
from labkit.ledger import OWNER_KEY, TAG_KEY, Ledger, cleanup, default_owner
from labkit.ledger.owner import TAG_VALUE_MAX, fit_tag_value

HELLO = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n"
# The standard tag value every tagging service takes, never starting with "aws:":
# https://docs.aws.amazon.com/personalize/latest/dg/personalize-managing-tags.html
STANDARD_TAG_VALUE = re.compile(r"^(?![aA][wW][sS]:)[A-Za-z0-9 _.:/=+@-]{0,256}$")


@pytest.fixture
def server():
    """One moto server the whole room shares, empty at the start and the end."""
    with moto_server_url() as url:
        yield url


@pytest.fixture
def labs():
    """The labs a test opened; closed at the end (what they made may be gone already)."""
    opened: list[Lab] = []
    yield opened
    for lab in opened:
        lab.close()


def outsider(url: str, service: str):
    """A client with no ledger: what anyone sees on the shared backend."""
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="y")


def as_learner(monkeypatch, tmp_path, name: str) -> None:
    """This process now acts as learner `name`: their owner name and their own home."""
    monkeypatch.setenv("LABKIT_OWNER", name)
    monkeypatch.setenv("LABKIT_HOME", str(tmp_path / "home" / name))


def crashed_lab_of(monkeypatch, tmp_path, url: str, name: str, labs: list[Lab]) -> dict:
    """Learner `name`'s lab makes an API, a key, a usage plan and a function (with its role), then its
    kernel dies. The names of what it made, by kind."""
    as_learner(monkeypatch, tmp_path, name)
    lab = Lab("server", endpoint_url=url, lab_id=f"lab-{name}", verbose=False)
    atexit.unregister(lab.close)
    labs.append(lab)
    apigw = lab.client("apigateway")
    api = apigw.create_rest_api(name=f"pets-{name}")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api, stageName="dev")
    key = apigw.create_api_key(name=f"key-{name}", enabled=True)["id"]
    plan = apigw.create_usage_plan(name=f"plan-{name}", apiStages=[{"apiId": api, "stage": "dev"}])["id"]
    apigw.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
    lab.lambda_function(f"fn-{name}", HELLO)
    assert lab.owner == name and lab.ledger.path.exists()
    return {"rest_api": {api}, "api_key": {key}, "usage_plan": {plan}, "function": {f"fn-{name}"},
            "role": {lab.functions.role_name}}


def inventory(url: str) -> dict[str, set]:
    """What the shared backend holds, by kind."""
    apigw = outsider(url, "apigateway")
    return {
        "rest_api": {a["id"] for a in apigw.get_rest_apis()["items"]},
        "api_key": {k["id"] for k in apigw.get_api_keys()["items"]},
        "usage_plan": {p["id"] for p in apigw.get_usage_plans()["items"]},
        "function": {f["FunctionName"] for f in outsider(url, "lambda").list_functions()["Functions"]},
        "role": {r["RoleName"] for r in outsider(url, "iam").list_roles()["Roles"]},
    }


def union(*made: dict) -> dict[str, set]:
    return {kind: set().union(*(m[kind] for m in made)) for kind in made[0]}


def run_cleanup(monkeypatch, capsys, url: str, *args: str) -> tuple[int, list[str]]:
    monkeypatch.setenv("LABKIT_BACKEND", "server")
    monkeypatch.setenv("LABKIT_ENDPOINT_URL", url)
    status = main(["cleanup", *args])
    return status, capsys.readouterr().out.splitlines()


def test_each_learners_cleanup_deletes_their_own_labs_and_none_of_the_others(
        server, monkeypatch, capsys, tmp_path, labs):
    ada = crashed_lab_of(monkeypatch, tmp_path, server, "ada", labs)
    bob = crashed_lab_of(monkeypatch, tmp_path, server, "bob", labs)
    assert inventory(server) == union(ada, bob)
    tags = outsider(server, "apigateway").get_rest_api(restApiId=next(iter(bob["rest_api"])))["tags"]
    assert tags[TAG_KEY] == "lab-bob" and tags[OWNER_KEY] == "bob"

    as_learner(monkeypatch, tmp_path, "ada")
    status, out = run_cleanup(monkeypatch, capsys, server)

    assert status == 0, out
    assert out[0] == "Cleaning up the labs of owner ada (tag labkit:owner).", out
    assert inventory(server) == bob  # every one of bob's is still there, none of ada's
    assert "not yours, left: 5 of other owners" in "\n".join(out)  # bob's API, key, plan, function, role
    assert not labs[0].ledger.path.exists() and labs[1].ledger.path.exists()

    as_learner(monkeypatch, tmp_path, "bob")
    status, out = run_cleanup(monkeypatch, capsys, server)

    assert status == 0, out
    assert out[0] == "Cleaning up the labs of owner bob (tag labkit:owner).", out
    assert inventory(server) == {kind: set() for kind in bob}
    assert not any(line.startswith("not yours") for line in out), out
    assert not labs[1].ledger.path.exists()


def test_a_trainers_cleanup_everyone_deletes_every_learners_labs(server, monkeypatch, capsys, tmp_path, labs):
    ada = crashed_lab_of(monkeypatch, tmp_path, server, "ada", labs)
    bob = crashed_lab_of(monkeypatch, tmp_path, server, "bob", labs)
    assert inventory(server) == union(ada, bob)

    as_learner(monkeypatch, tmp_path, "trainer")  # a home with no ledgers: the tags find everything
    status, out = run_cleanup(monkeypatch, capsys, server, "--everyone")

    assert status == 0, out
    assert out[0] == "Cleaning up every owner's labs.", out
    assert inventory(server) == {kind: set() for kind in ada}
    assert "Deleted 10 leftover resources." in out


def test_lab_only_cleans_that_lab_when_it_is_yours(server, monkeypatch, capsys, tmp_path, labs):
    bob = crashed_lab_of(monkeypatch, tmp_path, server, "bob", labs)

    as_learner(monkeypatch, tmp_path, "ada")
    status, out = run_cleanup(monkeypatch, capsys, server, "--lab", "lab-bob")
    assert status == 0, out
    assert out[0] == "Cleaning up the labs of owner ada (tag labkit:owner), lab lab-bob only.", out
    assert inventory(server) == bob

    status, out = run_cleanup(monkeypatch, capsys, server, "--lab", "lab-bob", "--everyone")
    assert status == 0, out
    assert inventory(server) == {kind: set() for kind in bob}


def test_a_shared_ledger_directory_and_untagged_owners_are_left_and_reported(server, tmp_path):
    """Ledgers of two owners in one directory (a shared $LABKIT_HOME), and a resource tagged with a lab
    but no owner (made by a kit from before owner tags): an owner's clean-up deletes only its own."""
    factory = lambda name: outsider(server, name)  # noqa: E731
    queues = {}
    for name in ("ada", "bob"):
        sqs = outsider(server, "sqs")
        Ledger(f"lab-{name}", tmp_path, owner=name).attach(sqs)
        queues[name] = sqs.create_queue(QueueName=f"q-{name}")["QueueUrl"]
    no_owner = outsider(server, "sqs").create_queue(QueueName="q-old", tags={TAG_KEY: "lab-old"})["QueueUrl"]

    lines = cleanup(factory, directory=tmp_path, owner="ada")

    assert f"deleted sqs queue {queues['ada']}" in lines
    assert f"not yours, left ledger {tmp_path / 'lab-bob.json'} (owner bob)" in lines
    assert lines[-1].startswith("not yours, left: 1 of other owners and 1 with no owner tag (labkit resources;"), lines
    assert set(outsider(server, "sqs").list_queues()["QueueUrls"]) == {queues["bob"], no_owner}
    assert (tmp_path / "lab-bob.json").exists() and not (tmp_path / "lab-ada.json").exists()

    cleanup(factory, directory=tmp_path, everyone=True)
    assert outsider(server, "sqs").list_queues().get("QueueUrls", []) == []
    assert list(tmp_path.glob("*.json")) == []


# --- who the owner is ------------------------------------------------------------------------------------

def test_the_owner_is_labkit_owner_else_the_jupyterhub_user_else_the_os_user(monkeypatch):
    import getpass

    assert default_owner({"LABKIT_OWNER": "trainer-1", "JUPYTERHUB_USER": "ada"}) == "trainer-1"
    assert default_owner({"LABKIT_OWNER": "  ", "JUPYTERHUB_USER": "ada"}) == "ada"
    monkeypatch.setattr(getpass, "getuser", lambda: "jovyan")
    assert default_owner({}) == "jovyan"
    monkeypatch.setenv("JUPYTERHUB_USER", "ada@example.com")
    monkeypatch.delenv("LABKIT_OWNER", raising=False)
    with Lab(verbose=False) as lab:
        assert lab.owner == lab.ledger.owner == "ada@example.com"
        assert lab.ledger.tags == {TAG_KEY: lab.lab_id, OWNER_KEY: "ada@example.com"}


@pytest.mark.parametrize("name", ["ada", "Ada Lovelace", "ada@example.com", "o'brien", "josé", "李雷", "a=b",
                                  "aws:root", "AWS:x", "x" * 300, "tab\there", "\udcff"])
def test_any_user_name_becomes_a_tag_value_every_service_takes(name):
    value = fit_tag_value(name)
    assert STANDARD_TAG_VALUE.match(value) and 0 < len(value) <= TAG_VALUE_MAX, value


def test_two_user_names_stay_two_owners():
    names = ["o'brien", "o_brien", "o=27brien", "josé", "jose", "a=b", "a=3Db", "x" * 300, "x" * 299 + "y"]
    assert len({fit_tag_value(name) for name in names}) == len(names)
    assert fit_tag_value("ada@example.com") == "ada@example.com"  # the usual names are kept as they are


def test_an_owner_given_in_code_must_be_a_tag_value():
    with pytest.raises(ValueError, match="owner must be"):
        Ledger("lab-a", owner="o'brien")
    with pytest.raises(ValueError, match="owner must be"):
        Lab(verbose=False, owner="aws:me")
