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
- The `basepath` parameter: ignore (default), prepend, split, from Swagger's basePath or OpenAPI 3's basePath server
  variable / server URL path; an unknown mode is refused [test_import_rest_apis_with_base_path_swagger[ignore|prepend|
  split], test_import_rest_api_with_base_path_oas30[ignore|prepend|split]; api-gateway-import-api-basePath.html].
- Security schemes with x-amazon-apigateway-authorizer become authorizers (TOKEN, REQUEST, COGNITO_USER_POOLS;
  identitySource from the scheme's header); the operation's `security` (else the document's) sets
  authorizationType/authorizerId/authorizationScopes, an apiKey scheme apiKeyRequired; x-amazon-apigateway-api-key-source
  sets apiKeySource [test_import_with_global_api_key_authorizer, test_import_with_cognito_auth_identity_source,
  test_import_swagger_api].
- definitions / components.schemas become models, each $ref the other model's URL (circular ones too); request bodies
  and responses name their models; x-amazon-apigateway-request-validators and the default validator are created and
  set [test_import_with_circular_models, test_import_with_circular_models_and_request_validation].
- Methods, method responses (headers -> responseParameters false), integrations (upper-case type and passthrough,
  29000 ms, cacheKeyParameters [], cache namespace, INTERNET for HTTP, MOCK without uri) and integration responses
  ("default" has no selection pattern, YAML's integer status codes) as AWS stores them; path template variables
  become required path parameters; non-string requestParameters are dropped with AWS's `warnings`; failOnWarnings
  accepts an integer info.version [test_import_with_http_method_integration, test_import_with_integer_http_status_code,
  test_import_and_validate_rest_api[openapi.spec.tf.json|swagger-mock-cors.json], test_import_rest_api_with_base_path_oas30].
- ImportRestApi's endpointConfigurationTypes parameter (EDGE, REGIONAL, PRIVATE) sets the endpoint type
  [API_ImportRestApi.html: parameters].
- An imported integration uri may be built of ${stageVariables.*} [test_import_with_stage_variables].
- x-amazon-apigateway-policy, -minimum-compression-size, -endpoint-configuration and -gateway-responses are applied
  [api-gateway-swagger-extensions.html; no recording].
- overwrite also replaces models, authorizers and request validators (API_PutRestApi.html: mode).
- A body over AWS's 6 MB limit, or YAML whose aliases expand past labkit.documents.MAX_NODES nodes (an alias bomb),
  answers 400 "Invalid OpenAPI input." with the reason, before anything is expanded [API_ImportRestApi.html body;
  issue 16 item 10].
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import yaml
from moto.apigateway import models as _models
from moto.apigateway import responses as _responses
from moto.apigateway.exceptions import BadRequestException, InvalidOpenAPIDocumentException, InvalidOpenApiModeException
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from labkit.documents import DocumentTooLarge, RecursiveDocument, load_text

from ..shared import Wrap, binder, uses
from .import_operations import ImportContext

try:  # the validator moto uses for failOnWarnings, under the name each openapi-spec-validator version gives it
    from openapi_spec_validator import validate as validate_openapi
except ImportError:  # pragma: no cover - older openapi-spec-validator
    from openapi_spec_validator import validate_spec as validate_openapi

# Operations moto lacks, added to its APIGatewayResponse under their botocore names.
OPERATIONS: tuple[Callable[..., Any], ...] = ()

INVALID_DOCUMENT = "Invalid OpenAPI input."  # test_apigateway_import.snapshot.json::test_import_api_bad_file
BASEPATH_MODES = ("ignore", "prepend", "split")
ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
ANY_METHOD = "x-amazon-apigateway-any-method"
POLICY = "x-amazon-apigateway-policy"
COMPRESSION = "x-amazon-apigateway-minimum-compression-size"
ENDPOINT = "x-amazon-apigateway-endpoint-configuration"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")


def _reply(status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    return status, {"status": status}, json.dumps(body)


def _api_id(response: Any) -> str:
    return response.path.replace("/restapis/", "", 1).split("/")[0]


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
    """failOnWarnings: moto's check of an OpenAPI 3 document (Swagger 2 is not checked), on the document as AWS reads
    it: keys and info.version as strings (AWS takes YAML's `200:` and `version: 1`:
    test_import_with_integer_http_status_code, test_import_and_validate_rest_api[openapi.spec.tf.json])."""
    if str(document.get("openapi", "")).startswith("3"):
        as_read = json.loads(json.dumps(document, default=str))  # JSON makes every key a string
        if "version" in (as_read.get("info") or {}):
            as_read["info"]["version"] = str(as_read["info"]["version"])
        try:
            validate_openapi(as_read)
        except OpenAPIValidationError as error:
            raise InvalidOpenAPIDocumentException(error) from None
    elif "openapi" in document:
        raise BadRequestException(INVALID_DOCUMENT)


def base_path(document: dict[str, Any]) -> str:
    """The document's base path: Swagger's `basePath`; OpenAPI 3's `basePath` server variable, else the path of the
    first server URL (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html)."""
    if "swagger" in document:
        return str(document.get("basePath") or "")
    servers = document.get("servers") or [{}]
    server = servers[0] if isinstance(servers[0], dict) else {}
    variable = ((server.get("variables") or {}).get("basePath") or {}).get("default")
    return str(variable) if variable else urlparse(str(server.get("url") or "")).path


def path_prefix(document: dict[str, Any], mode: str) -> list[str]:
    """The path parts put before every path of the document, by `basepath` mode: ignore (the default) none, prepend
    all of the base path, split all but its first part (test_import_rest_apis_with_base_path_swagger[ignore|prepend|
    split], test_import_rest_api_with_base_path_oas30[...]: /base-url/part/ splits into /part)."""
    if mode not in BASEPATH_MODES:
        # The kit's wording, naming the parameter and its values (no recording of AWS's answer).
        raise BadRequestException(f"Invalid basepath parameter {mode!r}: must be one of {', '.join(BASEPATH_MODES)}")
    parts = [part for part in base_path(document).split("/") if part]
    return {"ignore": [], "prepend": parts, "split": parts[1:]}[mode]


def _ensure_path(backend: Any, api: Any, parts: list[str]) -> Any:
    """The resource at `parts`, creating the missing ones on the way (an existing one is reused: merge)."""
    resource = api.resources[api.root_resource_id]
    for part in parts:
        found = next((r for r in api.resources.values() if r.parent_id == resource.id and r.path_part == part), None)
        resource = found or backend.create_resource(function_id=api.id, parent_resource_id=resource.id, path_part=part)
    return resource


def _clear(api: Any) -> None:
    """overwrite: every resource but the root goes, the root keeps its id (test_put_rest_api_mode_binary_media_types
    [overwrite] "put-api": rootResourceId unchanged) and loses its methods; so do models, authorizers, gateway responses and request
    validators, which the document redefines (https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html)."""
    root = api.resources[api.root_resource_id]
    api.resources = {root.id: root}
    root.resource_methods = {}
    api.models = {}
    api.authorizers = {}
    api.request_validators = {}
    api.gateway_responses = {}


def _import(backend: Any, api: Any, document: dict[str, Any], mode: str, basepath: str) -> list[str]:
    """Make `document` into `api` (merge or overwrite); the warnings AWS would answer with."""
    prefix = path_prefix(document, basepath)
    if mode == "overwrite":
        _clear(api)
    context = ImportContext(backend, api, document)
    context.put_models()
    context.put_authorizers()
    context.put_validators()
    context.put_gateway_responses()
    for path, item in (document.get("paths") or {}).items():
        parts = prefix + [part for part in str(path).split("/") if part]
        resource = _ensure_path(backend, api, parts)
        for key, operation in (item or {}).items():
            method = "ANY" if key == ANY_METHOD else str(key).upper()
            if isinstance(operation, dict) and method in HTTP_METHODS:
                context.put_operation(resource, "/" + "/".join(parts), method, operation, item)
    return context.warnings


@uses("function_id", "api_doc", "fail_on_warnings", "mode")
def patch_backend_put_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutRestApi's paths for OpenAPI 3 and Swagger 2 (moto refused Swagger), merge reusing existing resources
    (moto duplicated them), overwrite keeping the root resource (replaces moto's; `original` is not called).
    https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html"""
    bind = binder(original)

    @functools.wraps(original)
    def put_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = bind(self, *args, **kwargs).arguments
        api = self.get_rest_api(arguments["function_id"])
        import_into(self, api, arguments["api_doc"], arguments["mode"], "ignore", bool(arguments["fail_on_warnings"]))
        return api

    return put_rest_api


def apply_document_settings(api: Any, document: dict[str, Any], mode: str) -> None:
    """The API-level fields a document sets: name, version, description, API key source and binary media types
    (merged on merge, replaced on overwrite: test_put_rest_api_mode_binary_media_types "put-api")."""
    info = document.get("info") or {}
    if info.get("title"):
        api.name = str(info["title"])
    if info.get("version") is not None:
        api.version = str(info["version"])
    if info.get("description"):
        api.description = str(info["description"])
    if document.get("x-amazon-apigateway-api-key-source"):  # test_import_with_global_api_key_authorizer "import-swagger"
        api.api_key_source = str(document["x-amazon-apigateway-api-key-source"])
    apply_extensions(api, document)
    types = [str(t) for t in document.get("x-amazon-apigateway-binary-media-types") or []]
    current = [] if mode == "overwrite" else list(api.binaryMediaTypes or [])
    api.binaryMediaTypes = current + [t for t in types if t not in current]


def apply_extensions(api: Any, document: dict[str, Any]) -> None:
    """x-amazon-apigateway-policy, -minimum-compression-size and -endpoint-configuration (types, vpcEndpointIds,
    disableExecuteApiEndpoint): https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
    (no recording imports them)."""
    policy = document.get(POLICY)
    if policy:
        api.policy = policy if isinstance(policy, str) else json.dumps(policy)
    size = document.get(COMPRESSION)
    if size is not None:
        api.minimum_compression_size = int(size)
    endpoint = document.get(ENDPOINT)
    if isinstance(endpoint, dict):
        types = [str(t) for t in endpoint.get("types") or api.endpoint_configuration.get("types") or ["EDGE"]]
        shown = {"types": types, "ipAddressType": "dualstack" if "PRIVATE" in types else "ipv4"}
        if endpoint.get("vpcEndpointIds"):
            shown["vpcEndpointIds"] = [str(v) for v in endpoint["vpcEndpointIds"]]
        api.endpoint_configuration = shown
        if "disableExecuteApiEndpoint" in endpoint:
            api.disableExecuteApiEndpoint = bool(endpoint["disableExecuteApiEndpoint"])


def _query(response: Any, name: str, default: str = "") -> str:
    values = response.querystring.get(name) or [default]
    return str(values[0])


def _basepath(response: Any) -> str:
    """The `basepath` import parameter (boto3 sends `parameters` as query parameters); ignore when absent."""
    return _query(response, "basepath") or _query(response, "basePath") or "ignore"


def _endpoint_type(response: Any) -> str:
    """ImportRestApi's endpointConfigurationTypes parameter, EDGE by default
    (https://docs.aws.amazon.com/apigateway/latest/api/API_ImportRestApi.html: parameters)."""
    kind = _query(response, "endpointConfigurationTypes") or "EDGE"
    if kind not in ENDPOINT_TYPES:
        # The kit's wording (no recording), naming the parameter and its values.
        raise BadRequestException(f"Invalid endpointConfigurationTypes {kind!r}: must be one of {', '.join(ENDPOINT_TYPES)}")
    return kind


def import_into(backend: Any, api: Any, document: dict[str, Any], mode: str, basepath: str,
                fail_on_warnings: bool) -> list[str]:
    """Check the document (failOnWarnings) and mode, then make it into `api`; the warnings to answer with."""
    if mode not in ("merge", "overwrite"):
        raise InvalidOpenApiModeException()
    if fail_on_warnings:
        _validate_document(document)
    return _import(backend, api, document, mode, basepath)


def _shown(api: Any, warnings: list[str]) -> dict[str, Any]:
    shown = api.to_dict()
    if warnings:
        shown["warnings"] = warnings  # test_import_rest_api_with_base_path_oas30 "put-rest-api-oas30-srv-url"
    return shown


def import_document(response: Any) -> tuple[int, dict[str, Any], str]:
    """ImportRestApi: a new API from the document, or nothing made when the document is refused (201:
    test_apigateway_import.snapshot.json::test_import_rest_api "import_rest_api")."""
    document = read_document(response.body)
    backend = response.backend
    info = document.get("info") or {}
    endpoint_type = _endpoint_type(response)
    api = backend.create_rest_api(name=str(info.get("title") or "imported"), description=None)
    api.version = None
    api.endpoint_configuration = {"types": [endpoint_type],
                                  "ipAddressType": "dualstack" if endpoint_type == "PRIVATE" else "ipv4"}
    try:
        warnings = import_into(backend, api, document, "overwrite", _basepath(response),
                               _query(response, "failonwarnings") == "true")
    except Exception:
        backend.apis.pop(api.id, None)
        raise
    apply_document_settings(api, document, "overwrite")
    return _reply(201, _shown(api, warnings))


def patch_put_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutRestApi: the document read first (a bad one is refused even for an unknown id: test_import_api_bad_file
    "put-rest-api-bad-yaml-file"), then the API; the answer carries tags (test_put_rest_api_mode_binary_media_types)
    (replaces moto's; `original` is not called)."""

    @functools.wraps(original)
    def put_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        document = read_document(self.body)
        api = self.backend.get_rest_api(_api_id(self))
        mode = _query(self, "mode", "merge")
        warnings = import_into(self.backend, api, document, mode, _basepath(self),
                               _query(self, "failonwarnings") == "true")
        apply_document_settings(api, document, mode)
        shown = _shown(api, warnings)
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
