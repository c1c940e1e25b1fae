"""The ordered steps of a request (after starlette's middleware and LocalStack's handler chain).

A step takes the call and the next step; it forwards (`return next_step(call)`) or answers early by
raising `GatewayError`. The outermost step turns any GatewayError into the gateway response.
Order, as AWS's documented facts imply it: route, limits, [auth], API key, throttle, [validate],
cache, integration.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from .http import Headers, Request, Response
from .redact import redact_text, redacted
from .responses import GatewayError, gateway_response, internal_error
from .router import Route
from .snapshot import StageSnapshot

if TYPE_CHECKING:
    from .engine import Gateway

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html


@dataclass
class Call:
    """Everything the steps learn about one request as it moves through the pipeline."""

    request: Request
    gateway: Gateway
    request_id: str
    extended_request_id: str
    started: float
    snapshot: StageSnapshot | None = None
    route: Route | None = None
    plan: Any = None  # plans.RoutePlan of the route, once the route step found it
    request_class: Any = None  # compiled.ClassParts while the steps compile a simulated request class
    stage_variables: dict[str, str] = field(default_factory=dict)
    log_lines: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    integration_latency: float = 0.0
    simulated_latency: float = 0.0
    error: GatewayError | None = None
    test_invoke: bool = False
    api_key: dict[str, Any] | None = None  # the caller's API key (id, value), once the key step found it
    usage_plan: Any = None  # PlanMatch: the usage plan admitting that key to this stage
    usage_identifier_key: str | None = None  # from a Lambda authorizer, when apiKeySource is AUTHORIZER
    may_invalidate_cache: bool = False  # the caller's IAM policy allows execute-api:InvalidateCache
    identity: dict[str, Any] = field(default_factory=dict)  # $context.identity fields the auth step fills
    authorizer: dict[str, Any] | None = None  # $context.authorizer: principalId + context, or claims
    cache_status: str | None = None  # HIT or MISS when the stage cache took part
    trace_id: str | None = None  # X-Ray trace id, when the stage traces
    endpoint_trace_header: str | None = None  # X-Amzn-Trace-Id sent to the integration (integrations/headers.py)
    integration_started: float | None = None
    integration_status: int | None = None  # the backend's own status, for access logs and traces
    entered: list[str] = field(default_factory=list)  # the named steps the request reached, outermost first
    answered_by: str | None = None  # a step that answered with a response of its own (not by raising)
    facts: set[str] = field(default_factory=set)  # what happened on the way, for the trace (see trace.py)
    template_overrides: Any = None  # $context.requestOverride/responseOverride maps (integrations/overrides.py)
    _context: dict[str, Any] | None = field(default=None, repr=False)

    def log(self, message: str, *values: Any) -> None:
        """Add an execution-log line, AWS's words where AWS documents them.

        `{}` in `message` takes the next value; values are formatted only when the log is read,
        so the hot path pays for a tuple, not for a string.
        """
        self.log_lines.append((message, values))

    def note(self, fact: str) -> None:
        """Record that `fact` happened (e.g. "authorizer-invoked"): labs read it from the trace."""
        self.facts.add(fact)

    def execution_log(self) -> list[str]:
        """The log lines, formatted as AWS prints them (maps as `{key=value, ...}`), credentials masked
        as AWS masks them (redact.py)."""
        return [_log_line(message, values) for message, values in self.log_lines]

    @property
    def resource_path(self) -> str:
        return self.route.resource_path if self.route else self.request.path

    def context(self) -> dict[str, Any]:
        """`$context` as templates, gateway responses and access logs see it (built once per call)."""
        if self._context is None or self._context.get("resourceId") != (self.route.resource["id"] if self.route else None):
            self._context = self._build_context()
        ctx = self._context
        if self.error is not None:
            ctx = {**ctx, "error": {
                "message": self.error.message,
                "messageString": json.dumps(self.error.message),
                "responseType": self.error.response_type,
                "validationErrorString": getattr(self.error, "validation_error_string", None),
            }}
        return ctx

    def invalidate_context(self) -> None:
        """A step changed what `$context` shows (identity, authorizer): rebuild it on the next read."""
        self._context = None

    def _build_context(self) -> dict[str, Any]:
        req = self.request
        when = datetime.fromtimestamp(self.started, tz=timezone.utc)
        ctx: dict[str, Any] = {
            "accountId": self.gateway.source.account_id,
            "apiId": req.api_id,
            "deploymentId": self.snapshot.deployment_id if self.snapshot else None,
            "domainName": req.domain_name,
            "domainPrefix": req.domain_name.split(".")[0] if req.domain_name else "",
            "extendedRequestId": self.extended_request_id,
            "httpMethod": req.method,
            "identity": {
                "sourceIp": req.source_ip,
                "userAgent": req.headers.get("User-Agent"),
                "accessKey": None, "accountId": None, "caller": None, "user": None, "userArn": None,
                "cognitoAuthenticationProvider": None, "cognitoAuthenticationType": None,
                "cognitoIdentityId": None, "cognitoIdentityPoolId": None, "principalOrgId": None,
                **self.identity,
            },
            # Through a custom domain, the path as sent (base path included); else /{stage}/path.
            "path": req.raw_path if req.raw_path is not None else f"/{req.stage}{req.path}",
            "protocol": "HTTP/1.1",
            "requestId": self.request_id,
            "requestTime": _request_time(when.replace(microsecond=0)),
            "requestTimeEpoch": int(self.started * 1000),
            "resourceId": self.route.resource["id"] if self.route else None,
            "resourcePath": self.resource_path,
            "stage": req.stage,
        }
        # Keys present only when they apply: without an API key, a custom domain or X-Ray tracing,
        # `$context.keySet()` and `$context.identity.keySet()` list none of them
        # (test_apigateway_sqs.snapshot.json::tests/aws/services/apigateway/test_apigateway_sqs.py::
        # test_sqs_amz_json_protocol, "context" and "identity").
        if self.api_key:
            ctx["identity"].update(apiKey=self.api_key["value"], apiKeyId=self.api_key["id"])
        if req.base_path is not None:
            # The API mapping matched through a custom domain name ("(none)" for the empty base path).
            ctx["customDomain"] = {"basePathMatched": req.base_path}
        if self.snapshot is not None and self.snapshot.stage.get("tracingEnabled"):
            ctx["xrayTraceId"] = self.trace_id
        if self.authorizer is not None:
            ctx["authorizer"] = self.authorizer
        if self.snapshot is not None and (self.snapshot.is_canary or self.snapshot.canary is not None):
            # Present only when the stage has a canary (test_apigateway_canary.snapshot.json::
            # ...::TestCanaryDeployments::test_invoking_canary_deployment: "false", then "true").
            # Written as the recording prints it: the kit's VTL would render a Python bool as "True".
            ctx["isCanaryRequest"] = "true" if self.snapshot.is_canary else "false"
        return ctx


@lru_cache(maxsize=64)
def _request_time(second: datetime) -> str:
    """`$context.requestTime` for a whole second (requests within one second share it)."""
    return second.strftime("%d/%b/%Y:%H:%M:%S +0000")


def _log_line(message: str, values: tuple[Any, ...]) -> str:
    """One execution-log line as AWS prints it, credentials masked."""
    return redact_text(message.format(*(_show(redacted(v)) for v in values)) if values else message)


def _show(value: Any) -> str:
    if isinstance(value, (Mapping, Headers)):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    elif isinstance(value, list):
        value = json.dumps(value, default=str)
    text = str(value)
    return text if len(text) <= 1000 else text[:1000] + " [TRUNCATED]"


Next = Callable[[Call], Response]


CompileNext = Callable[[Call], None]


class NotCompilable(Exception):
    """A step's effect on a simulated request depends on more than its class (method, path, stage,
    API key): the simulation answers that class through `handle`."""


class Step(Protocol):
    """One stage of the request path (a starlette middleware in spirit): forward with
    `next_step(call)` or answer, usually by raising the GatewayError AWS documents.

    `name`: where the trace attributes an answer (trace.STEP_NAMES; "" for steps that only wrap).
    `compile(call, next_compile)`: the same step for a simulated request class (compiled.py): do once
    what is the same for every request of the class, hand per-request work to `call.request_class`,
    or raise NotCompilable. A step without `compile` makes every simulated request go through `handle`:
    a new step can never be skipped silently."""

    name: str

    def __call__(self, call: Call, next_step: Next) -> Response: ...

    def compile(self, call: Call, next_compile: CompileNext) -> None: ...


def step_name(step: Any) -> str:
    """A step's trace name ("" for a plain function step without one)."""
    return getattr(step, "name", "")


