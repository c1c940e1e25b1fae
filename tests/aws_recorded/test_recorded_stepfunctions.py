"""Step Functions behind type AWS integrations (`states:action/...`), as AWS recorded them.

Source: LocalStack's AWS-validated snapshots, `tests/aws/services/apigateway/test_apigateway_stepfunctions.*`.
"""

from __future__ import annotations

import json
import re

from labkit.apis import RestApi
from recorded import role_arn

SNAP = ("test_apigateway_stepfunctions.snapshot.json::tests/aws/services/apigateway/"
        "test_apigateway_stepfunctions.py::TestApigatewayStepfunctions::test_apigateway_with_step_function_integration")


def _machine(lab, name):
    # The recording's machine runs a Lambda task; what API Gateway answers does not depend on it.
    return lab.client("stepfunctions").create_state_machine(
        name=name, roleArn=role_arn(lab.account_id, "sfn"), type="EXPRESS",
        definition=json.dumps({"StartAt": "step1", "States": {"step1": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]


def _sfn_api(lab, name, action, request_templates):
    """POST / -> `states:action/{action}`, integration response 200 with selectionPattern "" and no templates."""
    client = lab.client("apigateway")
    api = RestApi.create(client, name, endpoint_type="REGIONAL")
    root = api.resource("/")
    client.put_method(restApiId=api.id, resourceId=root.id, httpMethod="POST", authorizationType="NONE")
    client.put_method_response(restApiId=api.id, resourceId=root.id, httpMethod="POST", statusCode="200")
    kwargs = {"requestTemplates": request_templates} if request_templates else {}
    client.put_integration(restApiId=api.id, resourceId=root.id, httpMethod="POST", integrationHttpMethod="POST",
                           type="AWS", uri=f"arn:aws:apigateway:{lab.region}:states:action/{action}",
                           credentials=role_arn(lab.account_id, "apigw-sfn"), **kwargs)
    client.put_integration_response(restApiId=api.id, resourceId=root.id, httpMethod="POST", statusCode="200",
                                    selectionPattern="")
    api.deploy("dev")
    return api


def test_start_execution_answers_the_execution_arn_and_start_date(lab):
    """SNAP[StartExecution]: a template that escapes the body into `input` starts the machine; the
    client gets Step Functions' answer as is: `executionArn` and `startDate` (nothing else)."""
    machine = _machine(lab, "rec-sfn-start")
    template = f"""
            {{
            "input": "$util.escapeJavaScript($input.json('$'))",
            "stateMachineArn": "{machine}"
            }}
            """
    api = _sfn_api(lab, "rec-sfn-start", "StartExecution", {"application/json": template})
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "dev") + "/", {},
                             json.dumps({"test": "test-value"}))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert set(body) == {"executionArn", "startDate"}
    assert re.fullmatch(r"arn:aws:states:[a-z0-9-]+:\d{12}:(express|execution):rec-sfn-start:[\w-]+",
                        body["executionArn"])
    assert isinstance(body["startDate"], (int, float))


def test_delete_state_machine_answers_an_empty_object(lab):
    """SNAP[DeleteStateMachine]: with no request template the body `{"stateMachineArn": ...}` passes
    through; Step Functions answers `{}` and so does the method."""
    machine = _machine(lab, "rec-sfn-delete")
    api = _sfn_api(lab, "rec-sfn-delete", "DeleteStateMachine", None)
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "dev") + "/", {},
                             json.dumps({"stateMachineArn": machine}))
    assert r.status_code == 200
    assert r.json() == {}
    assert machine not in [m["stateMachineArn"]
                           for m in lab.client("stepfunctions").list_state_machines()["stateMachines"]]
