"""Self-checks for the exercises of 05_throttling_and_usage_plans.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/05_throttling_and_usage_plans.md).
"""

from __future__ import annotations

from typing import Any

from ..gateway import VirtualClock
from ..sim import Client, OnOff, Scenario, run
from .checks import not_yet, ok
from .reveal import Hints

__all__ = [
    "BUCKET_RATE",
    "BUCKET_BURST",
    "check_bucket_prediction",
    "check_team_plan",
    "check_retry_policy",
    "spike_scenario",
    "HINTS",
    "hint",
    "solution",
]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("05_throttling_and_usage_plans")
hint = HINTS.hint
solution = HINTS.solution

# Exercise 1: the stage of the notebook's first section (rate 1 request/s, burst 10).
BUCKET_RATE = 1.0
BUCKET_BURST = 10
FIRST_BURST, WAIT_SECONDS, SECOND_BURST = 30, 4.0, 10

# Exercise 2: the `team` usage plan.
TEAM_RATE, TEAM_BURST, TEAM_QUOTA, TEAM_PERIOD = 3.0, 6, 1000, "WEEK"

# Exercise 3: the spike of section 6, and what a polite client must achieve on it.
MAX_ATTEMPTS = 8


# --- exercise 1: predict the bucket ---------------------------------------------------------------------

def check_bucket_prediction(first: Any, second: Any) -> bool:
    """30 requests at once on a full bucket (rate 1/s, burst 10), then 4 s of quiet, then 10 more at once:
    10 and then 4 are accepted."""
    if first is None or second is None:
        return not_yet("fill in how many of the first 30 requests are accepted, and how many of the 10 sent "
                       "4 seconds later.")
    try:
        first, second = int(first), int(second)
    except (TypeError, ValueError):
        return not_yet("both answers should be whole numbers of requests.")
    expected_second = min(BUCKET_BURST, int(BUCKET_RATE * WAIT_SECONDS))
    if first != BUCKET_BURST:
        if first == FIRST_BURST:
            return not_yet("not all 30 get through: a full bucket holds `burst` tokens, one per request.")
        return not_yet(f"{first} for the first burst? The bucket starts full, and it holds burstLimit tokens; "
                       "requests sent at once find no time to refill it.")
    if second != expected_second:
        if second == BUCKET_BURST:
            return not_yet("the bucket does not fill up again in 4 seconds: it refills at rateLimit tokens "
                           "per second.")
        if second == 0:
            return not_yet("the bucket is empty after the first burst, but it refills while you wait: "
                           "rateLimit tokens per second.")
        return not_yet(f"{second} for the second burst? Count the tokens that came back in 4 seconds at "
                       "rateLimit per second (the bucket never holds more than burstLimit).")
    return ok(f"{BUCKET_BURST} at once (the burst), then {expected_second}: {WAIT_SECONDS:g} s at "
              f"{BUCKET_RATE:g} token/s. The bucket's size is the burst, its refill rate the rate.")


# --- exercise 2: a team tier --------------------------------------------------------------------------

