"""ImportRestApi and PutRestApi: an OpenAPI 3 or Swagger 2 document made into an API as AWS makes it (issue 15).
Each behaviour cites its recording (LocalStack's AWS-validated tests/aws/services/apigateway/
test_apigateway_import.snapshot.json, class TestApiGatewayImportRestApi: key) or AWS's doc.

What this module restores:
- ImportRestApi and PutRestApi take Swagger 2.0 as well as OpenAPI 3 (moto refused Swagger), a body that is not JSON
  or YAML answers "Invalid OpenAPI input." (before the id is looked up), the document sets name, version,
  description and binaryMediaTypes (merged on merge, replaced on overwrite), import answers 201, merge reuses
  existing resources (moto duplicated them), overwrite keeps the root resource id, integration types are stored
  upper-case, an import that fails leaves no API behind [test_import_rest_api, test_put_rest_api_mode_binary_media_types,
  test_import_api_bad_file].
- A body over AWS's 6 MB limit, or YAML whose aliases expand past labkit.documents.MAX_NODES nodes (an alias bomb),
  answers 400 "Invalid OpenAPI input." with the reason, before anything is expanded [API_ImportRestApi.html body;
  issue 16 item 10].
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import yaml
from moto.apigateway import models as _models
from moto.apigateway import responses as _responses
from moto.apigateway.exceptions import BadRequestException, InvalidOpenAPIDocumentException, InvalidOpenApiModeException
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from labkit.documents import DocumentTooLarge, RecursiveDocument, load_text

from ..shared import Wrap, binder, uses

try:  # the validator moto uses for failOnWarnings, under the name each openapi-spec-validator version gives it
    from openapi_spec_validator import validate as validate_openapi
except ImportError:  # pragma: no cover - older openapi-spec-validator
    from openapi_spec_validator import validate_spec as validate_openapi

# Operations moto lacks, added to its APIGatewayResponse under their botocore names.
OPERATIONS: tuple[Callable[..., Any], ...] = ()


def _reply(status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    return status, {"status": status}, json.dumps(body)


def _api_id(response: Any) -> str:
    return response.path.replace("/restapis/", "", 1).split("/")[0]


INVALID_DOCUMENT = "Invalid OpenAPI input."  # test_apigateway_import.snapshot.json::test_import_api_bad_file
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")


def read_document(body: Any) -> dict[str, Any]:
    """The OpenAPI 3 or Swagger 2 document of an import, JSON or YAML; anything else is AWS's 400. The reader is
    bounded (labkit.documents): a text over AWS's 6 MB or YAML aliases expanding past its node limit are refused
    before anything is expanded (issue 16 item 10)."""
    try:
        document = load_text(body if isinstance(body, (str, bytes)) else str(body or ""))
    except DocumentTooLarge as error:
        # No recording of AWS's answer to either; AWS's wording for a document it cannot read, with the reason.
        raise BadRequestException(f"{INVALID_DOCUMENT} {error}") from None
    except RecursiveDocument as error:
        raise BadRequestException(f"Invalid request input: {error}") from None  # control/errors.py's wording
    except yaml.YAMLError:
        raise BadRequestException(INVALID_DOCUMENT) from None
    if not isinstance(document, dict):
        raise BadRequestException(INVALID_DOCUMENT)
    if "openapi" not in document and "swagger" not in document:
        # No recording of AWS's answer to a well-formed document without a version; the kit's wording, in the
        # form of control/errors.py's answer to malformed input.
        raise BadRequestException("Invalid request input: the document names no 'openapi' or 'swagger' version")
    return document


def _validate_document(document: dict[str, Any]) -> None:
    """failOnWarnings: moto's check of an OpenAPI 3 document (Swagger 2 is not checked)."""
    if str(document.get("openapi", "")).startswith("3"):
        try:
            validate_openapi(document)
        except OpenAPIValidationError as error:
            raise InvalidOpenAPIDocumentException(error) from None
    elif "openapi" in document:
        raise BadRequestException(INVALID_DOCUMENT)


def _ensure_path(backend: Any, api: Any, path: str) -> Any:
    """The resource at `path`, creating the missing ones on the way (an existing one is reused: merge)."""
    resource = api.resources[api.root_resource_id]
    for part in [p for p in path.split("/") if p]:
        found = next((r for r in api.resources.values() if r.parent_id == resource.id and r.path_part == part), None)
        resource = found or backend.create_resource(function_id=api.id, parent_resource_id=resource.id, path_part=part)
    return resource


def _put_operation(backend: Any, api_id: str, resource_id: str, method: str, operation: dict[str, Any]) -> None:
    """One operation of the document: method, method responses, integration and its responses."""
    backend.put_method(api_id, resource_id, method, None)
    for status_code in operation.get("responses") or {}:
        backend.put_method_response(api_id, resource_id, method, str(status_code),
                                    response_models=None, response_parameters=None)
    integration = operation.get("x-amazon-apigateway-integration")
    if not integration:
        return
    arguments = {k: v for k, v in backend._build_integration_args(integration).items() if v is not None}
    if arguments.get("integration_type"):
        arguments["integration_type"] = str(arguments["integration_type"]).upper()  # AWS stores "HTTP", not "http"
    backend.put_integration(function_id=api_id, resource_id=resource_id, method_type=method, **arguments)
    for response in backend._build_integration_responses_args(integration):
        backend.put_integration_response(function_id=api_id, resource_id=resource_id, method_type=method,
                                         **{k: v for k, v in response.items() if v is not None})


