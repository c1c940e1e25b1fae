"""The ledger tags what a lab creates, records it, and deletes exactly that (moto in-process)."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from labkit.ledger import delete as ledger_mod
from labkit.ledger import OWNER_KEY, TAG_KEY, CleanupError, Ledger, cleanup

REGION = "us-east-1"
SERVICES = ["apigateway", "lambda", "iam", "sqs", "s3", "logs", "stepfunctions", "cognito-idp"]
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)

LOGS_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
)


@pytest.fixture
def session(monkeypatch):
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def factory(session):
    """A client factory with no ledger attached, as cleanup uses it."""
    return lambda name: session.client(name)


def attached(session, led: Ledger) -> dict:
    clients = {name: session.client(name) for name in SERVICES}
    for c in clients.values():
        led.attach(c)
    return clients


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buf.getvalue()


def build(c: dict, suffix: str) -> dict:
    """Create one of everything the ledger knows, through clients `c`."""
    ag = c["apigateway"]
    ids: dict = {}
    api = ag.create_rest_api(name=f"pets-{suffix}", tags={"team": "blue"})
    ids["api"] = api["id"]
    root = ag.get_resources(restApiId=api["id"])["items"][0]["id"]
    ag.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE")
    ag.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="MOCK")
    ag.create_deployment(restApiId=api["id"], stageName="dev")
    ids["key"] = ag.create_api_key(name=f"key-{suffix}", enabled=True)["id"]
    ids["plan"] = ag.create_usage_plan(name=f"plan-{suffix}", apiStages=[{"apiId": api["id"], "stage": "dev"}])["id"]
    ag.create_usage_plan_key(usagePlanId=ids["plan"], keyId=ids["key"], keyType="API_KEY")
    ids["domain"] = f"api-{suffix}.example.com"
    ag.create_domain_name(
        domainName=ids["domain"],
        regionalCertificateArn=f"arn:aws:acm:{REGION}:123456789012:certificate/abc",
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    ag.create_base_path_mapping(domainName=ids["domain"], restApiId=api["id"], stage="dev", basePath="v1")
    ids["vpc_link"] = ag.create_vpc_link(
        name=f"link-{suffix}",
        targetArns=[f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/net/nlb-{suffix}/0123456789abcdef"],
    )["id"]

    iam = c["iam"]
    ids["role"] = f"role-{suffix}"
    role_arn = iam.create_role(RoleName=ids["role"], AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    ids["policy"] = iam.create_policy(PolicyName=f"logs-{suffix}", PolicyDocument=LOGS_POLICY)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=ids["role"], PolicyArn=ids["policy"])
    iam.put_role_policy(RoleName=ids["role"], PolicyName="inline", PolicyDocument=LOGS_POLICY)
    ids["function"] = f"fn-{suffix}"
    c["lambda"].create_function(
        FunctionName=ids["function"],
        Runtime="python3.12",
        Role=role_arn,
        Handler="index.handler",
        Code={"ZipFile": zip_bytes()},
    )
    ids["queue"] = c["sqs"].create_queue(QueueName=f"q-{suffix}")["QueueUrl"]
    ids["bucket"] = f"bucket-{suffix}"
    c["s3"].create_bucket(Bucket=ids["bucket"])
    c["s3"].put_object(Bucket=ids["bucket"], Key="hello.txt", Body=b"hi")
    ids["log_group"] = f"/labkit/{suffix}"
    c["logs"].create_log_group(logGroupName=ids["log_group"])
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    ids["state_machine"] = c["stepfunctions"].create_state_machine(
        name=f"sm-{suffix}", definition=definition, roleArn=role_arn
    )["stateMachineArn"]
    ids["pool"] = c["cognito-idp"].create_user_pool(PoolName=f"pool-{suffix}")["UserPool"]["Id"]
    c["cognito-idp"].create_user_pool_client(UserPoolId=ids["pool"], ClientName="app")
    return ids


def tags_of(session, ids: dict) -> dict[str, dict]:
    """Each tagged resource's tags, read back through plain clients."""
    ag, iam = session.client("apigateway"), session.client("iam")
    lam, sqs, logs = session.client("lambda"), session.client("sqs"), session.client("logs")
    sfn, idp = session.client("stepfunctions"), session.client("cognito-idp")
    fn_arn = lam.get_function(FunctionName=ids["function"])["Configuration"]["FunctionArn"]
    return {
        "rest_api": ag.get_rest_api(restApiId=ids["api"])["tags"],
        "api_key": ag.get_api_key(apiKey=ids["key"])["tags"],
        "usage_plan": ag.get_usage_plan(usagePlanId=ids["plan"])["tags"],
        "domain_name": ag.get_domain_name(domainName=ids["domain"])["tags"],
        "vpc_link": ag.get_vpc_link(vpcLinkId=ids["vpc_link"])["tags"],
        "function": lam.list_tags(Resource=fn_arn)["Tags"],
        "role": {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=ids["role"])["Tags"]},
        "policy": {t["Key"]: t["Value"] for t in iam.list_policy_tags(PolicyArn=ids["policy"])["Tags"]},
        "queue": sqs.list_queue_tags(QueueUrl=ids["queue"])["Tags"],
        "log_group": logs.list_tags_log_group(logGroupName=ids["log_group"])["tags"],
        "state_machine": {
            t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=ids["state_machine"])["tags"]
        },
        "user_pool": idp.describe_user_pool(UserPoolId=ids["pool"])["UserPool"]["UserPoolTags"],
        "bucket": {t["Key"]: t["Value"]
                   for t in session.client("s3").get_bucket_tagging(Bucket=ids["bucket"])["TagSet"]},
    }


