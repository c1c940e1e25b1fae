"""Before a request reaches a stage: custom domain names, endpoint types, the default endpoint switch.

Two steps:

- `endpoints` (inside `pipeline.Errors`, right before the route step, `steps.Resolve`) maps a custom domain name's
  base path to its API and stage, refuses the default `execute-api` endpoint when the API disabled
  it, and admits a PRIVATE API's requests only through a VPC endpoint. It runs before `resolve`
  because these answers come from the endpoint itself, before any stage or route is looked up: an
  unmapped base path has no API to resolve, and a wrong path on a disabled or private endpoint must
  not leak "Missing Authentication Token".
- `cloudfront` (outermost after `observe`) adds the CloudFront headers an edge-optimized endpoint's
  answers carry, gateway responses included.

The kit's simplifications (each notebook says so in one sentence):

- A caller states the VPC endpoint it comes through: `gw.invoke(..., vpce_id="vpce-...")`, or over
  HTTP and `requests` the kit's own header `x-labkit-vpce-id` (removed before the API sees the
  request). On AWS the VPC endpoint is the network path itself.
- A PRIVATE API called from outside a VPC answers 403 `{"message": "Forbidden"}`; on AWS the private
  invoke URL is reachable only inside the VPC (or with private DNS, through the VPC endpoint).
  https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html
- A PRIVATE API without a resource policy answers 403 (implicit deny). On AWS it cannot even be
  deployed ("Private REST API doesn't have a resource policy attached to it"), and the kit's moto
  backend refuses it too; this answer is for a control plane that deploys it anyway (LocalStack).
- An edge-optimized endpoint's CloudFront headers name a POP near the API's region (the kit has no
  client location); header names are not capitalised as CloudFront does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .auth import has_resource_policy, not_authorized
from .auth.policy import method_arn
from .http import Headers, Response
from .pipeline import Call, Next

VPCE_HEADER = "x-labkit-vpce-id"  # the kit's simulation of "this request came through VPC endpoint X"
NONE_BASE_PATH = "(none)"  # how the API stores the empty base path
_FORBIDDEN = json.dumps({"message": "Forbidden"}).encode()

# The CloudFront POP the kit names for an edge-optimized API in each region (airport codes as AWS
# uses them in X-Amz-Cf-Pop). The kit's assumption: a client near the API's region.
_POPS = {"us-east-1": "IAD89", "us-east-2": "CMH68", "us-west-1": "SFO53", "us-west-2": "SEA19",
         "ca-central-1": "YUL62", "eu-west-1": "DUB56", "eu-west-2": "LHR61", "eu-west-3": "CDG50",
         "eu-central-1": "FRA56", "eu-north-1": "ARN56", "eu-south-1": "MXP63", "ap-northeast-1": "NRT57",
         "ap-northeast-2": "ICN57", "ap-southeast-1": "SIN2", "ap-southeast-2": "SYD1", "ap-south-1": "BOM78",
         "sa-east-1": "GRU3", "me-south-1": "BAH53", "af-south-1": "CPT52", "ap-east-1": "HKG62"}


def known_domains(source: Any) -> Mapping[str, dict[str, Any]]:
    """The backend's custom domain names (empty for a source that has none)."""
    lookup = getattr(source, "domain_names", None)
    if lookup is None:
        return {}
    try:
        return lookup()
    except Exception:  # a backend without the API (or a failing call) knows no domain
        return {}


def map_base_path(mappings: list[dict[str, Any]], path: str) -> tuple[str, str, str, str] | None:
    """(api_id, stage, path in the stage, basePath matched) for `path` on a domain, or None.

    The longest base path that is a whole-segment prefix of the path wins; `(none)` takes the rest.
    A mapping without a stage takes the stage from the next path segment.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html
    """
    best: tuple[int, dict[str, Any], str] | None = None
    for mapping in mappings:
        base = str(mapping.get("basePath") or NONE_BASE_PATH)
        if base == NONE_BASE_PATH:
            rest, length = path, 0
        else:
            prefix = "/" + base.strip("/")
            if path != prefix and not path.startswith(prefix + "/"):
                continue
            rest, length = path[len(prefix):] or "/", len(prefix)
        if best is None or length > best[0]:
            best = (length, mapping, rest)
    if best is None:
        return None
    _, mapping, rest = best
    stage = mapping.get("stage")
    if not stage or stage == NONE_BASE_PATH:
        segments = rest.split("/", 2)
        stage = segments[1] if len(segments) > 1 else ""
        rest = "/" + (segments[2] if len(segments) > 2 else "")
    return str(mapping.get("restApiId") or ""), str(stage), rest or "/", str(mapping.get("basePath") or NONE_BASE_PATH)


