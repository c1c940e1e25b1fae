"""Endpoint types (EDGE, REGIONAL, PRIVATE), custom domain names with base path mappings, the
disabled default endpoint, and the REGIONAL-vs-EDGE latency model.

Each test names the AWS page it follows.
"""

from __future__ import annotations


import pytest
import requests
from botocore.exceptions import ClientError

from labkit.apis import RestApi
from labkit.gateway import Gateway, VirtualClock

DOMAIN = "api.example.com"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
CONTEXT_BODY = ('{"api": "$context.apiId", "stage": "$context.stage", "domain": "$context.domainName", '
                '"base": "$context.customDomain.basePathMatched", "path": "$context.path", '
                '"resourcePath": "$context.resourcePath"}')


def api(lab, name, endpoint_type="REGIONAL", policy=None, stage="prod"):
    made = RestApi.create(lab.client("apigateway"), name, endpoint_type=endpoint_type, policy=policy)
    made.resource("/pets").method("GET").mock(body=CONTEXT_BODY)
    made.deploy(stage)
    return made


def domain(lab, *mappings, endpoint_type="REGIONAL"):
    apigw = lab.client("apigateway")
    kwargs = {"regionalCertificateArn": CERT} if endpoint_type == "REGIONAL" else {"certificateArn": CERT}
    apigw.create_domain_name(domainName=DOMAIN, endpointConfiguration={"types": [endpoint_type]}, **kwargs)
    for base_path, api_id, stage in mappings:
        apigw.create_base_path_mapping(domainName=DOMAIN, basePath=base_path, restApiId=api_id, stage=stage)


def vpce_policy(vpce):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": vpce}}},
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]}


# --- custom domain names and base path mappings ------------------------------------------------------

