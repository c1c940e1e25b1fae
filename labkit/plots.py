"""Matplotlib figures for the notebooks: each builds and returns a `Figure`, never pyplot. The data
helpers here (bins, token levels, shares, latency CDF) also feed the widgets' SVG dashboards
(labkit/widgets/dashboards.py).

A pyplot figure returned from a notebook cell shows twice; a bare `Figure` shows once and leaves no
global state behind (shared/reference/notebooks-nbval-widgets.md, section 3a).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from .colours import CACHE_COLOURS, COLOURS, DEPLOYMENT_COLOURS
from .design.cost import break_even, cost_curve, suggested_cache_size
from .design.model import load_design
from .pricing import cache_prices
from .sim.runner import ACCEPTED, SimResult


def _show_figures_as_png() -> None:
    """In Jupyter, a returned `Figure` displays as a PNG even when no pyplot backend was loaded
    (figures are built without pyplot, so they never leak global state or display twice)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    formatter = shell.display_formatter.formatters["image/png"]
    if Figure in formatter.type_printers:
        return

    def png(figure: Figure) -> bytes:
        import io

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()

    formatter.for_type(Figure, png)


_show_figures_as_png()


def _axes(ax: Axes | None, size: tuple[float, float] = (7.0, 3.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def bin_seconds(duration: float) -> float:
    """About a hundred bars whatever the run's length: 1 s bins up to 100 s, wider after."""
    return 1.0 if duration <= 100 else float(10 ** math.ceil(math.log10(duration / 100)))


def traffic_over_time(result: SimResult, ax: Axes | None = None) -> Figure:
    """Requests per second: offered (first tries), accepted, and the 429s (throttled, quota) of all attempts."""
    fig, ax = _axes(ax)
    width = bin_seconds(result.scenario.duration)
    bins = result.per_second(width)
    start = bins["start"]
    ax.stackplot(start, bins["accepted"] / width, bins["throttled"] / width, bins["quota_exceeded"] / width,
                 step="post", colors=[COLOURS["accepted"], COLOURS["throttled"], COLOURS["quota_exceeded"]],
                 labels=["accepted (200)", "429 throttled", "429 quota exceeded"], alpha=0.8)
    ax.step(start, bins["offered"] / width, where="post", color="black", lw=1.2, label="offered (first tries)")
    scenario = result.scenario
    if scenario.stage_rate is not None:
        ax.axhline(scenario.stage_rate, color=COLOURS["tokens"], ls="--", lw=1, label="stage rate limit")
    ax.set(xlabel="time (s)", ylabel="requests / s", title="Offered vs answered", xlim=(0, start[-1] + width))
    ax.legend(loc="upper right", fontsize="small", ncols=2)
    return fig


def stage_token_levels(result: SimResult) -> tuple[np.ndarray, np.ndarray]:
    """The stage bucket's tokens over time, rebuilt from the requests it admitted.

    Computed, not recorded: every request the gateway let past the throttle took one token from the
    stage bucket (full at the start, `burst` at most, refilled at `rate`/s), so replaying the admitted
    times through the token-bucket formula gives its level. Returns (times, tokens), including the
    levels just before and just after each admission. Empty arrays if the stage has no throttle.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
    """
    scenario = result.scenario
    if scenario.stage_rate is None:
        return np.empty(0), np.empty(0)
    rate, burst = float(scenario.stage_rate), float(scenario.stage_burst or 0)
    rec = result.records
    admitted = rec["time"][(rec["outcome"] == ACCEPTED) | (rec["status"] >= 500)]
    times, levels = [0.0], [burst]
    tokens, last = burst, 0.0
    for t in admitted.tolist():
        if rate > 0 and tokens < burst and last + (burst - tokens) / rate < t:  # full again before t
            times.append(last + (burst - tokens) / rate)
            levels.append(burst)
        tokens = min(burst, tokens + (t - last) * rate)
        times += [t, t]
        levels += [tokens, tokens - 1.0]
        tokens, last = tokens - 1.0, t
    end = max(scenario.duration, last)
    if rate > 0 and tokens < burst and last + (burst - tokens) / rate < end:
        times.append(last + (burst - tokens) / rate)
        levels.append(burst)
    times.append(end)
    levels.append(min(burst, tokens + (end - last) * rate))
    return np.array(times), np.array(levels)


def token_level(result: SimResult, ax: Axes | None = None) -> Figure:
    """The stage token bucket's level over time (computed from admitted requests: see stage_token_levels)."""
    fig, ax = _axes(ax)
    times, levels = stage_token_levels(result)
    if times.size:
        ax.plot(times, levels, color=COLOURS["tokens"], lw=1)
        ax.axhline(result.scenario.stage_burst, color="grey", ls=":", lw=1, label="burst (bucket size)")
        ax.legend(loc="lower right", fontsize="small")
        ax.set_ylim(bottom=min(0.0, float(levels.min())))
    else:
        ax.text(0.5, 0.5, "no stage throttle set", ha="center", va="center", transform=ax.transAxes)
    ax.set(xlabel="time (s)", ylabel="tokens", title="Stage token bucket")
    return fig


def client_share_percents(result: SimResult) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Per client: its label (name, and its usage-plan tier on a second line), its % of the offered
    and its % of the accepted requests."""
    per = result.summary.per_client
    names = list(per)
    offered = np.array([per[n].offered for n in names], float)
    accepted = np.array([per[n].accepted for n in names], float)
    labels = [f"{n}\n({result.scenario.clients[i].tier})" if result.scenario.clients[i].tier else n
              for i, n in enumerate(names)]
    return labels, 100 * offered / max(offered.sum(), 1), 100 * accepted / max(accepted.sum(), 1)


def client_shares(result: SimResult, ax: Axes | None = None) -> Figure:
    """Each client's share of the offered and of the accepted requests."""
    fig, ax = _axes(ax, (5.0, 3.0))
    labels, offered, accepted = client_share_percents(result)
    y = np.arange(len(labels))
    ax.barh(y + 0.2, offered, height=0.4, color=COLOURS["offered"], label="offered")
    ax.barh(y - 0.2, accepted, height=0.4, color=COLOURS["accepted"], label="accepted")
    ax.set_yticks(y, labels, fontsize="small")
    ax.invert_yaxis()
    ax.set(xlabel="share (%)", title="Share per client", xlim=(0, 100))
    ax.legend(loc="lower right", fontsize="small")
    return fig


def deployment_shares(phases: list[tuple[str, int, int, float]], ax: Axes | None = None) -> Figure:
    """Which deployment answered, phase by phase of a canary release: each phase is (label, requests
    the canary answered, requests sent, the canary's percentTraffic); a tick marks the setting."""
    fig, ax = _axes(ax, (7.0, 0.6 + 0.45 * len(phases)))
    y = np.arange(len(phases))
    canary = np.array([100.0 * answered / sent if sent else 0.0 for _, answered, sent, _ in phases])
    ax.barh(y, 100.0 - canary, height=0.6, color=DEPLOYMENT_COLOURS["stable"], label="stage's deployment")
    ax.barh(y, canary, left=100.0 - canary, height=0.6, color=DEPLOYMENT_COLOURS["canary"], label="canary")
    for i, (_, _, _, setting) in enumerate(phases):
        ax.plot([100.0 - setting] * 2, [i - 0.38, i + 0.38], color="black", linewidth=1.5)
    ax.set_yticks(y, [label for label, *_ in phases], fontsize="small")
    ax.invert_yaxis()
    ax.set(xlabel="share of requests (%); | marks percentTraffic", title="Which deployment answered", xlim=(0, 100))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(phases) < 4 else -0.2), ncols=2,
              fontsize="small", frameon=False)
    return fig


