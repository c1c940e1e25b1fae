"""API Gateway list prices, read from the dated tables in data/pricing/ (their README gives source and date).

One reader for the design cost model (`labkit.design.cost`) and the cache simulation
(`labkit.sim.caching`). It sits below both, beside the simulator, so the simulator need not import
`labkit.design` (notebook-facing code → sim → gateway). https://aws.amazon.com/api-gateway/pricing/
"""

from __future__ import annotations

import csv
import functools
import math
from pathlib import Path
from typing import Any

import yaml

from .gateway.cache import CACHE_CLUSTER_SIZES

PRICING_DIR = Path(__file__).resolve().parents[1] / "data" / "pricing"
PRICING_FILE = PRICING_DIR / "api-gateway-rest-us-east-1.yaml"   # requests, data transfer out
PRICING_CSV = PRICING_DIR / "api-gateway-cache-us-east-1.csv"    # cache cluster hours


@functools.lru_cache(maxsize=2)
def _read_yaml(filename: str, _mtime: int) -> dict[str, Any]:
    return yaml.safe_load(Path(filename).read_text())


def rest_api_prices() -> dict[str, Any]:
    """The REST API price table (requests, data transfer out), as written in the YAML file."""
    return _read_yaml(str(PRICING_FILE), PRICING_FILE.stat().st_mtime_ns)


def cache_size_name(size: Any, name: str = "size") -> str:
    """A cache cluster size as AWS spells it ("0.5" … "237"); numbers are accepted (0.5, 118.0)."""
    if isinstance(size, bool):
        raise ValueError(f"{name} must be one of {', '.join(CACHE_CLUSTER_SIZES)} (GB), got {size!r}")
    if isinstance(size, (int, float)):
        for known in CACHE_CLUSTER_SIZES:
            if float(known) == float(size):
                return known
    if isinstance(size, str) and size.strip() in CACHE_CLUSTER_SIZES:
        return size.strip()
    raise ValueError(f"{name} must be one of {', '.join(CACHE_CLUSTER_SIZES)} (GB), got {size!r}")


@functools.lru_cache(maxsize=4)
def _read_cache_prices(filename: str, _mtime: int) -> dict[str, float]:
    with open(filename, newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if line.strip() and not line.startswith("#")))
    return {cache_size_name(float(row["size_gb"])): float(row["usd_per_hour"]) for row in rows}


def cache_prices() -> dict[str, float]:
    """US dollars per hour for each cache cluster size, us-east-1 list prices (data/pricing/README.md
    gives their source and date)."""
    return dict(_read_cache_prices(str(PRICING_CSV), PRICING_CSV.stat().st_mtime_ns))


def cache_cost(size: str | float, hours: float = 1.0) -> float:
    """What a cache cluster of `size` GB costs for `hours` hours, in US dollars (us-east-1 list price).

    Caching is billed per hour by size and is not in the Free Tier; cached requests are still API
    calls, billed as usual. https://aws.amazon.com/api-gateway/pricing/"""
    name = cache_size_name(size)
    ok = isinstance(hours, (int, float)) and not isinstance(hours, bool) and math.isfinite(hours)
    if not ok or hours < 0:
        raise ValueError(f"hours must be a finite number >= 0, got {hours!r}")
    return cache_prices()[name] * float(hours)
