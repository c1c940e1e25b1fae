"""A request class compiled once, for simulations: the same decisions as `Gateway.handle`, faster.

Requests of one class (same method, path, stage and API key) differ only in *when* they arrive.
`prepare` runs the steps whose outcome cannot change between them once — routing, the API key and
usage plan, the MOCK integration's response, the cache key — and `send` runs per request only what
time decides: the throttle buckets and quota (through `throttle.admit`, the code the pipeline
uses), the stage cache, the simulated latency against the integration timeout, and the metrics.
A class that needs more (authorizers, validation, non-MOCK integrations, logs, traces) is not
compiled: `prepare` returns None and the caller uses `Gateway.handle`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import integrations
from .api_keys import api_keys
from .cache import DEFAULT_TTL_SECONDS, cache_key
from .http import Request, Response
from .observe import api_name, metric_dimensions
from .responses import GatewayError, gateway_response
from .throttle import ADMITTED, QUOTA_SPENT, Quota, ThrottleSpec, TokenBucket, period_start, take, throttle_spec

REFUSED = ("THROTTLED", "QUOTA_EXCEEDED")  # the gateway responses `take` can give

if TYPE_CHECKING:
    from .engine import Gateway


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a simulated request got: status, the seconds its caller waited, and the gateway
    response type when API Gateway answered itself (e.g. THROTTLED, QUOTA_EXCEEDED)."""

    status: int
    latency: float
    gateway_response: str | None = None
    cache_status: str | None = None


@dataclass(eq=False)
class Prepared:
    """One compiled request class."""

    gateway: Gateway
    request: Request
    version: Any
    spec: ThrottleSpec
    response: Response
    latency: float
    timeout: float
    cache: tuple[str, str, str, int, tuple[Any, ...]] | None  # api, stage, size, ttl, key
    dimensions: tuple[tuple[tuple[str, str], ...], ...]
    epoch: int = -1  # the Limits epoch `buckets` and `quota` were resolved in
    buckets: list[TokenBucket] | None = None
    quota: Quota | None = None
    # Per-minute tallies of (status, latency ms, integration ms, cache status) and of usage per day,
    # handed to the observer and the usage ledger by `settle` (the observer settles before flushing).
    tally: dict[tuple[Any, ...], int] | None = None
    usage: dict[str, int] | None = None
    outcomes: dict[Any, Outcome] | None = None  # the answers this class can give, made once
    day: tuple[float, float, str] = (0.0, -1.0, "")  # the UTC day `now` is in: start, end, name


def _accounted_steps() -> frozenset[Any]:
    """The pipeline steps whose effect `prepare` and `send` reproduce (or whose cases they refuse).
    A gateway with any other step is never compiled: a new step cannot be skipped silently."""
    from . import endpoints, pipeline
    from .auth import authorize
    from .cache import cache
    from .observe import observe
    from .throttle import throttle
    from .validate import validate

    return frozenset({observe, endpoints.cloudfront, pipeline.errors, endpoints.endpoints, pipeline.resolve,
                      pipeline.limits, authorize, api_keys, throttle, validate, cache})


