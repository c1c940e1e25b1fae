"""Lambda authorizers (`CUSTOM`, TOKEN and REQUEST): run the function, read its policy, cache the result.

The function runs in its execution environment (labkit.gateway.lambdas) with AWS's input event; its output's
`policyDocument` is evaluated against the method ARN; `principalId`, `context` and
`usageIdentifierKey` go on to the rest of the request. Results are cached per stage and identity
for `authorizerResultTtlInSeconds` (default 300, 0 = off) on the gateway's clock.
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from ..pipeline import Call, method_request_values
from .policy import INVOKE, evaluate, statements
from ..responses import GatewayError

DEFAULT_TTL_SECONDS = 300  # https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html
_LAMBDA_URI = re.compile(r"^arn:aws[\w-]*:apigateway:[^:]+:lambda:path/[^/]+/functions/(?P<arn>.+)/invocations$")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class AuthorizerResult:
    """What a Lambda authorizer answered (what the cache keeps)."""

    principal_id: str
    policy: dict[str, Any]
    context: dict[str, str]
    usage_identifier_key: str | None


# --- the result cache ---------------------------------------------------------------------------

class AuthorizerCache:
    """One gateway's cached authorizer results: (api, stage, authorizer, identity) -> (expires, result).
    The Gateway owns it; FlushStageAuthorizersCache reaches it through the source's changes."""

    def __init__(self) -> None:
        self._entries: dict[tuple[Any, ...], tuple[float, AuthorizerResult]] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[Any, ...], now: float) -> AuthorizerResult | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] <= now:
                self._entries.pop(key, None)
                self.misses += 1
                return None
            self.hits += 1
            return found[1]

    def put(self, key: tuple[Any, ...], result: AuthorizerResult, expires: float) -> None:
        with self._lock:
            self._entries[key] = (expires, result)

    def flush(self, api_id: str, stage: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == api_id and k[1] == stage]:
                del self._entries[key]


# --- identity sources -----------------------------------------------------------------------------

def identity_values(call: Call, authorizer: dict[str, Any]) -> list[str] | None:
    """The identity sources' values in order; None when one is missing or empty (401 without a call).

    `method.request.header.X`, `method.request.querystring.X`, `stageVariables.X`, `context.X`.
    """
    sources = [s.strip() for s in (authorizer.get("identitySource") or "").split(",") if s.strip()]
    values = method_request_values(call)
    lowered = {k.lower(): v for k, v in values.items() if k.startswith("method.request.header.")}
    out = []
    for source in sources:
        if source.startswith("method.request.header."):
            value = lowered.get(source.lower())
        elif source.startswith("context."):
            node: Any = call.context()
            for part in source[len("context."):].split("."):
                node = node.get(part) if isinstance(node, dict) else None
            value = None if node is None else str(node)
        else:
            value = values.get(source)
        if not value:
            return None
        out.append(value)
    return out


# --- the input event ------------------------------------------------------------------------------

def token_event(token: str, arn: str) -> dict[str, Any]:
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}


def request_event(call: Call, arn: str) -> dict[str, Any]:
    """REQUEST: the proxy event's request parts plus `type` and `methodArn`, without the body."""
    from ..integrations import proxy_event

    event = proxy_event(call)
    for key in ("body", "isBase64Encoded"):
        event.pop(key, None)
    event["requestContext"].pop("authorizer", None)
    return {"type": "REQUEST", "methodArn": arn, **event}


# --- running the function -------------------------------------------------------------------------

def _configuration_error(reason: str) -> GatewayError:
    return GatewayError("AUTHORIZER_CONFIGURATION_ERROR",
                        log=f"Execution failed due to configuration error: {reason}")


