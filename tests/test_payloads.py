"""Binary payloads by AWS's documented conversion tables (no recording covers these rows), and the
Lambda proxy's binary body in both directions.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html
"""

from __future__ import annotations

import base64

import pytest

from labkit.apis import RestApi
from labkit.gateway.integrations.payloads import convert, is_binary
from labkit.gateway.responses import GatewayError

BLOB = bytes(range(256))  # not UTF-8
B64 = base64.b64encode(BLOB)


@pytest.mark.parametrize(("data", "binary", "handling", "expected"), [
    # request table: (payload, Content-Type is a binary media type, contentHandling) -> integration request
    (b"text", False, None, b"text"),  # text, undefined -> UTF8-encoded string
    (B64, False, "CONVERT_TO_BINARY", BLOB),  # text, CONVERT_TO_BINARY -> base64-decoded blob
    (b"text", False, "CONVERT_TO_TEXT", b"text"),  # text, CONVERT_TO_TEXT -> UTF8-encoded string
    (BLOB, True, None, BLOB),  # binary, undefined -> binary data
    (BLOB, True, "CONVERT_TO_BINARY", BLOB),  # binary, CONVERT_TO_BINARY -> binary data
    (BLOB, True, "CONVERT_TO_TEXT", B64),  # binary, CONVERT_TO_TEXT -> base64-encoded string
    (BLOB, False, None, BLOB.decode("utf-8", "replace").encode()),  # not UTF-8, no binary type: UTF-8 text
])
def test_the_documented_conversion_table(data, binary, handling, expected):
    assert convert(data, binary, handling) == expected


def test_convert_to_binary_of_a_text_that_is_not_base64_is_a_500():
    with pytest.raises(GatewayError) as refused:
        convert(b"not base64!", False, "CONVERT_TO_BINARY")
    assert refused.value.status == 500 and refused.value.message == "Internal server error"


def test_binary_media_types_match_exactly_or_by_wildcard():
    assert is_binary("image/png", ["image/png"]) and is_binary("image/png; q=1", ["image/*"])
    assert is_binary("application/json", ["*/*"])
    assert not is_binary("image/jpeg", ["image/png"]) and not is_binary("text/plain", [])


def echo_binary(event, context):
    """Returns what it received: the body as it came and whether it was base64, and an image."""
    import base64
    import json

    if event["httpMethod"] == "POST":
        return {"statusCode": 200, "body": json.dumps({"body": event["body"], "b64": event["isBase64Encoded"]})}
    return {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "isBase64Encoded": True,
            "body": base64.b64encode(bytes(range(256))).decode()}


@pytest.fixture
def binary_proxy(lab):
    arn = lab.lambda_function("echo-binary", echo_binary)
    api = RestApi.create(lab.client("apigateway"), "binary-proxy", binary_media_types=["image/png"])
    api.resource("/img").method("ANY").lambda_proxy(arn)
    api.deploy("dev")
    return lab.gateway(), lab.stage_url(api.id, "dev") + "/img"


def test_a_lambda_proxy_receives_a_binary_media_type_base64_encoded(binary_proxy):
    gw, url = binary_proxy
    sent = gw.invoke("POST", url, headers={"Content-Type": "image/png"}, body=BLOB)
    assert sent.status_code == 200 and sent.json() == {"body": B64.decode(), "b64": True}
    text = gw.invoke("POST", url, headers={"Content-Type": "text/plain"}, body=b"hello")
    assert text.json() == {"body": "hello", "b64": False}


def test_a_lambda_proxy_binary_body_is_decoded_only_for_a_binary_first_accept(binary_proxy):
    # "API Gateway uses the first Accept header from clients to determine if a response should return
    # binary media." (lambda-proxy-binary-media.html)
    gw, url = binary_proxy
    assert gw.invoke("GET", url, headers={"Accept": "image/png"}).body == BLOB
    assert gw.invoke("GET", url, headers={"Accept": "image/png,text/html"}).body == BLOB
    assert gw.invoke("GET", url, headers={"Accept": "text/html,image/png"}).body == B64
    assert gw.invoke("GET", url, headers={"Accept": "application/json"}).body == B64