def test_base_paths_route_to_their_api_and_stage_three_ways(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html
    a, b = api(lab, "a"), api(lab, "b")
    domain(lab, ("v1", a.id, "prod"), ("v2", b.id, "prod"))
    expected_a = {"api": a.id, "stage": "prod", "domain": DOMAIN, "base": "v1", "path": "/v1/pets",
                  "resourcePath": "/pets"}
    gw = lab.gateway()
    assert gw.invoke("GET", f"https://{DOMAIN}/v1/pets").json() == expected_a
    assert gw.invoke("GET", f"https://{DOMAIN}/v2/pets").json()["api"] == b.id
    # plain requests in a moto lab
    assert lab.domain_url(DOMAIN, "v1") == f"https://{DOMAIN}/v1"
    assert requests.get(lab.domain_url(DOMAIN, "v1") + "/pets").json() == expected_a
    assert requests.get(f"https://{DOMAIN}/v2/pets").json()["api"] == b.id
    # the local server, by Host header and by its /_domains/ path
    server = lab.serve()
    r = requests.get(server.url + "/v1/pets", headers={"Host": DOMAIN})
    assert r.status_code == 200 and r.json() == expected_a
    assert requests.get(f"{server.url}/_domains/{DOMAIN}/v2/pets").json()["api"] == b.id


def test_empty_base_path_maps_the_root(lab):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateBasePathMapping.html ("(none)")
    a, b = api(lab, "a"), api(lab, "b")
    domain(lab, ("", a.id, "prod"), ("v2", b.id, "prod"))
    r = requests.get(f"https://{DOMAIN}/pets")
    assert r.status_code == 200
    assert r.json()["api"] == a.id and r.json()["base"] == "(none)" and r.json()["path"] == "/pets"
    assert requests.get(f"https://{DOMAIN}/v2/pets").json()["api"] == b.id
    # A path that falls to the (none) mapping's API and names no resource there:
    # https://repost.aws/knowledge-center/api-gateway-403-custom-domain
    missing = requests.get(f"https://{DOMAIN}/prod/pets")
    assert missing.status_code == 403 and missing.json() == {"message": "Missing Authentication Token"}


def test_unknown_base_path_answers_403_forbidden(lab):
    # AWS documents no answer for a base path that matches no mapping; callers report 403 Forbidden.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html
    a = api(lab, "a")
    domain(lab, ("v1", a.id, "prod"))
    for url in (f"https://{DOMAIN}/v3/pets", f"https://{DOMAIN}/v1x/pets", f"https://{DOMAIN}/"):
        r = requests.get(url)
        assert r.status_code == 403, url
        assert r.json() == {"message": "Forbidden"}
        assert r.headers["x-amzn-RequestId"]


def test_other_urls_are_not_intercepted(lab):
    api(lab, "a")
    with pytest.raises(ValueError):
        lab.gateway().invoke("GET", "https://not-a-domain.example.org/v1/pets")


def test_disabled_default_endpoint_answers_403_and_custom_domain_still_works(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-disable-default-endpoint.html
    a = api(lab, "a")
    domain(lab, ("v1", a.id, "prod"))
    apigw = lab.client("apigateway")
    apigw.update_rest_api(restApiId=a.id, patchOperations=[
        {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "True"}])
    url = lab.stage_url(a.id, "prod")
    assert requests.get(url + "/pets").status_code == 200, "takes effect on the next deployment"
    a.deploy("prod")
    for path in ("/pets", "/nope"):
        r = requests.get(url + path)
        assert r.status_code == 403
        assert r.json() == {"message": "Forbidden"}
    assert requests.get(f"https://{DOMAIN}/v1/pets").status_code == 200


# --- PRIVATE endpoints ----------------------------------------------------------------------------------

def test_private_api_answers_only_through_an_allowed_vpc_endpoint(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html
    private = api(lab, "private", endpoint_type="PRIVATE", policy=vpce_policy("vpce-0123abcd"))
    url = lab.stage_url(private.id, "prod") + "/pets"
    gw = lab.gateway()
    outside = gw.invoke("GET", url)  # the kit's simplification: no VPC endpoint -> 403 Forbidden
    assert outside.status_code == 403 and outside.json() == {"message": "Forbidden"}
    assert gw.invoke("GET", url, vpce_id="vpce-0123abcd").status_code == 200
    other = gw.invoke("GET", url, vpce_id="vpce-99999999")
    assert other.status_code == 403
    assert other.json()["Message"].endswith("with an explicit deny")
    # over plain requests, the kit's header states the VPC endpoint
    assert requests.get(url).status_code == 403
    assert requests.get(url, headers={"x-labkit-vpce-id": "vpce-0123abcd"}).status_code == 200
    assert requests.get(url, headers={"x-labkit-vpce-id": "vpce-99999999"}).status_code == 403


def test_private_api_without_resource_policy_is_not_deployed(lab):
    # "For a private API, you can't deploy your API without a resource policy."
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
    made = RestApi.create(lab.client("apigateway"), "private-nopolicy", endpoint_type="PRIVATE")
    made.resource("/pets").method("GET").mock(body=CONTEXT_BODY)
    with pytest.raises(ClientError) as err:
        made.deploy("prod")
    assert err.value.response["Error"]["Code"] == "BadRequestException"
    assert err.value.response["Error"]["Message"] == "Private REST API doesn't have a resource policy attached to it"
    assert made.deployments() == [] and made.stages() == []


class PolicyLeftOut:
    """A control plane that let a PRIVATE API without a policy be deployed (LocalStack's
    CreateDeployment has no such check): the moto source, each deployment's policy taken out."""

    def __init__(self, source):
        self._source = source

    def __getattr__(self, name):
        return getattr(self._source, name)

    def definition(self, api_id, deployment_id):
        found = self._source.definition(api_id, deployment_id)
        if found is not None:
            found["restApi"].pop("policy", None)
        return found


def test_a_deployed_private_api_without_resource_policy_refuses_everyone(lab):
    # "a resource policy is required": https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html
    private = api(lab, "private-policy-left-out", endpoint_type="PRIVATE", policy=vpce_policy("vpce-0123abcd"))
    gw = Gateway(PolicyLeftOut(lab.gateway().source), VirtualClock())
    try:
        r = gw.invoke("GET", lab.stage_url(private.id, "prod") + "/pets", vpce_id="vpce-0123abcd")
    finally:
        gw.close()
    assert r.status_code == 403
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert "User: anonymous is not authorized" in r.json()["Message"]


def test_vpce_header_does_not_reach_the_integration(lab):
    echo = '''
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"headers": event["headers"], "identity": event["requestContext"]["identity"]})}
'''
    arn = lab.lambda_function("echo-private", echo)
    made = RestApi.create(lab.client("apigateway"), "private-lambda", endpoint_type="PRIVATE",
                          policy=vpce_policy("vpce-0123abcd"))
    made.resource("/echo").method("GET").lambda_proxy(arn)
    made.deploy("prod")
    r = requests.get(lab.stage_url(made.id, "prod") + "/echo", headers={"x-labkit-vpce-id": "vpce-0123abcd"})
    assert r.status_code == 200
    assert "x-labkit-vpce-id" not in {k.lower() for k in r.json()["headers"]}
    assert r.json()["identity"]["vpceId"] == "vpce-0123abcd"


# --- EDGE vs REGIONAL -----------------------------------------------------------------------------------

def test_edge_optimized_answers_carry_cloudfront_headers(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-endpoint-types.html
    edge, regional = api(lab, "edge", endpoint_type="EDGE"), api(lab, "regional")
    ok = requests.get(lab.stage_url(edge.id, "prod") + "/pets")
    assert ok.status_code == 200
    for name in ("Via", "X-Cache", "X-Amz-Cf-Pop", "X-Amz-Cf-Id"):
        assert ok.headers[name], name
    assert ok.headers["X-Cache"] == "Miss from cloudfront"
    assert ok.headers["Via"].endswith(".cloudfront.net (CloudFront)")
    # gateway responses too (DG/set-up-gateway-response-using-the-console.html shows "Error from cloudfront")
    error = requests.get(lab.stage_url(edge.id, "prod") + "/nope")
    assert error.status_code == 403 and error.headers["X-Cache"] == "Error from cloudfront"
    plain = requests.get(lab.stage_url(regional.id, "prod") + "/pets")
    assert plain.status_code == 200
    assert not {"via", "x-cache", "x-amz-cf-pop", "x-amz-cf-id"} & {k.lower() for k in plain.headers}


def test_edge_headers_follow_the_custom_domain_endpoint_type(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-edge-optimized-custom-domain-name.html
    regional = api(lab, "regional")
    domain(lab, ("v1", regional.id, "prod"), endpoint_type="EDGE")
    r = requests.get(f"https://{DOMAIN}/v1/pets")
    assert r.status_code == 200 and r.headers["X-Amz-Cf-Pop"]


# --- latency model --------------------------------------------------------------------------------------

def test_edge_vs_regional_latency_model():
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-endpoint-types.html
    from labkit.design.endpoints import edge_vs_regional
    from labkit.plots import edge_vs_regional_plot

    table = edge_vs_regional({"us-east-1": 100, "ap-southeast-2": 50}, "us-east-1")
    near, far = table.rows
    assert near.better == "REGIONAL", "same-Region clients: the extra CloudFront hop only adds time"
    assert far.better == "EDGE"
    cold = edge_vs_regional({"ap-southeast-2": 1}, "us-east-1", new_connection=True)
    assert cold.rows[0].regional_ms - cold.rows[0].edge_ms > far.regional_ms - far.edge_ms
    assert table.as_dicts()[-1]["client_region"] == "all (weighted)"
    assert "REGIONAL ms" in str(table)
    assert edge_vs_regional_plot(table).axes
    with pytest.raises(ValueError, match="api_region"):
        edge_vs_regional({"us-east-1": 1}, "mars-1")
    with pytest.raises(ValueError, match="client_regions"):
        edge_vs_regional({"us-east-1": -1}, "us-east-1")
