"""The request path as step objects, built once per gateway (starlette's middleware, LocalStack's chain).

Each step is a small object with a trace `name`; the stateful ones own what they decide with (the
throttle its token buckets, the cache its stage caches, observe its observer). A step forwards
(`return next_step(call)`) or answers by raising the GatewayError AWS documents; `pipeline.Errors`
turns that, or any unexpected exception, into the response. Order, as AWS's documented facts imply
it: endpoint, route, payload size, [authorizer], API key, throttle, [request validation], cache,
integration.
"""

from __future__ import annotations

from . import endpoints
from .api_keys import api_keys
from .auth import authorization_is_open, authorize
from .cache import StageCaches, cache_control, cached_response, fetch_and_store, key_for, lookup
from .endpoints import VPCE_HEADER
from .http import Response
from .observe import Observer
from .pipeline import Call, CompileNext, Errors, Next, NotCompilable, PayloadLimit, start_trace
from .plans import plan_for
from .responses import GatewayError
from .throttle import Admission, Limits, admit, period_start, throttle_spec
from .trace import CANARY
from .validate import validate


class Observe:
    """Outermost: once the response is known, the observer logs, counts and traces the call."""

    name = ""

    def __init__(self, observer: Observer) -> None:
        self.observer = observer

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        """A class's metrics are tallied per class (compiled.settle); its logs and traces would be per request."""
        next_compile(call)
        stage, settings = call.snapshot.stage, call.plan.settings  # type: ignore[union-attr]
        if (stage.get("tracingEnabled") or (stage.get("accessLogSettings") or {}).get("destinationArn")
                or (settings.get("loggingLevel") or "OFF").upper() != "OFF"):
            raise NotCompilable("access logs, execution logs and traces are written per request")

    def __call__(self, call: Call, next_step: Next) -> Response:
        response = next_step(call)
        self.observer.record(call, response)
        return response


class CloudFront:
    """An edge-optimized endpoint's answers carry CloudFront's headers (endpoints.cloudfront)."""

    name = ""

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        next_compile(call)  # per-request headers: a simulated Outcome carries none of them

    def __call__(self, call: Call, next_step: Next) -> Response:
        return endpoints.cloudfront(call, next_step)


class Endpoint:
    """Custom domain names, the disabled default endpoint, PRIVATE endpoints (endpoints.endpoints)."""

    name = "endpoint"

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        """Only the stage's own endpoint compiles: custom domains, a disabled endpoint and PRIVATE APIs
        decide per request."""
        req = call.request
        if not req.api_id or req.base_path is not None or req.vpce_id is not None or VPCE_HEADER in req.headers:
            raise NotCompilable("a custom domain name or a VPC endpoint")
        snapshot = call.gateway.snapshot(req.api_id, req.stage)
        if snapshot is not None and (snapshot.deployment.rest_api.get("disableExecuteApiEndpoint")
                                     or "PRIVATE" in snapshot.deployment.endpoint_types):
            raise NotCompilable("a disabled default endpoint or a PRIVATE API")
        next_compile(call)

    def __call__(self, call: Call, next_step: Next) -> Response:
        return endpoints.endpoints(call, next_step)


class Resolve:
    """Find the deployed stage and the resource/method (and its route plan): an unknown one is 403
    Missing Authentication Token."""

    name = "route"

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        """A class is one deployment's: a canary taking some but not all requests decides per request."""
        req = call.request
        snapshot = call.gateway.snapshot(req.api_id, req.stage)
        if snapshot is None or snapshot.stage.get("tracingEnabled"):
            raise NotCompilable("no such stage, or a traced one")
        if snapshot.canary is not None and 0 < snapshot.canary_percent < 100:
            raise NotCompilable("a canary splits the stage's requests between two deployments")
        if snapshot.canary is not None and snapshot.canary_percent >= 100:
            snapshot = snapshot.canary
        call.snapshot, call.stage_variables = snapshot, snapshot.variables
        call.route = route = snapshot.deployment.router.match(req.method, req.path)
        call.plan = plan_for(snapshot, route, req.method)
        next_compile(call)

    def __call__(self, call: Call, next_step: Next) -> Response:
        req = call.request
        snapshot = call.gateway.snapshot(req.api_id, req.stage)
        if snapshot is None:
            raise GatewayError("MISSING_AUTHENTICATION_TOKEN", reason="no-stage")
        if snapshot.canary is not None and canary_draw(call.request_id) * 100 < snapshot.canary_percent:
            snapshot = snapshot.canary
            call.note(CANARY)  # the canary deployment answers (trace.py)
        call.snapshot = snapshot
        call.stage_variables = snapshot.variables
        if snapshot.stage.get("tracingEnabled"):
            start_trace(call)
        call.route = route = snapshot.deployment.router.match(req.method, req.path)
        call.plan = plan_for(snapshot, route, req.method)
        call.log("Starting execution for request: {}", call.request_id)
        call.log("HTTP Method: {}, Resource Path: {}", req.method, req.path)
        return next_step(call)


