"""The header rules API Gateway applies between the client, the integration and the method response:
what it adds to an integration request, what it drops, and what it renames to `x-amzn-Remapped-*`.

Facts from responses recorded on AWS (LocalStack's AWS-validated snapshots, tests/aws/services/apigateway/):
test_apigateway_http.snapshot.json::test_http_integration_with_lambda[HTTP|HTTP_PROXY],
test_apigateway_integrations.snapshot.json::TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_*,
test_apigateway_common.snapshot.json::TestApiGatewayCommon::test_invocation_trace_id.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html
"""

from __future__ import annotations

from collections.abc import Iterable

from ..http import Headers
from ..pipeline import TEMPLATE_HIDDEN_HEADERS, Call
from ..responses import GatewayError

# A client's headers that HTTP_PROXY does not pass to the endpoint (header_remapping_http[HTTP_PROXY],
# "no-param-integration"); Host and Content-Length are the endpoint request's own.
CLIENT_HEADERS_DROPPED = frozenset({
    "host", "connection", "content-length", "content-encoding", "content-md5", "expect", "max-forwards",
    "proxy-authenticate", "server", "te", "trailer", "transfer-encoding", "upgrade", "via", "www-authenticate",
    "keep-alive"})
# Mapped integration request headers the endpoint never receives ("full-integration").
MAPPED_HEADERS_DROPPED = frozenset({"connection", "proxy-authenticate", "te", "via", "expect"})
# Mapped integration request headers that fail the request with a 500 (special cases "content-length",
# "transfer-encoding").
MAPPED_HEADERS_REFUSED = frozenset({"content-length", "transfer-encoding"})
# Response headers API Gateway owns: the endpoint's (HTTP_PROXY) or the mapped method response's come
# back renamed `x-amzn-Remapped-{name}` ("full-integration" response-headers, and HTTP_PROXY's
# x-amzn-Remapped-x-amzn-RequestId in test_http_integration_with_lambda).
# Mapped integration request headers that fail a Lambda integration (AWS or AWS_PROXY) with a 500: the
# framing ones, and the ones an HTTP endpoint merely loses (header_remapping_aws[AWS] and [AWS_PROXY]:
# "authorization", "connection", "expect", "proxy-authenticate", "te", "content-length", "transfer-encoding").
LAMBDA_MAPPED_HEADERS_REFUSED = MAPPED_HEADERS_REFUSED | frozenset({
    "authorization", "connection", "expect", "proxy-authenticate", "te"})
RESPONSE_HEADERS_REMAPPED = frozenset({
    "authorization", "connection", "content-length", "content-md5", "date", "expect", "host", "max-forwards",
    "proxy-authenticate", "server", "trailer", "upgrade", "user-agent", "www-authenticate", "x-amzn-requestid"})
RESPONSE_HEADERS_DROPPED = frozenset({"transfer-encoding", "keep-alive"})
# Lambda proxy events: the client's headers minus these (header_remapping_aws[AWS_PROXY] "no-param-integration").
EVENT_HEADERS_DROPPED = TEMPLATE_HIDDEN_HEADERS | {"keep-alive"}
# Names the proxy event spells in title case whatever the client sent, as CloudFront forwards them
# (test_lambda_aws_proxy_integration: `authorization` and `aUThorization` arrive as Authorization).
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html
EVENT_HEADERS_TITLE_CASED = {"authorization": "Authorization", "user-agent": "User-Agent"}


def trace_header(call: Call) -> str:
    """The X-Amzn-Trace-Id API Gateway sends the integration and returns with a Lambda or HTTP answer:
    the client's (with a Parent added when it has none), else a new one (derived from the request id,
    so it costs no random draw). Made once per call: the endpoint request and the answer both carry it."""
    if call.endpoint_trace_header is not None:
        return call.endpoint_trace_header
    incoming = call.request.headers.get("X-Amzn-Trace-Id") or ""
    parts = dict(p.strip().split("=", 1) for p in incoming.split(";") if "=" in p)
    hex_id = call.request_id.replace("-", "")
    root = parts.get("Root") or f"1-{int(call.started) & 0xFFFFFFFF:08x}-{hex_id[:24]}"
    parent = parts.get("Parent") or hex_id[-16:]
    sampled = parts.get("Sampled") or ("1" if "Parent" in parts else "0")
    call.endpoint_trace_header = f"Root={root};Parent={parent};Sampled={sampled}"
    return call.endpoint_trace_header


