"""labkit.design: the design format, limits file, checks, cost model, simulation and report (issue 8)."""

from __future__ import annotations

import copy
import math

import pytest

from labkit.design import (Design, Finding, break_even, check, cost, load_design, load_limits, report,
                           simulate)
from labkit.design.cost import estimated_hit_ratio, request_cost, transfer_cost

MB = 1024 * 1024


def base(**changes) -> dict:
    """A small valid design; `changes` replace top-level fields."""
    design = {
        "name": "tiny", "api_region": "us-east-1", "endpoint_type": "REGIONAL",
        "endpoints": [{"path": "/items", "method": "GET", "rate": 10, "burst": 10, "request_bytes": 100,
                       "response_bytes": 1000, "latency_ms": {"p50": 20, "p99": 100}, "backend": "LAMBDA"}],
    }
    design.update(changes)
    return design


def with_endpoint(**fields) -> dict:
    design = base()
    design["endpoints"][0].update(fields)
    return design


def rules(design) -> set[str]:
    return {f.rule for f in check(design)}


# --- format -------------------------------------------------------------------------------------------

def test_load_design_validates_with_named_fields():
    assert isinstance(load_design(base()), Design)
    with pytest.raises(ValueError, match=r"endpoint_type must be one of EDGE, REGIONAL, PRIVATE"):
        load_design(base(endpoint_type="GLOBAL"))
    with pytest.raises(ValueError, match=r"endpoints\[0\] \(/items\)\.method must be one of GET"):
        load_design(with_endpoint(method="FETCH"))
    with pytest.raises(ValueError, match=r"backend must be one of LAMBDA, HTTP, AWS, MOCK"):
        load_design(with_endpoint(backend="EC2"))
    with pytest.raises(ValueError, match=r"tiers\[\*\]\.share must add up to 1"):
        load_design(base(tiers=[{"name": "free", "share": 0.5, "clients": 3, "rate": 1, "burst": 1}]))
    with pytest.raises(ValueError, match=r"cache\.size_gb must be one of 0\.5, 1\.6"):
        load_design(base(cache={"size_gb": 2}))
    with pytest.raises(ValueError, match=r"unknown field"):
        load_design(base(colour="blue"))
    with pytest.raises(ValueError, match=r"api_region must be an AWS Region code"):
        load_design(base(api_region="Virginia"))


# --- the limits file --------------------------------------------------------------------------------------

def test_limits_file_has_values_units_and_sources():
    limits = load_limits()
    for needed in ("payload_size", "lambda_sync_payload", "integration_timeout", "account_throttle_rate",
                   "account_throttle_burst", "account_throttle_rate_reduced", "header_size", "url_length",
                   "cache_ttl_max", "cached_response_size", "usage_plans_per_region", "api_keys_per_region",
                   "stages_per_api", "resources_per_api"):
        assert needed in limits
    for lim in limits.values():
        assert lim.source.startswith("https://"), lim.id
        assert lim.raisable in (True, False, None)
    assert limits["payload_size"].value == 10 * MB
    assert limits["lambda_sync_payload"].value == 6 * MB
    assert limits["integration_timeout"].value == 29_000
    assert limits["url_length"].value_for("EDGE") == 8192 and limits["url_length"].value_for("REGIONAL") == 10240
    assert "af-south-1" in limits["account_throttle_rate_reduced"].extra["regions"]


# --- rules: just over fires, just under (at the limit) does not -------------------------------------------

@pytest.mark.parametrize("field_", ["request_bytes", "response_bytes"])
def test_payload_over_10_mb(field_):
    assert "payload_size" not in rules(with_endpoint(**{field_: 10 * MB}, backend="HTTP"))
    found = [f for f in check(with_endpoint(**{field_: 10 * MB + 1}, backend="HTTP")) if f.rule == "payload_size"]
    assert len(found) == 1 and found[0].severity == "error" and "presigned" in found[0].action


