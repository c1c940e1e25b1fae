"""Routing a request path to a resource and method: literal parts, `{param}`, greedy `{proxy+}`, ANY.

A literal path part wins over `{param}`, which wins over `{proxy+}`; a method falls back to ANY.
No match answers 403 "Missing Authentication Token", as AWS does for an unknown path or method.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .responses import GatewayError


@dataclass
class Route:
    """A resource's method as the router hands it on."""

    resource: dict[str, Any]
    method: dict[str, Any]
    path_parameters: dict[str, str]

    @property
    def resource_path(self) -> str:
        return self.resource["path"]


@dataclass
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    param: tuple[str, _Node] | None = None
    greedy: tuple[str, dict[str, Any]] | None = None
    resource: dict[str, Any] | None = None


class Router:
    """Compiled path templates of one deployment."""

    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self._root = _Node()
        for resource in resources:
            self._add(resource)

    def _add(self, resource: dict[str, Any]) -> None:
        node = self._root
        parts = [p for p in resource["path"].split("/") if p]
        for i, part in enumerate(parts):
            if part.startswith("{") and part.endswith("+}"):
                if i != len(parts) - 1:
                    return  # AWS allows {proxy+} only as the last part
                node.greedy = (part[1:-2], resource)
                return
            if part.startswith("{") and part.endswith("}"):
                if node.param is None:
                    node.param = (part[1:-1], _Node())
                node = node.param[1]
            else:
                node = node.literal.setdefault(part, _Node())
        node.resource = resource

    def match(self, http_method: str, path: str) -> Route:
        """The route for `path`, or GatewayError MISSING_AUTHENTICATION_TOKEN.

        A resource that matches the path but lacks the method (and ANY) lets the next candidate answer:
        OPTIONS /test reaches /{proxy+}'s OPTIONS when /test has only POST (validated on AWS: LocalStack's
        test_apigateway_common.py::TestApigatewayRouting::test_proxy_routing_with_hardcoded_resource_sibling)."""
        parts = [p for p in path.split("/") if p]
        verb = http_method.upper()
        for resource, params in self._candidates(self._root, parts, 0, {}, path):
            methods = resource.get("resourceMethods") or {}
            method = methods.get(verb) or methods.get("ANY")
            if method is not None:
                return Route(resource, method, params)
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN", reason="no-route",
                           log=f"No method found matching route {path} for http method {http_method}.")

    def _candidates(self, node: _Node, parts: list[str], i: int, params: dict[str, str],
                    path: str) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
        """Resources matching `parts[i:]` below `node`, best first: literal, then {param}, then {proxy+}."""
        if i == len(parts):
            if node.resource is not None:
                yield node.resource, params
            return
        part = parts[i]
        child = node.literal.get(unquote(part)) or node.literal.get(part)
        if child is not None:
            yield from self._candidates(child, parts, i + 1, params, path)
        if node.param is not None:
            name, child = node.param
            yield from self._candidates(child, parts, i + 1, {**params, name: unquote(part)}, path)
        if node.greedy is not None:
            name, resource = node.greedy
            yield resource, {**params, name: greedy_value(path, i)}


def greedy_value(path: str, skip: int) -> str:
    """A greedy `{proxy+}` value: the path after its first `skip` segments as sent, inner slashes kept,
    percent-encoding kept, a trailing slash dropped (test_apigateway_lambda.snapshot.json::
    test_lambda_aws_proxy_integration, invocation-payload-with-double-slash, -with-trailing-slash and
    -with-path-encoded-email)."""
    rest = path.lstrip("/")
    for _ in range(skip):
        rest = rest.split("/", 1)[1].lstrip("/") if "/" in rest else ""
    return rest.rstrip("/")
