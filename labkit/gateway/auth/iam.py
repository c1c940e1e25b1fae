"""AWS_IAM authorization: check a request's Signature Version 4 and the caller's IAM policies.

The signature is recomputed (sigv4.py, service `execute-api`) from the secret the control plane
knows for the access key; then the caller's identity policies must allow
`execute-api:Invoke` on the method ARN.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode

from . import sigv4
from ..pipeline import Call
from ..doors.urls import is_execute_api_host
from .policy import INVALIDATE_CACHE, INVOKE, Principal, evaluate
from ..responses import GatewayError

ALGORITHM = sigv4.ALGORITHM
SERVICE = "execute-api"
# "a request must reach AWS within five minutes of the time stamp in the request":
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html ; API Gateway's own answer reads
# "Signature expired: 20170212T175938Z is now earlier than 20170215T145534Z (20170215T150034Z - 5 min.)"
# (403, pasted in aws-amplify/aws-sdk-android#253).
MAX_SKEW_SECONDS = 5 * 60
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_PARAM = re.compile(r"(\w+)=([^,\s]*)")


@dataclass
class IamCaller:
    """An access key the control plane knows, with the identity and policies behind it."""

    access_key_id: str
    secret_access_key: str
    arn: str
    account_id: str
    caller: str  # $context.identity.caller: the user id (AIDA...) or role id:session
    user: str  # $context.identity.user
    session_token: str | None = None
    policies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SignedRequest:
    """The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str


def _incomplete(message: str) -> GatewayError:
    # AWS does not document these strings for API Gateway; the wording is IAM's (community reports).
    error = GatewayError("INVALID_SIGNATURE", message, log=f"Incomplete signature: {message}")
    error.error_type = "IncompleteSignatureException"
    return error


