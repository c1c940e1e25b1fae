"""The Gateway: one `handle(request) -> response` that every door leads to.

`gw.invoke(...)`, the `requests` interception in a moto lab and the HTTP server all call `handle`,
on a RealClock for live requests or a VirtualClock for simulations.
"""

from __future__ import annotations

import base64
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any

from . import pipeline
from .auth.authorizers import AuthorizerCache
from .cache import StageCaches
from .changes import follow
from .clock import Clock, RealClock
from .compiled import compile_integration, prepare
from .doors.urls import request_from_url
from .endpoints import known_domains
from .http import Headers, Request, Response, as_bytes
from .integrations import IntegrationHandler, Integrations
from .lambda_concurrency import VirtualConcurrency
from .lambdas import LambdaRunner
from .observe import Observer
from .pipeline import Call, Step
from .ports import DefinitionSource, FunctionRunner, ServiceClients
from .responses import internal_error
from .snapshot import Deployment, StageSnapshot, canary_stage
from .steps import default_steps
from .throttle import ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT, Limits
from .trace import Trace, passed_before

_UUID_MASK = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_UUID_V4 = (0x4 << 76) | (0x2 << 62)
_EXT_MASK = (1 << 96) - 1

Latency = float | Mapping[str, float] | Callable[[Call], float]


