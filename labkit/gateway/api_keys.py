"""The API key step: a method with `apiKeyRequired` needs an enabled key in a usage plan for this stage.

A missing, unknown, disabled or unattached key answers 403 {"message": "Forbidden"} (INVALID_API_KEY).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
"""

from __future__ import annotations

from .http import Response
from .pipeline import Call, Next
from .responses import GatewayError


def masked(value: str) -> str:
    """A key as AWS's logs show it: `**********F0yrv6`."""
    return "*" * 10 + value[-6:]


def api_keys(call: Call, next_step: Next) -> Response:
    assert call.route is not None and call.snapshot is not None
    if not call.route.method.get("apiKeyRequired"):
        return next_step(call)
    req = call.request
    if call.snapshot.deployment.api_key_source == "AUTHORIZER":
        value = call.usage_identifier_key  # set by a Lambda authorizer's usageIdentifierKey
    else:
        value = req.headers.get("x-api-key")
    if not value:
        raise GatewayError("INVALID_API_KEY", log="API Key not found in request")
    index = call.gateway.source.usage_index()
    key = index.key(value)
    if key is None or not key.get("enabled"):
        raise GatewayError("INVALID_API_KEY", log=f"API Key {masked(value)} not authorized because "
                           f"{'it is disabled' if key else 'it does not exist'}")
    match = index.plan_for(key["id"], req.api_id, req.stage)
    if match is None:
        raise GatewayError("INVALID_API_KEY", log=f"API Key {masked(value)} not authorized because it is not "
                           f"associated with a usage plan for API Stage {req.api_id}/{req.stage}")
    call.api_key = key
    call.usage_plan = match
    call.log("API Key {} authorized because method '{} {}' requires API Key and API Key is associated with "
             "a usage plan for API Stage {}/{}", masked(value), req.method, call.resource_path, req.api_id, req.stage)
    return next_step(call)