def rolling_canary_share(on_canary: Any, window: int = 40) -> np.ndarray:
    """Per cent of the last `window` requests (fewer at the start) that the canary answered, request by request."""
    if window < 1:
        raise ValueError(f"window must be at least 1 request, got {window}")
    hits = np.cumsum(np.asarray(on_canary, dtype=float))
    n = np.arange(1, len(hits) + 1)
    start = np.maximum(n - window, 0)
    before = np.where(start > 0, hits[np.maximum(start - 1, 0)], 0.0)
    return 100.0 * (hits - before) / (n - start)


def canary_timeline(on_canary: Any, settings: Any, window: int = 40, ax: Axes | None = None) -> Figure:
    """Which deployment answered each request of a canary release, in order: a tick per request (canary
    above, stage's deployment below), the canary's share of the last `window` requests, and percentTraffic."""
    fig, ax = _axes(ax, (7.0, 3.2))
    answered = np.asarray(on_canary, dtype=bool)
    x = np.arange(1, len(answered) + 1)
    ax.vlines(x[answered], 103, 110, color=DEPLOYMENT_COLOURS["canary"], lw=0.6, label="answered by the canary")
    ax.vlines(x[~answered], -10, -3, color=DEPLOYMENT_COLOURS["stable"], lw=0.6,
              label="answered by the stage's deployment")
    ax.plot(x, rolling_canary_share(answered, window), color="black", lw=1.2,
            label=f"canary share of the last {window} requests (%)")
    ax.step(x, np.asarray(settings, dtype=float), where="post", color="grey", ls="--", lw=1.2,
            label="percentTraffic")
    ax.set(xlabel="request", ylabel="% to the canary", title="Which deployment answered, request by request",
           xlim=(0, len(answered) + 1), ylim=(-12, 112))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, fontsize="small", frameon=False)
    return fig