def build(steps: Sequence[Any], endpoint: Next, endpoint_name: str = "integration") -> Next:
    """Chain `steps` around `endpoint` (the integration), the first step outermost."""
    handler = _bind(lambda call, _next: endpoint(call), endpoint, endpoint_name)
    for step in reversed(steps):
        handler = _bind(step, handler, step_name(step))
    return handler


def _bind(step: Any, next_step: Next, name: str) -> Next:
    if not name:
        return lambda call: step(call, next_step)

    def run(call: Call) -> Response:
        call.entered.append(name)
        try:
            return step(call, next_step)
        except GatewayError as error:
            if error.step is None:
                error.step = name  # the innermost named step it left is the one that refused
            raise
        except Exception as exc:  # noqa: BLE001 - a bug here answers AWS's 500, attributed to this step
            error = internal_error(exc)
            error.step = name
            raise error from exc

    return run


def build_compiler(steps: Sequence[Any], endpoint: CompileNext) -> CompileNext | None:
    """Chain the steps' `compile` hooks as `build` chains the steps; None if a step has none."""
    handler = endpoint
    for step in reversed(steps):
        hook = getattr(step, "compile", None)
        if hook is None:
            return None
        handler = _bind_compile(hook, handler)
    return handler


def _bind_compile(hook: Callable[[Call, CompileNext], None], next_compile: CompileNext) -> CompileNext:
    return lambda call: hook(call, next_compile)


