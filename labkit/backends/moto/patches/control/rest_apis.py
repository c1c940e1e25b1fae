"""REST APIs: create/get/update/delete rest API (import and put: imports.py): moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

Recordings below are in test_apigateway_api.snapshot.json, class TestApiGatewayApiRestApi, unless named otherwise.

What this module restores:
- An unknown restApiId answers 404 NotFoundException "Invalid API identifier specified {account}:{id}" on every
  operation that looks the API up (moto: "Invalid Rest API Id specified"; delete answered a 400)
  [test_update_rest_api_invalid_api_id, test_get_api_case_insensitive].
- CreateRestApi answers 201 with AWS's fields only: no `version` unless given, no empty `binaryMediaTypes`,
  `description`, `tags`, `policy` or `minimumCompressionSize`; `endpointConfiguration.ipAddressType` defaults to
  ipv4 (dualstack for PRIVATE); `binaryMediaTypes` and `version` given on create are kept (moto dropped them)
  [test_create_rest_api_verify_defaults, _with_optional_params, _with_binary_media_types, _with_tags].
- CreateRestApi validation as AWS orders it: enum errors (types, ipAddressType) concatenated in one
  ValidationException, then "Description cannot be an empty string", the minimum compression size range,
  empty or multiple endpoint types, ipv4 on a PRIVATE API [test_create_rest_api_with_endpoint_configuration,
  test_create_rest_api_private_type, test_create_rest_api_with_optional_params].
- UpdateRestApi: binaryMediaTypes are keyed by the escaped path (add/replace/remove, `/binaryMediaTypes` alone is an
  invalid path), remove `/description`, replace `/minimumCompressionSize` (range-checked, "" or no value
  disables it), `/endpointConfiguration/types/..` and `/endpointConfiguration/ipAddressType` with AWS's messages,
  an op outside the JSON-patch set answers one ValidationException listing every bad op, `disableExecuteApiEndpoint`
  "false" is false; nothing is changed when one operation is refused; the answer carries `tags` (also empty)
  [test_update_rest_api_operation_add_remove, _compression, _behaviour, _concatenation_of_errors,
  _ip_address_type].
- DeleteRestApi answers 202 [test_list_and_delete_apis "delete-rest-api"].
- GetRestApi shows `tags` even when empty, GetRestApis does not [test_apigateway_import.snapshot.json::
  test_put_rest_api_mode_binary_media_types "get-rest-api"; test_list_and_delete_apis].
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from typing import Any

from moto.apigateway import models as _models
from moto.apigateway import responses as _responses
from moto.apigateway.exceptions import (
    BadRequestException,
    NotFoundException,
    RestAPINotFound,
    ValidationException,
)

from ..shared import Wrap, binder, uses
from .imports import import_document

# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = ()

ENDPOINT_TYPES = ("PRIVATE", "EDGE", "REGIONAL")  # in the order AWS lists them in its enum message
IP_ADDRESS_TYPES = ("ipv4", "dualstack")
API_KEY_SOURCES = ("AUTHORIZER", "HEADER")
PATCH_OPS = ("add", "remove", "move", "test", "replace", "copy")
MAX_COMPRESSION = 10485760
# Fields AWS leaves out of a RestApi while they are unset (test_create_rest_api_verify_defaults: none of them).
OMITTED_WHEN_UNSET = ("description", "version", "binaryMediaTypes", "minimumCompressionSize", "policy", "tags")

COMPRESSION_RANGE = f"Invalid minimum compression size, must be between 0 and {MAX_COMPRESSION}"
REPLACE_ONLY = "Invalid patch operation specified. Must be one of: [replace]"


class UnknownApi(RestAPINotFound):
    """404 with AWS's wording; still a RestAPINotFound for moto's own `except` clauses (export)."""

    def __init__(self, account_id: str, api_id: str) -> None:
        NotFoundException.__init__(self, f"Invalid API identifier specified {account_id}:{api_id}")


def _api_id(response: Any) -> str:
    return response.path.replace("/restapis/", "", 1).split("/")[0]


def _reply(status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    return status, {"status": status}, json.dumps(body)


# --- the unknown-id answer, for every caller of get_rest_api ------------------------------------------------

@uses("function_id")
def patch_get_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """An unknown id answers AWS's 404 (recording: test_update_rest_api_invalid_api_id "not-found-update-rest-api")."""

    bind = binder(original)

    @functools.wraps(original)
    def get_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        function_id = bind(self, *args, **kwargs).arguments["function_id"]
        if function_id not in self.apis:
            raise UnknownApi(self.account_id, function_id)
        return original(self, *args, **kwargs)

    return get_rest_api


