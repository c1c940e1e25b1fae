"""Documentation parts and versions: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

Recordings below are in test_apigateway_api.snapshot.json, class TestApiGatewayApiDocumentationPart (TADP).

What this module restores:
- CreateDocumentationPart / GetDocumentationPart(s) / UpdateDocumentationPart / DeleteDocumentationPart
  (201 / 200 / 200 / 202; `properties` kept as the JSON string given) [TADP::test_documentation_part_lifecycle]
- An unknown API → 404 NotFoundException "Invalid API identifier specified {account}:{api}" on create, list
  and delete [TADP::test_doc_parts_crud_no_api, test_invalid_create/delete_documentation_part*,
  test_invalid_get_documentation_parts]; on get and update AWS says "Invalid Documentation part identifier
  specified" [TADP::test_invalid_get_documentation_part, test_invalid_update_documentation_part]
- A location type outside AWS's enum → 400 ValidationException
  [TADP::test_invalid_create_documentation_part_operations]
- UpdateDocumentationPart accepts only `replace /properties`, with AWS's two messages otherwise
  [TADP::test_invalid_update_documentation_part]
- ImportDocumentationParts reads `x-amazon-apigateway-documentation` from an OpenAPI JSON/YAML body
  (overwrite or merge), answers the new ids; an unreadable body → 400 "Unable to build importer with
  provided input." [TADP::test_import_documentation_parts, test_import_documentation_parts_bad_file]
- Documentation versions: Create (201; version and createdDate, description only when given) / Get / GetAll /
  Update (`/description`) / Delete (202) (test_apigateway_common.snapshot.json,
  TestDocumentations::test_documentation_parts_and_versions;
  https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDocumentationVersion.html)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import yaml
from moto.apigateway.exceptions import (
    BadRequestException,
    ConflictException,
    NotFoundException,
    ValidationException,
)
from moto.apigateway.models import APIGatewayBackend
from moto.apigateway.utils import create_id

from ..shared import PATCH_LOCK, Wrap


class Missing(NotFoundException):
    """NotFoundException with AWS's HTTP status 404 (moto's base class answers 400)."""

    code = 404

PARTS_ATTR = "_labkit_documentation_parts"  # on moto's RestAPI: {part_id: part as AWS answers it}
VERSIONS_ATTR = "_labkit_documentation_versions"  # on moto's RestAPI: {version: version as AWS answers it}

# moto's URL table lacks these paths (see misc_operations.route_new_paths, which adds them).
URL_PATTERNS = (
    "{0}/restapis/(?P<function_id>[^/]+)/documentation/parts/?$",
    "{0}/restapis/(?P<function_id>[^/]+)/documentation/parts/(?P<part_id>[^/]+)/?$",
    "{0}/restapis/(?P<function_id>[^/]+)/documentation/versions/?$",
    "{0}/restapis/(?P<function_id>[^/]+)/documentation/versions/(?P<version>[^/]+)/?$",
)

# The enum in AWS's ValidationException message, in AWS's order
# [TADP::test_invalid_create_documentation_part_operations create_documentation_part_invalid_location_type].
LOCATION_TYPES = ("RESPONSE_BODY", "RESPONSE", "METHOD", "MODEL", "AUTHORIZER", "RESPONSE_HEADER", "RESOURCE",
                  "PATH_PARAMETER", "REQUEST_BODY", "QUERY_PARAMETER", "API", "REQUEST_HEADER")
# Types located by a path: AWS fills in path "/" when none is given (TADP::test_import_documentation_parts,
# whose comment says AWS returns the `path` field for RESPONSE and METHOD).
PATH_TYPES = {"RESOURCE", "METHOD", "PATH_PARAMETER", "QUERY_PARAMETER", "REQUEST_HEADER", "REQUEST_BODY",
              "RESPONSE", "RESPONSE_HEADER", "RESPONSE_BODY"}
PART_NOT_FOUND = "Invalid Documentation part identifier specified"
VERSION_NOT_FOUND = "Invalid Documentation version identifier specified"  # kit's wording (not recorded)


def _path_parts(response: Any) -> list[str]:
    return response.path.split("?")[0].strip("/").split("/")


def _api(response: Any, api_id: str) -> Any:
    """moto's RestAPI, or AWS's 404 naming the account [TADP::test_doc_parts_crud_no_api]."""
    api = response.backend.apis.get(api_id)
    if api is None:
        raise Missing(f"Invalid API identifier specified {response.current_account}:{api_id}")
    return api


def _store(api: Any, attr: str) -> dict[str, dict[str, Any]]:
    return api.__dict__.setdefault(attr, {})


def _json(status: int, body: Any) -> Any:
    return status, {"status": status}, json.dumps(body) if body is not None else ""


def _location(raw: dict[str, Any]) -> dict[str, Any]:
    """A location as AWS answers it: the given fields, path "/" for path-located types."""
    kind = raw.get("type")
    if kind not in LOCATION_TYPES:
        raise ValidationException(
            f"1 validation error detected: Value '{kind}' at 'createDocumentationPartInput.location.type' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(LOCATION_TYPES)}]")
    location = {k: raw[k] for k in ("method", "name", "path", "statusCode") if raw.get(k)}
    if kind in PATH_TYPES and "path" not in location:
        location["path"] = "/"
    return {**location, "type": kind}


def _new_part(api: Any, location: dict[str, Any], properties: Any) -> dict[str, Any]:
    text = properties if isinstance(properties, str) else json.dumps(properties)
    part = {"id": create_id(), "location": _location(location), "properties": text}
    with PATCH_LOCK:
        parts = _store(api, PARTS_ATTR)
        if any(p["location"] == part["location"] for p in parts.values()):
            # AWS: one part per location (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDocumentationPart.html, ConflictException)
            raise ConflictException("Documentation part already exists for the specified location")
        parts[part["id"]] = part
    return part


def create_documentation_part(self: Any) -> Any:
    """CreateDocumentationPart. https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDocumentationPart.html"""
    api = _api(self, _path_parts(self)[1])
    part = _new_part(api, self._get_param("location") or {}, self._get_param("properties") or "{}")
    return _json(201, part)


def _part(self: Any) -> tuple[Any, dict[str, Any]]:
    parts = _path_parts(self)
    api = self.backend.apis.get(parts[1])
    part = _store(api, PARTS_ATTR).get(parts[4]) if api is not None else None
    if part is None:  # AWS names the part even when the API is unknown [TADP::test_invalid_get_documentation_part]
        raise Missing(PART_NOT_FOUND)
    return api, part


def get_documentation_part(self: Any) -> Any:
    """GetDocumentationPart. https://docs.aws.amazon.com/apigateway/latest/api/API_GetDocumentationPart.html"""
    return _json(200, _part(self)[1])


