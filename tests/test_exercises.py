"""Every exercise check accepts the right answer, rejects a wrong or blank one with a hint, never raises."""

from __future__ import annotations

import json

import pytest

from labkit.exercises import basics as exercises
from labkit.apis import RestApi
from exercise_asserts import hints as _hints, passes as _passes


@pytest.fixture
def api(lab):
    return RestApi.create(lab.client("apigateway"), "exercise-api")


def test_goodbye(lab, api, capsys):
    _hints(capsys, exercises.check_goodbye(lab, None), "api.id")
    api.resource("/hello").method("GET").mock(body='{"message": "Hello"}')
    api.deploy("dev")
    _hints(capsys, exercises.check_goodbye(lab, api.id), "403", "deploy")
    api.resource("/goodbye").method("GET").mock(body='{"message": "Bye"}')
    api.deploy("dev")
    _hints(capsys, exercises.check_goodbye(lab, api.id), "Goodbye")
    api.resource("/goodbye").method("GET").mock(body='{"message": "Goodbye"}')
    _hints(capsys, exercises.check_goodbye(lab, api.id), "Goodbye")  # not deployed yet
    api.deploy("dev")
    _passes(capsys, exercises.check_goodbye(lab, api.id))


def test_goodbye_with_an_unknown_api_is_a_hint(lab, capsys):
    _hints(capsys, exercises.check_goodbye(lab, "nosuchapi"), "403")


def test_wrong_method(capsys):
    _hints(capsys, exercises.check_wrong_method(None, None), "x-amzn-ErrorType")
    _hints(capsys, exercises.check_wrong_method(405, "MethodNotAllowed"), "405")
    _hints(capsys, exercises.check_wrong_method("abc", "x"), "number")
    _hints(capsys, exercises.check_wrong_method(403, "AccessDeniedException"), "x-amzn-ErrorType")
    _passes(capsys, exercises.check_wrong_method(403, "MissingAuthenticationTokenException"))
    _passes(capsys, exercises.check_wrong_method("403", "MissingAuthenticationTokenException"))


def test_integration_statuses(capsys):
    _hints(capsys, exercises.check_integration_statuses(None, None), "both")
    _hints(capsys, exercises.check_integration_statuses(404, 404), "default")
    _hints(capsys, exercises.check_integration_statuses(200, 200), "passes the backend's status")
    _hints(capsys, exercises.check_integration_statuses("x", 1), "numbers")
    _passes(capsys, exercises.check_integration_statuses(200, 404))


def _greet_api(lab):
    def greeter(event, context):
        return {"statusCode": 200, "body": json.dumps({"function": context.function_name})}

    arn = lab.lambda_function("greeter-dev", greeter)
    lab.lambda_function("greeter-prod", greeter)
    api = RestApi.create(lab.client("apigateway"), "greet-api")
    api.resource("/greet").method("GET").lambda_proxy(arn.rsplit(":", 1)[0] + ":${stageVariables.fn}")
    deployment = api.deploy("dev", variables={"fn": "greeter-dev"})
    return api, deployment["id"]


def test_qa_stage(lab, capsys):
    api, deployment_id = _greet_api(lab)
    apigw = lab.client("apigateway")
    _hints(capsys, exercises.check_qa_stage(lab, None), "greet_api.id")
    _hints(capsys, exercises.check_qa_stage(lab, api.id), "create_stage")
    apigw.create_stage(restApiId=api.id, stageName="qa", deploymentId=deployment_id, variables={"fn": "greeter-prod"})
    _hints(capsys, exercises.check_qa_stage(lab, api.id), "greeter-dev")
    api.set_stage_variables("qa", {"fn": "greeter-dev"})
    _passes(capsys, exercises.check_qa_stage(lab, api.id))


def test_promoted(lab, capsys):
    api = RestApi.create(lab.client("apigateway"), "release-api")
    apigw = lab.client("apigateway")
    hello = api.resource("/hello").method("GET")
    hello.mock(body='{"version": "v1"}')
    first = api.deploy("dev")
    apigw.create_stage(restApiId=api.id, stageName="prod", deploymentId=first["id"])
    hello.mock(body='{"version": "v2"}')
    second = api.deploy("dev")
    hello.mock(status=500, body='{"message": "oops"}')
    api.deploy("dev")
    _hints(capsys, exercises.check_promoted(lab, None), "release_api.id")
    _hints(capsys, exercises.check_promoted(lab, api.id), "update_stage")
    api.rollback("prod", apigw.get_stage(restApiId=api.id, stageName="dev")["deploymentId"])
    _hints(capsys, exercises.check_promoted(lab, api.id), "500")  # shares the broken deployment
    api.rollback("dev", second["id"])
    api.rollback("prod", second["id"])
    assert "v2" in _passes(capsys, exercises.check_promoted(lab, api.id))


def test_promoted_without_stages_is_a_hint(lab, capsys):
    api = RestApi.create(lab.client("apigateway"), "no-stages")
    _hints(capsys, exercises.check_promoted(lab, api.id), "dev and prod")
