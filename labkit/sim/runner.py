"""Run a Scenario: every simulated request is answered by the gateway on a VirtualClock, through
`Gateway.handle` or, with `fast=True`, a compiled request class that takes the same decisions
(labkit/gateway/compiled.py, tested record for record against `handle`).

The simulator does not model throttling: the gateway that answers live requests decides every
status here (stage method settings, usage plans, quotas, the account limit), set up through ordinary
boto3 calls. Arrivals are precomputed numpy arrays; retries are events on the clock; nothing sleeps.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..api_calls import ensure_resource
from ..gateway.clock import VirtualClock
from ..gateway.compiled import send
from ..gateway.http import Headers, Request
from ..gateway.throttle import ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT, PERIODS, check_limits
from .clients import Client, retryable
from .ports import SimLab
from .traffic import MAX_REQUESTS, check_seconds

# What happened to one attempt (the `outcome` column of SimResult.records).
ACCEPTED, THROTTLED, QUOTA_EXCEEDED, FORBIDDEN, ERROR = range(5)
OUTCOMES = ("accepted", "throttled", "quota_exceeded", "forbidden", "error")

RECORD_DTYPE = np.dtype([
    ("time", "f8"),      # seconds since the start of the run when the attempt reached the gateway
    ("client", "i4"),    # index into SimResult.clients
    ("request", "i8"),   # which offered request (attempts of one request share it)
    ("attempt", "i4"),   # 0 = first try, 1 = first retry, ...
    ("status", "i4"),    # HTTP status the gateway answered
    ("outcome", "i1"),   # ACCEPTED, THROTTLED, QUOTA_EXCEEDED, FORBIDDEN or ERROR
    ("latency", "f8"),   # seconds the caller waited for that answer (virtual)
])

STAGE_LIMITED, STAGE_OPEN = "limited", "open"  # the sim API's stages: with and without a stage throttle


# --- the scenario -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    """A usage-plan tier: per-key throttle (rate/s, burst) and an optional quota per period.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html"""

    rate: float | None = None
    burst: int | None = None
    quota_limit: int | None = None
    quota_period: str = "DAY"

    def __post_init__(self) -> None:
        if (self.rate is None) != (self.burst is None):
            raise ValueError("rate and burst must be given together (or both None: no per-key throttle)")
        if self.rate is not None:
            check_limits(self.rate, self.burst, "rate", "burst")  # type: ignore[arg-type]
        if self.quota_limit is not None and (not isinstance(self.quota_limit, int) or self.quota_limit < 0):
            raise ValueError(f"quota_limit must be None or a whole number of requests >= 0, got {self.quota_limit!r}")
        if self.quota_period not in PERIODS:
            raise ValueError(f"quota_period must be one of {', '.join(PERIODS)}, got {self.quota_period!r}")

    def usage_plan_settings(self) -> dict[str, Any]:
        """The `throttle` and `quota` arguments of create_usage_plan."""
        settings: dict[str, Any] = {}
        if self.rate is not None:
            settings["throttle"] = {"rateLimit": float(self.rate), "burstLimit": int(self.burst or 0)}
        if self.quota_limit is not None:
            settings["quota"] = {"limit": int(self.quota_limit), "period": self.quota_period}
        return settings


@dataclass(frozen=True)
class Scenario:
    """Who calls, how, and under which limits, for `duration` seconds of virtual time."""

    clients: tuple[Client, ...]
    duration: float = 10.0
    stage_rate: float | None = None
    stage_burst: int | None = None
    tiers: Mapping[str, Tier] = field(default_factory=dict)
    account_rate: float = ACCOUNT_RATE_LIMIT
    account_burst: int = ACCOUNT_BURST_LIMIT
    backend_latency: float = 0.02  # the backend's median answer time (s)
    backend_jitter: float = 0.5    # sigma of a lognormal around it (0: every call takes exactly the median)
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "clients", tuple(self.clients))
        object.__setattr__(self, "tiers", dict(self.tiers))
        if not self.clients:
            raise ValueError("clients must name at least one Client")
        names = [c.name for c in self.clients]
        if len(set(names)) != len(names):
            raise ValueError(f"clients must have distinct names, got {names}")
        check_seconds(self.duration, "duration")
        if (self.stage_rate is None) != (self.stage_burst is None):
            raise ValueError("stage_rate and stage_burst must be given together (or both None: no stage throttle)")
        if self.stage_rate is not None:
            check_limits(self.stage_rate, self.stage_burst, "stage_rate", "stage_burst")  # type: ignore[arg-type]
        check_limits(self.account_rate, self.account_burst, "account_rate", "account_burst")
        for client in self.clients:
            if client.tier is not None and client.tier not in self.tiers:
                raise ValueError(f"tier of client {client.name!r} must be one of {sorted(self.tiers)}, "
                                 f"got {client.tier!r}")
        ok = isinstance(self.backend_latency, (int, float)) and math.isfinite(self.backend_latency)
        if not ok or not 0 <= self.backend_latency <= 29:
            # 29 s: the default integration timeout. https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
            raise ValueError(f"backend_latency must be a number of seconds in [0, 29], got {self.backend_latency!r}")
        jitter_ok = isinstance(self.backend_jitter, (int, float)) and math.isfinite(self.backend_jitter)
        if not jitter_ok or not 0 <= self.backend_jitter <= 3:
            raise ValueError(f"backend_jitter must be a number in [0, 3] (a lognormal's sigma), got {self.backend_jitter!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {self.seed!r}")

    def rng(self, client: Client, purpose: int) -> np.random.Generator:
        """The generator for one client's arrivals (0) or retries (1): keyed by name, so adding a client
        leaves the others' traffic unchanged."""
        return np.random.default_rng([self.seed, zlib.crc32(client.name.encode()), purpose])


