"""The checks of 10_design_studio accept the right answer, reject a wrong or blank one with a hint, and never raise."""

from __future__ import annotations

import copy

import pytest

from labkit.exercises import design as exercises
from labkit.design import check, cost
from exercise_asserts import hints as _hints, passes as _passes


def test_shipped_designs_are_what_the_exercises_say():
    assert [f.rule for f in check(exercises.FINDING_DESIGN)] == ["account_throttle"]
    assert {(f.severity, f.rule) for f in check(exercises.BROKEN_DESIGN)} == {
        ("error", "payload_size"), ("error", "integration_timeout"), ("error", "cache_ttl_max")}
    assert cost(exercises.COST_DESIGN).total_usd == pytest.approx(1749.89, abs=0.01)


def test_which_finding(capsys):
    _hints(capsys, exercises.check_which_finding(None), "rule")
    _hints(capsys, exercises.check_which_finding(42), "string")
    _hints(capsys, exercises.check_which_finding("account_burst"), "1,250")
    _hints(capsys, exercises.check_which_finding("payload_size"), "af-south-1")
    _hints(capsys, exercises.check_which_finding("nonsense"), "10,000")
    _passes(capsys, exercises.check_which_finding("account_throttle"))
    _passes(capsys, exercises.check_which_finding(" Account_Throttle "))


def test_monthly_cost(capsys):
    _hints(capsys, exercises.check_monthly_cost(None), "730-hour")
    _hints(capsys, exercises.check_monthly_cost("1750"), "number")
    _hints(capsys, exercises.check_monthly_cost(True), "number")
    _hints(capsys, exercises.check_monthly_cost(1884.71), "tiered")     # every request at $3.50/M
    _hints(capsys, exercises.check_monthly_cost(1704.78), "data transfer out")
    _hints(capsys, exercises.check_monthly_cost(1753.15), "2^30")       # GB = 10^9 bytes
    _hints(capsys, exercises.check_monthly_cost(1700), "200 × 730")
    _passes(capsys, exercises.check_monthly_cost(1749.89))
    _passes(capsys, exercises.check_monthly_cost(1750))


def _fixed() -> dict:
    revised = copy.deepcopy(exercises.BROKEN_DESIGN)
    photos, album, export = revised["endpoints"]
    photos.update(request_bytes=600, latency_ms={"p50": 30, "p99": 150})       # hands out a presigned PUT URL
    album["cache"]["ttl"] = 3600
    export.update(backend="AWS", latency_ms={"p50": 40, "p99": 200})          # 202 + job id via Step Functions
    revised["endpoints"].append({"path": "/jobs/{id}", "method": "GET", "rate": 5, "burst": 10,
                                 "response_bytes": 500, "latency_ms": {"p50": 20, "p99": 100}, "backend": "AWS",
                                 "auth": "COGNITO_USER_POOLS"})
    return revised


def test_revision(capsys):
    _hints(capsys, exercises.check_revision(None), "deepcopy")
    _hints(capsys, exercises.check_revision(copy.deepcopy(exercises.BROKEN_DESIGN)), "unchanged")
    half = copy.deepcopy(exercises.BROKEN_DESIGN)
    half["endpoints"][0]["request_bytes"] = 600
    _hints(capsys, exercises.check_revision(half), "2 error(s)", "integration_timeout", "cache_ttl_max")
    dropped = _fixed()
    del dropped["endpoints"][2]
    _hints(capsys, exercises.check_revision(dropped), "keep POST /albums/{id}/export")
    quieter = _fixed()
    quieter["endpoints"][0]["rate"] = 1
    _hints(capsys, exercises.check_revision(quieter), "20 requests/s")
    bad = _fixed()
    bad["endpoint_type"] = "GLOBAL"
    _hints(capsys, exercises.check_revision(bad), "does not load", "endpoint_type")
    _passes(capsys, exercises.check_revision(_fixed()))
    assert exercises.BROKEN_DESIGN["endpoints"][0]["request_bytes"] == 25 * 1024 * 1024  # not modified
