"""The error lab: choose a failure, see which step of API Gateway answered, with what, and why.

Model/view split after the ipywidgets tutorial: `run_error_case(case) -> ErrorOutcome` is pure (one
request through the gateway on a VirtualClock, against an API with one resource per failure, made
once per Lab); `ErrorLab` only wires a dropdown to it and sets traits, keeping the latest outcome
on `.outcome` for tests. `latency_vs_timeout` sweeps a backend's latency against `timeoutInMillis`
for `labkit.plots.timeout_plot`.

Which step answered is read from the response, not guessed from the case: its gateway response
type (`response.gateway_response`, None when the backend's own answer came back) and, where one type
has several causes (API_CONFIGURATION_ERROR), the gateway's trace of the request.
https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .base import body_message, built_for, flow_html, log_html, summary_label, widget_lab, wrap_style
from ..apis import RestApi, validate_timeout_ms
from ..gateway.clock import VirtualClock
from ..gateway.pipeline import MAX_PAYLOAD_BYTES
from ..gateway.trace import Trace

__all__ = ["CASES", "STEPS", "ErrorCase", "ErrorOutcome", "ErrorLab", "answering_step", "error_lab",
           "latency_vs_timeout", "run_error_case"]

STAGE = "lab"
SLOW_TIMEOUT_MS = 3_000        # the slow case's timeoutInMillis
SLOW_LATENCY_S = 5.0           # ... and its backend's latency on the virtual clock
DEFAULT_TIMEOUT_MS = 29_000    # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html

# The request path, in the order the kit's gateway runs it (labkit/gateway/steps.py, default_steps).
STEPS = ("route", "payload size", "authorizer", "API key", "throttle", "request validation",
         "integration request", "backend", "integration response")

_DOC = "https://docs.aws.amazon.com/apigateway/latest/developerguide/"


@dataclass(frozen=True)
class ErrorCase:
    """One failure the lab can produce: the request it sends and what AWS documents for it."""

    key: str
    label: str
    method: str
    path: str
    why: str       # one sentence: what made the gateway answer so
    doc: str       # the AWS page that documents it
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    before: int = 0  # requests sent first, at the same virtual instant (the throttled case)


CASES: dict[str, ErrorCase] = {case.key: case for case in (
    ErrorCase("slow", "backend slow (5 s against timeoutInMillis 3000)", "GET", "/slow",
              "The backend took longer than the integration's timeoutInMillis, so API Gateway gave up and "
              "answered 504 itself.", "https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html"),
    ErrorCase("garbage", "backend returns garbage (malformed Lambda proxy output)", "GET", "/garbage",
              "The function returned something that is not the proxy output format (statusCode, headers, body), "
              "so API Gateway answered 502. Its log calls this a configuration error, and the kit files it under "
              "API_CONFIGURATION_ERROR, whose default status is 500; AWS answers this case 502.",
              "https://repost.aws/knowledge-center/malformed-502-api-gateway"),
    ErrorCase("raises", "Lambda raises", "GET", "/raises",
              "The function raised an exception; a Lambda proxy integration turns a function error into 502.",
              _DOC + "handle-errors-in-lambda-integration.html"),
    ErrorCase("too_big", "payload too big (10 MB + 1 byte)", "POST", "/upload",
              "The body was over the 10 MB payload quota, which cannot be raised: API Gateway answered 413 "
              "before anything else ran.", _DOC + "api-gateway-execution-service-limits-table.html",
              (("Content-Type", "application/octet-stream"),), b"x" * (MAX_PAYLOAD_BYTES + 1)),
    ErrorCase("bad_input", "bad input (body fails the model)", "POST", "/pets",
              "The method's request validator checked the body against its model and the required `name` "
              "was missing: 400 before the integration ran.", _DOC + "api-gateway-method-request-validation.html",
              (("Content-Type", "application/json"),), b'{"type": "dog"}'),
    ErrorCase("no_api_key", "missing API key", "GET", "/keyed",
              "The method has apiKeyRequired and the request sent no x-api-key header: 403 Forbidden.",
              _DOC + "api-gateway-api-key-source.html"),
    ErrorCase("unknown_path", "unknown path", "GET", "/nowhere",
              "No resource and method match the request; REST APIs answer that with 403 Missing Authentication "
              "Token, not 404.", _DOC + "supported-gateway-response-types.html"),
    ErrorCase("throttled", "throttled (2nd request at once, burst 1)", "GET", "/throttled",
              "The method's throttle (rate 1/s, burst 1) had no token left for a second request in the same "
              "instant: 429.", _DOC + "api-gateway-request-throttling.html", before=1),
    ErrorCase("media_type", "unsupported media type (passthrough NEVER)", "POST", "/orders",
              "The integration has a template only for application/json and passthroughBehavior NEVER, so a "
              "text/csv body was refused with 415.", _DOC + "integration-passthrough-behaviors.html",
              (("Content-Type", "text/csv"),), b"item,qty\nbook,2\n"),
    ErrorCase("backend_503", "backend answers 503", "GET", "/unavailable",
              "The gateway passed every check; the backend itself answered 503, and a proxy integration passes "
              "that status through unchanged (no x-amzn-ErrorType: it is not API Gateway's error).",
              _DOC + "set-up-lambda-proxy-integrations.html"),
)}


@dataclass(frozen=True)
class ErrorOutcome:
    """What one failure produced: the answer, who gave it, and the execution log."""

    case: ErrorCase
    status: int
    response_type: str | None   # the gateway response type; None: the backend's own answer
    error_type: str | None      # the x-amzn-ErrorType header
    body: str
    answered_by: str            # one of STEPS
    flow: tuple[tuple[str, str], ...]  # (step, "passed" | "answered" | "not reached")
    execution_log: tuple[str, ...]
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> Any:
        """The body's `message` or `Message`, else the whole body."""
        return body_message(self.body)

    def summary(self) -> str:
        """One line: status, response type, x-amzn-ErrorType and who wrote the answer. With a gateway
        response type (and x-amzn-ErrorType) API Gateway wrote it, even when the backend step failed."""
        who = "the backend itself" if self.response_type is None else f"API Gateway, at the {self.answered_by} step"
        return (f"{self.status} {self.response_type or '(backend answer)'}  x-amzn-ErrorType: "
                f"{self.error_type or '-'}  answered by: {who}")