# --- the result -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientCounts:
    """One client's requests and what became of them."""

    offered: int
    attempts: int
    accepted: int
    throttled: int
    quota_exceeded: int
    forbidden: int
    errors: int
    gave_up: int


@dataclass(frozen=True)
class Summary:
    """The run in numbers: requests offered (first attempts) and what the gateway answered to all attempts."""

    duration: float
    offered: int
    attempts: int
    accepted: int
    throttled: int
    quota_exceeded: int
    forbidden: int
    errors: int
    effective_rate: float  # accepted per second of the run
    latency_p50: float     # of accepted attempts, seconds
    latency_p95: float
    latency_p99: float
    completion_p95: float  # first try to success, retries' waits included, seconds
    per_client: dict[str, ClientCounts]

    def __str__(self) -> str:
        share = self.accepted / self.offered if self.offered else 0.0
        return (f"offered {self.offered:,}, accepted {self.accepted:,} ({share:.0%}), 429 throttled "
                f"{self.throttled:,}, 429 quota {self.quota_exceeded:,}, 403 {self.forbidden:,}; "
                f"{self.effective_rate:,.1f} req/s accepted; latency p50/p95/p99 "
                f"{self.latency_p50 * 1000:.0f}/{self.latency_p95 * 1000:.0f}/{self.latency_p99 * 1000:.0f} ms")


@dataclass(frozen=True)
class SimResult:
    """Every attempt of a run (`records`, a numpy structured array of RECORD_DTYPE) and its summary."""

    scenario: Scenario
    records: np.ndarray = field(repr=False)
    clients: tuple[str, ...]
    wall_seconds: float

    @functools.cached_property
    def summary(self) -> Summary:
        """Totals, rates and latency percentiles (computed once)."""
        return summarise(self)

    def to_rows(self) -> list[dict[str, Any]]:
        """The records as plain dicts (client and outcome by name), for printing or a DataFrame."""
        return [{"time": float(r["time"]), "client": self.clients[r["client"]], "request": int(r["request"]),
                 "attempt": int(r["attempt"]), "status": int(r["status"]), "outcome": OUTCOMES[r["outcome"]],
                 "latency": float(r["latency"])} for r in self.records]

    def per_second(self, bin_seconds: float = 1.0) -> dict[str, np.ndarray]:
        """Counts per time bin: `start` (bin start, s), `offered` (first attempts), `attempts`,
        `accepted`, `throttled`, `quota_exceeded`."""
        bin_seconds = check_seconds(bin_seconds, "bin_seconds")
        rec = self.records
        end = max(self.scenario.duration, float(rec["time"].max()) if rec.size else 0.0)
        n = max(1, math.ceil(end / bin_seconds - 1e-9))
        index = np.minimum((rec["time"] / bin_seconds).astype(np.int64), n - 1)

        def count(mask: np.ndarray) -> np.ndarray:
            return np.bincount(index[mask], minlength=n)

        return {"start": np.arange(n) * bin_seconds, "offered": count(rec["attempt"] == 0),
                "attempts": count(np.ones(rec.size, bool)), "accepted": count(rec["outcome"] == ACCEPTED),
                "throttled": count(rec["outcome"] == THROTTLED),
                "quota_exceeded": count(rec["outcome"] == QUOTA_EXCEEDED)}

    @property
    def requests_per_second(self) -> float:
        """Simulation speed: attempts pushed through the gateway per wall-clock second."""
        return self.records.size / self.wall_seconds if self.wall_seconds > 0 else float("inf")


