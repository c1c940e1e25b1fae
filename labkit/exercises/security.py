"""Self-checks for the exercises of 08_security.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/08_security.md).
"""

from __future__ import annotations

from typing import Any

from ..gateway.clock import VirtualClock
from .checks import is_api_id, not_yet, ok
from .reveal import Hints

__all__ = ["AUTH_PREDICTIONS", "IP_CASES", "check_auth_predictions", "check_ip_policy", "check_authorizer_reuse",
           "HINTS", "hint", "solution"]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("08_security")
hint = HINTS.hint
solution = HINTS.solution

# Exercise 1: what API Gateway answers (reference section 8).
AUTH_PREDICTIONS = {
    "iam_unsigned": (403, "an AWS_IAM method refuses an unsigned request: 403 Missing Authentication Token."),
    "iam_no_permission": (403, "a correctly signed caller whose policies do not allow the method: 403 "
                               "(AccessDeniedException, 'User: ... is not authorized')."),
    "authorizer_raises_unauthorized": (401, "a Lambda authorizer that raises exactly 'Unauthorized' gives 401."),
    "authorizer_raises_other": (500, "any other authorizer failure (an exception, a malformed answer) is the "
                                     "API's configuration problem: 500 AuthorizerConfigurationException."),
    "authorizer_denies": (403, "a Deny in the authorizer's policy is 403, 'with an explicit deny'."),
    "cognito_access_token": (401, "without authorization scopes a Cognito authorizer wants an ID token: an "
                                  "access token is 401."),
    "none_bad_signature": (200, "a NONE method does not read the Authorization header at all."),
}
_PREDICTION_HINTS = {
    "iam_unsigned": "what does IAM authorization say when there is no signature to check?",
    "iam_no_permission": "is a caller who proved who they are, but may not call the method, 401 or 403?",
    "authorizer_raises_unauthorized": "'Unauthorized' is the one exception text with a status of its own.",
    "authorizer_raises_other": "who is at fault when the authorizer function crashes: the caller or the API?",
    "authorizer_denies": "the function answered; its policy said Deny. Authenticated but refused is ...?",
    "cognito_access_token": "which token does a Cognito authorizer expect when the method has no scopes?",
    "none_bad_signature": "which check would look at the signature on a NONE method?",
}

# Exercise 2: allow 10.20.0.0/16, except 10.20.99.0/24 (source IP -> expected status).
ALLOWED_CIDR, BLOCKED_CIDR = "10.20.0.0/16", "10.20.99.0/24"
IP_CASES = {"10.20.1.5": 200, "10.20.255.254": 200, "10.20.99.7": 403, "10.21.0.1": 403, "198.51.100.7": 403}


def check_auth_predictions(answers: Any) -> bool:
    """`answers` maps each key of AUTH_PREDICTIONS to the status code the learner predicts."""
    if not isinstance(answers, dict) or any(answers.get(k) is None for k in AUTH_PREDICTIONS):
        return not_yet(f"fill in a status code for each of {', '.join(AUTH_PREDICTIONS)}.")
    wrong = []
    for key, (status, _) in AUTH_PREDICTIONS.items():
        try:
            given = int(answers[key])
        except (TypeError, ValueError):
            return not_yet(f"{key}: the answer should be a status code such as 403, got {answers[key]!r}.")
        if given != status:
            wrong.append(key)
    if wrong:
        return not_yet(f"{len(wrong)} of {len(AUTH_PREDICTIONS)} are off ({', '.join(wrong)}). "
                       f"{wrong[0]}: {_PREDICTION_HINTS[wrong[0]]}")
    return ok("all seven right. 401: we do not know who you are; 403: we know, and the answer is no; "
              "500: the API's authorizer is broken.")


