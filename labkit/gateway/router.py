"""Routing a request path to a resource and method: literal parts, `{param}`, greedy `{proxy+}`, ANY.

A literal path part wins over `{param}`, which wins over `{proxy+}`; a method falls back to ANY.
No match answers 403 "Missing Authentication Token", as AWS does for an unknown path or method.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
"""

from __future__ import annotations

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
        """The route for `path`, or GatewayError MISSING_AUTHENTICATION_TOKEN."""
        parts = [p for p in path.split("/") if p]
        found = self._find(self._root, parts, 0, {})
        if found is not None:
            resource, params = found
            methods = resource.get("resourceMethods") or {}
            method = methods.get(http_method.upper()) or methods.get("ANY")
            if method is not None:
                return Route(resource, method, params)
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN", reason="no-route",
                           log=f"No method found matching route {path} for http method {http_method}.")

    def _find(self, node: _Node, parts: list[str], i: int,
              params: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]] | None:
        if i == len(parts):
            if node.resource is not None:
                return node.resource, params
            return None
        part = parts[i]
        child = node.literal.get(unquote(part)) or node.literal.get(part)
        if child is not None:
            found = self._find(child, parts, i + 1, params)
            if found:
                return found
        if node.param is not None:
            name, child = node.param
            found = self._find(child, parts, i + 1, {**params, name: unquote(part)})
            if found:
                return found
        if node.greedy is not None:
            name, resource = node.greedy
            return resource, {**params, name: unquote("/".join(parts[i:]))}
        return None
