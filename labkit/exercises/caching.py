"""Self-checks for the exercises of 06_caching.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/06_caching.md).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..gateway import VirtualClock
from ..sim.caching import CacheScenario, run_cache
from .checks import not_yet, ok
from .reveal import Hints

__all__ = [
    "PREDICT_TTL",
    "PREDICT_TIMES",
    "backend_calls_for",
    "check_backend_calls",
    "check_cache_key",
    "TTL_SCENARIO",
    "TTL_MIN_HIT_RATIO",
    "TTL_MAX_STALE_RATIO",
    "check_ttl",
    "HINTS",
    "hint",
    "solution",
]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("06_caching")
hint = HINTS.hint
solution = HINTS.solution

# Exercise 1: one URL on a stage whose TTL is 60 s; GET at these seconds (virtual time).
PREDICT_TTL = 60
PREDICT_TIMES = (0, 10, 30, 70, 75, 140, 150)

# Exercise 2: GET /reports?region=…&format=… must be cached per region AND per format.
REPORTS_PATH = "/reports"
REPORT_KEYS = ("method.request.querystring.region", "method.request.querystring.format")

# Exercise 3: the workload and the freshness budget (see TTL_SCENARIO below).
TTL_MIN_HIT_RATIO = 0.75
TTL_MAX_STALE_RATIO = 0.03


def backend_calls_for(times: tuple[float, ...] = PREDICT_TIMES, ttl: float = PREDICT_TTL) -> int:
    """How many of the GETs at `times` reach the backend: an entry lives `ttl` seconds from when it was
    stored; a hit does not extend it (the gateway's rule, `expires <= now` is expired)."""
    calls, expires = 0, None
    for t in sorted(times):
        if expires is None or expires <= t:
            calls, expires = calls + 1, t + ttl
    return calls


# --- exercise 1: predict the backend calls ---------------------------------------------------------------

def check_backend_calls(calls: Any) -> bool:
    """GETs of one URL at 0, 10, 30, 70, 75, 140 and 150 s on a stage with TTL 60 s: 3 reach the backend."""
    if calls is None:
        return not_yet(f"fill in how many of the {len(PREDICT_TIMES)} requests reach the backend (the rest are "
                       "cache hits).")
    try:
        calls = int(calls)
    except (TypeError, ValueError):
        return not_yet("the answer is a whole number of backend calls.")
    expected = backend_calls_for()
    if calls == expected:
        return ok(f"{expected} misses (at 0, 70 and 140 s), {len(PREDICT_TIMES) - expected} hits: an entry lives "
                  f"{PREDICT_TTL} s from when the backend's answer was stored, whatever happens in between.")
    sliding = _sliding_calls()
    if calls == len(PREDICT_TIMES):
        return not_yet("a GET on a stage with caching on is served from the cache while the entry is alive; "
                       "not every request reaches the backend.")
    if calls == sliding:
        return not_yet("a hit does not extend the entry's life: the TTL counts from the moment the backend's "
                       "answer was stored, not from the last time it was read.")
    if calls == 1:
        return not_yet("the first answer does not live forever: it expires TTL seconds after it was stored.")
    return not_yet(f"{calls}? Walk the timeline: a miss stores the answer until t + {PREDICT_TTL}; every request "
                   "before then is a hit, the first one after it is a miss again.")


def _sliding_calls() -> int:
    calls, expires = 0, None
    for t in PREDICT_TIMES:
        if expires is None or expires <= t:
            calls += 1
        expires = t + PREDICT_TTL
    return calls


# --- exercise 2: fix the cache key ----------------------------------------------------------------------

def check_cache_key(lab: Any, api_id: Any, stage: str = "dev") -> bool:
    """GET /reports is keyed on region and format: on a fresh virtual gateway, a new format is a miss,
    a new region is a miss, and the same query again is a hit."""
    if not isinstance(api_id, str) or not api_id:
        return not_yet("pass the id of the API (a string such as api.id).")
    client = lab.client("apigateway")
    try:
        resources = {r["path"]: r for r in client.get_resources(restApiId=api_id, limit=500)["items"]}
    except Exception as err:  # noqa: BLE001 - a failed call is a hint, not a crash
        return not_yet(f"reading the API's resources failed ({type(err).__name__}: {err}).")
    if REPORTS_PATH not in resources:
        return not_yet(f"the API has no {REPORTS_PATH} resource; run the exercise's set-up cell first.")
    try:
        integration = client.get_integration(restApiId=api_id, resourceId=resources[REPORTS_PATH]["id"],
                                             httpMethod="GET")
    except Exception as err:  # noqa: BLE001
        return not_yet(f"GET {REPORTS_PATH} has no integration ({type(err).__name__}).")
    keys = set(integration.get("cacheKeyParameters") or [])
    missing = [k for k in REPORT_KEYS if k not in keys]
    if missing:
        return not_yet(f"the integration's cacheKeyParameters lack {', '.join(missing)}: put_integration again "
                       "with both query strings in the list (each is declared on the method already).")

    gateway = lab.gateway(clock=VirtualClock())
    url = lab.stage_url(api_id, stage) + REPORTS_PATH

    def cache_status(query: str) -> str:
        response = gateway.invoke("GET", f"{url}?{query}")
        return response.headers.get("x-labkit-cache") or f"no cache ({response.status_code})"

    seen = [cache_status(q) for q in ("region=eu&format=csv", "region=eu&format=json", "region=us&format=csv",
                                      "region=eu&format=csv")]
    if seen[0] != "MISS" or seen[3] != "HIT":
        return not_yet(f"the stage does not cache GET {REPORTS_PATH} any more (saw {seen}): keep the stage's "
                       "cache cluster on and the TTL above 0.")
    if seen[1] == "HIT":
        return not_yet("the integration lists both keys, but the stage still serves csv to a json request: the "
                       f"stage runs its deployment, so deploy the API to {stage!r} again.")
    if seen[2] == "HIT":
        return not_yet("a different region got the cached answer: keep region in the key as well.")
    return ok("region=eu&format=json was a miss (its own entry), region=us a miss, and the repeated eu/csv a hit: "
              "one entry per region and format.")


# --- exercise 3: choose a TTL ------------------------------------------------------------------------------

def _ttl_scenario() -> Any:
    # 20 requests/s over 500 items (Zipf 1.1); each item's data changes about once every 1000 s.
    return CacheScenario(duration=600, request_rate=20, keys=500, zipf_s=1.1, change_rate=0.001, seed=1)


TTL_SCENARIO = _ttl_scenario()


def check_ttl(lab: Any, ttl: Any) -> bool:
    """A TTL under which TTL_SCENARIO has a steady-state hit ratio of at least 75 % and at most 3 % stale reads."""
    if ttl is None:
        return not_yet(f"set `ttl` to a whole number of seconds (0-3600) with at least {TTL_MIN_HIT_RATIO:.0%} hits "
                       f"and at most {TTL_MAX_STALE_RATIO:.0%} stale reads.")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= 3600:
        return not_yet(f"the TTL is a whole number of seconds from 0 to 3600 (AWS's range), got {ttl!r}.")
    summary = run_cache(dataclasses.replace(TTL_SCENARIO, ttl=ttl), lab).summary
    hit, stale = summary.steady_hit_ratio, summary.stale_ratio
    numbers = f"TTL {ttl} s: hit ratio {hit:.1%} (steady state), stale reads {stale:.1%}"
    if hit < TTL_MIN_HIT_RATIO and stale > TTL_MAX_STALE_RATIO:
        return not_yet(f"{numbers}. Both miss the target: this workload has no TTL with both; check "
                       "TTL_SCENARIO is unchanged.")
    if hit < TTL_MIN_HIT_RATIO:
        return not_yet(f"{numbers}. Too few hits: a longer TTL keeps each entry longer.")
    if stale > TTL_MAX_STALE_RATIO:
        return not_yet(f"{numbers}. Too many stale reads: a shorter TTL refetches changed data sooner.")
    return ok(f"{numbers}. Both targets met: the TTL trades hits against freshness, and this one buys enough "
              "of each.")
