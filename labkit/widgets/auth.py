"""The auth lab: choose a method's authorization and a caller, see which check answered, with what, and why.

Model/view split after the ipywidgets tutorial: `run_auth_case(method_auth, caller) -> AuthOutcome`
is pure (one request through a fresh gateway on a VirtualClock, against an API with one resource
per authorization type, made once per Lab); `AuthLab` only wires two dropdowns to it and sets
traits, keeping the latest outcome on `.outcome` for tests.

The API has a resource policy that allows everyone and explicitly denies callers outside an
"office" IP range (`OFFICE_CIDR`), so every method also shows what a resource policy adds. Which
check answered is read from the response (its gateway response type and the gateway's trace of
the request, never the log's wording) and, for a policy denial, from evaluating the API's resource
policy for the caller.
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import ipywidgets as widgets

from .base import body_message, built_for, flow_html, log_html, summary_label, widget_lab, wrap_style
from ..apis import RestApi
from ..gateway.clock import VIRTUAL_EPOCH, VirtualClock
from ..gateway.trace import Trace

__all__ = ["AUTHS", "CALLERS", "CHECKS", "FLOWS", "OFFICE_CIDR", "AuthLab", "AuthOutcome", "answering_check",
           "auth_lab", "run_auth_case", "token_for"]

STAGE = "lab"
OFFICE_CIDR = "203.0.113.0/24"      # the resource policy's allowed range (TEST-NET-3, RFC 5737)
INSIDE_IP = "203.0.113.10"          # where every caller comes from, except...
OUTSIDE_IP = "198.51.100.7"         # ... the one outside the range (TEST-NET-2)
SIGNED_AT = VIRTUAL_EPOCH           # the gateway's clock for IAM and Lambda cases, and the signing time
EXPIRED_BY_S = 6 * 60               # a SigV4 request must arrive within 5 minutes of its X-Amz-Date (iam.py)
UNKNOWN_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # AWS's documentation example key: unknown to the backend
TOKEN_SECRET = "auth-lab-secret"    # the Lambda authorizer's HMAC key (a real one lives in Secrets Manager)
TOKEN_REGEX = r"^[a-z]+\.[0-9]+\.[0-9a-f]{16}$"  # identityValidationExpression: user.exp.signature
GOOD_EXP, OLD_EXP = 4_102_444_800, 1_700_000_000  # 2100-01-01 and 2023-11-14, seconds since the epoch
_DOC = "https://docs.aws.amazon.com/apigateway/latest/developerguide/"

# Method authorization types: key -> (label, resource path).
AUTHS: dict[str, tuple[str, str]] = {
    "NONE": ("NONE (open method)", "/open"),
    "AWS_IAM": ("AWS_IAM (SigV4-signed requests)", "/iam"),
    "CUSTOM": ("CUSTOM: Lambda TOKEN authorizer", "/token"),
    "COGNITO_USER_POOLS": ("COGNITO_USER_POOLS (ID token)", "/cognito"),
}
_AUTH_ALIASES = {"IAM": "AWS_IAM", "LAMBDA": "CUSTOM", "TOKEN": "CUSTOM", "COGNITO": "COGNITO_USER_POOLS"}

# Callers: key -> label. What each one sends depends on the method (see `_CALLER_SENDS`).
CALLERS: dict[str, str] = {
    "no_credentials": "no credentials",
    "good": "good credentials",
    "bad_signature": "bad signature",
    "expired": "expired signature / token",
    "wrong_token": "wrong token (unknown key, malformed, wrong kind)",
    "denied_by_policy": "authenticated, but denied by policy",
    "outside_ip_range": f"good credentials, from outside {OFFICE_CIDR}",
}

# The checks, and the order each method runs them in (labkit/gateway/auth.py; AWS's authorization flow).
CHECKS = ("resource policy (pre-auth)", "signature", "identity source", "authorizer function", "token",
          "policy", "resource policy", "integration")
FLOWS: dict[str, tuple[str, ...]] = {
    "NONE": ("resource policy", "integration"),
    "AWS_IAM": ("signature", "policy", "integration"),
    "CUSTOM": ("resource policy (pre-auth)", "identity source", "authorizer function", "policy", "integration"),
    "COGNITO_USER_POOLS": ("token", "resource policy", "integration"),
}

# What the caller sends, per method.
_CALLER_SENDS: dict[str, dict[str, str]] = {
    "NONE": {
        "no_credentials": "no Authorization header",
        "good": "an Authorization header signed with SigV4 by a permitted IAM user",
        "bad_signature": "a SigV4 Authorization header signed with the wrong secret key",
        "expired": "a SigV4 Authorization header signed 6 minutes ago",
        "wrong_token": "Authorization: hello (a malformed value)",
        "denied_by_policy": "a SigV4 Authorization header of an IAM user without permission",
        "outside_ip_range": f"no Authorization header, from {OUTSIDE_IP}",
    },
    "AWS_IAM": {
        "no_credentials": "no Authorization header",
        "good": "SigV4-signed by auth-lab-alice, whose policy allows execute-api:Invoke on GET /iam",
        "bad_signature": "SigV4-signed with alice's access key id but the wrong secret key",
        "expired": "SigV4-signed by alice 6 minutes before the request arrives",
        "wrong_token": f"SigV4-signed with an access key the account does not know ({UNKNOWN_KEY_ID})",
        "denied_by_policy": "SigV4-signed by auth-lab-bob, whose policy allows only POST /iam",
        "outside_ip_range": f"SigV4-signed by alice, from {OUTSIDE_IP}",
    },
    "CUSTOM": {
        "no_credentials": "no Authorization header",
        "good": "Authorization: a token for alice (user.expiry.HMAC signature)",
        "bad_signature": "Authorization: alice's token with another signature",
        "expired": "Authorization: a correctly signed token for alice that expired in 2023",
        "wrong_token": "Authorization: hello (does not match the identity validation expression)",
        "denied_by_policy": "Authorization: a valid token for mallory, whom the function denies",
        "outside_ip_range": f"Authorization: alice's good token, from {OUTSIDE_IP}",
    },
    "COGNITO_USER_POOLS": {
        "no_credentials": "no Authorization header",
        "good": "Authorization: alice's ID token from the user pool",
        "bad_signature": "Authorization: alice's ID token with its signature changed",
        "expired": "Authorization: alice's ID token, one hour and a minute after it was issued",
        "wrong_token": "Authorization: alice's access token (the method has no scopes: an ID token is required)",
        "denied_by_policy": "Authorization: alice's ID token (Cognito has no per-caller policy)",
        "outside_ip_range": f"Authorization: alice's ID token, from {OUTSIDE_IP}",
    },
}

# Why the answer is what it is, per method and caller.
_WHY: dict[str, dict[str, str]] = {
    "NONE": {
        "no_credentials": "A NONE method checks no credentials; the resource policy allows the office range.",
        "good": "A NONE method ignores the Authorization header, signed or not.",
        "bad_signature": "A NONE method does not verify signatures: the header is passed on unread.",
        "expired": "A NONE method does not look at signature dates.",
        "wrong_token": "A NONE method does not look at the Authorization header at all.",
        "denied_by_policy": "A NONE method does not identify the caller, so no IAM policy is consulted.",
        "outside_ip_range": "The resource policy explicitly denies every caller outside the office range: the "
                            "only check a NONE method has.",
    },
    "AWS_IAM": {
        "no_credentials": "An AWS_IAM method requires a SigV4 signature; an unsigned request is refused as "
                          "'Missing Authentication Token'.",
        "good": "The signature matches and alice's identity policy allows execute-api:Invoke on the method ARN.",
        "bad_signature": "API Gateway recomputed the signature with the secret it knows for the key; it differs.",
        "expired": "A signed request must reach API Gateway within 5 minutes of its X-Amz-Date; this one is older.",
        "wrong_token": "No IAM user or role has that access key id.",
        "denied_by_policy": "The signature is good, but neither bob's policy nor the resource policy allows "
                            "GET /iam: an implicit deny names the caller.",
        "outside_ip_range": "The signature and alice's policy are fine, but the resource policy's explicit "
                            "Deny wins over every Allow.",
    },
    "CUSTOM": {
        "no_credentials": "The identity source (the Authorization header) is missing: 401 without calling "
                          "the function.",
        "good": "The function verified the token and returned an Allow policy; principalId and context reach "
                "the integration.",
        "bad_signature": "The function recomputed the token's HMAC, found it different and raised "
                         "'Unauthorized': 401.",
        "expired": "The function found the token's expiry in the past and raised 'Unauthorized': 401.",
        "wrong_token": "The token does not match the identity validation expression: 401 without calling "
                       "the function.",
        "denied_by_policy": "The function returned a policy with Effect Deny for mallory: 403 explicit deny.",
        "outside_ip_range": "The resource policy's explicit Deny is checked before the authorizer runs "
                            "(the function was never called).",
    },
    "COGNITO_USER_POOLS": {
        "no_credentials": "No token in the Authorization header: 401.",
        "good": "The ID token's signature, issuer, audience and expiry check out; its claims reach the "
                "integration.",
        "bad_signature": "The token's signature does not verify against the user pool's keys: 401.",
        "expired": "The ID token lives one hour; after it the authorizer answers 401 (refresh the tokens).",
        "wrong_token": "Without authorization scopes on the method the authorizer wants an ID token; an "
                       "access token is 401.",
        "denied_by_policy": "A Cognito authorizer only authenticates: any valid user of the pool gets in. "
                            "Per-user rules need groups checked by the backend, or a Lambda authorizer.",
        "outside_ip_range": "The token is valid, then the resource policy is evaluated on its own; its "
                            "explicit Deny refuses the caller.",
    },
}

_DOCS = {
    "resource policy (pre-auth)": _DOC + "apigateway-authorization-flow.html",
    "resource policy": _DOC + "apigateway-resource-policies-examples.html",
    "signature": "https://repost.aws/knowledge-center/api-gateway-iam-sigv4-mismatch",
    "identity source": _DOC + "configure-api-gateway-lambda-authorization-with-console.html",
    "authorizer function": _DOC + "apigateway-use-lambda-authorizer.html",
    "token": "https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized",
    "integration": _DOC + "apigateway-control-access-to-api.html",
}
_POLICY_DOCS = {"AWS_IAM": _DOC + "api-gateway-control-access-using-iam-policies-to-invoke-api.html",
                "CUSTOM": _DOC + "api-gateway-lambda-authorizer-output.html"}

# The Lambda TOKEN authorizer: tokens are `user.expiry.signature`, signature = HMAC-SHA256(secret, user.expiry).
AUTHORIZER_SOURCE = f'''
import hashlib
import hmac
import time

SECRET = {TOKEN_SECRET!r}.encode()
DENIED = {{"mallory"}}


def handler(event, context):
    user, expiry, signature = event["authorizationToken"].split(".")
    expected = hmac.new(SECRET, f"{{user}}.{{expiry}}".encode(), hashlib.sha256).hexdigest()[:16]
    if not hmac.compare_digest(signature, expected) or int(expiry) < time.time():
        raise Exception("Unauthorized")            # the exact word: API Gateway answers 401
    effect = "Deny" if user in DENIED else "Allow"
    api_arn = event["methodArn"].split("/")[0]     # arn:aws:execute-api:region:account:api-id
    return {{"principalId": user,
            "policyDocument": {{"Version": "2012-10-17", "Statement": [
                {{"Action": "execute-api:Invoke", "Effect": effect, "Resource": api_arn + "/*"}}]}},
            "context": {{"plan": "gold"}}}}
'''


def token_for(user: str, expiry: int = GOOD_EXP, secret: str = TOKEN_SECRET) -> str:
    """A token the auth lab's Lambda authorizer accepts (with the right secret and a future expiry)."""
    import hashlib
    import hmac

    signature = hmac.new(secret.encode(), f"{user}.{expiry}".encode(), hashlib.sha256).hexdigest()[:16]
    return f"{user}.{expiry}.{signature}"


