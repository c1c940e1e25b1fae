"""Self-checks for the exercises of 09_logging_monitoring_tracing.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/09_logging_monitoring_tracing.md).
"""

from __future__ import annotations

import json
from typing import Any

from ..gateway.observe import validate_access_log_format
from .checks import not_yet, ok
from .reveal import Hints

__all__ = [
    "LATENCY_VARIABLES",
    "access_log_lines",
    "check_throttled_requests",
    "check_latency_format",
    "check_search_metrics",
    "HINTS",
    "hint",
    "solution",
]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("09_logging_monitoring_tracing")
hint = HINTS.hint
solution = HINTS.solution

# Exercise 2: what a latency-minded access log must record.
LATENCY_VARIABLES = ("$context.requestId", "$context.status", "$context.responseLatency",
                     "$context.integrationLatency")


def access_log_lines(lab: Any, group: str) -> list[dict[str, Any]]:
    """Every JSON line of an access-log group, oldest first (lines that are not JSON are skipped)."""
    logs = lab.client("logs")
    lines, kwargs = [], {}
    while True:
        page = logs.filter_log_events(logGroupName=group, **kwargs)
        for event in page.get("events", []):
            try:
                lines.append(json.loads(event["message"]))
            except ValueError:
                continue
        token = page.get("nextToken")
        if not token or token == kwargs.get("nextToken"):
            return lines
        kwargs["nextToken"] = token


# --- exercise 1: who was throttled? ---------------------------------------------------------------------

def check_throttled_requests(lab: Any, group: Any, request_ids: Any) -> bool:
    """`request_ids`: the requestId of every line with status 429 in the access-log group `group`."""
    if not isinstance(group, str) or not group:
        return not_yet("pass the name of the dev stage's access-log group (a string).")
    if request_ids is None:
        return not_yet("read the lines of the log group (filter_log_events), json.loads each message and "
                       "keep the requestId of the lines whose status is 429.")
    if isinstance(request_ids, str):
        request_ids = [request_ids]
    try:
        given = {str(x) for x in request_ids}
    except TypeError:
        return not_yet("give a list (or set) of requestId strings.")
    try:
        lines = access_log_lines(lab, group)
    except Exception as err:  # noqa: BLE001 - a failed read is a hint, not a crash
        return not_yet(f"reading log group {group!r} failed ({type(err).__name__}: {err}).")
    throttled = {x.get("requestId") for x in lines if str(x.get("status")) == "429"}
    if not throttled:
        return not_yet(f"log group {group!r} has no line with status 429; is it the dev stage's group?")
    if not given:
        return not_yet("your list is empty. In the JSON line the status is a string (\"429\"), so compare "
                       "x['status'] == '429', not == 429.")
    others = {x.get("requestId"): str(x.get("status")) for x in lines if x.get("requestId") in given - throttled}
    if others:
        statuses = sorted(set(others.values()))
        return not_yet(f"{len(others)} of your ids belong to requests answered {', '.join(statuses)}: keep "
                       "only status 429 (a 403 is not a throttle).")
    unknown = given - throttled
    if unknown:
        return not_yet(f"{len(unknown)} of your ids are in no line of {group!r}: copy the requestId field.")
    missing = throttled - given
    if missing:
        return not_yet(f"you found {len(given)} of the {len(throttled)} throttled requests; read every line "
                       "of the group (all its streams, every page).")
    return ok(f"{len(throttled)} requests were throttled (429): the stage's method throttle refused them. "
              "An access log answers 'who got what' without any execution log.")


# --- exercise 2: a latency format -------------------------------------------------------------------------

def check_latency_format(lab: Any, api_id: Any, stage: str = "prod") -> bool:
    """The stage's access-log format is valid, comma-separated, and records the four LATENCY_VARIABLES."""
    if not isinstance(api_id, str) or not api_id:
        return not_yet("pass the id of the API (api.id).")
    try:
        settings = lab.client("apigateway").get_stage(restApiId=api_id, stageName=stage).get("accessLogSettings") or {}
    except Exception as err:  # noqa: BLE001
        return not_yet(f"reading stage {stage!r} failed ({type(err).__name__}: {err}).")
    template = settings.get("format") or ""
    if not settings.get("destinationArn"):
        return not_yet(f"stage {stage!r} has no access-log destination: keep /accessLogSettings/destinationArn "
                       "pointing at its log group.")
    try:
        validate_access_log_format(template)
    except ValueError as err:
        return not_yet(f"AWS would refuse that format: {err}.")
    if template.lstrip().startswith("{"):
        return not_yet("that is still the JSON format; write a CSV one: the variables separated by commas.")
    fields = [f.strip() for f in template.strip().split(",")]
    missing = [v for v in LATENCY_VARIABLES if v not in fields]
    if missing:
        return not_yet(f"the format should record {', '.join(missing)} as comma-separated fields "
                       f"(yours: {template!r}).")
    bad = [f for f in fields if f and not f.startswith("$context.")]
    if bad:
        return not_yet(f"only $context variables are allowed in an access log; remove {', '.join(bad)}.")
    return ok(f"stage {stage} now logs {len(fields)} comma-separated fields, latencies included "
              "(responseLatency is what the caller waited; integrationLatency the backend's share).")


# --- exercise 3: detailed metrics for one method -----------------------------------------------------------

def _method_key(key: str) -> str:
    """'~1search/GET' (as stored) and '/search/GET' both become 'search/GET'."""
    return key.replace("~1", "/").lstrip("/")


def check_search_metrics(lab: Any, api_id: Any, stage: str = "beta") -> bool:
    """Detailed CloudWatch metrics on for GET /search of `stage` only (not for every method)."""
    if not isinstance(api_id, str) or not api_id:
        return not_yet("pass the id of the API (api.id).")
    try:
        settings = lab.client("apigateway").get_stage(restApiId=api_id, stageName=stage).get("methodSettings") or {}
    except Exception as err:  # noqa: BLE001
        return not_yet(f"reading stage {stage!r} failed ({type(err).__name__}: {err}).")
    enabled = {_method_key(k) for k, v in settings.items() if v.get("metricsEnabled")}
    if "*/*" in enabled:
        return not_yet(f"detailed metrics are on for every method of {stage} (*/*); turn them on for GET /search "
                       "only, and off for */*: each method's metrics are billed.")
    if "search/GET" not in enabled:
        return not_yet(f"GET /search of {stage} has no detailed metrics yet. The patch path names the resource "
                       "with '/' escaped as '~1': /~1search/GET/metrics/enabled.")
    extra = sorted(enabled - {"search/GET"})
    if extra:
        return not_yet(f"detailed metrics are also on for {', '.join(extra)}; only GET /search was asked for.")
    return ok(f"only GET /search of {stage} publishes the ApiName+Method+Resource+Stage metrics; the rest of "
              "the stage stays at the free ApiName and ApiName+Stage level.")