# The gateway's trace names the step that answered (labkit/gateway/trace.py); the lab shows the
# integration's three parts as integration request, backend and integration response.
_LAB_STEP = {"endpoint": "route", "integration": "backend", "cache": "backend"}


def answering_step(trace: Trace) -> str:
    """Which step of STEPS answered, from the gateway's trace of the request (never the log's text)."""
    if trace.response_type is None:
        return "backend"
    step = _LAB_STEP.get(trace.answered_by, trace.answered_by)
    return step if step in STEPS else "integration response"


def _flow(answered_by: str, from_backend: bool) -> tuple[tuple[str, str], ...]:
    at = STEPS.index(answered_by)
    if from_backend:
        return tuple((step, "answered" if step == answered_by else "passed") for step in STEPS)
    return tuple((step, "passed" if i < at else "answered" if i == at else "not reached")
                 for i, step in enumerate(STEPS))


# --- the API: one resource per failure, made once per Lab -------------------------------------------

@dataclass
class _ErrorApi:
    api_id: str
    url: str
    timeouts: dict[int, str]  # timeoutInMillis -> resource path of the sweep


def _garbage(event, context):  # noqa: ANN001, ANN201 - a Lambda handler
    return "OK, saved!"  # a bare string: not the proxy output format


def _raises(event, context):  # noqa: ANN001, ANN201
    raise RuntimeError("database connection refused")


def _unavailable(event, context):  # noqa: ANN001, ANN201
    return {"statusCode": 503, "headers": {"Content-Type": "application/json", "Retry-After": "30"},
            "body": '{"error": "down for maintenance"}'}


def _ok(event, context):  # noqa: ANN001, ANN201
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok": true}'}


