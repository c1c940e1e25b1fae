"""labkit.sim: traffic shapes, retry policies, and scenarios run through the real gateway in virtual time.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkit.gateway.engine import Gateway
from labkit.sim import (ACCEPTED, QUOTA_EXCEEDED, RECORD_DTYPE, THROTTLED, Client, Constant, Diurnal,
                        ExponentialBackoff, FixedRetry, NoRetry, OnOff, Poisson, Ramp, Replay, Scenario, Tier,
                        load_trace, run)
from labkit.shared import close_shared_lab, shared_lab


@pytest.fixture(scope="module", autouse=True)
def _close_lab_after_module():
    yield
    close_shared_lab()  # leave no sim APIs or usage plans behind for other test modules


# --- traffic shapes ------------------------------------------------------------------------------------

SHAPES = [
    (Constant(50), 50.0),
    (Poisson(50), 50.0),
    (OnOff(rate_on=200, on_seconds=1, off_seconds=3), 50.0),
    (Ramp(start_rate=0, end_rate=100), 50.0),
    (Diurnal(peak_rate=100, trough_rate=20), None),
    (Replay("web-api-hour.csv", rate_scale=0.5), None),
]


@pytest.mark.parametrize("shape, mean", SHAPES, ids=lambda s: type(s).__name__ if not isinstance(s, float) else "")
def test_a_shape_offers_about_rate_times_duration_sorted_within_the_run(shape, mean):
    duration = 40.0
    times = shape.arrivals(duration, seed=3)
    expected = (mean if mean is not None else shape.mean_rate(duration)) * duration
    assert abs(times.size - expected) < 5 * np.sqrt(expected) + 2
    assert np.all(np.diff(times) >= 0) and times.min() >= 0 and times.max() < duration


@pytest.mark.parametrize("shape", [s for s, _ in SHAPES], ids=lambda s: type(s).__name__)
def test_the_same_seed_gives_the_same_arrivals(shape):
    assert np.array_equal(shape.arrivals(10, seed=7), shape.arrivals(10, seed=7))
    if not isinstance(shape, Constant):
        assert not np.array_equal(shape.arrivals(10, seed=7), shape.arrivals(10, seed=8))


def test_shapes_follow_their_rate_curves():
    bursts = OnOff(rate_on=100, on_seconds=1, off_seconds=1).arrivals(20, seed=1)
    assert np.all(np.mod(bursts, 2.0) < 1.0), "nothing arrives while off"
    ramp = Ramp(start_rate=0, end_rate=200).arrivals(20, seed=1)
    assert np.count_nonzero(ramp >= 10) > 2.5 * np.count_nonzero(ramp < 10)
    day = Diurnal(peak_rate=100, trough_rate=5).arrivals(24, seed=1)  # one "hour" per second
    assert np.count_nonzero((day >= 5) & (day < 7)) < np.count_nonzero((day >= 13) & (day < 15)) / 4


@pytest.mark.parametrize("make, parameter", [
    (lambda: Constant(0), "rate"),
    (lambda: Poisson(-1), "rate"),
    (lambda: Poisson(float("nan")), "rate"),
    (lambda: OnOff(rate_on=10, on_seconds=0, off_seconds=1), "on_seconds"),
    (lambda: OnOff(rate_on=10, on_seconds=1, off_seconds=-1), "off_seconds"),
    (lambda: Ramp(start_rate=0, end_rate=0), "start_rate"),
    (lambda: Diurnal(peak_rate=10, trough_rate=20), "trough_rate"),
    (lambda: Diurnal(peak_rate=10, trough_rate=1, start_hour=24), "start_hour"),
    (lambda: Replay("no-such-trace.csv"), "trace"),
    (lambda: Poisson(10).arrivals(0), "duration"),
    (lambda: Poisson(1e6).arrivals(1e6), "rate x duration"),
    (lambda: FixedRetry(delay_seconds=-1), "delay_seconds"),
    (lambda: ExponentialBackoff(max_attempts=0), "max_attempts"),
    (lambda: ExponentialBackoff(jitter="some"), "jitter"),
    (lambda: Client("a", Poisson(1), api_key="short"), "api_key"),
])
def test_bad_parameters_raise_value_error_naming_them(make, parameter):
    with pytest.raises(ValueError, match=parameter):
        make()


def test_the_shipped_trace_and_both_csv_layouts(tmp_path):
    trace = load_trace("web-api-hour.csv")
    assert trace.counts.size == 3600 and trace.bin_seconds == 1.0 and 40 < trace.mean_rate < 90
    offsets = tmp_path / "offsets.csv"
    offsets.write_text("# one row per request\noffset\n0.1\n0.5\n2.2\n")
    assert list(load_trace(offsets).counts) == [2, 0, 1]
    bad = tmp_path / "bad.csv"
    bad.write_text("when,count\n0,1\n")
    with pytest.raises(ValueError, match="header"):
        load_trace(bad)
    # Replay keeps the trace's rates when it squeezes its hour into a minute.
    assert abs(Replay(str(offsets)).mean_rate(60) - 1.0) < 1e-9
    assert Replay("web-api-hour.csv").arrivals(60, seed=0).size == pytest.approx(60 * trace.mean_rate, rel=0.2)


# --- retry policies ----------------------------------------------------------------------------------------

def test_no_retry_and_fixed_retry():
    rng = np.random.default_rng(0)
    assert NoRetry().delay(1, rng) is None
    fixed = FixedRetry(delay_seconds=0.5, max_attempts=3)
    assert [fixed.delay(n, rng) for n in (1, 2, 3)] == [0.5, 0.5, None]


@settings(max_examples=60, deadline=None)
@given(base=st.floats(0.001, 2.0), cap=st.floats(0.01, 30.0), retries=st.integers(1, 12), seed=st.integers(0, 99))
def test_full_jitter_waits_within_zero_and_min_cap_base_two_to_the_n(base, cap, retries, seed):
    # https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
    policy = ExponentialBackoff(base=base, cap=cap, max_attempts=retries + 1)
    rng = np.random.default_rng(seed)
    for failures in range(1, retries + 1):
        wait = policy.delay(failures, rng)
        n = failures - 1
        assert 0.0 <= wait <= min(cap, base * 2**n) <= cap
    assert policy.delay(retries + 1, rng) is None, "max_attempts counts the first try"


def test_backoff_without_jitter_doubles_up_to_the_cap_and_jitter_spreads():
    rng = np.random.default_rng(0)
    plain = ExponentialBackoff(base=0.1, cap=1.0, max_attempts=7, jitter="none")
    assert [plain.delay(f, rng) for f in range(1, 7)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
    full = ExponentialBackoff(base=1.0, cap=8.0, max_attempts=10)
    waits = np.array([full.delay(4, rng) for _ in range(2000)])  # ceiling min(8, 1 * 2**3) = 8
    assert waits.max() <= 8 and abs(waits.mean() - 4.0) < 0.3
    equal = ExponentialBackoff(base=1.0, cap=8.0, max_attempts=10, jitter="equal")
    assert all(4.0 <= equal.delay(4, rng) <= 8.0 for _ in range(200))


# --- the runner: every answer comes from the gateway --------------------------------------------------------

def accepted_times(result, client=None):
    rec = result.records
    mask = rec["outcome"] == ACCEPTED
    if client is not None:
        mask &= rec["client"] == result.clients.index(client)
    return rec["time"][mask]


def assert_bucket_bound(times, rate, burst):
    """In every window [t_i, t_j], accepted requests <= burst + rate * (t_j - t_i)."""
    i, j = np.triu_indices(times.size)
    assert np.all(j - i + 1 <= burst + rate * (times[j] - times[i]) + 1e-5)


def test_a_burst_above_the_stage_limit_gets_429s_that_match_the_token_bucket():
    rate, burst, duration = 50.0, 20, 3.0
    result = run(Scenario(clients=[Client("load", Constant(400))], duration=duration,
                          stage_rate=rate, stage_burst=burst, seed=1), shared_lab())
    s = result.summary
    assert s.offered == 1200 and s.throttled > 0 and s.accepted + s.throttled == s.offered
    assert_bucket_bound(accepted_times(result), rate, burst)
    assert burst + rate * duration - 3 <= s.accepted <= burst + rate * duration
    throttled = result.records[result.records["outcome"] == THROTTLED]
    assert set(throttled["status"]) == {429} and throttled["time"].min() < 0.1  # the burst runs out first


def test_a_client_under_its_limit_is_never_throttled():
    result = run(Scenario(clients=[Client("calm", Constant(45))], duration=5, stage_rate=50, stage_burst=1),
                 shared_lab())
    assert result.summary.throttled == 0 and result.summary.accepted == result.summary.offered


def test_every_request_goes_through_the_gateway(monkeypatch):
    """With fast=False every attempt is a Gateway.handle call; by default each attempt goes through its
    compiled request class (gateway/compiled.py), whose decisions tests/test_compiled.py shows equal."""
    from labkit.gateway import compiled

    calls, sent = [], []
    original_handle, original_send = Gateway.handle, compiled.send

    def counting(self, request):
        calls.append(request)
        return original_handle(self, request)

    def counting_send(prepared):
        sent.append(prepared)
        return original_send(prepared)

    monkeypatch.setattr(Gateway, "handle", counting)
    monkeypatch.setattr("labkit.sim.runner.send", counting_send)
    scenario = Scenario(clients=[Client("a", Poisson(100), retry=FixedRetry(0.2, 3))], duration=2,
                        stage_rate=20, stage_burst=5)
    full = run(scenario, shared_lab(), fast=False)
    assert len(calls) == full.records.size and full.summary.attempts > full.summary.offered
    calls.clear()
    fast = run(scenario, shared_lab())
    assert len(sent) == fast.records.size and not calls


def test_usage_plan_tiers_give_different_shares():
    tiers = {"gold": Tier(rate=40.0, burst=40), "bronze": Tier(rate=5.0, burst=5)}
    result = run(Scenario(clients=[Client("g", Poisson(60), tier="gold"), Client("b", Poisson(60), tier="bronze")],
                          duration=10, tiers=tiers, seed=2), shared_lab())
    per = result.summary.per_client
    assert per["g"].accepted > 4 * per["b"].accepted
    assert_bucket_bound(accepted_times(result, "b"), 5.0, 5)
    assert_bucket_bound(accepted_times(result, "g"), 40.0, 40)
    assert per["b"].offered == pytest.approx(per["g"].offered, rel=0.25), "same offer, different share"


def test_a_client_without_a_key_gets_403_when_tiers_require_keys():
    result = run(Scenario(clients=[Client("keyed", Poisson(5), tier="t"), Client("anonymous", Poisson(5))],
                          duration=4, tiers={"t": Tier(rate=100.0, burst=100)}), shared_lab())
    per = result.summary.per_client
    assert per["anonymous"].forbidden == per["anonymous"].offered > 0 and per["anonymous"].accepted == 0
    assert per["keyed"].accepted == per["keyed"].offered


def test_a_spent_quota_answers_429_limit_exceeded_counted_apart_from_throttling():
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
    result = run(Scenario(clients=[Client("q", Poisson(20), tier="small")], duration=5,
                          tiers={"small": Tier(rate=100.0, burst=100, quota_limit=30)}, seed=4), shared_lab())
    s = result.summary
    assert s.accepted == 30 and s.throttled == 0 and s.quota_exceeded == s.offered - 30 > 0
    quota = result.records[result.records["outcome"] == QUOTA_EXCEEDED]
    assert set(quota["status"]) == {429} and quota["time"].min() >= accepted_times(result).max()


def test_retries_recover_some_429s():
    shape = OnOff(rate_on=100, on_seconds=1, off_seconds=2)
    common = dict(duration=9, stage_rate=20.0, stage_burst=20, seed=5)
    plain = run(Scenario(clients=[Client("c", shape)], **common), shared_lab())
    patient = run(Scenario(clients=[Client("c", shape, retry=ExponentialBackoff(base=0.2, cap=2, max_attempts=6))],
                           **common), shared_lab())
    assert patient.summary.offered == plain.summary.offered
    assert patient.summary.accepted > plain.summary.accepted
    retried = patient.records[(patient.records["attempt"] > 0) & (patient.records["outcome"] == ACCEPTED)]
    assert retried.size > 0
    assert patient.summary.per_client["c"].gave_up < plain.summary.per_client["c"].gave_up
    assert patient.records["attempt"].max() <= 5


def test_identical_seeds_give_identical_records():
    scenario = Scenario(clients=[Client("a", Poisson(80), retry=ExponentialBackoff()),
                                 Client("b", OnOff(rate_on=150, on_seconds=1, off_seconds=1), tier="t")],
                        duration=4, stage_rate=60.0, stage_burst=30, tiers={"t": Tier(rate=30.0, burst=10)}, seed=9)
    first, second = run(scenario, shared_lab()), run(scenario, shared_lab())
    assert first.records.dtype == RECORD_DTYPE
    assert np.array_equal(first.records, second.records) and first.summary == second.summary
    other = run(Scenario(**{**scenario.__dict__, "seed": 10}), shared_lab())
    assert not np.array_equal(first.records, other.records)


def test_backend_jitter_zero_gives_every_call_the_median_and_bad_jitter_is_refused():
    steady = run(Scenario(clients=[Client("a", Constant(20))], duration=2, backend_jitter=0), shared_lab())
    assert steady.summary.latency_p50 == steady.summary.latency_p99 == pytest.approx(0.02)
    with pytest.raises(ValueError, match="backend_jitter"):
        Scenario(clients=[Client("a", Constant(20))], backend_jitter=-1)


def test_records_rows_and_summary_add_up():
    result = run(Scenario(clients=[Client("a", Poisson(50)), Client("b", Constant(30))], duration=3,
                          stage_rate=40.0, stage_burst=10), shared_lab())
    s = result.summary
    assert s.attempts == s.accepted + s.throttled + s.quota_exceeded + s.forbidden + s.errors
    assert sum(c.offered for c in s.per_client.values()) == s.offered
    assert s.effective_rate == pytest.approx(s.accepted / 3)
    # The simulated backend: a lognormal around the 20 ms median, so p50 is near it and p99 well above it.
    assert s.latency_p50 == pytest.approx(0.02, rel=0.15) and s.latency_p99 > 1.5 * s.latency_p50
    rows = result.to_rows()
    assert len(rows) == result.records.size and set(rows[0]) == set(RECORD_DTYPE.names)
    assert rows[0]["client"] in ("a", "b") and rows[0]["outcome"] in ("accepted", "throttled")
    bins = result.per_second()
    assert bins["offered"].sum() == s.offered and bins["accepted"].sum() == s.accepted and bins["start"].size == 3
    assert "offered" in str(s) and "p50/p95/p99" in str(s)


def test_the_account_level_limit_applies_too():
    result = run(Scenario(clients=[Client("a", Constant(200))], duration=2, account_rate=10.0, account_burst=5),
                 shared_lab())
    assert result.summary.accepted <= 5 + 10 * 2 and result.summary.throttled > 0


@pytest.mark.parametrize("kwargs, parameter", [
    (dict(clients=[]), "clients"),
    (dict(clients=[Client("a", Poisson(1)), Client("a", Poisson(1))]), "distinct"),
    (dict(clients=[Client("a", Poisson(1))], duration=-1), "duration"),
    (dict(clients=[Client("a", Poisson(1))], stage_rate=10.0), "stage_burst"),
    (dict(clients=[Client("a", Poisson(1))], stage_rate=10.0, stage_burst=-2), "stage_burst"),
    (dict(clients=[Client("a", Poisson(1), tier="gold")]), "tier"),
    (dict(clients=[Client("a", Poisson(1))], backend_latency=60), "backend_latency"),
])
def test_bad_scenarios_raise_value_error_naming_the_parameter(kwargs, parameter):
    with pytest.raises(ValueError, match=parameter):
        Scenario(**kwargs)


def test_bad_tiers_raise_value_error_naming_the_parameter():
    with pytest.raises(ValueError, match="burst"):
        Tier(rate=1.0)
    with pytest.raises(ValueError, match="quota_period"):
        Tier(quota_limit=5, quota_period="YEAR")
    with pytest.raises(ValueError, match="quota_limit"):
        Tier(quota_limit=-1)


def test_simulation_speed_for_ten_thousand_requests(capsys):
    scenario = Scenario(clients=[Client("a", Poisson(600)), Client("b", Poisson(400))], duration=10,
                        stage_rate=500.0, stage_burst=100)
    run(scenario, shared_lab())  # warm: the shared lab and the sim API exist after this
    started = time.perf_counter()
    result = run(scenario, shared_lab())
    total = time.perf_counter() - started
    assert 9_000 < result.records.size < 11_000
    with capsys.disabled():
        print(f"\n[sim speed] {result.records.size:,} requests: {result.requests_per_second:,.0f} req/s in the "
              f"request loop, {result.records.size / total:,.0f} req/s end to end (setup included)")
    assert result.requests_per_second > 500  # loose: a shared CI machine; the lead tunes the gateway


# --- who owns the lab and what the runner made in it ------------------------------------------------------

def test_the_lab_owns_what_the_runner_made_and_drops_it_on_close():
    import gc
    import weakref

    from labkit import Lab

    class Made:
        pass

    scenario = Scenario(clients=[Client("a", Constant(5))], duration=1)
    with Lab(verbose=False) as lab:
        created = []
        lab.client("apigateway").meta.events.register(
            "provide-client-params.api-gateway.CreateRestApi", lambda params, **_: created.append(params["name"]))
        run(scenario, lab)
        run(scenario, lab)
        assert created == ["labkit-sim"]  # the second run reuses the API the lab kept (Lab.memo)
        made = lab.memo("test", Made)
        assert lab.memo("test", Made) is made
        kept = weakref.ref(made)
        del made
    gc.collect()
    assert kept() is None  # close() dropped what the lab kept
    with pytest.raises(RuntimeError, match="closed"):
        lab.memo("test", Made)
    with pytest.raises(TypeError):
        run(scenario)  # type: ignore[call-arg]  # the simulator takes its Lab from its caller


def test_the_shared_lab_has_one_owner_and_is_made_anew_after_close():
    from labkit.shared import SharedLab

    owner = SharedLab()
    first = owner.get()
    assert owner.get() is first
    owner.close()
    assert "closed" in repr(first)
    second = owner.get()
    assert second is not first
    second.close()  # closed by hand: the owner makes a new one on the next get()
    third = owner.get()
    assert third is not second
    owner.close()