def invoke(call: Call, authorizer: dict[str, Any], event: dict[str, Any]) -> AuthorizerResult:
    """Run the authorizer function; `Unauthorized` is 401, any other failure or bad output is 500."""
    uri = _STAGE_VARIABLE.sub(lambda m: call.stage_variables.get(m.group(1), ""), authorizer.get("authorizerUri") or "")
    found = _LAMBDA_URI.match(uri)
    if not found:
        raise _configuration_error(f"Invalid authorizer URI {uri!r}")
    code = call.gateway.source.function_code(found.group("arn"))
    if code is None:
        raise _configuration_error(f"Authorizer function not found: {found.group('arn')}")
    call.note("authorizer-invoked")
    call.log("Sending request to {}", uri)
    # AWS documents no REST authorizer timeout (reference 8b.13): the function's own timeout applies.
    outcome = call.gateway.lambdas.invoke(code, event, call.gateway.clock)
    call.gateway.observer.function_log(outcome.log_group, outcome.log_stream, outcome.log_events)
    if outcome.error is not None:
        message = outcome.error.get("errorMessage")
        if message == "Unauthorized":
            raise GatewayError("UNAUTHORIZED", log="Unauthorized request: the authorizer raised 'Unauthorized'")
        raise _configuration_error(f"Authorizer error: {message}")
    return parse_output(outcome.payload)


def parse_output(payload: Any) -> AuthorizerResult:
    """Validate the function's answer as AWS does (principalId, policyDocument, flat context)."""
    if not isinstance(payload, dict):
        raise _configuration_error("Invalid JSON in authorizer response: not an object")
    principal_id = payload.get("principalId")
    policy = payload.get("policyDocument")
    if principal_id is None or not isinstance(policy, dict):
        raise _configuration_error("Invalid JSON in authorizer response: principalId and policyDocument required")
    try:
        statements(policy)
    except ValueError as exc:
        raise _configuration_error(f"Invalid policyDocument in authorizer response: {exc}") from None
    context: dict[str, str] = {}
    for key, value in (payload.get("context") or {}).items():
        if isinstance(value, (dict, list)):
            raise _configuration_error(f"Invalid authorizer context: value of {key!r} is an object or array")
        context[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    key = payload.get("usageIdentifierKey")
    return AuthorizerResult(str(principal_id), policy, context, None if key is None else str(key))


def authorize(call: Call, authorizer: dict[str, Any], arn: str) -> tuple[AuthorizerResult, str | None]:
    """The authorizer's result (cached or fresh) and its policy's decision on `arn`."""
    kind = (authorizer.get("type") or "TOKEN").upper()
    values = identity_values(call, authorizer)
    if kind == "TOKEN":
        if values is None or not values:
            raise GatewayError("UNAUTHORIZED", log="Unauthorized request: the identity source is missing")
        expression = authorizer.get("identityValidationExpression")
        if expression and not re.fullmatch(expression, values[0]):
            raise GatewayError("UNAUTHORIZED", log="Unauthorized request: the token does not match "
                               "the identity validation expression")
    elif values is None:
        raise GatewayError("UNAUTHORIZED", log="Unauthorized request: an identity source is missing")

    ttl = authorizer.get("authorizerResultTtlInSeconds")
    ttl = DEFAULT_TTL_SECONDS if ttl is None else int(ttl)
    cacheable = ttl > 0 and bool(values)
    key = (call.request.api_id, call.request.stage, authorizer.get("id"), tuple(values))
    store = call.gateway.authorizer_cache
    now = call.gateway.clock.now()
    result = store.get(key, now) if cacheable else None
    if result is None:
        event = token_event(values[0], arn) if kind == "TOKEN" else request_event(call, arn)
        result = invoke(call, authorizer, event)
        if cacheable:
            store.put(key, result, now + ttl)
    else:
        call.log("Using cached authorizer result for {}", authorizer.get("name"))
    return result, evaluate([result.policy], action=INVOKE, resource=arn)


def authorizer_context(result: AuthorizerResult) -> dict[str, Any]:
    """`$context.authorizer`: principalId and the context keys (values as strings)."""
    return {"principalId": result.principal_id, **result.context}