def canary_draw(request_id: str) -> float:
    """A number in [0, 1) from the random bits of the request id: the gateway's seeded generator drew
    them (Gateway.request_bits), so a seeded gateway splits the same requests the same way every run,
    and a stage without a canary draws nothing more."""
    return int(request_id[-12:], 16) / float(1 << 48)


class Authorize:
    """IAM, Lambda authorizers, Cognito and resource policies (auth.authorize)."""

    name = "authorizer"

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        if not authorization_is_open(call):
            raise NotCompilable("authorization decides per request")
        next_compile(call)

    def __call__(self, call: Call, next_step: Next) -> Response:
        return authorize(call, next_step)


class ApiKey:
    """A method with apiKeyRequired needs an enabled key in a usage plan for the stage (api_keys.py)."""

    name = "API key"

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        """The key every request of the class sends, checked once (a refused key: NotCompilable, via Errors)."""
        api_keys(call, lambda c: Response(200))
        next_compile(call)

    def __call__(self, call: Call, next_step: Next) -> Response:
        return api_keys(call, next_step)


class Throttle:
    """Admit the request at every level (usage plan, stage/method, account) or answer 429 (throttle.py)."""

    name = "throttle"

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        """The class's throttle levels, resolved once into an Admission its requests take from."""
        req, plan = call.request, call.plan
        spec = throttle_spec(call.usage_plan, call.api_key, plan.settings, req.api_id, req.stage,
                             plan.resource_path, req.method)
        call.request_class.admission = Admission(self.limits, spec)
        next_compile(call)

    def __call__(self, call: Call, next_step: Next) -> Response:
        assert call.route is not None and call.snapshot is not None
        req = call.request
        path = call.resource_path
        spec = throttle_spec(call.usage_plan, call.api_key, call.plan.settings, req.api_id, req.stage, path,
                             req.method)
        now = call.gateway.clock.now()
        refused = admit(self.limits, spec, now)
        if refused is not None:
            raise refused
        if spec.usage is not None:
            call.gateway.source.record_usage(*spec.usage, period_start(now, "DAY"))
        return next_step(call)


class Validate:
    """The method's request validator: parameters and body against its model (validate.py)."""

    name = "request validation"

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        if (call.route.method.get("requestValidatorId") or "").strip():  # type: ignore[union-attr]
            raise NotCompilable("a request validator reads each request")
        next_compile(call)

    def __call__(self, call: Call, next_step: Next) -> Response:
        return validate(call, next_step)


class Cache:
    """Serve from the stage cache, or call the integration and keep its response for the TTL (cache.py)."""

    name = "cache"

    def __init__(self, caches: StageCaches) -> None:
        self.caches = caches

    def compile(self, call: Call, next_compile: CompileNext) -> None:
        """The class looks its requests up in these caches with the route plan's settings."""
        call.request_class.caches = self.caches
        next_compile(call)

    def __call__(self, call: Call, next_step: Next) -> Response:
        assert call.route is not None and call.snapshot is not None
        req = call.request
        if not call.snapshot.stage.get("cacheClusterEnabled"):
            self.caches.drop(req.api_id, req.stage)
            return next_step(call)
        plan = call.plan
        settings = plan.cache
        if settings is None:
            return next_step(call)
        store = self.caches.for_stage(req.api_id, req.stage, settings.size)
        key = key_for(*plan.key_parameters, req, call.route.path_parameters, call.stage_variables)
        now = call.gateway.clock.now()
        refetch, warning = cache_control(req.headers, settings, call.may_invalidate_cache)
        entry = lookup(store, key, now, refetch)
        if entry is not None:
            call.cache_status = "HIT"
            call.answered_by = self.name
            call.log("Sending cached response")  # no integration call: no integration latency
            response = cached_response(entry)
        else:
            response = fetch_and_store(call, next_step, store, key, settings.ttl,
                                       "INVALIDATED" if refetch else "MISS", now)
        if warning:
            response.headers.add("Warning", warning)
        return response


def default_steps(limits: Limits, caches: StageCaches, observer: Observer) -> list:
    """The request path, outermost first, with the state each step owns."""
    return [Observe(observer), CloudFront(), Errors(), Endpoint(), Resolve(), PayloadLimit(), Authorize(), ApiKey(),
            Throttle(limits), Validate(), Cache(caches)]
