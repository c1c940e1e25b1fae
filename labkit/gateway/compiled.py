"""A request class compiled once, for simulations: the same decisions as `Gateway.handle`, faster.

`prepare` compiles a class (same method, path, stage and API key) with the gateway's own steps: each
step's `compile` hook (pipeline.Step) does once what is the same for every request of the class
(routing and the route plan, the endpoint, authorization (none), the API key and usage plan), hands
its per-request part to the class (the throttle its Admission, the cache its stage caches), or
refuses. `send` runs per request only what the request or the time decides, with the code the
pipeline uses (`Admission.take`, the functions of cache.py, `integrations.integrate`,
`pipeline.error_response`). Two kinds of class:

- a MOCK class (a MOCK integration with static templates and a fixed backend latency) answers its
  own request over and over: the throttle buckets and quota, the stage cache, and the MOCK's
  answer, made once (a MOCK past the integration timeout is not compiled);
- an integration class (any other integration, or a MOCK that reads the request) answers any request
  of the class: the throttle buckets and quota, the cache key from the request's own values, its
  Cache-Control, the stage cache lookup and, on a miss or without a cache, the integration itself on
  a Call with the request ids the full pipeline would have drawn (so the backend sees the same event).

Metrics are tallied per class and handed to the observer by `settle`. A class that a step refuses
(authorizers, validation, logs, traces; any step without a `compile` hook) is not compiled: `prepare`
returns None and the caller uses `Gateway.handle`; a request that does not fit its class is
answered by `Gateway.handle`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import integrations
from .cache import CacheSettings, StageCaches, cache_control, cached_response, fetch_and_store, key_for, lookup
from .endpoints import VPCE_HEADER
from .http import Headers, Request, Response
from .observe import integration_latency
from .pipeline import MAX_PAYLOAD_BYTES, Call, Next, NotCompilable, error_response
from .responses import GatewayError, gateway_response
from .plans import RoutePlan
from .throttle import ADMITTED, QUOTA_SPENT, Admission, ThrottleSpec, period_start

REFUSED = ("THROTTLED", "QUOTA_EXCEEDED")  # the gateway responses `take` can give

if TYPE_CHECKING:
    from .engine import Gateway


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a simulated request got: status, the seconds its caller waited, the gateway response type
    when API Gateway answered itself (e.g. THROTTLED), what the stage cache did (HIT, MISS or None)
    and the seconds the metrics count as IntegrationLatency (None: not counted).

    `headers` and `body` (integration classes): the method response's, the cache's `x-labkit-cache`
    and `Warning` included; not the per-request ids or CloudFront's headers, which only `handle` adds."""

    status: int
    latency: float
    gateway_response: str | None = None
    cache_status: str | None = None
    integration_latency: float | None = None
    headers: Headers | None = field(default=None, compare=False)
    body: bytes = field(default=b"", compare=False)


@dataclass(eq=False)
class Prepared:
    """One compiled request class."""

    gateway: Gateway
    request: Request  # the request the class was compiled from (a MOCK class answers only this one)
    call: Call  # what the steps `prepare` ran set: snapshot, route, plan, stage variables, API key and usage plan
    version: Any
    current_version: Any  # the source's version(), bound once (called per request)
    plan: RoutePlan  # the route plan `handle()` uses too: settings, cache settings, dimensions
    spec: ThrottleSpec
    admission: Admission  # the spec's buckets and quota (from the throttle step)
    caches: StageCaches  # the stage caches (from the cache step)
    cluster_off: bool  # the stage has no cache cluster: an admitted request drops any left (as the cache step does)
    response: Response | None = None  # a MOCK class's answer, made once; None: integrate per request
    key: tuple[Any, ...] = ()  # a MOCK class's cache key
    api_key_value: str | None = None  # the x-api-key every request of the class sends (when the method needs one)
    # Per-minute tallies of (status, latency, integration latency, cache status) and of usage per day,
    # handed to the observer and the usage ledger by `settle` (the observer settles before flushing).
    tally: dict[tuple[Any, ...], int] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    outcomes: dict[Any, Outcome] = field(default_factory=dict)  # the answers a MOCK class can give, made once
    day: tuple[float, float, str] = (0.0, -1.0, "")  # the UTC day `now` is in: start, end, name


