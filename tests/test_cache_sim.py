"""The cache simulator: every request through the gateway's stage cache on a VirtualClock.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from labkit.gateway.cache import CACHE_CLUSTER_SIZES
from labkit.shared import close_shared_lab, shared_lab
from labkit.pricing import PRICING_CSV, cache_cost, cache_prices
from labkit.sim.caching import (HIT, INVALIDATED, OFF, STAGE, CacheResult, CacheScenario,
                                cost_vs_size, hit_ratio_vs_ttl, prepare_cache_api, run_cache)

# Small and quick: ~1,000 requests over 100 virtual seconds, a cluster large enough never to evict.
BASE = CacheScenario(duration=100.0, request_rate=10.0, keys=200, zipf_s=1.0, ttl=30, cache_size="237",
                     backend_latency=0.05, seed=3)


@pytest.fixture(scope="module", autouse=True)
def _close_lab_after_module():
    yield
    close_shared_lab()


def run(**changes) -> CacheResult:
    return run_cache(dataclasses.replace(BASE, **changes), shared_lab())


def test_the_stage_is_cached_through_ordinary_boto3_settings():
    scenario = dataclasses.replace(BASE, ttl=45, cache_size="1.6", may_invalidate=False)
    lab = shared_lab()
    api_id = prepare_cache_api(lab, scenario)
    apigw = lab.client("apigateway")
    stage = apigw.get_stage(restApiId=api_id, stageName=STAGE)
    assert stage["cacheClusterEnabled"] is True and stage["cacheClusterSize"] == "1.6"
    settings = stage["methodSettings"]["*/*"]
    assert settings["cacheTtlInSeconds"] == 45 and settings["requireAuthorizationForCacheControl"] is True
    resource = next(r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/items")
    integration = apigw.get_integration(restApiId=api_id, resourceId=resource["id"], httpMethod="GET")
    assert integration["type"] == "AWS_PROXY"
    assert integration["cacheKeyParameters"] == ["method.request.querystring.item"]


def test_summary_adds_up_and_hits_skip_the_backend():
    result = run()
    s, rec = result.summary, result.records
    assert s.requests == rec.size > 500 and s.hits + s.backend_calls == s.requests
    assert s.backend_rate_without_cache == pytest.approx(BASE.request_rate, rel=0.15)
    assert s.backend_rate == pytest.approx(s.backend_calls / BASE.duration)
    hits = rec["cache"] == HIT
    assert np.all(rec["latency"][hits] == 0.0) and np.all(rec["latency"][~hits] > 0.0)
    assert np.all(rec["status"] == 200) and s.stale_reads == 0  # the data never changes here
    assert s.latency_p50 <= s.latency_p95 <= s.latency_p99
    assert s.cache_cost_per_hour == cache_prices()["237"]
    assert s.calls_saved_per_hour == pytest.approx(s.hits / BASE.duration * 3600)
    assert str(s).startswith(f"{s.requests:,} requests")


def test_hit_ratio_rises_with_the_ttl_and_ttl_zero_gives_no_hits():
    points = hit_ratio_vs_ttl(BASE, [0, 5, 20, 60], shared_lab())
    ratios = [hit for _, hit, _ in points]
    assert [ttl for ttl, _, _ in points] == [0, 5, 20, 60]
    assert ratios[0] == 0.0
    assert all(a < b for a, b in zip(ratios, ratios[1:])), ratios
    off = run(ttl=0)
    assert off.summary.hits == 0 and np.all(off.records["cache"] == OFF)  # TTL 0: caching off, no header
    assert off.summary.backend_calls == off.summary.requests and off.evictions == 0


def test_hit_ratio_rises_with_popularity_skew():
    ratios = [run(zipf_s=s, keys=1000).summary.steady_hit_ratio for s in (0.0, 0.8, 1.5)]
    assert ratios[0] < ratios[1] < ratios[2], ratios


def test_a_tiny_cluster_under_many_keys_evicts_and_hits_less_than_a_large_one():
    many = dict(keys=3000, zipf_s=0.6, ttl=300, request_rate=20.0)
    tiny, large = run(cache_size="0.5", **many), run(cache_size="237", **many)
    assert tiny.evictions > 0 and large.evictions == 0
    assert tiny.summary.hit_ratio < large.summary.hit_ratio
    assert tiny.used_bytes <= tiny.scenario.capacity_bytes  # 0.5 GB at the 1:1000 scale: 500,000 bytes


def test_stale_reads_appear_when_data_changes_within_the_ttl_and_vanish_at_ttl_zero():
    changing = dict(change_rate=0.05, ttl=60)
    stale = run(**changing)
    assert stale.summary.stale_reads > 0 and 0 < stale.summary.stale_ratio < 1
    assert np.all(stale.records["cache"][stale.records["stale"]] == HIT)  # only a cached answer can be stale
    assert run(**{**changing, "ttl": 5}).summary.stale_ratio < stale.summary.stale_ratio
    assert run(**{**changing, "ttl": 0}).summary.stale_reads == 0


def test_allowed_invalidations_lower_staleness_and_refused_ones_change_nothing():
    common = dict(change_rate=0.05, ttl=60, invalidation_share=0.3)
    allowed, refused = run(may_invalidate=True, **common), run(may_invalidate=False, **common)
    assert allowed.summary.invalidations > 0 and refused.summary.invalidations == 0
    assert allowed.summary.stale_ratio < refused.summary.stale_ratio
    # Refused: the header is ignored (requireAuthorizationForCacheControl), exactly as if never sent.
    no_header = run(change_rate=0.05, ttl=60)
    assert np.array_equal(refused.records["cache"], no_header.records["cache"])
    assert refused.summary.stale_reads == no_header.summary.stale_reads


def test_identical_scenarios_give_identical_results_and_the_seed_matters():
    scenario = dataclasses.replace(BASE, change_rate=0.02, invalidation_share=0.1, cache_size="0.5", keys=2000)
    first, second = run_cache(scenario, shared_lab()), run_cache(scenario, shared_lab())
    assert np.array_equal(first.records, second.records)
    assert first.summary == second.summary and first.evictions == second.evictions
    other = run_cache(dataclasses.replace(scenario, seed=scenario.seed + 1), shared_lab())
    assert not np.array_equal(first.records, other.records)


def test_cost_vs_size_prices_each_size_and_more_cache_saves_no_fewer_calls():
    points = cost_vs_size(dataclasses.replace(BASE, keys=3000, zipf_s=0.6, ttl=300, request_rate=20.0),
                          sizes=("0.5", "6.1"), lab=shared_lab())
    assert [p.size for p in points] == ["0.5", "6.1"]
    assert [p.usd_per_hour for p in points] == [cache_cost("0.5"), cache_cost("6.1")]
    assert points[0].calls_saved_per_hour < points[1].calls_saved_per_hour and points[0].evictions > 0


def test_cache_cost_reads_the_dated_pricing_table():
    prices = cache_prices()
    assert tuple(prices) == CACHE_CLUSTER_SIZES
    assert cache_cost("0.5", 24) == pytest.approx(0.48) and cache_cost(237) == pytest.approx(3.8)
    assert cache_cost(0.5, 0) == 0.0
    header = PRICING_CSV.read_text().split("size_gb")[0]
    assert "https://aws.amazon.com/api-gateway/pricing/" in header and "202" in header
    assert (PRICING_CSV.parent / "README.md").exists()


@pytest.mark.parametrize("size, hours, parameter", [("3", 1, "size"), (True, 1, "size"), ("0.5", -1, "hours"),
                                                    ("0.5", float("nan"), "hours")])
def test_cache_cost_rejects_bad_input(size, hours, parameter):
    with pytest.raises(ValueError, match=parameter):
        cache_cost(size, hours)


@pytest.mark.parametrize("changes, parameter", [
    (dict(ttl=3601), "ttl"), (dict(ttl=1.5), "ttl"), (dict(cache_size="2"), "cache_size"), (dict(keys=0), "keys"),
    (dict(zipf_s=-1), "zipf_s"), (dict(invalidation_share=1.5), "invalidation_share"),
    (dict(response_bytes=2_000_000), "response_bytes"), (dict(request_rate=0), "request_rate"),
    (dict(change_rate=-0.1), "change_rate"), (dict(backend_latency=30), "backend_latency"),
    (dict(may_invalidate="yes"), "may_invalidate"), (dict(warmup=500.0), "warmup"), (dict(seed=-1), "seed"),
])
def test_bad_scenarios_raise_value_error_naming_the_parameter(changes, parameter):
    with pytest.raises(ValueError, match=parameter):
        dataclasses.replace(BASE, **changes)


def test_cluster_sizes_given_as_numbers_are_spelled_as_aws_does():
    assert dataclasses.replace(BASE, cache_size=118.0).cache_size == "118"
    assert dataclasses.replace(BASE, cache_size=0.5).cache_size == "0.5"
    assert BASE.warmup_seconds == 30.0 and dataclasses.replace(BASE, ttl=3600).warmup_seconds == 50.0


def test_invalidated_requests_refetch_and_are_marked():
    result = run(invalidation_share=0.2, may_invalidate=True)
    marked = result.records["cache"] == INVALIDATED
    assert marked.any() and np.all(result.records["latency"][marked] > 0)


def test_misses_lambda_throttles_are_failed_answers_not_backend_calls():
    # 5,000 misses a second that each take 0.5 s need 2,500 executions at once: beyond the account's 1,000
    # unreserved (labkit/gateway/lambda_concurrency.py), Lambda throttles and API Gateway answers 500.
    result = run_cache(CacheScenario(duration=2.0, request_rate=5000.0, backend_latency=0.5, ttl=0, keys=50),
                       shared_lab())
    s = result.summary
    assert s.failed > 0 and s.backend_calls + s.hits + s.failed == s.requests
    assert "answers failed (Lambda throttled: 500)" in str(s)