def inventory(session) -> dict[str, set]:
    """Names of everything on the backend, per kind."""
    ag, iam, s3 = session.client("apigateway"), session.client("iam"), session.client("s3")
    idp = session.client("cognito-idp")
    return {
        "rest_api": {a["id"] for a in ag.get_rest_apis()["items"]},
        "api_key": {k["id"] for k in ag.get_api_keys()["items"]},
        "usage_plan": {p["id"] for p in ag.get_usage_plans()["items"]},
        "domain_name": {d["domainName"] for d in ag.get_domain_names()["items"]},
        "vpc_link": {v["id"] for v in ag.get_vpc_links()["items"]},
        "function": {f["FunctionName"] for f in session.client("lambda").list_functions()["Functions"]},
        "role": {r["RoleName"] for r in iam.list_roles()["Roles"]},
        "policy": {p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]},
        "queue": set(session.client("sqs").list_queues().get("QueueUrls", [])),
        "bucket": {b["Name"] for b in s3.list_buckets()["Buckets"]},
        "log_group": {g["logGroupName"] for g in session.client("logs").describe_log_groups()["logGroups"]},
        "state_machine": {
            m["stateMachineArn"] for m in session.client("stepfunctions").list_state_machines()["stateMachines"]
        },
        "user_pool": {p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]},
    }


def present(inv: dict[str, set], ids: dict) -> dict[str, bool]:
    return {
        "rest_api": ids["api"] in inv["rest_api"],
        "api_key": ids["key"] in inv["api_key"],
        "usage_plan": ids["plan"] in inv["usage_plan"],
        "domain_name": ids["domain"] in inv["domain_name"],
        "vpc_link": ids["vpc_link"] in inv["vpc_link"],
        "function": ids["function"] in inv["function"],
        "role": ids["role"] in inv["role"],
        "policy": ids["policy"] in inv["policy"],
        "queue": ids["queue"] in inv["queue"],
        "bucket": ids["bucket"] in inv["bucket"],
        "log_group": ids["log_group"] in inv["log_group"],
        "state_machine": ids["state_machine"] in inv["state_machine"],
        "user_pool": ids["pool"] in inv["user_pool"],
    }


def test_attach_tags_every_create_and_keeps_user_tags(session, tmp_path):
    led = Ledger("lab-a", tmp_path, owner="ada")
    ids = build(attached(session, led), "a")
    for kind, tags in tags_of(session, ids).items():
        assert tags.get(TAG_KEY) == "lab-a", kind
        assert tags.get(OWNER_KEY) == "ada", kind  # map-style and IAM's list-style tags alike
    assert tags_of(session, ids)["rest_api"]["team"] == "blue"

    # A tag the user set is not overwritten.
    ag = session.client("apigateway")
    led.attach(ag)
    led.attach(ag)  # attaching twice registers once
    mine = ag.create_rest_api(name="mine", tags={TAG_KEY: "chosen"})
    assert ag.get_rest_api(restApiId=mine["id"])["tags"] == {TAG_KEY: "chosen", OWNER_KEY: "ada"}
    iam = session.client("iam")
    led.attach(iam)
    iam.create_role(RoleName="mine", AssumeRolePolicyDocument=TRUST, Tags=[{"Key": OWNER_KEY, "Value": "grace"}])
    role_tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName="mine")["Tags"]}
    assert role_tags == {OWNER_KEY: "grace", TAG_KEY: "lab-a"}
    assert [e["ident"] for e in led.entries()].count({"restApiId": mine["id"]}) == 1


