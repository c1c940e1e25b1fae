"""Binary payloads: the API's binaryMediaTypes and an integration's (or integration response's)
contentHandling decide whether a body crosses the gateway as is, base64-encoded, base64-decoded, or
converted to UTF-8 text.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..http import Headers
from ..pipeline import Call
from ..responses import GatewayError
from ..templates import select_template
from .request_templates import request_body

CONVERT_TO_TEXT = "CONVERT_TO_TEXT"
CONVERT_TO_BINARY = "CONVERT_TO_BINARY"


def is_binary(content_type: str | None, binary_media_types: list[str]) -> bool:
    """Whether `content_type` is one of the API's binary media types (`*/*` and `image/*` included)."""
    media = (content_type or "").split(";")[0].strip().lower()
    for pattern in binary_media_types:
        pattern = pattern.lower()
        if pattern in ("*/*", media) or (pattern.endswith("/*") and media.startswith(pattern[:-1])):
            return True
    return False


def first_accept(headers: Headers) -> str:
    """The first media type of the Accept header: the only one API Gateway reads.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html"""
    return (headers.get("Accept") or "").split(",")[0].split(";")[0].strip()


def as_text(data: bytes) -> bytes:
    """A text payload as API Gateway passes it: UTF-8, an invalid byte replaced by U+FFFD.
    Recorded: test_apigateway_s3.snapshot.json::...test_apigw_s3_binary_support_request[None],
    `get-obj-no-binary-media-binary-raw` (67 gzip bytes arrive as 99)."""
    return data.decode("utf-8", "replace").encode()


def base64_decoded(data: bytes) -> bytes:
    """A base64 text payload decoded; one that is not base64 is AWS's 500 Internal server error.
    Recorded: test_apigateway_s3.snapshot.json::...test_apigw_s3_binary_support_request_convert_to_binary
    (a raw or plain-text body under CONVERT_TO_BINARY answers 500 and stores nothing)."""
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise GatewayError("API_CONFIGURATION_ERROR", reason="base64-decode",
                           log="Execution failed due to configuration error: "
                           "Unable to base64-decode the payload") from None


def convert(data: bytes, binary: bool, content_handling: str | None) -> bytes:
    """One row of AWS's conversion table: a binary or text payload under CONVERT_TO_TEXT,
    CONVERT_TO_BINARY, or no contentHandling (passthrough; a text payload stays UTF-8 text)."""
    if content_handling == CONVERT_TO_TEXT:
        return base64.b64encode(data) if binary else as_text(data)
    if content_handling == CONVERT_TO_BINARY:
        return data if binary else base64_decoded(data)
    return data if binary else as_text(data)


def request_payload(call: Call, integration: dict[str, Any]) -> bytes:
    """The method request body converted for the integration request: binary when its Content-Type
    is one of the API's binaryMediaTypes, by the integration's contentHandling.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html"""
    body = call.request.body
    if not body:
        return body
    binary = is_binary(call.request.headers.get("Content-Type"), binary_media_types(call))
    return convert(body, binary, integration.get("contentHandling"))


def payload_is_binary(call: Call, integration: dict[str, Any]) -> bool:
    """Whether the integration request payload is binary after conversion (it cannot enter a mapping
    template). Recorded: test_apigateway_s3.snapshot.json::
    ...test_apigw_s3_binary_support_request_convert_to_binary_with_request_template (500)."""
    handling = integration.get("contentHandling")
    if handling == CONVERT_TO_BINARY:
        return True
    binary = is_binary(call.request.headers.get("Content-Type"), binary_media_types(call))
    return binary and handling != CONVERT_TO_TEXT


def response_payload(call: Call, content_handling: str | None, body: bytes, content_type: str | None) -> bytes:
    """The integration's answer converted for the method response: binary when its Content-Type is one
    of the API's binaryMediaTypes; with no contentHandling, the first Accept type decides (a binary
    Accept base64-decodes a text payload, a text Accept base64-encodes a binary one).
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
    Recorded: test_apigateway_s3.snapshot.json::...test_apigw_s3_binary_support_response_no_content_handling,
    ...response_convert_to_text, ...response_convert_to_binary."""
    types = binary_media_types(call)
    binary = is_binary(content_type, types)
    if content_handling in (CONVERT_TO_TEXT, CONVERT_TO_BINARY) or not body:
        return convert(body, binary, content_handling)
    accept_binary = is_binary(first_accept(call.request.headers), types)
    if binary:
        return body if accept_binary else base64.b64encode(body)
    return base64_decoded(body) if accept_binary else as_text(body)


def binary_media_types(call: Call) -> list[str]:
    """The deployed API's binaryMediaTypes."""
    return call.snapshot.deployment.binary_media_types if call.snapshot is not None else []


def integration_body(call: Call, integration: dict[str, Any]) -> bytes:
    """The integration request body: the method request's converted (request_payload), then the request
    template chosen by Content-Type or passthrough (request_body, 415 as passthroughBehavior says).
    A binary payload cannot enter a mapping template: 500."""
    payload = request_payload(call, integration)
    matched, template = select_template(integration.get("requestTemplates"), call.request.headers.get("Content-Type"))
    if matched and template and payload and payload_is_binary(call, integration):
        raise GatewayError("API_CONFIGURATION_ERROR", reason="binary-to-template",
                           log="Execution failed due to configuration error: "
                           "Unable to transform a binary request payload with a mapping template")
    text = payload.decode("utf-8", "replace")
    mapped = request_body(call, integration, text)
    return payload if mapped == text else mapped.encode()


def proxy_body(call: Call, output: Any, decoded: bytes) -> bytes:
    """A Lambda proxy's body with `isBase64Encoded`: decoded only when the request's first Accept type is
    one of the API's binaryMediaTypes, else the base64 text as the function returned it.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html
    ("API Gateway uses the first Accept header from clients to determine if a response should return
    binary media.")"""
    if isinstance(output, (str, bytes)):
        output = json.loads(output)  # proxy_response has already checked it is a JSON object
    if not output.get("isBase64Encoded") or not decoded:
        return decoded
    if is_binary(first_accept(call.request.headers), binary_media_types(call)):
        return decoded
    return str(output.get("body")).encode()
