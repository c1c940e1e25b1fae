"""`cost(design)`: what a design costs per month (requests, cache hours, data transfer out), and when its
cache pays for itself.

Prices (read by labkit.pricing): data/pricing/api-gateway-rest-us-east-1.yaml (requests, data transfer out) and
data/pricing/api-gateway-cache-us-east-1.csv (cache hours), us-east-1 list prices on the date those files
state. Assumptions (they are also listed in every CostReport):

- traffic is the design's mean rate all month; no Free Tier is deducted;
- cached responses are still API calls and billed as such (AWS pricing page); the cache saves backend calls;
- the cache hit ratio is a steady-state estimate: each key k (Zipf popularity p_k) is fetched on a miss
  and then served for `ttl` seconds, so with Poisson arrivals at rate λ·p_k its hit ratio is
  λ·p_k·ttl / (1 + λ·p_k·ttl); evictions (a cache too small for the keys) are not modelled here;
- data transfer out is the response bytes, in GB of 2^30 bytes; private APIs pay none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..gateway.cache import CACHE_CLUSTER_SIZES, MAX_ENTRY_BYTES, MAX_TTL_SECONDS
from ..pricing import cache_prices, rest_api_prices
from .model import Design, Endpoint, load_design

GB = 2**30


def _tiered(amount: float, tiers: list[dict[str, Any]], bound_key: str, price_key: str, unit: float,
            per: float) -> tuple[float, list[tuple[float, float, float]]]:
    """Cost of `amount` through cumulative tiers (bounds in `unit`s of amount, prices per `per` of amount);
    returns (total, [(amount in tier, price, cost), ...])."""
    total, lower, parts = 0.0, 0.0, []
    for tier in tiers:
        upper = math.inf if tier[bound_key] is None else float(tier[bound_key]) * unit
        used = max(0.0, min(amount, upper) - lower)
        if used > 0:
            cost = used * float(tier[price_key]) / per
            parts.append((used, float(tier[price_key]), cost))
            total += cost
        lower = upper
        if amount <= upper:
            break
    return total, parts


def request_cost(requests: float) -> tuple[float, list[tuple[float, float, float]]]:
    """USD for `requests` REST API calls in one month, and the per-tier breakdown
    (requests in the tier, USD per million, USD)."""
    tiers = rest_api_prices()["requests"]["tiers"]
    return _tiered(float(requests), tiers, "up_to_millions", "usd_per_million", 1e6, 1e6)


def http_api_request_cost(requests: float) -> tuple[float, list[tuple[float, float, float]]]:
    """USD for `requests` HTTP API calls in one month (for comparison: REST or HTTP API?), and the breakdown."""
    tiers = rest_api_prices()["http_api_requests"]["tiers"]
    return _tiered(float(requests), tiers, "up_to_millions", "usd_per_million", 1e6, 1e6)


def transfer_cost(gigabytes: float) -> tuple[float, list[tuple[float, float, float]]]:
    """USD for `gigabytes` of data transfer out in one month, and the per-tier breakdown."""
    tiers = rest_api_prices()["data_transfer_out"]["tiers"]
    return _tiered(float(gigabytes), tiers, "up_to_tb", "usd_per_gb", 1024.0, 1.0)


# --- cache hit ratio ------------------------------------------------------------------------------------

def cache_eligible(design: Design, e: Endpoint) -> bool:
    """The stage cache would serve this endpoint: caching on, a GET, a TTL, responses of at most 1 MB."""
    return (e.cached and e.method == "GET" and e.cache.ttl > 0 and 0 < e.response_bytes <= MAX_ENTRY_BYTES)


def estimated_hit_ratio(e: Endpoint, rate: float | None = None) -> float:
    """Steady-state hit ratio of a TTL cache for `e`'s keys at `rate` req/s (default: its own rate)."""
    rate = e.rate if rate is None else rate
    ttl = min(e.cache.ttl, MAX_TTL_SECONDS)
    if rate <= 0 or ttl <= 0:
        return 0.0
    p = np.arange(1, e.cache.keys + 1, dtype=float) ** -float(e.cache.zipf_s)
    p /= p.sum()
    x = rate * p * ttl
    return float(np.sum(p * x / (1.0 + x)))


def suggested_cache_size(design: Design) -> str:
    """The design's cache size, or the smallest one that holds every eligible endpoint's keys (x1.5 overhead)."""
    if design.cache_size is not None:
        return design.cache_size
    need = sum(e.cache.keys * e.response_bytes for e in design.endpoints if cache_eligible(design, e)) * 1.5
    for size in CACHE_CLUSTER_SIZES:
        if float(size) * 1e9 >= need:
            return size
    return CACHE_CLUSTER_SIZES[-1]


