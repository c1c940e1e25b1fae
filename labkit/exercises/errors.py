"""Self-checks for the exercises of 07_errors_and_limits.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/07_errors_and_limits.md).
"""

from __future__ import annotations

import json
from typing import Any

from ..gateway.clock import VirtualClock
from ..widgets.errors import latency_vs_timeout
from .checks import not_yet, ok
from .reveal import Hints

__all__ = ["PREDICTIONS", "check_status_predictions", "check_throttled_response", "check_report_timeout",
           "HINTS", "hint", "solution"]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("07_errors_and_limits")
hint = HINTS.hint
solution = HINTS.solution

# Exercise 1: what API Gateway answers for each request (reference section 4).
PREDICTIONS = {
    "wrong_method": (403, "a method the resource does not have is answered like an unknown path: 403 "
                          "Missing Authentication Token (REST APIs have no 404/405 of their own)."),
    "extra_key": (502, "a proxy output with a key other than statusCode, headers, multiValueHeaders, body and "
                       "isBase64Encoded is malformed: 502."),
    "eleven_mb": (413, "the payload quota is 10 MB and cannot be raised: 413."),
    "backend_404": (404, "an HTTP_PROXY integration passes the backend's status through unchanged."),
    "no_default_mapping": (500, "no integration response matched and none is the default: a configuration "
                                "error, 500."),
}

# Exercise 2: the customised THROTTLED response.
RETRY_AFTER = "1"
SLOW_DOWN = "slow down"

# Exercise 3: the report endpoint's backend takes up to 8 s; callers give up after 10 s.
REPORT_MAX_LATENCY_MS, CALLER_PATIENCE_MS = 8_000, 10_000


def check_status_predictions(answers: Any) -> bool:
    """`answers` maps each key of PREDICTIONS to the status code the learner predicts."""
    if not isinstance(answers, dict) or any(answers.get(k) is None for k in PREDICTIONS):
        return not_yet(f"fill in a status code for each of {', '.join(PREDICTIONS)}.")
    wrong = []
    for key, (status, why) in PREDICTIONS.items():
        try:
            given = int(answers[key])
        except (TypeError, ValueError):
            return not_yet(f"{key}: the answer should be a status code such as 403, got {answers[key]!r}.")
        if given != status:
            wrong.append(f"{key} is not {given}")
    if wrong:
        first = next(k for k, (s, _) in PREDICTIONS.items() if int(answers[k]) != s)
        hint = {"wrong_method": "what does a REST API answer when no method matches?",
                "extra_key": "is {'statusCode': 200, 'result': 1} a valid Lambda proxy output?",
                "eleven_mb": "which quota does an 11 MB body break?",
                "backend_404": "does a proxy integration change the backend's status?",
                "no_default_mapping": "who is at fault when no integration response matches: the caller, "
                                      "the backend or the API's configuration?"}[first]
        return not_yet(f"{len(wrong)} of {len(PREDICTIONS)} are off ({'; '.join(wrong)}). {hint}")
    return ok("all five right: " + " ".join(f"{k}={s}" for k, (s, _) in PREDICTIONS.items()))


def check_throttled_response(lab: Any, api_id: Any, stage: str = "dev", path: str = "/limited") -> bool:
    """A throttled request to `path` answers 429 with `Retry-After: 1` and the body
    {"error": "slow down", "requestId": <the request id>} (a customised THROTTLED gateway response,
    deployed). Checked on a fresh virtual gateway: the second of two requests at once is throttled."""
    if not isinstance(api_id, str) or not api_id:
        return not_yet("pass the id of the errors API (errors_api.id).")
    try:
        gateway = lab.gateway(clock=VirtualClock(), seed=0)
        url = lab.stage_url(api_id, stage) + path
        gateway.invoke("GET", url)
        r = gateway.invoke("GET", url)
    except Exception as err:  # noqa: BLE001 - a failed call is a hint, not a crash
        return not_yet(f"calling GET {path} failed ({type(err).__name__}: {err}).")
    if r.status_code != 429:
        return not_yet(f"the second of two requests at once answered {r.status_code}, not 429: keep the "
                       "THROTTLED status (leave statusCode out, or '429').")
    if r.headers.get("Retry-After") != RETRY_AFTER:
        return not_yet("no Retry-After: 1 header yet. Add responseParameters="
                       "{'gatewayresponse.header.Retry-After': \"'1'\"} (note the single quotes: a static "
                       "value), then deploy the API again.")
    try:
        body = json.loads(r.body)
    except ValueError:
        return not_yet(f"the body is not JSON: {r.body[:120]!r}. Check the template's quotes and commas.")
    if not isinstance(body, dict) or body.get("error") != SLOW_DOWN:
        return not_yet(f'the body is {body!r}; the template should give {{"error": "slow down", ...}}.')
    if body.get("requestId") != r.headers.get("x-amzn-RequestId"):
        return not_yet('add "requestId": "$context.requestId" to the template, so a caller can quote it '
                       "to support.")
    return ok("429 with Retry-After: 1 and a body that names the request id. Callers that honour "
              "Retry-After back off without guessing.")


def check_report_timeout(timeout_ms: Any) -> bool:
    """A timeoutInMillis for a backend that takes up to 8 s, whose callers give up after 10 s: the
    slowest report must get through (>= 8000) and the gateway must answer before the caller leaves
    (<= 10000). Checked by sweeping latencies on the virtual clock."""
    if timeout_ms is None:
        return not_yet("set timeout_ms to the timeoutInMillis you would choose (a whole number of ms).")
    if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int):
        return not_yet(f"timeoutInMillis is a whole number of milliseconds, got {timeout_ms!r}.")
    if not 50 <= timeout_ms <= 29_000:
        return not_yet(f"API Gateway accepts 50 to 29,000 ms (more only by a quota increase, for Regional "
                       f"and private APIs), got {timeout_ms:,}.")
    _, statuses = latency_vs_timeout(timeout_ms, [REPORT_MAX_LATENCY_MS, CALLER_PATIENCE_MS + 1])
    if statuses[0] != 200:
        return not_yet(f"with {timeout_ms:,} ms the slowest report ({REPORT_MAX_LATENCY_MS:,} ms) answers "
                       f"{statuses[0]}: the timeout must cover the backend's worst case.")
    if timeout_ms > CALLER_PATIENCE_MS:
        return not_yet(f"with {timeout_ms:,} ms the caller (who waits {CALLER_PATIENCE_MS:,} ms) may give up "
                       "before API Gateway answers 504: keep the timeout within the caller's patience.")
    return ok(f"{timeout_ms:,} ms: the slowest report gets through and a stuck backend is answered with 504 "
              "before the caller gives up.")