def forwarded_for(call: Call) -> list[tuple[str, str]]:
    """X-Forwarded-For (the caller's, then its source IP), -Port and -Proto: API Gateway's endpoints
    are HTTPS on 443."""
    previous = call.request.headers.get("X-Forwarded-For")
    source = f"{previous}, {call.request.source_ip}" if previous else call.request.source_ip
    return [("X-Forwarded-For", source), ("X-Forwarded-Port", "443"), ("X-Forwarded-Proto", "https")]


def endpoint_headers(call: Call, client: Iterable[tuple[str, str]] | None, mapped: dict[str, str]) -> Headers:
    """An HTTP endpoint request's headers: `client`'s (HTTP_PROXY; None for HTTP, which sends a default
    Accept and its own User-Agent instead), API Gateway's own, then the mapped ones; a mapped
    Content-Length or Transfer-Encoding is AWS's 500."""
    headers = Headers()
    if client is not None:
        for name, value in client:
            if name.lower() not in CLIENT_HEADERS_DROPPED:
                headers.add(name, value)
    else:
        headers["Accept"] = "application/json"
        headers["User-Agent"] = f"AmazonAPIGateway_{call.request.api_id}"
    headers["x-amzn-apigateway-api-id"] = call.request.api_id
    headers["X-Amzn-Trace-Id"] = trace_header(call)
    for name, value in forwarded_for(call):
        headers[name] = value
    for name, value in mapped.items():
        low = name.lower()
        if low in MAPPED_HEADERS_REFUSED:
            raise GatewayError("API_CONFIGURATION_ERROR", reason="mapped-framing-header",
                               log=f"Execution failed due to configuration error: header {name} cannot be mapped")
        if low not in MAPPED_HEADERS_DROPPED:
            headers[name] = value
    return headers


def refuse_lambda_headers(mapped: dict[str, str]) -> None:
    """A Lambda integration mapping a header AWS refuses there (Authorization, Connection, Expect,
    Proxy-Authenticate, TE, Content-Length, Transfer-Encoding) is AWS's 500."""
    for name in mapped:
        if name.lower() in LAMBDA_MAPPED_HEADERS_REFUSED:
            raise GatewayError("API_CONFIGURATION_ERROR", reason="mapped-lambda-header",
                               log=f"Execution failed due to configuration error: header {name} cannot be mapped")


def remapped(headers: Iterable[tuple[str, str]]) -> Headers:
    """Response headers with the ones API Gateway owns renamed `x-amzn-Remapped-{name}` and the
    framing ones dropped."""
    out = Headers()
    for name, value in headers:
        low = name.lower()
        if low in RESPONSE_HEADERS_DROPPED:
            continue
        out.add(f"x-amzn-Remapped-{name}" if low in RESPONSE_HEADERS_REMAPPED else name, value)
    return out


def event_headers(call: Call) -> list[tuple[str, str]]:
    """The (name, value) pairs a Lambda proxy event shows: the client's minus hop-by-hop and framing
    ones, Authorization and User-Agent title-cased, then X-Amzn-Trace-Id and X-Forwarded-*."""
    pairs = [(EVENT_HEADERS_TITLE_CASED.get(k.lower(), k), v) for k, v in call.request.headers.items_list()
             if k.lower() not in EVENT_HEADERS_DROPPED and k.lower() not in ("x-amzn-trace-id", "x-forwarded-for",
                                                                             "x-forwarded-port", "x-forwarded-proto")]
    return pairs + [("X-Amzn-Trace-Id", trace_header(call)), *forwarded_for(call)]