# --- the report -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BreakEven:
    """Where the cache's monthly cost equals what the backend calls it saves would cost."""

    requests_per_month: float | None   # None: the cache never pays for itself at these prices
    cache_size: str
    cache_usd_per_month: float
    backend_usd_per_million: float
    assumed_backend_price: bool        # True: no backend price in the design, request price used instead

    def __str__(self) -> str:
        basis = ("backend calls priced like API requests (no backend_cost_per_million in the design)"
                 if self.assumed_backend_price else f"backend ${self.backend_usd_per_million:,.2f} per million calls")
        if self.requests_per_month is None:
            return f"a {self.cache_size} GB cache never pays for itself ({basis})"
        return (f"a {self.cache_size} GB cache (${self.cache_usd_per_month:,.2f}/month) pays for itself above "
                f"{self.requests_per_month / 1e6:,.1f} M requests/month at this traffic mix ({basis})")


@dataclass(frozen=True)
class CostReport:
    """Monthly USD, us-east-1 list prices (see `pricing_source` and `assumptions`)."""

    month_hours: float
    requests_per_month: float
    request_usd: float
    request_tiers: list[tuple[float, float, float]]   # (requests in tier, USD per million, USD)
    cache_size: str | None
    cache_usd: float
    transfer_gb: float
    transfer_usd: float
    hit_ratio: float                                  # share of all requests the cache serves (estimate)
    backend_calls_per_month: float                    # with the cache
    backend_usd: float | None                         # None: the design gives no backend price
    break_even: BreakEven | None
    pricing_region: str
    pricing_recorded: str
    pricing_source: str
    assumptions: list[str] = field(default_factory=list)

    @property
    def total_usd(self) -> float:
        """API Gateway's bill: requests + cache + data transfer out (the backend's own cost excluded)."""
        return self.request_usd + self.cache_usd + self.transfer_usd

    def __str__(self) -> str:
        lines = [f"{self.requests_per_month / 1e6:,.1f} M requests/month: ${self.request_usd:,.2f}"]
        for n, price, usd in self.request_tiers:
            lines.append(f"    {n / 1e6:,.1f} M at ${price:.2f}/M = ${usd:,.2f}")
        lines.append(f"cache {self.cache_size + ' GB' if self.cache_size else 'none'}: ${self.cache_usd:,.2f}")
        lines.append(f"data transfer out {self.transfer_gb:,.0f} GB: ${self.transfer_usd:,.2f}")
        lines.append(f"total (API Gateway) ${self.total_usd:,.2f}/month ({self.pricing_region} list prices, "
                     f"recorded {self.pricing_recorded})")
        if self.backend_usd is not None:
            lines.append(f"backend calls {self.backend_calls_per_month / 1e6:,.1f} M: ${self.backend_usd:,.2f}")
        if self.break_even is not None:
            lines.append(f"break-even: {self.break_even}")
        return "\n".join(lines)


def monthly_costs(design: Design, scale: float = 1.0, month_hours: float = 730.0, *, with_cache: bool,
                  cache_size: str | None = None) -> dict[str, float]:
    """The month's costs at `scale` × the design's traffic: requests, cache, transfer, backend calls."""
    seconds = month_hours * 3600.0
    requests = design.total_rate * scale * seconds
    saved = 0.0
    if with_cache:
        saved = sum(e.rate * scale * seconds * estimated_hit_ratio(e, e.rate * scale)
                    for e in design.endpoints if cache_eligible(design, e))
    size = cache_size or suggested_cache_size(design)
    gb = 0.0 if design.endpoint_type == "PRIVATE" else sum(
        e.rate * scale * seconds * e.response_bytes for e in design.endpoints) / GB
    return {"requests": requests, "request_usd": request_cost(requests)[0],
            "cache_usd": cache_prices()[size] * month_hours if with_cache else 0.0,
            "transfer_gb": gb, "transfer_usd": transfer_cost(gb)[0],
            "backend_calls": requests - saved}


def _backend_price(design: Design) -> tuple[float, bool]:
    if design.backend_cost_per_million is not None:
        return design.backend_cost_per_million, False
    return float(rest_api_prices()["requests"]["tiers"][0]["usd_per_million"]), True


