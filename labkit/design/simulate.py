"""`simulate(design)`: push a design's traffic through the kit's gateway on the virtual clock.

Two runs, both through the real gateway code, both seeded:

1. **Throttling** (labkit.sim.runner): one client per caller (a sample of each tier's clients, each with
   its own API key in the tier's usage plan), the stage throttle and the account throttle of the API's
   Region. Each client sends Poisson traffic at its mean rate plus its share of the design's spike
   (the endpoints' `burst`, arriving within 10 ms at `spike_at`).
2. **Caching** (labkit.sim.caching), for each endpoint the stage cache would serve: the accepted
   requests of that endpoint through a cached stage with the design's TTL, keys and cache size.

Simplifications (each one is also in `DesignSimulation.notes`):

- the runner's API has a single method, so requests are labelled with an endpoint afterwards, at random in
  proportion to the endpoints' rates (exact for Poisson traffic, since usage-plan, stage and account
  throttles count all methods together); per-method throttles are not modelled;
- a tier with many clients is simulated with a sample of them (at most `max_clients` in all); the account and
  stage limits are scaled by the same factor as the traffic, and counts are scaled back up;
- latency = the gateway's answer time + a draw of the endpoint's backend latency (lognormal through its
  p50 and p99); a draw over the integration timeout counts as a 504 (`timeouts`), not as accepted;
- the cache run covers at most `cache_requests` requests per endpoint, starting cold (what follows a
  deployment, a size change or a flush); `steady_hit_ratio` gives the steady-state estimate beside it.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..gateway.cache import MAX_ENTRY_BYTES, MAX_TTL_SECONDS
from ..shared import shared_lab
from ..sim.caching import CacheResult, CacheScenario, run_cache
from ..sim.clients import Client
from ..sim.runner import ACCEPTED, QUOTA_EXCEEDED, THROTTLED, Scenario, SimResult, Tier, run
from ..sim.traffic import check_seconds
from .cost import cache_eligible, estimated_hit_ratio
from .figures import design_simulation
from .limits import account_limits, limit
from .model import Design, load_design

Z99 = 2.3263478740408408  # standard normal quantile at 0.99
SPIKE_WINDOW = 0.01       # seconds over which a spike's requests arrive
MAX_SIM_REQUESTS = 100_000  # throttling run: beyond this, traffic and limits are scaled down together


@dataclass(frozen=True)
class _Spiky:
    """Poisson arrivals at `rate`/s plus `spike` requests within SPIKE_WINDOW seconds of `at`."""

    rate: float
    spike: int = 0
    at: float = 10.0

    def arrivals(self, duration: float, seed: Any = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        base = np.sort(rng.uniform(0.0, duration, int(rng.poisson(self.rate * duration)))) if self.rate > 0 \
            else np.empty(0)
        spike = self.at + rng.uniform(0.0, SPIKE_WINDOW, self.spike) if self.at < duration else np.empty(0)
        times = np.sort(np.concatenate((base, spike[spike < duration])))
        return times

    def mean_rate(self, duration: float) -> float:
        return self.rate + (self.spike / duration if self.at < duration else 0.0)


@dataclass(frozen=True)
class Row:
    """One endpoint and tier ("all" = summed over that dimension), scaled to the design's real traffic.

    Counts are over the simulated `seconds`; latencies in seconds (accepted requests, backend included)."""

    endpoint: str
    tier: str
    offered: int
    accepted: int
    throttled: int
    quota_exceeded: int
    timeouts: int
    latency_p50: float
    latency_p95: float
    latency_p99: float
    cache_hit_ratio: float | None    # None: not served by the stage cache
    steady_hit_ratio: float | None   # steady-state estimate (labkit.design.cost.estimated_hit_ratio)
    backend_calls_per_s: float


@dataclass
class DesignSimulation:
    """What a reviewer asks of a design's traffic: per endpoint and tier, and in all."""

    design: Design
    seconds: float
    rows: list[Row]
    throttle_result: SimResult
    cache_results: dict[str, CacheResult]
    client_tiers: dict[str, str]          # simulated client name -> tier ("public": no usage plan)
    client_scale: dict[str, float]        # tier -> real clients per simulated client
    traffic_scale: float                  # simulated / real account traffic (account and stage limits scaled by it)
    wall_seconds: float
    notes: list[str] = field(default_factory=list)

    def row(self, endpoint: str = "all", tier: str = "all") -> Row:
        for r in self.rows:
            if r.endpoint == endpoint and r.tier == tier:
                return r
        raise ValueError(f"(endpoint, tier) must be one of {[(r.endpoint, r.tier) for r in self.rows]}, "
                         f"got {(endpoint, tier)!r}")

    @property
    def total(self) -> Row:
        return self.row("all", "all")

    def table(self) -> str:
        head = (f"{'endpoint':28} {'tier':8} {'offered/s':>10} {'accepted/s':>10} {'429 thr/s':>9} {'429 quota/s':>11} "
                f"{'504/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'hit':>5} {'steady':>6} {'backend/s':>9}")
        lines = [head]
        s = self.seconds
        tiers = {r.tier for r in self.rows if r.tier != "all"}
        for r in self.rows:
            if r.tier == "all" and len(tiers) == 1:  # one tier: its rows are the totals already
                continue
            hit = f"{r.cache_hit_ratio:.0%}" if r.cache_hit_ratio is not None else "-"
            steady = f"{r.steady_hit_ratio:.0%}" if r.steady_hit_ratio is not None else "-"
            lines.append(f"{r.endpoint[:28]:28} {r.tier[:8]:8} {r.offered / s:10,.1f} {r.accepted / s:10,.1f} "
                         f"{r.throttled / s:9,.1f} {r.quota_exceeded / s:11,.1f} {r.timeouts / s:6,.1f} "
                         f"{r.latency_p50 * 1000:7,.0f} {r.latency_p95 * 1000:7,.0f} {r.latency_p99 * 1000:7,.0f} "
                         f"{hit:>5} {steady:>6} {r.backend_calls_per_s:9,.1f}")
        return "\n".join(lines)

    def headline(self) -> str:
        t = self.total
        share = t.accepted / t.offered if t.offered else 0.0
        return (f"{self.seconds:g} s of traffic: offered {t.offered / self.seconds:,.1f} req/s, accepted "
                f"{share:.1%}, 429 throttled {t.throttled / self.seconds:,.1f}/s, 429 quota "
                f"{t.quota_exceeded / self.seconds:,.1f}/s, 504 {t.timeouts / self.seconds:,.1f}/s; latency "
                f"p50/p95/p99 {t.latency_p50 * 1000:,.0f}/{t.latency_p95 * 1000:,.0f}/{t.latency_p99 * 1000:,.0f} ms; "
                f"backend {t.backend_calls_per_s:,.1f} calls/s")

    def __str__(self) -> str:
        return self.headline()

    def figure(self) -> Any:
        """Accepted / throttled per endpoint and tier, and latency percentiles per endpoint."""
        return design_simulation(self)