def _keys_by_value(client: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("get_api_keys").paginate(includeValues=True):
        for key in page.get("items", []):
            if key.get("value"):
                found[key["value"]] = key
    return found


def _plans_with_key(client: Any, key_id: str) -> list[dict[str, Any]]:
    plans = []
    for page in client.get_paginator("get_usage_plans").paginate():
        for plan in page.get("items", []):
            ids = [k["id"] for p in client.get_paginator("get_usage_plan_keys").paginate(usagePlanId=plan["id"])
                   for k in p.get("items", [])]
            if key_id in ids:
                plans.append(plan)
    return plans


def check_team_plan(lab: Any, api_id: Any, key_value: Any, stage: str = "prod", path: str = "/pets") -> bool:
    """A key `key_value`, enabled, in a usage plan for `api_id`/`stage` with throttle 3/s burst 6 and a
    quota of 1000 a WEEK; a burst of 10 with it on a fresh virtual gateway gets 6 answers 200."""
    if not isinstance(api_id, str) or not api_id:
        return not_yet("pass the id of the keys API (keys_api.id).")
    if not isinstance(key_value, str) or not key_value:
        return not_yet("pass the value of your new API key (the 'value' field create_api_key returns).")
    client = lab.client("apigateway")
    try:
        key = _keys_by_value(client).get(key_value)
        if key is None:
            return not_yet("no API key has that value. Create one with create_api_key(name='team-key', "
                           "enabled=True) and pass its 'value'.")
        if not key.get("enabled"):
            return not_yet("the key exists but is disabled: create it with enabled=True (or enable it with "
                           "update_api_key).")
        plans = _plans_with_key(client, key["id"])
    except Exception as err:  # noqa: BLE001 - a failed call is a hint, not a crash
        return not_yet(f"reading the API keys and usage plans failed ({type(err).__name__}: {err}).")
    if not plans:
        return not_yet("the key is in no usage plan yet. Add it with create_usage_plan_key(usagePlanId=..., "
                       "keyId=..., keyType='API_KEY').")
    plan = next((p for p in plans if any(s.get("apiId") == api_id and s.get("stage") == stage
                                         for s in p.get("apiStages") or [])), None)
    if plan is None:
        return not_yet(f"the key's usage plan does not cover stage {stage} of this API: give the plan "
                       f"apiStages=[{{'apiId': keys_api.id, 'stage': '{stage}'}}].")
    throttle = plan.get("throttle") or {}
    if (throttle.get("rateLimit"), throttle.get("burstLimit")) != (TEAM_RATE, TEAM_BURST):  # == compares 3 and 3.0
        return not_yet(f"the plan's throttle is {throttle or 'not set'}; the team tier needs "
                       f"{{'rateLimit': {TEAM_RATE:g}, 'burstLimit': {TEAM_BURST}}}.")
    quota = plan.get("quota") or {}
    if (quota.get("limit"), quota.get("period")) != (TEAM_QUOTA, TEAM_PERIOD):
        return not_yet(f"the plan's quota is {quota or 'not set'}; the team tier needs "
                       f"{{'limit': {TEAM_QUOTA}, 'period': '{TEAM_PERIOD}'}}.")
    gateway = lab.gateway(clock=VirtualClock())
    url = lab.stage_url(api_id, stage) + path
    statuses = [gateway.invoke("GET", url, headers={"x-api-key": key_value}).status_code for _ in range(10)]
    if statuses.count(200) != TEAM_BURST:
        return not_yet(f"the plan looks right, but 10 requests at once with the key got {statuses.count(200)} "
                       f"answers 200 (statuses {sorted(set(statuses))}); expected {TEAM_BURST}. Is the method "
                       "deployed with apiKeyRequired, and is there no tighter stage throttle?")
    return ok(f"the team key gets its own bucket: {TEAM_BURST} of 10 requests at once pass (burst "
              f"{TEAM_BURST}), then {TEAM_RATE:g}/s; {TEAM_QUOTA} requests a {TEAM_PERIOD.lower()}.")


# --- exercise 3: a polite client --------------------------------------------------------------------------

def spike_scenario(retry: Any, clients: int = 20) -> Any:
    """Section 6's spike: `clients` callers send about 200 requests in the first second of 30, against a
    stage limited to 10 requests/s with a burst of 10; every caller uses `retry`."""
    return Scenario(clients=[Client(f"client-{i + 1:02d}", OnOff(rate_on=200 / clients, on_seconds=1.0,
                                                                  off_seconds=29.0), retry=retry)
                             for i in range(clients)],
                    duration=30.0, stage_rate=10.0, stage_burst=10, seed=0)


def check_retry_policy(lab: Any, policy: Any) -> bool:
    """A retry policy of at most 8 attempts under which every request of the spike is accepted in the end."""
    if policy is None:
        return not_yet("set `policy` to a retry policy: NoRetry(), FixedRetry(...) or ExponentialBackoff(...).")
    if not callable(getattr(policy, "delay", None)):
        return not_yet(f"{policy!r} is not a retry policy; use FixedRetry(...) or ExponentialBackoff(...) "
                       "from labkit.sim.")
    attempts = getattr(policy, "max_attempts", None)
    if not isinstance(attempts, int) or attempts > MAX_ATTEMPTS:
        return not_yet(f"at most {MAX_ATTEMPTS} attempts per request (max_attempts={attempts!r}): a client that "
                       "never gives up only moves the problem.")
    try:
        result = run(spike_scenario(policy), lab)
    except ValueError as err:
        return not_yet(f"the simulation refused the policy: {err}")
    summary = result.summary
    gave_up = sum(c.gave_up for c in summary.per_client.values())
    if gave_up:
        jitter = getattr(policy, "jitter", None)
        if attempts == 1:
            tip = "A policy with one attempt never retries."
        elif jitter is None:
            tip = ("Fixed delays keep the clients in step: their retries arrive together and meet an empty "
                   "bucket again. Try exponential backoff with jitter.")
        elif jitter == "none":
            tip = "Without jitter the clients still retry in step. Use jitter='full'."
        else:
            tip = ("The waits are too short to spread about 200 requests over the 20 s the stage needs at "
                   "10/s: raise base or cap.")
        return not_yet(f"{gave_up} of {summary.offered} requests gave up after {attempts} attempt(s) "
                       f"({summary.accepted} accepted, {summary.throttled} throttled attempts). {tip}")
    return ok(f"all {summary.offered} requests accepted in the end, with {summary.attempts} attempts in all "
              f"({summary.throttled} throttled); p95 completion {summary.completion_p95:.1f} s.")