def prepare(gateway: Gateway, request: Request) -> Prepared | None:
    """Compile `request`'s class, or None when it needs the full pipeline."""
    if not set(gateway.steps) <= _accounted_steps():
        return None
    snapshot = gateway.snapshot(request.api_id, request.stage)
    if snapshot is None or callable(gateway._latency) or not gateway.clock.virtual:
        return None
    stage = snapshot.stage
    if stage.get("tracingEnabled") or (stage.get("accessLogSettings") or {}).get("destinationArn"):
        return None
    call = gateway.new_call(request)
    call.snapshot, call.stage_variables = snapshot, snapshot.variables
    try:
        call.route = snapshot.deployment.router.match(request.method, request.path)
    except GatewayError:
        return None
    method = call.route.method
    settings = snapshot.method_settings(call.resource_path, request.method)
    integration = method.get("methodIntegration") or {}
    rest_api = snapshot.deployment.rest_api
    if (rest_api.get("disableExecuteApiEndpoint") or "PRIVATE" in snapshot.deployment.endpoint_types
            or request.vpce_id or "x-labkit-vpce-id" in request.headers):
        return None  # the endpoint decides (endpoints.py)
    if ((method.get("authorizationType") or "NONE").upper() != "NONE" or snapshot.deployment.rest_api.get("policy")
            or method.get("requestValidatorId") or (integration.get("type") or "").upper() != "MOCK"
            or (settings.get("loggingLevel") or "OFF").upper() != "OFF" or len(request.body) > 0):
        return None
    templates = [*(integration.get("requestTemplates") or {}).values()]
    for response in (integration.get("integrationResponses") or {}).values():
        templates += [*(response.get("responseTemplates") or {}).values()]
    if any(t and ("$" in t or "#" in t) for t in templates):
        return None  # a template that reads the request or the context: render it per request
    try:
        api_keys(call, lambda c: Response(200))
        response = integrations.integrate(call)  # MOCK with static templates: the same every time
    except GatewayError:
        return None
    cache = None
    if stage.get("cacheClusterEnabled"):
        enabled = settings.get("cachingEnabled", request.method == "GET")
        ttl = int(settings.get("cacheTtlInSeconds", DEFAULT_TTL_SECONDS))
        if enabled and ttl > 0:
            cache = (request.api_id, request.stage, str(stage.get("cacheClusterSize") or "0.5"), ttl, cache_key(call))
    prepared = Prepared(
        gateway=gateway, request=request, version=gateway.source.version(),
        spec=throttle_spec(call.usage_plan, call.api_key, settings, request.api_id, request.stage,
                           call.resource_path, request.method),
        response=response, latency=call.simulated_latency, timeout=integrations.timeout_seconds(integration),
        cache=cache,
        dimensions=metric_dimensions(api_name(snapshot.deployment.rest_api, request.api_id), request.stage,
                                     request.method, call.resource_path, bool(settings.get("metricsEnabled"))),
        tally={}, usage={},
    )
    cache_status = "MISS" if cache is not None else None
    timed_out = call.simulated_latency > prepared.timeout
    answered = Outcome(504, call.simulated_latency, "INTEGRATION_TIMEOUT", cache_status) if timed_out else \
        Outcome(response.status_code, call.simulated_latency, None, cache_status)
    prepared.outcomes = {
        kind: Outcome(gateway_response(GatewayError(kind), snapshot.deployment.gateway_responses, dict,
                                       dict).status_code, 0.0, kind)  # customised statuses apply
        for kind in REFUSED}
    prepared.outcomes["ok"] = prepared.outcomes["miss"] = answered
    gateway.observer.compiled.add(prepared)
    return prepared


def send(prepared: Prepared) -> Outcome | None:
    """Answer one request of the class at the clock's current time; None if the class went stale
    (a deployment or a stage, key or plan changed): prepare it again."""
    gateway = prepared.gateway
    if gateway.source.version() != prepared.version:
        settle(prepared)
        return None
    now = gateway.clock.now()
    limits = gateway.limits
    with limits._lock:
        if prepared.epoch != limits.epoch or prepared.buckets is None:
            prepared.buckets, prepared.quota = limits.resolve(prepared.spec, now)
            prepared.epoch = limits.epoch
        verdict = take(prepared.buckets, prepared.quota, now)
    outcomes = prepared.outcomes
    if verdict != ADMITTED:
        outcome = outcomes["QUOTA_EXCEEDED" if verdict == QUOTA_SPENT else "THROTTLED"]
    else:
        if prepared.spec.usage is not None:
            start, end, day = prepared.day
            if not start <= now < end:
                day = period_start(now, "DAY")
                start = now - now % 86400
                prepared.day = (start, start + 86400, day)
            prepared.usage[day] = prepared.usage.get(day, 0) + 1  # type: ignore[index,union-attr]
        if prepared.cache is None:
            outcome = outcomes["ok"]
        else:
            api_id, stage, size, ttl, key = prepared.cache
            store = gateway.caches.for_stage(api_id, stage, size)
            hit = store.get(key, now)
            if hit is not None:
                outcome = outcomes.get(hit.status) or outcomes.setdefault(hit.status, Outcome(hit.status, 0.0, None,
                                                                                              "HIT"))
            else:
                outcome = outcomes["miss"]
                if outcome.status != 504:
                    store.put(key, prepared.response, ttl, now)
    minute = now - now % 60
    tally = prepared.tally
    tally[(minute, outcome)] = tally.get((minute, outcome), 0) + 1  # type: ignore[union-attr]
    return outcome


def settle(prepared: Prepared) -> None:
    """Hand the class's tallies to the observer's metrics and the usage ledger (GetUsage)."""
    gateway = prepared.gateway
    tally, prepared.tally = prepared.tally or {}, {}
    usage, prepared.usage = prepared.usage or {}, {}
    with gateway.observer._lock:
        for (minute, outcome), n in tally.items():
            reached_backend = outcome.cache_status != "HIT" and outcome.gateway_response not in REFUSED
            integration_ms = prepared.latency * 1000 if reached_backend else None
            gateway.observer.count(prepared.dimensions, minute, outcome.status, outcome.latency * 1000,
                                   integration_ms, outcome.cache_status, n)
    if prepared.spec.usage is not None:
        for day, n in usage.items():
            gateway.source.record_usage(*prepared.spec.usage, day, n)
