"""Throttle and quota numbers a control plane answers that AWS would refuse (negative, NaN, infinite, not a
number): the gateway leaves that level out instead of crashing or refusing every request (issue 16 item 9).
AWS's ranges: https://docs.aws.amazon.com/apigateway/latest/api/API_ThrottleSettings.html (rate a double,
burst an integer, both at least 0 as CloudFormation documents them) and API_QuotaSettings.html."""

from __future__ import annotations

import pytest

from labkit.gateway.throttle import Limits, admit, throttle_spec, usable_limits, usable_quota
from labkit.gateway.usage_plans import PlanMatch

KEY = {"id": "key1", "value": "a" * 40}
BAD = [-1, -0.5, float("nan"), float("inf"), "abc", None, True]


@pytest.mark.parametrize("value", BAD)
def test_a_bad_rate_or_burst_is_not_usable(value):
    assert usable_limits(value, 5) is None
    if value is not None:  # a missing burst is 0
        assert usable_limits(10, value) is None


def test_good_limits_read_as_numbers():
    assert usable_limits("10.5", "5") == (10.5, 5)
    assert usable_limits(0, None) == (0.0, 0)  # zero is AWS's "refuse everything", kept as it is
    assert usable_quota({"limit": "100", "period": "DAY", "offset": -3}) == {"limit": 100, "period": "DAY", "offset": 0}
    assert usable_quota({"limit": -1, "period": "DAY"}) is None
    assert usable_quota({"limit": float("nan"), "period": "DAY"}) is None


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), "abc"])
def test_bad_numbers_leave_their_level_out_and_requests_pass(value):
    """Stage method settings, plan throttle, per-method plan throttle and quota all bad: no level applies
    but the account's, so requests are admitted (before, int(nan) raised and a negative quota refused all)."""
    plan = PlanMatch({"id": "plan1", "throttle": {"rateLimit": value, "burstLimit": 1},
                      "quota": {"limit": value, "period": "DAY"}},
                     {"apiId": "api1", "stage": "dev", "throttle": {"/pets/GET": {"rateLimit": 1, "burstLimit": value}}})
    spec = throttle_spec(plan, KEY, {"throttlingRateLimit": value, "throttlingBurstLimit": 2},
                         "api1", "dev", "/pets", "GET")
    assert spec.levels == () and spec.quota is None
    limits = Limits()
    assert [admit(limits, spec, 1000.0 + i * 0.001) for i in range(20)] == [None] * 20


def test_good_numbers_still_throttle():
    """The same request with sound numbers: the stage burst of 2 admits two, then refuses."""
    spec = throttle_spec(None, None, {"throttlingRateLimit": 1.0, "throttlingBurstLimit": 2}, "api1", "dev", "/pets", "GET")
    limits = Limits()
    verdicts = [admit(limits, spec, 1000.0) for _ in range(3)]
    assert verdicts[:2] == [None, None] and verdicts[2] is not None
