"""The SVG charts the widget labs draw (labkit.widgets.svgchart) and the two lab dashboards built with them."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from labkit.shared import close_shared_lab, shared_lab
from labkit.sim import Client, Constant, Poisson, Scenario, run
from labkit.sim.caching import CacheScenario, run_cache
from labkit.widgets import CacheLabParams, LabParams, run_cache_lab, run_lab
from labkit.widgets.dashboards import cache_dashboard, throttling_dashboard
from labkit.widgets.svgchart import Chart, nice_ticks

NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module", autouse=True)
def _close_lab_after_module():
    yield
    close_shared_lab()


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg())


def panel(root: ET.Element, title: str) -> ET.Element:
    found = root.find(f".//s:g[@class='panel'][@data-title='{title}']", NS)
    assert found is not None, f"no panel {title!r}"
    return found


def frame(group: ET.Element) -> tuple[float, float, float, float]:
    rect = group.find("s:rect[@class='frame']", NS)
    return tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def legend(root: ET.Element) -> list[str]:
    return [g.get("data-label") for g in root.findall("s:g[@class='legend']/s:g", NS)]


def tick_values(group: ET.Element, axis: str) -> list[float]:
    return [float(t.text.replace(",", "")) for t in group.findall(f"s:text[@class='tick {axis}']", NS)]


# --- the renderer ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lo, hi", [(0, 1), (0, 283), (0.013, 0.97), (-47, 12), (1200, 1350), (0, 61_234), (5, 5)])
def test_nice_ticks_cover_the_range_in_steps_of_1_2_or_5(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi and 3 <= len(ticks) <= 11
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
    assert round(mantissa, 9) in (1, 2, 5)


def test_the_svg_parses_and_a_point_lands_on_its_pixel():
    chart = Chart(400, 300)
    p = chart.panel(title="t", xlabel="x", ylabel="y").x(0, 10).y(0, 100)
    p.points([5, 10], [50, 0], "#ff0000")
    root = parse(chart)
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("width") == "400"
    x, y, w, h = frame(panel(root, "t"))
    centre, corner = root.findall(".//s:circle", NS)
    assert float(centre.get("cx")) == pytest.approx(x + w / 2, abs=0.06)
    assert float(centre.get("cy")) == pytest.approx(y + h / 2, abs=0.06)
    assert (float(corner.get("cx")), float(corner.get("cy"))) == pytest.approx((x + w, y + h), abs=0.06)
    assert tick_values(panel(root, "t"), "x") == [0, 2, 4, 6, 8, 10]


def test_a_log_axis_spaces_powers_of_ten_evenly():
    chart = Chart(400, 300)
    chart.panel(title="t").y(0.01, 10, log=True).points([0, 0], [0.1, 1], "blue")
    root = parse(chart)
    _, y, _, h = frame(panel(root, "t"))
    tenth, one = (float(c.get("cy")) for c in root.findall(".//s:circle", NS))
    assert (y + h - tenth, y + h - one) == pytest.approx((h / 3, 2 * h / 3), abs=0.1)
    assert [t.text for t in panel(root, "t").findall("s:text[@class='tick y']", NS)] == ["0.01", "0.1", "1", "10"]


def test_axes_without_limits_reach_the_next_nice_tick_beyond_the_data():
    chart = Chart(400, 300)
    chart.panel(title="t").line([0, 7.3], [0, 283], "black")
    ticks = tick_values(panel(parse(chart), "t"), "y")
    assert ticks[0] == 0 and ticks[-1] >= 283 and ticks[-2] < 283


def test_one_legend_lists_each_label_once_in_drawing_order():
    chart = Chart(600, 300, cols=2)
    left, right = chart.panel(0, 0, title="a"), chart.panel(0, 1, title="b")
    left.line([0, 1], [0, 1], "red", label="requests").hline(0.5, "grey", label="limit")
    right.line([0, 1], [1, 0], "red", label="requests").bars([1, 2], "blue", label="calls")
    right.twin("right").points([0], [3], "green", label="saved")
    assert legend(parse(chart)) == ["requests", "limit", "calls", "saved"]


def test_text_is_escaped():
    chart = Chart(400, 300)
    chart.panel(title='p95 < 100 ms & "fast"', ylabel="<b>").line([0, 1], [0, 1], "red", label="a</text>&")
    root = parse(chart)
    assert root.find(".//s:text[@class='title']", NS).text == 'p95 < 100 ms & "fast"'
    assert legend(root) == ["a</text>&"]


def test_a_long_series_is_thinned_but_keeps_its_extremes():
    xs = np.linspace(0, 100, 200_000)
    ys = np.sin(xs)
    ys[123_456] = 5.0  # a one-sample spike must still show
    chart = Chart(600, 300)
    chart.panel(title="t").x(0, 100).y(-2, 6).line(xs, ys, "black")
    svg = chart.svg()
    assert len(svg) < 40_000
    points = ET.fromstring(svg).find(".//s:polyline", NS).get("points").split()
    heights = [float(p.split(",")[1]) for p in points]
    _, y = chart.panels[0].scales()
    assert min(heights) == pytest.approx(y(5.0), abs=0.1) and max(heights) == pytest.approx(y(-1.0), abs=0.2)


def test_the_same_chart_gives_the_same_bytes():
    def build() -> str:
        chart = Chart(400, 300)
        chart.panel(title="t").line(np.arange(50) / 7, np.sqrt(np.arange(50)), "red", step=True, label="a")
        return chart.svg()

    assert build() == build()
    chart = Chart(300, 200)
    assert chart._repr_svg_() == chart.svg()


# --- the dashboards -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def throttled():
    return run(Scenario(clients=[Client("a", Poisson(80), tier=None), Client("b", Constant(40)),
                                 Client("c", Constant(10)), Client("d", Constant(5))],
                        duration=8, stage_rate=50.0, stage_burst=25, seed=3), shared_lab())


def test_the_throttling_dashboard_shows_its_three_panels_and_legend(throttled):
    root = parse(throttling_dashboard(throttled))
    for title in ("Offered vs answered", "Stage token bucket", "Share per client"):
        panel(root, title)
    assert legend(root) == ["accepted (200)", "429 throttled", "429 quota exceeded", "offered (first tries)",
                            "stage rate limit", "burst (bucket size)", "offered", "accepted"]


def test_two_bars_per_client_and_the_offered_shares_fill_the_axis(throttled):
    shares = panel(parse(throttling_dashboard(throttled)), "Share per client")
    assert len(shares.findall(".//s:rect[@class='bar']", NS)) == 4 * 2
    _, _, width, _ = frame(shares)
    offered = shares.find("s:svg/s:g[@data-label='offered']", NS)
    assert sum(float(r.get("width")) for r in offered) == pytest.approx(width, abs=0.5)  # 100 % in all


def test_the_stage_rate_line_sits_at_the_stage_rate(throttled):
    traffic = panel(parse(throttling_dashboard(throttled)), "Offered vs answered")
    _, top, _, height = frame(traffic)
    ticks = tick_values(traffic, "y")
    line = traffic.find(".//s:line[@data-label='stage rate limit']", NS)
    assert ticks[0] == 0
    assert float(line.get("y1")) == pytest.approx(top + height * (1 - 50.0 / ticks[-1]), abs=0.06)


def test_without_a_stage_throttle_the_bucket_panel_says_so():
    free = run(Scenario(clients=[Client("a", Poisson(10))], duration=2), shared_lab())
    bucket = panel(parse(throttling_dashboard(free)), "Stage token bucket")
    assert [t.text for t in bucket.findall("s:text[@class='annotation']", NS)] == ["no stage throttle set"]


def test_the_cache_dashboard_shows_its_four_panels_and_legend():
    result = run_cache(CacheScenario(duration=60.0, request_rate=10.0, keys=300, ttl=20, change_rate=0.02),
                       shared_lab())
    root = parse(cache_dashboard(result))
    for title in ("Cache hit ratio over time", "Backend load", "Latency (hits: no integration call)",
                  "Cache price per million backend calls saved"):
        panel(root, title)
    summary = result.summary
    entries = legend(root)
    assert {"hit ratio", "stale reads", "warm-up", f"steady state {summary.steady_hit_ratio:.0%}",
            f"without cache ({summary.backend_rate_without_cache:,.0f}/s)",
            f"with cache ({summary.backend_rate:,.1f}/s)", f"p99 {summary.latency_p99 * 1000:.0f} ms"} <= set(entries)
    # One axis, one bar per run: the price of a million saved backend calls (issue 17: no second axis).
    cost = panel(root, "Cache price per million backend calls saved")
    assert [t.text for t in cost.findall("s:text[@class='tick y']", NS)] == [f"{summary.cache_size} GB"]
    assert len(cost.findall(".//s:rect[@class='bar']", NS)) == 1
    note = cost.find("s:text[@class='annotation']", NS).text
    assert note.startswith("$") and "/M" in note and "calls saved/h" in note


def test_a_changed_parameter_changes_the_dashboards():
    assert run_lab(LabParams(duration=6.0)).svg != run_lab(LabParams(duration=6.0, rate=20)).svg
    small = CacheLabParams(duration=40.0, request_rate=5.0, keys=100)
    assert run_cache_lab(small).svg != run_cache_lab(CacheLabParams(duration=40.0, request_rate=5.0, keys=100,
                                                                     ttl=5)).svg
