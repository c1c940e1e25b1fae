"""The self-checks of 04_endpoint_types: right answers pass, wrong ones get a hint, none raise."""

from __future__ import annotations

import json

from labkit.exercises import endpoints as ex
from labkit.apis import RestApi

RIGHT = {"mobile_app": "EDGE", "same_region_services": "REGIONAL", "internal_tool": "PRIVATE",
         "own_cloudfront": "REGIONAL"}
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def test_endpoint_choices(capsys):
    assert ex.check_endpoint_choices(dict(RIGHT)) is True
    assert "✅" in capsys.readouterr().out
    assert ex.check_endpoint_choices({**RIGHT, "mobile_app": "edge"}) is True, "case does not matter"
    assert ex.check_endpoint_choices(None) is False
    assert ex.check_endpoint_choices({**RIGHT, "own_cloudfront": "EDGE"}) is False
    assert "CloudFront distributions" in capsys.readouterr().out
    assert ex.check_endpoint_choices({**RIGHT, "internal_tool": "VPC"}) is False
    assert ex.check_endpoint_choices({**RIGHT, "mobile_app": None}) is False


def _pets(lab, name):
    api = RestApi.create(lab.client("apigateway"), name)
    api.resource("/pets").method("GET").mock(body=f'{{"api": "{name}"}}')
    api.deploy("prod")
    return api


def test_v3_mapping(lab, capsys):
    apigw = lab.client("apigateway")
    v1, v2 = _pets(lab, "pets-v1"), _pets(lab, "pets-v2")
    apigw.create_domain_name(domainName="api.example.com", regionalCertificateArn=CERT,
                             endpointConfiguration={"types": ["REGIONAL"]})
    apigw.create_base_path_mapping(domainName="api.example.com", basePath="v1", restApiId=v1.id, stage="prod")
    apigw.create_base_path_mapping(domainName="api.example.com", basePath="v2", restApiId=v2.id, stage="prod")
    assert ex.check_v3_mapping(lab, None, v1.id, v2.id) is False
    v3 = RestApi.create(apigw, "pets-v3")
    v3.resource("/pets").method("GET").mock()
    assert ex.check_v3_mapping(lab, v3.id, v1.id, v2.id) is False
    assert "no base path v3" in capsys.readouterr().out
    apigw.create_base_path_mapping(domainName="api.example.com", basePath="v3", restApiId=v2.id, stage="prod")
    assert ex.check_v3_mapping(lab, v3.id, v1.id, v2.id) is False
    assert "not to pets-v3" in capsys.readouterr().out
    apigw.delete_base_path_mapping(domainName="api.example.com", basePath="v3")
    v3.deploy("beta")
    apigw.create_base_path_mapping(domainName="api.example.com", basePath="v3", restApiId=v3.id, stage="beta")
    assert ex.check_v3_mapping(lab, v3.id, v1.id, v2.id) is False
    assert "stage prod" in capsys.readouterr().out
    apigw.delete_base_path_mapping(domainName="api.example.com", basePath="v3")
    v3.deploy("prod")
    apigw.create_base_path_mapping(domainName="api.example.com", basePath="v3", restApiId=v3.id, stage="prod")
    assert ex.check_v3_mapping(lab, v3.id, v1.id, v2.id) is True
    assert "✅" in capsys.readouterr().out


def _policy(lab, api, statements):
    lab.client("apigateway").update_rest_api(restApiId=api.id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": json.dumps({"Version": "2012-10-17", "Statement": statements})}])
    api.deploy("prod")


def _deny_others(*vpces):
    return {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": list(vpces)}}}


ALLOW = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}


def test_private_endpoints(lab, capsys):
    # As in the notebook: AWS deploys no private API without a resource policy, so the API starts
    # with one that admits another endpoint only.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
    start = {"Version": "2012-10-17", "Statement": [_deny_others("vpce-0a1b2c3d4e5f"), ALLOW]}
    api = RestApi.create(lab.client("apigateway"), "reports-private", endpoint_type="PRIVATE", policy=start)
    api.resource("/reports").method("GET").mock()
    api.deploy("prod")
    assert ex.check_private_endpoints(lab, None) is False
    assert ex.check_private_endpoints(lab, api.id) is False
    assert "admits none of these endpoints" in capsys.readouterr().out
    _policy(lab, api, [ALLOW])  # every endpoint gets in
    assert ex.check_private_endpoints(lab, api.id) is False
    assert "third VPC endpoint" in capsys.readouterr().out
    _policy(lab, api, [_deny_others("vpce-0aaa1111"), ALLOW])  # only one of the two
    assert ex.check_private_endpoints(lab, api.id) is False
    assert "vpce-0bbb2222 answered 403" in capsys.readouterr().out
    _policy(lab, api, [_deny_others("vpce-0aaa1111", "vpce-0bbb2222"), ALLOW])
    assert ex.check_private_endpoints(lab, api.id) is True
    # The other way round: an Allow limited with StringEquals.
    _policy(lab, api, [{**ALLOW, "Condition": {"StringEquals": {"aws:SourceVpce": ["vpce-0aaa1111",
                                                                                     "vpce-0bbb2222"]}}}])
    assert ex.check_private_endpoints(lab, api.id) is True
