"""COGNITO_USER_POOLS authorizers: verify a user pool's JWT (RS256, the pool's JWKS) and its claims.

Without `authorizationScopes` on the method the token must be an ID token (audience: an app client
of the pool); with scopes it must be an access token holding one of them. Any failure is 401
Unauthorized.
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..pipeline import Call
from ..responses import GatewayError

POOL_ARN = re.compile(r"^arn:aws[\w-]*:cognito-idp:(?P<region>[^:]+):(?P<account>\d+):userpool/(?P<pool>.+)$")


@dataclass(frozen=True)
class UserPool:
    """What verifying a pool's tokens takes: its issuer, signing keys and app client ids."""

    pool_id: str
    region: str
    jwks: dict[str, Any]
    client_ids: frozenset[str]

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"


def unauthorized(reason: str) -> GatewayError:
    return GatewayError("UNAUTHORIZED", log=f"Unauthorized request: {reason}")


def verify(call: Call, token: str, provider_arns: list[str], scopes: list[str] | None) -> dict[str, Any]:
    """The token's claims if it is a valid token of one of the pools for this method; else 401."""
    import jwt

    if token.lower().startswith("bearer "):  # the Cognito authorizer takes the raw token; tolerate a prefix
        token = token[7:].strip()
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise unauthorized(f"malformed token ({exc})") from None
    lookup = getattr(call.gateway.source, "user_pool", None)
    pool = None
    for arn in provider_arns:
        candidate = lookup(arn) if lookup else None
        if candidate is not None and candidate.issuer == unverified.get("iss"):
            pool = candidate
            break
    if pool is None:
        raise unauthorized(f"issuer {unverified.get('iss')!r} is not a user pool of this authorizer")
    try:
        key = jwt.PyJWKSet.from_dict(pool.jwks)[header.get("kid", "")]
        claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=pool.issuer,
                            options={"verify_aud": False, "verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False})
    except (jwt.PyJWTError, KeyError) as exc:
        raise unauthorized(f"token signature or issuer invalid ({exc})") from None
    if float(claims.get("exp", 0)) <= call.gateway.clock.now():
        raise unauthorized("token expired")
    use = claims.get("token_use")
    if scopes:
        if use != "access":
            raise unauthorized("the method has authorization scopes: an access token is required")
        if claims.get("client_id") not in pool.client_ids:
            raise unauthorized("client_id is not an app client of the user pool")
        granted = set(str(claims.get("scope") or "").split())
        if not granted.intersection(scopes):
            raise unauthorized(f"none of the method's scopes {scopes} is in the token's scope")
    else:
        if use != "id":
            raise unauthorized("the method has no authorization scopes: an ID token is required")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if not pool.client_ids.intersection(a for a in audiences if a):
            raise unauthorized("aud is not an app client of the user pool")
    return claims


def claims_context(claims: dict[str, Any]) -> dict[str, Any]:
    """`$context.authorizer.claims.*`: AWS hands claims over as strings (lists flattened by Cognito)."""
    out: dict[str, Any] = {}
    for name, value in claims.items():
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, (list, dict)):
            out[name] = json.dumps(value)  # assumption: AWS's exact form for list claims is not documented
        else:
            out[name] = str(value)
    return out
