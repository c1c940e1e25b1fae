"""Matplotlib figures of a design's results that the design objects draw themselves
(`DesignSimulation.figure()`); `labkit.plots` has the rest (`cost_vs_traffic`, `edge_vs_regional_plot`)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..colours import COLOURS


def design_simulation(sim: Any, size: tuple[float, float] = (11.0, 4.0)) -> Figure:
    """A DesignSimulation (labkit.design.simulate): what each endpoint and tier had accepted, throttled,
    quota-limited or timed out per second, and each endpoint's latency percentiles."""
    fig = Figure(figsize=size, layout="constrained")
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    rows = [r for r in sim.rows if r.endpoint != "all" and r.tier != "all"]
    labels = [r.endpoint if len(sim.client_scale) == 1 else f"{r.endpoint}\n{r.tier}" for r in rows]
    y = np.arange(len(rows))
    s = sim.seconds
    start = np.zeros(len(rows))
    for key, colour, label in (("accepted", COLOURS["accepted"], "accepted"),
                               ("throttled", COLOURS["throttled"], "429 throttled"),
                               ("quota_exceeded", COLOURS["quota_exceeded"], "429 quota"),
                               ("timeouts", "#8c564b", "504 timeout")):
        values = np.array([getattr(r, key) / s for r in rows])
        left.barh(y, values, left=start, color=colour, label=label)
        start += values
    left.set_yticks(y, labels, fontsize=7)
    left.invert_yaxis()
    left.set(xlabel="requests / s", title=f"{sim.design.name}: {s:g} s simulated")
    left.legend(loc="lower right", fontsize="x-small")
    per_endpoint = [r for r in sim.rows if r.endpoint != "all" and r.tier == "all"]
    x = np.arange(len(per_endpoint))
    for i, (q, style) in enumerate((("latency_p50", 0.5), ("latency_p95", 0.75), ("latency_p99", 1.0))):
        right.bar(x + (i - 1) * 0.27, [getattr(r, q) * 1000 for r in per_endpoint], 0.27, alpha=style,
                  color=COLOURS["tokens"], label=q.split("_")[1])
    right.set_xticks(x, [r.endpoint for r in per_endpoint], rotation=30, ha="right", fontsize=7)
    right.set_yscale("symlog", linthresh=10)
    right.set(ylabel="latency (ms)", title="Latency of accepted requests (cache hits ~0)")
    right.legend(fontsize="x-small")
    return fig
