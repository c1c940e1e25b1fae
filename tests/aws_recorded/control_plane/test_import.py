"""ImportRestApi and PutRestApi against AWS's recordings (control/imports.py).

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_import.snapshot.json`,
class TestApiGatewayImportRestApi (each test names its key; the calls are in `test_apigateway_import.py`). The
documents it imports are copied in files/ (see files/README). Placeholders (`<id:1>`, dates) are not compared.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from answers import refusal as refused
from imported import comparable, differences, document, expected, read_back, recorded
from recorded import serving  # tests/aws_recorded/recorded.py (its conftest puts that folder on the path)

from labkit import documents

INVALID = "Invalid OpenAPI input."  # test_import_api_bad_file "import-api-bad-yaml-file"


@pytest.fixture
def plain(lab):
    """A boto3 API Gateway client on the lab's in-process moto, without the lab's tagging."""
    return boto3.client("apigateway", region_name=lab.region)


def alias_bomb() -> str:
    """A Swagger document whose YAML aliases stand for 9**9 nodes, in under 700 bytes."""
    lines = ['swagger: "2.0"', "info: {title: bomb, version: '1'}", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", '
             '"lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    lines.append("paths: {}")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_invalid_openapi_input(plain):
    """Issue 16 item 10: refused as AWS refuses a document it cannot read (its wording, with the reason), and no
    API is left behind; the refusal comes from composing, before any expansion (tests/test_documents.py)."""
    status, code, message = refused(plain.import_rest_api, body=alias_bomb().encode())
    assert (status, code) == (400, "BadRequestException")
    assert message == f"{INVALID} YAML aliases expand the document beyond {documents.MAX_NODES} nodes"
    api_id = plain.create_rest_api(name="target")["id"]
    assert refused(plain.put_rest_api, restApiId=api_id, body=alias_bomb().encode())[2] == message
    assert [api["name"] for api in plain.get_rest_apis()["items"]] == ["target"]


def test_a_definition_over_6_mb_is_refused(plain):
    """"The maximum size of the API definition file is 6MB."
    https://docs.aws.amazon.com/apigateway/latest/api/API_ImportRestApi.html (body); no recording of AWS's answer."""
    padding = " " * documents.MAX_DOCUMENT_BYTES
    body = ('{"swagger": "2.0", "info": {"title": "big", "version": "1"}, "paths": {}}' + padding).encode()
    status, code, message = refused(plain.import_rest_api, body=body)
    assert (status, code) == (400, "BadRequestException")
    assert message.startswith(INVALID) and "at most 6291456 bytes (6 MB)" in message
    assert plain.get_rest_apis()["items"] == []


# --- documents the recordings imported, read back as they read them ----------------------------------------------

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:"
              "function:fn/invocations")
# What each recording put in place of the document's ${...} variables (our own values: they are placeholders there).
VARIABLES = {b"${authorizer_lambda_invocation_arn}": LAMBDA_URI.encode(), b"${lambda_invocation_arn}": LAMBDA_URI.encode(),
             b"${cognito_pool_arn}": b"arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_ABC123",
             b"${uri}": b"http://petstore.execute-api.us-east-1.amazonaws.com/petstore/pets",
             b"arn:aws:iam::account-id:role": b"arn:aws:iam::123456789012:role"}
METHOD_KEYS = ("method", "integration")


def filled(name: str) -> bytes:
    body = document(name)
    for variable, value in VARIABLES.items():
        body = body.replace(variable, value)
    return body


def paths(client, api_id: str) -> list[str]:
    return sorted(item["path"] for item in client.get_resources(restApiId=api_id)["items"])


def recorded_paths(answer: dict) -> list[str]:
    return sorted(item["path"] for item in answer["items"])


def assert_methods_as_recorded(client, api_id: str, recording: dict, prefix: str = "", skip: tuple = ()) -> None:
    """Every method's four recorded answers (method, method response 200, integration, integration response 200)."""
    keys = [k for k in recording if k.startswith(tuple(prefix + k for k in METHOD_KEYS)) and k not in skip]
    ours = read_back(client, api_id, prefix)
    assert set(ours) - set(skip) == set(keys)
    assert differences(ours, recording, keys) == {}


def assert_answer_as_recorded(answer: dict, recorded_answer: dict) -> None:
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == recorded_answer["ResponseMetadata"]["HTTPStatusCode"]
    assert comparable(answer, recorded_answer) == expected(recorded_answer)