# --- the steps ------------------------------------------------------------------------------------------

def forbidden(call: Call, why: str) -> Response:
    """403 `{"message": "Forbidden"}`, answered by the endpoint before any API is involved, so no
    gateway response customisation applies.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-disable-default-endpoint.html"""
    call.answered_by = "endpoint"
    call.facts.add("endpoint-forbidden")
    call.log(why)
    call.log("Method completed with status: 403")
    return Response(403, Headers([("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")]),
                    _FORBIDDEN)


def endpoints(call: Call, next_step: Next) -> Response:
    """Custom domain mapping, the disabled default endpoint and PRIVATE endpoints."""
    req = call.request
    gateway = call.gateway
    stated = req.headers.get(VPCE_HEADER)
    if stated is not None:
        del req.headers[VPCE_HEADER]  # the kit's simulation header never reaches the API
        if req.vpce_id is None:
            req.vpce_id = stated.strip() or None
    if not req.api_id:  # a custom domain name: find the API mapping
        domain = req.domain_name
        if domain not in known_domains(gateway.source):
            return forbidden(call, f"No custom domain name {domain!r} in this backend")
        mapped = map_base_path(_mappings(gateway.source, domain), req.path)
        if mapped is None:
            # AWS does not document the answer for a base path that matches no mapping (and no
            # `(none)` mapping exists); 403 {"message":"Forbidden"} is what callers report seeing.
            return forbidden(call, f"No base path mapping of {domain} matches {req.path}")
        req.raw_path = req.path
        req.api_id, req.stage, req.path, req.base_path = mapped
        call.invalidate_context()
    snapshot = gateway.snapshot(req.api_id, req.stage)
    if snapshot is None:
        return next_step(call)  # resolve answers 403 Missing Authentication Token
    rest_api = snapshot.deployment.rest_api
    if req.base_path is None and _true(rest_api.get("disableExecuteApiEndpoint")):
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-disable-default-endpoint.html
        # The kit reads the setting from the deployment: it takes effect on the next deployment.
        return forbidden(call, "The default execute-api endpoint of this API is disabled")
    if "PRIVATE" in snapshot.deployment.endpoint_types:
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html
        if not req.vpce_id:
            return forbidden(call, "A private API answers only requests through a VPC endpoint "
                                   f"(the kit's simulation: the {VPCE_HEADER} header or invoke(vpce_id=...))")
        if not has_resource_policy(rest_api):
            call.snapshot = snapshot  # the API's gateway responses apply
            source = gateway.source
            arn = method_arn(source.region, source.account_id, req.api_id, req.stage, req.method, req.path)
            raise not_authorized("anonymous", arn, False)
        call.identity["vpceId"] = req.vpce_id
        call.invalidate_context()
    return next_step(call)


def cloudfront(call: Call, next_step: Next) -> Response:
    """Edge-optimized endpoints answer through CloudFront: `Via`, `X-Cache`, `X-Amz-Cf-Pop`, `X-Amz-Cf-Id`.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-endpoint-types.html"""
    response = next_step(call)
    if _edge(call):
        digest = hashlib.sha256(call.request_id.encode()).digest()
        region = call.gateway.source.region
        headers = response.headers
        headers.add("X-Cache", "Miss from cloudfront" if response.status_code < 400 else "Error from cloudfront")
        headers.add("Via", f"1.1 {digest[:16].hex()}.cloudfront.net (CloudFront)")
        headers.add("X-Amz-Cf-Pop", f"{_POPS.get(region, 'IAD89')}-C1")
        headers.add("X-Amz-Cf-Id", base64.urlsafe_b64encode(digest + digest[:10]).decode()[:54] + "==")
    return response


def _edge(call: Call) -> bool:
    req = call.request
    if req.domain_name and (req.base_path is not None or not req.api_id):  # through a custom domain name
        found = known_domains(call.gateway.source).get(req.domain_name)
        if found is None:
            return False
        types = (found.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
        return "EDGE" in types
    snapshot = call.snapshot or (call.gateway.snapshot(req.api_id, req.stage) if req.api_id else None)
    return snapshot is not None and "EDGE" in snapshot.deployment.endpoint_types


def _mappings(source: Any, domain: str) -> list[dict[str, Any]]:
    lookup = getattr(source, "base_path_mappings", None)
    if lookup is None:
        return []
    try:
        return list(lookup(domain))
    except Exception:
        return []


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
