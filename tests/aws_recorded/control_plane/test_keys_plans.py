"""API keys, usage plans and usage plan keys on the control plane, as AWS answers them.

Recordings: LocalStack's AWS-validated snapshots under tests/aws/services/apigateway/ (file and key in
each test's docstring). Dates, ids, generated values and ResponseMetadata are placeholders there.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

INVALID_PLAN = "Invalid Usage Plan ID specified"


def _error(failed):
    error = failed.value.response["Error"]
    return failed.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]


def _bare(answer):
    """The answer without placeholders, and without the tag a Lab's client adds to what it creates."""
    bare = {k: v for k, v in answer.items() if k not in ("ResponseMetadata", "createdDate", "lastUpdatedDate")}
    if "tags" in bare:
        bare["tags"] = {k: v for k, v in bare["tags"].items() if not k.startswith("labkit:")}
    return bare


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "a" * 1025}, "Invalid API Key name, can be at most 1024 characters."),
    ({"value": "short"}, "API Key value should be at least 20 characters"),
    ({"value": "a" * 129}, "API Key value exceeds maximum size of 128 characters"),
    ({"description": "a" * 125001}, "Invalid API Key description specified."),
])
def test_create_api_key_refuses_bad_lengths(lab, kwargs, message):
    """test_apigateway_extended.snapshot.json::...::TestApigatewayApiKeysCrud::test_create_api_key_with_invalid_name
    "create-api-key-name-too-long"; test_create_api_key_with_invalid_value "create-api-key-short-value",
    "create-api-key-invalid-value-too-long"; test_update_api_key_invalid_description_length
    "create-api-key-description-too-long". Nothing is created."""
    client = lab.client("apigateway")
    with pytest.raises(ClientError) as failed:
        client.create_api_key(**kwargs)
    assert _error(failed) == (400, "BadRequestException", message)
    assert client.get_api_keys()["items"] == []


def test_create_api_key_with_empty_name_and_value(lab):
    """test_apigateway_extended.snapshot.json::...::test_create_api_key_with_invalid_name "create-api-key-empty-name"
    and test_create_api_key_with_invalid_value "create-api-key-empty-value": 201, a generated value, no name."""
    client = lab.client("apigateway")
    answer = client.create_api_key(name="", value="")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert set(_bare(answer)) - {"tags"} == {"enabled", "id", "stageKeys", "value"}  # tags: the Lab's own
    assert answer["enabled"] is False and answer["stageKeys"] == [] and len(answer["value"]) >= 20


def test_update_api_key_answer(lab):
    """test_apigateway_common.snapshot.json::...::TestUsagePlans::test_api_key_required_for_methods
    "update-api-key-disabled" and test_apigateway_extended.snapshot.json::...::test_negative_get_usage_plan_api_keys
    "update-api-key-name": 200 without `value`, with `tags` {}."""
    client = lab.client("apigateway")
    key_id = client.create_api_key(name="key-enabled", enabled=True)["id"]
    answer = client.update_api_key(apiKey=key_id, patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "false"}])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _bare(answer) == {"enabled": False, "id": key_id, "name": "key-enabled", "stageKeys": [], "tags": {}}


@pytest.mark.parametrize("op, message", [
    ({"op": "replace", "path": "/id", "value": "new-id"},
     "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]"),
    ({"op": "replace", "path": "/description", "value": "a" * 125001}, "Invalid API Key description specified."),
])
def test_update_api_key_refusals(lab, op, message):
    """test_apigateway_extended.snapshot.json::...::test_update_api_key_immutable_field "update-api-key-immutable-field";
    test_update_api_key_invalid_description_length "update-api-key-description-too-long"."""
    client = lab.client("apigateway")
    key_id = client.create_api_key(name="key")["id"]
    with pytest.raises(ClientError) as failed:
        client.update_api_key(apiKey=key_id, patchOperations=[op])
    assert _error(failed) == (400, "BadRequestException", message)


def _plan_on_dev(lab):
    """The recording's setup: an API with a `dev` stage and a usage plan on it."""
    client = lab.client("apigateway")
    api_id = client.create_rest_api(name="plans")["id"]
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    client.create_deployment(restApiId=api_id, stageName="dev")
    plan = client.create_usage_plan(name="plan", description="this is my usage plan",
                                    apiStages=[{"apiId": api_id, "stage": "dev"}])
    return client, api_id, plan["id"]