def summarise(result: SimResult) -> Summary:
    """Build the Summary of a result from its records."""
    rec = result.records
    outcome = rec["outcome"]
    accepted = rec[outcome == ACCEPTED]

    def pct(values: np.ndarray, q: float) -> float:
        return float(np.percentile(values, q)) if values.size else 0.0

    first_try = np.zeros(int(rec["request"].max()) + 1 if rec.size else 0)
    firsts = rec[rec["attempt"] == 0]
    first_try[firsts["request"]] = firsts["time"]
    completion = accepted["time"] + accepted["latency"] - first_try[accepted["request"]]
    per_client = {}
    for index, name in enumerate(result.clients):
        mine = rec[rec["client"] == index]
        o = mine["outcome"]
        last = _last_attempts(mine)
        per_client[name] = ClientCounts(
            offered=int(np.count_nonzero(mine["attempt"] == 0)), attempts=int(mine.size),
            accepted=int(np.count_nonzero(o == ACCEPTED)), throttled=int(np.count_nonzero(o == THROTTLED)),
            quota_exceeded=int(np.count_nonzero(o == QUOTA_EXCEEDED)),
            forbidden=int(np.count_nonzero(o == FORBIDDEN)), errors=int(np.count_nonzero(o == ERROR)),
            gave_up=int(np.count_nonzero(last["outcome"] != ACCEPTED)))
    duration = result.scenario.duration
    return Summary(
        duration=duration, offered=int(np.count_nonzero(rec["attempt"] == 0)), attempts=int(rec.size),
        accepted=int(accepted.size), throttled=int(np.count_nonzero(outcome == THROTTLED)),
        quota_exceeded=int(np.count_nonzero(outcome == QUOTA_EXCEEDED)),
        forbidden=int(np.count_nonzero(outcome == FORBIDDEN)), errors=int(np.count_nonzero(outcome == ERROR)),
        effective_rate=accepted.size / duration, latency_p50=pct(accepted["latency"], 50),
        latency_p95=pct(accepted["latency"], 95), latency_p99=pct(accepted["latency"], 99),
        completion_p95=pct(completion, 95), per_client=per_client)


def _last_attempts(records: np.ndarray) -> np.ndarray:
    """The final attempt of each request in `records`."""
    if not records.size:
        return records
    order = np.lexsort((records["attempt"], records["request"]))
    ordered = records[order]
    is_last = np.append(ordered["request"][1:] != ordered["request"][:-1], True)
    return ordered[is_last]


# --- running ----------------------------------------------------------------------------------------------

def jitter_latencies(records: np.ndarray, scenario: Scenario) -> None:
    """Spread the accepted answers' latency around the backend's median: a seeded lognormal draw per answer
    (real backends have a tail, p99 several times p50). Drawn after the run, in record order: in a
    throttling run no decision depends on how long the backend took (throttles and quotas act on arrival,
    retries follow 429s, which never reach the backend), and the gateway's hot path stays a constant."""
    median, jitter = float(scenario.backend_latency), float(scenario.backend_jitter)
    accepted = records["outcome"] == ACCEPTED
    if not median or not jitter or not accepted.any():
        return
    normal = np.random.default_rng([scenario.seed, 2]).standard_normal(int(accepted.sum()))
    records["latency"][accepted] += median * (np.exp(jitter * normal) - 1.0)


