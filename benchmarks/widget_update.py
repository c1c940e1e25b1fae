"""How long a widget update takes (simulation and SVG dashboard), against the floor a matplotlib
redraw could never beat: drawing an empty figure of the dashboard's size, measured in the same run.

    python benchmarks/widget_update.py

Targets (issues 3 and 4): a throttling-lab and a cache-lab update for the default scenario stay
under 300 ms. The labs draw with labkit.widgets.svgchart: the browser lays out the text, so the
kernel's share of a redraw is building an SVG string.
"""

from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from labkit import plots  # noqa: E402
from labkit.widgets.caching import cache_lab  # noqa: E402
from labkit.widgets.dashboards import cache_dashboard, throttling_dashboard  # noqa: E402
from labkit.widgets.throttling import throttling_lab  # noqa: E402

DPI = 72  # what the matplotlib dashboards were drawn at


def best_of(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def empty_figure_floor(width_px: int, height_px: int, panels: int) -> float:
    """Best time for matplotlib to draw `panels` empty axes in a figure of that size, as a PNG."""
    def draw() -> None:
        figure = Figure(figsize=(width_px / DPI, height_px / DPI))
        for i in range(panels):
            figure.add_subplot(panels, 1, i + 1)
        plots.png_bytes(figure, dpi=DPI)

    return best_of(draw)


def report(what: str, update: float, simulation: float, build: float, size: int, floor: float) -> None:
    rows = [(f"widget update ({what})", f"{update * 1000:6.0f} ms   (simulation {simulation * 1000:.0f} ms)"),
            ("SVG dashboard alone", f"{build * 1000:6.1f} ms   ({size / 1000:.0f} kB)"),
            ("empty matplotlib figure (floor)", f"{floor * 1000:6.0f} ms"),
            ("update / floor", f"{update / floor:6.2f}"),
            ("target 300 ms", f"{'met' if update < 0.3 else 'NOT met':>6}")]
    for label, value in rows:
        print(f"  {label + ':':<34}{value}")


def main() -> None:
    lab = throttling_lab()  # the first run builds the shared Lab and its API
    rates = iter(range(40, 400))

    def move_slider() -> None:
        lab.rate.value = next(rates)

    update = best_of(move_slider)
    outcome = lab.outcome
    build = best_of(lambda: throttling_dashboard(outcome.result).svg())
    floor = empty_figure_floor(outcome.chart.width, outcome.chart.height, 3)
    print(f"throttling lab, default scenario ({outcome.result.records.size:,} requests)")
    report("slider moved", update, outcome.result.wall_seconds, build, len(outcome.svg), floor)

    cache = cache_lab()
    ttls = iter(range(30, 3600, 5))

    def move_ttl() -> None:
        cache.ttl.value = next(ttls)

    cache_update = best_of(move_ttl, runs=3)
    outcome = cache.outcome
    build = best_of(lambda: cache_dashboard(outcome.result).svg())
    floor = empty_figure_floor(outcome.chart.width, outcome.chart.height, 4)
    print(f"cache lab, default scenario ({len(outcome.result.records):,} requests)")
    report("TTL moved", cache_update, outcome.result.wall_seconds, build, len(outcome.svg), floor)


if __name__ == "__main__":
    main()
