"""Cleanup under hostile conditions: two labs on one backend, orphans the ledger never saw, ledgers
that are not ledgers. Each lab here talks to one moto server, as two notebooks would."""

from __future__ import annotations

import atexit
import json
import re

import boto3
import pytest

from backends import moto_server_url
from labkit import Lab
from labkit.__main__ import main
from labkit.functions import ROLE_NAME_MAX, role_name_for
from labkit.ledger import OWNER_KEY, TAG_KEY, CleanupError, Ledger, cleanup

HELLO = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n"
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html: RoleName [\w+=,.@-]+, 1-64 characters.
IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


@pytest.fixture
def server():
    """A moto server the labs (and the test, as an outsider) share, empty at the start and the end
    (moto's state is the process's: without a reset one test would see another's leftovers)."""
    with moto_server_url() as url:
        yield url


def outsider(url: str, service: str):
    """A client with no ledger: what a learner (or another program) sees on the backend."""
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="y")


def crashed_lab(url: str, lab_id: str) -> Lab:
    """A lab whose process "dies": close() never runs."""
    lab = Lab("server", endpoint_url=url, lab_id=lab_id, verbose=False)
    atexit.unregister(lab.close)
    return lab


def run_cleanup(monkeypatch, capsys, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("LABKIT_BACKEND", "server")
    monkeypatch.setenv("LABKIT_ENDPOINT_URL", url)
    status = main(["cleanup", *args])
    return status, capsys.readouterr().out


# --- one lab's clean-up never touches another lab's role (issue 16, item 2) ---------------------------

def test_closing_one_lab_keeps_the_role_another_labs_functions_run_as(server):
    a = Lab("server", endpoint_url=server, lab_id="lab-a", verbose=False)
    b = Lab("server", endpoint_url=server, lab_id="lab-b", verbose=False)
    try:
        a.lambda_function("fn-a", HELLO)
        b.lambda_function("fn-b", HELLO)
        a.close()
        role = outsider(server, "lambda").get_function(FunctionName="fn-b")["Configuration"]["Role"]
        assert role.endswith(f":role/{role_name_for('lab-b')}")
        outsider(server, "iam").get_role(RoleName=role_name_for("lab-b"))  # still there
        with pytest.raises(outsider(server, "iam").exceptions.NoSuchEntityException):
            outsider(server, "iam").get_role(RoleName=role_name_for("lab-a"))
    finally:
        a.close()
        b.close()
    assert outsider(server, "iam").list_roles()["Roles"] == []


def test_cleanup_of_one_lab_keeps_the_role_another_live_lab_uses(server, monkeypatch, capsys):
    crashed = crashed_lab(server, "lab-a")
    crashed.lambda_function("fn-a", HELLO)
    live = Lab("server", endpoint_url=server, lab_id="lab-b", verbose=False)
    try:
        live.lambda_function("fn-b", HELLO)
        status, out = run_cleanup(monkeypatch, capsys, server, "--lab", "lab-a")
        assert status == 0, out
        assert f"deleted iam role {role_name_for('lab-a')}" in out
        names = [r["RoleName"] for r in outsider(server, "iam").list_roles()["Roles"]]
        assert names == [role_name_for("lab-b")]
        assert [f["FunctionName"] for f in outsider(server, "lambda").list_functions()["Functions"]] == ["fn-b"]
    finally:
        live.close()


def test_a_role_a_function_outside_the_cleanup_still_uses_is_kept(server, monkeypatch, capsys):
    crashed = crashed_lab(server, "lab-a")
    crashed.lambda_function("fn-a", HELLO)
    role_arn = outsider(server, "iam").get_role(RoleName=role_name_for("lab-a"))["Role"]["Arn"]
    outsider(server, "lambda").create_function(  # someone else's function borrows the lab's role
        FunctionName="borrower", Runtime="python3.11", Role=role_arn, Handler="index.handler",
        Code={"ZipFile": crashed.functions.code_for("fn-a").zip_bytes})
    status, out = run_cleanup(monkeypatch, capsys, server, "--lab", "lab-a")
    assert status == 1
    assert re.search(r"PROBLEM: iam role \S+: kept: Lambda function\(s\) borrower still use it", out), out
    outsider(server, "iam").get_role(RoleName=role_name_for("lab-a"))
    # ... with its permissions: the function keeps writing its logs.
    assert outsider(server, "iam").list_role_policies(RoleName=role_name_for("lab-a"))["PolicyNames"] == ["labkit-logs"]
    assert [f["FunctionName"] for f in outsider(server, "lambda").list_functions()["Functions"]] == ["borrower"]
    assert crashed.ledger.path.exists()  # what is left stays in the ledger for the next try


@pytest.mark.parametrize("lab_id", ["lab-20261204-abc123", "x" * 100, "a" * 50 + "." + "b" * 49])
def test_each_lab_role_name_fits_iam_and_names_its_lab(lab_id):
    name = role_name_for(lab_id)
    assert IAM_ROLE_NAME.match(name) and len(name) <= ROLE_NAME_MAX
    assert name.startswith("labkit-lambda-role-")
    with Lab(lab_id=lab_id, verbose=False) as lab:
        assert lab.functions.role_name == name


def test_two_long_lab_ids_with_one_prefix_get_different_roles():
    assert role_name_for("x" * 99 + "1") != role_name_for("x" * 99 + "2")


# --- orphans the ledger never recorded (item 3) ----------------------------------------------------------

def test_cleanup_finds_a_tagged_iam_user_made_just_before_a_crash(server, monkeypatch, capsys):
    # The backend made the user, with the lab's tags; the process died before the ledger line was written.
    monkeypatch.setenv("LABKIT_OWNER", "ada")
    outsider(server, "iam").create_user(UserName="alice", Tags=[{"Key": TAG_KEY, "Value": "lab-a"},
                                                                {"Key": OWNER_KEY, "Value": "ada"}])
    status, out = run_cleanup(monkeypatch, capsys, server, "--lab", "lab-a")
    assert status == 0, out
    assert "deleted iam user alice" in out
    assert "Deleted 1 leftover resources." in out
    assert outsider(server, "iam").list_users()["Users"] == []


def test_cleanup_finds_every_taggable_kind_without_a_ledger(server, tmp_path):
    led = Ledger("lab-a", tmp_path / "labs")
    clients = {name: outsider(server, name) for name in ("iam", "firehose", "s3", "sqs")}
    for client in clients.values():
        led.attach(client)
    clients["iam"].create_user(UserName="bob")
    clients["iam"].create_role(RoleName="runner", AssumeRolePolicyDocument="{}")
    clients["s3"].create_bucket(Bucket="lab-a-logs")
    clients["firehose"].create_delivery_stream(DeliveryStreamName="lab-a-stream", ExtendedS3DestinationConfiguration={
        "RoleARN": "arn:aws:iam::123456789012:role/runner", "BucketARN": "arn:aws:s3:::lab-a-logs"})
    clients["sqs"].create_queue(QueueName="keep")  # no ledger attached: not the lab's ...
    led.path.unlink()  # ... and the ledger is lost: only the tags are left

    lines = cleanup(lambda name: outsider(server, name), lab_id="lab-a", directory=tmp_path / "labs")

    for expected in ("deleted iam user bob", "deleted iam role runner", "deleted s3 bucket lab-a-logs",
                     "deleted firehose delivery_stream lab-a-stream"):
        assert expected in lines
    assert outsider(server, "iam").list_users()["Users"] == []
    assert outsider(server, "s3").list_buckets()["Buckets"] == []
    assert outsider(server, "firehose").list_delivery_streams()["DeliveryStreamNames"] == []


# --- ledgers that are not ledgers (item 4) ---------------------------------------------------------------

BAD_LEDGERS = {
    "truncated": '{"lab_id": "truncated", "entries": [{"service": "sqs", "ki',
    "garbage": "\x00\x01not json at all\n\n",
    "a-list": "[]",
    "entries-not-a-list": '{"entries": "sqs queue"}',
    "entry-without-ident": '{"entries": [{"service": "sqs", "kind": "queue"}]}',
    "binary": b"\xff\xfe\x00garbage",
}


def test_malformed_ledgers_are_reported_one_line_each_and_the_others_cleaned(server, monkeypatch, capsys, tmp_path):
    home = tmp_path / "home"
    monkeypatch.setenv("LABKIT_HOME", str(home))
    crashed = crashed_lab(server, "lab-good")
    crashed.client("sqs").create_queue(QueueName="left-behind")
    for name, content in BAD_LEDGERS.items():
        path = home / "labs" / f"{name}.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())

    status, out = run_cleanup(monkeypatch, capsys, server)

    assert status == 1
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM:")]
    assert len(problems) == len(BAD_LEDGERS), out
    for name in BAD_LEDGERS:
        assert sum(str(home / "labs" / f"{name}.json") in line for line in problems) == 1, (name, out)
        assert (home / "labs" / f"{name}.json").exists()  # kept for the learner to look at
    assert "Traceback" not in out
    assert outsider(server, "sqs").list_queues().get("QueueUrls", []) == []  # the good ledger was cleaned
    assert not crashed.ledger.path.exists()
    assert "Deleted 1 leftover resources;" in out  # the queue; the removed ledger file is no resource


def test_cleanup_function_raises_one_error_after_cleaning_the_readable_ledgers(server, tmp_path):
    (tmp_path / "bad.json").write_text("{")
    led = Ledger("good", tmp_path)
    sqs = outsider(server, "sqs")
    led.attach(sqs)
    sqs.create_queue(QueueName="q")
    with pytest.raises(CleanupError) as info:
        cleanup(lambda name: outsider(server, name), directory=tmp_path)
    assert len(info.value.failed) == 1 and "bad.json" in info.value.failed[0]
    assert "\n" not in info.value.failed[0]
    assert any(line.startswith("deleted sqs queue") for line in info.value.deleted)
    assert sqs.list_queues().get("QueueUrls", []) == []


def test_a_lab_refuses_a_malformed_ledger_of_its_own_id_naming_the_file(tmp_path):
    (tmp_path / "lab-x.json").write_text(json.dumps({"entries": {"not": "a list"}}))
    with pytest.raises(ValueError, match=r"lab-x\.json is not a labkit ledger"):
        Lab(lab_id="lab-x", ledger_dir=str(tmp_path), verbose=False)


# --- honest counts (item 11) ---------------------------------------------------------------------------

def test_a_ledger_whose_resources_are_already_gone_deletes_nothing(server, monkeypatch, capsys):
    crashed = crashed_lab(server, "lab-a")
    url = crashed.client("sqs").create_queue(QueueName="gone")["QueueUrl"]
    outsider(server, "sqs").delete_queue(QueueUrl=url)
    status, out = run_cleanup(monkeypatch, capsys, server, "--lab", "lab-a")
    assert status == 0
    assert "removed ledger" in out and "already gone" in out
    assert "Nothing was left behind." in out


def test_cleanup_refuses_a_lab_id_that_cannot_name_a_ledger(monkeypatch, capsys):
    monkeypatch.setenv("LABKIT_BACKEND", "server")
    assert main(["cleanup", "--lab", "../../etc/passwd"]) == 2
    assert "--lab: lab_id must match" in capsys.readouterr().out
