"""An AWS integration with SSM's GetParameter action, as AWS answered it.

Source: test_apigateway_ssm.snapshot.json::tests/aws/services/apigateway/test_apigateway_ssm.py::
test_ssm_aws_integration ("ssm-aws-integration", recorded 12-07-2024, validated on AWS): an `action/`
URI with the parameter name mapped into the query string answers the action's result as JSON,
wrapped in `GetParameterResponse`, with `GetParameterResult.Parameter` and `ResponseMetadata`.
"""

from __future__ import annotations

import re

from labkit.apis import RestApi


def test_ssm_get_parameter_through_an_aws_integration(lab):
    ssm = lab.client("ssm")
    ssm.put_parameter(Name="param-test-123", Description="test", Value="123", Type="String")
    apigw = lab.client("apigateway")
    api = RestApi.create(apigw, "aws ssm parameter api")
    resource_id = api.resource("/ssm").id
    apigw.put_method(restApiId=api.id, resourceId=resource_id, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api.id, resourceId=resource_id, httpMethod="GET", type="AWS",
                          integrationHttpMethod="POST", uri=f"arn:aws:apigateway:{lab.region}:ssm:action/GetParameter",
                          credentials=f"arn:aws:iam::{lab.account_id}:role/apigw-ssm",
                          passthroughBehavior="WHEN_NO_TEMPLATES",
                          requestParameters={"integration.request.querystring.Name": "'param-test-123'"})
    apigw.put_integration_response(restApiId=api.id, resourceId=resource_id, httpMethod="GET", statusCode="200")
    apigw.put_method_response(restApiId=api.id, resourceId=resource_id, httpMethod="GET", statusCode="200",
                              responseModels={"application/json": "Empty"})
    api.deploy("test")

    response = lab.gateway().invoke("GET", lab.stage_url(api.id, "test") + "/ssm")
    assert response.status_code == 200
    body = response.json()["GetParameterResponse"]
    parameter = body["GetParameterResult"]["Parameter"]
    assert {k: parameter[k] for k in ("Name", "Type", "Value", "Version", "DataType")} == {
        "Name": "param-test-123", "Type": "String", "Value": "123", "Version": 1, "DataType": "text"}
    assert re.fullmatch(r"arn:aws:ssm:[a-z0-9-]+:\d{12}:parameter/param-test-123", parameter["ARN"])
    assert "LastModifiedDate" in parameter and "ResponseMetadata" in body
