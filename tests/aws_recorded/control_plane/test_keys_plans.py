"""API keys, usage plans and usage plan keys on the control plane, as AWS answers them.

Recordings: LocalStack's AWS-validated snapshots under tests/aws/services/apigateway/ (file and key in
each test's docstring). Dates, ids, generated values and ResponseMetadata are placeholders there.
"""

from __future__ import annotations

import datetime as dt

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



def _key(name):
    """A key as GetApiKeys lists it for a key made with only a name (recorded "get-api-keys-after-create-1")."""
    return {"enabled": False, "name": name, "stageKeys": []}


def _listed(answer):
    return [{k: v for k, v in _bare(item).items() if k not in ("id", "tags")} for item in answer["items"]]


def test_get_api_keys(lab):
    """test_apigateway_extended.snapshot.json::...::TestApigatewayApiKeysCrud::test_get_api_keys: 200 with no
    `value`; nameQuery is a case-sensitive prefix ("get-api-keys-wrong-name-query", "-prefix-name-query",
    "-prefix-name-query-cased", "-postfix-name-query", "-infix-name-query", "-name-query"); limit 1 answers
    one key and a `position` for the next page, which has none ("get-apis-keys-pagination", "-pagination-2").
    The order of the two keys is left open (the recording's ids are placeholders)."""
    client = lab.client("apigateway")
    assert _bare(client.get_api_keys()) == {"items": []}
    first, second = "test-key-aaaa11", "test-key-bbbb22"
    created = client.create_api_key(name=first)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert set(_bare(created)) - {"tags"} == {"enabled", "id", "name", "stageKeys", "value"}  # tags: the Lab's own
    listed = client.get_api_keys()
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _listed(listed) == [_key(first)] and "position" not in listed
    assert all(isinstance(item["createdDate"], dt.datetime) for item in listed["items"])
    for query, found in ((second, []), (first[:8], [_key(first)]), (first[:8].upper(), []), (first[2:], []),
                         (first[2:8], [])):
        assert _listed(client.get_api_keys(nameQuery=query)) == found, query
    client.create_api_key(name=second)
    both = sorted([_key(first), _key(second)], key=lambda k: k["name"])
    assert sorted(_listed(client.get_api_keys()), key=lambda k: k["name"]) == both
    assert _listed(client.get_api_keys(nameQuery=second)) == [_key(second)]
    assert sorted(_listed(client.get_api_keys(nameQuery=first[:8])), key=lambda k: k["name"]) == both
    page = client.get_api_keys(limit=1)
    assert len(page["items"]) == 1 and page["position"]
    rest = client.get_api_keys(limit=1, position=page["position"])
    assert len(rest["items"]) == 1 and "position" not in rest
    assert sorted(_listed(page) + _listed(rest), key=lambda k: k["name"]) == both


def test_get_api_keys_default_page(lab):
    """GetApiKeys without `limit` answers at most 25 keys and a position ("The default value is 25":
    https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKeys.html); a limit of -1 answers 200
    (test_apigateway_extended.snapshot.json::...::test_negative_get_usage_plan_api_keys "get-api-keys-invalid-limit")."""
    client = lab.client("apigateway")
    for n in range(26):
        client.create_api_key(name=f"key-{n:02}")
    first = client.get_api_keys()
    assert len(first["items"]) == 25 and first["position"]
    assert len(client.get_api_keys(position=first["position"])["items"]) == 1
    assert len(client.get_api_keys(limit=-1)["items"]) == 25
    assert sum(len(p["items"]) for p in client.get_paginator("get_api_keys").paginate()) == 26


def test_get_usage_plan_api_keys(lab):
    """test_apigateway_extended.snapshot.json::...::TestApigatewayApiKeysCrud::test_get_usage_plan_api_keys:
    "create-usage-plan" (201, apiStages []), "create-up-key" (201: id, name, type, value), "get-up-keys",
    nameQuery a case-sensitive prefix ("-name-query", "-name-query-cased", "-name-query-key-name",
    "-bad-query"), deleted API keys leave the plan ("get-up-keys-after-delete"), an unknown plan lists
    nothing ("get-up-keys-bad-usage-plan")."""
    client = lab.client("apigateway")
    first = client.create_api_key(name="test-key-aaaa11")
    second = client.create_api_key(name="test-key-bbbb22")
    plan = client.create_usage_plan(name="usage-plan-1")
    assert plan["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert _bare(plan) == {"apiStages": [], "id": plan["id"], "name": "usage-plan-1", "tags": {}}
    assert _bare(client.get_usage_plan_keys(usagePlanId=plan["id"])) == {"items": []}
    made = client.create_usage_plan_key(usagePlanId=plan["id"], keyId=first["id"], keyType="API_KEY")
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    plan_key = {"id": first["id"], "name": first["name"], "type": "API_KEY", "value": first["value"]}
    assert _bare(made) == plan_key
    client.create_usage_plan_key(usagePlanId=plan["id"], keyId=second["id"], keyType="API_KEY")
    other = {"id": second["id"], "name": second["name"], "type": "API_KEY", "value": second["value"]}

    def listed(**query):
        answer = client.get_usage_plan_keys(usagePlanId=plan["id"], **query)
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
        return sorted(answer["items"], key=lambda k: k["name"])

    assert listed() == [plan_key, other]
    assert listed(nameQuery="test-key") == [plan_key, other]
    assert listed(nameQuery="TEST-key") == []
    assert listed(nameQuery=first["name"]) == [plan_key]
    assert listed(nameQuery="nothing") == []
    client.delete_api_key(apiKey=first["id"])
    client.delete_api_key(apiKey=second["id"])
    assert listed() == []
    assert _bare(client.get_usage_plan_keys(usagePlanId="bad-id")) == {"items": []}


def test_update_api_key_invalid_enabled_type(lab):
    """test_apigateway_extended.snapshot.json::...::TestApigatewayApiKeysCrud::test_update_api_key_invalid_enabled_type
    "update-api-key-invalid-enabled-type": `/enabled` "not-a-boolean" is taken as false, 200."""
    client = lab.client("apigateway")
    key_id = client.create_api_key(enabled=True)["id"]
    answer = client.update_api_key(apiKey=key_id, patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "not-a-boolean"}])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _bare(answer) == {"enabled": False, "id": key_id, "stageKeys": [], "tags": {}}