def _lognormal_sigma(p50: float, p99: float) -> float:
    return math.log(p99 / p50) / Z99 if p99 > p50 else 0.0


def simulate(design: Any, seconds: float = 60, *, seed: int = 0, max_clients: int = 24,
             cache_requests: int = 3000, spike_at: float | None = None, lab: Any = None) -> DesignSimulation:
    """Run the design's traffic for `seconds` of virtual time through the gateway (see the module doc)."""
    design = load_design(design)
    seconds = check_seconds(seconds, "seconds", upper=3600)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if not isinstance(max_clients, int) or isinstance(max_clients, bool) or not 1 <= max_clients <= 200:
        raise ValueError(f"max_clients must be a whole number in [1, 200], got {max_clients!r}")
    if not isinstance(cache_requests, int) or isinstance(cache_requests, bool) or not 100 <= cache_requests <= 10**6:
        raise ValueError(f"cache_requests must be a whole number in [100, 1000000], got {cache_requests!r}")
    spike_at = min(10.0, seconds / 2) if spike_at is None else check_seconds(spike_at, "spike_at", allow_zero=True)

    total_rate, total_burst = design.total_rate, design.total_burst
    notes: list[str] = []
    # --- who calls: a sample of each tier's clients ------------------------------------------------------
    clients: list[Client] = []
    client_tiers: dict[str, str] = {}
    client_scale: dict[str, float] = {}
    tiers: dict[str, Tier] = {}
    sim_rate = 0.0
    if design.tiers:
        total_clients = sum(t.clients for t in design.tiers)
        fraction = min(1.0, max_clients / total_clients)
        for t in design.tiers:
            n = max(min(t.clients, 3), min(t.clients, round(t.clients * fraction)))  # at least 3 per tier
            client_scale[t.name] = t.clients / n
            tiers[t.name] = Tier(rate=t.rate, burst=t.burst, quota_limit=t.quota_limit, quota_period=t.quota_period)
            per_client = t.client_rate(total_rate)
            spike = round(total_burst * t.share / t.clients)  # each client's share of the spike
            for i in range(n):
                name = f"{t.name}-{i + 1}"
                clients.append(Client(name, _Spiky(per_client, spike, spike_at), tier=t.name))
                client_tiers[name] = t.name
            sim_rate += per_client * n
        scale = sim_rate / total_rate
        if fraction < 1:
            notes.append(f"clients sampled: {', '.join(f'1 simulated per {s:,.1f} in {k}' for k, s in client_scale.items())}; "
                         f"account and stage limits scaled by {scale:.4g}")
    else:
        scale = min(1.0, MAX_SIM_REQUESTS / (total_rate * seconds + total_burst))
        client_scale["public"] = 1.0 / scale
        clients.append(Client("public", _Spiky(total_rate * scale, round(total_burst * scale), spike_at)))
        client_tiers["public"] = "public"
        if scale < 1:
            notes.append(f"traffic, account and stage limits scaled by {scale:.4g} to stay under "
                         f"{MAX_SIM_REQUESTS:,} simulated requests")

    acc_rate, acc_burst, _, _ = account_limits(design.api_region)
    acc_rate = design.account_rate or acc_rate
    acc_burst = design.account_burst or acc_burst
    stage_rate = stage_burst = None
    if design.stage_rate is not None:
        stage_rate, stage_burst = design.stage_rate * scale, max(1, round((design.stage_burst or 0) * scale))
    scenario = Scenario(clients=tuple(clients), duration=seconds, stage_rate=stage_rate, stage_burst=stage_burst,
                        tiers=tiers, account_rate=acc_rate * scale, account_burst=max(1, round(acc_burst * scale)),
                        backend_latency=0.0, seed=seed)
    lab = lab if lab is not None else shared_lab()  # the caller's Lab, else the shared moto Lab
    result = run(scenario, lab)
    rec = result.records

    # --- label each request with an endpoint ----------------------------------------------------------------
    endpoints = design.endpoints
    p = np.array([e.rate for e in endpoints]) / total_rate
    label_rng = np.random.default_rng([seed, 0x5E5, 1])
    labels = label_rng.choice(len(endpoints), size=rec.size, p=p)
    tier_of_client = np.array([client_tiers[name] for name in result.clients])
    rec_tier = tier_of_client[rec["client"]] if rec.size else np.empty(0, dtype=str)
    weights = np.array([client_scale[client_tiers[name]] for name in result.clients])[rec["client"]] \
        if rec.size else np.empty(0)

    # --- backend latency and the cache, per endpoint -----------------------------------------------------
    timeout_s = {e.name: _timeout_seconds(design, e) for e in endpoints}
    latency = rec["latency"].astype(float).copy()
    timed_out = np.zeros(rec.size, bool)
    hit = np.zeros(rec.size, bool)
    cache_results: dict[str, CacheResult] = {}
    steady: dict[str, float] = {}
    hit_ratio: dict[str, float] = {}
    for j, e in enumerate(endpoints):
        mine = (labels == j) & (rec["outcome"] == ACCEPTED)
        n = int(np.count_nonzero(mine))
        rng = np.random.default_rng([seed, zlib.crc32(e.name.encode()), 2])
        cached = design.cache_size is not None and cache_eligible(design, e) and e.latency_p50_ms / 1000 <= 29
        accepted_rate = float(np.sum(weights[mine])) / seconds
        if cached and accepted_rate > 0:
            window = min(seconds, cache_requests / accepted_rate)
            cs = CacheScenario(duration=window, request_rate=accepted_rate, keys=e.cache.keys, zipf_s=e.cache.zipf_s,
                               ttl=min(e.cache.ttl, MAX_TTL_SECONDS), cache_size=design.cache_size,
                               response_bytes=max(1, min(e.response_bytes, MAX_ENTRY_BYTES)),
                               backend_latency=e.latency_p50_ms / 1000,
                               backend_jitter=min(2.0, _lognormal_sigma(e.latency_p50_ms, e.latency_p99_ms)),
                               cache_bytes_per_gb=1e9, seed=seed)
            cr = run_cache(cs, lab)
            cache_results[e.name] = cr
            hit_ratio[e.name] = cr.summary.hit_ratio
            steady[e.name] = estimated_hit_ratio(e, accepted_rate)
            if window < seconds:
                notes.append(f"{e.name}: cache simulated for the first {window:,.1f} s ({cr.records.size:,} requests) "
                             "from cold; steady-state estimate beside it")
            if n:
                pick = rng.integers(0, cr.records.size, n) if cr.records.size else np.zeros(n, int)
                drawn = cr.records["latency"][pick] if cr.records.size else np.zeros(n)
                hit[mine] = cr.records["cache"][pick] == 1 if cr.records.size else False
                latency[mine] += drawn
                timed_out[mine] = drawn > timeout_s[e.name]
        elif n:
            sigma = _lognormal_sigma(e.latency_p50_ms, e.latency_p99_ms)
            drawn = e.latency_p50_ms / 1000 * np.exp(sigma * rng.standard_normal(n))
            latency[mine] += np.minimum(drawn, timeout_s[e.name])
            timed_out[mine] = drawn > timeout_s[e.name]

    # --- the table -------------------------------------------------------------------------------------------
    outcome = rec["outcome"]
    tier_names = list(dict.fromkeys(client_tiers.values()))
    rows: list[Row] = []
    for j in list(range(len(endpoints))) + [None]:
        for tier in tier_names + ["all"]:
            sel = np.ones(rec.size, bool) if j is None else labels == j
            if tier != "all":
                sel &= rec_tier == tier
            name = endpoints[j].name if j is not None else "all"
            cached = name in hit_ratio if j is not None else bool(hit_ratio)
            rows.append(_row(name, tier, sel, rec, outcome, weights, latency, timed_out, hit, seconds, cached,
                             steady.get(name)))
    over = [e.name for e in endpoints if max(e.request_bytes, e.response_bytes) > limit("payload_size").value]
    if over:
        notes.append(f"bodies are not sent: {', '.join(over)} would get 413 (over 10 MB), see check()")
    notes.append("requests labelled with endpoints in proportion to their rates (the simulated API has one method)")
    notes.append("latency = gateway + backend draw (lognormal through p50/p99); draws over the timeout count as 504")
    return DesignSimulation(design, seconds, rows, result, cache_results, client_tiers, client_scale, scale,
                            result.wall_seconds + sum(c.wall_seconds for c in cache_results.values()), notes)