# --- compiling ------------------------------------------------------------------------------------------

@dataclass
class ClassParts:
    """What the steps' `compile` hooks hand to a request class: the throttle's Admission and the
    stage caches the cache step serves from."""

    admission: Admission | None = None
    caches: StageCaches | None = None


def prepare(gateway: Gateway, request: Request) -> Prepared | None:
    """Compile `request`'s class by running every step's `compile` hook (pipeline.Step), or None when
    a step needs the full pipeline for it (authorizers, a resource policy, validation, logs, traces,
    a private endpoint, a step without a hook)."""
    compiler = gateway.compiler
    if compiler is None or not gateway.clock.virtual:
        return None
    call = gateway.new_call(request, bits=0)  # no draw: the class's requests draw their own ids
    parts = call.request_class = ClassParts()
    try:
        compiler(call)
    except (NotCompilable, GatewayError):
        return None
    call.request_class = None
    assert call.snapshot is not None and call.route is not None and parts.admission is not None
    plan: RoutePlan = call.plan
    prepared = Prepared(
        gateway=gateway, request=request, call=call, version=gateway.source.version(),
        current_version=gateway.source.version, plan=plan,
        spec=parts.admission.spec, admission=parts.admission, caches=parts.caches or gateway.caches,
        cluster_off=not call.snapshot.stage.get("cacheClusterEnabled"),
        api_key_value=request.headers.get("x-api-key") if call.route.method.get("apiKeyRequired") else None,
    )
    if _static_mock(gateway, plan.integration, request):  # type: ignore[arg-type]
        return _mock_class(prepared)
    gateway.observer.compiled[prepared] = None
    return prepared


def compile_integration(call: Call) -> None:
    """The pipeline's endpoint for compiling: a method without an integration is answered by `handle`
    (API_CONFIGURATION_ERROR)."""
    if not call.plan.integration:
        raise NotCompilable("no integration")


def _plain(request: Request) -> bool:
    """A request to the stage's own endpoint with no VPC endpoint and a payload under the limit (what
    the endpoint and payload-size steps let a class through with)."""
    return (bool(request.api_id) and request.base_path is None and request.vpce_id is None
            and VPCE_HEADER not in request.headers and len(request.body) <= MAX_PAYLOAD_BYTES)


def _static_mock(gateway: Gateway, integration: Mapping[str, Any], request: Request) -> bool:
    """A MOCK whose answer and latency are the same every time (templates that read nothing)."""
    if (integration.get("type") or "").upper() != "MOCK" or not gateway.fixed_latency or len(request.body) > 0:
        return False
    templates = [*(integration.get("requestTemplates") or {}).values()]
    for response in (integration.get("integrationResponses") or {}).values():
        templates += [*(response.get("responseTemplates") or {}).values()]
    return not any(t and ("$" in t or "#" in t) for t in templates)


def _mock_class(prepared: Prepared) -> Prepared | None:
    """Make the MOCK's answer and every outcome the class can give, once."""
    call, request, gateway = prepared.call, prepared.request, prepared.gateway
    try:
        response = integrations.integrate(call)  # MOCK with static templates: the same every time
        if prepared.plan.cache is not None:
            refetch, warning = cache_control(request.headers, prepared.plan.cache, False)
            if refetch or warning:
                return None  # Cache-Control on every request: `handle` answers it
    except GatewayError:
        return None
    prepared.response = response
    cache = prepared.plan.cache
    prepared.key = key_for(*prepared.plan.key_parameters, request, call.route.path_parameters,  # type: ignore[union-attr]
                           call.stage_variables) if cache is not None else ()
    cache_status = "MISS" if cache is not None else None
    answered = Outcome(response.status_code, call.simulated_latency, None, cache_status,
                       integration_latency(call.simulated_latency, cache_status))  # past the timeout, integrate raised
    gateway_responses = call.snapshot.deployment.gateway_responses  # type: ignore[union-attr]
    prepared.outcomes = {
        kind: Outcome(gateway_response(GatewayError(kind), gateway_responses, dict, dict).status_code, 0.0,
                      kind)  # customised statuses apply
        for kind in REFUSED}
    prepared.outcomes["ok"] = prepared.outcomes["miss"] = answered
    gateway.observer.compiled[prepared] = None
    return prepared