def test_lambda_payload_over_6_mb():
    assert "lambda_sync_payload" not in rules(with_endpoint(response_bytes=6 * MB))
    assert "lambda_sync_payload" in rules(with_endpoint(response_bytes=6 * MB + 1))
    assert "lambda_sync_payload" not in rules(with_endpoint(response_bytes=6 * MB + 1, backend="HTTP"))


def test_backend_p99_over_integration_timeout():
    assert "integration_timeout" not in rules(with_endpoint(latency_ms={"p50": 1000, "p99": 29_000}))
    found = [f for f in check(with_endpoint(latency_ms={"p50": 1000, "p99": 29_001})) if f.rule == "integration_timeout"]
    assert found and found[0].severity == "error"
    assert "SQS" in found[0].action and "Step Functions" in found[0].action
    # a configured timeout above 29 s: a quota raise on Regional, impossible on edge-optimized
    assert [f.severity for f in check(with_endpoint(timeout_ms=60_000)) if f.rule == "integration_timeout"] == ["warning"]
    edge = with_endpoint(timeout_ms=60_000)
    edge["endpoint_type"] = "EDGE"
    assert "error" in [f.severity for f in check(edge) if f.rule == "integration_timeout"]


def test_account_rate_and_burst():
    assert "account_throttle" not in rules(with_endpoint(rate=10_000, burst=5000))
    assert "account_throttle" in rules(with_endpoint(rate=10_000.5, burst=5000))
    assert "account_burst" not in rules(with_endpoint(rate=10, burst=5000))
    assert "account_burst" in rules(with_endpoint(rate=10, burst=5001))
    # a Region with the reduced default (2,500 / 1,250)
    cape = with_endpoint(rate=2501, burst=1250)
    cape["api_region"] = "af-south-1"
    found = [f for f in check(cape) if f.rule == "account_throttle"]
    assert found and found[0].limit_id == "account_throttle_rate_reduced" and found[0].limit_value == 2500
    cape["endpoints"][0]["rate"] = 2500
    assert "account_throttle" not in rules(cape)


def test_tier_above_stage():
    def design(tier_rate):
        return base(stage={"rate": 100, "burst": 50},
                    tiers=[{"name": "pro", "share": 1.0, "clients": 5, "rate": tier_rate, "burst": 50}])
    assert "tier_above_stage" not in rules(design(100))
    assert "tier_above_stage" in rules(design(100.5))


def test_tier_clients_over_their_own_limit():
    def design(clients):  # 10 req/s in all, spread over `clients` clients with 2 req/s each
        return base(tiers=[{"name": "free", "share": 1.0, "clients": clients, "rate": 2, "burst": 4}])
    assert "tier_client_over_limit" not in rules(design(5))
    assert "tier_client_over_limit" in rules(design(4))


def test_cache_ttl_and_cacheable_gets():
    cached = with_endpoint(cache={"cacheable": True, "ttl": 3600})
    cached["cache"] = {"size_gb": 0.5}
    assert "cache_ttl_max" not in rules(cached)
    cached["endpoints"][0]["cache"]["ttl"] = 3601
    found = [f for f in check(cached) if f.rule == "cache_ttl_max"]
    assert found and found[0].severity == "error"
    # cacheable GET without a stage cache: advice; with one: none
    uncached = with_endpoint(cache={"cacheable": True, "ttl": 300})
    found = [f for f in check(uncached) if f.rule == "cacheable_not_cached"]
    assert found and found[0].severity == "advice"
    uncached["cache"] = {"size_gb": 0.5}
    assert "cacheable_not_cached" not in rules(uncached)
    assert "cacheable_not_cached" not in rules(with_endpoint(cache={"cacheable": False}))