# --- the shape of a RestApi ---------------------------------------------------------------------------------

def default_ip_address_type(types: list[str]) -> str:
    """AWS's default: dualstack for a PRIVATE API, ipv4 otherwise (test_create_rest_api_verify_defaults)."""
    return "dualstack" if "PRIVATE" in types else "ipv4"


def patch_rest_api_to_dict(original: Callable[..., Any]) -> Callable[..., Any]:
    """A RestApi as AWS shows it: unset optional fields absent, ipAddressType always present."""

    @functools.wraps(original)
    def to_dict(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        shown = original(self, *args, **kwargs)
        for field in OMITTED_WHEN_UNSET:
            if shown.get(field) in (None, "", [], {}):
                shown.pop(field, None)
        endpoint = copy.deepcopy(shown.get("endpointConfiguration") or {"types": ["EDGE"]})
        endpoint.setdefault("ipAddressType", default_ip_address_type(endpoint.get("types") or []))
        shown["endpointConfiguration"] = endpoint
        return shown

    return to_dict


# --- CreateRestApi ------------------------------------------------------------------------------------------

def _enum_errors(api_key_source: Any, endpoint: dict[str, Any]) -> list[str]:
    """The enum violations AWS lists in one ValidationException (types before ipAddressType whatever the order
    given: "create-with-invalid-types-and-ip-address-type")."""
    errors = []
    if api_key_source is not None and api_key_source not in API_KEY_SOURCES:
        errors.append(f"Value '{api_key_source}' at 'createRestApiInput.apiKeySource' failed to satisfy constraint: "
                      f"Member must satisfy enum value set: [{', '.join(API_KEY_SOURCES)}]")
    types = endpoint.get("types")
    if types and any(t not in ENDPOINT_TYPES for t in types):
        errors.append(f"Value '[{', '.join(map(str, types))}]' at 'createRestApiInput.endpointConfiguration.types' "
                      "failed to satisfy constraint: Member must satisfy constraint: "
                      f"[Member must satisfy enum value set: [{', '.join(ENDPOINT_TYPES)}]]")
    ip_type = endpoint.get("ipAddressType")
    if ip_type is not None and ip_type not in IP_ADDRESS_TYPES:
        errors.append(f"Value '{ip_type}' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to "
                      f"satisfy constraint: Member must satisfy enum value set: [{', '.join(IP_ADDRESS_TYPES)}]")
    return errors


def validation_error(errors: list[str]) -> ValidationException:
    """AWS's concatenated form: "N validation error(s) detected: a; b"."""
    noun = "error" if len(errors) == 1 else "errors"
    return ValidationException(f"{len(errors)} validation {noun} detected: {'; '.join(errors)}")


def _valid_compression(value: Any) -> int | None:
    """The size as an int, or None when it is not an integer in AWS's range."""
    try:
        size = int(str(value))
    except ValueError:
        return None
    return size if 0 <= size <= MAX_COMPRESSION else None


def check_create(params: dict[str, Any]) -> None:
    """Refuse a CreateRestApi request as AWS does, in AWS's order (test_create_rest_api_with_endpoint_configuration,
    _private_type, _with_optional_params)."""
    endpoint = params.get("endpointConfiguration") or {}
    errors = _enum_errors(params.get("apiKeySource"), endpoint)
    if errors:
        raise validation_error(errors)
    if params.get("description") == "":
        raise BadRequestException("Description cannot be an empty string")
    size = params.get("minimumCompressionSize")
    if size is not None and _valid_compression(size) is None:
        raise BadRequestException(COMPRESSION_RANGE)
    types = endpoint.get("types", ["EDGE"]) if endpoint else ["EDGE"]
    if not types:
        raise BadRequestException("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.")
    if len(types) > 1:
        raise BadRequestException("Cannot create an api with multiple Endpoint Types.")
    if types == ["PRIVATE"] and endpoint.get("ipAddressType") == "ipv4":
        raise BadRequestException("Only dualstack ipAddressType is supported for Private APIs.")


def _request_json(response: Any) -> dict[str, Any]:
    try:
        found = json.loads(response.body or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def patch_create_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateRestApi with AWS's validation, defaults and 201; an import (an OpenAPI body) stays moto's."""

    @functools.wraps(original)
    def create_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        params = _request_json(self)
        if self.querystring.get("mode"):
            return import_document(self)  # ImportRestApi (POST /restapis?mode=import) comes through here
        check_create(params)
        status, headers, body = original(self, *args, **kwargs)
        if status >= 300:
            return status, headers, body
        rest_api = self.backend.get_rest_api(json.loads(body)["id"])
        rest_api.version = params.get("version")  # moto invents "V1"; AWS shows only a given version
        rest_api.binaryMediaTypes = list(params.get("binaryMediaTypes") or [])  # moto dropped them
        endpoint = dict(params.get("endpointConfiguration") or {"types": ["EDGE"]})
        endpoint.setdefault("types", ["EDGE"])
        endpoint.setdefault("ipAddressType", default_ip_address_type(endpoint["types"]))
        rest_api.endpoint_configuration = endpoint
        # AWS answers 201 (test_list_and_delete_apis "create-rest-api-1": HTTPStatusCode 201).
        return _reply(201, rest_api.to_dict())

    return create_rest_api


# --- UpdateRestApi ------------------------------------------------------------------------------------------

def unescape(segment: str) -> str:
    """A JSON-pointer segment as text ('~1' is '/', '~0' is '~')."""
    return segment.replace("~1", "/").replace("~0", "~")


def _op_errors(operations: list[dict[str, Any]]) -> list[str]:
    """Ops outside the JSON-patch set, each as AWS words it (test_update_rest_api_concatenation_of_errors)."""
    return [f"Value '{op.get('op')}' at 'updateRestApiInput.patchOperations.{n}.member.op' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(PATCH_OPS)}]"
            for n, op in enumerate(operations, start=1) if op.get("op") not in PATCH_OPS]


def _patch_binary_media_types(state: dict[str, Any], op: str, path: str, value: Any) -> None:
    """The list is addressed like an object: the path names the type, escaped (test_update_rest_api_operation_add_remove;
    "/binaryMediaTypes/-" adds "-": test_update_rest_api_behaviour "update-rest-api-array")."""
    segments = path.split("/")
    if len(segments) != 3 or not segments[2]:
        raise BadRequestException(f"Invalid patch path {path}")  # "update-rest-api-add-base-path" and siblings
    named, types = unescape(segments[2]), state["binaryMediaTypes"]
    if op in ("remove", "replace") and named in types:
        types.remove(named)
    if op == "add" and named not in types:
        types.append(named)
    if op == "replace" and value and value not in types:
        types.append(value)


def _patch_endpoint(state: dict[str, Any], op: str, path: str, value: Any) -> None:
    """`/endpointConfiguration/types/{index or type}` and `/endpointConfiguration/ipAddressType`
    (test_update_rest_api_ip_address_type)."""
    endpoint = state["endpointConfiguration"]
    if path == "/endpointConfiguration/ipAddressType":
        if op != "replace":
            raise BadRequestException(REPLACE_ONLY)
        if value not in IP_ADDRESS_TYPES:
            raise BadRequestException("ipAddressType must be either ipv4 or dualstack.")
        if "PRIVATE" in endpoint["types"] and value != "dualstack":
            raise BadRequestException("Only dualstack ipAddressType is supported for Private APIs.")
        endpoint["ipAddressType"] = value
        return
    if op != "replace":
        raise BadRequestException("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
    if value not in ENDPOINT_TYPES:
        raise BadRequestException("Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE")
    endpoint["types"] = [value]
    if value == "PRIVATE":
        endpoint["ipAddressType"] = "dualstack"  # "update-rest-api-replace-type": EDGE/ipv4 -> PRIVATE/dualstack


def _patch_scalar(state: dict[str, Any], op: str, path: str, value: Any) -> None:
    """The replace-only top-level fields (and remove `/description`: "update-rest-api-remove")."""
    field = path[1:]
    if field == "description" and op == "remove":
        state["description"] = None
        return
    if op != "replace":
        raise BadRequestException(REPLACE_ONLY)  # recorded for /minimumCompressionSize ("unsupported-operation")
    if field == "minimumCompressionSize":
        if value in (None, ""):
            state[field] = None  # "disable-compression"
            return
        size = _valid_compression(value)
        if size is None:
            raise BadRequestException(COMPRESSION_RANGE)  # "set-negative-compression", "set-string-compression"
        state[field] = size
    elif field == "disableExecuteApiEndpoint":
        state[field] = str(value).strip().lower() == "true"  # a string on the wire; moto read "false" as True
    elif field == "apiKeySource" and value not in API_KEY_SOURCES:
        # The kit's wording in the form of AWS's enum errors (no recording of this refusal).
        raise validation_error([f"Value '{value}' at 'updateRestApiInput.apiKeySource' failed to satisfy constraint: "
                                f"Member must satisfy enum value set: [{', '.join(API_KEY_SOURCES)}]"])
    else:
        state[field] = value


SCALAR_FIELDS = ("name", "description", "apiKeySource", "policy", "disableExecuteApiEndpoint", "minimumCompressionSize")
# RestApi field -> moto's attribute on RestAPI.
MOTO_ATTRIBUTES = {
    "name": "name", "description": "description", "apiKeySource": "api_key_source", "policy": "policy",
    "disableExecuteApiEndpoint": "disableExecuteApiEndpoint", "minimumCompressionSize": "minimum_compression_size",
    "binaryMediaTypes": "binaryMediaTypes", "endpointConfiguration": "endpoint_configuration",
}


def apply_rest_api_patch(rest_api: Any, operations: list[dict[str, Any]]) -> None:
    """Apply UpdateRestApi's operations all or nothing (a refused one leaves the API as it was)."""
    state = {field: copy.deepcopy(getattr(rest_api, attribute)) for field, attribute in MOTO_ATTRIBUTES.items()}
    state["binaryMediaTypes"] = list(state["binaryMediaTypes"] or [])
    endpoint = dict(state["endpointConfiguration"] or {"types": ["EDGE"]})
    endpoint.setdefault("ipAddressType", default_ip_address_type(endpoint.get("types") or []))
    state["endpointConfiguration"] = endpoint
    for operation in operations:
        op, path, value = operation.get("op"), str(operation.get("path") or ""), operation.get("value")
        if path == "/binaryMediaTypes" or path.startswith("/binaryMediaTypes/"):
            _patch_binary_media_types(state, op, path, value)
        elif path.startswith("/endpointConfiguration/types/") or path == "/endpointConfiguration/ipAddressType":
            _patch_endpoint(state, op, path, value)
        elif path[1:] in SCALAR_FIELDS:
            _patch_scalar(state, op, path, value)
        else:
            # The kit's wording, by analogy with AWS's "Invalid patch path /binaryMediaTypes" (moto ignored it).
            raise BadRequestException(f"Invalid patch path {path}")
    for field, attribute in MOTO_ATTRIBUTES.items():
        setattr(rest_api, attribute, state[field])


def patch_update_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateRestApi as AWS validates and applies it (replaces moto's; `original` is not called)."""

    @functools.wraps(original)
    def update_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        operations = self._get_param("patchOperations") or []
        errors = _op_errors(operations)
        if errors:
            raise validation_error(errors)
        rest_api = self.backend.get_rest_api(_api_id(self))
        apply_rest_api_patch(rest_api, operations)
        shown = rest_api.to_dict()
        shown.setdefault("tags", {})  # AWS's update answer carries tags, even empty ("update-rest-api-add")
        return _reply(200, shown)

    return update_rest_api


# --- DeleteRestApi ------------------------------------------------------------------------------------------

def patch_delete_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """404 for an unknown id (moto: a KeyError), 202 with no body ("delete-rest-api": HTTPStatusCode 202)."""

    @functools.wraps(original)
    def delete_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.backend.get_rest_api(_api_id(self))
        original(self, *args, **kwargs)
        return 202, {"status": 202}, ""

    return delete_rest_api


def patch_get_rest_api_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetRestApi shows `tags` even when empty (test_put_rest_api_mode_binary_media_types "get-rest-api"); the list
    does not (test_list_and_delete_apis "get-rest-api-before-delete")."""

    @functools.wraps(original)
    def get_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        status, headers, body = original(self, *args, **kwargs)
        shown = json.loads(body)
        shown.setdefault("tags", {})
        return status, headers, json.dumps(shown)

    return get_rest_api


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    response = _responses.APIGatewayResponse
    return [
        Wrap(_models.APIGatewayBackend, "get_rest_api", patch_get_rest_api),
        Wrap(_models.RestAPI, "to_dict", patch_rest_api_to_dict),
        Wrap(response, "create_rest_api", patch_create_rest_api),
        Wrap(response, "update_rest_api", patch_update_rest_api),
        Wrap(response, "delete_rest_api", patch_delete_rest_api),
        Wrap(response, "get_rest_api", patch_get_rest_api_response),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return [(_responses.APIGatewayResponse, "_get_param"), (_responses.APIGatewayResponse, "backend")]
