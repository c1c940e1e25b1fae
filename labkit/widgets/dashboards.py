"""The widget labs' dashboards as SVG charts: the views of labkit/plots.py, in one chart per lab.

Same data helpers and colours as the matplotlib figures the notebooks use (labkit/plots.py), drawn by
`svgchart`, which builds a dashboard in milliseconds where matplotlib took hundreds.
"""

from __future__ import annotations

from typing import Any

from .. import plots
from ..colours import CACHE_COLOURS, COLOURS
from ..pricing import cache_prices
from ..sim.caching import cost_point
from ..sim.runner import SimResult
from .svgchart import Chart

UNCHOSEN_SIZE = "#c6dbef"  # the cache sizes the run did not use (the chosen one in CACHE_COLOURS["cost"])


def throttling_dashboard(result: SimResult, traffic_top: float | None = None) -> Chart:
    """Traffic over time, the stage token bucket, and each client's share of offered and accepted requests.
    `traffic_top` fixes the top of the traffic panel's y axis (None: fit this run)."""
    chart = Chart(880, 440, rows=2, cols=3)
    scenario, width = result.scenario, plots.bin_seconds(result.scenario.duration)
    bins = result.per_second(width)
    start = plots.closed(bins["start"], width)
    end = float(start[-1])

    traffic = chart.panel(0, 0, colspan=2, title="Offered vs answered", xlabel="time (s)", ylabel="requests / s")
    traffic.x(0, end).y(0, traffic_top)
    traffic.stacked_areas(start, [(plots.closed(bins["accepted"] / width), COLOURS["accepted"], "accepted (200)"),
                                  (plots.closed(bins["throttled"] / width), COLOURS["throttled"], "429 throttled"),
                                  (plots.closed(bins["quota_exceeded"] / width), COLOURS["quota_exceeded"],
                                   "429 quota exceeded")])
    traffic.line(start, plots.closed(bins["offered"] / width), "black", width=1.2, step=True,
                 label="offered (first tries)")
    if scenario.stage_rate is not None:
        traffic.hline(scenario.stage_rate, COLOURS["tokens"], label="stage rate limit")

    bucket = chart.panel(1, 0, colspan=2, title="Stage token bucket", xlabel="time (s)", ylabel="tokens")
    times, levels = plots.stage_token_levels(result)
    if times.size:
        burst = float(scenario.stage_burst or 0)
        bucket.x(0, max(end, float(times[-1]))).y(min(0.0, float(levels.min())), 1.08 * burst or None)
        bucket.line(times, levels, COLOURS["tokens"], width=1)
        bucket.hline(burst, "grey", dash=":", label="burst (bucket size)")
    else:
        bucket.x(0, end).y(0, 1).text(end / 2, 0.5, "no stage throttle set", size=11)

    shares = chart.panel(0, 2, rowspan=2, title="Share per client", xlabel="share (%)")
    labels, offered, accepted = plots.client_share_percents(result)
    shares.x(0, 100).y(categories=labels)
    shares.bars(offered, COLOURS["offered"], horizontal=True, offset=0.2, thickness=0.4, label="offered")
    shares.bars(accepted, COLOURS["accepted"], horizontal=True, offset=-0.2, thickness=0.4, label="accepted")
    return chart


def cache_dashboard(result: Any, cost_points: Any = None) -> Chart:
    """Hit ratio over time, backend load, latency, and what the cache costs per million backend calls saved
    (one bar per run: lower is better; the hourly price and the calls saved are written beside it).

    `cost_points` (`labkit.sim.caching.CostPoint`s) default to the run's own cache size."""

    chart = Chart(880, 520, rows=2, cols=2)
    summary, width = result.summary, plots.bin_seconds(result.scenario.duration)
    bins = result.per_second(width)
    start = plots.closed(bins["start"], width)
    end, requests = float(start[-1]), bins["requests"].clip(min=1)

    hits = chart.panel(0, 0, title="Cache hit ratio over time", xlabel="time (s)", ylabel="% of requests")
    hits.x(0, end).y(0, 105)
    if summary.warmup > 0:
        hits.xspan(0, summary.warmup, "grey", label="warm-up")
    hits.line(start, plots.closed(100 * bins["hits"] / requests), CACHE_COLOURS["hit"], step=True, label="hit ratio")
    if bins["stale"].any():
        hits.line(start, plots.closed(100 * bins["stale"] / requests), CACHE_COLOURS["stale"], width=1, step=True,
                  label="stale reads")
    hits.hline(100 * summary.steady_hit_ratio, CACHE_COLOURS["hit"],
               label=f"steady state {summary.steady_hit_ratio:.0%}")

    load = chart.panel(0, 1, title="Backend load", xlabel="time (s)", ylabel="backend calls / s")
    load.x(0, end).y(0)
    load.line(start, plots.closed(bins["requests"] / width), CACHE_COLOURS["without"], step=True,
              label=f"without cache ({summary.backend_rate_without_cache:,.0f}/s)")
    load.area(start, plots.closed(bins["backend"] / width), CACHE_COLOURS["backend"], opacity=0.7,
              label=f"with cache ({summary.backend_rate:,.1f}/s)")

    latency = chart.panel(1, 0, title="Latency (hits: no integration call)", xlabel="latency (ms)",
                          ylabel="% of requests at most")
    latency.x(0).y(0, 102)
    latency_ms, percent = plots.latency_cdf(result)
    if latency_ms.size:
        latency.line(latency_ms, percent, CACHE_COLOURS["backend"], step=True)
        for q, value, dash in (("p50", summary.latency_p50, "-"), ("p95", summary.latency_p95, "--"),
                               ("p99", summary.latency_p99, ":")):
            latency.vline(value * 1000, "black", dash=dash, label=f"{q} {value * 1000:.0f} ms")

    points = list(cost_points) if cost_points is not None else [cost_point(result)]
    per_million = [p.usd_per_hour / (p.calls_saved_per_hour / 1e6) if p.calls_saved_per_hour else 0.0 for p in points]
    cost = chart.panel(1, 1, title="Cache price per million backend calls saved", xlabel="USD per million calls saved")
    cost.x(0, max(per_million + [0.01]) * 1.6).y(categories=[f"{p.size} GB" for p in points])
    cost.bars(per_million, CACHE_COLOURS["cost"], horizontal=True, thickness=0.4)
    for i, p in enumerate(points):  # above its bar (categories run top down), from the axis
        cost.text(0, i - 0.3, f"{plots.cost_per_million_label(p)}: ${p.usd_per_hour:.3f}/h for "
                              f"{p.calls_saved_per_hour:,.0f} calls saved/h", size=11, anchor="start", dy=-4)
    return chart