def png_bytes(fig: Figure, dpi: int = 72, **options: Any) -> bytes:
    """The figure as PNG bytes (for an ipywidgets Image)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, **options)
    return buffer.getvalue()


# --- the stage cache (labkit.sim.caching) -------------------------------------------------------------------

def closed(values: np.ndarray, width: float | None = None) -> np.ndarray:
    """Bin starts (with `width`: plus the last bin's end) or bin values (the last one repeated), so a
    post-step line draws the last bin too."""
    if width is not None:
        return np.append(values, values[-1] + width)
    return np.append(values, values[-1])


def cache_hit_ratio_over_time(result: Any, ax: Axes | None = None) -> Figure:
    """Hit ratio (and stale-read ratio) per time bin of a `labkit.sim.caching` run; the warm-up shaded,
    the steady-state hit ratio dashed."""
    fig, ax = _axes(ax)
    width = bin_seconds(result.scenario.duration)
    bins = result.per_second(width)
    requests = np.maximum(bins["requests"], 1)
    start, summary = closed(bins["start"], width), result.summary
    ax.step(start, closed(100 * bins["hits"] / requests), where="post", color=CACHE_COLOURS["hit"],
            label="hit ratio")
    if bins["stale"].any():
        ax.step(start, closed(100 * bins["stale"] / requests), where="post", color=CACHE_COLOURS["stale"], lw=1,
                label="stale reads")
    if summary.warmup > 0:
        ax.axvspan(0, summary.warmup, color="grey", alpha=0.12, lw=0, label="warm-up")
    ax.axhline(100 * summary.steady_hit_ratio, color=CACHE_COLOURS["hit"], ls="--", lw=1,
               label=f"steady state {summary.steady_hit_ratio:.0%}")
    ax.set(xlabel="time (s)", ylabel="% of requests", title="Cache hit ratio over time", ylim=(0, 105),
           xlim=(0, start[-1]))
    ax.legend(loc="lower right", fontsize="small", ncols=2)
    return fig


def cache_hit_ratio_vs_ttl(points: Any, ax: Axes | None = None) -> Figure:
    """Steady-state hit ratio and stale-read ratio against the TTL, from
    `labkit.sim.caching.hit_ratio_vs_ttl` ((ttl, hit ratio, stale ratio) tuples)."""
    fig, ax = _axes(ax)
    ttls = [p[0] for p in points]
    ax.plot(ttls, [100 * p[1] for p in points], "o-", color=CACHE_COLOURS["hit"], label="hit ratio (steady state)")
    ax.plot(ttls, [100 * p[2] for p in points], "s--", color=CACHE_COLOURS["stale"], label="stale reads")
    ax.set(xlabel="TTL (s)", ylabel="% of requests", title="Hit ratio and staleness vs TTL", ylim=(0, 105))
    ax.legend(loc="center right", fontsize="small")
    return fig


def cache_backend_load(result: Any, ax: Axes | None = None) -> Figure:
    """Backend calls per second with the cache, against what the backend would take without it."""
    fig, ax = _axes(ax)
    width = bin_seconds(result.scenario.duration)
    bins = result.per_second(width)
    start, summary = closed(bins["start"], width), result.summary
    ax.step(start, closed(bins["requests"] / width), where="post", color=CACHE_COLOURS["without"],
            label=f"without cache ({summary.backend_rate_without_cache:,.0f}/s)")
    ax.fill_between(start, closed(bins["backend"] / width), step="post", color=CACHE_COLOURS["backend"],
                    alpha=0.7, label=f"with cache ({summary.backend_rate:,.1f}/s)")
    ax.set(xlabel="time (s)", ylabel="backend calls / s", title="Backend load", xlim=(0, start[-1]))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize="small")
    return fig


def latency_cdf(result: Any) -> tuple[np.ndarray, np.ndarray]:
    """(latency in ms, % of requests at most that latency) of a cache run, to draw as a post-step line:
    from (0, 0) to the slowest request at 100 %, at most a few thousand points. Empty if no requests."""
    latency_ms = np.sort(result.records["latency"]) * 1000
    if not latency_ms.size:
        return np.empty(0), np.empty(0)
    step = max(1, latency_ms.size // 2000)  # a few thousand points draw the same curve
    share = np.arange(1, latency_ms.size + 1) / latency_ms.size
    return (np.concatenate(([0.0], latency_ms[::step], latency_ms[-1:])),
            100 * np.concatenate(([0.0], share[::step], [1.0])))


def cache_latency_distribution(result: Any, ax: Axes | None = None) -> Figure:
    """How long callers waited, as a cumulative distribution with p50/p95/p99 marked: hits wait no
    integration time, so the curve jumps at 0 ms by the hit ratio."""
    fig, ax = _axes(ax)
    latency_ms, percent = latency_cdf(result)
    summary = result.summary
    if latency_ms.size:
        ax.step(latency_ms, percent, where="post", color=CACHE_COLOURS["backend"])
        for q, value, style in (("p50", summary.latency_p50, "-"), ("p95", summary.latency_p95, "--"),
                                ("p99", summary.latency_p99, ":")):
            ax.axvline(value * 1000, color="black", ls=style, lw=1, label=f"{q} {value * 1000:.0f} ms")
        ax.legend(loc="lower right", fontsize="small")
    ax.set(xlabel="latency (ms)", ylabel="% of requests at most", ylim=(0, 102),
           title="Latency (hits: no integration call)")
    ax.set_xlim(left=0)
    return fig


def cost_per_million_label(point: Any) -> str:
    """A CostPoint's cache dollars per million backend calls saved, as "$0.383/M" (or "saves none")."""
    if not point.calls_saved_per_hour:
        return "saves none"
    return f"${point.usd_per_hour / (point.calls_saved_per_hour / 1e6):,.3f}/M"


def cache_cost_vs_savings(points: Any, ax: Axes | None = None) -> Figure:
    """Hourly price of every cache cluster size (bars, us-east-1) and the backend calls per hour the
    given runs saved (`labkit.sim.caching.CostPoint`s, dots on the right-hand axis)."""
    fig, ax = _axes(ax)
    prices = cache_prices()
    sizes = list(prices)
    chosen = {p.size for p in points}
    ax.bar(range(len(sizes)), [prices[s] for s in sizes], color=[CACHE_COLOURS["cost"] if s in chosen else "#c6dbef"
                                                                 for s in sizes])
    ax.set_xticks(range(len(sizes)), sizes)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FixedLocator([0.01, 0.1, 1.0, 10.0]))
    ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks double the drawing time
    ax.set_ylim(0.01, 10.0)
    ax.set(xlabel="cache cluster size (GB)", ylabel="USD / hour", title="Cache cost vs backend calls saved")
    saved = ax.twinx()
    if points:
        xs = [sizes.index(p.size) for p in points]
        saved.plot(xs, [p.calls_saved_per_hour for p in points], "o-" if len(points) > 1 else "o",
                   color=CACHE_COLOURS["hit"], label="backend calls saved / h")
        for x, p in zip(xs, points):
            saved.annotate(cost_per_million_label(p), (x, p.calls_saved_per_hour), textcoords="offset points",
                           xytext=(0, 6), ha="center", fontsize="x-small")
        saved.legend(loc="upper left", fontsize="small")
    saved.set_ylabel("backend calls saved / hour")
    saved.set_ylim(bottom=0, top=max([p.calls_saved_per_hour for p in points] + [1.0]) * 1.25)
    return fig