def test_ledger_file_records_each_creation(session, tmp_path):
    led = Ledger("lab-a", tmp_path)
    ids = build(attached(session, led), "a")
    saved = json.loads((tmp_path / "lab-a.json").read_text())
    assert saved["lab_id"] == "lab-a"
    assert saved["owner"] == led.owner
    assert saved["entries"] == led.entries()
    kinds = {(e["service"], e["kind"]) for e in led.entries()}
    assert kinds == {
        ("apigateway", "rest_api"),
        ("apigateway", "api_key"),
        ("apigateway", "usage_plan"),
        ("apigateway", "usage_plan_key"),
        ("apigateway", "domain_name"),
        ("apigateway", "base_path_mapping"),
        ("apigateway", "vpc_link"),
        ("iam", "role"),
        ("iam", "policy"),
        ("iam", "attached_role_policy"),
        ("iam", "role_policy"),
        ("lambda", "function"),
        ("sqs", "queue"),
        ("s3", "bucket"),
        ("logs", "log_group"),
        ("stepfunctions", "state_machine"),
        ("cognito-idp", "user_pool"),
        ("cognito-idp", "user_pool_client"),
    }
    assert {"domainName": ids["domain"], "basePath": "v1"} in [e["ident"] for e in led.entries()]
    assert not list(tmp_path.glob("*.tmp"))  # atomic writes leave no temporaries


def test_failed_create_is_not_recorded(session, tmp_path):
    led = Ledger("lab-a", tmp_path)
    ag = session.client("apigateway")
    led.attach(ag)
    plan = ag.create_usage_plan(name="p")["id"]
    with pytest.raises(ClientError):
        ag.create_usage_plan_key(usagePlanId=plan, keyId="nope", keyType="API_KEY")
    assert [e["kind"] for e in led.entries()] == ["usage_plan"]


def test_import_rest_api_is_recorded(session, tmp_path):
    led = Ledger("lab-a", tmp_path)
    ag = session.client("apigateway")
    led.attach(ag)
    body = json.dumps({"openapi": "3.0.1", "info": {"title": "t", "version": "1", "description": "d"}, "paths": {}})
    api = ag.import_rest_api(body=body.encode())
    assert led.entries()[0]["ident"] == {"restApiId": api["id"]}
    led.delete_all(factory(session))
    assert ag.get_rest_apis()["items"] == []


def test_delete_all_removes_everything_the_lab_made_and_nothing_else(session, tmp_path):
    plain = {name: session.client(name) for name in SERVICES}
    outside = build(plain, "outside")  # made without a ledger: must survive
    led = Ledger("lab-a", tmp_path)
    ids = build(attached(session, led), "a")
    assert all(present(inventory(session), ids).values())

    lines = led.delete_all(factory(session))

    assert not any(present(inventory(session), ids).values())
    assert all(present(inventory(session), outside).values())
    assert not (tmp_path / "lab-a.json").exists()
    assert led.entries() == []
    assert f"deleted apigateway rest_api {ids['api']}" in lines
    assert any("emptied first" in line for line in lines)
    assert session.client("iam").list_attached_role_policies(RoleName=outside["role"])["AttachedPolicies"]


def test_delete_all_tolerates_what_is_already_gone(session, tmp_path):
    led = Ledger("lab-a", tmp_path)
    c = attached(session, led)
    api = c["apigateway"].create_rest_api(name="x")["id"]
    plan = c["apigateway"].create_usage_plan(name="p")["id"]
    q = c["sqs"].create_queue(QueueName="q")["QueueUrl"]
    session.client("apigateway").delete_rest_api(restApiId=api)
    session.client("apigateway").delete_usage_plan(usagePlanId=plan)
    session.client("sqs").delete_queue(QueueUrl=q)
    lines = led.delete_all(factory(session))
    assert sum(line.startswith("already gone") for line in lines) == 3
    assert not (tmp_path / "lab-a.json").exists()


def test_delete_all_tries_everything_then_raises_one_error(session, tmp_path):
    led = Ledger("lab-a", tmp_path)
    c = attached(session, led)
    api = c["apigateway"].create_rest_api(name="x")["id"]
    led.record("apigateway", "client_certificate", {"id": "nope"})  # a kind the deleter does not know
    with pytest.raises(CleanupError) as info:
        led.delete_all(factory(session))
    assert isinstance(info.value, RuntimeError)
    assert "client_certificate" in str(info.value)
    assert f"deleted apigateway rest_api {api}" in info.value.deleted
    assert session.client("apigateway").get_rest_apis()["items"] == []
    # What is left is kept for the next try.
    assert [e["kind"] for e in json.loads((tmp_path / "lab-a.json").read_text())["entries"]] == ["client_certificate"]


