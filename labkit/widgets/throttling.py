"""The throttling lab: sliders for limits and traffic, a dashboard of what the gateway answered.

Model/view split after the ipywidgets tutorial: `run_lab(params) -> LabOutcome` is pure (a scenario
from the parameters, a run through the gateway, an SVG chart); `ThrottlingLab` only wires controls to it
and sets traits, keeping the latest outcome on `.outcome` for tests.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .base import SLIDER_WIDTH, ModelView, lab_or_shared, summary_label, wrap_style
from .dashboards import throttling_dashboard
from .svgchart import Chart
from .. import plots
from ..sim import (Client, Constant, Diurnal, ExponentialBackoff, FixedRetry, NoRetry, OnOff, Poisson, Ramp, Replay,
                   Scenario, SimResult, Tier, load_trace, run)

SHAPES = ("steady", "poisson", "bursts", "ramp", "diurnal", "trace")
RETRIES = ("none", "fixed", "backoff")
TIERS = ("none", "free", "basic", "premium", "mixed")
# Usage-plan tiers a lab offers (per API key): small numbers, so a short run shows each limit bite.
TIER_SETTINGS = {
    "free": Tier(rate=5.0, burst=10, quota_limit=150, quota_period="DAY"),
    "basic": Tier(rate=20.0, burst=40),
    "premium": Tier(rate=100.0, burst=200),
}
RETRY_POLICIES = {"none": NoRetry(), "fixed": FixedRetry(delay_seconds=0.5, max_attempts=3),
                  "backoff": ExponentialBackoff(base=0.1, cap=2.0, max_attempts=4)}
MAX_CLIENTS = 6
TRACE = "web-api-hour.csv"


@dataclass(frozen=True)
class LabParams:
    """What the learner sets: the stage throttle, the traffic (shape and total mean rate), the clients."""

    rate: float = 50.0         # stage throttlingRateLimit, requests/s
    burst: int = 50            # stage throttlingBurstLimit, requests
    shape: str = "bursts"      # one of SHAPES
    intensity: float = 60.0    # mean requests/s offered by all clients together
    clients: int = 3
    retry: str = "none"        # one of RETRIES
    tier: str = "none"         # one of TIERS ("mixed": free, basic, premium in turn)
    duration: float = 20.0     # seconds of virtual time
    seed: int = 0

    def __post_init__(self) -> None:
        for name, options in (("shape", SHAPES), ("retry", RETRIES), ("tier", TIERS)):
            if getattr(self, name) not in options:
                raise ValueError(f"{name} must be one of {', '.join(options)}, got {getattr(self, name)!r}")
        if not isinstance(self.clients, int) or not 1 <= self.clients <= MAX_CLIENTS:
            raise ValueError(f"clients must be a whole number in [1, {MAX_CLIENTS}], got {self.clients!r}")
        if not isinstance(self.intensity, (int, float)) or not 0 < self.intensity <= 100_000:
            raise ValueError(f"intensity must be a number of requests per second in (0, 100000], got {self.intensity!r}")


@dataclass(frozen=True)
class LabOutcome:
    """One update of the lab: the scenario it ran, the result, the dashboard (a Chart and its SVG) and the
    summary line."""

    params: LabParams
    scenario: Scenario
    result: SimResult
    chart: Chart
    svg: bytes
    summary: str
    seconds: float  # wall time of simulation + drawing
    traffic_top: float = 0.0  # top of the traffic panel's y axis (requests/s)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (an axis top that reads well)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value - 1e-9)


def peak_rate(result: SimResult, stage_rate: float | None) -> float:
    """The highest requests/s the traffic panel draws: offered, answered, or the stage rate line."""
    width = plots.bin_seconds(result.scenario.duration)
    bins = result.per_second(width)
    answered = bins["accepted"] + bins["throttled"] + bins["quota_exceeded"]
    return max(float(max(bins["offered"].max(initial=0), answered.max(initial=0))) / width, stage_rate or 0.0)


# Starting points a learner can pick; each shows one limit biting. "free tier quota": one free-tier key
# (5 req/s, burst 10, 150 requests a DAY) at 8 req/s for 60 s spends its quota after about 28 s.
PRESETS: dict[str, LabParams] = {
    "default: bursts against the stage bucket": LabParams(),
    "retries make the next burst worse": LabParams(retry="fixed", intensity=80.0),
    "free tier quota runs out (429 quota exceeded)": LabParams(rate=100.0, burst=100, shape="steady", intensity=8.0,
                                                               clients=1, tier="free", duration=60.0),
    "mixed tiers share one stage": LabParams(tier="mixed", clients=6, intensity=150.0, rate=200.0, burst=200),
}


def traffic_shape(shape: str, mean_rate: float, duration: float) -> Any:
    """A traffic shape whose mean rate over the run is `mean_rate`."""
    if shape == "steady":
        return Constant(mean_rate)
    if shape == "poisson":
        return Poisson(mean_rate)
    if shape == "bursts":  # 1 s on, 3 s off: four times the mean while on
        return OnOff(rate_on=4 * mean_rate, on_seconds=1.0, off_seconds=3.0)
    if shape == "ramp":
        return Ramp(start_rate=0.0, end_rate=2 * mean_rate)
    if shape == "diurnal":  # trough a quarter of the peak
        unit = Diurnal(peak_rate=1.0, trough_rate=0.25).mean_rate(duration)
        return Diurnal(peak_rate=mean_rate / unit, trough_rate=0.25 * mean_rate / unit)
    if shape == "trace":
        return Replay(TRACE, rate_scale=mean_rate / load_trace(TRACE).mean_rate)
    raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")


def scenario_for(params: LabParams) -> Scenario:
    """The Scenario a lab's parameters describe."""
    per_client = params.intensity / params.clients
    clients, tiers = [], {}
    for i in range(params.clients):
        tier = None
        if params.tier != "none":
            tier = ("free", "basic", "premium")[i % 3] if params.tier == "mixed" else params.tier
            tiers[tier] = TIER_SETTINGS[tier]
        clients.append(Client(f"client-{i + 1}", traffic_shape(params.shape, per_client, params.duration),
                              retry=RETRY_POLICIES[params.retry], tier=tier))
    return Scenario(clients=tuple(clients), duration=params.duration, stage_rate=float(params.rate),
                    stage_burst=int(params.burst), tiers=tiers, seed=params.seed)


