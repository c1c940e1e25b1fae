"""Self-checks for the exercises of 03_stages_canaries_and_versioning.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/03_stages_canaries_and_versioning.md).
"""

from __future__ import annotations

from typing import Any

from ..gateway.clock import VirtualClock
from .checks import is_api_id, not_yet, ok, stage_get
from .reveal import Hints

__all__ = ["SAMPLE", "VERSIONING_CHOICES", "canary_share", "check_canary_at", "check_rolled_back",
           "check_versioning_choices", "HINTS", "hint", "solution"]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("03_stages_canaries_and_versioning")
hint = HINTS.hint
solution = HINTS.solution

SAMPLE = 400  # requests a check sends: enough to tell 25 % from 10 % or 50 %
STAGE = "prod"
STRATEGIES = ("stage", "base path", "header")

# Exercise 3: scenario -> (strategy, why). Trade-offs: section 3 of the notebook.
VERSIONING_CHOICES = {
    "internal_tool": ("stage", "one API, no domain to buy or certify: a v1 and a v2 stage on the execute-api URL, "
                               "each with its own throttling and cache, is the least set-up."),
    "partner_links": ("base path", "your own domain keeps every version's URL stable even if an API is rebuilt, and "
                                   "each version can be a separate API with its own release cycle."),
    "one_url_app": ("header", "the URL must not change, so the version travels in a header (a routing rule on the "
                              "domain, or the integration reading it); add the header to the cache key."),
}
_VERSIONING_HINTS = {
    "internal_tool": "which strategy needs nothing beyond the API itself?",
    "partner_links": "which strategy gives every version a stable link on your own name, and lets it be its own API?",
    "one_url_app": "if the URL cannot change, where can the version go?",
}


def canary_share(lab: Any, api_id: str, stage: str = STAGE, path: str = "/version", requests: int = SAMPLE,
                 seed: int = 3) -> tuple[int, int]:
    """(requests the canary deployment answered, requests sent): `requests` GETs through a seeded
    gateway on a virtual clock, each told apart by the trace the gateway keeps of it."""
    gateway = lab.gateway(clock=VirtualClock(), seed=seed)
    url = lab.stage_url(api_id, stage) + path
    canary = sum(gateway.invoke("GET", url).trace.has("canary") for _ in range(requests))
    return canary, requests


def _stage(lab: Any, api_id: Any, stage: str) -> dict[str, Any] | None:
    try:
        return lab.client("apigateway").get_stage(restApiId=api_id, stageName=stage)
    except Exception:  # noqa: BLE001 - a missing stage is a hint, not a crash
        return None


def check_canary_at(lab: Any, api_id: Any, percent: float = 25.0, stage: str = STAGE) -> bool:
    """The stage's canary takes `percent` % of the traffic: the setting, and about that share of requests."""
    if not is_api_id(api_id):
        return not_yet("pass the API's id (release.id).")
    found = _stage(lab, api_id, stage)
    if found is None:
        return not_yet(f"the API has no stage {stage!r}: deploy it first.")
    canary = found.get("canarySettings")
    if not canary:
        return not_yet("the stage has no canary: create_deployment(..., stageName='prod', canarySettings={...}) "
                       "makes one.")
    setting = float(canary.get("percentTraffic") or 0.0)
    if abs(setting - percent) > 1e-9:
        return not_yet(f"percentTraffic is {setting:g}; set it to {percent:g} with update_stage, patch path "
                       "/canarySettings/percentTraffic.")
    answered, sent = canary_share(lab, api_id, stage)
    share = 100.0 * answered / sent
    if abs(share - percent) > 7.0:
        return not_yet(f"the canary answered {share:.0f} % of {sent} requests, far from {percent:g} %: did the "
                       "deployment change after you set the canary?")
    return ok(f"percentTraffic {setting:g}: the canary answered {answered} of {sent} requests ({share:.0f} %).")


def check_rolled_back(lab: Any, api_id: Any, good_deployment_id: Any, stage: str = STAGE, path: str = "/price") -> bool:
    """The stage was rolled back: it points at the earlier, good deployment again and answers 200."""
    if not is_api_id(api_id):
        return not_yet("pass the API's id (shop.id).")
    if not isinstance(good_deployment_id, str) or not good_deployment_id:
        return not_yet("pass the id of the good deployment (good['id']).")
    found = _stage(lab, api_id, stage)
    if found is None:
        return not_yet(f"the API has no stage {stage!r}.")
    status, _, _ = stage_get(lab, api_id, stage, path)
    current = found.get("deploymentId")
    if current != good_deployment_id and status == 200:
        return not_yet(f"{stage} answers again, but from deployment {current}, a new one: a rollback does not "
                       f"deploy, it points the stage at {good_deployment_id} (update_stage, patch path /deploymentId).")
    if current != good_deployment_id:
        return not_yet(f"{stage} still serves deployment {current} (GET {path} answers {status}): point it at "
                       f"{good_deployment_id} with update_stage, patch path /deploymentId.")
    if status != 200:
        return not_yet(f"{stage} points at {good_deployment_id} but GET {path} answers {status}.")
    return ok(f"{stage} serves deployment {good_deployment_id} again and GET {path} answers 200; the bad deployment "
              "is still in the history.")


def check_versioning_choices(choices: Any) -> bool:
    """`choices` maps each key of VERSIONING_CHOICES to "stage", "base path" or "header"."""
    if not isinstance(choices, dict) or any(choices.get(k) is None for k in VERSIONING_CHOICES):
        return not_yet(f"choose stage, base path or header for each of {', '.join(VERSIONING_CHOICES)}.")
    given = {k: " ".join(str(choices[k]).strip().lower().replace("_", " ").split()) for k in VERSIONING_CHOICES}
    unknown = [k for k, v in given.items() if v not in STRATEGIES]
    if unknown:
        return not_yet(f"{unknown[0]}: {choices[unknown[0]]!r} is not one of stage, base path, header.")
    wrong = [k for k, (right, _) in VERSIONING_CHOICES.items() if given[k] != right]
    if wrong:
        return not_yet(f"{len(wrong)} of {len(VERSIONING_CHOICES)} are off ({', '.join(wrong)}). "
                       f"{wrong[0]}: {_VERSIONING_HINTS[wrong[0]]}")
    return ok("all three right: " + ", ".join(f"{k} = {v}" for k, (v, _) in VERSIONING_CHOICES.items()) + ".")