def test_create_usage_plan_with_throttle(lab):
    """test_apigateway_extended.snapshot.json::...::TestApigatewayApiKeysCrud::test_create_usage_plan_with_throttle
    "create-usage-plan-burst-gt-rate": a burst above the rate is accepted, 201, rate answered as a double."""
    client = lab.client("apigateway")
    plan = client.create_usage_plan(name="burst-gt-rate", throttle={"rateLimit": 10, "burstLimit": 20})
    assert plan["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert _bare(plan) == {"apiStages": [], "id": plan["id"], "name": "burst-gt-rate", "tags": {},
                           "throttle": {"burstLimit": 20, "rateLimit": 10.0}}


RATE = "a number of requests per second >= 0"
WHOLE = "a whole number >= 0"


@pytest.mark.parametrize("kwargs, name, value, allowed", [
    ({"throttle": {"rateLimit": -1.0, "burstLimit": 1}}, "throttle.rateLimit", -1.0, RATE),
    ({"throttle": {"rateLimit": float("nan")}}, "throttle.rateLimit", "NaN", RATE),  # as botocore sends them
    ({"throttle": {"rateLimit": float("inf")}}, "throttle.rateLimit", "Infinity", RATE),
    ({"throttle": {"rateLimit": 1.0, "burstLimit": -5}}, "throttle.burstLimit", -5, WHOLE),
    ({"quota": {"limit": -1, "period": "DAY"}}, "quota.limit", -1, WHOLE),
    ({"quota": {"limit": 10, "offset": -2, "period": "DAY"}}, "quota.offset", -2, WHOLE),
])
def test_create_usage_plan_bad_numbers(lab, kwargs, name, value, allowed):
    """Issue 16 item 9: throttle rate and burst and quota limit and offset are at least 0
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-usageplan-throttlesettings.html,
    ...-quotasettings.html); AWS's message is not recorded: the kit's names the parameter, the range and the value.
    Nothing is created."""
    client = lab.client("apigateway")
    with pytest.raises(ClientError) as failed:
        client.create_usage_plan(name="bad", **kwargs)
    assert _error(failed) == (400, "BadRequestException", f"Invalid {name}: {value!r}. It must be {allowed}.")
    assert client.get_usage_plans()["items"] == []


@pytest.mark.parametrize("path, value, allowed", [
    ("/throttle/rateLimit", "-1", RATE), ("/throttle/rateLimit", "NaN", RATE), ("/throttle/rateLimit", "inf", RATE),
    ("/throttle/rateLimit", "abc", RATE), ("/throttle/burstLimit", "-3", WHOLE), ("/throttle/burstLimit", "abc", WHOLE),
    ("/quota/limit", "-3", WHOLE), ("/quota/offset", "1.5", WHOLE),
])
def test_update_usage_plan_bad_numbers(lab, path, value, allowed):
    """Issue 16 item 9, on UpdateUsagePlan (same sources as above); the plan is left as it was."""
    client, _, plan_id = _plan_on_dev(lab)
    before = _bare(client.get_usage_plan(usagePlanId=plan_id))
    with pytest.raises(ClientError) as failed:
        client.update_usage_plan(usagePlanId=plan_id, patchOperations=[{"op": "replace", "path": path, "value": value}])
    assert _error(failed) == (400, "BadRequestException", f"Invalid {path}: {value!r}. It must be {allowed}.")
    assert _bare(client.get_usage_plan(usagePlanId=plan_id)) == before


def test_update_usage_plan_bad_method_throttle(lab):
    """Issue 16 item 9: a per-method throttle under /apiStages/{apiId}:{stage}/throttle/... takes the same numbers."""
    client, api_id, plan_id = _plan_on_dev(lab)
    path = f"/apiStages/{api_id}:dev/throttle/~1/GET/rateLimit"
    with pytest.raises(ClientError) as failed:
        client.update_usage_plan(usagePlanId=plan_id, patchOperations=[{"op": "replace", "path": path, "value": "-1"}])
    assert _error(failed) == (400, "BadRequestException", f"Invalid {path}: '-1'. It must be {RATE}.")