def run(scenario: Scenario, lab: SimLab, *, fast: bool = True) -> SimResult:
    """Push every request of `scenario` through the gateway of `lab` (a labkit Lab) in virtual time.

    `fast` sends each client's requests through its compiled request class (gateway/compiled.py:
    the same decisions as the full pipeline); `fast=False` runs every request through `handle`."""
    api_id, stage, key_values = prepare(lab, scenario)
    clock = VirtualClock()
    gateway = lab.gateway(clock=clock, seed=scenario.seed, backend_latency=float(scenario.backend_latency),
                          account_rate_limit=float(scenario.account_rate),
                          account_burst_limit=int(scenario.account_burst))
    clients = scenario.clients
    arrivals = [c.traffic.arrivals(scenario.duration, scenario.rng(c, 0)) for c in clients]
    total = sum(a.size for a in arrivals)
    if total > MAX_REQUESTS:
        raise ValueError(f"scenario must offer at most {MAX_REQUESTS:,} requests, got {total:,}")
    times = np.concatenate(arrivals) if arrivals else np.empty(0)
    owners = np.concatenate([np.full(a.size, i, np.int32) for i, a in enumerate(arrivals)])
    order = np.argsort(times, kind="stable")  # ties: the earlier-listed client first
    times, owners = times[order], owners[order]

    headers = [Headers({"x-api-key": v}) if v else Headers() for v in key_values]
    policies = [c.retry for c in clients]
    retry_rngs = [scenario.rng(c, 1) for c in clients]
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [], [])
    t_time, t_client, t_request, t_attempt, t_status, t_outcome, t_latency = (c.append for c in columns)
    handle, start, run_clock, schedule = gateway.handle, clock.now(), clock.run, clock.schedule

    prepared: list[Any] = [gateway.prepare(Request("GET", api_id, stage, "/", headers=h)) if fast else None
                           for h in headers]

    def attempt(client: int, request: int, number: int, at: float) -> None:
        # Through the compiled request class when there is one, else the full pipeline.
        out = send(prepared[client]) if prepared[client] is not None else None
        if out is not None:
            status, latency, kind = out.status, out.latency, out.gateway_response
        else:
            if prepared[client] is not None:  # stale: a stage, key or plan changed
                prepared[client] = gateway.prepare(Request("GET", api_id, stage, "/", headers=headers[client]))
            response = handle(Request("GET", api_id, stage, "/", headers=headers[client]))
            status, latency, kind = response.status_code, response.latency, response.gateway_response
        if status < 400:
            outcome = ACCEPTED
        elif status == 429:
            outcome = QUOTA_EXCEEDED if kind == "QUOTA_EXCEEDED" else THROTTLED
        else:
            outcome = FORBIDDEN if status == 403 else ERROR
        t_time(at)
        t_client(client)
        t_request(request)
        t_attempt(number)
        t_status(status)
        t_outcome(outcome)
        t_latency(latency)
        if outcome != ACCEPTED and retryable(status):
            wait = policies[client].delay(number + 1, retry_rngs[client])
            if wait is not None:
                when = clock.now() + latency + wait
                schedule(when, lambda: attempt(client, request, number + 1, clock.now() - start))

    wall = time.perf_counter()
    for request, (at, client) in enumerate(zip(times.tolist(), owners.tolist())):
        run_clock(until=start + at)  # retries that fall due first
        attempt(client, request, 0, at)
    run_clock()  # the retries still waiting after the last arrival
    wall = time.perf_counter() - wall
    gateway.flush()  # the run's metrics reach CloudWatch, its usage GetUsage (the gateway ends with the run)

    records = np.empty(len(columns[0]), dtype=RECORD_DTYPE)
    for name, column in zip(RECORD_DTYPE.names, columns):
        records[name] = column
    records = records[np.argsort(records["time"], kind="stable")]
    jitter_latencies(records, scenario)
    return SimResult(scenario, records, tuple(c.name for c in clients), wall)


# --- the API the runner uses ------------------------------------------------------------------------

@dataclass
class _SimApis:
    """What the runner made in one lab, so later runs reuse it."""

    api_ids: dict[bool, str] = field(default_factory=dict)          # apiKeyRequired -> API id
    stage_throttle: dict[str, tuple[float, int]] = field(default_factory=dict)  # API id -> applied limits
    plans: dict[tuple[Any, ...], str] = field(default_factory=dict)  # (API id, tier settings) -> plan id
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)   # key value -> (key id, plan id)