class Errors:
    """Outermost but for observe: a GatewayError becomes its gateway response, and any other exception
    AWS's 500 `{"message": "Internal server error"}` (logged, and counted as a 5XX by observe);
    request ids go on every answer."""

    name = ""

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        try:
            next_compile(call)
        except GatewayError as error:
            raise NotCompilable(f"{error.response_type}: the class is refused as a whole") from None

    def __call__(self, call: Call, next_step: Next) -> Response:
        try:
            response = next_step(call)
        except GatewayError as error:
            response = error_response(call, error)
        except Exception as exc:  # noqa: BLE001 - a bug in a step must answer as AWS does, never a traceback
            response = error_response(call, internal_error(exc))
        response.headers.add("x-amzn-RequestId", call.request_id)
        response.headers.add("x-amz-apigw-id", call.extended_request_id)
        return response



def error_response(call: Call, error: GatewayError) -> Response:
    """The gateway response for `error`, as the API customised it; noted on the call for logs and
    metrics (compiled request classes answer their errors through here too)."""
    error.__traceback__ = None  # no frame cycle: refused requests must not feed the cyclic GC
    call.error = error
    if error.log:
        call.log(error.log)
    customised = call.snapshot.deployment.gateway_responses if call.snapshot else {}
    response = gateway_response(error, customised,
                                lambda: {"context": call.context(), "stageVariables": call.stage_variables},
                                lambda: method_request_values(call))
    call.log("Method completed with status: {}", response.status_code)
    response.gateway_response = error.response_type
    return response


def start_trace(call: Call) -> None:
    """Join the caller's X-Ray trace or start one, and pass it on to the integration.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-xray.html"""
    incoming = call.request.headers.get("X-Amzn-Trace-Id") or ""
    root = next((p.split("=", 1)[1] for p in incoming.split(";") if p.strip().startswith("Root=")), None)
    call.trace_id = root or call.gateway.observer.new_trace_id(call.started)
    call.request.headers["X-Amzn-Trace-Id"] = f"Root={call.trace_id}"


