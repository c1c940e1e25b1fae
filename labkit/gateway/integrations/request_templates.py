"""The integration request body: the request template chosen by Content-Type, or the body passed
through as passthroughBehavior allows (else 415).
https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
"""

from __future__ import annotations

from typing import Any

from ..pipeline import Call, parameter_maps
from ..responses import GatewayError
from ..templates import render, select_template
from .overrides import template_overrides


def request_body(call: Call, integration: dict[str, Any], body: str) -> str:
    """Apply the request template chosen by Content-Type, honouring passthroughBehavior (415).
    https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html"""
    templates = integration.get("requestTemplates") or {}
    matched, template = select_template(templates, call.request.headers.get("Content-Type"))
    behavior = (integration.get("passthroughBehavior") or "WHEN_NO_MATCH").upper()
    if not matched:
        if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and templates):
            raise GatewayError("UNSUPPORTED_MEDIA_TYPE",
                               log="Execution failed: Unsupported Media Type "
                               f"(passthroughBehavior {behavior})")
        return body
    if not template:
        return body
    return render_template(call, template, body)


def render_template(call: Call, template: str, body: str) -> str:
    """A request or response mapping template rendered with the call's `$input`, `$context` and stage variables."""
    if "$" not in template and "#" not in template:
        return template  # static: skip building $context and $input
    context = {**call.context(), **template_overrides(call)}
    return render(template, body=body, params=parameter_maps(call), context=context,
                  stage_variables=call.stage_variables)
