"""labkit.functions: Lambda functions from source or a callable, on moto."""

from __future__ import annotations

import io
import json
import os
import zipfile

import boto3
import pytest
from moto import mock_aws

from labkit.functions import DEFAULT_ROLE_NAME, HEADER, FunctionStore, build_zip, create_function

REGION = "us-east-1"

SOURCE = '''
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"hello": event.get("path")})}
'''


def greet(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    return {"statusCode": 200, "body": json.dumps({"hello": name, "stage": os.environ.get("STAGE")})}


@pytest.fixture
def clients():
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    with mock_aws():
        yield boto3.client("lambda", region_name=REGION), boto3.client("iam", region_name=REGION)


@pytest.fixture
def store():
    with FunctionStore() as made:
        yield made


def _files(zip_bytes: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_create_from_source(clients, store):
    lam, iam = clients
    fn = store.create_function(lam, iam, "hello", SOURCE, environment={"STAGE": "dev"}, timeout=10, memory=256)
    assert fn["FunctionName"] == "hello"
    assert fn["Handler"] == "index.handler"
    assert fn["Runtime"] == "python3.11"
    assert fn["Role"].endswith(f":role/{DEFAULT_ROLE_NAME}")
    got = lam.get_function(FunctionName="hello")["Configuration"]
    assert (got["Timeout"], got["MemorySize"]) == (10, 256)
    assert got["Environment"]["Variables"] == {"STAGE": "dev"}
    # The role has the Lambda trust policy.
    trust = iam.get_role(RoleName=DEFAULT_ROLE_NAME)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}

    code = store.code_for(fn["FunctionArn"])
    assert code is not None and code == store.code_for("hello")
    zip_bytes, handler, env, timeout = code
    assert _files(zip_bytes) == {"index.py": SOURCE}
    assert (handler, env, timeout) == ("index.handler", {"STAGE": "dev"}, 10)
    assert store.code_for(fn["FunctionArn"] + ":$LATEST") == code


def test_a_closed_store_forgets_its_zips(clients):
    lam, iam = clients
    store = FunctionStore()
    fn = store.create_function(lam, iam, "kept", SOURCE)
    assert store.code_for(fn["FunctionArn"]) == store.code_for("kept") is not None
    store.close()
    assert store.code_for(fn["FunctionArn"]) is None and store.code_for("kept") is None
    store.close()  # twice is fine


def test_a_lab_runs_only_its_own_functions_zips(clients):
    """Two labs' stores are separate: one lab's gateway never finds another lab's copy."""
    lam, iam = clients
    mine, theirs = FunctionStore(), FunctionStore()
    fn = mine.create_function(lam, iam, "mine", SOURCE)
    assert theirs.code_for(fn["FunctionArn"]) is None and mine.code_for("mine") is not None


def test_role_is_reused(clients):
    lam, iam = clients
    a = create_function(lam, iam, "one", SOURCE)
    b = create_function(lam, iam, "two", SOURCE)
    assert a["Role"] == b["Role"]
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]].count(DEFAULT_ROLE_NAME) == 1


def test_explicit_role_arn(clients):
    lam, iam = clients
    arn = iam.create_role(RoleName="mine", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    fn = create_function(lam, iam, "own-role", SOURCE, role_arn=arn)
    assert fn["Role"] == arn
    assert "labkit-lambda-role" not in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def test_handler_module_from_handler_name(clients, store):
    lam, iam = clients
    fn = store.create_function(lam, iam, "app", SOURCE.replace("def handler", "def main"), handler="app.main")
    assert fn["Handler"] == "app.main"
    assert list(_files(store.code_for("app").zip_bytes)) == ["app.py"]


def test_callable_becomes_index_with_its_name(clients, store):
    lam, iam = clients
    fn = store.create_function(lam, iam, "greeter", greet)
    assert fn["Handler"] == "index.greet"
    files = _files(store.code_for(fn["FunctionArn"]).zip_bytes)
    assert list(files) == ["index.py"]
    source = files["index.py"]
    assert source.startswith(HEADER) and "def greet(event, context):" in source
    # The zipped module runs on its own: header imports are enough.
    namespace: dict = {}
    exec(compile(source, "index.py", "exec"), namespace)
    os.environ["STAGE"] = "test"
    result = namespace["greet"]({"queryStringParameters": {"name": "ada"}}, None)
    assert result == {"statusCode": 200, "body": '{"hello": "ada", "stage": "test"}'}


def test_nested_callable_is_dedented():
    def inner(event, context):
        return {"statusCode": 204}

    zip_bytes, handler = build_zip(inner)
    assert handler == "index.inner"
    assert "\ndef inner(event, context):" in _files(zip_bytes)["index.py"]


def test_zip_is_reproducible():
    assert build_zip(SOURCE)[0] == build_zip(SOURCE)[0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "bad name"}, "FunctionName.*1-64"),
        ({"name": "x" * 65}, "FunctionName.*1-64"),
        ({"timeout": 0}, "Timeout.*1 and 900"),
        ({"timeout": 901}, "Timeout.*1 and 900"),
        ({"memory": 127}, "MemorySize.*128 and 10240"),
        ({"memory": 10241}, "MemorySize.*128 and 10240"),
        ({"environment": {"1BAD": "x"}}, "environment"),
        ({"source_or_callable": "def broken(:"}, "not valid Python"),
        ({"source_or_callable": lambda e, c: None}, "lambda"),
        ({"handler": "nohandler"}, "handler"),
    ],
)
def test_bad_inputs_raise(clients, kwargs, match):
    lam, iam = clients
    args = {"name": "fn", "source_or_callable": SOURCE, **kwargs}
    with pytest.raises(ValueError, match=match):
        create_function(lam, iam, **args)
    assert lam.list_functions()["Functions"] == []


def test_unknown_function_has_no_code():
    assert FunctionStore().code_for("arn:aws:lambda:us-east-1:123456789012:function:never-made") is None