class Gateway:
    """The local data plane for the APIs a control plane (moto, a server, AWS) defines.

    `backend_latency` is what integrations take on the virtual clock: seconds, a mapping from
    "METHOD /resource/path" to seconds, or a function of the call. The account-level throttle
    defaults to AWS's 10,000 requests/s with a burst of 5,000; lower it to experiment.
    `cache_bytes_per_gb` scales what a cache cluster holds (simulations shrink it to show evictions).
    `steps` replaces the request path (see steps.default_steps); `extra_steps` go outermost before it.
    `integrations` replaces the handlers of some integration types (see integrations.Integrations).
    """

    def __init__(self, source: DefinitionSource, clock: Clock | None = None, *, seed: int | None = None,
                 backend_latency: Latency = 0.02, steps: list[Step] | None = None,
                 account_rate_limit: float = ACCOUNT_RATE_LIMIT, account_burst_limit: int = ACCOUNT_BURST_LIMIT,
                 cache_bytes_per_gb: float = 1e9, services: ServiceClients | None = None,
                 timed_flush: bool = True, lambdas: FunctionRunner | None = None,
                 extra_steps: list[Step] | tuple[Step, ...] = (),
                 integrations: Mapping[str, IntegrationHandler] | None = None) -> None:
        self.source = source
        self.clock: Clock = clock or RealClock()
        self.lambdas: FunctionRunner = lambdas or LambdaRunner()
        self._owns_lambdas = lambdas is None  # a runner passed in is shared: its owner closes it
        self.integrations = Integrations(integrations)  # the handler of each integration type
        self._closed = False
        self.limits = Limits(account_rate_limit, account_burst_limit)
        self.caches = StageCaches(cache_bytes_per_gb)
        self.lambda_concurrency = VirtualConcurrency()  # functions' calls in flight on the virtual clock
        self.authorizer_cache = AuthorizerCache()
        self.services = services  # the backend's AWS services: AWS integrations, logs, metrics, traces
        self._unfollow = follow(source, self)  # flushes reach the caches through the source's changes
        self.observer = Observer(self, seed=seed, timed_flush=timed_flush)
        self._latency = backend_latency
        self._rng = random.Random(seed)
        self._id_lock = threading.Lock()
        self._stages: dict[tuple[str, str], tuple[Any, StageSnapshot | None]] = {}
        self._deployments: dict[tuple[str, str], Deployment] = {}
        self._lock = threading.Lock()
        path = steps if steps is not None else default_steps(self.limits, self.caches, self.observer)
        self.steps: list[Step] = [*extra_steps, *path]
        self._handler = pipeline.build(self.steps, self.integrations.integrate)
        # The same steps compile a simulated request class (compiled.py); None: some step cannot.
        self.compiler = pipeline.build_compiler(self.steps, compile_integration)

    # --- the one entry point ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer one request through the pipeline."""
        call = self._new_call(request)
        try:
            response = self._handler(call)
        except Exception as exc:  # noqa: BLE001 - a step outside `pipeline.Errors` failed: still AWS's 500
            error = internal_error(exc)
            error.step = "gateway"
            response = pipeline.error_response(call, error)
        response.latency = (self.clock.now() - call.started) + call.simulated_latency
        response.integration_latency = call.integration_latency
        response.cache_status = call.cache_status
        response.execution_log = _LazyLog(call)
        response.trace = trace_of(call, response)
        return response

    def invoke(self, method: str, url: str, headers: Mapping[str, str] | None = None,
               body: bytes | str | dict | list | None = None, *, source_ip: str = "127.0.0.1",
               vpce_id: str | None = None) -> Response:
        """Call a stage URL: `https://{api}.execute-api.{region}.amazonaws.com/{stage}/path` or the
        local server's `/restapis/{api}/{stage}/_user_request_/path`, or a custom domain name's URL
        (`https://api.example.com/v1/path`). `vpce_id`: the VPC endpoint the request comes through
        (the kit's simulation, for PRIVATE APIs and aws:SourceVpce)."""
        request = request_from_url(method, url, headers, as_bytes(body), source_ip=source_ip,
                                   domains=lambda: known_domains(self.source))
        if vpce_id is not None:
            request.vpce_id = vpce_id
        return self.handle(request)

    @staticmethod
    def request_from_url(method: str, url: str, headers: Mapping[str, str] | Headers | None, body: bytes,
                         *, source_ip: str = "127.0.0.1") -> Request:
        """Parse a stage URL into a Request; a URL that names no stage raises ValueError (doors/urls.py)."""
        return request_from_url(method, url, headers, body, source_ip=source_ip)

    # --- what the steps use -----------------------------------------------------------------------

    def snapshot(self, api_id: str, stage_name: str) -> StageSnapshot | None:
        """The compiled stage, recompiled only when the control plane reports a change."""
        version = self.source.version()
        key = (api_id, stage_name)
        cached = self._stages.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        stage = self.source.stage(api_id, stage_name)
        compiled = None
        if stage and stage.get("deploymentId"):
            deployment = self._deployment(api_id, stage["deploymentId"])
            if deployment is not None:
                compiled = StageSnapshot(api_id, stage_name, deployment, stage)
                if stage.get("canarySettings"):
                    seen = canary_stage(stage)
                    canary = self._deployment(api_id, seen["deploymentId"])
                    if canary is not None:
                        compiled.canary = StageSnapshot(api_id, stage_name, canary, seen, is_canary=True)
        with self._lock:
            self._stages[key] = (version, compiled)
        return compiled

    def _deployment(self, api_id: str, deployment_id: str) -> Deployment | None:
        key = (api_id, deployment_id)
        found = self._deployments.get(key)
        if found is None:
            definition = self.source.definition(api_id, deployment_id)
            if definition is None:
                return None
            found = Deployment(deployment_id, definition)
            with self._lock:
                self._deployments[key] = found
        return found

    def prepare(self, request: Request) -> Any:
        """Compile `request`'s class for simulations (see compiled.py); None if it needs `handle`."""
        return prepare(self, request)

    def flush(self) -> dict[str, int]:
        """Write buffered access logs, execution logs, metrics and traces to the backend now."""
        return self.observer.flush()

    @property
    def fixed_latency(self) -> bool:
        """Whether the simulated backend latency is the same for every call of a route (not a function)."""
        return not callable(self._latency)

    def backend_latency(self, call: Call) -> float:
        """Simulated integration latency on the virtual clock."""
        latency = self._latency
        if callable(latency):
            return float(latency(call))
        if isinstance(latency, Mapping):
            key = f"{call.request.method} {call.resource_path}"
            return float(latency.get(key, latency.get(call.resource_path, latency.get("*", 0.02))))
        return float(latency)

    def request_bits(self) -> int:
        """The random bits of one request's ids, drawn from the seeded generator in request order."""
        with self._id_lock:
            return self._rng.getrandbits(224)

    def _new_call(self, request: Request, bits: int | None = None) -> Call:
        if bits is None:
            bits = self.request_bits()
        # A version-4 UUID from 128 of the bits, and the extended id from the other 96.
        h = "%032x" % ((bits >> 96) & _UUID_MASK | _UUID_V4)
        request_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        extended = base64.b64encode((bits & _EXT_MASK).to_bytes(12, "big")).decode()
        return Call(request=request, gateway=self, request_id=request_id, extended_request_id=extended,
                    started=self.clock.now())

    def new_call(self, request: Request, bits: int | None = None) -> Call:
        """A Call for `request` (test-invoke and compiled request classes run steps themselves);
        `bits` from `request_bits()` when the caller drew them already."""
        return self._new_call(request, bits)

    def close(self) -> None:
        """Stop hearing the source's changes, flush and stop the observer, close the function runner
        this gateway made, the HTTP integrations' connections and the stage caches; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._unfollow()
        try:
            self.observer.close()
        finally:
            if self._owns_lambdas:
                self.lambdas.close()  # type: ignore[attr-defined]  # LambdaRunner: the runner it made
            self.integrations.close()
            self.caches.close()
            self.lambda_concurrency.close()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _LazyLog(list):  # type: ignore[type-arg]
    """A response's execution log, formatted the first time it is read."""

    def __init__(self, call: Call) -> None:
        super().__init__()
        self._call: Call | None = call

    def _fill(self) -> None:
        if self._call is not None:
            call, self._call = self._call, None
            self.extend(call.execution_log())

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        self._fill()
        return super().__getitem__(index)

    def __repr__(self) -> str:
        self._fill()
        return super().__repr__()

    # list's C methods read the items without __iter__: each fills the log first, so
    # `line in response.execution_log` and `==` see the lines.
    def __contains__(self, line: object) -> bool:
        self._fill()
        return super().__contains__(line)

    def __eq__(self, other: object) -> bool:
        self._fill()
        if isinstance(other, _LazyLog):
            other._fill()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]  # a list: unhashable, as __eq__ is defined here

    def __reversed__(self):  # type: ignore[no-untyped-def]
        self._fill()
        return super().__reversed__()

    def index(self, line, *args):  # type: ignore[no-untyped-def]
        self._fill()
        return super().index(line, *args)

    def count(self, line: object) -> int:
        self._fill()
        return super().count(line)


def trace_of(call: Call, response: Response) -> Trace:
    """Who answered `call` and why (trace.py), from what the steps recorded on it."""
    error = call.error
    if error is not None:
        answered_by = error.step or "integration"
        reason, detail = error.reason, error.message
    else:
        answered_by = call.answered_by or "integration"
        reason = "cache-hit" if answered_by == "cache" else "ok"
        detail = None
    facts = frozenset(call.facts) if call.facts else frozenset()
    return Trace(call.request_id, answered_by, response.status_code, response.gateway_response, reason, detail,
                 passed_before(answered_by, call.entered), facts, call.started, response.latency,
                 call.integration_latency)