def test_far_callers_on_a_regional_endpoint():
    near = base(callers={"us-east-1": 0.8, "ap-southeast-2": 0.2})
    far = base(callers={"us-east-1": 0.7, "ap-southeast-2": 0.3})
    assert "far_callers" not in rules(near)
    found = [f for f in check(far) if f.rule == "far_callers"]
    assert found and "edge-optimized" in found[0].action and "CloudFront" in found[0].action
    far["endpoint_type"] = "EDGE"
    assert "far_callers" not in rules(far)


def test_usage_plan_and_api_key_quotas():
    tiers = [{"name": "a", "share": 0.5, "clients": 5000, "rate": 1, "burst": 1},
             {"name": "b", "share": 0.5, "clients": 4000, "rate": 1, "burst": 1}]
    assert "usage_plans_per_region" not in rules(base(tiers=tiers, existing={"usage_plans": 298, "api_keys": 1000}))
    assert "usage_plans_per_region" in rules(base(tiers=tiers, existing={"usage_plans": 299}))
    assert "api_keys_per_region" not in rules(base(tiers=tiers, existing={"api_keys": 1000}))
    found = [f for f in check(base(tiers=tiers, existing={"api_keys": 1001})) if f.rule == "api_keys_per_region"]
    assert found and found[0].limit_value == 10_000


def test_stages_resources_headers_urls():
    assert "stage_name" not in rules(base(stage={"name": "prod_v-2"}))
    assert "stage_name" not in rules(base(stage={"name": "s" * 128}))
    for bad in ("prod x", "", "s" * 129, "prod/v1", "étape"):
        found = [f for f in check(base(stage={"name": bad})) if f.rule == "stage_name"]
        assert [f.severity for f in found] == ["error"], bad
        assert found[0].source == "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html"
    assert "stages_per_api" not in rules(base(stages=10))
    assert "stages_per_api" in rules(base(stages=11))
    assert "url_length" not in rules(with_endpoint(url_length=10_240))
    assert "url_length" in rules(with_endpoint(url_length=10_241))
    assert "header_size" in rules(with_endpoint(header_bytes=10_241))


def test_clean_design_has_no_findings():
    assert check(base()) == []


def test_every_finding_cites_a_limit_in_the_file():
    limits = load_limits()
    designs = ["public_read_heavy", "partner_api",
               with_endpoint(rate=20_000, burst=9000, request_bytes=11 * MB, latency_ms={"p50": 10, "p99": 40_000},
                             cache={"cacheable": True, "ttl": 5000}, url_length=20_000, header_bytes=20_000)]
    seen = 0
    for d in designs:
        for f in check(d):
            assert isinstance(f, Finding)
            assert f.severity in ("error", "warning", "advice")
            assert f.limit_id in limits, f.limit_id
            assert f.source == limits[f.limit_id].source and f.source.startswith("https://")
            assert f.action and f.what
            seen += 1
    assert seen >= 10


# --- cost ------------------------------------------------------------------------------------------------

def test_request_tiers_crossing_a_boundary():
    total, parts = request_cost(400e6)
    assert total == pytest.approx(333 * 3.50 + 67 * 2.80)  # 1,165.50 + 187.60
    assert [p[1] for p in parts] == [3.50, 2.80]
    total, _ = request_cost(1.5e9)  # 333 M, 667 M, then 500 M at $2.38
    assert total == pytest.approx(333 * 3.50 + 667 * 2.80 + 500 * 2.38)
    assert request_cost(0)[0] == 0


