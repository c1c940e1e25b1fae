"""Gateway responses: the errors API Gateway answers itself, and their customisation.

Every step of the pipeline that refuses a request raises `GatewayError(type)`; this module is the
one place that turns it into a response, honouring `put_gateway_response` customisations and the
DEFAULT_4XX / DEFAULT_5XX fallbacks.
https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from .http import Headers, Response

# type -> (default status, default message, x-amzn-ErrorType)
GATEWAY_RESPONSE_TYPES: dict[str, tuple[int, str | None, str]] = {
    "ACCESS_DENIED": (403, "User is not authorized to access this resource with an explicit deny", "AccessDeniedException"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error", "InternalServerErrorException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException"),
    "AUTHORIZER_FAILURE": (500, None, "AuthorizerFailureException"),
    "BAD_REQUEST_PARAMETERS": (400, "Missing required request parameters", "BadRequestException"),
    "BAD_REQUEST_BODY": (400, "Invalid request body", "BadRequestException"),
    "EXPIRED_TOKEN": (403, "Signature expired", "InvalidSignatureException"),
    "INTEGRATION_FAILURE": (504, "Network error communicating with endpoint", "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
    "INVALID_API_KEY": (403, "Forbidden", "ForbiddenException"),
    "INVALID_SIGNATURE": (
        403,
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method.",
        "InvalidSignatureException",
    ),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded", "LimitExceededException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
    "RESOURCE_NOT_FOUND": (404, "Not Found", "NotFoundException"),
    "THROTTLED": (429, "Too Many Requests", "TooManyRequestsException"),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type", "UnsupportedMediaTypeException"),
    "WAF_FILTERED": (403, "Forbidden", "WAFFilteredException"),
    # Not raised by a step; customisable fallbacks for every type of their class.
    "DEFAULT_4XX": (400, None, ""),
    "DEFAULT_5XX": (500, None, ""),
}


class GatewayError(Exception):
    """A request refused by API Gateway itself, as one of AWS's gateway response types."""

    def __init__(self, response_type: str, message: str | None = None, *, log: str | None = None,
                 status: int | None = None, body_key: str = "message", step: str | None = None,
                 reason: str | None = None) -> None:
        """`body_key`: AWS answers "is not authorized" denials as `{"Message": ...}` (capital M;
        AWS Knowledge Center, troubleshoot 403 Forbidden); everything else as `{"message": ...}`.
        `step`: the step that refused, when it is not the one that raised (the pipeline fills it in
        otherwise); `reason`: a short machine-readable cause for the trace (default: the type)."""
        if response_type not in GATEWAY_RESPONSE_TYPES:
            raise ValueError(f"response_type must be one of {sorted(GATEWAY_RESPONSE_TYPES)}, got {response_type!r}")
        default_status, default_message, self.error_type = GATEWAY_RESPONSE_TYPES[response_type]
        self.response_type = response_type
        self.message = default_message if message is None else message
        self.status = status or default_status
        self.log = log  # the execution-log line that explains it
        self.body_key = body_key
        self.step = step
        self.reason = reason or response_type.lower()
        super().__init__(f"{response_type}: {self.message}")


def internal_error(exc: BaseException) -> GatewayError:
    """What AWS answers when API Gateway itself fails: 500 `{"message": "Internal server error"}`.
    The log line is the kit's wording; it names the exception so a reader of the log can find it."""
    error = GatewayError("DEFAULT_5XX", "Internal server error", status=500, reason="internal-error",
                         log=f"Execution failed due to an internal error: {type(exc).__name__}: {exc}")
    error.error_type = "InternalServerErrorException"
    return error


_STATIC = re.compile(r"^'(.*)'$", re.S)


def gateway_response(error: GatewayError, customised: Mapping[str, dict[str, Any]],
                     context: Callable[[], Mapping[str, Any]],
                     request_values: Callable[[], Mapping[str, str]]) -> Response:
    """Render `error` with the API's gateway responses (its own type, else DEFAULT_4XX/5XX).

    Templates are not full VTL: AWS substitutes only `$context.*`, `$stageVariables.*` and method
    request values. `context` and `request_values` are called only when a customisation needs them.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
    """
    headers = Headers([("Content-Type", "application/json")])
    if error.error_type:
        headers.add("x-amzn-ErrorType", error.error_type)
    if not customised:
        return Response(error.status, headers, _default_body(error.message, error.body_key))
    fallback = "DEFAULT_4XX" if error.status < 500 else "DEFAULT_5XX"
    own = customised.get(error.response_type) or {}
    default = customised.get(fallback) or {}
    status = int(own.get("statusCode") or default.get("statusCode") or error.status)

    params = {**(default.get("responseParameters") or {}), **(own.get("responseParameters") or {})}
    values = request_values() if params else {}
    for key, source in params.items():
        if key.startswith("gatewayresponse.header."):
            value = _parameter_value(source, values)
            if value is not None:
                headers[key[len("gatewayresponse.header."):]] = value

    templates = own.get("responseTemplates") or default.get("responseTemplates") or {}
    template = templates.get("application/json")
    if template is None and templates:
        template = next(iter(templates.values()))
    body = (_default_body(error.message, error.body_key) if template is None
            else substitute(template, context()).encode())
    return Response(status, headers, body)


@lru_cache(maxsize=128)
def _default_body(message: str | None, key: str = "message") -> bytes:
    """`{"message":$context.error.messageString}`, AWS's default template (no space after the colon)."""
    return json.dumps({key: message}, separators=(",", ":")).encode()



def _parameter_value(source: str, request_values: Mapping[str, str]) -> str | None:
    static = _STATIC.match(source)
    if static:
        return static.group(1)
    return request_values.get(source)


def reference_pattern(*roots: str, name_chars: str = "A-Za-z0-9_-") -> re.Pattern[str]:
    """`$root.a.b` or `${root.a.b}` for the given roots: the reference syntax of templates and access logs.

    A `}` belongs to the reference only when a `${` opened it, and a name holds only identifier characters
    (Velocity's: letters, digits, `-`, `_`): the punctuation a JSON template puts after a reference (`}`,
    `]`, `,`, `"`, `:`) stays in the text, as in AWS's default `{"message":$context.error.messageString}`.
    https://velocity.apache.org/engine/1.7/user-guide.html#identifiers (identifier characters, `${...}`)
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
    """
    name = rf"(?:{'|'.join(map(re.escape, roots))})(?:\.[{name_chars}]+)+"
    return re.compile(rf"\$(?:\{{({name})\}}|({name}))")


def reference_name(match: re.Match[str]) -> str:
    """The dotted name of a match of `reference_pattern`, braced or not."""
    return match.group(1) or match.group(2)


_VARIABLE = reference_pattern("context", "stageVariables")


def substitute(template: str, values: Mapping[str, Any]) -> str:
    """Replace `$context.a.b` and `$stageVariables.x` with `values["context"]["a"]["b"]` and so on."""

    def lookup(match: re.Match[str]) -> str:
        node: Any = values
        for part in reference_name(match).split("."):
            if not isinstance(node, Mapping) or part not in node:
                return ""
            node = node[part]
        return "" if node is None else str(node)

    return _VARIABLE.sub(lookup, template)