# --- integration timeouts (labkit.widgets.errors) -----------------------------------------------------------

DEFAULT_TIMEOUT_MS = 29_000  # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html


def timeout_plot(latencies_ms: Any, statuses: Any, timeout_ms: int, ax: Axes | None = None) -> Figure:
    """Status against backend latency (from `labkit.widgets.errors.latency_vs_timeout`): 200 up to the
    integration's `timeoutInMillis` (dashed), 504 beyond it; the 29 s default is marked (dotted)."""
    fig, ax = _axes(ax)
    xs = np.asarray(latencies_ms, dtype=float) / 1000
    codes = np.asarray(statuses, dtype=int)
    ok = codes < 500
    ax.scatter(xs[ok], codes[ok], color=COLOURS["accepted"], s=24, zorder=3, label="answered (200)")
    ax.scatter(xs[~ok], codes[~ok], color=COLOURS["throttled"], marker="x", s=30, zorder=3,
               label="504 Endpoint request timed out")
    ax.axvline(timeout_ms / 1000, color="black", ls="--", lw=1.2, label=f"timeoutInMillis = {timeout_ms:,}")
    if timeout_ms != DEFAULT_TIMEOUT_MS:
        ax.axvline(DEFAULT_TIMEOUT_MS / 1000, color="grey", ls=":", lw=1.2, label="default 29,000 ms")
    right = max([timeout_ms / 1000, DEFAULT_TIMEOUT_MS / 1000, *(xs.tolist() or [0])]) * 1.05
    ax.axvspan(timeout_ms / 1000, right, color=COLOURS["throttled"], alpha=0.07, lw=0)
    ax.set(xlabel="backend latency (s)", ylabel="HTTP status", title="Where 504s begin", xlim=(0, right),
           ylim=(150, 560))
    ax.set_yticks([200, 504])
    ax.legend(loc="center left", fontsize="small")
    return fig