def test_cost_of_a_tiny_design_by_hand():
    # 400 M requests in a 1-hour "month": 111,111.1 req/s; 1,000-byte responses
    design = with_endpoint(rate=400e6 / 3600, burst=10, response_bytes=1000)
    report_ = cost(design, month_hours=1)
    assert report_.requests_per_month == pytest.approx(400e6)
    assert report_.request_usd == pytest.approx(1353.10)
    gb = 400e6 * 1000 / 2**30
    assert report_.transfer_gb == pytest.approx(gb)
    assert report_.transfer_usd == pytest.approx(gb * 0.09)
    assert report_.cache_usd == 0 and report_.cache_size is None
    assert report_.total_usd == pytest.approx(1353.10 + gb * 0.09)
    # a 0.5 GB cache: $0.02/h
    cached = copy.deepcopy(design)
    cached["cache"] = {"size_gb": 0.5}
    cached["endpoints"][0]["cache"] = {"cacheable": True, "ttl": 300, "keys": 10}
    with_cache = cost(cached, month_hours=730)
    assert with_cache.cache_usd == pytest.approx(0.02 * 730)
    assert with_cache.hit_ratio > 0.99  # 10 keys at 111k req/s: nearly everything is a hit
    # private APIs pay no data transfer out
    private = copy.deepcopy(design)
    private["endpoint_type"] = "PRIVATE"
    assert cost(private, month_hours=1).transfer_usd == 0
    assert transfer_cost(10 * 1024 + 1)[0] == pytest.approx(10 * 1024 * 0.09 + 0.085)
    with pytest.raises(ValueError, match="month_hours"):
        cost(design, month_hours=0)


def test_hit_ratio_estimate_and_break_even():
    d = load_design(with_endpoint(cache={"cacheable": True, "ttl": 100, "keys": 1}))
    e = d.endpoints[0]
    # one key at 10 req/s, TTL 100 s: 1000 hits per miss -> 1000/1001
    assert estimated_hit_ratio(e) == pytest.approx(1000 / 1001)
    point = break_even(d, month_hours=730)
    assert point is not None and point.assumed_backend_price
    # at the break-even, saved backend calls x $3.50/M = cache cost (0.5 GB, $0.02/h x 730)
    assert point.cache_usd_per_month == pytest.approx(14.6)
    volume = point.requests_per_month
    rate = volume / (730 * 3600)
    saved = volume * estimated_hit_ratio(e, rate)
    assert saved * 3.50 / 1e6 == pytest.approx(14.6, rel=1e-4)
    assert break_even(base()) is None  # nothing cacheable


# --- simulation -------------------------------------------------------------------------------------------

TIERED = base(stage={"rate": 60, "burst": 40},
              tiers=[{"name": "free", "share": 0.3, "clients": 3, "rate": 1, "burst": 2},
                     {"name": "pro", "share": 0.7, "clients": 2, "rate": 5, "burst": 10}],
              endpoints=[{"path": "/a", "method": "GET", "rate": 20, "burst": 30, "latency_ms": {"p50": 20, "p99": 80}},
                         {"path": "/b", "method": "POST", "rate": 10, "burst": 10, "latency_ms": {"p50": 50, "p99": 200}}])


def test_simulate_is_deterministic_and_respects_tiers():
    a = simulate(TIERED, seconds=20)
    b = simulate(TIERED, seconds=20)
    assert a.rows == b.rows
    seconds = a.seconds
    tiers = {t.name: t for t in load_design(TIERED).tiers}
    per_client = a.throttle_result.summary.per_client
    assert set(a.client_tiers.values()) == {"free", "pro"}
    for name, tier in a.client_tiers.items():
        t = tiers[tier]
        assert per_client[name].accepted <= t.burst + t.rate * seconds + 1e-9
    # the throttles bite: free clients send 3 req/s against 1 req/s, pro 10.5 against 5
    assert a.row("all", "free").throttled > 0 and a.row("all", "pro").throttled > 0
    total = a.total
    assert total.offered == total.accepted + total.throttled + total.quota_exceeded + total.timeouts
    assert a.row("GET /a", "all").offered + a.row("POST /b", "all").offered == total.offered
    assert 0 < total.latency_p50 <= total.latency_p95 <= total.latency_p99
    assert simulate(TIERED, seconds=20, seed=1).rows != a.rows


