"""The Lambda proxy integration's formats: the event the function receives and the output it must
return (anything else is AWS's 502 "Malformed Lambda proxy response").
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..http import Headers, Response
from ..pipeline import Call
from ..responses import GatewayError
from .headers import event_headers
from .payloads import is_binary

_PROXY_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


def proxy_event(call: Call) -> dict[str, Any]:
    """The REST API (payload 1.0-style) event a Lambda proxy integration receives.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html"""
    req = call.request
    assert call.route is not None and call.snapshot is not None
    multi_headers: dict[str, list[str]] = {}
    for name, value in event_headers(call):
        multi_headers.setdefault(name, []).append(value)
    multi_query = req.query_dict
    content_type = req.headers.get("Content-Type") or ""
    binary = bool(req.body) and is_binary(content_type, call.snapshot.deployment.binary_media_types)
    if not req.body:
        body = None
    elif binary:
        body = base64.b64encode(req.body).decode()
    else:
        body = req.body.decode("utf-8", "replace")
    ctx = call.context()
    request_context = {k: ctx[k] for k in ("accountId", "apiId", "deploymentId", "domainName", "domainPrefix",
                                            "extendedRequestId", "httpMethod", "identity", "path", "protocol",
                                            "requestId", "requestTime", "requestTimeEpoch", "resourceId",
                                            "resourcePath", "stage")}
    request_context["identity"] = event_identity(ctx["identity"])
    if ctx.get("authorizer") is not None:  # Lambda authorizer principalId + context, or Cognito claims
        request_context["authorizer"] = ctx["authorizer"]
    return {
        "resource": call.route.resource_path,
        "path": event_path(req.path),
        "httpMethod": req.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(call.route.path_parameters) or None,
        "stageVariables": dict(call.stage_variables) or None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": binary,
    }


def event_path(path: str) -> str:
    """The event's `path`: leading slashes collapse to one; inner and trailing ones stay
    (test_apigateway_lambda.snapshot.json::test_lambda_aws_proxy_integration, the *-slash keys)."""
    return "/" + path.lstrip("/")


def event_identity(identity: dict[str, Any]) -> dict[str, Any]:
    """requestContext.identity: the API key fields only when a key was used (the recorded event
    without one has exactly twelve keys: test_apigateway_lambda.snapshot.json::test_lambda_aws_proxy_integration)."""
    return {k: v for k, v in identity.items() if v is not None or k not in ("apiKey", "apiKeyId")}


def malformed(reason: str) -> GatewayError:
    """AWS's 502 for a Lambda proxy output that is not the proxy response format."""
    return GatewayError("API_CONFIGURATION_ERROR", "Internal server error", status=502,
                        reason="malformed-proxy-response",
                        log=f"Execution failed due to configuration error: Malformed Lambda proxy response ({reason})")


def proxy_response(payload: Any) -> Response:
    """Validate and convert a Lambda proxy output, with the rules AWS applies."""
    if isinstance(payload, (str, bytes)):
        try:
            payload = json.loads(payload)
        except ValueError:
            raise malformed("not JSON") from None
    if not isinstance(payload, dict) or not payload:
        raise malformed("not a JSON object")
    unknown = set(payload) - _PROXY_KEYS
    if unknown:
        raise malformed(f"unexpected keys {sorted(unknown)}")
    try:
        status = int(payload.get("statusCode", 200))
    except (TypeError, ValueError):
        raise malformed("statusCode is not an integer") from None
    headers = Headers()
    multi = payload.get("multiValueHeaders") or {}
    if not isinstance(multi, dict) or any(not isinstance(v, list) for v in multi.values()):
        raise malformed("multiValueHeaders values must be lists")
    for name, values in multi.items():
        for value in values:
            headers.add(name, value)
    single = payload.get("headers") or {}
    if not isinstance(single, dict):
        raise malformed("headers must be an object")
    for name, value in single.items():
        headers.add(name, value)
    body = payload.get("body")
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode()
    else:
        raise malformed("body must be a string")
    if payload.get("isBase64Encoded") and data:
        try:
            data = base64.b64decode(data, validate=True)
        except ValueError:
            raise malformed("body is not valid base64") from None
    return Response(status, headers, data)