def _timeout_seconds(design: Design, e: Any) -> float:
    lim = limit("integration_timeout")
    raisable = design.endpoint_type in lim.extra.get("raisable_for", ())
    return (e.timeout_ms if raisable else min(e.timeout_ms, lim.value)) / 1000


def _row(endpoint: str, tier: str, sel: np.ndarray, rec: np.ndarray, outcome: np.ndarray, weights: np.ndarray,
         latency: np.ndarray, timed_out: np.ndarray, hit: np.ndarray, seconds: float,
         cached: bool, steady: float | None) -> Row:
    def scaled(mask: np.ndarray) -> int:
        return int(round(float(np.sum(weights[mask]))))

    accepted = sel & (outcome == ACCEPTED) & ~timed_out
    lat = latency[accepted]

    def pct(q: float) -> float:
        return float(np.percentile(lat, q)) if lat.size else 0.0

    backend = sel & (outcome == ACCEPTED) & ~hit
    served = sel & (outcome == ACCEPTED)
    n_served = float(np.sum(weights[served]))
    cache_hit_ratio = float(np.sum(weights[served & hit])) / n_served if cached and n_served else (0.0 if cached else None)
    return Row(endpoint=endpoint, tier=tier, offered=scaled(sel & (rec["attempt"] == 0)), accepted=scaled(accepted),
               throttled=scaled(sel & (outcome == THROTTLED)), quota_exceeded=scaled(sel & (outcome == QUOTA_EXCEEDED)),
               timeouts=scaled(sel & (outcome == ACCEPTED) & timed_out), latency_p50=pct(50), latency_p95=pct(95),
               latency_p99=pct(99), cache_hit_ratio=cache_hit_ratio, steady_hit_ratio=steady,
               backend_calls_per_s=float(np.sum(weights[backend])) / seconds)
