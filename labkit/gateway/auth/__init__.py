"""The authorization step: resource policy, then the method's authorizationType (AWS_IAM, CUSTOM,
COGNITO_USER_POOLS), combined as AWS's authorization flow documents.

Runs after the size limits and before the API key check (reference 4e). The decision tables:
same account, the caller's IAM policy (or the Lambda authorizer's policy) and the resource policy
combine as Allow×Allow=Allow, Allow×none=Allow, none×Allow=Allow, none×none=implicit deny, any
Deny=explicit deny; across accounts both must allow. With a Lambda authorizer the resource policy's
explicit denies are checked before the function runs; with Cognito the token is checked first and
the resource policy then needs an explicit Allow on its own.
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from . import authorizers, cognito, iam
from ..http import Response
from ..pipeline import Call, Next
from .policy import ALLOW, ANONYMOUS, DENY, INVOKE, Principal, evaluate, method_arn, resource_policy
from ..responses import GatewayError


def not_authorized(user: str, arn: str, explicit: bool) -> GatewayError:
    # https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden (reference 8a.3, 8d.22)
    message = f"User: {user} is not authorized to perform: execute-api:Invoke on resource: {arn}"
    if explicit:
        message += " with an explicit deny"
    return GatewayError("ACCESS_DENIED", message, log=message, body_key="Message")


def _refuse_for_authorizer(decision: str | None) -> GatewayError:
    # Reference 8b.12: explicit deny [KC]; implicit deny wording is [community].
    if decision == DENY:
        message = "User is not authorized to access this resource with an explicit deny"
    else:
        message = "User is not authorized to access this resource"
    return GatewayError("ACCESS_DENIED", message, log=f"{message} (Lambda authorizer policy)", body_key="Message")


def has_resource_policy(rest_api: Mapping[str, Any]) -> bool:
    """The RestApi carries a resource policy: anything but none or empty text, even one that does not parse."""
    policy = rest_api.get("policy")
    return policy is not None and policy != ""


class ResourcePolicy:
    """The RestApi's `policy` from the deployment, evaluated for one call.

    A policy the kit cannot read (not JSON in any form the control plane hands it over in, or not
    shaped as a resource policy) denies every request, with an execution-log line saying why: it must
    never let requests through as if the API had no policy."""

    def __init__(self, call: Call, arn: str) -> None:
        assert call.snapshot is not None
        source = call.gateway.source
        self.call = call
        self.arn = arn
        self.region, self.account_id = source.region, source.account_id
        rest_api = call.snapshot.deployment.rest_api
        self.document, self.problem = _read(rest_api.get("policy")) if has_resource_policy(rest_api) else (None, None)
        if self.problem:
            call.log("Resource policy is not a valid policy document, so the request is denied: {}", self.problem)

    @property
    def present(self) -> bool:
        return self.document is not None or self.problem is not None

    def _expand(self, resource: str) -> str:
        """`execute-api:/stage/GET/path` is short for this API's method ARN."""
        if resource.startswith("execute-api:/"):
            api = self.call.request.api_id
            return f"arn:aws:execute-api:{self.region}:{self.account_id}:{api}/{resource[len('execute-api:/'):]}"
        return resource

    def decide(self, principal: Principal) -> str | None:
        if self.problem is not None:
            return DENY
        if self.document is None:
            return None
        req = self.call.request
        context = {"aws:SourceIp": req.source_ip, "aws:SourceVpce": req.vpce_id,
                   "aws:SourceVpc": getattr(req, "vpc_id", None)}
        if principal.account_id:
            context["aws:PrincipalAccount"] = principal.account_id
        if principal.arn:
            context["aws:PrincipalArn"] = principal.arn
        return evaluate([self.document], action=INVOKE, resource=self.arn, principal=principal,
                        context={k: v for k, v in context.items() if v is not None}, expand_resource=self._expand)


def _read(policy: Any) -> tuple[dict[str, Any] | None, str | None]:
    """(document, None) for a readable resource policy, (None, why) for one that is not."""
    return _read_text(policy) if isinstance(policy, str) else _checked(policy)


