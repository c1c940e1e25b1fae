"""Self-checks for the exercises of 10_design_studio.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/10_design_studio.md).
"""

from __future__ import annotations

import copy
from typing import Any

from ..design import check, cost, load_design
from ..design.cost import request_cost, transfer_cost
from .checks import not_yet, ok
from .reveal import Hints

__all__ = [
    "FINDING_DESIGN",
    "check_which_finding",
    "COST_DESIGN",
    "check_monthly_cost",
    "BROKEN_DESIGN",
    "check_revision",
    "HINTS",
    "hint",
    "solution",
]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("10_design_studio")
hint = HINTS.hint
solution = HINTS.solution

# --- exercise 1: which finding fires? ------------------------------------------------------------------
# A small, clean design (check() finds nothing)... moved to Africa (Cape Town) with 3,000 requests/s.
FINDING_DESIGN: dict[str, Any] = {
    "name": "orders-cape-town",
    "api_region": "af-south-1",
    "endpoint_type": "REGIONAL",
    "endpoints": [
        {"path": "/orders", "method": "GET", "rate": 3000, "burst": 1000, "request_bytes": 300,
         "response_bytes": 2000, "latency_ms": {"p50": 30, "p99": 200}, "backend": "LAMBDA", "auth": "AWS_IAM"},
    ],
}

# --- exercise 2: the monthly bill to the dollar ----------------------------------------------------------
COST_DESIGN: dict[str, Any] = {
    "name": "status-api",
    "api_region": "us-east-1",
    "endpoint_type": "REGIONAL",
    "endpoints": [
        {"path": "/status", "method": "GET", "rate": 200, "burst": 200, "request_bytes": 200,
         "response_bytes": 1024, "latency_ms": {"p50": 10, "p99": 40}, "backend": "MOCK"},
    ],
}
COST_MONTH_HOURS = 730

# --- exercise 3: a revision that clears every error ------------------------------------------------------
BROKEN_DESIGN: dict[str, Any] = {
    "name": "photo-share",
    "description": "Photo sharing for a mobile app: uploads, albums, and zip exports of whole albums.",
    "api_region": "us-east-1",
    "endpoint_type": "EDGE",
    "stage": {"name": "prod", "rate": 500, "burst": 400},
    "cache": {"size_gb": 0.5},
    "callers": {"us-east-1": 0.5, "eu-west-1": 0.3, "ap-northeast-1": 0.2},
    "endpoints": [
        {"path": "/photos", "method": "POST", "rate": 20, "burst": 50, "request_bytes": 25 * 1024 * 1024,
         "response_bytes": 400, "latency_ms": {"p50": 900, "p99": 4000}, "backend": "LAMBDA",
         "auth": "COGNITO_USER_POOLS"},
        {"path": "/albums/{id}", "method": "GET", "rate": 150, "burst": 300, "request_bytes": 200,
         "response_bytes": 12000, "latency_ms": {"p50": 40, "p99": 250}, "backend": "LAMBDA",
         "auth": "COGNITO_USER_POOLS", "cache": {"cacheable": True, "ttl": 7200, "keys": 5000}},
        {"path": "/albums/{id}/export", "method": "POST", "rate": 1, "burst": 5, "request_bytes": 300,
         "response_bytes": 500, "latency_ms": {"p50": 20000, "p99": 60000}, "backend": "LAMBDA",
         "auth": "COGNITO_USER_POOLS"},
    ],
}


def _rules(design: Any) -> list[Any]:
    return check(design)


# --- exercise 1 ------------------------------------------------------------------------------------------

def check_which_finding(rule: Any) -> bool:
    """FINDING_DESIGN (3,000 req/s in af-south-1) fires exactly one finding: `account_throttle`."""
    if rule is None:
        return not_yet("set `rule` to the name of the rule you expect to fire, e.g. \"payload_size\" "
                       "(the `rule` column of the findings tables above).")
    if not isinstance(rule, str):
        return not_yet("the answer is a rule name as a string, such as \"payload_size\".")
    answer = rule.strip().lower()
    fired = [f.rule for f in _rules(FINDING_DESIGN)]
    if answer in fired:
        return ok(f"{answer}: Africa (Cape Town) is one of the Regions whose default account throttle is "
                  "2,500 requests/s (not 10,000), so 3,000 req/s needs a quota increase before launch.")
    if answer in ("account_burst", "stage_burst", "stage_throttle"):
        return not_yet("the spike (1,000 requests) fits the Region's burst of 1,250, and the design sets no "
                       "stage throttle; look at the rate instead, and at the Region.")
    if answer in ("payload_size", "lambda_sync_payload", "integration_timeout", "cacheable_not_cached",
                  "far_callers", "api_key_auth"):
        return not_yet(f"{answer} does not fire: the bodies are small, the backend is fast, nothing is "
                       "marked cacheable and the design names no callers. What is unusual is where the "
                       "API lives: look up af-south-1 in data/limits/api_gateway_rest.yaml.")
    return not_yet(f"{rule!r} is not it. Run check(exercises.FINDING_DESIGN) if you are stuck, but first "
                   "guess: 3,000 requests/s is well under the usual 10,000; is it usual everywhere?")