def test_update_usage_plan_quota_and_throttle(lab):
    """test_apigateway_common.snapshot.json::...::TestUsagePlans::test_usage_plan_crud "update-usage-plan",
    "get-usage-plan-after-update": quota limit a number and offset 0, throttle numbers, tags {}."""
    client, api_id, plan_id = _plan_on_dev(lab)
    answer = client.update_usage_plan(usagePlanId=plan_id, patchOperations=[
        {"op": "replace", "path": "/throttle/burstLimit", "value": "100"},
        {"op": "replace", "path": "/throttle/rateLimit", "value": "200"},
        {"op": "replace", "path": "/quota/period", "value": "MONTH"},
        {"op": "replace", "path": "/quota/limit", "value": "5000"}])
    expected = {"apiStages": [{"apiId": api_id, "stage": "dev"}], "description": "this is my usage plan",
                "id": plan_id, "name": "plan", "quota": {"limit": 5000, "offset": 0, "period": "MONTH"},
                "tags": {}, "throttle": {"burstLimit": 100, "rateLimit": 200.0}}
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _bare(answer) == expected
    assert _bare(client.get_usage_plan(usagePlanId=plan_id)) == expected


@pytest.mark.parametrize("value, status, code, message", [
    (None, 400, "BadRequestException", "Invalid API Stage specified"),
    ("fakevalue", 400, "BadRequestException", "Invalid API Stage specified"),
    ("{api}b:dev", 404, "NotFoundException", "Invalid API Stage {{api: {api}b, stage: dev}} specified for usageplan {plan}"),
    ("{api}:fakestagename", 404, "NotFoundException",
     "Invalid API Stage {{api: {api}, stage: fakestagename}} specified for usageplan {plan}"),
])
def test_update_usage_plan_remove_unknown_api_stage(lab, value, status, code, message):
    """test_apigateway_common.snapshot.json::...::TestUsagePlans::test_usage_plan_crud
    "update-wrong-api-stages-no-value", "-wrong-value", "-wrong-api", "-wrong-stage"; the plan keeps its stage."""
    client, api_id, plan_id = _plan_on_dev(lab)
    op = {"op": "remove", "path": "/apiStages"}
    if value is not None:
        op["value"] = value.format(api=api_id)
    with pytest.raises(ClientError) as failed:
        client.update_usage_plan(usagePlanId=plan_id, patchOperations=[op])
    assert _error(failed) == (status, code, message.format(api=api_id, plan=plan_id))
    assert client.get_usage_plan(usagePlanId=plan_id)["apiStages"] == [{"apiId": api_id, "stage": "dev"}]


def test_update_unknown_usage_plan(lab):
    """test_apigateway_common.snapshot.json::...::TestUsagePlans::test_usage_plan_crud "update-wrong-id"."""
    client, _, plan_id = _plan_on_dev(lab)
    with pytest.raises(ClientError) as failed:
        client.update_usage_plan(usagePlanId=plan_id + "1", patchOperations=[
            {"op": "replace", "path": "/throttle/burstLimit", "value": "100"}])
    assert _error(failed) == (404, "NotFoundException", INVALID_PLAN)


def test_unknown_usage_plan_on_delete_and_plan_keys(lab):
    """DeleteUsagePlan, CreateUsagePlanKey and DeleteUsagePlanKey name an unknown plan: 404 with the recorded
    wording of test_usage_plan_crud "update-wrong-id" (https://docs.aws.amazon.com/apigateway/latest/api/
    API_DeleteUsagePlan.html: NotFoundException); an unknown key in a known plan: 404."""
    client, _, plan_id = _plan_on_dev(lab)
    key_id = client.create_api_key(name="key")["id"]
    for call in (lambda: client.delete_usage_plan(usagePlanId="nope"),
                 lambda: client.create_usage_plan_key(usagePlanId="nope", keyId=key_id, keyType="API_KEY"),
                 lambda: client.delete_usage_plan_key(usagePlanId="nope", keyId=key_id)):
        with pytest.raises(ClientError) as failed:
            call()
        assert _error(failed) == (404, "NotFoundException", INVALID_PLAN)
    with pytest.raises(ClientError) as failed:
        client.delete_usage_plan_key(usagePlanId=plan_id, keyId=key_id)
    assert _error(failed) == (404, "NotFoundException", "Invalid API Key identifier specified")
    assert [p["id"] for p in client.get_usage_plans(keyId=key_id)["items"]] == []

