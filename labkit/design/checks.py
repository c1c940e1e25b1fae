"""`check(design)`: what in a design breaks a documented limit or quota, or deserves advice, before it is built.

Every Finding cites the limit it comes from (an id in data/limits/api_gateway_rest.yaml, its value and
source URL) and says what to do. Rules fire on "over" (strictly greater than the limit), so a design
exactly at a limit passes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .limits import Limit, account_limits, limit
from .model import Design, Endpoint, load_design

SEVERITIES = ("error", "warning", "advice")
MB = 1024 * 1024

# Approximate locations (latitude, longitude) of AWS Regions, for the fallback distance rule.
REGION_LOCATIONS: dict[str, tuple[float, float]] = {
    "us-east-1": (38.9, -77.4), "us-east-2": (40.0, -83.0), "us-west-1": (37.4, -121.9), "us-west-2": (45.8, -119.7),
    "ca-central-1": (45.5, -73.6), "ca-west-1": (51.0, -114.1), "mx-central-1": (20.6, -100.4),
    "sa-east-1": (-23.5, -46.6), "eu-west-1": (53.3, -6.3), "eu-west-2": (51.5, -0.1), "eu-west-3": (48.9, 2.35),
    "eu-central-1": (50.1, 8.7), "eu-central-2": (47.4, 8.5), "eu-north-1": (59.3, 18.1), "eu-south-1": (45.5, 9.2),
    "eu-south-2": (41.6, -0.9), "me-south-1": (26.1, 50.6), "me-central-1": (24.5, 54.4), "il-central-1": (32.1, 34.8),
    "af-south-1": (-33.9, 18.4), "ap-south-1": (19.1, 72.9), "ap-south-2": (17.4, 78.5),
    "ap-southeast-1": (1.35, 103.8), "ap-southeast-2": (-33.9, 151.2), "ap-southeast-3": (-6.2, 106.8),
    "ap-southeast-4": (-37.8, 145.0), "ap-southeast-5": (3.1, 101.7), "ap-southeast-7": (13.8, 100.5),
    "ap-northeast-1": (35.7, 139.7), "ap-northeast-2": (37.6, 127.0), "ap-northeast-3": (34.7, 135.5),
    "ap-east-1": (22.3, 114.2),
}
# https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html (stageName): alphanumerics, '-', '_', <= 128.
STAGE_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
FAR_KM = 3000.0          # callers further than this from the API Region are "far" (fallback rule)
FAR_SHARE = 0.2          # ... and a finding fires when more than this share of requests come from far
FIBRE_KM_PER_MS = 100.0  # ~200,000 km/s in fibre, halved for a round trip: 1 ms RTT per 100 km (rule of thumb)


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer would say about a design."""

    severity: str          # error | warning | advice
    endpoint: str | None   # "GET /products" or None for the whole design
    rule: str              # short rule name, e.g. "payload_size"
    what: str
    limit_id: str
    limit_value: Any
    limit_unit: str
    source: str
    action: str

    def __str__(self) -> str:
        where = f" [{self.endpoint}]" if self.endpoint else ""
        value = f"{self.limit_value:,}" if isinstance(self.limit_value, (int, float)) else str(self.limit_value)
        return (f"{self.severity.upper():7}{where} {self.what}\n"
                f"         limit: {self.limit_id} = {value} {self.limit_unit} ({self.source})\n"
                f"         do: {self.action}")


def _finding(severity: str, endpoint: Endpoint | None, rule: str, what: str, lim: Limit, action: str,
             value: Any = None, unit: str | None = None) -> Finding:
    return Finding(severity, endpoint.name if endpoint else None, rule, what, lim.id,
                   lim.value if value is None else value, lim.unit if unit is None else unit, lim.source, action)


def _mb(n: float) -> str:
    return f"{n / MB:,.1f} MB"


