"""The integration step: MOCK, HTTP, HTTP_PROXY, AWS_PROXY (Lambda) and AWS (Lambda custom).

Proxy integrations hand the whole request over and return the backend's answer; the others map the
request with templates and parameters and choose an integration response by selectionPattern.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-integration-types.html
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

import urllib3

from ..http import Headers, Response
from ..pipeline import Call, method_request_values, parameter_maps
from ..responses import GatewayError
from ..templates import render, select_template

DEFAULT_TIMEOUT_MS = 29_000  # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html

_LAMBDA_URI = re.compile(r"^arn:aws[\w-]*:apigateway:[^:]+:lambda:path/[^/]+/functions/(?P<arn>.+)/invocations$")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
# Hop-by-hop and gateway-owned headers are not forwarded in either direction.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html
_DROP_TO_BACKEND = {"host", "connection", "content-length", "transfer-encoding", "expect", "te", "trailer",
                    "upgrade", "proxy-authenticate", "content-md5", "max-forwards", "via"}
_DROP_FROM_BACKEND = {"connection", "transfer-encoding", "content-length", "server", "date", "keep-alive",
                      "upgrade", "trailer", "te", "proxy-authenticate", "www-authenticate"}
_PROXY_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}



def http_pool() -> urllib3.PoolManager:
    """The connection pool of one gateway's HTTP integrations (the gateway owns and closes it)."""
    return urllib3.PoolManager(num_pools=20, maxsize=20, retries=False)


def integrate(call: Call) -> Response:
    """The pipeline's endpoint: run the method's integration and build the method response."""
    assert call.route is not None
    integration = call.route.method.get("methodIntegration")
    if not integration:
        raise GatewayError("API_CONFIGURATION_ERROR", step="integration request", reason="no-integration",
                           log="Execution failed due to configuration error: "
                           "No integration defined for method")
    kind = (integration.get("type") or "").upper()
    call.log("Method request path: {}", call.route.path_parameters)
    call.log("Method request query string: {}", call.request.query_dict)
    call.log("Method request headers: {}", call.request.headers)
    call.log("Method request body before transformations: {}", call.request.body)
    if kind == "MOCK":
        response = _mock(call, integration)
    elif kind == "HTTP_PROXY":
        response = _http_proxy(call, integration)
    elif kind == "HTTP":
        response = _http_custom(call, integration)
    elif kind == "AWS_PROXY":
        response = _lambda_proxy(call, integration)
    elif kind == "AWS":
        response = _aws_custom(call, integration)
    else:
        raise GatewayError("API_CONFIGURATION_ERROR", step="integration request",
                           log=f"Execution failed due to configuration error: unknown integration type {kind!r}")
    if not response.headers.get("Content-Type"):
        response.headers["Content-Type"] = "application/json"
    call.log("Successfully completed execution")
    call.log("Method completed with status: {}", response.status_code)
    return response


def timeout_seconds(integration: dict[str, Any]) -> float:
    return int(integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS) / 1000.0


def with_stage_variables(text: str, call: Call) -> str:
    """`${stageVariables.name}` in URIs and ARNs, replaced by the stage's values."""
    return _STAGE_VARIABLE.sub(lambda m: call.stage_variables.get(m.group(1), ""), text)


def _simulated_timeout(call: Call, integration: dict[str, Any]) -> None:
    """On the virtual clock the backend's latency is simulated; past the timeout it is a 504."""
    if not call.gateway.clock.virtual:
        return
    latency = call.gateway.backend_latency(call)
    call.simulated_latency = latency
    call.integration_latency = latency
    if latency > timeout_seconds(integration):
        raise GatewayError("INTEGRATION_TIMEOUT", log="Execution failed due to a timeout error")


# --- MOCK -----------------------------------------------------------------------------------------

def _mock(call: Call, integration: dict[str, Any]) -> Response:
    """A MOCK integration's status comes from its request template's `statusCode` (200 without one).

    On the virtual clock a MOCK stands in for a backend, so it takes `backend_latency` too."""
    _simulated_timeout(call, integration)
    body = call.request.body.decode("utf-8", "replace")
    mapped = _request_body(call, integration, body)
    status = _mock_status(mapped)
    call.log("Endpoint response body before transformations: ")
    return _integration_response(call, integration, status=status, headers=Headers(), body="")


@lru_cache(maxsize=256)
def _mock_status(mapped: str) -> int:
    if not mapped.strip():
        return 200
    try:
        return int(json.loads(mapped).get("statusCode", 200))
    except (ValueError, AttributeError, TypeError) as exc:
        raise GatewayError("API_CONFIGURATION_ERROR", step="integration request",
                           log="Execution failed due to configuration error: "
                           "Unable to parse statusCode. It should be an integer that is defined in the "
                           "request template.") from exc


