"""Self-checks for the exercises of 04_endpoint_types.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/04_endpoint_types.md).
"""

from __future__ import annotations

from typing import Any

from .checks import REQUEST_TIMEOUT_S, is_api_id, not_yet, ok
from .reveal import Hints

__all__ = ["ENDPOINT_CHOICES", "VPC_ENDPOINTS", "check_endpoint_choices", "check_v3_mapping",
           "check_private_endpoints", "HINTS", "hint", "solution"]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("04_endpoint_types")
hint = HINTS.hint
solution = HINTS.solution

DOMAIN = "api.example.com"
TYPES = ("EDGE", "REGIONAL", "PRIVATE")

# Exercise 1 (reference section 7).
ENDPOINT_CHOICES = {
    "mobile_app": ("EDGE", "callers all over the world, no CloudFront of your own: edge-optimized brings "
                           "them to a nearby POP."),
    "same_region_services": ("REGIONAL", "callers in the API's Region gain nothing from CloudFront; the "
                                         "extra hop only adds time."),
    "internal_tool": ("PRIVATE", "not reachable from the internet: only a private API, through a VPC "
                                 "endpoint."),
    "own_cloudfront": ("REGIONAL", "behind your own CloudFront distribution, an edge-optimized API would "
                                   "put a second CloudFront in the path; AWS recommends Regional."),
}
_CHOICE_HINTS = {
    "mobile_app": "where are the callers, and who brings them close to AWS's network?",
    "same_region_services": "what does a CloudFront hop add for a caller already in the Region?",
    "internal_tool": "which type has no public endpoint at all?",
    "own_cloudfront": "how many CloudFront distributions should a request cross?",
}

# Exercise 3: the endpoints to admit, and what each caller should get.
VPC_ENDPOINTS = ("vpce-0aaa1111", "vpce-0bbb2222")
_PRIVATE_CASES = {"vpce-0aaa1111": 200, "vpce-0bbb2222": 200, "vpce-0ccc3333": 403, None: 403}


def check_endpoint_choices(choices: Any) -> bool:
    """`choices` maps each key of ENDPOINT_CHOICES to "EDGE", "REGIONAL" or "PRIVATE"."""
    if not isinstance(choices, dict) or any(choices.get(k) is None for k in ENDPOINT_CHOICES):
        return not_yet(f"choose EDGE, REGIONAL or PRIVATE for each of {', '.join(ENDPOINT_CHOICES)}.")
    given = {k: str(choices[k]).strip().upper() for k in ENDPOINT_CHOICES}
    unknown = [k for k, v in given.items() if v not in TYPES]
    if unknown:
        return not_yet(f"{unknown[0]}: {choices[unknown[0]]!r} is not an endpoint type; use EDGE, REGIONAL or "
                       "PRIVATE.")
    wrong = [k for k, (right, _) in ENDPOINT_CHOICES.items() if given[k] != right]
    if wrong:
        return not_yet(f"{len(wrong)} of {len(ENDPOINT_CHOICES)} are off ({', '.join(wrong)}). "
                       f"{wrong[0]}: {_CHOICE_HINTS[wrong[0]]}")
    return ok("all four right: " + " ".join(f"{k}={v}" for k, (v, _) in ENDPOINT_CHOICES.items()))


def stage_get(url: str) -> int:
    import requests

    return requests.get(url, timeout=REQUEST_TIMEOUT_S).status_code


def check_v3_mapping(lab: Any, v3_id: Any, v1_id: str, v2_id: str) -> bool:
    """`api.example.com/v3` maps to the API `v3_id`, stage prod, and GET /v3/pets answers 200 while
    /v1 and /v2 still map to their APIs."""
    if not is_api_id(v3_id):
        return not_yet("create the pets-v3 API and pass its id (v3.id).")
    apigw = lab.client("apigateway")
    try:
        mappings = {m.get("basePath"): m for m in apigw.get_base_path_mappings(domainName=DOMAIN).get("items", [])}
    except Exception as err:  # noqa: BLE001 - a failed call is a hint, not a crash
        return not_yet(f"reading the base path mappings of {DOMAIN} failed ({type(err).__name__}: {err}).")
    found = mappings.get("v3")
    if found is None:
        return not_yet(f"{DOMAIN} has no base path v3 yet: apigw.create_base_path_mapping(domainName="
                       f"'{DOMAIN}', basePath='v3', restApiId=v3.id, stage='prod').")
    if found.get("restApiId") != v3_id:
        return not_yet(f"v3 maps to API {found.get('restApiId')}, not to pets-v3 ({v3_id}).")
    if found.get("stage") != "prod":
        return not_yet(f"v3 maps to stage {found.get('stage')!r}; map it to the stage prod.")
    for base, api_id in (("v1", v1_id), ("v2", v2_id)):
        if (mappings.get(base) or {}).get("restApiId") != api_id:
            return not_yet(f"/{base} no longer maps to its API: leave the v1 and v2 mappings as they were.")
    try:
        status = stage_get(lab.domain_url(DOMAIN, "v3") + "/pets")
    except Exception as err:  # noqa: BLE001
        return not_yet(f"calling GET /v3/pets failed ({type(err).__name__}: {err}).")
    if status != 200:
        return not_yet(f"GET https://{DOMAIN}/v3/pets answered {status}: does pets-v3 have a GET /pets method "
                       "with a MOCK integration, deployed to prod (the mapping points to a stage)?")
    return ok(f"{DOMAIN}/v3/pets answers from pets-v3; v1 and v2 are untouched.")


def check_private_endpoints(lab: Any, api_id: Any, stage: str = "prod", path: str = "/reports") -> bool:
    """GET `path` answers 200 through vpce-0aaa1111 and vpce-0bbb2222, 403 through any other VPC endpoint
    and from outside a VPC (a resource policy on aws:SourceVpce, deployed)."""
    if not is_api_id(api_id):
        return not_yet("pass the id of the private API (reports_private.id).")
    try:
        gateway = lab.gateway()
        url = lab.stage_url(api_id, stage) + path
        got = {vpce: gateway.invoke("GET", url, vpce_id=vpce).status_code for vpce in _PRIVATE_CASES}
    except Exception as err:  # noqa: BLE001 - a failed call is a hint, not a crash
        return not_yet(f"calling GET {path} failed ({type(err).__name__}: {err}).")
    if got == {v: 403 for v in _PRIVATE_CASES}:
        return not_yet("every call is refused: the deployed policy admits none of these endpoints yet. Replace "
                       "the resource policy with update_rest_api (patch path /policy), then deploy again.")
    missing = [v for v in VPC_ENDPOINTS if got[v] != 200]
    if missing:
        return not_yet(f"{missing[0]} answered {got[missing[0]]}: both endpoints must be admitted. A Deny with "
                       "StringNotEquals on aws:SourceVpce may list several values: "
                       f"{{'aws:SourceVpce': {list(VPC_ENDPOINTS)}}}.")
    if got["vpce-0ccc3333"] != 403:
        return not_yet("a third VPC endpoint (vpce-0ccc3333) gets in too: limit the policy to the two "
                       "endpoints (a Deny with StringNotEquals on aws:SourceVpce, or an Allow with "
                       "StringEquals).")
    return ok("vpce-0aaa1111 and vpce-0bbb2222 get in; other endpoints and the internet do not.")