def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two Regions (None if either is unknown)."""
    if a not in REGION_LOCATIONS or b not in REGION_LOCATIONS:
        return None
    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, REGION_LOCATIONS[r])) for r in (a, b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# --- the rules ------------------------------------------------------------------------------------------

def _payloads(design: Design) -> list[Finding]:
    out = []
    payload, lam = limit("payload_size"), limit("lambda_sync_payload")
    for e in design.endpoints:
        for label, size in (("request", e.request_bytes), ("response", e.response_bytes)):
            if size > payload.value:
                action = ("Upload straight to S3 with a presigned PUT URL (or multipart upload) that the API hands out; "
                          "the API only receives the object key." if label == "request" else
                          "Return a presigned S3 GET URL (or a CloudFront signed URL) instead of the body, or paginate.")
                out.append(_finding("error", e, "payload_size", f"{label} body of {_mb(size)} is over the 10 MB "
                                    "payload limit: API Gateway answers 413 before the backend sees it", payload, action))
            elif e.backend == "LAMBDA" and size > lam.value:
                out.append(_finding("error", e, "lambda_sync_payload", f"{label} body of {_mb(size)} is over Lambda's "
                                    "6 MB synchronous payload limit (API Gateway itself would allow 10 MB)", lam,
                                    "Move the body through S3 (presigned URL) and pass the object key to Lambda, or "
                                    "use an HTTP or AWS service integration that accepts up to 10 MB."))
    return out


def _timeouts(design: Design) -> list[Finding]:
    out = []
    lim = limit("integration_timeout")
    raisable_here = design.endpoint_type in lim.extra.get("raisable_for", ())
    for e in design.endpoints:
        if e.timeout_ms > lim.value:
            if raisable_here:
                out.append(_finding("warning", e, "integration_timeout", f"timeout_ms {e.timeout_ms:,} is above the "
                                    "default 29,000 ms maximum", lim, "Request a raise of quota L-E5AE38E3 (Regional "
                                    "and private APIs, since 2024-06-04); it may lower the account throttle quota."))
            else:
                out.append(_finding("error", e, "integration_timeout", f"timeout_ms {e.timeout_ms:,} is above 29,000 ms, "
                                    "which cannot be raised for edge-optimized APIs", lim,
                                    "Use a Regional endpoint (raisable) or an asynchronous pattern."))
        timeout = min(e.timeout_ms, lim.value) if not raisable_here else e.timeout_ms
        if e.latency_p99_ms > timeout:
            out.append(_finding("error", e, "integration_timeout", f"backend p99 {e.latency_p99_ms / 1000:,.1f} s is over "
                                f"the integration timeout ({timeout / 1000:,.3g} s): more than 1% of calls would "
                                "get 504 Endpoint request timed out", lim,
                                "Make it asynchronous: accept with 202 and a job id (API Gateway → SQS or Step "
                                "Functions StartExecution), then let clients poll GET /jobs/{id} or get a callback/"
                                "webhook; or speed up the backend." +
                                (" A timeout raise (Regional/private) is the other option." if raisable_here else ""),
                                value=timeout))
    return out


def _account(design: Design) -> list[Finding]:
    out = []
    rate, burst, rate_lim, burst_lim = account_limits(design.api_region)
    if design.account_rate is not None:
        rate = design.account_rate
    if design.account_burst is not None:
        burst = design.account_burst
    if design.total_rate > rate:
        out.append(_finding("error", None, "account_throttle", f"the endpoints' total rate {design.total_rate:,.0f} "
                            f"req/s is above the account's {rate:,.0f} req/s in {design.api_region} (shared by every "
                            "API in the account and Region)", rate_lim,
                            "Request a quota increase (Service Quotas L-8A5B8E43) before launch, and set stage and "
                            "usage-plan throttles so that one API or client cannot take the whole account limit.",
                            value=rate))
    if design.total_burst > burst:
        out.append(_finding("warning", None, "account_burst", f"the endpoints' spikes add up to {design.total_burst:,} "
                            f"requests at once, above the account burst of {burst:,}: a coinciding spike gets 429s",
                            burst_lim, "Smooth spikes (queue or jittered client retries with backoff), cache the hot "
                            "reads, or raise the rate quota (the burst follows it; it cannot be requested alone).",
                            value=burst))
    return out


def _stage_and_tiers(design: Design) -> list[Finding]:
    out = []
    within, order = limit("stage_throttle_within_account"), limit("usage_plan_before_stage")
    acc_rate, acc_burst, _, _ = account_limits(design.api_region)
    acc_rate = design.account_rate or acc_rate
    acc_burst = design.account_burst or acc_burst
    if design.stage_rate is not None:
        if design.stage_rate > acc_rate or (design.stage_burst or 0) > acc_burst:
            out.append(_finding("error", None, "stage_throttle", f"stage throttle {design.stage_rate:,.0f} req/s, burst "
                                f"{design.stage_burst:,} is above the account's {acc_rate:,.0f}/{acc_burst:,}", within,
                                "Lower the stage limits to at most the account's (or raise the account quota first).",
                                value=f"{acc_rate:,.0f}/{acc_burst:,}"))
        if design.total_rate > design.stage_rate:
            out.append(_finding("warning", None, "stage_throttle", f"expected traffic {design.total_rate:,.0f} req/s is "
                                f"above the stage limit of {design.stage_rate:,.0f} req/s: the excess gets 429",
                                limit("stage_method_throttle"),
                                "Raise the stage throttle or plan for 429s with client retries.",
                                value=design.stage_rate))
    if design.stage_burst is not None and design.total_burst > design.stage_burst:
        out.append(_finding("warning", None, "stage_burst", f"the endpoints' spikes add up to {design.total_burst:,} "
                            f"requests at once, above the stage burst of {design.stage_burst:,}: a coinciding spike "
                            "gets 429s", limit("stage_method_throttle"), "Raise the stage burst (up to the account's), or "
                            "smooth and cache the "
                            "spiky reads.", value=design.stage_burst, unit="requests"))
    for t in design.tiers:
        if design.stage_rate is None or t.rate is None:
            continue
        if t.rate > design.stage_rate or (t.burst or 0) > (design.stage_burst or 0):
            out.append(_finding("warning", None, "tier_above_stage", f"tier {t.name!r} allows {t.rate:,.0f} req/s "
                                f"(burst {t.burst:,}) per key, above the stage's {design.stage_rate:,.0f} req/s "
                                f"(burst {design.stage_burst:,}): the stage throttles such a client first, for everyone",
                                order, "Keep every tier's rate and burst at or below the stage's (and the sum of the "
                                "tiers' expected use below it), or raise the stage limit.",
                                value=f"stage {design.stage_rate:,.0f}/{design.stage_burst:,}", unit="requests/s / burst"))
    per_key = limit("usage_plan_throttle")
    for t in design.tiers:
        expected = t.client_rate(design.total_rate)
        if t.rate is not None and expected > t.rate:
            out.append(_finding("warning", None, "tier_client_over_limit", f"clients of tier {t.name!r} are expected "
                                f"to send {expected:,.2f} req/s each, above the tier's {t.rate:,.2f} req/s per key: "
                                "the excess gets 429", per_key,
                                "Raise the tier's rate, move these clients to a bigger tier, or tell them to expect "
                                "429s and retry with backoff.", value=t.rate))
    quota = limit("usage_plan_quota")
    for t in design.tiers:
        if not t.quota_limit:
            continue
        per_second = t.client_rate(design.total_rate)
        period = PERIOD_SECONDS[t.quota_period]
        if per_second * period > t.quota_limit:
            spent = t.quota_limit / per_second if per_second else float("inf")
            out.append(_finding("warning", None, "tier_quota_spent", f"clients of tier {t.name!r} are expected to send "
                                f"{per_second * period:,.0f} requests per {t.quota_period}, above its quota of "
                                f"{t.quota_limit:,}: the quota runs out after about {spent / 3600:,.1f} h of each "
                                "period and the rest gets 429 Limit Exceeded", quota,
                                "Raise the tier's quota, move these clients to a bigger tier, or tell them what a "
                                "period allows.", value=t.quota_limit, unit="requests"))
    keyed = [e for e in design.endpoints if e.auth == "API_KEY"]
    if keyed:
        lim = limit("api_keys_not_authorization")
        out.append(_finding("warning", None, "api_key_auth", f"{len(keyed)} endpoint(s) rely on API keys alone "
                            f"({', '.join(e.name for e in keyed)}); a key is an identifier, not a credential", lim,
                            "Add an authorizer (Cognito, Lambda authorizer or IAM) and keep API keys for usage plans; "
                            "use WAF or AWS Budgets, not quotas, for hard protection."))
    return out


def _quotas(design: Design) -> list[Finding]:
    out = []
    plans, keys = limit("usage_plans_per_region"), limit("api_keys_per_region")
    n_plans = len(design.tiers) + design.other_usage_plans
    if n_plans > plans.value:
        out.append(_finding("error", None, "usage_plans_per_region", f"{n_plans:,} usage plans in {design.api_region} "
                            f"(this design {len(design.tiers)}, already there {design.other_usage_plans:,}) is over "
                            f"{plans.value:,}", plans, "Share plans across APIs (a plan can hold many API stages), "
                            "merge tiers, or ask AWS Support about the quota."))
    n_keys = design.api_keys + design.other_api_keys
    if n_keys > keys.value:
        out.append(_finding("error", None, "api_keys_per_region", f"{n_keys:,} API keys in {design.api_region} (this "
                            f"design {design.api_keys:,}, already there {design.other_api_keys:,}) is over "
                            f"{keys.value:,}, which cannot be raised", keys,
                            "Identify clients with a Lambda authorizer that returns usageIdentifierKey (apiKeySource "
                            "AUTHORIZER) mapping many clients to fewer keys, split clients across Regions/accounts, "
                            "or throttle per client in the backend."))
    stages, resources = limit("stages_per_api"), limit("resources_per_api")
    if design.stages > stages.value:
        out.append(_finding("error", None, "stages_per_api", f"{design.stages} stages is over {stages.value}", stages,
                            "Use separate APIs per environment, or request a raise (raisable)."))
    if design.resources() > resources.value:
        out.append(_finding("error", None, "resources_per_api", f"{design.resources():,} resources is over "
                            f"{resources.value}", resources, "Use {proxy+} resources, split the API, or request a raise."))
    return out


def _stage_name(design: Design) -> list[Finding]:
    rule = limit("stage_name")
    if STAGE_NAME.fullmatch(design.stage_name):
        return []
    return [_finding("error", None, "stage_name", f"stage name {design.stage_name!r} is not 1-{rule.value} letters, "
                     "digits, '-' and '_': CreateStage refuses it", rule,
                     "Rename the stage, e.g. with '-' or '_' in place of spaces and other characters.",
                     value=STAGE_NAME.pattern)]


def _request_sizes(design: Design) -> list[Finding]:
    out = []
    header, url = limit("header_size"), limit("url_length")
    for e in design.endpoints:
        h, u = header.value_for(design.endpoint_type), url.value_for(design.endpoint_type)
        if e.header_bytes > h:
            out.append(_finding("error", e, "header_size", f"{e.header_bytes:,} bytes of headers is over the "
                                f"{h:,}-byte limit for {design.endpoint_type} APIs", header,
                                "Move large tokens or metadata into the body, or shorten them.", value=h))
        if e.url_length > u:
            out.append(_finding("error", e, "url_length", f"URLs of {e.url_length:,} characters are over the "
                                f"{u:,}-character limit for {design.endpoint_type} APIs", url,
                                "Send long parameters in a POST body instead of the query string.", value=u))
    return out


def _caching(design: Design) -> list[Finding]:
    out = []
    ttl, size, per_stage = limit("cache_ttl_max"), limit("cached_response_size"), limit("caching_per_stage")
    for e in design.endpoints:
        if e.cached and e.cache.ttl > ttl.value:
            out.append(_finding("error", e, "cache_ttl_max", f"cache TTL {e.cache.ttl:,} s is over the {ttl.value:,} s "
                                "maximum (not raisable)", ttl, "Use a TTL of at most 3600 s; for longer reuse put "
                                "CloudFront (with its own TTLs) in front of a Regional API."))
        if e.cached and e.response_bytes > size.value:
            out.append(_finding("warning", e, "cached_response_size", f"responses of {_mb(e.response_bytes)} are "
                                "larger than the 1 MB the cache stores: they will always reach the backend", size,
                                "Make responses smaller (pagination, sparse fields) or cache them in CloudFront."))
        if e.method == "GET" and e.cache.cacheable and (design.cache_size is None or not e.cached) and e.rate > 0:
            out.append(_finding("advice", e, "cacheable_not_cached", f"cacheable GET at {e.rate:,.0f} req/s without "
                                "the stage cache", per_stage,
                                "Turn on a stage cache (see cost() for the break-even) with a TTL the data can "
                                "tolerate, and mark the query/path parameters that identify a response as cache keys."))
        if e.cached and e.method != "GET":
            out.append(_finding("warning", e, "cache_non_get", f"caching wished for {e.method}; API Gateway caches "
                                "only GET by default", per_stage, "Keep caching to GETs (AWS recommends not changing the "
                                "default); make the read a GET."))
    return out


def _regions(design: Design) -> list[Finding]:
    if not design.callers or design.endpoint_type != "REGIONAL":
        return []
    lim = limit("endpoint_type_audience")
    far = _far_callers(design)
    if far is None:
        return []
    share, detail = far
    if share <= FAR_SHARE:
        return []
    return [_finding("advice", None, "far_callers", f"{share:.0%} of requests come from far from {design.api_region} "
                     f"to a REGIONAL endpoint ({detail})", lim,
                     "Use an edge-optimized endpoint, or put your own CloudFront distribution in front of the Regional "
                     "API (and cache there); for writes from far away consider a second Regional deployment with "
                     "latency-based routing.", value=f"> {FAR_SHARE:.0%} of requests faster through EDGE")]


FAR_GAIN_MS = 20  # a caller counts as far when EDGE would answer at least this much faster


def _far_callers(design: Design) -> tuple[float, str] | None:
    """The share of requests for which an edge-optimized endpoint would answer clearly faster
    (by FAR_GAIN_MS or more), and a description.

    Uses the endpoint latency model (labkit.design.endpoints.edge_vs_regional, warm connections) when it
    knows every Region; otherwise a great-circle rule: callers beyond FAR_KM count as far."""
    try:
        from .endpoints import edge_vs_regional

        table = edge_vs_regional({r: max(0, round(s * 1000)) for r, s in design.callers.items()} or {},
                                 design.api_region)
        share, parts = 0.0, []
        for row in table.rows:
            if row.better == "EDGE" and row.regional_ms - row.edge_ms >= FAR_GAIN_MS:
                s = design.callers[row.client_region]
                share += s
                parts.append(f"{row.client_region} {s:.0%}: REGIONAL ~{row.regional_ms:,.0f} ms vs EDGE "
                             f"~{row.edge_ms:,.0f} ms per request")
        return share, "; ".join(parts)
    except (ImportError, ValueError, KeyError):
        pass
    share, parts = 0.0, []
    for region, s in design.callers.items():
        km = distance_km(region, design.api_region)
        if km is not None and km > FAR_KM:
            share += s
            parts.append(f"{region} {s:.0%}, ~{km:,.0f} km, ~{km / FIBRE_KM_PER_MS:,.0f} ms RTT")
    return share, "; ".join(parts)


PERIOD_SECONDS = {"DAY": 86_400, "WEEK": 7 * 86_400, "MONTH": 730 * 3600}  # a MONTH is 730 hours, as cost() prices it

RULES = (_payloads, _timeouts, _account, _stage_and_tiers, _stage_name, _quotas, _request_sizes, _caching, _regions)


def check(design: Any) -> list[Finding]:
    """Every finding for `design` (a Design, dict, YAML path or shipped design name), errors first."""
    design = load_design(design)
    findings = [f for rule in RULES for f in rule(design)]
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))