@lru_cache(maxsize=128)
def _read_text(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """`_read` once per distinct policy text (callers must not change the document they get)."""
    return _checked(text)


def _checked(policy: Any) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return resource_policy(policy), None
    except ValueError as exc:
        return None, str(exc)


def combine(caller_decision: str | None, policy_decision: str | None, *, same_account: bool,
            policy_present: bool) -> str | None:
    """Tables A and B of the authorization flow: `Allow`, `Deny` (explicit) or None (implicit deny)."""
    if DENY in (caller_decision, policy_decision):
        return DENY
    if not policy_present:
        return caller_decision
    if same_account:
        return ALLOW if ALLOW in (caller_decision, policy_decision) else None
    return ALLOW if caller_decision == ALLOW and policy_decision == ALLOW else None


def authorization_is_open(call: Call) -> bool:
    """The method has no authorization and the API no resource policy: every caller is let through."""
    assert call.route is not None and call.snapshot is not None
    kind = (call.route.method.get("authorizationType") or "NONE").upper()
    return kind == "NONE" and not has_resource_policy(call.snapshot.deployment.rest_api)


def authorize(call: Call, next_step: Next) -> Response:
    """Check who may call the method; refuse with AWS's 401/403/500 gateway responses."""
    if authorization_is_open(call):
        return next_step(call)
    assert call.route is not None and call.snapshot is not None
    method = call.route.method
    kind = (method.get("authorizationType") or "NONE").upper()
    source = call.gateway.source
    req = call.request
    arn = method_arn(source.region, source.account_id, req.api_id, req.stage, req.method, req.path)
    policy = ResourcePolicy(call, arn)

    if kind == "AWS_IAM":
        caller = iam.authenticate(call)
        call.identity.update(iam.identity(caller))
        call.invalidate_context()  # $context.identity changed: rebuilt on the next read
        decision = combine(iam.identity_decision(caller, arn), policy.decide(iam.principal(caller)),
                           same_account=caller.account_id == source.account_id, policy_present=policy.present)
        if decision != ALLOW:
            raise not_authorized(caller.arn, arn, decision == DENY)
        call.may_invalidate_cache = iam.may_invalidate_cache(caller, arn)
        call.log("IAM user {} authorized for {}", caller.arn, arn)
    elif kind == "CUSTOM":
        anonymous = policy.decide(ANONYMOUS)
        if anonymous == DENY:  # "pre-auth": explicit denies before the function runs
            raise not_authorized("anonymous", arn, True)
        found = _authorizer(call, method)
        result, decision = authorizers.authorize(call, found, arn)
        call.authorizer = authorizers.authorizer_context(result)
        call.invalidate_context()  # $context.authorizer changed: rebuilt on the next read
        call.usage_identifier_key = result.usage_identifier_key
        combined = combine(decision, anonymous, same_account=True, policy_present=policy.present)
        if combined != ALLOW:
            if decision == ALLOW or (decision is None and combined == DENY):
                raise not_authorized("anonymous", arn, combined == DENY)  # the resource policy refused
            raise _refuse_for_authorizer(decision)
        call.log("Authorizer {} allowed principal {}", found.get("name"), result.principal_id)
    elif kind == "COGNITO_USER_POOLS":
        found = _authorizer(call, method)
        token = _cognito_token(call, found)
        claims = cognito.verify(call, token, list(found.get("providerARNs") or []),
                                list(method.get("authorizationScopes") or []) or None)
        expression = found.get("identityValidationExpression")
        if expression and not method.get("authorizationScopes"):
            if not re.fullmatch(expression, str(claims.get("aud") or "")):
                raise cognito.unauthorized("aud does not match the identity validation expression")
        call.authorizer = {"claims": cognito.claims_context(claims)}
        if method.get("authorizationScopes"):
            call.authorizer["scopes"] = str(claims.get("scope") or "").split()
        call.invalidate_context()
        anonymous = policy.decide(ANONYMOUS)
        if policy.present and anonymous != ALLOW:  # authenticated, then the policy must allow on its own
            raise not_authorized("anonymous", arn, anonymous == DENY)
        call.log("Cognito user {} authorized", claims.get("cognito:username") or claims.get("username"))
    elif kind == "NONE" and policy.present:
        decision = policy.decide(ANONYMOUS)
        if decision != ALLOW:
            raise not_authorized("anonymous", arn, decision == DENY)
    elif kind != "NONE":
        raise GatewayError("API_CONFIGURATION_ERROR", log=f"Unknown authorizationType {kind!r}")
    return next_step(call)


def _authorizer(call: Call, method: dict[str, Any]) -> dict[str, Any]:
    assert call.snapshot is not None
    wanted = method.get("authorizerId")
    for found in call.snapshot.deployment.definition.get("authorizers") or []:
        if found.get("id") == wanted:
            return found
    raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR",
                       log=f"Execution failed due to configuration error: authorizer {wanted!r} not found")


def _cognito_token(call: Call, found: dict[str, Any]) -> str:
    source = (found.get("identitySource") or "method.request.header.Authorization").split(",")[0].strip()
    name = source[len("method.request.header."):] if source.startswith("method.request.header.") else "Authorization"
    token = call.request.headers.get(name)
    if not token:
        raise cognito.unauthorized(f"the identity source {source} is missing")
    return token
