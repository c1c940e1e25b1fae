"""The canary timeline of 03_stages_canaries_and_versioning: the share it draws is the share of recent requests."""

from __future__ import annotations

import pytest

from labkit import plots


def test_the_rolling_share_counts_only_the_last_window_of_requests():
    share = plots.rolling_canary_share([True, False, False, True, True], window=2)
    assert list(share) == [100.0, 50.0, 0.0, 50.0, 100.0]


def test_a_window_below_one_request_is_refused_by_name():
    with pytest.raises(ValueError, match="window must be at least 1"):
        plots.rolling_canary_share([True], window=0)


def test_the_timeline_is_a_figure_that_renders():
    fig = plots.canary_timeline([i % 10 == 0 for i in range(200)], [10.0] * 100 + [50.0] * 100)
    assert plots.png_bytes(fig).startswith(b"\x89PNG")
