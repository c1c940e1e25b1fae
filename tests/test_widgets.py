"""The throttling lab widget and the plots, headless: Agg backend, traits set in-process, no kernel
(shared/reference/notebooks-nbval-widgets.md, section 3a)."""

from __future__ import annotations


import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from labkit import plots  # noqa: E402
from labkit.shared import close_shared_lab, shared_lab  # noqa: E402
from labkit.sim import Client, Constant, Poisson, Scenario, run  # noqa: E402
from labkit.widgets import LabOutcome, LabParams, ThrottlingLab, run_lab, scenario_for, throttling_lab  # noqa: E402
from labkit.widgets.svgchart import Chart  # noqa: E402
from labkit.widgets.throttling import SHAPES, traffic_shape  # noqa: E402

SHORT = LabParams(duration=6.0)


@pytest.fixture(scope="module", autouse=True)
def _close_lab_after_module():
    yield
    close_shared_lab()


# --- the model -------------------------------------------------------------------------------------------

def test_run_lab_is_a_pure_function_of_its_parameters():
    first, second = run_lab(SHORT), run_lab(SHORT)
    assert isinstance(first, LabOutcome) and isinstance(first.chart, Chart)
    assert first.svg == first.chart.svg().encode() and first.summary == str(first.result.summary)
    assert np.array_equal(first.result.records, second.result.records) and first.summary == second.summary
    assert first.svg == second.svg


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_offers_the_intensity_on_average(shape):
    assert traffic_shape(shape, 40.0, 60.0).mean_rate(60.0) == pytest.approx(40.0, rel=1e-6)


def test_scenario_for_splits_the_intensity_and_assigns_tiers():
    scenario = scenario_for(LabParams(intensity=90, clients=3, tier="mixed", rate=70, burst=30))
    assert [c.tier for c in scenario.clients] == ["free", "basic", "premium"]
    assert set(scenario.tiers) == {"free", "basic", "premium"}
    assert (scenario.stage_rate, scenario.stage_burst) == (70.0, 30)
    assert sum(c.traffic.mean_rate(scenario.duration) for c in scenario.clients) == pytest.approx(90)
    assert scenario_for(LabParams(tier="none")).tiers == {}


@pytest.mark.parametrize("kwargs, parameter", [(dict(shape="square"), "shape"), (dict(retry="forever"), "retry"),
                                                (dict(tier="gold"), "tier"), (dict(clients=0), "clients"),
                                                (dict(intensity=0), "intensity")])
def test_bad_lab_parameters_raise_value_error(kwargs, parameter):
    with pytest.raises(ValueError, match=parameter):
        LabParams(**kwargs)


# --- the view ------------------------------------------------------------------------------------------------

def test_the_widget_shows_an_outcome_and_updates_when_a_slider_moves():
    lab = throttling_lab(SHORT)
    assert isinstance(lab, ThrottlingLab) and lab.outcome is not None
    assert lab.image.format == "svg+xml" and lab.image.value == lab.outcome.svg
    assert lab.summary.value == lab.outcome.summary
    before = lab.outcome
    lab.rate.value = 5  # observers run synchronously: the outcome is new on the next line
    assert lab.outcome is not before and lab.outcome.params.rate == 5
    assert lab.outcome.result.summary.throttled > before.result.summary.throttled
    assert lab.summary.value != before.summary and lab.image.value != before.svg
    lab.rate.value = 10_000  # clamped by the slider
    assert lab.rate.value == lab.rate.max


def test_each_control_reaches_the_scenario():
    lab = throttling_lab(SHORT)
    lab.clients.value = 4
    assert len(lab.outcome.scenario.clients) == 4
    lab.shape.value = "steady"
    assert isinstance(lab.outcome.scenario.clients[0].traffic, Constant)
    lab.intensity.value = 200
    assert lab.outcome.result.summary.offered > 1000
    lab.burst.value = 300
    assert lab.outcome.scenario.stage_burst == 300
    lab.retry.value = "backoff"
    assert lab.outcome.result.summary.attempts > lab.outcome.result.summary.offered
    lab.tier.value = "mixed"
    per = lab.outcome.result.summary.per_client
    assert per["client-1"].accepted < per["client-3"].accepted  # free < premium


def test_a_bad_parameter_shows_in_the_summary_and_keeps_the_last_outcome(monkeypatch):
    lab = throttling_lab(SHORT)
    last = lab.outcome
    from labkit.widgets import throttling

    monkeypatch.setattr(throttling, "run_lab", lambda *_: (_ for _ in ()).throw(ValueError("rate must be ...")))
    lab.rate.value = 7
    assert lab.summary.value.startswith("⚠ rate must be") and lab.outcome is last


def test_the_traffic_axis_keeps_its_scale_between_runs_unless_released():
    # Issue 17: the y axis rescaled between runs (300 -> 800), so two runs could not be compared.
    lab = throttling_lab(SHORT)
    lab.intensity.value = 400
    high = lab.outcome.traffic_top
    lab.intensity.value = 20
    assert lab.outcome.traffic_top == high  # kept: the smaller run is drawn on the same scale
    lab.fixed_scale.value = False           # released: the next run fits itself
    lab.intensity.value = 21
    assert lab.outcome.traffic_top < high


def test_run_lab_fits_the_axis_to_the_run_or_to_a_given_top():
    fitted = run_lab(SHORT)
    assert fitted.traffic_top >= SHORT.intensity and fitted.traffic_top in (50, 100, 200, 500, 1000, 2000, 5000)
    assert run_lab(SHORT, traffic_top=5000.0).traffic_top == 5000.0


def test_the_quota_preset_shows_429_quota_exceeded():
    from labkit.widgets.throttling import PRESETS

    lab = throttling_lab(SHORT)
    lab.preset.value = next(name for name in PRESETS if "quota" in name)
    summary = lab.outcome.result.summary
    assert summary.quota_exceeded > 0 and lab.outcome.params.tier == "free"
    assert summary.accepted == 150  # the free tier's quota (TIER_SETTINGS), then 429 Limit Exceeded


# --- the plots ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def result():
    return run(Scenario(clients=[Client("a", Poisson(80)), Client("b", Constant(40))], duration=8,
                        stage_rate=50.0, stage_burst=25, seed=3), shared_lab())


@pytest.mark.parametrize("draw", [plots.traffic_over_time, plots.token_level, plots.client_shares])
def test_plots_return_figures_without_pyplot(result, draw):
    fig = draw(result)
    assert isinstance(fig, Figure) and fig.axes and plt.get_fignums() == []
    assert plots.png_bytes(fig).startswith(b"\x89PNG")


def test_the_stage_bucket_never_goes_below_empty(result):
    # Rebuilt from admitted requests: if the gateway admitted one without a token, the level would dip below 0.
    times, levels = plots.stage_token_levels(result)
    assert np.all(np.diff(times) >= -1e-12)
    assert levels.min() >= -1e-6 and levels.max() <= 25 + 1e-9 and levels[0] == 25
    assert levels.min() < 1, "offered 120 req/s against 50: the bucket empties"


def test_no_stage_throttle_means_no_bucket_to_draw():
    free = run(Scenario(clients=[Client("a", Poisson(10))], duration=2), shared_lab())
    assert plots.stage_token_levels(free)[0].size == 0
    assert isinstance(plots.token_level(free), Figure)
