"""Every API Gateway update_* operation boto3 knows, fed malformed patch operations and unknown ids, answers
as AWS answers bad input: either it succeeds or boto3 raises a ClientError, never another Python exception
that a learner's `except ClientError` would miss.

https://docs.aws.amazon.com/apigateway/latest/api/CommonErrors.html: invalid input answers 400
(BadRequestException, ValidationException, SerializationException), an unknown id 404 NotFoundException.
The client skips botocore's own parameter validation so the malformed input reaches the (moto) server, as
LocalStack's recordings do with `Config(parameter_validation=False)`.
"""

from __future__ import annotations

import boto3
import botocore.session
from botocore import xform_name
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

AUTHORIZER_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                  "arn:aws:lambda:us-east-1:123456789012:function:fn/invocations")
UPDATE_OPERATIONS = [name for name in sorted(botocore.session.get_session().get_service_model("apigateway")
                                               .operation_names) if name.startswith("Update")]
# Paths that name real fields of some resource, so the fuzz reaches the code that applies an operation.
KNOWN_PATHS = ["/name", "/description", "/apiKeyRequired", "/authorizationType", "/authorizerId", "/operationName",
               "/requestValidatorId", "/requestParameters/method.request.querystring.q",
               "/requestModels/application~1json", "/responseParameters/method.response.header.h",
               "/responseModels/application~1json", "/responseTemplates/application~1json",
               "/requestTemplates/application~1json", "/selectionPattern", "/contentHandling", "/uri",
               "/timeoutInMillis", "/connectionId", "/cacheKeyParameters/x", "/pathPart", "/parentId",
               "/variables/v", "/*/*/throttling/rateLimit", "/*/*/caching/enabled", "/cacheClusterEnabled",
               "/cacheClusterSize", "/canarySettings/percentTraffic", "/throttle/rateLimit", "/quota/limit",
               "/apiStages", "/enabled", "/value", "/stages", "/binaryMediaTypes/image~1png", "/policy",
               "/minimumCompressionSize", "/schema", "/contentType", "/validateRequestBody", "/statusCode",
               "/restapiId", "/basePath", "/stage", "/deploymentId", "/tracingEnabled", "/cloudwatchRoleArn",
               "/httpMethod", "", "/", "//", "/requestParameters", "/~2", "/a/b/c/d"]
JUNK = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.booleans(), st.floats(allow_nan=False),
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
VALUES = st.sampled_from(["true", "false", "0", "-1", "abc", "1e400", "Empty", "CUSTOM", "", "GET", "200"])
# Well-formed operations reach the code that applies them; malformed ones (junk op, path or value of any JSON
# type, missing keys) test the refusals.
WELL_FORMED = st.fixed_dictionaries({"op": st.sampled_from(["add", "remove", "replace"]),
                                     "path": st.sampled_from(KNOWN_PATHS), "value": VALUES})
MALFORMED = st.fixed_dictionaries({}, optional={
    "op": st.one_of(st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "wrong_op", ""]), JUNK),
    "path": st.one_of(st.sampled_from(KNOWN_PATHS), st.text(max_size=20).map(lambda t: "/" + t), JUNK),
    "value": st.one_of(VALUES, JUNK),
    "from": st.one_of(st.sampled_from(KNOWN_PATHS), JUNK),
})
# botocore still has to serialize the request: a list of {op, path, value, from} objects (or none at all).
PATCHES = st.one_of(st.lists(WELL_FORMED, max_size=3), st.lists(st.one_of(WELL_FORMED, MALFORMED), max_size=4),
                    st.none())
ID_TEXT = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="/?#%"), min_size=1,
                  max_size=12)


@pytest.fixture(scope="module")
def world():
    """A moto lab holding one of each resource, the ids to reach them, and a client that sends malformed input."""
    from labkit import Lab

    with Lab(verbose=False) as lab:
        client = lab.client("apigateway")
        api_id = client.create_rest_api(name="fuzz")["id"]
        root_id = client.get_resources(restApiId=api_id)["items"][0]["id"]
        ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
        client.put_method(**ids, authorizationType="NONE")
        client.put_integration(**ids, type="MOCK", requestTemplates={"application/json": "{}"})
        client.put_integration_response(**ids, statusCode="200", selectionPattern="")
        client.put_method_response(**ids, statusCode="200", responseModels={"application/json": "Empty"})
        child = client.create_resource(restApiId=api_id, parentId=root_id, pathPart="pets")["id"]
        authorizer = client.create_authorizer(restApiId=api_id, name="a", type="TOKEN", authorizerUri=AUTHORIZER_URI,
                                              identitySource="method.request.header.Authorization")["id"]
        client.create_model(restApiId=api_id, name="M", contentType="application/json", schema="{}")
        validator = client.create_request_validator(restApiId=api_id, name="v", validateRequestBody=True)["id"]
        deployment = client.create_deployment(restApiId=api_id, stageName="dev")["id"]
        key = client.create_api_key(name="k", enabled=True)["id"]
        plan = client.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "dev"}])["id"]
        client.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
        client.create_domain_name(domainName="api.example.com")
        client.create_base_path_mapping(domainName="api.example.com", restApiId=api_id, basePath="v1", stage="dev")
        known = {**ids, "statusCode": "200", "authorizerId": authorizer, "modelName": "M", "requestValidatorId": validator,
                 "deploymentId": deployment, "stageName": "dev", "apiKey": key, "usagePlanId": plan, "keyId": key,
                 "domainName": "api.example.com", "basePath": "v1", "responseType": "DEFAULT_4XX",
                 "documentationVersion": "1", "documentationPartId": "x", "vpcLinkId": "x",
                 "clientCertificateId": "x", "child": child}
        raw = boto3.client("apigateway", region_name=lab.region, config=Config(parameter_validation=False))
        yield raw, known


def uri_members(operation: str) -> list[str]:
    """The members of an operation's input that go into its URL (the ids it addresses)."""
    model = botocore.session.get_session().get_service_model("apigateway").operation_model(operation)
    members = model.input_shape.members if model.input_shape else {}
    return [name for name, shape in members.items() if shape.serialization.get("location") == "uri"]


@pytest.mark.parametrize("operation", UPDATE_OPERATIONS)
def test_update_answers_client_errors_only(world, operation):
    """Random patch operations (junk ops, paths, values of any JSON type, missing keys) against real and unknown
    ids: each call succeeds or raises ClientError."""
    client, known = world
    method = getattr(client, xform_name(operation))
    names = uri_members(operation)
    real = {name: known.get(name, "x") for name in names}
    # Half the calls address the real resource (so the patch is applied), half mix in unknown ids.
    ids = st.one_of(st.just(real), st.fixed_dictionaries({name: st.one_of(st.just(real[name]), ID_TEXT)
                                                         for name in names}))

    @settings(max_examples=30, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(ids, PATCHES)
    def call(addressed, patches):
        try:
            method(**addressed, **({} if patches is None else {"patchOperations": patches}))
        except ClientError:
            pass

    call()