@pytest.mark.parametrize("mode", ["ignore", "prepend", "split"])
def test_swagger_base_path_modes(plain, mode):
    """test_import_rest_apis_with_base_path_swagger[ignore|prepend|split]: basePath /base is dropped, put before every
    path, or split (its first part dropped); a document without basePath is the same in every mode. The methods carry
    the request authorizer of securityDefinitions, method responses from headers, MOCK integrations.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html"""
    recording = recorded(f"test_import_rest_apis_with_base_path_swagger[{mode}]")
    api_id = plain.create_rest_api(name="base-path")["id"]
    put = plain.put_rest_api(restApiId=api_id, body=document("swagger.json"), mode="overwrite",
                             parameters={"basepath": mode})
    assert_answer_as_recorded(put, recording["put-rest-api-swagger-json"])
    assert paths(plain, api_id) == recorded_paths(recording["get-resources-swagger-json"])
    with_base = {k: v for k, v in recording.items() if "pets" not in k}
    assert_methods_as_recorded(plain, api_id, with_base)
    imported = plain.import_rest_api(body=document("pets.json"), parameters={"basepath": mode})
    assert paths(plain, imported["id"]) == recorded_paths(recording["get-resources-no-base-path-swagger"])
    assert_methods_as_recorded(plain, imported["id"], {k: v for k, v in recording.items() if "pets" in k})


@pytest.mark.parametrize("mode", ["ignore", "prepend", "split"])
def test_openapi_base_path_modes(plain, mode):
    """test_import_rest_api_with_base_path_oas30[ignore|prepend|split]: the base path is the `basePath` server
    variable, else the server URL's path (/base-url/part/ splits into /part); a requestParameters value that is not a
    string is dropped with AWS's warning in the answer."""
    recording = recorded(f"test_import_rest_api_with_base_path_oas30[{mode}]")
    api_id = plain.create_rest_api(name="base-path")["id"]
    for prefix, name in (("srv-var", "openapi-basepath-server-variable.yaml"), ("srv-url", "openapi-basepath-url.yaml")):
        put = plain.put_rest_api(restApiId=api_id, body=document(name), mode="overwrite", parameters={"basepath": mode})
        assert_answer_as_recorded(put, recording[f"put-rest-api-oas30-{prefix}"])
        assert paths(plain, api_id) == recorded_paths(recording[f"get-resources-oas30-{prefix}"])
        assert_methods_as_recorded(plain, api_id, recording, prefix=f"{prefix}-")


def test_an_unknown_base_path_mode_is_refused(plain):
    """The kit's wording (no recording): AWS documents ignore, prepend and split only."""
    status, code, message = refused(plain.import_rest_api, body=document("swagger.json"), parameters={"basepath": "x"})
    assert (status, code) == (400, "BadRequestException") and "ignore, prepend, split" in message


def test_global_security_uses_the_request_authorizer(plain):
    """test_import_with_global_api_key_authorizer: the document's `security` applies to every method (CUSTOM, the
    authorizer's id), x-amazon-apigateway-api-key-source sets apiKeySource, a path template variable becomes a required
    method.request.path parameter."""
    recording = recorded("test_import_with_global_api_key_authorizer")
    imported = plain.import_rest_api(body=filled("openapi.spec.global-auth.json"), failOnWarnings=True)
    assert_answer_as_recorded(imported, recording["import-swagger"])
    authorizers = plain.get_authorizers(restApiId=imported["id"])
    assert comparable(authorizers, recording["get-authorizers"]) == expected(recording["get-authorizers"])
    assert paths(plain, imported["id"]) == recorded_paths(recording["resources"])
    assert_methods_as_recorded(plain, imported["id"], recording)


def test_cognito_authorizers_and_scopes(plain):
    """test_import_with_cognito_auth_identity_source: cognito_user_pools schemes become COGNITO_USER_POOLS authorizers
    (identitySource from the scheme's header); a method's `security` overrides the document's, its scopes become
    authorizationScopes (none for an empty list); operationId is the operationName; query parameters optional."""
    recording = recorded("test_import_with_cognito_auth_identity_source")
    imported = plain.import_rest_api(body=filled("openapi.cognito-auth.json"), failOnWarnings=True)
    assert_answer_as_recorded(imported, recording["import-swagger"])
    authorizers = plain.get_authorizers(restApiId=imported["id"])["items"]
    assert comparable(authorizers, recording["get-authorizers"]) == expected(recording["get-authorizers"])
    assert paths(plain, imported["id"]) == recorded_paths(recording["resources"])
    assert_methods_as_recorded(plain, imported["id"], recording)


