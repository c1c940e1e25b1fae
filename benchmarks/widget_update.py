"""How long a widget update takes (simulation and redraw), against the floor set by matplotlib
drawing an empty figure of the same size, measured in the same run.

    python benchmarks/widget_update.py

Targets (issues 3 and 4): a throttling-lab and a cache-lab update for the default scenario stay
under 300 ms.
"""

from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from labkit import plots  # noqa: E402
from labkit.widgets.caching import cache_lab  # noqa: E402
from labkit.widgets.throttling import throttling_lab  # noqa: E402


def best_of(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    lab = throttling_lab()  # the first run builds the shared Lab and its API
    rates = iter(range(40, 400))

    def move_slider() -> None:
        lab.rate.value = next(rates)

    update = best_of(move_slider)
    simulation = lab.outcome.result.wall_seconds
    width, height = lab.outcome.figure.get_size_inches()

    def empty_figure() -> None:
        figure = Figure(figsize=(width, height))
        for i in range(3):
            figure.add_subplot(3, 1, i + 1)
        plots.png_bytes(figure)

    floor = best_of(empty_figure)
    print(f"throttling lab, default scenario ({lab.outcome.result.records.size:,} requests)")
    print(f"  widget update (slider moved):   {update * 1000:7.0f} ms   (simulation {simulation * 1000:.0f} ms)")
    print(f"  empty figure, same size (floor):{floor * 1000:7.0f} ms")
    print(f"  update / floor:                 {update / floor:7.2f}")
    print(f"  target 300 ms:                  {'met' if update < 0.3 else 'NOT met'}")

    cache = cache_lab()
    ttls = iter(range(30, 3600, 5))

    def move_ttl() -> None:
        cache.ttl.value = next(ttls)

    cache_update = best_of(move_ttl, runs=3)
    print(f"cache lab, default scenario ({len(cache.outcome.result.records):,} requests)")
    print(f"  widget update (TTL moved):      {cache_update * 1000:7.0f} ms")
    print(f"  update / floor:                 {cache_update / floor:7.2f}")
    print(f"  target 300 ms:                  {'met' if cache_update < 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