def run_lab(params: LabParams, lab: Any = None, traffic_top: float | None = None) -> LabOutcome:
    """Pure model of the widget: build the scenario, run it through the gateway, draw the dashboard.
    `traffic_top`: keep the traffic panel's y axis at least this high, so runs compare (None: fit this run)."""
    started = time.perf_counter()
    scenario = scenario_for(params)
    result = run(scenario, lab_or_shared(lab))
    top = nice_ceiling(peak_rate(result, scenario.stage_rate))
    if traffic_top is not None:
        top = max(top, traffic_top)
    chart = throttling_dashboard(result, top if traffic_top is not None else None)
    svg = chart.svg().encode()
    return LabOutcome(params, scenario, result, chart, svg, str(result.summary), time.perf_counter() - started, top)


class ThrottlingLab(ModelView):
    """The view: controls, the dashboard image and a summary line; every change re-runs `run_lab`."""

    def __init__(self, params: LabParams | None = None, lab: Any = None) -> None:
        p = params or LabParams()
        self._lab = lab
        self._applying = False
        self._top: float | None = None
        style = {"description_width": "110px"}
        slider = {"continuous_update": False, "style": style, "layout": widgets.Layout(width=SLIDER_WIDTH)}
        self.rate = widgets.FloatSlider(value=p.rate, min=1, max=500, step=1, description="stage rate /s", **slider)
        self.burst = widgets.IntSlider(value=p.burst, min=1, max=1000, description="stage burst", **slider)
        self.shape = widgets.Dropdown(options=SHAPES, value=p.shape, description="traffic shape", style=style)
        self.intensity = widgets.FloatSlider(value=p.intensity, min=1, max=500, step=1,
                                             description="offered req/s", **slider)
        self.clients = widgets.IntSlider(value=p.clients, min=1, max=MAX_CLIENTS, description="clients", **slider)
        self.retry = widgets.Dropdown(options=RETRIES, value=p.retry, description="on 429", style=style)
        self.tier = widgets.Dropdown(options=TIERS, value=p.tier, description="usage plan", style=style)
        self.fixed_scale = widgets.Checkbox(value=True, description="keep the y scale between runs", indent=False)
        self.preset = widgets.Dropdown(options=list(PRESETS), value=None, description="start from",
                                       style=style, layout=widgets.Layout(width=SLIDER_WIDTH))
        self.image = widgets.Image(format="svg+xml")
        self.summary = summary_label()
        self._duration, self._seed = p.duration, p.seed
        self.outcome: LabOutcome | None = None
        controls = [self.rate, self.burst, self.shape, self.intensity, self.clients, self.retry, self.tier]
        super().__init__([self.preset,
                          widgets.HBox([widgets.VBox(controls[:4]), widgets.VBox(controls[4:] + [self.fixed_scale])]),
                          self.image, self.summary, wrap_style()])
        for control in controls + [self.fixed_scale]:
            control.observe(self._changed, names="value")
        self.preset.observe(self._apply_preset, names="value")
        self.update()

    def _changed(self, change: dict[str, Any]) -> None:
        if change.get("owner") is self.fixed_scale and not change.get("new"):
            self._top = None  # scale released: the next runs fit themselves
        if not self._applying:
            self.update()

    def _apply_preset(self, change: dict[str, Any]) -> None:
        """Set every control from the chosen preset, then run once."""
        chosen = PRESETS.get(change.get("new"))
        if chosen is None:
            return
        self._applying = True
        try:
            for name in ("rate", "burst", "shape", "intensity", "clients", "retry", "tier"):
                getattr(self, name).value = getattr(chosen, name)
            self._duration, self._top = chosen.duration, None
        finally:
            self._applying = False
        self.update()

    @property
    def params(self) -> LabParams:
        """The parameters the controls show now."""
        return LabParams(rate=self.rate.value, burst=self.burst.value, shape=self.shape.value,
                         intensity=self.intensity.value, clients=self.clients.value, retry=self.retry.value,
                         tier=self.tier.value, duration=self._duration, seed=self._seed)

    def run_model(self, params: Any, lab: Any) -> Any:
        outcome = run_lab(params, lab, self._top if self.fixed_scale.value else None)
        if self.fixed_scale.value:
            self._top = outcome.traffic_top
        return outcome


def throttling_lab(params: LabParams | None = None, lab: Any = None) -> ThrottlingLab:
    """The throttling lab widget (a VBox), run once with `params` (defaults: LabParams())."""
    return ThrottlingLab(params, lab)
