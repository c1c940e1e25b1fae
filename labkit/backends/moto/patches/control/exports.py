"""GetExport: an API as the Swagger 2.0 or OpenAPI 3.0.1 document AWS exports, with or without its API Gateway
extensions (issue 15). moto always answered Swagger without extensions, whatever exportType said.

Recordings: LocalStack's AWS-validated tests/aws/services/apigateway/test_apigateway_extended.snapshot.json,
test_export_swagger_openapi[TEST_IMPORT_PETS] and test_export_oas30_openapi[TEST_IMPORT_PETS] ("get-export",
"get-export-with-extensions").

What this module restores:
- exportType swagger answers Swagger 2.0 (host, basePath /{stage}, https), oas30 answers OpenAPI 3.0.1 (a server
  whose basePath variable defaults to the stage, `components`); the file is named {type}_{version}.json and sent as
  application/octet-stream [test_export_swagger_openapi, test_export_oas30_openapi [TEST_IMPORT_PETS]].
- Methods export their `security` (authorizers, AWS_IAM as sigv4, api_key) and the schemes it names, with
  x-amazon-apigateway-authorizer under extensions=authorizers or apigateway; request validators under apigateway
  [api-gateway-swagger-extensions.html; no recording exports them].
- Each method exports its parameters (from method.request.* parameters), its responses ("{status} response",
  headers, models) and, with parameters extensions=apigateway (or integrations), its x-amazon-apigateway-integration
  in the document's lower-case form and the API's x-amazon-apigateway-binary-media-types [same keys].
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from moto.apigateway import models as _models
from moto.apigateway import responses as _responses
from moto.apigateway.exceptions import BadRequestException

from ..shared import Wrap

OPERATIONS: tuple[Callable[..., Any], ...] = ()

EXPORT_TYPES = ("oas30", "swagger")
PLACES = {"path": "path", "querystring": "query", "header": "header"}
DEFAULT_TIMEOUT_MS = 29000
MODEL_URL_PART = "/models/"


class Export:
    """One export: the API, its stage, the format and whether the API Gateway extensions are included."""

    def __init__(self, backend: Any, api: Any, stage: str, export_type: str, extensions: set[str]) -> None:
        self.backend, self.api, self.stage = backend, api, stage
        self.swagger = export_type == "swagger"
        # extensions=integrations|authorizers|apigateway (all of them): API_GetExport.html, `parameters`
        self.integrations = bool({"integrations", "apigateway"} & extensions)
        self.authorizers = bool({"authorizers", "apigateway"} & extensions)
        self.extensions = "apigateway" in extensions
        self.schemes: dict[str, Any] = {}  # security schemes the methods use, filled as paths are exported

    def version(self) -> str:
        """The API's version, else the time of export as AWS's unversioned exports show it ("2022-04-12T15:36:55Z")."""
        return str(self.api.version) if self.api.version else datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def document(self) -> dict[str, Any]:
        info: dict[str, Any] = {"version": self.version(), "title": self.api.name}
        if self.api.description:
            info["description"] = self.api.description
        host = f"{self.api.id}.execute-api.{self.backend.region_name}.amazonaws.com"
        if self.swagger:
            doc: dict[str, Any] = {"swagger": "2.0", "info": info, "host": host, "basePath": f"/{self.stage}",
                                   "schemes": ["https"], "paths": self.paths()}
            if self.schemes:
                doc["securityDefinitions"] = self.schemes
            if self.api.models:
                doc["definitions"] = self.schemas("#/definitions/")
        else:
            doc = {"openapi": "3.0.1", "info": info,
                   "servers": [{"url": f"https://{host}/{{basePath}}", "variables": {"basePath": {"default": self.stage}}}],
                   "paths": self.paths(), "components": {}}
            if self.api.models:
                doc["components"]["schemas"] = self.schemas("#/components/schemas/")
            if self.schemes:
                doc["components"]["securitySchemes"] = self.schemes
        if self.extensions and self.api.binaryMediaTypes:
            doc["x-amazon-apigateway-binary-media-types"] = list(self.api.binaryMediaTypes)
        if self.extensions and self.api.request_validators:
            doc["x-amazon-apigateway-request-validators"] = {
                v.name: {"validateRequestBody": bool(v.validate_request_body),
                         "validateRequestParameters": bool(v.validate_request_parameters)}
                for v in self.api.request_validators.values()}
        return doc

    def schemas(self, prefix: str) -> dict[str, Any]:
        """Each model's schema, its model URLs made local references again."""
        found = {}
        for name, model in self.api.models.items():
            try:
                schema = json.loads(model.schema) if isinstance(model.schema, str) else dict(model.schema or {})
            except ValueError:
                schema = {}
            found[name] = _local_refs(schema, prefix)
        return found

    def paths(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for resource in self.api.resources.values():
            if resource.resource_methods:
                path = resource.get_path()
                found[path] = {("x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()):
                               self.operation(method.to_json()) for verb, method in resource.resource_methods.items()}
        return found

    def operation(self, method: dict[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = {}
        if method.get("operationName"):
            shown["operationId"] = method["operationName"]
        parameters = [self.parameter(name, required) for name, required in (method.get("requestParameters") or {}).items()
                      if name.split(".")[2] in PLACES]
        if parameters:
            shown["parameters"] = parameters
        models = method.get("requestModels") or {}
        if models and self.swagger:
            shown.setdefault("parameters", []).extend(
                {"in": "body", "name": m, "required": True, "schema": {"$ref": f"#/definitions/{m}"}}
                for m in models.values())
        elif models:
            shown["requestBody"] = {"content": {ct: {"schema": {"$ref": f"#/components/schemas/{m}"}}
                                                for ct, m in models.items()}, "required": True}
        if self.swagger:
            shown.update(_media_types(method))
        shown["responses"] = {status: self.response(response)
                              for status, response in (method.get("methodResponses") or {}).items()}
        security = self.security(method)
        if security:
            shown["security"] = [security]
        validator = self.api.request_validators.get(method.get("requestValidatorId") or "")
        if self.extensions and validator is not None:
            shown["x-amazon-apigateway-request-validator"] = validator.name
        integration = method.get("methodIntegration")
        if self.integrations and integration:
            shown["x-amazon-apigateway-integration"] = _integration(integration)
        return shown

    def security(self, method: dict[str, Any]) -> dict[str, list[str]]:
        """The method's security requirement, registering the schemes it names (the authorizer's as
        x-amazon-apigateway-authorizer when authorizers are exported: api-gateway-swagger-extensions-authorizer.html)."""
        requirement: dict[str, list[str]] = {}
        kind = method.get("authorizationType") or "NONE"
        authorizer = self.api.authorizers.get(method.get("authorizerId") or "")
        if kind == "AWS_IAM":
            requirement["sigv4"] = []
            self.schemes["sigv4"] = {"type": "apiKey", "name": "Authorization", "in": "header",
                                     **({"x-amazon-apigateway-authtype": "awsSigv4"} if self.authorizers else {})}
        elif kind in ("CUSTOM", "COGNITO_USER_POOLS") and authorizer is not None:
            requirement[authorizer.name] = list(method.get("authorizationScopes") or [])
            self.schemes[authorizer.name] = self.authorizer_scheme(authorizer.to_json())
        if method.get("apiKeyRequired"):
            requirement["api_key"] = []
            self.schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
        return requirement

    def authorizer_scheme(self, authorizer: dict[str, Any]) -> dict[str, Any]:
        identity = str(authorizer.get("identitySource") or "method.request.header.Authorization")
        header = identity.rsplit(".", 1)[-1] if identity.startswith("method.request.header.") else "Unused"
        scheme: dict[str, Any] = {"type": "apiKey", "name": header, "in": "header"}
        if self.authorizers:
            scheme["x-amazon-apigateway-authtype"] = authorizer.get("authType") or (
                "cognito_user_pools" if authorizer.get("type") == "COGNITO_USER_POOLS" else "custom")
            scheme["x-amazon-apigateway-authorizer"] = {"type": str(authorizer.get("type", "TOKEN")).lower(), **{
                key: authorizer[key] for key in ("authorizerUri", "authorizerCredentials", "identitySource",
                                                 "identityValidationExpression", "providerARNs",
                                                 "authorizerResultTtlInSeconds") if authorizer.get(key) is not None}}
        return scheme

    def parameter(self, name: str, required: Any) -> dict[str, Any]:
        place, key = PLACES[name.split(".")[2]], name.split(".", 3)[3]
        shown: dict[str, Any] = {"name": key, "in": place}
        if place == "path" or required:
            shown["required"] = True
        if self.swagger:
            shown.setdefault("required", False)  # Swagger writes it out, OpenAPI 3 leaves it out
            shown["type"] = "string"
        else:
            shown["schema"] = {"type": "string"}
        return shown

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = {"description": f"{response.get('statusCode')} response"}
        headers = [name.split(".", 3)[3] for name in response.get("responseParameters") or {}
                   if name.startswith("method.response.header.")]
        if headers:
            shown["headers"] = {h: ({"type": "string"} if self.swagger else {"schema": {"type": "string"}})
                                for h in headers}
        models = response.get("responseModels") or {}
        if self.swagger:
            if models:
                shown["schema"] = {"$ref": f"#/definitions/{next(iter(models.values()))}"}
        else:
            shown["content"] = {ct: {"schema": {"$ref": f"#/components/schemas/{m}"}} for ct, m in models.items()}
        return shown


def _media_types(method: dict[str, Any]) -> dict[str, list[str]]:
    """Swagger's consumes (request models' and request templates' types) and produces (response models' and
    response templates' types), as test_export_swagger_openapi[TEST_IMPORT_PETSTORE_SWAGGER] shows them."""
    integration = method.get("methodIntegration") or {}
    consumes = list(method.get("requestModels") or {}) + list(integration.get("requestTemplates") or {})
    produces = [ct for response in (method.get("methodResponses") or {}).values()
                for ct in response.get("responseModels") or {}]
    produces += [ct for response in (integration.get("integrationResponses") or {}).values()
                 for ct in response.get("responseTemplates") or {}]
    found = {"consumes": list(dict.fromkeys(consumes)), "produces": list(dict.fromkeys(produces))}
    return {key: types for key, types in found.items() if types}


def _local_refs(schema: Any, prefix: str) -> Any:
    if isinstance(schema, dict):
        return {k: (prefix + str(v).rsplit(MODEL_URL_PART, 1)[1] if k == "$ref" and MODEL_URL_PART in str(v)
                    else _local_refs(v, prefix)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_local_refs(v, prefix) for v in schema]
    return schema


def _integration(integration: dict[str, Any]) -> dict[str, Any]:
    """x-amazon-apigateway-integration as the document writes it (lower-case type and passthrough, "default")."""
    shown: dict[str, Any] = {"type": str(integration.get("type", "")).lower()}
    for field in ("httpMethod", "uri", "credentials"):
        if integration.get(field):
            shown[field] = integration[field]
    responses = {}
    for response in (integration.get("integrationResponses") or {}).values():
        entry = {k: response[k] for k in ("statusCode", "responseParameters", "responseTemplates", "contentHandling")
                 if response.get(k)}
        responses[response.get("selectionPattern") or "default"] = entry
    shown["responses"] = responses
    for field in ("requestParameters", "requestTemplates", "contentHandling"):
        if integration.get(field):
            shown[field] = integration[field]
    if integration.get("passthroughBehavior"):
        shown["passthroughBehavior"] = str(integration["passthroughBehavior"]).lower()
    if integration.get("cacheKeyParameters"):
        shown["cacheKeyParameters"] = list(integration["cacheKeyParameters"])
    if integration.get("timeoutInMillis") not in (None, DEFAULT_TIMEOUT_MS, str(DEFAULT_TIMEOUT_MS)):
        shown["timeoutInMillis"] = int(integration["timeoutInMillis"])
    return shown


def patch_get_export(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetExport in the format asked for (replaces moto's; `original` is not called)."""

    @functools.wraps(original)
    def get_export(self: Any, *args: Any, **kwargs: Any) -> Any:
        parts = self.path.split("/")  # /restapis/{id}/stages/{stage}/exports/{type}
        api_id, stage, export_type = parts[2], parts[4], parts[6]
        if export_type not in EXPORT_TYPES:
            # The kit's wording (no recording), naming the parameter and its values.
            raise BadRequestException(f"Invalid exportType {export_type!r}: must be one of {', '.join(EXPORT_TYPES)}")
        api = self.backend.get_rest_api(api_id)
        extensions = str((self.querystring.get("extensions") or [""])[0])
        export = Export(self.backend, api, stage, export_type, set(extensions.split(",")))
        body = export.document()
        headers = {"Content-Type": "application/octet-stream",
                   "Content-Disposition": f'attachment; filename="{export_type}_{body["info"]["version"]}.json"'}
        return 200, headers, json.dumps(body).encode("utf-8")

    return get_export


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return [Wrap(_responses.APIGatewayResponse, "get_export", patch_get_export)]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return [(_responses.APIGatewayResponse, "backend"), (_models.APIGatewayBackend, "get_rest_api")]