# --- HTTP -----------------------------------------------------------------------------------------

def _endpoint_url(call: Call, integration: dict[str, Any], mapped: dict[str, dict[str, str]]) -> str:
    uri = with_stage_variables(integration.get("uri") or "", call)
    path_values = {**(call.route.path_parameters if call.route else {}), **mapped["path"]}

    def fill(match: re.Match[str]) -> str:
        return path_values.get(match.group(1).rstrip("+"), "")

    uri = re.sub(r"\{([^}]+)\}", fill, uri)
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GatewayError("API_CONFIGURATION_ERROR", step="integration request", reason="invalid-endpoint",
                           log="Execution failed due to configuration error: Invalid endpoint address")
    return uri


def _request_parameters(call: Call, integration: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Integration request parameters mapped from the method request, static values, stage variables."""
    values = method_request_values(call)
    mapped: dict[str, dict[str, str]] = {"path": {}, "querystring": {}, "header": {}}
    for target, source in (integration.get("requestParameters") or {}).items():
        match = re.match(r"^integration\.request\.(path|querystring|header)\.(.+)$", target)
        if not match:
            continue
        if source.startswith("'") and source.endswith("'"):
            value = source[1:-1]
        elif source.startswith("context."):
            value = _dig(call.context(), source[len("context."):])
        else:
            value = values.get(source)
        if value is not None:
            mapped[match.group(1)][match.group(2)] = str(value)
    return mapped


def _dig(node: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _send(call: Call, integration: dict[str, Any], method: str, url: str, headers: Headers,
          body: bytes) -> tuple[int, Headers, bytes]:
    _simulated_timeout(call, integration)
    call.log("Endpoint request URI: {}", url)
    call.log("Endpoint request headers: {}", headers)
    call.log("Endpoint request body after transformations: {}", body)
    call.log("Sending request to {}", url)
    clock = call.gateway.clock
    started = clock.now()
    call.integration_started = started
    try:
        raw = call.gateway.http_pool.request(method, url, body=body or None, headers=dict(headers),
                                             timeout=urllib3.Timeout(total=timeout_seconds(integration)),
                                             redirect=False, preload_content=True)
    except urllib3.exceptions.TimeoutError as exc:
        raise GatewayError("INTEGRATION_TIMEOUT", log="Execution failed due to a timeout error") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise GatewayError("INTEGRATION_FAILURE", log=f"Execution failed due to a network error: {exc}") from exc
    if not clock.virtual:
        call.integration_latency = clock.now() - started
    call.integration_status = raw.status
    response_headers = Headers(raw.headers.items())
    call.log("Received response. Status: {}, Integration latency: {} ms", raw.status,
             int(call.integration_latency * 1000))
    call.log("Endpoint response headers: {}", response_headers)
    call.log("Endpoint response body before transformations: {}", raw.data)
    return raw.status, response_headers, raw.data


def _http_proxy(call: Call, integration: dict[str, Any]) -> Response:
    """Pass the request through to the HTTP endpoint and its answer back.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html"""
    req = call.request
    mapped = _request_parameters(call, integration)
    url = _endpoint_url(call, integration, mapped)
    query = list(req.query) + list(mapped["querystring"].items())
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    headers = Headers((k, v) for k, v in req.headers.items_list() if k.lower() not in _DROP_TO_BACKEND)
    for name, value in mapped["header"].items():
        headers[name] = value
    method = (integration.get("httpMethod") or req.method).upper()
    if method == "ANY":
        method = req.method
    status, backend_headers, body = _send(call, integration, method, url, headers, req.body)
    out = Headers((k, v) for k, v in backend_headers.items_list() if k.lower() not in _DROP_FROM_BACKEND)
    return Response(status, out, body)


def _http_custom(call: Call, integration: dict[str, Any]) -> Response:
    """HTTP with mapping: templates and parameters on the way in, integration responses on the way out."""
    req = call.request
    mapped = _request_parameters(call, integration)
    url = _endpoint_url(call, integration, mapped)
    if mapped["querystring"]:
        url += ("&" if "?" in url else "?") + urlencode(list(mapped["querystring"].items()))
    body = _request_body(call, integration, req.body.decode("utf-8", "replace")).encode()
    headers = Headers(mapped["header"])
    if "Content-Type" not in headers and body:
        headers["Content-Type"] = req.headers.get("Content-Type", "application/json")
    method = (integration.get("httpMethod") or req.method).upper()
    status, backend_headers, raw = _send(call, integration, method, url, headers, body)
    return _integration_response(call, integration, status=status, headers=backend_headers,
                                 body=raw.decode("utf-8", "replace"))


def _request_body(call: Call, integration: dict[str, Any], body: str) -> str:
    """Apply the request template chosen by Content-Type, honouring passthroughBehavior (415).
    https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html"""
    templates = integration.get("requestTemplates") or {}
    matched, template = select_template(templates, call.request.headers.get("Content-Type"))
    behavior = (integration.get("passthroughBehavior") or "WHEN_NO_MATCH").upper()
    if not matched:
        if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and templates):
            raise GatewayError("UNSUPPORTED_MEDIA_TYPE", step="integration request",
                               log="Execution failed: Unsupported Media Type "
                               f"(passthroughBehavior {behavior})")
        return body
    if not template:
        return body
    return _render(call, template, body)


def _render(call: Call, template: str, body: str) -> str:
    if "$" not in template and "#" not in template:
        return template  # static: skip building $context and $input
    return render(template, body=body, params=parameter_maps(call), context=call.context(),
                  stage_variables=call.stage_variables)


def _integration_response(call: Call, integration: dict[str, Any], *, status: int | None, headers: Headers,
                          body: str, error_message: str | None = None) -> Response:
    """Choose the integration response by selectionPattern, then map status, headers and body.
    https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html"""
    responses = integration.get("integrationResponses") or {}
    subject = error_message if error_message is not None else str(status)
    chosen = None
    default = None
    for candidate in responses.values():
        pattern = candidate.get("selectionPattern")
        if not pattern:
            default = default or candidate
        elif subject is not None and re.fullmatch(pattern, subject, re.S):
            chosen = candidate
            break
    chosen = chosen or default
    if chosen is None:
        raise GatewayError("API_CONFIGURATION_ERROR", step="integration response", reason="no-integration-response",
                           log="Execution failed due to configuration error: "
                           "No match for output mapping and no default output mapping configured. "
                           f"Endpoint Response Status Code: {status}")
    status_code = str(chosen.get("statusCode"))
    method_responses = (call.route.method.get("methodResponses") if call.route else None) or {}
    if status_code not in method_responses:
        raise GatewayError("API_CONFIGURATION_ERROR", step="integration response",
                           log="Execution failed due to configuration error: "
                           f"Output mapping refers to an invalid method response: {status_code}")

    out_headers = Headers()
    parameters = chosen.get("responseParameters") or {}
    values = method_request_values(call) if parameters else {}
    document = None
    if any(source.startswith("integration.response.body") for source in parameters.values()):
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = None
    for target, source in parameters.items():
        if not target.startswith("method.response.header."):
            continue
        name = target[len("method.response.header."):]
        if source.startswith("'") and source.endswith("'"):
            value: Any = source[1:-1]
        elif source.startswith("integration.response.header."):
            value = headers.get(source[len("integration.response.header."):])
        elif source.startswith("integration.response.body"):
            path = source[len("integration.response.body"):].lstrip(".")
            value = _dig(document, path) if path else body
        else:
            value = values.get(source)
        if value is not None:
            out_headers[name] = value if isinstance(value, str) else json.dumps(value)

    templates = chosen.get("responseTemplates") or {}
    accept = (call.request.headers.get("Accept") or "").split(",")[0].split(";")[0].strip()
    content_type, template = "application/json", None
    if templates:
        if accept in templates:
            content_type = accept
        elif "application/json" not in templates:
            content_type = next(iter(templates))
        template = templates.get(content_type)
    out_body = body
    if template:
        out_body = _render(call, template, body)
    out_headers.setdefault("Content-Type", content_type)
    call.log("Method response body after transformations: {}", out_body)
    call.log("Method response headers: {}", out_headers.copy())
    return Response(int(status_code), out_headers, out_body.encode())


# --- Lambda ---------------------------------------------------------------------------------------

def _function(call: Call, integration: dict[str, Any]) -> Any:
    uri = with_stage_variables(integration.get("uri") or "", call)
    match = _LAMBDA_URI.match(uri)
    if not match:
        raise GatewayError("API_CONFIGURATION_ERROR", step="integration request", reason="invalid-endpoint",
                           log="Execution failed due to configuration error: Invalid endpoint address")
    code = call.gateway.source.function_code(match.group("arn"))
    if code is None:
        raise GatewayError("API_CONFIGURATION_ERROR", step="integration request", reason="function-not-found",
                           log="Execution failed due to configuration error: "
                           f"Invalid permissions on Lambda function (function not found: {match.group('arn')})")
    return code


def _invoke(call: Call, integration: dict[str, Any], event: Any) -> Any:
    code = _function(call, integration)
    _simulated_timeout(call, integration)
    call.log("Endpoint request URI: {}", integration.get('uri'))
    call.log("Endpoint request body after transformations: {}", event)
    call.log("Sending request to {}", integration.get('uri'))
    clock = call.gateway.clock
    call.integration_started = clock.now()
    outcome = call.gateway.lambdas.invoke(code, event, clock, wait_limit=timeout_seconds(integration))
    call.integration_status = 200  # the Lambda service's status; the function's own comes in its payload
    if not clock.virtual:
        call.integration_latency = outcome.duration
    if outcome.timed_out:
        raise GatewayError("INTEGRATION_TIMEOUT", log="Execution failed due to a timeout error")
    call.log("Received response. Status: 200, Integration latency: {} ms", int(call.integration_latency * 1000))
    return outcome


def proxy_event(call: Call) -> dict[str, Any]:
    """The REST API (payload 1.0-style) event a Lambda proxy integration receives.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html"""
    req = call.request
    assert call.route is not None and call.snapshot is not None
    multi_headers: dict[str, list[str]] = {}
    for name, value in req.headers.items_list():
        multi_headers.setdefault(name, []).append(value)
    multi_query = req.query_dict
    content_type = req.headers.get("Content-Type") or ""
    binary = bool(req.body) and _is_binary(content_type, call.snapshot.deployment.binary_media_types)
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
    if ctx.get("authorizer") is not None:  # Lambda authorizer principalId + context, or Cognito claims
        request_context["authorizer"] = ctx["authorizer"]
    return {
        "resource": call.route.resource_path,
        "path": req.path,
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


def _is_binary(content_type: str, binary_media_types: list[str]) -> bool:
    media = content_type.split(";")[0].strip().lower()
    for pattern in binary_media_types:
        pattern = pattern.lower()
        if pattern in ("*/*", media) or (pattern.endswith("/*") and media.startswith(pattern[:-1])):
            return True
    return False


def _malformed(reason: str) -> GatewayError:
    return GatewayError("API_CONFIGURATION_ERROR", "Internal server error", status=502,
                        step="integration response", reason="malformed-proxy-response",
                        log=f"Execution failed due to configuration error: Malformed Lambda proxy response ({reason})")


def _lambda_proxy(call: Call, integration: dict[str, Any]) -> Response:
    """Run the function with the proxy event; its output must be the proxy response format (else 502)."""
    outcome = _invoke(call, integration, proxy_event(call))
    if outcome.error is not None:
        # https://repost.aws/knowledge-center/malformed-502-api-gateway
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", status=502, reason="function-error",
                           log=f"Lambda execution failed with status 200 due to customer function error: "
                               f"{outcome.error.get('errorMessage')}")
    return proxy_response(outcome.payload)


def proxy_response(payload: Any) -> Response:
    """Validate and convert a Lambda proxy output, with the rules AWS applies."""
    if isinstance(payload, (str, bytes)):
        try:
            payload = json.loads(payload)
        except ValueError:
            raise _malformed("not JSON") from None
    if not isinstance(payload, dict) or not payload:
        raise _malformed("not a JSON object")
    unknown = set(payload) - _PROXY_KEYS
    if unknown:
        raise _malformed(f"unexpected keys {sorted(unknown)}")
    try:
        status = int(payload.get("statusCode", 200))
    except (TypeError, ValueError):
        raise _malformed("statusCode is not an integer") from None
    headers = Headers()
    multi = payload.get("multiValueHeaders") or {}
    if not isinstance(multi, dict) or any(not isinstance(v, list) for v in multi.values()):
        raise _malformed("multiValueHeaders values must be lists")
    for name, values in multi.items():
        for value in values:
            headers.add(name, value)
    single = payload.get("headers") or {}
    if not isinstance(single, dict):
        raise _malformed("headers must be an object")
    for name, value in single.items():
        headers.add(name, value)
    body = payload.get("body")
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode()
    else:
        raise _malformed("body must be a string")
    if payload.get("isBase64Encoded") and data:
        try:
            data = base64.b64decode(data, validate=True)
        except ValueError:
            raise _malformed("body is not valid base64") from None
    return Response(status, headers, data)


def _aws_custom(call: Call, integration: dict[str, Any]) -> Response:
    """Type AWS: the Lambda custom (non-proxy) integration; other services go to aws_services."""
    uri = with_stage_variables(integration.get("uri") or "", call)
    if not _LAMBDA_URI.match(uri):
        from .aws_services import call_service  # imports this module: bound on first use

        return call_service(call, integration)
    body = _request_body(call, integration, call.request.body.decode("utf-8", "replace"))
    try:
        event = json.loads(body) if body.strip() else {}
    except ValueError:
        event = body
    outcome = _invoke(call, integration, event)
    if outcome.error is not None:
        # A function error is still HTTP 200 unless a selectionPattern maps its errorMessage.
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
        return _integration_response(call, integration, status=200, headers=Headers(),
                                     body=json.dumps(outcome.error), error_message=outcome.error.get("errorMessage"))
    return _integration_response(call, integration, status=200, headers=Headers(),
                                 body=json.dumps(outcome.payload), error_message="")