def test_cleanup_after_a_crash_deletes_only_that_lab(session, tmp_path):
    ids_a = build(attached(session, Ledger("lab-a", tmp_path)), "a")
    ids_b = build(attached(session, Ledger("lab-b", tmp_path)), "b")
    # The process "crashed": no delete_all. A fresh start only has the directory.
    lines = cleanup(factory(session), lab_id="lab-a", directory=tmp_path)

    inv = inventory(session)
    assert not any(present(inv, ids_a).values())
    assert all(present(inv, ids_b).values())
    assert not (tmp_path / "lab-a.json").exists()
    assert (tmp_path / "lab-b.json").exists()
    assert f"removed ledger {tmp_path / 'lab-a.json'}" in lines

    cleanup(factory(session), directory=tmp_path)  # every lab
    assert not any(present(inventory(session), ids_b).values())
    assert list(tmp_path.glob("*.json")) == []


def test_cleanup_finds_tagged_resources_without_a_ledger(session, tmp_path):
    ids = build(attached(session, Ledger("lab-a", tmp_path)), "a")
    (tmp_path / "lab-a.json").unlink()  # the ledger was lost; the tags remain
    other = session.client("sqs").create_queue(QueueName="keep", tags={TAG_KEY: "lab-z"})["QueueUrl"]

    lines = cleanup(factory(session), lab_id="lab-a", directory=tmp_path)

    left = present(inventory(session), ids)
    assert not any(left.values()), left  # the bucket too: the ledger tags it right after CreateBucket
    assert other in session.client("sqs").list_queues()["QueueUrls"]
    assert any(line == f"deleted lambda function {ids['function']}" for line in lines)


def test_cleanup_with_nothing_to_do(session, tmp_path):
    assert cleanup(factory(session), directory=tmp_path / "missing") == []


def test_throttled_deletes_are_retried(monkeypatch):
    waits = []
    monkeypatch.setattr(ledger_mod, "_sleep", waits.append)
    calls = []

    def flaky(**kw):
        calls.append(kw)
        if len(calls) < 3:
            raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "DeleteRestApi")
        return "ok"

    assert ledger_mod._call(flaky, restApiId="x") == "ok"
    assert waits == [1.0, 2.0]


def test_lab_id_must_be_a_safe_name(tmp_path):
    with pytest.raises(ValueError, match="lab_id"):
        Ledger("../etc", tmp_path)


def test_default_directory_follows_labkit_home(monkeypatch, tmp_path):
    monkeypatch.setenv("LABKIT_HOME", str(tmp_path))
    assert Ledger("lab-a").path == tmp_path / "labs" / "lab-a.json"


def test_delete_since_removes_only_what_came_after_the_mark(session, tmp_path):
    led = Ledger("lab-a", tmp_path)
    c = attached(session, led)
    kept = c["sqs"].create_queue(QueueName="before")["QueueUrl"]
    mark = len(led.entries())
    gone = c["sqs"].create_queue(QueueName="during")["QueueUrl"]
    assert led.delete_since(mark, factory(session)) == [f"deleted sqs queue {gone}"]
    assert session.client("sqs").list_queues()["QueueUrls"] == [kept]
    assert [e["ident"]["QueueUrl"] for e in led.entries()] == [kept]
    assert (tmp_path / "lab-a.json").exists()


NLB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/lab-nlb/1f8df693cd094a72"


def test_a_vpc_link_is_tagged_recorded_and_deleted_after_its_api(session, tmp_path):
    """A VPC link (02_integrations makes one) is the lab's like an API: tagged, in the ledger, deleted."""
    led = Ledger("lab-a", tmp_path)
    ag = attached(session, led)["apigateway"]
    outside = session.client("apigateway").create_vpc_link(name="keep", targetArns=[NLB_ARN])["id"]
    link = ag.create_vpc_link(name="pets-link", targetArns=[NLB_ARN])["id"]
    api = ag.create_rest_api(name="private")["id"]
    assert ag.get_vpc_link(vpcLinkId=link)["tags"].get(TAG_KEY) == "lab-a"
    assert {"restApiId": api} in [e["ident"] for e in led.entries()]

    lines = led.delete_all(factory(session))

    assert lines.index(f"deleted apigateway rest_api {api}") < lines.index(f"deleted apigateway vpc_link {link}")
    assert [v["id"] for v in session.client("apigateway").get_vpc_links()["items"]] == [outside]


def test_cleanup_finds_a_tagged_vpc_link_without_a_ledger(session, tmp_path):
    link = attached(session, Ledger("lab-a", tmp_path))["apigateway"].create_vpc_link(
        name="pets-link", targetArns=[NLB_ARN])["id"]
    (tmp_path / "lab-a.json").unlink()
    lines = cleanup(factory(session), lab_id="lab-a", directory=tmp_path)
    assert f"deleted apigateway vpc_link {link}" in lines
    assert session.client("apigateway").get_vpc_links()["items"] == []