def get_documentation_parts(self: Any) -> Any:
    """GetDocumentationParts, filtered by type/path/nameQuery as the API reference lists (one page)."""
    api = _api(self, _path_parts(self)[1])
    query = {k: v[0] for k, v in self.querystring.items() if v}
    items = list(_store(api, PARTS_ATTR).values())
    if query.get("type"):
        items = [p for p in items if p["location"]["type"] == query["type"]]
    if query.get("path"):
        items = [p for p in items if p["location"].get("path") == query["path"]]
    if query.get("name"):
        items = [p for p in items if query["name"] in p["location"].get("name", "")]
    return _json(200, {"item": items})


def update_documentation_part(self: Any) -> Any:
    """UpdateDocumentationPart: only `replace /properties` [TADP::test_invalid_update_documentation_part]."""
    _, part = _part(self)
    operations = self._get_param("patchOperations") or []
    for op in operations:
        if op.get("path") != "/properties":
            raise BadRequestException(f"Invalid patch path  '{op.get('path')}' specified for op '{op.get('op')}'. "
                                      "Must be one of: [/properties]")
        if op.get("op") != "replace":
            raise BadRequestException(f"Invalid patch path  '/properties' specified for op '{op.get('op')}'. "
                                      "Please choose supported operations")
    with PATCH_LOCK:
        for op in operations:
            part["properties"] = op.get("value") or "{}"
    return _json(200, part)


def delete_documentation_part(self: Any) -> Any:
    """DeleteDocumentationPart: 202; an unknown API names the API [TADP::test_invalid_delete_documentation_part]."""
    parts = _path_parts(self)
    api = _api(self, parts[1])
    with PATCH_LOCK:
        if _store(api, PARTS_ATTR).pop(parts[4], None) is None:
            raise Missing(PART_NOT_FOUND)
    return 202, {"status": 202}, ""