def _models(client, api_id: str) -> list[dict]:
    """GetModels sorted by name, each schema parsed with `required` sorted, as the recording's test shows them."""
    items = sorted(client.get_models(restApiId=api_id)["items"], key=lambda model: model["name"])
    for model in items:
        model["schema"] = json.loads(model["schema"])
        if "required" in model["schema"]:
            model["schema"]["required"] = sorted(model["schema"]["required"])
    return items


@pytest.mark.parametrize(("test", "name"), [
    ("test_import_with_circular_models", "openapi.spec.circular-ref.json"),
    ("test_import_with_circular_models_and_request_validation", "openapi.spec.circular-ref-with-request-body.json")])
def test_models_refer_to_each_other_by_url(plain, test, name):
    """test_import_with_circular_models[_and_request_validation]: components.schemas become models whose $ref names
    the other model's URL (circular references kept), the requestBody names a request model, the document's request
    validators are created and the default one is set on the method."""
    recording = recorded(test)
    imported = plain.import_rest_api(body=document(name), failOnWarnings=True)
    assert_answer_as_recorded(imported, recording["import-api"])
    assert comparable(_models(plain, imported["id"]), recording["get-models"]["items"]) == \
        expected(recording["get-models"]["items"])
    if "request-validators" in recording:
        validators = plain.get_request_validators(restApiId=imported["id"])
        assert comparable(validators, recording["request-validators"]) == expected(recording["request-validators"])
    assert paths(plain, imported["id"]) == recorded_paths(recording["resources"])
    assert_methods_as_recorded(plain, imported["id"], recording)


@pytest.mark.parametrize(("test", "name", "skip"), [
    ("test_import_swagger_api", "petstore-authorizer.swagger.json", ()),
    ("test_import_with_http_method_integration", "openapi-http-method-integration.json", ()),
    ("test_import_with_integer_http_status_code", "openapi-method-int.spec.yaml", ()),
    ("test_import_and_validate_rest_api[openapi.spec.tf.json]", "openapi.spec.tf.json", ()),
    # GetMethodResponse of a status the method lacks: AWS's 404 (methods.py) is part of the recording.
    ("test_import_and_validate_rest_api[swagger-mock-cors.json]", "swagger-mock-cors.json", ())])
def test_imported_methods_and_integrations(plain, test, name, skip):
    """test_import_swagger_api (Swagger: token authorizers, definitions as models, body and produces),
    test_import_with_http_method_integration (an AWS integration's httpMethod), test_import_with_integer_http_status_code
    (YAML's integer 200 as a status code), test_import_and_validate_rest_api[openapi.spec.tf.json] (an integer
    info.version passes failOnWarnings), [swagger-mock-cors.json] (AWS_PROXY: no connectionType)."""
    recording = recorded(test)
    imported = plain.import_rest_api(body=filled(name), failOnWarnings=True)
    for key in ("import_tf_rest_api", "import-swagger"):
        if key in recording:
            assert_answer_as_recorded(imported, recording[key])
    if "get-authorizers" in recording:
        authorizers = plain.get_authorizers(restApiId=imported["id"])
        assert comparable(authorizers, recording["get-authorizers"]) == expected(recording["get-authorizers"])
    if "get-models" in recording:
        theirs = [model for model in recording["get-models"]["items"] if model["name"] not in skip]
        ours = [model for model in _models(plain, imported["id"]) if model["name"] not in skip]
        assert comparable(ours, theirs) == expected(theirs)
    assert paths(plain, imported["id"]) == recorded_paths(recording["resources"])
    assert_methods_as_recorded(plain, imported["id"], recording, skip=skip)


