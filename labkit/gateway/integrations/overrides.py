"""`$context.requestOverride` and `$context.responseOverride`: maps a mapping template may write, owned by
the call so that what the request template sets, the response template reads and the method response obeys.
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
"""

from __future__ import annotations

from typing import Any

from ..http import Headers
from ..pipeline import Call
from ..vtl import ContextMap


def template_overrides(call: Call) -> dict[str, ContextMap]:
    """The call's override maps, made on first use: the keys AWS starts them with.
    test_apigateway_sqs.snapshot.json::tests/aws/services/apigateway/test_apigateway_sqs.py::
    test_sqs_amz_json_protocol (requestOverride: path, header, querystring; responseOverride: header)"""
    if call.template_overrides is None:
        call.template_overrides = {
            "requestOverride": ContextMap(path=ContextMap(), header=ContextMap(), querystring=ContextMap()),
            "responseOverride": ContextMap(header=ContextMap()),
        }
    return call.template_overrides


def override_response(call: Call, status: int, headers: Headers) -> int:
    """Apply `$context.responseOverride.status` and `.header.*` set by either template; answer the status.
    test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/test_apigateway_integrations.py::
    test_integration_mock_with_response_override_in_request_template[True] and [False] (444, foo: bar)"""
    if call.template_overrides is None:
        return status
    override: Any = call.template_overrides["responseOverride"]
    for name, value in (override.get("header") or {}).items():
        if value is not None:
            headers[str(name)] = str(value)
    wanted = override.get("status")
    try:
        return int(str(wanted)) if wanted not in (None, "") else status
    except ValueError:
        return status


def request_override(call: Call, kind: str) -> dict[str, str]:
    """What the request template set in `$context.requestOverride.{kind}` (`header`, `querystring` or
    `path`): applied after the integration's request parameters, each value replacing a mapped one.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
    ("Override parameters after standard API Gateway mappings have been applied"; recorded:
    test_apigateway_eventbridge.snapshot.json::tests/aws/services/apigateway/test_apigateway_eventbridge.py::
    test_apigateway_to_eventbridge sets X-Amz-Target and Content-Type this way)."""
    if call.template_overrides is None:
        return {}
    found: Any = call.template_overrides["requestOverride"].get(kind) or {}
    return {str(name): str(value) for name, value in found.items() if value is not None}


def override_headers(call: Call, headers: Headers) -> Headers:
    """`headers` with `$context.requestOverride.header.*` written over them (names case-insensitive)."""
    for name, value in request_override(call, "header").items():
        headers[name] = value
    return headers


def override_parameters(call: Call, mapped: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Mapped request parameters (`path`, `querystring`, `header`) with the template's overrides applied."""
    return {kind: {**values, **request_override(call, kind)} for kind, values in mapped.items()}
