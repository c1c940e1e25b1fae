"""The cache lab: sliders for the stage cache and the workload, a dashboard of hits, load, latency and cost.

Model/view split after the ipywidgets tutorial: `run_cache_lab(params) -> CacheLabOutcome` is pure (a
scenario from the parameters, a run through the gateway's stage cache, an SVG chart); `CacheLab` only wires
controls to it and sets traits, keeping the latest outcome on `.outcome` for tests.

Assumption the lab shows: a cache cluster here holds `size × 10^6` bytes (a 1:1000 scale model, see
labkit/sim/caching.py), so that small clusters evict at a learner's request rates.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .base import SLIDER_WIDTH, ModelView, lab_or_shared, summary_label, wrap_style
from .dashboards import cache_dashboard
from .svgchart import Chart
from ..gateway.cache import CACHE_CLUSTER_SIZES, MAX_TTL_SECONDS
from ..sim.caching import CacheResult, CacheScenario, run_cache


@dataclass(frozen=True)
class CacheLabParams:
    """What the learner sets: the stage cache (TTL, size), the workload, the backend and invalidations."""

    ttl: int = 60                   # caching/ttlInSeconds, 0–3600 (0 = off)
    cache_size: str = "0.5"         # cacheClusterSize, GB
    keys: int = 1000                # distinct items asked for
    zipf_s: float = 1.0             # popularity skew (0 = uniform)
    request_rate: float = 20.0      # requests/s
    backend_latency: float = 0.05   # median seconds per backend call
    change_rate: float = 0.0        # data changes per item per second
    invalidation_share: float = 0.0  # share of requests sent with Cache-Control: max-age=0
    may_invalidate: bool = True     # requireAuthorizationForCacheControl off (anyone may invalidate)
    duration: float = 120.0         # seconds of virtual time (a TTL longer than the run never expires in it)
    seed: int = 0

    def scenario(self) -> CacheScenario:
        """The CacheScenario these parameters describe (its checks name any value out of range)."""
        return CacheScenario(duration=self.duration, request_rate=self.request_rate, keys=self.keys,
                             zipf_s=self.zipf_s, ttl=self.ttl, cache_size=self.cache_size,
                             backend_latency=self.backend_latency, change_rate=self.change_rate,
                             invalidation_share=self.invalidation_share, may_invalidate=self.may_invalidate,
                             seed=self.seed)


@dataclass(frozen=True)
class CacheLabOutcome:
    """One update of the lab: the scenario it ran, the result, the dashboard (a Chart and its SVG) and the
    summary line."""

    params: CacheLabParams
    scenario: CacheScenario
    result: CacheResult
    chart: Chart
    svg: bytes
    summary: str
    seconds: float  # wall time of simulation + drawing

    @property
    def hit_ratio(self) -> float:
        return self.result.summary.hit_ratio


def run_cache_lab(params: CacheLabParams, lab: Any = None) -> CacheLabOutcome:
    """Pure model of the widget: build the scenario, run it through the gateway, draw the dashboard."""
    started = time.perf_counter()
    scenario = params.scenario()
    result = run_cache(scenario, lab_or_shared(lab))
    chart = cache_dashboard(result)
    svg = chart.svg().encode()
    return CacheLabOutcome(params, scenario, result, chart, svg, str(result.summary),
                           time.perf_counter() - started)


class CacheLab(ModelView):
    """The view: controls, the dashboard image and a summary line; every change re-runs `run_cache_lab`."""

    def __init__(self, params: CacheLabParams | None = None, lab: Any = None) -> None:
        p = params or CacheLabParams()
        self._lab = lab
        style = {"description_width": "120px"}
        slider = {"continuous_update": False, "style": style, "layout": widgets.Layout(width=SLIDER_WIDTH)}
        self.ttl = widgets.IntSlider(value=p.ttl, min=0, max=MAX_TTL_SECONDS, step=5, description="TTL (s)",
                                     **slider)
        self.duration = widgets.IntSlider(value=round(p.duration), min=10, max=1800, step=10,
                                          description="simulated (s)", **slider)
        self.cache_size = widgets.Dropdown(options=CACHE_CLUSTER_SIZES, value=p.cache_size,
                                           description="cache size (GB)", style=style)
        self.distinct_keys = widgets.IntSlider(value=p.keys, min=1, max=20_000, step=1,
                                               description="distinct keys", **slider)
        self.zipf_s = widgets.FloatSlider(value=p.zipf_s, min=0, max=2, step=0.05, description="Zipf skew s",
                                          **slider)
        self.request_rate = widgets.FloatSlider(value=p.request_rate, min=1, max=300, step=1,
                                                description="requests /s", **slider)
        self.backend_ms = widgets.IntSlider(value=round(p.backend_latency * 1000), min=0, max=2000, step=5,
                                            description="backend (ms)", **slider)
        self.change_rate = widgets.FloatSlider(value=p.change_rate, min=0, max=0.2, step=0.001,
                                               readout_format=".3f", description="changes /key/s", **slider)
        self.invalidation_share = widgets.FloatSlider(value=p.invalidation_share, min=0, max=0.5, step=0.01,
                                                      description="max-age=0 share", **slider)
        self.may_invalidate = widgets.Checkbox(value=p.may_invalidate, description="clients may invalidate",
                                               indent=False)
        self.image = widgets.Image(format="svg+xml")
        self.summary = summary_label()
        self._seed = p.seed
        self.outcome: CacheLabOutcome | None = None
        controls = [self.ttl, self.duration, self.cache_size, self.distinct_keys, self.zipf_s, self.request_rate,
                    self.backend_ms, self.change_rate, self.invalidation_share, self.may_invalidate]
        super().__init__([widgets.HBox([widgets.VBox(controls[:5]), widgets.VBox(controls[5:])]),
                          self.image, self.summary, wrap_style()])
        for control in controls:
            control.observe(self._changed, names="value")
        self.update()

    @property
    def params(self) -> CacheLabParams:
        """The parameters the controls show now."""
        return CacheLabParams(ttl=self.ttl.value, cache_size=self.cache_size.value, keys=self.distinct_keys.value,
                              zipf_s=self.zipf_s.value, request_rate=self.request_rate.value,
                              backend_latency=self.backend_ms.value / 1000, change_rate=self.change_rate.value,
                              invalidation_share=self.invalidation_share.value,
                              may_invalidate=self.may_invalidate.value, duration=float(self.duration.value),
                              seed=self._seed)

    def run_model(self, params: Any, lab: Any) -> Any:
        return run_cache_lab(params, lab)


def cache_lab(params: CacheLabParams | None = None, lab: Any = None) -> CacheLab:
    """The cache lab widget (a VBox), run once with `params` (defaults: CacheLabParams())."""
    return CacheLab(params, lab)
