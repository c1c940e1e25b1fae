"""Resources: create/get/update/delete resource: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

Recordings below are in test_apigateway_api.snapshot.json, class TestApiGatewayApiResource.

What this module restores:
- UpdateResource (moto 5.2 had none): replace `/pathPart` or `/parentId`, with AWS's refusals: an unknown
  resource or parent (404), another path or op (400, AWS's two wordings), the root resource, a cycle, a sibling
  of the same name (409) [test_update_resource_behaviour, test_update_resource_on_root, test_resource_lifecycle];
  a new pathPart follows CreateResource's character rule (moto's wording: no recording of AWS's).
- CreateResource refuses a second variable path part among siblings ("A sibling ({proxy+}) of this resource
  already has a variable path part -- only one is allowed") and any child of a greedy `{name+}` resource
  [test_create_proxy_resource_validation; test_create_proxy_resource shows what stays allowed].
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway import models as _models
from moto.apigateway import responses as _responses
from moto.apigateway.exceptions import (
    BadRequestException,
    ConflictException,
    InvalidResourcePathException,
    NotFoundException,
)

from ..shared import Wrap

UNKNOWN_RESOURCE = "Invalid Resource identifier specified"  # "nonexistent-resource", "invalid-parent-id"
UPDATABLE_PATHS = ("/parentId", "/pathPart")
# A path part: a-zA-Z0-9._-: or one {variable}, optionally greedy {variable+} (as moto checks CreateResource).
VALID_PATH_PART = re.compile(r"^\{?[a-zA-Z0-9._\-:]+\+?\}?$")


class ResourceNotFound(NotFoundException):
    code = 404


def _parts(response: Any) -> list[str]:
    return [unquote(p) for p in response.path.split("/")]


def is_variable(path_part: str) -> bool:
    """`{name}` or `{name+}`: a path variable."""
    return path_part.startswith("{") and path_part.endswith("}")


def is_greedy(path_part: str) -> bool:
    """`{name+}`: matches the rest of the path, so it can have no child."""
    return is_variable(path_part) and path_part.endswith("+}")


def check_placement(api: Any, parent_id: str, path_part: str, moving: str | None = None) -> None:
    """Refuse a path part under `parent_id` as AWS does (test_create_proxy_resource_validation): no child of a
    greedy resource, one variable path part among siblings, no sibling of the same name (409,
    test_update_resource_behaviour "existing-future-sibling-path"). `moving` is the resource being placed."""
    parent = api.resources.get(parent_id)
    if parent is None:
        raise ResourceNotFound(UNKNOWN_RESOURCE)
    if parent.path_part and is_greedy(parent.path_part):
        raise BadRequestException(f"Cannot create a child of a resource with a greedy path variable: {parent.path_part}")
    siblings = [r for r in api.resources.values() if r.parent_id == parent_id and r.id != moving]
    for sibling in siblings:
        if sibling.path_part == path_part:
            raise ConflictException(f"Another resource with the same parent already has this name: {path_part}")
    if is_variable(path_part):
        for sibling in siblings:
            if is_variable(sibling.path_part):
                raise BadRequestException(f"A sibling ({sibling.path_part}) of this resource already has a variable "
                                          "path part -- only one is allowed")


def patch_create_resource(original: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a child of a greedy resource or a second variable sibling before moto adds the resource."""

    @functools.wraps(original)
    def create_resource(self: Any, *args: Any, **kwargs: Any) -> Any:
        parts = _parts(self)
        api_id, parent_id = parts[2], parts[-1]
        api = self.backend.get_rest_api(api_id)
        path_part = self._get_param("pathPart")
        if path_part and parent_id in api.resources:
            check_placement(api, parent_id, path_part)
        return original(self, *args, **kwargs)

    return create_resource


def _descendants(api: Any, resource_id: str) -> set[str]:
    found, frontier = set(), {resource_id}
    while frontier:
        found |= frontier
        frontier = {r.id for r in api.resources.values() if r.parent_id in frontier} - found
    return found


def _target(resource: Any, operations: list[dict[str, Any]]) -> tuple[str, str]:
    """The (parentId, pathPart) the operations ask for, after checking each operation's op and path."""
    parent_id, path_part = resource.parent_id, resource.path_part
    for operation in operations:
        op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
        if op != "replace":
            # "remove-unsupported", "add-unsupported" (two spaces after "path", as AWS writes it)
            raise BadRequestException(f"Invalid patch path  '{path}' specified for op '{op}'. "
                                      "Please choose supported operations")
        if path not in UPDATABLE_PATHS:
            raise BadRequestException(f"Invalid patch path  '{path}' specified for op 'replace'. "
                                      f"Must be one of: [{', '.join(UPDATABLE_PATHS)}]")  # "invalid-path-part"
        if resource.parent_id is None:
            field = path[1:]
            raise BadRequestException(f"Root resource cannot update its {field}.")  # test_update_resource_on_root
        if path == "/parentId":
            parent_id = value
        elif not VALID_PATH_PART.match(str(value or "")):
            raise InvalidResourcePathException()  # the rule (and moto's wording) CreateResource applies
        else:
            path_part = value
    return parent_id, path_part


def update_resource(self: Any) -> Any:
    """UpdateResource: replace /pathPart or /parentId. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateResource.html"""
    parts = _parts(self)
    api_id, resource_id = parts[2], parts[4]
    api = self.backend.get_rest_api(api_id)
    resource = api.resources.get(resource_id)
    if resource is None:
        raise ResourceNotFound(UNKNOWN_RESOURCE)  # "nonexistent-resource"
    parent_id, path_part = _target(resource, self._get_param("patchOperations") or [])
    if (parent_id, path_part) != (resource.parent_id, resource.path_part):
        if parent_id not in api.resources:
            raise ResourceNotFound(UNKNOWN_RESOURCE)  # "invalid-parent-id"
        if parent_id in _descendants(api, resource_id):
            raise BadRequestException("Resources cannot be cyclical.")  # "update-parent-id-to-subresource-id"
        check_placement(api, parent_id, path_part, moving=resource_id)
        resource.parent_id, resource.path_part = parent_id, path_part
    return 200, {"status": 200}, json.dumps(resource.to_dict())


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = (update_resource,)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    response = _responses.APIGatewayResponse
    return [
        Wrap(response, "create_resource", patch_create_resource),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return [(_responses.APIGatewayResponse, "_get_param"), (_models.Resource, "to_dict")]