def _build(lab: Any) -> _ErrorApi:
    """The error-lab API, through ordinary boto3 calls and the kit's builders."""
    apigw = lab.client("apigateway")
    api = RestApi.create(apigw, "error-lab")
    ids = lambda resource, verb: {"restApiId": api.id, "resourceId": resource.id, "httpMethod": verb}  # noqa: E731
    prefix = f"error-lab-{api.id}"
    functions = {name: lab.lambda_function(f"{prefix}-{name}", fn) for name, fn in
                 (("slow", _ok), ("garbage", _garbage), ("raises", _raises), ("unavailable", _unavailable))}
    api.resource("/slow").method("GET").lambda_proxy(functions["slow"], timeout_ms=SLOW_TIMEOUT_MS)
    api.resource("/garbage").method("GET").lambda_proxy(functions["garbage"])
    api.resource("/raises").method("GET").lambda_proxy(functions["raises"])
    api.resource("/unavailable").method("GET").lambda_proxy(functions["unavailable"])
    api.resource("/upload").method("POST").mock(body='{"stored": true}')
    api.resource("/keyed").method("GET", api_key_required=True).mock()
    api.resource("/throttled").method("GET").mock()

    # Request validation: a model that requires `name`, a validator that checks bodies.
    apigw.create_model(restApiId=api.id, name="NewPet", contentType="application/json", schema=json.dumps({
        "$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string"}, "type": {"type": "string"}}}))
    validator = apigw.create_request_validator(restApiId=api.id, name="body", validateRequestBody=True,
                                               validateRequestParameters=False)
    api.resource("/pets").method("POST", request_validator_id=validator["id"],
                                 request_models={"application/json": "NewPet"}).mock(status=201)

    # passthroughBehavior NEVER with a template only for application/json.
    orders = api.resource("/orders")
    orders.method("POST")
    apigw.put_integration(**ids(orders, "POST"), type="MOCK", passthroughBehavior="NEVER",
                          requestTemplates={"application/json": '{"statusCode": 202}'})
    apigw.put_method_response(**ids(orders, "POST"), statusCode="202")
    apigw.put_integration_response(**ids(orders, "POST"), statusCode="202",
                                   responseTemplates={"application/json": '{"queued": true}'})
    api.deploy(STAGE)
    apigw.update_stage(restApiId=api.id, stageName=STAGE, patchOperations=[
        {"op": "replace", "path": "/~1throttled/GET/throttling/rateLimit", "value": "1"},
        {"op": "replace", "path": "/~1throttled/GET/throttling/burstLimit", "value": "1"}])
    return _ErrorApi(api.id, lab.stage_url(api.id, STAGE), {})


def run_error_case(case: str, lab: Any = None) -> ErrorOutcome:
    """Pure model of the widget: send the case's request through a fresh gateway on a VirtualClock.

    `case` is a key of CASES (or its label). The API is made once per lab (default: the shared
    moto Lab of labkit/shared.py); each run is deterministic and takes milliseconds."""
    chosen = CASES.get(case) or next((c for c in CASES.values() if c.label == case), None)
    if chosen is None:
        raise ValueError(f"case must be one of {', '.join(CASES)}, got {case!r}")
    lab, made = built_for(lab, _ErrorApi, _build)
    gateway = lab.gateway(clock=VirtualClock(), seed=0,  # same case, same request ids: a pure function
                          backend_latency={"GET /slow": SLOW_LATENCY_S, "*": 0.02})
    url = made.url + chosen.path
    for _ in range(chosen.before):
        gateway.invoke(chosen.method, url, dict(chosen.headers), chosen.body)
    response = gateway.invoke(chosen.method, url, dict(chosen.headers), chosen.body)
    log = tuple(response.execution_log)
    kind = response.gateway_response
    answered = answering_step(response.trace)
    return ErrorOutcome(case=chosen, status=response.status_code, response_type=kind,
                        error_type=response.headers.get("x-amzn-ErrorType"),
                        body=response.body.decode("utf-8", "replace"), answered_by=answered,
                        flow=_flow(answered, kind is None), execution_log=log,
                        headers=tuple(response.headers.items_list()))


# --- timeouts -----------------------------------------------------------------------------------------