def _clear(api: Any) -> None:
    """overwrite: every resource but the root goes, the root keeps its id (test_put_rest_api_mode_binary_media_types
    [overwrite] "put-api": rootResourceId unchanged) and loses its methods."""
    root = api.resources[api.root_resource_id]
    api.resources = {root.id: root}
    root.resource_methods = {}


@uses("function_id", "api_doc", "fail_on_warnings", "mode")
def patch_backend_put_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutRestApi's paths for OpenAPI 3 and Swagger 2 (moto refused Swagger), merge reusing existing resources
    (moto duplicated them), overwrite keeping the root resource (replaces moto's; `original` is not called).
    https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html"""
    bind = binder(original)

    @functools.wraps(original)
    def put_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = bind(self, *args, **kwargs).arguments
        document, mode = arguments["api_doc"], arguments["mode"]
        if mode not in ("merge", "overwrite"):
            raise InvalidOpenApiModeException()
        if arguments["fail_on_warnings"]:
            _validate_document(document)
        api = self.get_rest_api(arguments["function_id"])
        if mode == "overwrite":
            _clear(api)
        for path, item in sorted((document.get("paths") or {}).items()):
            resource = _ensure_path(self, api, str(path))
            for key, operation in (item or {}).items():
                method = "ANY" if key == "x-amazon-apigateway-any-method" else str(key).upper()
                if isinstance(operation, dict) and (method in HTTP_METHODS):
                    _put_operation(self, api.id, resource.id, method, operation)
        return api

    return put_rest_api


def apply_document_settings(api: Any, document: dict[str, Any], mode: str) -> None:
    """The API-level fields a document sets: name, version, description and binary media types (merged on
    merge, replaced on overwrite: test_put_rest_api_mode_binary_media_types "put-api")."""
    info = document.get("info") or {}
    if info.get("title"):
        api.name = str(info["title"])
    if info.get("version") is not None:
        api.version = str(info["version"])
    if info.get("description"):
        api.description = str(info["description"])
    types = [str(t) for t in document.get("x-amazon-apigateway-binary-media-types") or []]
    current = [] if mode == "overwrite" else list(api.binaryMediaTypes or [])
    api.binaryMediaTypes = current + [t for t in types if t not in current]


def _query(response: Any, name: str, default: str = "") -> str:
    values = response.querystring.get(name) or [default]
    return str(values[0])


def import_document(response: Any) -> tuple[int, dict[str, Any], str]:
    """ImportRestApi: a new API from the document, or nothing made when the document is refused (201:
    test_apigateway_import.snapshot.json::test_import_rest_api "import_rest_api")."""
    document = read_document(response.body)
    backend = response.backend
    info = document.get("info") or {}
    api = backend.create_rest_api(name=str(info.get("title") or "imported"), description=None)
    api.version = None
    api.endpoint_configuration = {"types": ["EDGE"], "ipAddressType": "ipv4"}
    try:
        backend.put_rest_api(api.id, document, fail_on_warnings=_query(response, "failonwarnings") == "true",
                             mode="overwrite")
    except Exception:
        backend.apis.pop(api.id, None)
        raise
    apply_document_settings(api, document, "overwrite")
    return _reply(201, api.to_dict())


def patch_put_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutRestApi: the document read first (a bad one is refused even for an unknown id: test_import_api_bad_file
    "put-rest-api-bad-yaml-file"), then the API; the answer carries tags (test_put_rest_api_mode_binary_media_types)."""

    @functools.wraps(original)
    def put_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        document = read_document(self.body)
        api = self.backend.get_rest_api(_api_id(self))
        mode = _query(self, "mode", "merge")
        self.backend.put_rest_api(api.id, document, fail_on_warnings=_query(self, "failonwarnings") == "true", mode=mode)
        apply_document_settings(api, document, mode)
        shown = api.to_dict()
        shown.setdefault("tags", {})
        return _reply(200, shown)

    return put_rest_api


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return [
        Wrap(_responses.APIGatewayResponse, "put_rest_api", patch_put_rest_api),
        Wrap(_models.APIGatewayBackend, "put_rest_api", patch_backend_put_rest_api),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    backend = _models.APIGatewayBackend
    return [(_responses.APIGatewayResponse, "backend"), (backend, "create_rest_api"), (backend, "get_rest_api"),
            (backend, "create_resource"), (backend, "put_method"), (backend, "put_method_response"),
            (backend, "put_integration"), (backend, "put_integration_response"), (backend, "_build_integration_args"),
            (backend, "_build_integration_responses_args")]
