"""HTTP and HTTP_PROXY: a request to an HTTP endpoint, mapped (HTTP) or passed through (HTTP_PROXY).
https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html

A private integration (connectionType VPC_LINK) is sent to its uri like any other. On AWS it goes through the
VPC link's load balancer, the uri giving the Host header and path
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-private-integration.html); the kit has no
load balancer and no VPC, and does not check the link's status or targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import urllib3
from urllib3.util import SKIP_HEADER

from ..http import Headers, Response
from ..pipeline import Call
from ..responses import GatewayError
from .headers import endpoint_headers, remapped, trace_header
from .integration_response import integration_response
from .overrides import override_parameters
from .parameters import request_parameters, with_stage_variables
from .payloads import integration_body
from .timeouts import simulated_timeout, timeout_error, timeout_seconds

Answer = tuple[int, Headers, bytes]  # the backend's status, headers and body


@dataclass(slots=True)
class EndpointRequest:
    """The integration request as the HTTP endpoint receives it."""

    method: str
    url: str
    headers: Headers
    body: bytes


class HttpBackend:
    """The connection pool of one gateway's HTTP integrations, and the call through it (owned by the
    registry, which closes it)."""

    def __init__(self) -> None:
        self.pool = urllib3.PoolManager(num_pools=20, maxsize=20, retries=False)

    def send(self, call: Call, integration: dict[str, Any], request: EndpointRequest) -> Answer:
        """Send `request` within the integration's timeout; log it and the answer as AWS does."""
        simulated_timeout(call, integration)
        url = request.url
        call.log("Endpoint request URI: {}", url)
        call.log("Endpoint request headers: {}", request.headers)
        call.log("Endpoint request body after transformations: {}", request.body)
        call.log("Sending request to {}", url)
        clock = call.gateway.clock
        started = clock.now()
        call.integration_started = started
        headers = dict(request.headers)
        if request.headers.get("Accept-Encoding") is None:
            # API Gateway adds no Accept-Encoding of its own (the HTTP client library would add `identity`):
            # test_apigateway_http.snapshot.json::test_http_integration_method[HTTP], the endpoint's headers.
            headers["Accept-Encoding"] = SKIP_HEADER
        try:
            raw = self.pool.request(request.method, url, body=request.body or None, headers=headers,
                                    timeout=urllib3.Timeout(total=timeout_seconds(integration)),
                                    redirect=False, preload_content=True)
        except urllib3.exceptions.TimeoutError as exc:
            raise timeout_error() from exc
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

    def close(self) -> None:
        """Close the pool's connections."""
        self.pool.clear()


def endpoint_url(call: Call, integration: dict[str, Any], mapped: dict[str, dict[str, str]]) -> str:
    """The integration's URI with stage variables and `{path}` parameters filled; not http(s): 500."""
    uri = with_stage_variables(integration.get("uri") or "", call)
    path_values = {**(call.route.path_parameters if call.route else {}), **mapped["path"]}

    def fill(match: re.Match[str]) -> str:
        return path_values.get(match.group(1).rstrip("+"), "")

    uri = re.sub(r"\{([^}]+)\}", fill, uri)
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GatewayError("API_CONFIGURATION_ERROR", reason="invalid-endpoint",
                           log="Execution failed due to configuration error: Invalid endpoint address")
    return uri


class HttpIntegration:
    """What HTTP and HTTP_PROXY share: the backend phase, a request through the gateway's pool."""

    def __init__(self, http: HttpBackend) -> None:
        self.http = http

    def backend(self, call: Call, integration: dict[str, Any], request: EndpointRequest) -> Answer:
        """The endpoint's answer."""
        return self.http.send(call, integration, request)


class HttpProxy(HttpIntegration):
    """Pass the request through to the HTTP endpoint and its answer back.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html"""

    def integration_request(self, call: Call, integration: dict[str, Any]) -> EndpointRequest:
        """The method request as is (minus hop-by-hop headers), plus mapped parameters, to the endpoint URL."""
        req = call.request
        mapped = request_parameters(call, integration)
        url = endpoint_url(call, integration, mapped)
        query = list(req.query) + list(mapped["querystring"].items())
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        headers = endpoint_headers(call, req.headers.items_list(), mapped["header"])
        method = (integration.get("httpMethod") or req.method).upper()
        if method == "ANY":
            method = req.method
        return EndpointRequest(method, url, headers, req.body)

    def integration_response(self, call: Call, integration: dict[str, Any], answer: Answer) -> Response:
        """The endpoint's answer as is, the headers API Gateway owns renamed x-amzn-Remapped-*."""
        status, backend_headers, body = answer
        return Response(status, remapped(backend_headers.items_list()), body)


class HttpCustom(HttpIntegration):
    """HTTP with mapping: templates and parameters on the way in, integration responses on the way out."""

    def integration_request(self, call: Call, integration: dict[str, Any]) -> EndpointRequest:
        """Mapped parameters and the request template's body, to the endpoint URL."""
        req = call.request
        body = integration_body(call, integration)  # first: the template may set $context.requestOverride
        mapped = override_parameters(call, request_parameters(call, integration))
        url = endpoint_url(call, integration, mapped)
        if mapped["querystring"]:
            url += ("&" if "?" in url else "?") + urlencode(list(mapped["querystring"].items()))
        headers = endpoint_headers(call, None, mapped["header"])
        if "Content-Type" not in headers and body:
            headers["Content-Type"] = req.headers.get("Content-Type", "application/json")
        method = (integration.get("httpMethod") or req.method).upper()
        return EndpointRequest(method, url, headers, body)

    def integration_response(self, call: Call, integration: dict[str, Any], answer: Answer) -> Response:
        """The integration response chosen by the endpoint's status, mapped."""
        status, backend_headers, raw = answer
        response = integration_response(call, integration, status=status, headers=backend_headers, body=raw)
        # The endpoint request's trace id comes back (test_apigateway_http.snapshot.json::
        # test_http_integration_with_lambda[HTTP], header_remapping_http[HTTP] "no-param-integration").
        response.headers.setdefault("X-Amzn-Trace-Id", trace_header(call))
        return response