def _import_body(raw: Any) -> list[dict[str, Any]]:
    text = raw.decode() if isinstance(raw, bytes) else str(raw or "")
    try:
        document = yaml.safe_load(text)  # JSON is YAML too
        found = document["x-amazon-apigateway-documentation"]["documentationParts"]
        if not isinstance(found, list):
            raise TypeError
    except (yaml.YAMLError, TypeError, KeyError, UnicodeDecodeError):
        # [TADP::test_import_documentation_parts_bad_file]
        raise BadRequestException("Unable to build importer with provided input.") from None
    return found


def import_documentation_parts(self: Any) -> Any:
    """ImportDocumentationParts: overwrite (the default) replaces every part, merge adds or updates by location.
    https://docs.aws.amazon.com/apigateway/latest/api/API_ImportDocumentationParts.html"""
    api = _api(self, _path_parts(self)[1])
    found = _import_body(self.body)
    mode = ({k: v[0] for k, v in self.querystring.items() if v}).get("mode", "merge")
    ids = []
    with PATCH_LOCK:
        parts = _store(api, PARTS_ATTR)
        if mode == "overwrite":
            parts.clear()
        for entry in found:
            location = _location(entry.get("location") or {})
            for old_id in [i for i, p in parts.items() if p["location"] == location]:
                del parts[old_id]
            ids.append(_new_part(api, location, entry.get("properties") or {})["id"])
    return _json(200, {"ids": ids, "warnings": []})


def create_documentation_version(self: Any) -> Any:
    """CreateDocumentationVersion: 201. https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDocumentationVersion.html"""
    api = _api(self, _path_parts(self)[1])
    name = self._get_param("documentationVersion")
    stage = self._get_param("stageName")
    if stage:
        self.backend.get_stage(api.id, stage)  # NotFoundException for an unknown stage
    version = {"version": name, "createdDate": int(time.time())}
    if self._get_param("description"):
        version["description"] = self._get_param("description")
    with PATCH_LOCK:
        versions = _store(api, VERSIONS_ATTR)
        if name in versions:
            raise ConflictException(f"Documentation version {name} already exists")  # kit's wording
        versions[name] = version
    return _json(201, version)


def _version(self: Any) -> tuple[Any, dict[str, Any]]:
    parts = _path_parts(self)
    api = _api(self, parts[1])
    version = _store(api, VERSIONS_ATTR).get(parts[4])
    if version is None:
        raise Missing(VERSION_NOT_FOUND)
    return api, version


def get_documentation_version(self: Any) -> Any:
    """GetDocumentationVersion. https://docs.aws.amazon.com/apigateway/latest/api/API_GetDocumentationVersion.html"""
    return _json(200, _version(self)[1])


def get_documentation_versions(self: Any) -> Any:
    """GetDocumentationVersions (one page). https://docs.aws.amazon.com/apigateway/latest/api/API_GetDocumentationVersions.html"""
    api = _api(self, _path_parts(self)[1])
    return _json(200, {"item": list(_store(api, VERSIONS_ATTR).values())})


def update_documentation_version(self: Any) -> Any:
    """UpdateDocumentationVersion: `replace /description`. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateDocumentationVersion.html"""
    _, version = _version(self)
    for op in self._get_param("patchOperations") or []:
        if op.get("op") != "replace" or op.get("path") != "/description":
            raise BadRequestException(f"Invalid patch path  '{op.get('path')}' specified for op '{op.get('op')}'. "
                                      "Must be one of: [/description]")  # shaped like the recorded part message
        with PATCH_LOCK:
            version["description"] = op.get("value")
    return _json(200, version)


def delete_documentation_version(self: Any) -> Any:
    """DeleteDocumentationVersion: 202. https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteDocumentationVersion.html"""
    api, version = _version(self)
    with PATCH_LOCK:
        _store(api, VERSIONS_ATTR).pop(version["version"], None)
    return 202, {"status": 202}, ""


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = (
    create_documentation_part, get_documentation_part, get_documentation_parts, update_documentation_part,
    delete_documentation_part, import_documentation_parts, create_documentation_version,
    get_documentation_version, get_documentation_versions, update_documentation_version,
    delete_documentation_version,
)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return []


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return [(APIGatewayBackend, "get_stage")]