# --- answering ------------------------------------------------------------------------------------------

def send(prepared: Prepared, request: Request | None = None) -> Outcome | None:
    """Answer one request of the class (default: the one it was compiled from) at the clock's current
    time; None if the class went stale (a deployment or a stage, key or plan changed): prepare it again."""
    gateway = prepared.gateway
    if prepared.current_version() != prepared.version:
        settle(prepared)
        gateway.observer.compiled.pop(prepared, None)  # never tallies again
        return None
    if request is None:
        request = prepared.request
    elif request is not prepared.request and not fits(prepared, request):
        return _handled(gateway, request)
    mock = prepared.response is not None
    bits = 0 if mock else gateway.request_bits()  # an integration class keeps the pipeline's request ids
    now = gateway.clock.now()
    verdict = prepared.admission.take(now)
    if verdict != ADMITTED:
        outcome = _refused(prepared, request, bits, verdict)
    else:
        if prepared.spec.usage is not None:
            _count_usage(prepared, now)
        if prepared.cluster_off:  # the first admitted request drops what a cache cluster left
            prepared.caches.drop(request.api_id, request.stage)
            prepared.cluster_off = False  # none can be made while the stage stays so: a change makes a new class
        outcome = _mock_answer(prepared, now) if mock else _integration_answer(prepared, request, bits, now)
    # What the metrics count, per minute (a tuple: the tally keeps no headers alive).
    counted = (now - now % 60, outcome.status, outcome.latency, outcome.integration_latency, outcome.cache_status)
    prepared.tally[counted] = prepared.tally.get(counted, 0) + 1
    return outcome


def fits(prepared: Prepared, request: Request) -> bool:
    """Whether `request` belongs to the class: the decisions `prepare` took once hold for it."""
    template = prepared.request
    return (prepared.response is None and request.method == template.method and request.path == template.path
            and request.api_id == template.api_id and request.stage == template.stage and _plain(request)
            and (prepared.api_key_value is None or request.headers.get("x-api-key") == prepared.api_key_value))


def _handled(gateway: Gateway, request: Request) -> Outcome:
    """A request outside the class, answered (and counted) by the full pipeline."""
    response = gateway.handle(request)
    return Outcome(response.status_code, response.latency, response.gateway_response, response.cache_status,
                   integration_latency(response.integration_latency, response.cache_status), response.headers,
                   response.body)


def _refused(prepared: Prepared, request: Request, bits: int, verdict: int) -> Outcome:
    """429 THROTTLED or QUOTA_EXCEEDED: made once for a MOCK class, as the errors step makes it otherwise."""
    if prepared.response is not None:
        return prepared.outcomes["QUOTA_EXCEEDED" if verdict == QUOTA_SPENT else "THROTTLED"]
    call = _request_call(prepared, request, bits)
    return _outcome(call, error_response(call, prepared.admission.refusal(verdict)))


def _count_usage(prepared: Prepared, now: float) -> None:
    """An admitted request counts against its key's usage for the UTC day (GetUsage)."""
    start, end, day = prepared.day
    if not start <= now < end:
        day = period_start(now, "DAY")
        start = now - now % 86400
        prepared.day = (start, start + 86400, day)
    prepared.usage[day] = prepared.usage.get(day, 0) + 1


