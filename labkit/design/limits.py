"""API Gateway REST limits and quotas, read from data/limits/api_gateway_rest.yaml (each with its source)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LIMITS_FILE = Path(__file__).resolve().parents[2] / "data" / "limits" / "api_gateway_rest.yaml"


@dataclass(frozen=True)
class Limit:
    """One limit or quota: its value and unit, whether AWS raises it on request, and where that is written."""

    id: str
    name: str
    value: Any
    unit: str
    raisable: bool | None
    source: str
    kind: str = "quota"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def value_for(self, endpoint_type: str) -> Any:
        """The value for an endpoint type where it differs by type (header size, URL length)."""
        return self.extra.get("by_endpoint_type", {}).get(endpoint_type, self.value)

    def __str__(self) -> str:
        value = f"{self.value:,}" if isinstance(self.value, (int, float)) else str(self.value)
        raisable = {True: "raisable", False: "not raisable", None: "raisable: not stated"}[self.raisable]
        return f"{self.id} = {value} {self.unit} ({raisable}) {self.source}".replace("  ", " ")


@functools.lru_cache(maxsize=2)
def _read(filename: str, _mtime: int) -> dict[str, Limit]:
    raw = yaml.safe_load(Path(filename).read_text())
    out: dict[str, Limit] = {}
    for row in raw["limits"]:
        row = dict(row)
        known = {k: row.pop(k) for k in ("id", "name", "value", "unit", "raisable", "source")}
        kind, note = row.pop("kind", "quota"), str(row.pop("note", "")).strip()
        out[known["id"]] = Limit(**known, kind=kind, note=note, extra=row)
    return out


def load_limits() -> dict[str, Limit]:
    """Every limit in the limits file, by id."""
    return dict(_read(str(LIMITS_FILE), LIMITS_FILE.stat().st_mtime_ns))


def limit(limit_id: str) -> Limit:
    """One limit by id (ValueError naming the known ids otherwise)."""
    limits = load_limits()
    if limit_id not in limits:
        raise ValueError(f"limit_id must be one of {', '.join(sorted(limits))}, got {limit_id!r}")
    return limits[limit_id]


def account_limits(region: str) -> tuple[float, int, Limit, Limit]:
    """The default account throttle (rate, burst) in `region`, and the limits they come from."""
    reduced = limit("account_throttle_rate_reduced")
    if region in reduced.extra.get("regions", ()):
        burst = limit("account_throttle_burst_reduced")
        return float(reduced.value), int(burst.value), reduced, burst
    rate, burst = limit("account_throttle_rate"), limit("account_throttle_burst")
    return float(rate.value), int(burst.value), rate, burst