# --- exercise 2 ------------------------------------------------------------------------------------------

def expected_monthly_cost() -> float:
    """API Gateway's bill for COST_DESIGN in a 730-hour month (labkit.design.cost)."""
    return cost(COST_DESIGN, month_hours=COST_MONTH_HOURS).total_usd


def check_monthly_cost(usd: Any) -> bool:
    """COST_DESIGN's monthly bill, requests plus data transfer out, to within a dollar ($1,749.89)."""
    if usd is None:
        return not_yet("set `usd` to your estimate of the design's monthly API Gateway bill in dollars "
                       "(requests + data transfer out, a 730-hour month).")
    if isinstance(usd, bool) or not isinstance(usd, (int, float)):
        return not_yet("the answer is a number of US dollars, such as 123.45.")
    exact = expected_monthly_cost()
    if abs(usd - exact) <= 1.0:
        return ok(f"${exact:,.2f}: 525.6 M requests (333 M at $3.50/M, then 192.6 M at $2.80/M) and about "
                  "501 GB of responses at $0.09/GB.")
    requests = 200 * COST_MONTH_HOURS * 3600
    gb = requests * 1024 / 2**30
    flat = requests / 1e6 * 3.50
    if abs(usd - (flat + transfer_cost(gb)[0])) <= 1.0 or abs(usd - flat) <= 1.0:
        return not_yet("request prices are tiered: only the first 333 million requests of the month cost "
                       "$3.50 per million, the next ones $2.80.")
    if abs(usd - request_cost(requests)[0]) <= 1.0:
        return not_yet("that is the requests alone; every response also leaves AWS as data transfer out "
                       "(1,024 bytes each, $0.09 per GB in the first tier).")
    if abs(usd - (request_cost(requests)[0] + requests * 1024 / 1e9 * 0.09)) <= 1.0:
        return not_yet("close: the kit counts a GB as 2^30 bytes (1,073,741,824), not 10^9.")
    hours_30 = 200 * 720 * 3600
    if abs(usd - (request_cost(hours_30)[0] + transfer_cost(hours_30 * 1024 / 2**30)[0])) <= 1.0:
        return not_yet("the kit's month is 730 hours (365 × 24 / 12), not 30 days.")
    return not_yet(f"${usd:,.2f} is not it. Requests per month = 200 × 730 × 3,600; price them through the "
                   "tiers in data/pricing/api-gateway-rest-us-east-1.yaml; then add the response bytes in GB.")


# --- exercise 3 ------------------------------------------------------------------------------------------

def check_revision(design: Any) -> bool:
    """A revision of BROKEN_DESIGN that loads, keeps every original method and path at its rate, and has no
    error findings (warnings and advice may stay)."""
    if design is None:
        return not_yet("set `revised_photos` to a design dict: start from copy.deepcopy(exercises.BROKEN_DESIGN) "
                       "and change what check() reports as errors.")
    if design is BROKEN_DESIGN or design == BROKEN_DESIGN:
        return not_yet("that is the broken design unchanged; check(exercises.BROKEN_DESIGN) lists what to fix.")
    try:
        revised = load_design(copy.deepcopy(design))
    except ValueError as err:
        return not_yet(f"the design does not load: {err}")
    original = load_design(BROKEN_DESIGN)
    names = {e.name: e for e in revised.endpoints}
    for e in original.endpoints:
        if e.name not in names:
            return not_yet(f"keep {e.name}: the product still needs it. Change how it works (its bodies, "
                           "backend, latency), not whether it exists; you may add endpoints (e.g. a job status).")
        if names[e.name].rate < e.rate:
            return not_yet(f"{e.name} must still take its {e.rate:g} requests/s: lowering the traffic on paper "
                           "does not lower it in production.")
    errors = [f for f in _rules(revised) if f.severity == "error"]
    if errors:
        listed = "; ".join(f"{f.rule} on {f.endpoint or 'the design'}" for f in errors)
        return not_yet(f"{len(errors)} error(s) left: {listed}. Each finding's `action` says what to do.")
    findings = _rules(revised)
    warnings = sum(f.severity == "warning" for f in findings)
    advice = sum(f.severity == "advice" for f in findings)
    return ok(f"no errors left ({warnings} warning(s) and {advice} advice remain: a reviewer's judgement; "
              "errors are what AWS would refuse). The usual fixes: uploads straight to S3 with a presigned "
              "URL, the export asynchronous (202 and a job id), a cache TTL of at most 3,600 s.")