@dataclass(frozen=True)
class AuthOutcome:
    """What one (method authorization, caller) pair produced: the answer, which check gave it, and why."""

    method_auth: str
    caller: str
    sent: str                   # what the caller sent
    status: int
    response_type: str | None   # the gateway response type; None: the integration answered
    error_type: str | None      # the x-amzn-ErrorType header
    body: str
    answered_by: str            # one of CHECKS
    flow: tuple[tuple[str, str], ...]  # (check, "passed" | "answered" | "not reached")
    why: str
    doc: str
    execution_log: tuple[str, ...]
    authorizer_called: bool     # whether the Lambda authorizer function ran

    @property
    def message(self) -> Any:
        """The body's `message` or `Message`, else the whole body."""
        return body_message(self.body)

    def summary(self) -> str:
        return (f"{self.status} {self.response_type or '(integration answered)'}  x-amzn-ErrorType: "
                f"{self.error_type or '-'}  answered by: {self.answered_by}")


# --- the API: one resource per authorization type, made once per Lab -----------------------------------

@dataclass
class _AuthApi:
    api_id: str
    url: str
    policy: dict[str, Any]
    alice: Any   # botocore Credentials
    bob: Any
    id_token: str
    access_token: str
    token_issued: float   # the ID token's iat
    token_expires: float  # the ID token's exp


