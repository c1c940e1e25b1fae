"""The stage cache in virtual time: hit ratio, backend load, latency, stale reads and cost.

Every simulated request goes through the gateway on a VirtualClock: through its compiled request class
(labkit/gateway/compiled.py: the pipeline's own cache, throttle and integration code, run per request)
or, with `fast=False`, through `Gateway.handle`; both give the same records. The simulator does not model
the cache: the gateway's stage cache (labkit/gateway/cache.py) decides every HIT and MISS, with the
stage set up through ordinary boto3 `update_stage` calls (`/cacheClusterEnabled`, `/cacheClusterSize`,
`/*/*/caching/enabled`, `/*/*/caching/ttlInSeconds`, `/*/*/caching/requireAuthorizationForCacheControl`)
and the key in a query string that the integration lists in `cacheKeyParameters`.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html

The backend is a Lambda proxy function that returns the **current version** of the item asked for:
the runner knows when each item's data changes (a seeded Poisson schedule) and passes the version
current at the request's virtual time in a header that is not part of the cache key. A response
served from the cache carries the version it was fetched with; if the item changed since, that
answer is a **stale read**. Nothing is inferred: staleness is read off what the gateway served.

Scale model: AWS does not say how many responses a cache cluster holds. The gateway assumes
`size × cache_bytes_per_gb` bytes; real clusters (10^9 bytes per GB) would never fill at a
learner's request rates, so scenarios default to `cache_bytes_per_gb = 1e6` — a 1:1000 model in
which a 0.5 GB cluster holds about 500 KB of responses and evicts when thousands of keys compete.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..api_calls import ensure_resource, lambda_uri
from ..gateway.cache import CACHE_CLUSTER_SIZES, CACHE_HEADER, MAX_ENTRY_BYTES, MAX_TTL_SECONDS
from ..gateway.clock import VirtualClock
from ..gateway.compiled import send
from ..gateway.http import Headers, Request
from ..pricing import cache_cost, cache_size_name
from .ports import SimLab
from .traffic import MAX_REQUESTS, Poisson, check_rate, check_seconds

SCALE_BYTES_PER_GB = 1e6  # the simulations' default: a 1:1000 scale model of a cache cluster (see module doc)
MAX_KEYS = 1_000_000

# What the stage cache did with one request (the `cache` column of CacheResult.records).
MISS, HIT, INVALIDATED, OFF = range(4)
CACHE_OUTCOMES = ("miss", "hit", "invalidated", "off")  # off: caching disabled (TTL 0), straight to the backend
_OUTCOME_OF_HEADER = {"MISS": MISS, "HIT": HIT, "INVALIDATED": INVALIDATED}

CACHE_RECORD_DTYPE = np.dtype([
    ("time", "f8"),     # seconds since the start of the run when the request reached the gateway
    ("key", "i4"),      # popularity rank of the item asked for (0 = the most popular)
    ("cache", "i1"),    # MISS, HIT, INVALIDATED or OFF
    ("stale", "?"),     # the answer carried an older version of the item than the backend holds
    ("latency", "f8"),  # seconds the caller waited (virtual)
    ("status", "i4"),   # HTTP status the gateway answered
])

API_NAME = "labkit-sim-cache"
STAGE = "cache"
RESOURCE = "/items"
QUERY = "item"
KEY_PARAMETER = f"method.request.querystring.{QUERY}"
VERSION_HEADER = "x-data-version"   # request: the backend's current version; response: the version served
SIZE_HEADER = "x-response-bytes"    # request: how large the backend makes its answer

# The backend: echoes the version it is told is current, padded to the size asked for.
BACKEND_SOURCE = '''
import json

def handler(event, context):
    headers = event.get("headers") or {}
    item = (event.get("queryStringParameters") or {}).get("item")
    version = headers.get("x-data-version", "0")
    body = json.dumps({"item": item, "version": int(version)})
    body += " " * max(0, int(headers.get("x-response-bytes", "0")) - len(body))  # JSON may end in spaces
    return {"statusCode": 200, "headers": {"x-data-version": version}, "body": body}
'''

# Seeded streams, one per purpose: changing one part of a scenario leaves the others' draws alone.
_ARRIVALS, _KEYS, _INVALIDATIONS, _CHANGES, _LATENCY = range(5)


# --- the scenario -----------------------------------------------------------------------------------------

def _number(value: Any, name: str, low: float, high: float, *, integer: bool = False) -> None:
    kind = (int,) if integer else (int, float)
    ok = isinstance(value, kind) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not low <= value <= high:
        what = "a whole number" if integer else "a number"
        raise ValueError(f"{name} must be {what} in [{low:g}, {high:g}], got {value!r}")


@dataclass(frozen=True)
class CacheScenario:
    """Clients reading `keys` items with Zipf popularity through a cached stage, for `duration` seconds.

    - `request_rate`: requests/s (Poisson arrivals); each asks for item k (rank 0 = most popular)
      with probability ∝ 1/(k+1)^`zipf_s` (0 = all equally popular).
    - `ttl`: the stage's `caching/ttlInSeconds` (0–3600; 0 turns caching off); `cache_size`: the
      stage's `cacheClusterSize` in GB, one of AWS's sizes; `response_bytes`: size of each answer.
    - `backend_latency`: the backend's median answer time (s); each call draws from a lognormal
      with that median and shape `backend_jitter` (0 = always exactly the median).
    - `change_rate`: how often each item's data changes at the backend, per item per second.
    - `invalidation_share`: share of requests sent with `Cache-Control: max-age=0`; `may_invalidate`:
      whether the caller is allowed to invalidate (the stage's `requireAuthorizationForCacheControl`
      is then false; otherwise it is true and the header is ignored, with a Warning header).
    - `cache_bytes_per_gb`: bytes a cluster holds per GB of its size (default: a 1:1000 scale model,
      so that small clusters show evictions at a learner's scale; 1e9 for full size).
    - `warmup`: seconds left out of the steady-state hit ratio (default: one TTL, at most half the run).
    """

    duration: float = 60.0
    request_rate: float = 100.0
    keys: int = 1000
    zipf_s: float = 1.0
    ttl: int = 300
    cache_size: str = "0.5"
    response_bytes: int = 1000
    backend_latency: float = 0.05
    backend_jitter: float = 0.3
    change_rate: float = 0.0
    invalidation_share: float = 0.0
    may_invalidate: bool = True
    cache_bytes_per_gb: float = SCALE_BYTES_PER_GB
    warmup: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        check_seconds(self.duration, "duration")
        check_rate(self.request_rate, "request_rate")
        if self.request_rate * self.duration > MAX_REQUESTS:
            raise ValueError(f"request_rate x duration must be at most {MAX_REQUESTS:,} requests, "
                             f"got {self.request_rate * self.duration:,.0f}")
        _number(self.keys, "keys", 1, MAX_KEYS, integer=True)
        _number(self.zipf_s, "zipf_s", 0, 5)
        _number(self.ttl, "ttl", 0, MAX_TTL_SECONDS, integer=True)
        object.__setattr__(self, "cache_size", cache_size_name(self.cache_size, "cache_size"))
        _number(self.response_bytes, "response_bytes", 1, MAX_ENTRY_BYTES, integer=True)
        _number(self.backend_latency, "backend_latency", 0, 29)  # 29 s: the default integration timeout
        _number(self.backend_jitter, "backend_jitter", 0, 2)
        _number(self.change_rate, "change_rate", 0, 1000)
        if self.change_rate * self.keys * self.duration > MAX_REQUESTS:
            raise ValueError(f"change_rate x keys x duration must be at most {MAX_REQUESTS:,} changes, "
                             f"got {self.change_rate * self.keys * self.duration:,.0f}")
        _number(self.invalidation_share, "invalidation_share", 0, 1)
        if not isinstance(self.may_invalidate, bool):
            raise ValueError(f"may_invalidate must be True or False, got {self.may_invalidate!r}")
        _number(self.cache_bytes_per_gb, "cache_bytes_per_gb", 1e-3, 1e9)
        if self.warmup is not None:
            _number(self.warmup, "warmup", 0, self.duration)
        _number(self.seed, "seed", 0, 2**63 - 1, integer=True)

    @property
    def warmup_seconds(self) -> float:
        """Seconds before the steady state: `warmup`, or one TTL capped at half the run."""
        return float(self.warmup) if self.warmup is not None else min(float(self.ttl), self.duration / 2)

    @property
    def capacity_bytes(self) -> int:
        """What the scenario's cluster holds (scaled by `cache_bytes_per_gb`)."""
        return max(1, int(float(self.cache_size) * self.cache_bytes_per_gb))

    def popularity(self) -> np.ndarray:
        """Each item's share of the requests (Zipf with exponent `zipf_s`), most popular first."""
        weights = np.arange(1, self.keys + 1, dtype=float) ** -float(self.zipf_s)
        return weights / weights.sum()

    def rng(self, purpose: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, purpose])

    def requests(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The seeded arrival times, items asked for and which requests send `Cache-Control: max-age=0`."""
        times = Poisson(self.request_rate).arrivals(self.duration, self.rng(_ARRIVALS))
        keys = self.rng(_KEYS).choice(self.keys, size=times.size, p=self.popularity()).astype(np.int32)
        invalidate = self.rng(_INVALIDATIONS).random(times.size) < self.invalidation_share
        return times, keys, invalidate

    def changes(self) -> tuple[np.ndarray, np.ndarray]:
        """When the backend's data changes (sorted times) and which item changes each time."""
        if self.change_rate == 0:
            return np.empty(0), np.empty(0, np.int32)
        rng = self.rng(_CHANGES)
        count = int(rng.poisson(self.change_rate * self.keys * self.duration))
        order = np.sort(rng.uniform(0.0, self.duration, count))
        return order, rng.integers(0, self.keys, count).astype(np.int32)


# --- the result -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CacheSummary:
    """The run in numbers. Ratios are shares of all requests; latencies in seconds."""

    duration: float
    requests: int
    hits: int
    backend_calls: int                 # misses, invalidations and uncached requests: what reached the backend
    invalidations: int                 # Cache-Control: max-age=0 honoured (entry refetched and replaced)
    hit_ratio: float
    steady_hit_ratio: float            # requests after the warm-up only
    warmup: float
    backend_rate: float                # backend calls/s with the cache
    backend_rate_without_cache: float  # = requests/s: every request would reach the backend
    latency_p50: float
    latency_p95: float
    latency_p99: float
    stale_reads: int
    stale_ratio: float
    evictions: int
    cache_size: str
    cache_cost_per_hour: float         # US dollars, us-east-1 list price
    calls_saved_per_hour: float        # backend calls the cache spared, at this run's rate, per hour
    failed: int = 0                    # answers other than 200: 500s when the backend function was throttled

    @property
    def cost_per_million_saved(self) -> float:
        """Cache dollars per million backend calls saved (inf if none were saved)."""
        if self.calls_saved_per_hour <= 0:
            return math.inf
        return self.cache_cost_per_hour / (self.calls_saved_per_hour / 1e6)

    def __str__(self) -> str:
        return (f"{self.requests:,} requests: hit ratio {self.hit_ratio:.0%} (steady {self.steady_hit_ratio:.0%}); "
                f"backend {self.backend_rate:,.1f} calls/s instead of {self.backend_rate_without_cache:,.1f}; "
                f"latency p50/p95/p99 {self.latency_p50 * 1000:.0f}/{self.latency_p95 * 1000:.0f}/"
                f"{self.latency_p99 * 1000:.0f} ms; stale {self.stale_reads:,} ({self.stale_ratio:.1%}); "
                f"{self.evictions:,} evictions; {self.cache_size} GB cache ${self.cache_cost_per_hour:.3f}/h "
                f"saves {self.calls_saved_per_hour:,.0f} backend calls/h"
                + (f"; {self.failed:,} answers failed (Lambda throttled: 500)" if self.failed else ""))


@dataclass(frozen=True)
class CacheResult:
    """Every request of a run (`records`, a numpy structured array of CACHE_RECORD_DTYPE) and its summary."""

    scenario: CacheScenario
    records: np.ndarray = field(repr=False)
    evictions: int
    wall_seconds: float
    entries: int = 0      # responses in the cache at the end of the run
    used_bytes: int = 0   # bytes they take (body + headers + key, as the gateway counts them)

    @functools.cached_property
    def summary(self) -> CacheSummary:
        """Totals, ratios, rates, latency percentiles and cost (computed once)."""
        return summarise(self)

    def per_second(self, bin_seconds: float = 1.0) -> dict[str, np.ndarray]:
        """Counts per time bin: `start` (s), `requests`, `hits`, `backend` (calls that reached it), `stale`."""
        bin_seconds = check_seconds(bin_seconds, "bin_seconds")
        rec = self.records
        n = max(1, math.ceil(self.scenario.duration / bin_seconds - 1e-9))
        index = np.minimum((rec["time"] / bin_seconds).astype(np.int64), n - 1)

        def count(mask: np.ndarray) -> np.ndarray:
            return np.bincount(index[mask], minlength=n)

        hits = rec["cache"] == HIT
        return {"start": np.arange(n) * bin_seconds, "requests": count(np.ones(rec.size, bool)),
                "hits": count(hits), "backend": count(~hits), "stale": count(rec["stale"])}

    def to_rows(self) -> list[dict[str, Any]]:
        """The records as plain dicts (cache outcome by name), for printing or a DataFrame."""
        return [{"time": float(r["time"]), "key": int(r["key"]), "cache": CACHE_OUTCOMES[r["cache"]],
                 "stale": bool(r["stale"]), "latency": float(r["latency"]), "status": int(r["status"])}
                for r in self.records]

    @property
    def requests_per_second(self) -> float:
        """Simulation speed: requests pushed through the gateway per wall-clock second."""
        return self.records.size / self.wall_seconds if self.wall_seconds > 0 else float("inf")


def summarise(result: CacheResult) -> CacheSummary:
    """Build the CacheSummary of a result from its records."""
    scenario, rec = result.scenario, result.records
    n = int(rec.size)
    hits = rec["cache"] == HIT
    steady = rec["time"] >= scenario.warmup_seconds
    n_hits, n_steady = int(np.count_nonzero(hits)), int(np.count_nonzero(steady))
    stale = int(np.count_nonzero(rec["stale"]))

    def pct(q: float) -> float:
        return float(np.percentile(rec["latency"], q)) if n else 0.0

    saved_per_hour = n_hits / scenario.duration * 3600.0
    failed = int(np.count_nonzero(rec["status"] != 200))  # never reached the backend: not a backend call
    return CacheSummary(
        duration=scenario.duration, requests=n, hits=n_hits, backend_calls=n - n_hits - failed,
        invalidations=int(np.count_nonzero(rec["cache"] == INVALIDATED)),
        hit_ratio=n_hits / n if n else 0.0,
        steady_hit_ratio=int(np.count_nonzero(hits & steady)) / n_steady if n_steady else 0.0,
        warmup=scenario.warmup_seconds, backend_rate=(n - n_hits - failed) / scenario.duration,
        backend_rate_without_cache=n / scenario.duration,
        latency_p50=pct(50), latency_p95=pct(95), latency_p99=pct(99),
        stale_reads=stale, stale_ratio=stale / n if n else 0.0, evictions=result.evictions,
        cache_size=scenario.cache_size, cache_cost_per_hour=cache_cost(scenario.cache_size, 1.0),
        calls_saved_per_hour=saved_per_hour, failed=failed)


# --- running ------------------------------------------------------------------------------------------

def run_cache(scenario: CacheScenario, lab: SimLab, *, fast: bool = True) -> CacheResult:
    """Push every request of `scenario` through the gateway of `lab` (a labkit Lab) in virtual time and
    record what the stage cache did with each.

    `fast` sends the requests through their compiled request class (gateway/compiled.py: the same
    stage cache, integration and decisions as the full pipeline); `fast=False` runs each through `handle`."""
    api_id = prepare_cache_api(lab, scenario)
    times, keys, invalidate = scenario.requests()
    change_times, change_keys = scenario.changes()

    latency_rng = scenario.rng(_LATENCY)
    median, jitter = float(scenario.backend_latency), float(scenario.backend_jitter)

    def backend_latency(_call: Any) -> float:  # drawn only when the backend is called, in request order
        return median * math.exp(jitter * latency_rng.standard_normal()) if jitter else median

    clock = VirtualClock()
    gateway = lab.gateway(clock=clock, seed=scenario.seed, backend_latency=backend_latency,
                          cache_bytes_per_gb=float(scenario.cache_bytes_per_gb))
    names = [f"k{k:07d}" for k in range(scenario.keys)]  # fixed width: every cache entry has the same size
    size = str(scenario.response_bytes)
    versions = [0] * scenario.keys
    change_list, change_key_list, n_changes, next_change = change_times.tolist(), change_keys.tolist(), \
        int(change_times.size), 0
    outcome_of, outcome_off = _OUTCOME_OF_HEADER.get, OFF
    cache_col, stale_col, latency_col, status_col = [], [], [], []
    answer = _answerer(gateway, fast)
    run_clock, start = clock.run, clock.now()

    wall = time.perf_counter()
    for at, key, bypass in zip(times.tolist(), keys.tolist(), invalidate.tolist()):
        while next_change < n_changes and change_list[next_change] <= at:
            versions[change_key_list[next_change]] += 1
            next_change += 1
        run_clock(until=start + at)
        current = versions[key]
        headers = Headers(((VERSION_HEADER, f"{current:010d}"), (SIZE_HEADER, size)))
        if bypass:
            headers.add("Cache-Control", "max-age=0")
        status, latency, served_headers = answer(Request("GET", api_id, STAGE, RESOURCE, [(QUERY, names[key])],
                                                         headers))
        served = served_headers.get(VERSION_HEADER)
        cache_col.append(outcome_of(served_headers.get(CACHE_HEADER), outcome_off))
        stale_col.append(served is not None and int(served) < current)
        latency_col.append(latency)
        status_col.append(status)
    wall = time.perf_counter() - wall

    records = np.empty(times.size, dtype=CACHE_RECORD_DTYPE)
    records["time"], records["key"], records["cache"] = times, keys, cache_col
    records["stale"], records["latency"], records["status"] = stale_col, latency_col, status_col
    store = gateway.caches.get(api_id, STAGE)
    if store is None:  # caching off (TTL 0): the gateway never made the cluster
        return CacheResult(scenario, records, 0, wall)
    return CacheResult(scenario, records, store.evictions, wall, len(store), store.used_bytes)


def _answerer(gateway: Any, fast: bool) -> Callable[[Request], tuple[int, float, Headers]]:
    """(status, latency, headers served) for a request: through its compiled request class when `fast`
    and the class compiles, else through `Gateway.handle`."""
    handle = gateway.handle
    prepared: Any = None
    compiling = fast  # until the class does not compile

    def full(request: Request) -> tuple[int, float, Headers]:
        response = handle(request)
        return response.status_code, response.latency, response.headers

    def answer(request: Request) -> tuple[int, float, Headers]:
        nonlocal prepared, compiling
        outcome = send(prepared, request) if prepared is not None else None
        if outcome is None and compiling:  # not compiled yet, or stale: a stage or deployment changed
            prepared = gateway.prepare(request)
            compiling = prepared is not None
            outcome = send(prepared, request) if compiling else None
        if outcome is None:
            return full(request)
        return outcome.status, outcome.latency, outcome.headers  # type: ignore[return-value]

    return answer


def hit_ratio_vs_ttl(base: CacheScenario, ttls: list[int] | tuple[int, ...], lab: SimLab
                     ) -> list[tuple[int, float, float]]:
    """Run `base` once per TTL in `lab`: (ttl, steady-state hit ratio, stale ratio) for each."""
    out = []
    for ttl in ttls:
        summary = run_cache(dataclasses.replace(base, ttl=ttl), lab).summary
        out.append((int(ttl), summary.steady_hit_ratio, summary.stale_ratio))
    return out


class CostPoint(NamedTuple):
    """One cache size: what it costs per hour and what it saved in a run."""

    size: str
    usd_per_hour: float
    calls_saved_per_hour: float
    hit_ratio: float
    evictions: int


def cost_vs_size(base: CacheScenario, sizes: tuple[str, ...] = CACHE_CLUSTER_SIZES, lab: SimLab | None = None
                 ) -> list[CostPoint]:
    """Run `base` once per cache cluster size in `lab` (required; after `sizes`, which has a default):
    its hourly price and the backend calls it saved."""
    if lab is None:
        raise TypeError("cost_vs_size() needs the lab to run in: cost_vs_size(base, sizes, lab) or lab=lab")
    out = []
    for size in sizes:
        summary = run_cache(dataclasses.replace(base, cache_size=size), lab).summary
        out.append(CostPoint(summary.cache_size, summary.cache_cost_per_hour, summary.calls_saved_per_hour,
                             summary.hit_ratio, summary.evictions))
    return out


def cost_point(result: CacheResult) -> CostPoint:
    """The CostPoint of one run."""
    s = result.summary
    return CostPoint(s.cache_size, s.cache_cost_per_hour, s.calls_saved_per_hour, s.hit_ratio, s.evictions)


# --- the API the runner uses ---------------------------------------------------------------------------

@dataclass
class _CacheApi:
    """What the runner made in one lab, and the stage settings it last applied."""

    api_id: str | None = None
    settings: tuple[Any, ...] | None = None


def prepare_cache_api(lab: SimLab, scenario: CacheScenario) -> str:
    """Make (or reuse) the cached API and set the stage's cache settings through boto3; returns its id."""
    made = lab.memo(_CacheApi, _CacheApi)  # the lab keeps what the runner made in it, until close()
    apigw = lab.client("apigateway")
    if made.api_id is None or not _still_there(apigw, made.api_id):
        made.api_id, made.settings = _create_api(lab, apigw), None
    settings = (scenario.cache_size, scenario.ttl, scenario.may_invalidate)
    if made.settings != settings:
        # https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html
        # https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html
        apigw.update_stage(restApiId=made.api_id, stageName=STAGE, patchOperations=[
            {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
            {"op": "replace", "path": "/cacheClusterSize", "value": scenario.cache_size},
            # A new `*/*` setting starts with caching off: the cluster alone caches nothing.
            {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
            {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": str(scenario.ttl)},
            {"op": "replace", "path": "/*/*/caching/requireAuthorizationForCacheControl",
             "value": "false" if scenario.may_invalidate else "true"},
            {"op": "replace", "path": "/*/*/caching/unauthorizedCacheControlHeaderStrategy",
             "value": "SUCCEED_WITH_RESPONSE_HEADER"}])
        made.settings = settings
    return made.api_id


def _still_there(apigw: Any, api_id: str) -> bool:
    try:
        same = apigw.get_rest_api(restApiId=api_id).get("name") == API_NAME
        return same and bool(apigw.get_stage(restApiId=api_id, stageName=STAGE).get("deploymentId"))
    except apigw.exceptions.NotFoundException:
        return False


def _create_api(lab: SimLab, apigw: Any) -> str:
    """GET /items?item=… with a Lambda proxy backend, `item` the integration's cache key parameter."""
    name = f"{API_NAME}-backend"
    try:
        function_arn = lab.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    except lab.client("lambda").exceptions.ResourceNotFoundException:
        function_arn = lab.lambda_function(name, BACKEND_SOURCE)
    # Plain boto3 calls (the simulator sits below labkit.apis): what RestApi.create, .resource, .method
    # and .deploy would send. https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html
    api_id = apigw.create_rest_api(name=API_NAME, endpointConfiguration={"types": ["REGIONAL"]},
                                   apiKeySource="HEADER",
                                   description="labkit.sim.caching: the stage cache in virtual time")["id"]
    resource_id = ensure_resource(apigw, api_id, RESOURCE)
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", authorizationType="NONE",
                     apiKeyRequired=False, requestParameters={KEY_PARAMETER: True})
    # https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html (cacheKeyParameters)
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri(apigw.meta.region_name, function_arn),
                          cacheKeyParameters=[KEY_PARAMETER])
    apigw.create_deployment(restApiId=api_id, stageName=STAGE, description="")
    return api_id