def check_ip_policy(lab: Any, api_id: Any, stage: str = "dev", path: str = "/reports") -> bool:
    """GET `path` answers 200 from 10.20.0.0/16 and 403 from 10.20.99.0/24 and from anywhere else: a
    resource policy on the API, deployed. Checked with simulated source IPs on the lab's gateway."""
    if not is_api_id(api_id):
        return not_yet("pass the id of the office API (office_api.id).")
    try:
        gateway = lab.gateway()
        url = lab.stage_url(api_id, stage) + path
        got = {ip: gateway.invoke("GET", url, source_ip=ip) for ip in IP_CASES}
    except Exception as err:  # noqa: BLE001 - a failed call is a hint, not a crash
        return not_yet(f"calling GET {path} failed ({type(err).__name__}: {err}).")
    statuses = {ip: r.status_code for ip, r in got.items()}
    if all(s == 200 for s in statuses.values()):
        return not_yet("every address gets in: the API has no resource policy in its deployment yet. Put one "
                       "with update_rest_api(patchOperations=[{'op': 'replace', 'path': '/policy', "
                       "'value': json.dumps(policy)}]), then deploy again.")
    if statuses["10.20.1.5"] != 200 or statuses["10.20.255.254"] != 200:
        return not_yet(f"10.20.1.5 answered {statuses['10.20.1.5']} and 10.20.255.254 "
                       f"{statuses['10.20.255.254']}: the Allow statement needs "
                       f"'Condition': {{'IpAddress': {{'aws:SourceIp': '{ALLOWED_CIDR}'}}}} and 'Principal': '*'.")
    if statuses["10.21.0.1"] != 403 or statuses["198.51.100.7"] != 403:
        return not_yet("callers outside 10.20.0.0/16 still get in: is the Allow limited by its IpAddress "
                       "condition, and is there no other Allow without one?")
    if statuses["10.20.99.7"] != 403:
        return not_yet(f"10.20.99.7 is inside the allowed range but in the blocked {BLOCKED_CIDR}: add a Deny "
                       "statement with an IpAddress condition on that range (an explicit Deny beats the Allow).")
    body = got["10.20.99.7"].json()
    if not str(body.get("Message", "")).endswith("with an explicit deny"):
        return not_yet("10.20.99.7 is refused, but not by an explicit Deny (the message should end 'with an "
                       "explicit deny'): use a Deny statement rather than narrowing the Allow.")
    return ok("the office range gets in, the blocked subnet is refused with an explicit deny, everyone else "
              "by an implicit deny.")


def check_authorizer_reuse(lab: Any, api_id: Any, stage: str = "dev") -> bool:
    """With one token, GET /a then GET /b both answer 200 (the authorizer's cached policy covers both
    methods), and a `deny-` token is still refused. Checked on a fresh gateway on a virtual clock."""
    if not is_api_id(api_id):
        return not_yet("pass the id of the reports API (reports_api.id).")
    try:
        gateway = lab.gateway(clock=VirtualClock(), seed=0)
        url = lab.stage_url(api_id, stage)
        first = gateway.invoke("GET", url + "/a", {"Authorization": "allow-alice"})
        second = gateway.invoke("GET", url + "/b", {"Authorization": "allow-alice"})
        denied = gateway.invoke("GET", url + "/a", {"Authorization": "deny-mallory"})
    except Exception as err:  # noqa: BLE001 - a failed call is a hint, not a crash
        return not_yet(f"calling the reports API failed ({type(err).__name__}: {err}).")
    if first.status_code != 200:
        return not_yet(f"the first call, GET /a, answered {first.status_code}: the authorizer should allow "
                       f"'allow-alice' ({first.text[:100]}).")
    if second.status_code != 200:
        return not_yet(f"GET /b with the same token answered {second.status_code} {second.text[:80]}: the "
                       "result cached for GET /a was reused, and its policy names only GET /a. Return a policy "
                       "whose Resource covers the whole API (method ARN up to the api id, then '/*'), or set "
                       "authorizerResultTtlInSeconds to 0; then deploy again.")
    if denied.status_code != 403:
        return not_yet(f"'deny-mallory' answered {denied.status_code}: keep the Deny for deny- tokens.")
    return ok("the cached result now serves both methods" + (
        " without a call per request" if sum("Sending request to" in line for r in (first, second)
                                             for line in r.execution_log) == 1 else
        " (with TTL 0 the function runs on every request: correct, but each call pays for it)") + ".")