def _resource_policy() -> dict[str, Any]:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
    # No Allow for /iam: in the same account a resource policy's Allow would let in every signed caller,
    # whatever their own IAM policy says (Table A of the authorization flow).
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": [f"execute-api:/*/GET{path}" for _, path in AUTHS.values() if path != "/iam"]},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": OFFICE_CIDR}}}]}


def _iam_user(lab: Any, name: str, resource: str) -> Any:
    from botocore.credentials import Credentials

    iam = lab.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="invoke", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                "Resource": resource}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def _build(lab: Any) -> _AuthApi:
    """The auth-lab API, through ordinary boto3 calls and the kit's builders."""
    import jwt

    apigw = lab.client("apigateway")
    policy = _resource_policy()
    api = RestApi.create(apigw, "auth-lab", policy=policy)
    prefix = f"auth-lab-{api.id}"
    region, account = lab.region, lab.account_id

    # NONE
    api.resource("/open").method("GET").mock(body='{"hello": "anyone"}')
    # AWS_IAM: alice may GET /iam; bob may only POST it.
    api.resource("/iam").method("GET", authorization="AWS_IAM").mock(
        body='{"caller": "$context.identity.userArn"}')
    arn = f"arn:aws:execute-api:{region}:{account}:{api.id}/{STAGE}"
    alice = _iam_user(lab, f"{prefix}-alice", f"{arn}/GET/iam")
    bob = _iam_user(lab, f"{prefix}-bob", f"{arn}/POST/iam")
    # CUSTOM: a Lambda TOKEN authorizer on the Authorization header, with a validation expression.
    function_arn = lab.lambda_function(f"{prefix}-authorizer", AUTHORIZER_SOURCE)
    authorizer = apigw.create_authorizer(
        restApiId=api.id, name="token", type="TOKEN", identitySource="method.request.header.Authorization",
        authorizerUri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
        authorizerResultTtlInSeconds=300)
    # moto 5.2 drops identityValidationExpression on create: set it with update_authorizer (as on AWS too).
    apigw.update_authorizer(restApiId=api.id, authorizerId=authorizer["id"], patchOperations=[
        {"op": "replace", "path": "/identityValidationExpression", "value": TOKEN_REGEX}])
    api.resource("/token").method("GET", authorization="CUSTOM", authorizer_id=authorizer["id"]).mock(
        body='{"principalId": "$context.authorizer.principalId", "plan": "$context.authorizer.plan"}')
    # COGNITO_USER_POOLS: a pool, an app client, alice signed in.
    idp = lab.client("cognito-idp")
    pool = idp.create_user_pool(PoolName=f"{prefix}-users")["UserPool"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="alice",
                          UserAttributes=[{"Name": "email", "Value": "alice@example.com"}], MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="alice", Password="Auth-lab-0!", Permanent=True)
    tokens = idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "alice", "PASSWORD": "Auth-lab-0!"})
    result = tokens["AuthenticationResult"]
    cognito = apigw.create_authorizer(restApiId=api.id, name="pool", type="COGNITO_USER_POOLS",
                                      providerARNs=[pool["Arn"]], identitySource="method.request.header.Authorization")
    api.resource("/cognito").method("GET", authorization="COGNITO_USER_POOLS", authorizer_id=cognito["id"]).mock(
        body='{"user": "$context.authorizer.claims[\'cognito:username\']", '
             '"token_use": "$context.authorizer.claims.token_use"}')
    api.deploy(STAGE)
    claims = jwt.decode(result["IdToken"], options={"verify_signature": False})
    return _AuthApi(api.id, lab.stage_url(api.id, STAGE), policy, alice, bob, result["IdToken"],
                    result["AccessToken"], float(claims["iat"]), float(claims["exp"]))


# --- the requests -----------------------------------------------------------------------------------------

def _signed(credentials: Any, url: str, when: float, region: str) -> dict[str, str]:
    """SigV4 headers for `url`, signed at `when` (botocore's SigV4Auth, with the time fixed so the
    lab is the same on every run)."""
    from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(method="GET", url=url, headers={"Host": urlsplit(url).netloc})
    auth = SigV4Auth(credentials, "execute-api", region)
    request.context["timestamp"] = datetime.fromtimestamp(when, tz=timezone.utc).strftime(SIGV4_TIMESTAMP)
    auth._modify_request_before_signing(request)
    signature = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    auth._inject_signature_to_request(request, signature)
    return dict(request.headers)


def _tampered(jwt_token: str) -> str:
    head, payload, signature = jwt_token.split(".")
    swapped = signature[:-6] + ("AAAAAA" if signature[-6:] != "AAAAAA" else "BBBBBB")
    return ".".join([head, payload, swapped])


def _request(made: _AuthApi, auth: str, caller: str, url: str, region: str) -> tuple[dict[str, str], str, float]:
    """(headers, source IP, the gateway clock's start) for one case."""
    from botocore.credentials import Credentials

    ip = OUTSIDE_IP if caller == "outside_ip_range" else INSIDE_IP
    if auth in ("NONE", "AWS_IAM"):  # SigV4 headers (a NONE method ignores them)
        signer = {"good": (made.alice, SIGNED_AT), "outside_ip_range": (made.alice, SIGNED_AT),
                  "bad_signature": (Credentials(made.alice.access_key, "x" * 40), SIGNED_AT),
                  "expired": (made.alice, SIGNED_AT - EXPIRED_BY_S),
                  "wrong_token": (Credentials(UNKNOWN_KEY_ID, "y" * 40), SIGNED_AT),
                  "denied_by_policy": (made.bob, SIGNED_AT)}.get(caller)
        if auth == "NONE" and caller in ("wrong_token", "outside_ip_range"):
            signer = None
        headers: dict[str, str] = {} if signer is None else _signed(signer[0], url, signer[1], region)
        if auth == "NONE" and caller == "wrong_token":
            headers = {"Authorization": "hello"}
        return headers, ip, SIGNED_AT
    if auth == "CUSTOM":
        token = {"no_credentials": None, "good": token_for("alice"), "outside_ip_range": token_for("alice"),
                 "bad_signature": token_for("alice", secret="not-the-secret"),
                 "expired": token_for("alice", OLD_EXP), "wrong_token": "hello",
                 "denied_by_policy": token_for("mallory")}[caller]
        return ({"Authorization": token} if token else {}), ip, SIGNED_AT
    token = {"no_credentials": None, "good": made.id_token, "outside_ip_range": made.id_token,
             "denied_by_policy": made.id_token, "bad_signature": _tampered(made.id_token),
             "expired": made.id_token, "wrong_token": made.access_token}[caller]
    start = made.token_expires + 60 if caller == "expired" else made.token_issued + 1
    return ({"Authorization": token} if token else {}), ip, start


# --- which check answered -------------------------------------------------------------------------------------

def answering_check(auth: str, trace: Trace, message: Any, policy_denies: bool = False) -> str:
    """Which check of FLOWS[auth] answered, from the gateway's trace of the request and the body's
    message (never the execution log's text); `policy_denies`: the API's resource policy explicitly
    denies this caller."""
    response_type = trace.response_type
    invoked = trace.has("authorizer-invoked")
    if response_type is None:
        return "integration"
    if response_type in ("MISSING_AUTHENTICATION_TOKEN", "INVALID_SIGNATURE", "EXPIRED_TOKEN"):
        return "signature"
    if response_type == "UNAUTHORIZED":
        if auth == "COGNITO_USER_POOLS":
            return "token"
        return "authorizer function" if invoked else "identity source"
    if response_type in ("AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE"):
        return "authorizer function"
    if response_type == "ACCESS_DENIED":
        if "security token included in the request is invalid" in str(message):
            return "signature"
        if auth == "NONE" or auth == "COGNITO_USER_POOLS":
            return "resource policy"
        if auth == "CUSTOM" and policy_denies and not invoked:
            return "resource policy (pre-auth)"
        return "policy"
    return "integration"


def _flow(auth: str, answered_by: str) -> tuple[tuple[str, str], ...]:
    steps = FLOWS[auth]
    at = steps.index(answered_by) if answered_by in steps else len(steps) - 1
    return tuple((step, "passed" if i < at else "answered" if i == at else "not reached")
                 for i, step in enumerate(steps))


def _choice(value: str, options: dict[str, Any], aliases: dict[str, str], name: str) -> str:
    if value in options:
        return value
    key = aliases.get(str(value).upper())
    if key:
        return key
    for k, v in options.items():
        if v == value or (isinstance(v, tuple) and v[0] == value):
            return k
    raise ValueError(f"{name} must be one of {', '.join(options)}, got {value!r}")


def _with_cognito(lab: Any) -> Any:
    """The lab to build on: the caller's, else (None) the shared moto lab. The lab's API has a Cognito
    method, so on a backend without Cognito (LocalStack's free edition) it runs on moto, and says so once."""
    if lab is None or lab.capabilities.supports("cognito", say=False):
        return lab
    lab.memo(("auth-lab", "no-cognito"), lambda: print(
        f"{lab.capabilities.backend_name} has no Amazon Cognito user pools, so the auth lab runs on moto in this "
        "process instead."))
    return None


def run_auth_case(method_auth: str, caller: str, lab: Any = None) -> AuthOutcome:
    """Pure model of the widget: send one caller's request to the method with `method_auth`.

    `method_auth` is a key of AUTHS (or its label; IAM, TOKEN, LAMBDA and COGNITO are accepted too),
    `caller` a key of CALLERS (or its label). The API is made once per lab (default: the shared
    moto Lab of labkit/shared.py); each run goes through a fresh gateway on a VirtualClock, so it is deterministic."""
    from ..gateway.auth.policy import ANONYMOUS, DENY, INVOKE, Principal, evaluate

    auth = _choice(method_auth, AUTHS, _AUTH_ALIASES, "method_auth")
    who = _choice(caller, CALLERS, {}, "caller")
    lab, made = built_for(_with_cognito(lab), _AuthApi, _build)
    path = AUTHS[auth][1]
    url = made.url + path
    headers, ip, start = _request(made, auth, who, url, lab.region)
    gateway = lab.gateway(clock=VirtualClock(start=start), seed=0)  # same case, same request ids
    response = gateway.invoke("GET", url, headers, source_ip=ip)
    log = tuple(response.execution_log)
    kind = response.gateway_response
    body = response.body.decode("utf-8", "replace")
    arn = f"arn:aws:execute-api:{lab.region}:{lab.account_id}:{made.api_id}/{STAGE}/GET/{path.lstrip('/')}"
    principal = Principal(f"arn:aws:iam::{lab.account_id}:user/x", lab.account_id) if auth == "AWS_IAM" else ANONYMOUS
    denies = evaluate([made.policy], action=INVOKE, resource=arn, principal=principal,
                      context={"aws:SourceIp": ip}, expand_resource=lambda r: r.replace(
                          "execute-api:/", f"arn:aws:execute-api:{lab.region}:{lab.account_id}:{made.api_id}/")) == DENY
    try:
        message = json.loads(body)
        message = message.get("message", message.get("Message")) if isinstance(message, dict) else body
    except ValueError:
        message = body
    answered = answering_check(auth, response.trace, message, denies)
    if answered in ("policy",):
        doc = _DOCS["resource policy"] if denies else _POLICY_DOCS.get(auth, _DOCS["integration"])
    else:
        doc = _DOCS[answered]
    return AuthOutcome(method_auth=auth, caller=who, sent=_CALLER_SENDS[auth][who], status=response.status_code,
                       response_type=kind, error_type=response.headers.get("x-amzn-ErrorType"), body=body,
                       answered_by=answered, flow=_flow(auth, answered), why=_WHY[auth][who], doc=doc,
                       execution_log=log, authorizer_called=response.trace.has("authorizer-invoked"))


# --- the view -----------------------------------------------------------------------------------------------

def detail_html(outcome: AuthOutcome) -> str:
    rows = [("method", f"GET {AUTHS[outcome.method_auth][1]}  ({AUTHS[outcome.method_auth][0]})"),
            ("caller sends", outcome.sent),
            ("status", str(outcome.status)),
            ("gateway response", outcome.response_type or "none: the integration answered"),
            ("x-amzn-ErrorType", outcome.error_type or "-"),
            ("body", outcome.body),
            ("authorizer function ran", "yes" if outcome.authorizer_called else "no")]
    cells = "".join(f"<tr><th style='text-align:left;padding-right:8px'>{html.escape(k)}</th>"
                    f"<td style='text-align:left'><code>{html.escape(v)}</code></td></tr>" for k, v in rows)
    cells += (f"<tr><th style='text-align:left'>why</th><td style='text-align:left'>{html.escape(outcome.why)} "
              f"<a href='{outcome.doc}' target='_blank'>AWS docs</a></td></tr>")
    return f"<table>{cells}</table>"


class AuthLab(widgets.VBox):
    """The view: two dropdowns (method authorization, caller), the checks, the answer and the log."""

    def __init__(self, method_auth: str = "AWS_IAM", caller: str = "no_credentials", lab: Any = None) -> None:
        self._lab = lab
        style = {"description_width": "110px"}
        self.method_auth = widgets.Dropdown(options=[(label, key) for key, (label, _) in AUTHS.items()],
                                            value=_choice(method_auth, AUTHS, _AUTH_ALIASES, "method_auth"),
                                            description="authorization", style=style,
                                            layout=widgets.Layout(width="480px"))
        self.caller = widgets.Dropdown(options=[(label, key) for key, label in CALLERS.items()],
                                       value=_choice(caller, CALLERS, {}, "caller"), description="caller",
                                       style=style, layout=widgets.Layout(width="480px"))
        self.flow = widgets.HTML()
        self.summary = summary_label()
        self.detail = widgets.HTML()
        self.log_view = widgets.HTML()
        self.outcome: AuthOutcome | None = None
        super().__init__([self.method_auth, self.caller, self.flow, self.summary, self.detail, self.log_view, wrap_style()])
        self.method_auth.observe(self._changed, names="value")
        self.caller.observe(self._changed, names="value")
        self.update()

    def update(self) -> None:
        """Run the model for the chosen method and caller and show what it returned."""
        lab, note = widget_lab(self._lab)
        outcome = run_auth_case(self.method_auth.value, self.caller.value, lab)
        self.outcome = outcome
        self.flow.value = flow_html(outcome, min_width=80)
        self.summary.value = f"{note} {outcome.summary()}" if note else outcome.summary()
        self.detail.value = detail_html(outcome)
        self.log_view.value = log_html(outcome.execution_log)

    def _changed(self, _change: dict[str, Any]) -> None:
        self.update()


def auth_lab(method_auth: str = "AWS_IAM", caller: str = "no_credentials", lab: Any = None) -> AuthLab:
    """The auth lab widget (a VBox), showing `method_auth` and `caller` first."""
    return AuthLab(method_auth, caller, lab)