class PayloadLimit:
    """A payload over the limit (10 MB on AWS) answers 413 before anything else runs."""

    name = "payload size"

    def __init__(self, max_bytes: int = MAX_PAYLOAD_BYTES) -> None:
        self.max_bytes = max_bytes

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        if len(call.request.body) > self.max_bytes:
            raise NotCompilable("a 413 is answered by handle")
        next_compile(call)

    def __call__(self, call: Call, next_step: Next) -> Response:
        size = len(call.request.body)
        if size > self.max_bytes:
            raise GatewayError("REQUEST_TOO_LARGE", log=f"Request payload size {size} bytes "
                               f"exceeds the limit of {self.max_bytes} bytes")
        return next_step(call)



def method_request_values(call: Call) -> dict[str, str]:
    """`method.request.{path|querystring|header}.{name}` values, for parameter mappings."""
    req = call.request
    values: dict[str, str] = {}
    for name, value in (call.route.path_parameters if call.route else {}).items():
        values[f"method.request.path.{name}"] = value
    for name, value in req.query:
        values[f"method.request.querystring.{name}"] = value
    for name in req.headers:
        values[f"method.request.header.{name}"] = req.headers[name]
        values[f"method.request.header.{name.lower()}"] = req.headers[name]
    for name, value in call.stage_variables.items():
        values[f"stageVariables.{name}"] = value
    return values


def method_request_value(name: str, request: Request, path_parameters: Mapping[str, str],
                         stage_variables: Mapping[str, str]) -> str | None:
    """One entry of `method_request_values` (None where it has none), without building them all:
    the stage cache reads only its key parameters."""
    if name.startswith("method.request.path."):
        return path_parameters.get(name[len("method.request.path."):])
    if name.startswith("method.request.querystring."):
        wanted, found = name[len("method.request.querystring."):], None
        for key, value in request.query:
            if key == wanted:
                found = value  # the last value wins, as in method_request_values
        return found
    if name.startswith("method.request.header."):
        wanted = name[len("method.request.header."):]
        spelling = request.headers.spelling(wanted)
        if spelling is None or wanted not in (spelling, spelling.lower()):
            return None  # method_request_values names a header as first spelled, or in lower case
        return request.headers[spelling]
    if name.startswith("stageVariables."):
        return stage_variables.get(name[len("stageVariables."):])
    return None


# Client headers `$input.params()` does not show (it answers "" for them): hop-by-hop, framing and
# server-side names. Recorded for a Lambda custom and an HTTP integration alike:
# test_apigateway_integrations.snapshot.json::TestApiGatewayHeaderRemapping::
# test_apigateway_header_remapping_aws[AWS] and test_apigateway_header_remapping_http[HTTP], "full-integration" body.
TEMPLATE_HIDDEN_HEADERS = frozenset({
    "connection", "content-length", "content-md5", "expect", "max-forwards", "proxy-authenticate", "server", "te",
    "trailer", "transfer-encoding", "upgrade", "www-authenticate"})


def parameter_maps(call: Call) -> dict[str, dict[str, str]]:
    """`$input.params()`: path, querystring and header maps (the header map without TEMPLATE_HIDDEN_HEADERS,
    and with the Host the request was addressed to: the "full-integration" body shows the API's host)."""
    req = call.request
    headers = {k: req.headers[k] for k in req.headers if k.lower() not in TEMPLATE_HIDDEN_HEADERS}
    if req.headers.get("Host") is None and req.domain_name:
        headers["Host"] = req.domain_name
    return {
        "path": dict(call.route.path_parameters if call.route else {}),
        "querystring": {k: v for k, v in req.query},
        "header": headers,
    }


def default_headers() -> Headers:
    return Headers({"Content-Type": "application/json"})
