"""The cache lab widget and its plots, headless: Agg backend, traits set in-process, no kernel
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
from labkit.sim.caching import CacheScenario, cost_point, cost_vs_size, hit_ratio_vs_ttl, run_cache  # noqa: E402
from labkit.widgets import CacheLab, CacheLabOutcome, CacheLabParams, cache_lab, run_cache_lab  # noqa: E402
from labkit.widgets.svgchart import Chart  # noqa: E402

SMALL = CacheLabParams(duration=60.0, request_rate=10.0, keys=300, ttl=20)


@pytest.fixture(scope="module", autouse=True)
def _close_lab_after_module():
    yield
    close_shared_lab()


def test_run_cache_lab_is_a_pure_function_of_its_parameters():
    first, second = run_cache_lab(SMALL), run_cache_lab(SMALL)
    assert isinstance(first, CacheLabOutcome) and isinstance(first.chart, Chart)
    assert first.svg == first.chart.svg().encode() and first.summary == str(first.result.summary)
    assert np.array_equal(first.result.records, second.result.records) and first.summary == second.summary
    assert first.scenario == SMALL.scenario() and first.hit_ratio == first.result.summary.hit_ratio


def test_changing_the_ttl_slider_changes_the_hit_ratio():
    lab = cache_lab(SMALL)
    assert isinstance(lab, CacheLab) and lab.outcome is not None
    before = lab.outcome.hit_ratio
    assert before > 0 and lab.summary.value == lab.outcome.summary and lab.image.value == lab.outcome.svg
    lab.ttl.value = 0  # observers run synchronously: the outcome is new on the next line
    assert lab.outcome.params.ttl == 0 and lab.outcome.hit_ratio == 0.0
    assert lab.image.value == lab.outcome.svg
    lab.ttl.value = 50
    assert lab.outcome.hit_ratio > before


def test_every_control_reaches_the_scenario():
    lab = cache_lab(SMALL)
    run_once, updates = lab.update, []
    lab.update = lambda: updates.append(1)  # count the re-runs; run once at the end
    lab.cache_size.value = "6.1"
    lab.distinct_keys.value = 500
    lab.zipf_s.value = 1.2
    lab.request_rate.value = 12
    lab.backend_ms.value = 120
    lab.change_rate.value = 0.02
    lab.invalidation_share.value = 0.1
    lab.may_invalidate.value = False
    lab.duration.value = 40
    assert len(updates) == 9  # every control re-runs the lab
    run_once()
    s = lab.outcome.scenario
    assert (s.cache_size, s.keys, s.zipf_s, s.request_rate, s.backend_latency) == ("6.1", 500, 1.2, 12, 0.12)
    assert (s.change_rate, s.invalidation_share, s.may_invalidate, s.duration) == (0.02, 0.1, False, 40.0)
    assert lab.outcome.result.summary.stale_reads > 0


def test_bad_parameters_raise_value_error_naming_them():
    with pytest.raises(ValueError, match="keys"):
        CacheLabParams(keys=0).scenario()
    with pytest.raises(ValueError, match="cache_size"):
        run_cache_lab(CacheLabParams(cache_size="3"))


def test_the_cache_plots_are_figures_and_leave_pyplot_alone():
    result = run_cache(CacheScenario(duration=60.0, request_rate=10.0, keys=300, ttl=20, change_rate=0.02),
                       shared_lab())
    figures = [plots.cache_hit_ratio_over_time(result), plots.cache_backend_load(result),
               plots.cache_latency_distribution(result), plots.cache_cost_vs_savings([cost_point(result)])]
    base = CacheScenario(duration=40.0, request_rate=5.0, keys=100)
    figures.append(plots.cache_hit_ratio_vs_ttl(hit_ratio_vs_ttl(base, [0, 10, 30], shared_lab())))
    figures.append(plots.cache_cost_vs_savings(cost_vs_size(base, sizes=("0.5", "1.6"), lab=shared_lab())))
    assert all(isinstance(f, Figure) for f in figures)
    assert all(plots.png_bytes(f).startswith(b"\x89PNG") for f in figures)
    assert plt.get_fignums() == []
    assert len(figures[3].axes) == 2  # the cost panel has a second y axis