def prepare(lab: SimLab, scenario: Scenario) -> tuple[str, str, list[str | None]]:
    """Make (or reuse) the sim API, set its stage throttle, usage plans and keys through boto3.

    Returns the API id, the stage to call and each client's API key value (None: sends none).
    """
    made = lab.memo(_SimApis, _SimApis)  # the lab keeps what the runner made in it, until close()
    apigw = lab.client("apigateway")
    key_required = bool(scenario.tiers)  # tiers mean usage plans, and usage plans need apiKeyRequired
    api_id = made.api_ids.get(key_required)
    if api_id is None or not _still_there(apigw, api_id, key_required):
        api_id = made.api_ids[key_required] = _create_api(apigw, key_required)
        made.stage_throttle.pop(api_id, None)
    stage = STAGE_OPEN
    if scenario.stage_rate is not None:
        stage = STAGE_LIMITED
        limits = (float(scenario.stage_rate), int(scenario.stage_burst or 0))
        if made.stage_throttle.get(api_id) != limits:
            # https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html
            apigw.update_stage(restApiId=api_id, stageName=STAGE_LIMITED, patchOperations=[
                {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(limits[0])},
                {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(limits[1])}])
            made.stage_throttle[api_id] = limits
    values: list[str | None] = []
    for client in scenario.clients:
        if client.tier is None:
            values.append(client.api_key)
            continue
        plan_id = _usage_plan(apigw, made, api_id, client.tier, scenario.tiers[client.tier])
        value = client.api_key or "labkitsim" + hashlib.sha256(f"{plan_id}/{client.name}".encode()).hexdigest()[:32]
        _api_key(apigw, made, value, plan_id, client.name)
        values.append(value)
    return api_id, stage, values


def _api_name(key_required: bool) -> str:
    return "labkit-sim-keys" if key_required else "labkit-sim"


def _still_there(apigw: Any, api_id: str, key_required: bool) -> bool:
    """The API is ours and deployed (another Lab on the same moto may have replaced or deleted it)."""
    try:
        same = apigw.get_rest_api(restApiId=api_id).get("name") == _api_name(key_required)
        return same and bool(apigw.get_stage(restApiId=api_id, stageName=STAGE_LIMITED).get("deploymentId"))
    except apigw.exceptions.NotFoundException:
        return False


def _create_api(apigw: Any, key_required: bool) -> str:
    """One GET / with a MOCK integration, deployed to an open stage and a throttled one."""
    # Plain boto3 calls (the simulator sits below labkit.apis): what RestApi.create, .resource("/"),
    # .method("GET").mock() and .deploy() would send, in that order (moto's seeded ids depend on it).
    # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html
    api_id = apigw.create_rest_api(name=_api_name(key_required), endpointConfiguration={"types": ["REGIONAL"]},
                                   apiKeySource="HEADER", description="labkit.sim: traffic in virtual time")["id"]
    root_id = ensure_resource(apigw, api_id, "/")  # lists the resources, as RestApi.resource does
    method = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    # https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html
    apigw.put_method(**method, authorizationType="NONE", apiKeyRequired=key_required)
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
    apigw.put_integration(**method, type="MOCK", requestTemplates={"application/json": json.dumps({"statusCode": 200})},
                          passthroughBehavior="WHEN_NO_MATCH")
    apigw.put_method_response(**method, statusCode="200", responseModels={"application/json": "Empty"})
    apigw.put_integration_response(**method, statusCode="200", responseTemplates={"application/json": '{"ok": true}'})
    for stage in (STAGE_OPEN, STAGE_LIMITED):
        # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
        apigw.get_stages(restApiId=api_id)  # RestApi.deploy looks for the stage first (a new API has none)
        apigw.create_deployment(restApiId=api_id, stageName=stage, description="")
    return api_id


def _usage_plan(apigw: Any, made: _SimApis, api_id: str, tier_name: str, tier: Tier) -> str:
    """The usage plan for `tier` on both sim stages (one per distinct tier setting, reused)."""
    settings = tier.usage_plan_settings()
    signature = (api_id, tier_name, tier.rate, tier.burst, tier.quota_limit, tier.quota_period)
    plan_id = made.plans.get(signature)
    if plan_id is None:
        # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateUsagePlan.html
        plan = apigw.create_usage_plan(name=f"labkit-sim-{tier_name}", apiStages=[
            {"apiId": api_id, "stage": STAGE_OPEN}, {"apiId": api_id, "stage": STAGE_LIMITED}], **settings)
        plan_id = made.plans[signature] = plan["id"]
    return plan_id


def _api_key(apigw: Any, made: _SimApis, value: str, plan_id: str, client_name: str) -> None:
    """An enabled key with `value` in exactly that plan (a key may be in one plan per API stage)."""
    known = made.keys.get(value)
    if known is not None and known[1] == plan_id:
        return
    if known is not None:
        apigw.delete_api_key(apiKey=known[0])
    key = apigw.create_api_key(name=f"labkit-sim-{client_name}", enabled=True, value=value)
    apigw.create_usage_plan_key(usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY")
    made.keys[value] = (key["id"], plan_id)
