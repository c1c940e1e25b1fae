"""EDGE or REGIONAL? A round-trip latency estimate per client region.

A pure model, no AWS call. For clients in each region it estimates the round-trip time of one API
request answered by an API in `api_region`:

- **REGIONAL**: the client reaches the API's Region over the public internet.
  `rtt = last_mile_ms + internet_factor * backbone_rtt(client_region, api_region)`
- **EDGE** (edge-optimized): the client reaches the nearest CloudFront POP, which forwards over the
  AWS backbone to the API's Region.
  `rtt = last_mile_ms + pop_rtt_ms + backbone_rtt(client_region, api_region) + edge_overhead_ms`

With `new_connection=True` the TCP and TLS handshakes are added (`handshake_round_trips` round trips
of the leg the connection ends on): at the POP for EDGE, in the API's Region for REGIONAL. That is
where edge-optimized endpoints win most for far-away clients; for clients in the API's own Region the
extra hop makes EDGE slower, which is why AWS recommends REGIONAL for same-Region clients.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-endpoint-types.html

Assumptions (the kit's, stated so a notebook can say them in one sentence):

- A client "in" a region is near that AWS Region; the backbone RTTs between Regions come from
  `data/latency/inter_region_rtt_ms.csv` (rounded, see data/latency/README.md); within a Region 2 ms.
- The public internet is slower than the AWS backbone over the same distance: `internet_factor`
  1.3 by default (an assumption, not a measurement).
- A POP is `pop_rtt_ms` (default 10 ms) from its clients; CloudFront adds `edge_overhead_ms`
  (default 5 ms) per request. The last mile (`last_mile_ms`, default 15 ms) is the same both ways.
- Integration and processing time are left out: they are the same for both endpoint types.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RTT_CSV = Path(__file__).resolve().parents[2] / "data" / "latency" / "inter_region_rtt_ms.csv"
SAME_REGION_RTT_MS = 2.0


@dataclass(frozen=True)
class LatencyRow:
    """One client region's estimate, in milliseconds per request."""

    client_region: str
    clients: int
    regional_ms: float
    edge_ms: float

    @property
    def better(self) -> str:
        return "EDGE" if self.edge_ms < self.regional_ms else "REGIONAL"


@dataclass(frozen=True)
class LatencyTable:
    """Rows per client region, plus the client-weighted means."""

    api_region: str
    rows: tuple[LatencyRow, ...]
    new_connection: bool

    @property
    def weighted_regional_ms(self) -> float:
        return _weighted(self.rows, "regional_ms")

    @property
    def weighted_edge_ms(self) -> float:
        return _weighted(self.rows, "edge_ms")

    @property
    def recommendation(self) -> str:
        """The endpoint type with the lower client-weighted mean."""
        return "EDGE" if self.weighted_edge_ms < self.weighted_regional_ms else "REGIONAL"

    def as_dicts(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = [
            {"client_region": r.client_region, "clients": r.clients, "regional_ms": r.regional_ms,
             "edge_ms": r.edge_ms, "better": r.better} for r in self.rows]
        rows.append({"client_region": "all (weighted)", "clients": sum(r.clients for r in self.rows),
                     "regional_ms": self.weighted_regional_ms, "edge_ms": self.weighted_edge_ms,
                     "better": self.recommendation})
        return rows

    def __str__(self) -> str:
        lines = [f"{'client region':<16}{'clients':>9}{'REGIONAL ms':>13}{'EDGE ms':>10}  better"]
        for row in self.as_dicts():
            lines.append(f"{row['client_region']:<16}{row['clients']:>9}{row['regional_ms']:>13.0f}"
                         f"{row['edge_ms']:>10.0f}  {row['better']}")
        return "\n".join(lines)


def _weighted(rows: tuple[LatencyRow, ...], field: str) -> float:
    total = sum(r.clients for r in rows)
    return round(sum(getattr(r, field) * r.clients for r in rows) / total, 1) if total else 0.0


@lru_cache(maxsize=1)
def inter_region_rtt() -> dict[tuple[str, str], float]:
    """{(a, b): rtt_ms} from data/latency/inter_region_rtt_ms.csv, both directions."""
    table: dict[tuple[str, str], float] = {}
    with RTT_CSV.open(newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            a, b, rtt = row["region_a"], row["region_b"], float(row["rtt_ms"])
            table[(a, b)] = table[(b, a)] = rtt
    return table


def regions() -> list[str]:
    """The Regions the RTT table knows."""
    return sorted({a for a, _ in inter_region_rtt()})


def backbone_rtt(a: str, b: str) -> float:
    if a == b:
        return SAME_REGION_RTT_MS
    return inter_region_rtt()[(a, b)]


def edge_vs_regional(client_regions: dict[str, int], api_region: str, *, last_mile_ms: float = 15.0,
                     internet_factor: float = 1.3, pop_rtt_ms: float = 10.0, edge_overhead_ms: float = 5.0,
                     new_connection: bool = False, handshake_round_trips: int = 2) -> LatencyTable:
    """Estimated round-trip latency per request for REGIONAL vs EDGE, per client region (see module doc).

    `client_regions` maps an AWS Region near the clients to how many clients (or requests) are there.
    """
    known = set(regions())
    if api_region not in known:
        raise ValueError(f"api_region must be one of {', '.join(sorted(known))}, got {api_region!r}")
    if not isinstance(client_regions, dict) or not client_regions:
        raise ValueError("client_regions must be a non-empty dict of region -> number of clients")
    for region, count in client_regions.items():
        if region not in known:
            raise ValueError(f"client_regions keys must be among {', '.join(sorted(known))}, got {region!r}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"client_regions[{region!r}] must be a whole number >= 0, got {count!r}")
    if sum(client_regions.values()) == 0:
        raise ValueError("client_regions must count at least one client")
    for name, value in (("last_mile_ms", last_mile_ms), ("pop_rtt_ms", pop_rtt_ms),
                        ("edge_overhead_ms", edge_overhead_ms)):
        if not 0 <= value <= 1000:
            raise ValueError(f"{name} must be between 0 and 1000 ms, got {value!r}")
    if not 1.0 <= internet_factor <= 5.0:
        raise ValueError(f"internet_factor must be between 1.0 and 5.0, got {internet_factor!r}")
    if isinstance(handshake_round_trips, bool) or not isinstance(handshake_round_trips, int) \
            or not 0 <= handshake_round_trips <= 4:
        raise ValueError(f"handshake_round_trips must be 0 to 4, got {handshake_round_trips!r}")

    rows = []
    for region, count in client_regions.items():
        backbone = backbone_rtt(region, api_region)
        regional_leg = last_mile_ms + internet_factor * backbone
        regional = regional_leg
        edge_leg = last_mile_ms + pop_rtt_ms
        edge = edge_leg + backbone + edge_overhead_ms
        if new_connection:
            regional += handshake_round_trips * regional_leg
            edge += handshake_round_trips * edge_leg
        rows.append(LatencyRow(region, count, round(regional, 1), round(edge, 1)))
    return LatencyTable(api_region, tuple(rows), new_connection)
