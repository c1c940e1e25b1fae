"""Integration request parameters: path, query string and header values mapped from the method request,
static values, `$context` and stage variables.
https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
"""

from __future__ import annotations

import re
from typing import Any

from ..pipeline import Call, method_request_values

_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def with_stage_variables(text: str, call: Call) -> str:
    """`${stageVariables.name}` in URIs and ARNs, replaced by the stage's values."""
    return _STAGE_VARIABLE.sub(lambda m: call.stage_variables.get(m.group(1), ""), text)


def request_parameters(call: Call, integration: dict[str, Any]) -> dict[str, dict[str, str]]:
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
            value = dig(call.context(), source[len("context."):])
        else:
            value = values.get(source)
        if value is not None:
            mapped[match.group(1)][match.group(2)] = str(value)
    return mapped


def dig(node: Any, dotted: str) -> Any:
    """The value at `a.b.c` in nested dicts, or None where the path leaves them."""
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