def test_simulate_with_cache_and_figure():
    design = with_endpoint(rate=50, burst=10, cache={"cacheable": True, "ttl": 300, "keys": 20})
    design["cache"] = {"size_gb": 0.5}
    sim = simulate(design, seconds=10)
    row = sim.row("GET /items", "all")
    assert row.cache_hit_ratio is not None and row.cache_hit_ratio > 0.5
    assert row.backend_calls_per_s < row.accepted / sim.seconds
    fig = sim.figure()
    assert len(fig.axes) == 2
    from labkit.plots import cost_vs_traffic
    assert cost_vs_traffic(design).axes


def test_simulate_validates():
    with pytest.raises(ValueError, match="seconds"):
        simulate(base(), seconds=0)
    with pytest.raises(ValueError, match="max_clients"):
        simulate(base(), max_clients=0)


# --- the shipped designs -----------------------------------------------------------------------------------

def test_partner_api_findings():
    findings = check("partner_api")
    by_rule = {f.rule: f for f in findings}
    upload = by_rule["payload_size"]
    assert upload.endpoint == "POST /uploads" and upload.severity == "error" and "presigned" in upload.action
    assert by_rule["lambda_sync_payload"].endpoint == "GET /reports/{id}"
    assert by_rule["integration_timeout"].endpoint == "POST /reports"
    assert "api_key_auth" in by_rule and "tier_client_over_limit" in by_rule
    assert findings[0].severity == "error"  # errors first


def test_public_read_heavy_findings_and_cost():
    rules_ = {(f.rule, f.endpoint) for f in check("public_read_heavy")}
    assert ("cacheable_not_cached", "GET /categories") in rules_
    assert ("far_callers", None) in rules_
    assert not any(f.severity == "error" for f in check("public_read_heavy"))
    report_ = cost("public_read_heavy")
    assert report_.cache_size == "1.6" and report_.cache_usd == pytest.approx(0.038 * 730)
    assert 0.5 < report_.hit_ratio < 1
    assert report_.break_even is not None and report_.break_even.requests_per_month < report_.requests_per_month


def test_report_is_readable():
    text = report("partner_api", seconds=10)
    for needed in ("Findings:", "payload_size", "Monthly cost", "Simulation", "accepted"):
        assert needed in text
    assert math.isfinite(cost("partner_api").total_usd)


def test_a_tier_whose_clients_outrun_their_quota_is_found():
    # 10 req/s shared by 2 clients = 5 req/s each = 432,000 a day, against a daily quota.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
    def tier(limit):
        return [{"name": "partners", "share": 1.0, "clients": 2, "rate": 10, "burst": 10,
                 "quota": {"limit": limit, "period": "DAY"}}]

    over = [f for f in check(base(tiers=tier(400_000))) if f.rule == "tier_quota_spent"]
    assert len(over) == 1 and over[0].limit_id == "usage_plan_quota" and "about 22.2 h" in over[0].what
    assert "tier_quota_spent" not in rules(base(tiers=tier(432_000)))


def test_the_simulation_table_lists_a_single_tier_once():
    # With one tier its per-endpoint rows are the totals: the table shows them once, not again as "all".
    result = simulate(load_design("public_read_heavy"), 5)
    rows = result.table().splitlines()[1:]
    names = [line[:28].strip() for line in rows]
    assert len(names) == len(set(names)) == len(result.design.endpoints) + 1, rows


def test_a_monthly_quota_is_measured_over_730_hours_as_cost_prices_a_month():
    findings = [f for f in check(load_design("partner_api")) if f.rule == "tier_quota_spent" and "'pro'" in f.what]
    assert findings and "21,024,000 requests per MONTH" in findings[0].what  # 8 req/s x 730 h


def test_http_api_requests_cost_less_than_rest_api_requests():
    from labkit.design.cost import http_api_request_cost

    # AWS's pricing page example: 300 M at $1.00 and 132 M at $0.90 per million = $418.80.
    assert http_api_request_cost(432e6)[0] == pytest.approx(300 * 1.00 + 132 * 0.90)
    assert http_api_request_cost(100e6)[0] < request_cost(100e6)[0]
