"""TestInvokeMethod against AWS's recordings: the answer's status, body, headers, multiValueHeaders, log
and latency, and the 404s for an unknown resource or method.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`,
class TestApigatewayTestInvoke (each test names its test and key; the calls are in `test_apigateway_api.py`).
The recording parses `body` as JSON and splits `log` into lines with the dates masked
(`DDD MMM dd hh:mm:ss UTC yyyy`); `<latency>` and `<request-id-N>` are placeholders.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from answers import refusal

STAMP = r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : "
JSON_HEADERS = {"Content-Type": "application/json"}


def log_lines(log: str) -> list[str]:
    """The log's lines after the first, each without its date; checks the request id and the dates."""
    first, *rest = log.split("\n")
    request_id = re.fullmatch(r"Execution log for request (\S+)", first).group(1)
    assert rest[-1] == ""  # the recording's last line is empty
    lines = []
    for line in rest[:-1]:
        assert re.match(STAMP, line), line
        lines.append(re.sub("^" + STAMP, "", line))
    assert lines[0] == f"Starting execution for request: {request_id}"
    return lines[1:]


@pytest.fixture
def pets(lab) -> tuple[Any, str, str, str]:
    """(client, api id, /pets id, /pets/{petId} id): the recording's API of MOCK integrations whose
    integration responses answer {"pets": "all the pets"} and {"petId": "$input.params('petId')"}."""
    c = lab.client("apigateway")
    api = c.create_rest_api(name="aws lambda api")["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    pets_id = c.create_resource(restApiId=api, parentId=root, pathPart="pets")["id"]
    pet_id = c.create_resource(restApiId=api, parentId=pets_id, pathPart="{petId}")["id"]
    c.put_method(restApiId=api, resourceId=pets_id, httpMethod="GET", authorizationType="NONE")
    for verb in ("GET", "POST"):
        c.put_method(restApiId=api, resourceId=pet_id, httpMethod=verb, authorizationType="NONE",
                     requestParameters={"method.request.path.petId": True})
    mock_template = {"application/json": json.dumps({"statusCode": 200})}
    for resource, verb, answer in ((pets_id, "GET", {"pets": "all the pets"}),
                                   (pet_id, "GET", {"petId": "$input.params('petId')"}),
                                   (pet_id, "POST", {"petId": "$input.params('petId')"})):
        c.put_method_response(restApiId=api, resourceId=resource, httpMethod=verb, statusCode="200")
        extra = {"requestParameters": {"integration.request.path.id": "method.request.path.petId"}} \
            if resource == pet_id else {}
        c.put_integration(restApiId=api, resourceId=resource, httpMethod=verb, type="MOCK", integrationHttpMethod=verb,
                          requestTemplates=mock_template, **extra)
        c.put_integration_response(restApiId=api, resourceId=resource, httpMethod=verb, statusCode="200",
                                   responseTemplates={"application/json": json.dumps(answer)})
    return c, api, pets_id, pet_id


# key, resource ("pets" or "pet"), verb, pathWithQueryString, body, answer body, and the log's
# Resource Path, Method request path, query string and body.
CASES = [
    ("test-invoke-method-get-pets", "pets", "GET", None, "", {"pets": "all the pets"}, "/pets", "{}", "{}", ""),
    ("test-invoke-method-get-pets-bad-path", "pets", "GET", "/random/test", "", {"pets": "all the pets"},
     "/random/test", "{}", "{}", ""),
    ("test-invoke-method-get-pets-id", "pet", "GET", "/pets/123", "", {"petId": "123"}, "/pets/123",
     "{petId=123}", "{}", ""),
    ("test-invoke-method-get-pets-id-no-path", "pet", "GET", None, "", {"petId": "{petId}"}, "/pets/{petId}",
     "{petId={petId}}", "{}", ""),
    ("test-invoke-method-get-pets-id-bad-path", "pet", "GET", "/random/test", "", {"petId": ""}, "/random/test",
     "{}", "{}", ""),
    ("test-invoke-method-get-with-qs", "pet", "GET", "/pets/123?foo=bar", "", {"petId": "123"}, "/pets/123",
     "{petId=123}", "{foo=bar}", ""),
    ("test-invoke-method-post-with-body", "pet", "POST", "/pets/123", '{"foo": "bar"}', {"petId": "123"},
     "/pets/123", "{petId=123}", "{}", '{"foo": "bar"}'),
]


@pytest.mark.parametrize("key, resource, verb, path, sent, answer, resource_path, path_log, query_log, body_log",
                         CASES, ids=[case[0] for case in CASES])
def test_invoke_test_method(pets, key, resource, verb, path, sent, answer, resource_path, path_log, query_log,
                            body_log):
    """TestApigatewayTestInvoke::test_invoke_test_method, keys test-invoke-method-*: the method runs as
    the API is now, with the path given (or the resource's own path, `{petId}` and all); a path the
    resource does not match still runs it, with no path parameters."""
    c, api, pets_id, pet_id = pets
    extra = {"pathWithQueryString": path} if path is not None else {}
    got = c.test_invoke_method(restApiId=api, resourceId=pets_id if resource == "pets" else pet_id,
                               httpMethod=verb, body=sent, **extra)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (got["status"], json.loads(got["body"])) == (200, answer)
    assert (got["headers"], got["multiValueHeaders"]) == (JSON_HEADERS, {"Content-Type": ["application/json"]})
    assert isinstance(got["latency"], int)
    assert log_lines(got["log"]) == [
        f"HTTP Method: {verb}, Resource Path: {resource_path}",
        f"Method request path: {path_log}",
        f"Method request query string: {query_log}",
        "Method request headers: {}",
        f"Method request body before transformations: {body_log}",
        f"Method response body after transformations: {json.dumps(answer)}",
        "Method response headers: {Content-Type=application/json}",
        "Successfully completed execution",
        "Method completed with status: 200",
    ]


def test_invoke_test_method_unknown_method_or_resource(pets):
    """TestApigatewayTestInvoke::test_invoke_test_method, keys resource-method-not-found, resource-id-not-found
    and rest-api-not-found (which, as recorded, names an unknown resource of a known API)."""
    c, api, _, pet_id = pets
    body = json.dumps({"foo": "bar"})
    assert refusal(c.test_invoke_method, restApiId=api, resourceId=pet_id, httpMethod="HEAD",
                   pathWithQueryString="/pets/123", body=body) == (
        404, "NotFoundException", "Invalid Method identifier specified")
    assert refusal(c.test_invoke_method, restApiId=api, resourceId="invalid_res", httpMethod="POST",
                   pathWithQueryString="/pets/123", body=body) == (
        404, "NotFoundException", "Invalid Resource identifier specified")


def test_failed_invoke_test_method(lab):
    """TestApigatewayTestInvoke::test_failed_invoke_test_method, key test-invoke-failure: a GET test of an
    ANY method whose HTTP_PROXY URI names an undeclared stage variable answers 200 carrying status 500,
    AWS's body, x-amzn-ErrorType alone, and the configuration error in the log."""
    c = lab.client("apigateway")
    api = c.create_rest_api(name="test failed invoke")["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    c.put_method(restApiId=api, resourceId=root, httpMethod="ANY", authorizationType="NONE")
    c.put_integration(restApiId=api, resourceId=root, httpMethod="ANY", type="HTTP_PROXY",
                      uri="https://${stageVariables.testHost}", integrationHttpMethod="ANY")
    got = c.test_invoke_method(restApiId=api, resourceId=root, httpMethod="GET", body="")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (got["status"], json.loads(got["body"])) == (500, {"message": "Internal server error"})
    assert got["headers"] == {"x-amzn-ErrorType": "InternalServerErrorException"}
    assert got["multiValueHeaders"] == {"x-amzn-ErrorType": ["InternalServerErrorException"]}
    assert isinstance(got["latency"], int)
    assert log_lines(got["log"]) == [
        "HTTP Method: GET, Resource Path: /",
        "Method request path: {}",
        "Method request query string: {}",
        "Method request headers: {}",
        "Method request body before transformations: ",
        "Execution failed due to configuration error: Invalid endpoint address",
        "Method completed with status: 500",
    ]