def _mock_answer(prepared: Prepared, now: float) -> Outcome:
    """The MOCK's answer made once, or the cached one."""
    outcomes = prepared.outcomes
    cache = prepared.plan.cache
    if cache is None:
        return outcomes["ok"]
    store = prepared.caches.for_stage(prepared.request.api_id, prepared.request.stage, cache.size)
    hit = lookup(store, prepared.key, now, False)
    if hit is not None:
        return outcomes.get(hit.status) or outcomes.setdefault(hit.status, Outcome(hit.status, 0.0, None, "HIT"))
    store.put(prepared.key, prepared.response, cache.ttl, now)  # type: ignore[arg-type]
    return outcomes["miss"]


def _integration_answer(prepared: Prepared, request: Request, bits: int, now: float) -> Outcome:
    """The integration's answer for this request, through the stage cache when the method is cached."""
    if prepared.plan.cache is None:
        return _answered(_request_call(prepared, request, bits), integrations.integrate)
    return _cache_answer(prepared, prepared.plan.cache, request, bits, now)


def _cache_answer(prepared: Prepared, settings: CacheSettings, request: Request, bits: int, now: float) -> Outcome:
    """What the cache step answers: the cached response, or the integration's, kept for the TTL."""
    route, stage_variables = prepared.call.route, prepared.call.stage_variables
    assert route is not None
    store = prepared.caches.for_stage(request.api_id, request.stage, settings.size)
    key = key_for(*prepared.plan.key_parameters, request, route.path_parameters, stage_variables)
    try:
        refetch, warning = cache_control(request.headers, settings, False)  # no IAM: no InvalidateCache right
    except GatewayError as error:
        call = _request_call(prepared, request, bits)
        return _outcome(call, error_response(call, error))
    entry = lookup(store, key, now, refetch)
    if entry is not None:
        response = cached_response(entry)
        if warning:
            response.headers.add("Warning", warning)
        return Outcome(response.status_code, 0.0, None, "HIT", None, response.headers, response.body)
    call = _request_call(prepared, request, bits)
    status = "INVALIDATED" if refetch else "MISS"
    return _answered(call, lambda c: fetch_and_store(c, integrations.integrate, store, key, settings.ttl, status, now),
                     warning)


def _request_call(prepared: Prepared, request: Request, bits: int) -> Call:
    """A Call for one request of the class, as the steps before the integration leave it."""
    template = prepared.call
    call = prepared.gateway.new_call(request, bits)
    call.snapshot, call.route, call.stage_variables = template.snapshot, template.route, template.stage_variables
    call.plan = template.plan
    call.api_key, call.usage_plan = template.api_key, template.usage_plan
    return call


def _answered(call: Call, endpoint: Next, warning: str | None = None) -> Outcome:
    """Run `endpoint` (the integration, through the cache or not); a GatewayError becomes its gateway response."""
    try:
        response = endpoint(call)
    except GatewayError as error:
        return _outcome(call, error_response(call, error))
    if warning:
        response.headers.add("Warning", warning)
    return _outcome(call, response)


def _outcome(call: Call, response: Response) -> Outcome:
    """The Outcome of a request answered on a Call, with the latencies `Gateway.handle` and the metrics give."""
    latency = (call.gateway.clock.now() - call.started) + call.simulated_latency
    return Outcome(response.status_code, latency, response.gateway_response, call.cache_status,
                   integration_latency(call.integration_latency, call.cache_status), response.headers, response.body)


def settle(prepared: Prepared) -> None:
    """Hand the class's tallies to the observer's metrics and the usage ledger (GetUsage)."""
    gateway = prepared.gateway
    tally, prepared.tally = prepared.tally, {}
    usage, prepared.usage = prepared.usage, {}
    gateway.observer.count_tally(prepared.plan.dimensions, tally)
    if prepared.spec.usage is not None:
        for day, n in usage.items():
            gateway.source.record_usage(*prepared.spec.usage, day, n)
