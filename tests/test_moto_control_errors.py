"""No raw Python exception escapes an API Gateway call on moto: malformed input is a ClientError."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_a_body_moto_cannot_parse_is_a_bad_request_not_a_python_error(lab):
    # moto's YAML/OpenAPI reader raised KeyError on this; AWS answers 400 BadRequestException.
    apigw = lab.client("apigateway")
    api_id = apigw.create_rest_api(name="x")["id"]
    with pytest.raises(ClientError) as raised:
        apigw.put_rest_api(restApiId=api_id, body=b"a: &a [*a]")
    assert raised.value.response["Error"]["Code"] == "BadRequestException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert raised.value.response["Error"]["Message"].startswith("Invalid request input")