class _Echo(BaseHTTPRequestHandler):
    """Answers with the method, path, query arguments and body it was called with."""

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.dumps({"method": self.command, "path": url.path, "data": self.rfile.read(length).decode(),
                              "args": {k: v[0] for k, v in parse_qs(url.query).items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def test_stage_variables_in_an_imported_uri(lab, plain):
    """test_import_with_stage_variables "get-resp-from-http": an imported HTTP_PROXY uri made of
    ${stageVariables.*} calls the host, path and query string the stage's variables name; "get-error-resp-from-http":
    a stage without them answers 500 InternalServerErrorException "Internal server error"."""
    recording = recorded("test_import_with_stage_variables")
    body = document("openapi.spec.stage-variables.json").replace(b"https://", b"http://")  # as the recording ran locally
    api_id = plain.import_rest_api(body=body, failOnWarnings=True)["id"]
    deployment = plain.create_deployment(restApiId=api_id)["id"]
    with serving(_Echo) as url:
        plain.create_stage(restApiId=api_id, stageName="v1", deploymentId=deployment,
                           variables={"TestHost": url.replace("http://", ""), "testPath": "test-path",
                                      "querystring": "qs_key=qs_value"})
        answer = lab.gateway().invoke("GET", lab.stage_url(api_id, "v1") + "/path1")
    expected_answer = {k: v for k, v in recording["get-resp-from-http"].items() if k not in ("domain", "origin")}
    assert answer.status_code == 200 and answer.json() == expected_answer
    plain.create_stage(restApiId=api_id, stageName="v2", deploymentId=deployment)
    failed = lab.gateway().invoke("GET", lab.stage_url(api_id, "v2") + "/path1")
    recorded_error = recording["get-error-resp-from-http"]
    assert (failed.status_code, failed.json()) == (500, recorded_error["body"])
    assert failed.headers.get("x-amzn-ErrorType") == recorded_error["errorType"]


@pytest.mark.parametrize(("kind", "ip_type"), [("REGIONAL", "ipv4"), ("PRIVATE", "dualstack")])
def test_import_sets_the_endpoint_type(plain, kind, ip_type):
    """parameters endpointConfigurationTypes=EDGE|REGIONAL|PRIVATE (EDGE by default):
    https://docs.aws.amazon.com/apigateway/latest/api/API_ImportRestApi.html; a private API is dualstack
    (test_apigateway_api.snapshot.json::test_create_rest_api_verify_defaults)."""
    imported = plain.import_rest_api(body=document("pets.json"), parameters={"endpointConfigurationTypes": kind})
    assert imported["endpointConfiguration"] == {"types": [kind], "ipAddressType": ip_type}
    status, code, message = refused(plain.import_rest_api, body=document("pets.json"),
                                    parameters={"endpointConfigurationTypes": "LOCAL"})
    assert (status, code) == (400, "BadRequestException") and "EDGE, REGIONAL, PRIVATE" in message


EXTENDED = {
    "openapi": "3.0.1", "info": {"title": "extended", "version": "1"},
    "paths": {"/": {"get": {"responses": {"200": {"description": "OK"}},
                            "x-amazon-apigateway-integration": {"type": "mock"}}}},
    "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": []},
    "x-amazon-apigateway-minimum-compression-size": 1024,
    "x-amazon-apigateway-endpoint-configuration": {"types": ["REGIONAL"], "disableExecuteApiEndpoint": True},
    "x-amazon-apigateway-gateway-responses": {
        "DEFAULT_4XX": {"statusCode": 400, "responseTemplates": {"application/json": '{"message": "bad"}'},
                        "responseParameters": {"gatewayresponse.header.X-Kind": "'4xx'"}}},
}


def test_api_level_extensions_are_applied(plain):
    """x-amazon-apigateway-policy, -minimum-compression-size, -endpoint-configuration and -gateway-responses
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html; no recording
    imports them)."""
    imported = plain.import_rest_api(body=json.dumps(EXTENDED).encode())
    assert json.loads(imported["policy"].replace('\\"', '"')) == EXTENDED["x-amazon-apigateway-policy"]
    assert imported["minimumCompressionSize"] == 1024 and imported["disableExecuteApiEndpoint"] is True
    assert imported["endpointConfiguration"] == {"types": ["REGIONAL"], "ipAddressType": "ipv4"}
    response = plain.get_gateway_response(restApiId=imported["id"], responseType="DEFAULT_4XX")
    assert response["statusCode"] == "400" and response["responseTemplates"] == {"application/json": '{"message": "bad"}'}
    assert response["responseParameters"] == {"gatewayresponse.header.X-Kind": "'4xx'"}