def latency_vs_timeout(timeout_ms: int, latencies_ms: list[int], lab: Any = None) -> tuple[list[int], list[int]]:
    """The status a method with `timeoutInMillis = timeout_ms` answers for each backend latency (ms),
    on the virtual clock: 200 up to the timeout, 504 beyond it. Returns (latencies, statuses)."""
    validate_timeout_ms(timeout_ms)
    latencies = [int(ms) for ms in latencies_ms]
    if any(ms < 0 for ms in latencies):
        raise ValueError(f"latencies_ms must be whole numbers of milliseconds >= 0, got {latencies_ms!r}")
    lab, made = built_for(lab, _ErrorApi, _build)
    path = made.timeouts.get(timeout_ms)
    if path is None:
        path = f"/timeout-{timeout_ms}"
        apigw = lab.client("apigateway")
        api = RestApi(apigw, made.api_id)
        resource = api.resource(path)
        resource.method("GET")
        ids = {"restApiId": api.id, "resourceId": resource.id, "httpMethod": "GET"}
        apigw.put_integration(**ids, type="MOCK", timeoutInMillis=timeout_ms,
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        apigw.put_method_response(**ids, statusCode="200")
        apigw.put_integration_response(**ids, statusCode="200", responseTemplates={"application/json": "{}"})
        api.deploy(STAGE)
        made.timeouts[timeout_ms] = path
    current = [0.0]
    gateway = lab.gateway(clock=VirtualClock(), seed=0, backend_latency=lambda call: current[0])
    statuses = []
    for ms in latencies:
        current[0] = ms / 1000
        statuses.append(gateway.invoke("GET", made.url + path).status_code)
    return latencies, statuses


# --- the view -----------------------------------------------------------------------------------------

def detail_html(outcome: ErrorOutcome) -> str:
    case = outcome.case
    rows = [("request", f"{case.method} {case.path}" + (f" ({len(case.body):,} bytes)" if case.body else "")),
            ("status", str(outcome.status)),
            ("gateway response", outcome.response_type or "none: the backend's own answer"),
            ("x-amzn-ErrorType", outcome.error_type or "-"),
            ("body", outcome.body),
            ("why", case.why)]
    cells = "".join(f"<tr><th style='text-align:left;padding-right:8px'>{html.escape(k)}</th>"
                    f"<td style='text-align:left'><code>{html.escape(v)}</code></td></tr>" for k, v in rows[:-1])
    cells += (f"<tr><th style='text-align:left'>why</th><td style='text-align:left'>{html.escape(case.why)} "
              f"<a href='{case.doc}' target='_blank'>AWS docs</a></td></tr>")
    return f"<table>{cells}</table>"


class ErrorLab(widgets.VBox):
    """The view: a dropdown of failures, the request flow, the answer and the execution log."""

    def __init__(self, case: str = "slow", lab: Any = None) -> None:
        self._lab = lab
        self.case = widgets.Dropdown(options=[(c.label, c.key) for c in CASES.values()], value=case,
                                     description="failure", style={"description_width": "70px"},
                                     layout=widgets.Layout(width="480px"))
        self.flow = widgets.HTML()
        self.detail = widgets.HTML()
        self.log_view = widgets.HTML()
        self.summary = summary_label()
        self.outcome: ErrorOutcome | None = None
        super().__init__([self.case, self.flow, self.summary, self.detail, self.log_view, wrap_style()])
        self.case.observe(self._changed, names="value")
        self.update()

    def update(self) -> None:
        """Run the model for the chosen failure and show what it returned."""
        lab, note = widget_lab(self._lab)
        outcome = run_error_case(self.case.value, lab)
        self.outcome = outcome
        self.flow.value = flow_html(outcome, min_width=70)
        self.summary.value = f"{note} {outcome.summary()}" if note else outcome.summary()
        self.detail.value = detail_html(outcome)
        self.log_view.value = log_html(outcome.execution_log)

    def _changed(self, _change: dict[str, Any]) -> None:
        self.update()


def error_lab(case: str = "slow", lab: Any = None) -> ErrorLab:
    """The error lab widget (a VBox), showing `case` first."""
    return ErrorLab(case, lab)
