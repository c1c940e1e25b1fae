"""IAM policy evaluation for `execute-api`: identity policies, Lambda-authorizer policies, resource policies.

One evaluator for the three kinds of policy the gateway meets, with IAM's rules: an explicit Deny
wins over any Allow, no matching Allow is an implicit deny. Wildcards `*` and `?` match in
`Action` (case-insensitive) and `Resource` (case-sensitive).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-aws-condition-keys.html
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

ALLOW = "Allow"
DENY = "Deny"

INVOKE = "execute-api:Invoke"
INVALIDATE_CACHE = "execute-api:InvalidateCache"


def method_arn(region: str, account_id: str, api_id: str, stage: str, http_method: str, path: str) -> str:
    """`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`, the resource of
    `execute-api:Invoke` (path as requested, without its leading `/`).
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html"""
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{http_method}/{path.lstrip('/')}"


@dataclass(frozen=True)
class Principal:
    """Who calls, as a resource policy's `Principal` sees it: anonymous (no arn) or an IAM identity."""

    arn: str | None = None
    account_id: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.arn is None


ANONYMOUS = Principal()


@lru_cache(maxsize=1024)
def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{regex}$", re.S if case_sensitive else re.S | re.I)


def matches(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """IAM's wildcard match: `*` any run of characters, `?` exactly one."""
    return _wildcard(pattern, case_sensitive).match(value) is not None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def parse(document: str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A policy as a dict, from every form the control plane hands it over in; None for none.

    Accepted: a dict; JSON text; AWS's backslash-escaped JSON (get_rest_api answers `policy` as the
    content of a JSON string, `{\\"Version\\":...}`: recorded in test_apigateway_integrations.snapshot.json::
    tests/aws/services/apigateway/test_apigateway_integrations.py::test_create_execute_api_vpc_endpoint, whose
    test unescapes it before json.loads); URL-encoded JSON (RFC 3986, as IAM answers policy documents:
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html); a JSON string holding any
    of these. Raises ValueError, saying why, for anything else.
    """
    if document is None or document == "":
        return None
    if isinstance(document, Mapping):
        return dict(document)
    if not isinstance(document, str):
        raise ValueError(f"a policy document must be JSON text or an object, not {type(document).__name__}")
    parsed = _decoded(document.strip(), depth=0)
    if not isinstance(parsed, dict):
        raise ValueError(f"a policy document must be a JSON object, not {type(parsed).__name__}")
    return parsed


def _decoded(text: str, depth: int) -> Any:
    """The JSON value `text` holds: plain, backslash-escaped, URL-encoded or in a JSON string (two layers at most)."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        if depth < 2 and text.startswith("{") and '\\"' in text:
            return _decoded(_unescaped(text), depth + 1)
        if depth < 2 and text[:3].upper() == "%7B":
            return _decoded(unquote(text), depth + 1)
        raise ValueError(f"the policy is not JSON ({exc})") from None
    if isinstance(value, str) and depth < 2:
        return _decoded(value.strip(), depth + 1)  # a JSON string holding the document
    return value


def _unescaped(text: str) -> str:
    """`{\\"a\\":1}` as `{"a":1}`: the text read as the content of a JSON string literal."""
    try:
        return json.loads(f'"{text}"')
    except ValueError as exc:
        raise ValueError(f"the policy is not JSON, escaped or not ({exc})") from None


def resource_policy(document: str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A RestApi's `policy` parsed and checked as IAM's grammar requires of a resource-based policy;
    ValueError (saying why) for one that is not: such a policy could not decide anything safely.

    Every statement needs `Effect` Allow or Deny, `Action` or `NotAction`, `Principal` or `NotPrincipal`,
    and a `Condition` (if any) of operator blocks.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    (resource-based policies must name a Principal)"""
    parsed = parse(document)
    if parsed is None:
        return None
    for number, statement in enumerate(statements(parsed), 1):
        if statement.get("Effect") not in (ALLOW, DENY):
            raise ValueError(f"statement {number}: Effect must be Allow or Deny, got {statement.get('Effect')!r}")
        if "Action" not in statement and "NotAction" not in statement:
            raise ValueError(f"statement {number} has no Action or NotAction")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise ValueError(f"statement {number} has no Principal or NotPrincipal")
        condition = statement.get("Condition", {})
        if not isinstance(condition, Mapping) or not all(isinstance(b, Mapping) for b in condition.values()):
            raise ValueError(f"statement {number}: Condition must map operators to blocks of keys")
    return parsed


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The document's statements (a single statement object is allowed, as in IAM)."""
    found = document.get("Statement")
    items = _as_list(found)
    if not items or not all(isinstance(s, Mapping) for s in items):
        raise ValueError("a policy document needs a Statement (an object or a list of objects)")
    return items


def evaluate(documents: Iterable[Mapping[str, Any]], *, action: str, resource: str,
             principal: Principal | None = None, context: Mapping[str, Any] | None = None,
             expand_resource: Callable[[str], str] | None = None) -> str | None:
    """`Deny` if any statement explicitly denies, else `Allow` if one allows, else None (implicit deny).

    `principal` is checked only when given (resource policies carry `Principal`; identity and
    authorizer policies do not). `context` holds condition keys (`aws:SourceIp`, ...).
    """
    allowed = False
    for document in documents:
        for statement in statements(document):
            if not _applies(statement, action, resource, principal, context or {}, expand_resource):
                continue
            effect = statement.get("Effect")
            if effect == DENY:
                return DENY
            if effect == ALLOW:
                allowed = True
    return ALLOW if allowed else None


def _applies(statement: Mapping[str, Any], action: str, resource: str, principal: Principal | None,
             context: Mapping[str, Any], expand: Callable[[str], str] | None) -> bool:
    if "NotAction" in statement:
        if any(matches(p, action, case_sensitive=False) for p in _as_list(statement["NotAction"])):
            return False
    elif not any(matches(p, action, case_sensitive=False) for p in _as_list(statement.get("Action"))):
        return False

    def resource_match(patterns: Any) -> bool:
        return any(matches(expand(p) if expand else p, resource) for p in _as_list(patterns))

    if "NotResource" in statement:
        if resource_match(statement["NotResource"]):
            return False
    elif "Resource" in statement and not resource_match(statement["Resource"]):
        return False

    if principal is not None:
        if "NotPrincipal" in statement:
            if _principal_matches(statement["NotPrincipal"], principal):
                return False
        elif not _principal_matches(statement.get("Principal"), principal):
            return False
    return conditions_hold(statement.get("Condition") or {}, context)


def _principal_matches(spec: Any, principal: Principal) -> bool:
    """`*` and `{"AWS": "*"}` match everyone, the anonymous caller included; an account id,
    `arn:aws:iam::{account}:root` or an exact ARN match an IAM caller.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    if spec is None:
        return False
    if spec == "*":
        return True
    if not isinstance(spec, Mapping):
        return False
    for value in _as_list(spec.get("AWS")):
        if value == "*":
            return True
        if principal.anonymous:
            continue
        if value == principal.arn:
            return True
        if principal.account_id and value in (principal.account_id, f"arn:aws:iam::{principal.account_id}:root"):
            return True
    return False


def _ip_in(value: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda actual, wanted: actual == wanted,
    "StringEqualsIgnoreCase": lambda actual, wanted: actual.lower() == wanted.lower(),
    "StringLike": lambda actual, wanted: matches(wanted, actual),
    "IpAddress": _ip_in,
    "Bool": lambda actual, wanted: actual.lower() == wanted.lower(),
    "ArnEquals": lambda actual, wanted: actual == wanted,
    "ArnLike": lambda actual, wanted: matches(wanted, actual),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def conditions_hold(condition: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """Every operator block and every key in it must hold (AND); the values of one key are ORed.

    A key absent from the request: a positive operator is false, a negated one (`StringNotEquals`,
    `NotIpAddress`, ...) is true, `...IfExists` is true. An operator the kit does not know makes
    the statement not apply.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """
    lowered = {k.lower(): v for k, v in context.items()}
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            return False
        name = operator[:-len("IfExists")] if operator.endswith("IfExists") else operator
        if_exists = name != operator
        for key, wanted in block.items():
            actual = lowered.get(key.lower())
            if name == "Null":
                if str(wanted).lower() != ("true" if actual is None else "false"):
                    return False
                continue
            negated = name in _NEGATED
            test = _STRING_TESTS.get(_NEGATED.get(name, name))
            if test is None:
                return False
            if actual is None:
                if not (negated or if_exists):
                    return False
                continue
            hit = any(test(str(actual), str(w)) for w in _as_list(wanted))
            if hit == negated:
                return False
    return True