def parse_authorization(header: str, amz_date: str | None) -> SignedRequest:
    """Split the Authorization header; a malformed one is IncompleteSignatureException (403)."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme != ALGORITHM:
        raise _incomplete(f"Authorization header requires existence of the algorithm {ALGORITHM}. "
                          f"Authorization={header}")
    params = dict(_PARAM.findall(rest))
    problems = [f"Authorization header requires '{name}' parameter." for name in ("Credential", "Signature",
                                                                                  "SignedHeaders")
                if not params.get(name)]
    if not amz_date:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        raise _incomplete(" ".join(problems) + f" Authorization={header}")
    scope = params["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise _incomplete(f"Credential should be scoped to a valid region. Authorization={header}")
    return SignedRequest(scope[0], scope[1], scope[2], scope[3], params["SignedHeaders"].split(";"),
                         params["Signature"])


def _amz_time(text: str) -> datetime:
    try:
        return datetime.strptime(text, _AMZ_DATE).replace(tzinfo=timezone.utc)
    except ValueError:
        raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{text}'.") from None


def check_time(amz_date: str, now: float) -> None:
    """More than 5 minutes from the gateway's clock either way: EXPIRED_TOKEN, in IAM's words."""
    signed = _amz_time(amz_date)
    current = datetime.fromtimestamp(now, tz=timezone.utc)
    skew = (current - signed).total_seconds()
    if skew > MAX_SKEW_SECONDS:
        earliest = datetime.fromtimestamp(now - MAX_SKEW_SECONDS, tz=timezone.utc)
        message = (f"Signature expired: {amz_date} is now earlier than {earliest.strftime(_AMZ_DATE)} "
                   f"({current.strftime(_AMZ_DATE)} - 5 min.)")
        raise GatewayError("EXPIRED_TOKEN", message, log=message)
    if -skew > MAX_SKEW_SECONDS:
        latest = datetime.fromtimestamp(now + MAX_SKEW_SECONDS, tz=timezone.utc)
        message = (f"Signature not yet current: {amz_date} is still later than {latest.strftime(_AMZ_DATE)} "
                   f"({current.strftime(_AMZ_DATE)} + 5 min.)")
        raise GatewayError("EXPIRED_TOKEN", message, log=message)


def _candidate_targets(call: Call, host: str) -> list[tuple[str, str]]:
    """The (path, query) pairs the client may have signed: the execute-api form (`/{stage}/path`), or
    the local server's `/restapis/{api}/{stage}/_user_request_/path`. The stage root may be signed with
    or without its trailing slash. The query is tried as SigV4 canonicalises it (RFC 3986, `%20`) and
    as `requests` sends it (`+` for a space)."""
    req = call.request
    queries = {""}
    if req.query:
        queries = {"&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in req.query),
                   urlencode(req.query)}
    paths = [f"/{req.stage}{req.path}"] + ([f"/{req.stage}"] if req.path == "/" else [])
    if not is_execute_api_host(host):
        paths.insert(0, f"/restapis/{req.api_id}/{req.stage}/_user_request_{req.path}")
    return [(path, query) for path in paths for query in sorted(queries)]


def signature_matches(call: Call, signed: SignedRequest, caller: IamCaller, amz_date: str) -> bool:
    """Recompute the signature (sigv4.py) over the headers the client signed."""
    req = call.request
    headers = {}
    for name in signed.signed_headers:
        if name == "host":
            headers["host"] = req.headers.get("Host") or req.domain_name
        elif req.headers.get(name) is not None:
            headers[name] = req.headers[name]
        else:
            return False  # a signed header the request no longer carries
    region = call.gateway.source.region
    for path, query in _candidate_targets(call, headers.get("host") or req.domain_name):
        canonical = sigv4.canonical_request(req.method, path, query, headers, req.body)
        expected = sigv4.signature(caller.secret_access_key, amz_date, region, SERVICE, canonical)
        if hmac.compare_digest(expected, signed.signature):
            return True
        call.log("The canonical string for this request should have been: {}", canonical)
    return False


def authenticate(call: Call) -> IamCaller:
    """Who signed the request, or the 403 AWS answers (missing, malformed, unknown key, expired, bad)."""
    req = call.request
    header = req.headers.get("Authorization")
    if not header:
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN", log="Missing Authentication Token: the method "
                           "requires AWS_IAM and the request is not signed")
    amz_date = req.headers.get("X-Amz-Date")
    signed = parse_authorization(header, amz_date)
    assert amz_date is not None
    lookup = getattr(call.gateway.source, "iam_caller", None)
    caller = lookup(signed.access_key_id) if lookup else None
    token = req.headers.get("X-Amz-Security-Token")
    if caller is None or (caller.session_token or None) != (token or None):
        raise GatewayError("ACCESS_DENIED", "The security token included in the request is invalid.",
                           log=f"Unknown access key {signed.access_key_id} (or wrong session token)")
    check_time(amz_date, call.started)
    if signed.service != SERVICE or not signature_matches(call, signed, caller, amz_date):
        raise GatewayError("INVALID_SIGNATURE", log="The request signature we calculated does not match the "
                           "signature you provided")
    return caller


def principal(caller: IamCaller) -> Principal:
    return Principal(caller.arn, caller.account_id)


def identity(caller: IamCaller) -> dict[str, Any]:
    """`$context.identity` fields an IAM-signed request fills."""
    return {"accessKey": caller.access_key_id, "accountId": caller.account_id, "caller": caller.caller,
            "user": caller.user, "userArn": caller.arn}


def identity_decision(caller: IamCaller, arn: str) -> str | None:
    """What the caller's own policies say about `execute-api:Invoke` on the method ARN."""
    return evaluate(caller.policies, action=INVOKE, resource=arn)


def may_invalidate_cache(caller: IamCaller, arn: str) -> bool:
    """`execute-api:InvalidateCache` on the method ARN, for `Cache-Control: max-age=0`.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"""
    return evaluate(caller.policies, action=INVALIDATE_CACHE, resource=arn) == "Allow"
