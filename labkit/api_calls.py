"""Small helpers over a boto3 `apigateway` client, shared by the builders (`labkit.apis`), the OpenAPI
import (`labkit.openapi`) and the simulator's own APIs: paging, resource paths, Lambda URIs.

They take a plain client and ids, never a `RestApi`, so the modules that use them need not import each other.
"""

from __future__ import annotations

import re
from typing import Any

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")

_PATH_PARAM_RE = re.compile(r"^\{([A-Za-z0-9._-]+)(\+?)\}$")


def strip_metadata(response: dict[str, Any]) -> dict[str, Any]:
    """Drop boto3's ResponseMetadata so results compare and print cleanly."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def paginate(client: Any, operation: str, key: str = "items", **kwargs: Any) -> list[dict[str, Any]]:
    """Collect every page of a list call (paginator when boto3 has one)."""
    if client.can_paginate(operation):
        items: list[dict[str, Any]] = []
        for page in client.get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(key, []))
        return items
    return list(getattr(client, operation)(**kwargs).get(key, []))


def lambda_uri(region: str, function_arn: str) -> str:
    """The integration URI API Gateway uses to invoke a Lambda function (stage variables allowed)."""
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (uri)
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def path_params(path: str) -> list[str]:
    """Names of the path parameters in a resource path, `{proxy+}` giving `proxy`."""
    names = []
    for part in path.strip("/").split("/"):
        m = _PATH_PARAM_RE.match(part)
        if m:
            names.append(m.group(1))
    return names


def split_path(path: str) -> list[str]:
    """Validate a resource path like `/pets/{petId}` and return its parts."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"path must start with '/', got {path!r}")
    stripped = path.strip("/")
    parts = stripped.split("/") if stripped else []
    for i, part in enumerate(parts):
        if not part:
            raise ValueError(f"path {path!r} has an empty segment ('//')")
        if "{" in part or "}" in part:
            m = _PATH_PARAM_RE.match(part)
            if not m:
                raise ValueError(f"path segment {part!r} must be a literal, '{{name}}' or '{{name+}}'")
            # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html
            if m.group(2) and i != len(parts) - 1:
                raise ValueError(f"greedy path variable {part!r} must be the last segment of {path!r}")
    return parts


def ensure_resource(client: Any, api_id: str, path: str, known: dict[str, str] | None = None) -> str:
    """Create any missing resources along `path` and return the id of the last one.

    `known` maps existing paths to ids; pass it to avoid re-listing resources on every call.
    Parents are always ids just read or created, never guessed (moto corrupts an API on a bad parentId).
    """
    parts = split_path(path)
    if known is None:
        known = {r["path"]: r["id"] for r in paginate(client, "get_resources", restApiId=api_id)}
    parent_id = known["/"]
    current = ""
    for part in parts:
        current = f"{current}/{part}"
        if current not in known:
            created = client.create_resource(restApiId=api_id, parentId=parent_id, pathPart=part)
            known[current] = created["id"]
        parent_id = known[current]
    return parent_id


def add_binary_media_types(client: Any, api_id: str, media_types: list[str]) -> dict[str, Any]:
    """Add binary media types to an API (console: API settings > Binary media types)."""
    # AWS reads the type from the path ('/' escaped as '~1'); moto reads `value`, so send both.
    ops = [
        {"op": "add", "path": "/binaryMediaTypes/" + t.replace("~", "~0").replace("/", "~1"), "value": t}
        for t in media_types
    ]
    return strip_metadata(client.update_rest_api(restApiId=api_id, patchOperations=ops))


def definition_from_client(client: Any, api_id: str) -> dict[str, Any]:
    """Read everything export() needs through plain boto3 calls (boto3 response shapes)."""
    resources = paginate(client, "get_resources", restApiId=api_id, embed=["methods"])
    for resource in resources:
        for verb, method in list((resource.get("resourceMethods") or {}).items()):
            # AWS (and some moto versions) embed only a method summary; fetch the full method then.
            if "methodIntegration" not in method or "httpMethod" not in method:
                try:
                    full = strip_metadata(client.get_method(restApiId=api_id, resourceId=resource["id"],
                                                            httpMethod=verb))
                except client.exceptions.NotFoundException:
                    continue
                resource["resourceMethods"][verb] = full
    return {
        "restApi": strip_metadata(client.get_rest_api(restApiId=api_id)),
        "region": client.meta.region_name,
        "resources": resources,
        "authorizers": paginate(client, "get_authorizers", restApiId=api_id),
        "gatewayResponses": paginate(client, "get_gateway_responses", restApiId=api_id),
        "models": paginate(client, "get_models", restApiId=api_id),
        "requestValidators": paginate(client, "get_request_validators", restApiId=api_id),
    }
