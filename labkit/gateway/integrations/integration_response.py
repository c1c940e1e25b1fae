"""The integration response of a non-proxy integration: chosen by selectionPattern, then mapped to
the method response's status, headers and body.
https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..http import Headers, Response
from ..pipeline import Call, method_request_values
from ..responses import GatewayError
from .headers import remapped
from .overrides import override_response
from .parameters import dig
from .payloads import response_payload
from .request_templates import render_template


def integration_response(call: Call, integration: dict[str, Any], *, status: int | None, headers: Headers,
                         body: str | bytes, error_message: str | None = None) -> Response:
    """Choose the integration response by selectionPattern, then map status, headers and body (the
    backend's bytes converted first, by binaryMediaTypes and its contentHandling: payloads.response_payload).
    https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html"""
    raw = body.encode() if isinstance(body, str) else body
    body = raw.decode("utf-8", "replace")
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
        raise GatewayError("API_CONFIGURATION_ERROR", reason="no-integration-response",
                           log="Execution failed due to configuration error: "
                           "No match for output mapping and no default output mapping configured. "
                           f"Endpoint Response Status Code: {status}")
    status_code = str(chosen.get("statusCode"))
    method_responses = (call.route.method.get("methodResponses") if call.route else None) or {}
    if status_code not in method_responses:
        raise GatewayError("API_CONFIGURATION_ERROR",
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
            value = dig(document, path) if path else body
        else:
            value = values.get(source)
        if value is not None:
            out_headers[name] = value if isinstance(value, str) else json.dumps(value)
    # Headers API Gateway owns come back as x-amzn-Remapped-* (test_apigateway_integrations.snapshot.json::
    # TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_http[HTTP] and _aws[AWS], "full-integration").
    out_headers = remapped(out_headers.items_list())

    templates = chosen.get("responseTemplates") or {}
    accept = (call.request.headers.get("Accept") or "").split(",")[0].split(";")[0].strip()
    content_type, template = "application/json", None
    if templates:
        if accept in templates:
            content_type = accept
        elif "application/json" not in templates:
            content_type = next(iter(templates))
        template = templates.get(content_type)
    payload = response_payload(call, chosen.get("contentHandling"), raw, headers.get("Content-Type"))
    out_body = payload.decode("utf-8", "replace")
    if template:
        out_body = render_template(call, template, out_body)
        payload = out_body.encode()
    out_headers.setdefault("Content-Type", content_type)
    status = override_response(call, int(status_code), out_headers)
    call.log("Method response body after transformations: {}", out_body)
    call.log("Method response headers: {}", out_headers.copy())
    return Response(status, out_headers, payload)