def break_even(design: Any, month_hours: float = 730.0) -> BreakEven | None:
    """The monthly request volume (at the design's endpoint mix) above which the cache saves more backend
    cost than it costs; None if no endpoint is eligible for the stage cache."""
    design = load_design(design)
    eligible = [e for e in design.endpoints if cache_eligible(design, e)]
    if not eligible:
        return None
    size = suggested_cache_size(design)
    monthly = cache_prices()[size] * month_hours
    price, assumed = _backend_price(design)
    seconds = month_hours * 3600.0

    def saving(scale: float) -> float:
        calls = sum(e.rate * scale * seconds * estimated_hit_ratio(e, e.rate * scale) for e in eligible)
        return calls * price / 1e6

    lo, hi = 1e-9, 1e9
    if saving(hi) < monthly:
        return BreakEven(None, size, monthly, price, assumed)
    for _ in range(200):  # bisection on log scale; saving() grows with traffic
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if saving(mid) < monthly else (lo, mid)
        if hi / lo < 1 + 1e-9:
            break
    return BreakEven(hi * design.total_rate * seconds, size, monthly, price, assumed)


def cost(design: Any, month_hours: float = 730) -> CostReport:
    """The design's monthly bill: requests (tiered), cache hours (if the design has a stage cache), data
    transfer out; backend calls if the design prices them; and the cache break-even."""
    ok = isinstance(month_hours, (int, float)) and not isinstance(month_hours, bool) and math.isfinite(month_hours)
    if not ok or not 0 < month_hours <= 744:
        raise ValueError(f"month_hours must be a number of hours in (0, 744], got {month_hours!r}")
    design = load_design(design)
    has_cache = design.cache_size is not None and any(cache_eligible(design, e) for e in design.endpoints)
    costs = monthly_costs(design, 1.0, month_hours, with_cache=has_cache, cache_size=design.cache_size)
    request_usd, tiers = request_cost(costs["requests"])
    price = rest_api_prices()
    backend_usd = (costs["backend_calls"] * design.backend_cost_per_million / 1e6
                   if design.backend_cost_per_million is not None else None)
    assumptions = [
        f"traffic: the design's mean rate ({design.total_rate:,.1f} req/s) for {month_hours:g} hours",
        *([f"the API is in {design.api_region} but priced with {price['region']} list prices (other Regions differ)"]
          if design.api_region != price["region"] else []),
        "no Free Tier; list prices for " + price["region"] + f" recorded {price['recorded']} ({price['source']})",
        "cached responses are billed as API calls; the cache only saves backend calls",
        "hit ratio: steady-state TTL-cache estimate per key (Zipf popularity, Poisson arrivals), no evictions",
        "data transfer out = response bytes (GB = 2^30 bytes), EC2 internet egress tiers"
        + (" - private API: none" if design.endpoint_type == "PRIVATE" else ""),
    ]
    requests = costs["requests"]
    return CostReport(
        month_hours=float(month_hours), requests_per_month=requests, request_usd=request_usd, request_tiers=tiers,
        cache_size=design.cache_size if has_cache else None, cache_usd=costs["cache_usd"],
        transfer_gb=costs["transfer_gb"], transfer_usd=costs["transfer_usd"],
        hit_ratio=1 - costs["backend_calls"] / requests if requests else 0.0,
        backend_calls_per_month=costs["backend_calls"], backend_usd=backend_usd,
        break_even=break_even(design, month_hours), pricing_region=price["region"],
        pricing_recorded=str(price["recorded"]), pricing_source=price["source"], assumptions=assumptions)


def cost_curve(design: Any, requests_per_month: Any, month_hours: float = 730.0) -> dict[str, np.ndarray]:
    """Monthly USD without and with the cache at each request volume (the design's mix scaled), backend
    calls included at the design's price (or the request price, if it gives none)."""
    design = load_design(design)
    volumes = np.asarray(requests_per_month, dtype=float)
    base = design.total_rate * month_hours * 3600.0
    price, _ = _backend_price(design)
    size = suggested_cache_size(design)
    without, with_ = [], []
    for v in volumes:
        out = []
        for cached in (False, True):
            c = monthly_costs(design, v / base, month_hours, with_cache=cached, cache_size=size)
            out.append(c["request_usd"] + c["cache_usd"] + c["transfer_usd"] + c["backend_calls"] * price / 1e6)
        without.append(out[0])
        with_.append(out[1])
    return {"requests": volumes, "without_cache": np.array(without), "with_cache": np.array(with_)}