def edge_vs_regional_plot(table: Any, ax: Axes | None = None) -> Figure:
    """REGIONAL vs EDGE round-trip estimate per client region (labkit.design.endpoints.edge_vs_regional)."""
    fig, ax = _axes(ax, (8.0, 3.2))
    rows = list(table.rows)
    x = np.arange(len(rows))
    width = 0.38
    ax.bar(x - width / 2, [r.regional_ms for r in rows], width, label="REGIONAL", color="#1f77b4")
    ax.bar(x + width / 2, [r.edge_ms for r in rows], width, label="EDGE (CloudFront)", color="#ff7f0e")
    ax.set_xticks(x, [f"{r.client_region}\n({r.clients})" for r in rows], fontsize=8)
    ax.set_ylabel("round trip (ms)")
    kind = "new connection" if table.new_connection else "warm connection"
    ax.set_title(f"API in {table.api_region}, {kind}: weighted REGIONAL {table.weighted_regional_ms:.0f} ms, "
                 f"EDGE {table.weighted_edge_ms:.0f} ms", fontsize=9)
    ax.legend(fontsize=8)
    return fig


# --- design checks (labkit.design) ---------------------------------------------------------------------

def cost_vs_traffic(design: Any, ax: Axes | None = None, month_hours: float = 730.0) -> Figure:
    """Monthly cost against requests/month at the design's endpoint mix, without and with the stage cache,
    with the design's own volume and the cache's break-even marked (labkit.design.cost: backend calls are
    priced at the design's backend_cost_per_million, or like API requests if it gives none)."""
    design = load_design(design)
    fig, ax = _axes(ax, (7.0, 3.6))
    volumes = np.logspace(5, 11, 61)
    curve = cost_curve(design, volumes, month_hours)
    size = suggested_cache_size(design)
    ax.loglog(volumes, curve["without_cache"], color=CACHE_COLOURS["without"], label="without cache")
    ax.loglog(volumes, curve["with_cache"], color=CACHE_COLOURS["cost"], label=f"with a {size} GB cache")
    mine = design.total_rate * month_hours * 3600
    ax.axvline(mine, color="black", ls=":", lw=1, label=f"this design: {mine / 1e6:,.0f} M/month")
    point = break_even(design, month_hours)
    if point is not None and point.requests_per_month is not None:
        ax.axvline(point.requests_per_month, color=CACHE_COLOURS["hit"], ls="--", lw=1,
                   label=f"break-even {point.requests_per_month / 1e6:,.1f} M/month")
    assumed = design.backend_cost_per_million is None
    ax.set(xlabel="requests / month", ylabel="USD / month",
           title="Monthly cost: requests + data out + backend calls" + (" (backend priced like requests)" if assumed
                                                                        else ""))
    ax.title.set_fontsize(9)
    ax.legend(loc="upper left", fontsize="small")
    return fig
