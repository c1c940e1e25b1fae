"""A REST API design on paper: endpoints, callers and tiers, Regions. `load_design` reads and validates one.

A design is a small dict or YAML file (data/designs/ has worked examples):

```yaml
name: catalogue
api_region: us-east-1
endpoint_type: REGIONAL            # EDGE | REGIONAL | PRIVATE
stage: {name: prod, rate: 3000, burst: 2000}   # stage default method throttling (optional)
stages: 2                          # how many stages the API will have (default 1)
cache: {size_gb: 1.6}              # the stage cache cluster (optional; one of AWS's sizes)
backend_cost_per_million: 0.40     # USD per million backend calls (optional; for the cache break-even)
callers: {us-east-1: 0.6, eu-west-1: 0.3, ap-southeast-2: 0.1}   # share of requests per caller Region
tiers:                             # usage plans (optional); every caller then sends an API key
  - {name: free, share: 0.3, clients: 200, rate: 5, burst: 10, quota: {limit: 10000, period: DAY}}
endpoints:
  - path: /products/{id}
    method: GET
    rate: 800                      # mean requests/s
    burst: 1500                    # the largest spike: requests arriving together
    request_bytes: 300
    response_bytes: 20000
    latency_ms: {p50: 40, p99: 250}   # the backend's answer time
    backend: LAMBDA                # LAMBDA | HTTP | AWS | MOCK
    auth: NONE                     # NONE | API_KEY | AWS_IAM | COGNITO_USER_POOLS | CUSTOM
    cache: {cacheable: true, ttl: 300, keys: 20000, zipf_s: 1.0}
```

Traffic: `rate` per endpoint is the whole API's mix; tiers say who sends it (`share` of all requests,
spread evenly over the tier's `clients`). Mistakes raise ValueError naming the field and what is allowed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..gateway.cache import CACHE_CLUSTER_SIZES
from ..gateway.throttle import PERIODS

DESIGNS_DIR = Path(__file__).resolve().parents[2] / "data" / "designs"

ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
BACKENDS = ("LAMBDA", "HTTP", "AWS", "MOCK")
AUTHS = ("NONE", "API_KEY", "AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM")
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
MAX_BYTES = 10 * 1024**4  # 10 TiB: beyond anything an HTTP body could be; anything in between is checked by `check`


@dataclass(frozen=True)
class CacheWish:
    """What an endpoint would like from the stage cache."""

    cacheable: bool = False   # may responses be reused (same key -> same answer for `ttl` seconds)?
    enabled: bool | None = None  # caching turned on for this method (None: on if cacheable and the stage has a cache)
    ttl: int = 300
    keys: int = 1000          # distinct cache keys (e.g. product ids)
    zipf_s: float = 1.0       # popularity skew of those keys (0 = all equally popular)


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    rate: float
    burst: int
    request_bytes: int
    response_bytes: int
    latency_p50_ms: float
    latency_p99_ms: float
    backend: str = "LAMBDA"
    auth: str = "NONE"
    cache: CacheWish = field(default_factory=CacheWish)
    timeout_ms: int = 29_000
    header_bytes: int = 0
    url_length: int = 0

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def cached(self) -> bool:
        """Caching is on for this method (a wish; the stage also needs a cache cluster)."""
        if self.cache.enabled is not None:
            return self.cache.enabled
        return self.cache.cacheable


@dataclass(frozen=True)
class TierSpec:
    """A usage plan: per-key throttle and quota, and who is in it."""

    name: str
    share: float
    clients: int
    rate: float | None = None
    burst: int | None = None
    quota_limit: int | None = None
    quota_period: str = "DAY"

    def client_rate(self, total_rate: float) -> float:
        """Mean requests/s one client of this tier sends."""
        return total_rate * self.share / self.clients


@dataclass(frozen=True)
class Design:
    name: str
    api_region: str
    endpoint_type: str
    endpoints: tuple[Endpoint, ...]
    tiers: tuple[TierSpec, ...] = ()
    callers: Mapping[str, float] = field(default_factory=dict)
    stage_name: str = "prod"
    stage_rate: float | None = None
    stage_burst: int | None = None
    stages: int = 1
    cache_size: str | None = None
    backend_cost_per_million: float | None = None
    account_rate: float | None = None    # None: the Region's default from the limits file
    account_burst: int | None = None
    other_usage_plans: int = 0           # already in the account and Region
    other_api_keys: int = 0
    description: str = ""

    @property
    def total_rate(self) -> float:
        return sum(e.rate for e in self.endpoints)

    @property
    def total_burst(self) -> int:
        return sum(e.burst for e in self.endpoints)

    @property
    def api_keys(self) -> int:
        """API keys the design needs: one per client in a tier."""
        return sum(t.clients for t in self.tiers)

    def endpoint(self, name: str) -> Endpoint:
        for e in self.endpoints:
            if e.name == name or e.path == name:
                return e
        raise ValueError(f"endpoint must be one of {[e.name for e in self.endpoints]}, got {name!r}")

    def resources(self) -> int:
        """Resources the API needs: every distinct path prefix, the root included."""
        seen = {"/"}
        for e in self.endpoints:
            parts = [p for p in e.path.split("/") if p]
            for i in range(1, len(parts) + 1):
                seen.add("/" + "/".join(parts[:i]))
        return len(seen)


# --- validation helpers ---------------------------------------------------------------------------------

def _num(raw: Mapping[str, Any], key: str, where: str, *, low: float = 0, high: float = math.inf,
         default: Any = ..., integer: bool = False, low_open: bool = False) -> Any:
    if key not in raw or raw[key] is None:
        if default is ...:
            raise ValueError(f"{where}.{key} is required ({'a whole number' if integer else 'a number'} "
                             f"in {'(' if low_open else '['}{low:g}, {high:g}])")
        return default
    value = raw[key]
    kind = (int,) if integer else (int, float)
    ok = isinstance(value, kind) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < low or value > high or (low_open and value == low):
        what = "a whole number" if integer else "a number"
        raise ValueError(f"{where}.{key} must be {what} in {'(' if low_open else '['}{low:g}, {high:g}], "
                         f"got {value!r}")
    return int(value) if integer else float(value)


def _choice(raw: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...], default: Any = ...) -> str:
    if key not in raw or raw[key] is None:
        if default is ...:
            raise ValueError(f"{where}.{key} is required (one of {', '.join(allowed)})")
        return default
    value = raw[key]
    if not isinstance(value, str) or value.upper() not in allowed:
        raise ValueError(f"{where}.{key} must be one of {', '.join(allowed)}, got {value!r}")
    return value.upper()


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a mapping (dict), got {type(value).__name__}")
    return value


def _known(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValueError(f"{where} has unknown field(s) {unknown}; allowed: {', '.join(sorted(allowed))}")


def _region(value: Any, where: str) -> str:
    if not isinstance(value, str) or not REGION_PATTERN.match(value):
        raise ValueError(f"{where} must be an AWS Region code like 'us-east-1', got {value!r}")
    return value


def _cache_size(value: Any, where: str) -> str:
    for known in CACHE_CLUSTER_SIZES:
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            try:
                if float(known) == float(value):
                    return known
            except ValueError:
                break
    raise ValueError(f"{where} must be one of {', '.join(CACHE_CLUSTER_SIZES)} (GB), got {value!r}")


# --- parsing -------------------------------------------------------------------------------------------

def _endpoint(raw: Any, i: int) -> Endpoint:
    where = f"endpoints[{i}]"
    raw = _mapping(raw, where)
    _known(raw, {"path", "method", "rate", "burst", "request_bytes", "response_bytes", "latency_ms", "backend",
                 "auth", "cache", "timeout_ms", "header_bytes", "url_length"}, where)
    path = raw.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"{where}.path must be a resource path starting with '/', got {path!r}")
    where = f"endpoints[{i}] ({path})"
    method = _choice(raw, "method", where, METHODS)
    rate = _num(raw, "rate", where, high=1e6)
    burst = _num(raw, "burst", where, high=1e6, integer=True, default=max(1, math.ceil(rate)))
    latency = _mapping(raw.get("latency_ms", {}), f"{where}.latency_ms")
    _known(latency, {"p50", "p99"}, f"{where}.latency_ms")
    p50 = _num(latency, "p50", f"{where}.latency_ms", low=0, high=86_400_000, low_open=True, default=50.0)
    p99 = _num(latency, "p99", f"{where}.latency_ms", low=0, high=86_400_000, low_open=True, default=p50 * 4)
    if p99 < p50:
        raise ValueError(f"{where}.latency_ms.p99 must be >= p50 ({p50:g}), got {p99:g}")
    cache_raw = _mapping(raw.get("cache", {}) or {}, f"{where}.cache")
    _known(cache_raw, {"cacheable", "enabled", "ttl", "keys", "zipf_s"}, f"{where}.cache")
    for flag in ("cacheable", "enabled"):
        if flag in cache_raw and not isinstance(cache_raw[flag], (bool, type(None))):
            raise ValueError(f"{where}.cache.{flag} must be true or false, got {cache_raw[flag]!r}")
    cache = CacheWish(
        cacheable=bool(cache_raw.get("cacheable", False)), enabled=cache_raw.get("enabled"),
        # TTL above 3600 is accepted here so that `check` can report it against the limit.
        ttl=_num(cache_raw, "ttl", f"{where}.cache", high=86_400, integer=True, default=300),
        keys=_num(cache_raw, "keys", f"{where}.cache", low=1, high=1_000_000, integer=True, default=1000),
        zipf_s=_num(cache_raw, "zipf_s", f"{where}.cache", high=5, default=1.0))
    return Endpoint(
        path=path, method=method, rate=rate, burst=burst,
        request_bytes=_num(raw, "request_bytes", where, high=MAX_BYTES, integer=True, default=0),
        response_bytes=_num(raw, "response_bytes", where, high=MAX_BYTES, integer=True, default=0),
        latency_p50_ms=p50, latency_p99_ms=p99,
        backend=_choice(raw, "backend", where, BACKENDS, "LAMBDA"), auth=_choice(raw, "auth", where, AUTHS, "NONE"),
        cache=cache, timeout_ms=_num(raw, "timeout_ms", where, low=1, high=900_000, integer=True, default=29_000),
        header_bytes=_num(raw, "header_bytes", where, high=10_000_000, integer=True, default=0),
        url_length=_num(raw, "url_length", where, high=10_000_000, integer=True, default=0))


def _tier(raw: Any, i: int) -> TierSpec:
    where = f"tiers[{i}]"
    raw = _mapping(raw, where)
    _known(raw, {"name", "share", "clients", "rate", "burst", "quota"}, where)
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
        raise ValueError(f"{where}.name must be 1-40 letters, digits, '-' or '_', got {name!r}")
    where = f"tiers[{i}] ({name})"
    rate = _num(raw, "rate", where, high=1e6, default=None)
    burst = _num(raw, "burst", where, high=1e6, integer=True, default=None)
    if (rate is None) != (burst is None):
        raise ValueError(f"{where}.rate and {where}.burst must be given together (or neither: no per-key throttle)")
    quota_limit, period = None, "DAY"
    if raw.get("quota") is not None:
        quota = _mapping(raw["quota"], f"{where}.quota")
        _known(quota, {"limit", "period"}, f"{where}.quota")
        quota_limit = _num(quota, "limit", f"{where}.quota", high=2**31 - 1, integer=True)
        period = _choice(quota, "period", f"{where}.quota", PERIODS, "DAY")
    return TierSpec(name=name, share=_num(raw, "share", where, high=1.0),
                    clients=_num(raw, "clients", where, low=1, high=10_000_000, integer=True),
                    rate=rate, burst=burst, quota_limit=quota_limit, quota_period=period)


DESIGN_FIELDS = {"name", "description", "api_region", "endpoint_type", "endpoints", "tiers", "callers", "stage",
                 "stages", "cache", "backend_cost_per_million", "account", "existing"}


def load_design(source: str | Path | Mapping[str, Any] | Design) -> Design:
    """A Design from a dict, a YAML file, or the name of a shipped design (data/designs/NAME.yaml)."""
    if isinstance(source, Design):
        return source
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists() and (DESIGNS_DIR / f"{source}.yaml").exists():
            path = DESIGNS_DIR / f"{source}.yaml"
        if not path.exists():
            shipped = sorted(p.stem for p in DESIGNS_DIR.glob("*.yaml"))
            raise ValueError(f"source must be a design dict, a YAML file or one of {shipped}, got {str(source)!r}")
        raw = yaml.safe_load(path.read_text())
    else:
        raw = source
    raw = _mapping(raw, "design")
    _known(raw, DESIGN_FIELDS, "design")
    name = raw.get("name", "design")
    if not isinstance(name, str) or not name:
        raise ValueError(f"design.name must be a non-empty string, got {name!r}")
    endpoints_raw = raw.get("endpoints")
    if not isinstance(endpoints_raw, list) or not endpoints_raw:
        raise ValueError("design.endpoints must be a non-empty list of endpoints")
    endpoints = tuple(_endpoint(e, i) for i, e in enumerate(endpoints_raw))
    names = [e.name for e in endpoints]
    if len(set(names)) != len(names):
        raise ValueError(f"design.endpoints must not repeat a method and path, got {names}")
    if sum(e.rate for e in endpoints) <= 0:
        raise ValueError("design.endpoints must offer some traffic: the sum of their rates must be > 0")

    tiers_raw = raw.get("tiers") or []
    if not isinstance(tiers_raw, list):
        raise ValueError("design.tiers must be a list of tiers")
    tiers = tuple(_tier(t, i) for i, t in enumerate(tiers_raw))
    if tiers:
        if len({t.name for t in tiers}) != len(tiers):
            raise ValueError(f"design.tiers must have distinct names, got {[t.name for t in tiers]}")
        total_share = sum(t.share for t in tiers)
        if abs(total_share - 1.0) > 1e-6:
            raise ValueError(f"design.tiers[*].share must add up to 1 (every caller is in a tier), got {total_share:g}")

    callers_raw = _mapping(raw.get("callers") or {}, "design.callers")
    callers = {_region(k, f"design.callers key {k!r}"): _num(callers_raw, k, "design.callers", high=1.0)
               for k in callers_raw}
    if callers and abs(sum(callers.values()) - 1.0) > 1e-6:
        raise ValueError(f"design.callers shares must add up to 1, got {sum(callers.values()):g}")

    stage = _mapping(raw.get("stage") or {}, "design.stage")
    _known(stage, {"name", "rate", "burst"}, "design.stage")
    stage_rate = _num(stage, "rate", "design.stage", high=1e6, default=None)
    stage_burst = _num(stage, "burst", "design.stage", high=1e6, integer=True, default=None)
    if (stage_rate is None) != (stage_burst is None):
        raise ValueError("design.stage.rate and design.stage.burst must be given together (or neither)")
    account = _mapping(raw.get("account") or {}, "design.account")
    _known(account, {"rate", "burst"}, "design.account")
    existing = _mapping(raw.get("existing") or {}, "design.existing")
    _known(existing, {"usage_plans", "api_keys"}, "design.existing")
    cache = _mapping(raw.get("cache") or {}, "design.cache")
    _known(cache, {"size_gb"}, "design.cache")
    cache_size = _cache_size(cache["size_gb"], "design.cache.size_gb") if cache.get("size_gb") is not None else None

    return Design(
        name=name, description=str(raw.get("description", "")).strip(),
        api_region=_region(raw.get("api_region", "us-east-1"), "design.api_region"),
        endpoint_type=_choice(raw, "endpoint_type", "design", ENDPOINT_TYPES, "EDGE"),
        endpoints=endpoints, tiers=tiers, callers=callers,
        stage_name=str(stage.get("name", "prod")), stage_rate=stage_rate, stage_burst=stage_burst,
        stages=_num(raw, "stages", "design", low=1, high=1000, integer=True, default=1),
        cache_size=cache_size,
        backend_cost_per_million=_num(raw, "backend_cost_per_million", "design", high=1e6, default=None),
        account_rate=_num(account, "rate", "design.account", high=1e7, low_open=True, default=None),
        account_burst=_num(account, "burst", "design.account", high=1e7, integer=True, default=None),
        other_usage_plans=_num(existing, "usage_plans", "design.existing", high=1e6, integer=True, default=0),
        other_api_keys=_num(existing, "api_keys", "design.existing", high=1e8, integer=True, default=0))
