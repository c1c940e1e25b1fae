"""What one imported document defines, made with moto's backend calls: models, authorizers, request validators,
and each operation's method, method responses, integration and integration responses (used by imports.py).

Recordings cited are keys of LocalStack's AWS-validated tests/aws/services/apigateway/
test_apigateway_import.snapshot.json, class TestApiGatewayImportRestApi. Not a patch module: it wraps nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

MODEL_URL = "https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"
AUTHORIZER = "x-amazon-apigateway-authorizer"
INTEGRATION = "x-amazon-apigateway-integration"
VALIDATORS = "x-amazon-apigateway-request-validators"
VALIDATOR = "x-amazon-apigateway-request-validator"
GATEWAY_RESPONSES = "x-amazon-apigateway-gateway-responses"
PARAMETER_PLACES = {"path": "path", "query": "querystring", "header": "header"}
HTTP_TYPES = ("HTTP", "HTTP_PROXY")
DEFAULT_TIMEOUT_MS = 29000  # "timeoutInMillis": 29000 in every recorded imported integration
# The authorizationType a method takes from its authorizer's type ("method-test-get": CUSTOM for a request
# authorizer; test_import_with_cognito_auth_identity_source: COGNITO_USER_POOLS).
AUTHORIZATION_TYPES = {"TOKEN": "CUSTOM", "REQUEST": "CUSTOM", "COGNITO_USER_POOLS": "COGNITO_USER_POOLS"}


def _ref_name(schema: Any) -> str | None:
    """The model a `$ref` names (#/definitions/X or #/components/schemas/X)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return str(ref).rsplit("/", 1)[-1] if ref else None


def _models_of(document: dict[str, Any]) -> dict[str, Any]:
    if "swagger" in document:
        return dict(document.get("definitions") or {})
    return dict((document.get("components") or {}).get("schemas") or {})


def _schemes_of(document: dict[str, Any]) -> dict[str, Any]:
    if "swagger" in document:
        return dict(document.get("securityDefinitions") or {})
    return dict((document.get("components") or {}).get("securitySchemes") or {})


def _rewrite_refs(schema: Any, api_id: str) -> Any:
    """A model's schema with each local `$ref` made the model's URL, as AWS stores it (test_import_with_circular_models
    "get-models": "#/components/schemas/House" -> ".../restapis/{id}/models/House")."""
    if isinstance(schema, dict):
        return {key: (MODEL_URL.format(api_id=api_id, name=_ref_name(schema)) if key == "$ref"
                      and str(value).startswith("#/") else _rewrite_refs(value, api_id)) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_rewrite_refs(value, api_id) for value in schema]
    return schema


def _strings(values: Any, field: str, where: str, warnings: list[str]) -> dict[str, str] | None:
    """A string map; entries that are not strings are dropped with AWS's warning ("put-rest-api-oas30-srv-url":
    "Invalid format for 'requestParameters'. Expected type string for property ... but got 'true'")."""
    if not isinstance(values, dict):
        return None
    kept = {}
    for key, value in values.items():
        if isinstance(value, str):
            kept[str(key)] = value
        else:
            shown = json.dumps(value)  # true, not True
            warnings.append(f"Invalid format for '{field}'. Expected type string for property '{key}' "
                            f"of resource {where} but got '{shown}'")
    return kept


class ImportContext:
    """One import into one API: what the document defines at the top, then each operation."""

    def __init__(self, backend: Any, api: Any, document: dict[str, Any]) -> None:
        self.backend, self.api, self.document = backend, api, document
        self.swagger = "swagger" in document
        self.authorizers: dict[str, Any] = {}  # scheme name -> moto Authorizer made from it
        self.validators: dict[str, str] = {}  # validator name -> id
        self.warnings: list[str] = []

    # --- the document's top level -------------------------------------------------------------------------

    def put_models(self) -> None:
        """definitions (Swagger) / components.schemas (OpenAPI 3) as application/json models, description from the
        schema (test_import_with_circular_models "get-models")."""
        for name, schema in _models_of(self.document).items():
            if name in self.api.models:
                continue  # merge keeps a model the API has
            schema = schema if isinstance(schema, dict) else {}
            self.backend.create_model(self.api.id, str(name), "application/json", schema.get("description"),
                                      json.dumps(_rewrite_refs(schema, self.api.id)))

    def put_authorizers(self) -> None:
        """Security schemes carrying x-amazon-apigateway-authorizer (test_import_with_global_api_key_authorizer,
        test_import_with_cognito_auth_identity_source "get-authorizers")."""
        for name, scheme in _schemes_of(self.document).items():
            found = (scheme or {}).get(AUTHORIZER) if isinstance(scheme, dict) else None
            if not isinstance(found, dict):
                continue
            kind = str(found.get("type") or "token").upper()
            identity = found.get("identitySource")
            if identity is None and scheme.get("in") == "header" and scheme.get("name"):
                identity = f"method.request.header.{scheme['name']}"  # cognito "get-authorizers": from the scheme
            ttl = found.get("authorizerResultTtlInSeconds")
            self.authorizers[str(name)] = self.backend.create_authorizer(
                self.api.id, str(name), kind, provider_arns=found.get("providerARNs"),
                auth_type=scheme.get("x-amazon-apigateway-authtype"), authorizer_uri=found.get("authorizerUri"),
                authorizer_credentials=found.get("authorizerCredentials"), identity_source=identity,
                identiy_validation_expression=found.get("identityValidationExpression"),
                authorizer_result_ttl=int(ttl) if ttl is not None else None)

    def put_validators(self) -> None:
        """x-amazon-apigateway-request-validators (test_import_with_circular_models_and_request_validation
        "request-validators")."""
        for name, settings in (self.document.get(VALIDATORS) or {}).items():
            settings = settings or {}
            made = self.backend.create_request_validator(self.api.id, str(name),
                                                         bool(settings.get("validateRequestBody", False)),
                                                         bool(settings.get("validateRequestParameters", False)))
            self.validators[str(name)] = made.id

    def put_gateway_responses(self) -> None:
        """x-amazon-apigateway-gateway-responses: {type: {statusCode, responseParameters, responseTemplates}}
        (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.html)."""
        for kind, response in (self.document.get(GATEWAY_RESPONSES) or {}).items():
            response = response if isinstance(response, dict) else {}
            status = response.get("statusCode")
            self.backend.put_gateway_response(self.api.id, str(kind), str(status) if status is not None else None,
                                              response.get("responseParameters"), response.get("responseTemplates"))

    # --- one operation ------------------------------------------------------------------------------------

    def put_operation(self, resource: Any, path: str, method: str, operation: dict[str, Any],
                      item: dict[str, Any]) -> None:
        """Method, method responses, integration and integration responses of one operation."""
        authorization = self._authorization(operation)
        validator = operation.get(VALIDATOR, self.document.get(VALIDATOR))
        self.backend.put_method(
            self.api.id, resource.id, method, authorization["type"], api_key_required=authorization["api_key"],
            request_parameters=self._request_parameters(path, operation, item) or None,
            request_models=self._request_models(operation) or None, operation_name=operation.get("operationId"),
            authorizer_id=authorization["authorizer_id"], authorization_scopes=authorization["scopes"],
            request_validator_id=self.validators.get(str(validator)) if validator else None)
        for status, response in (operation.get("responses") or {}).items():
            response = response if isinstance(response, dict) else {}
            self.backend.put_method_response(
                self.api.id, resource.id, method, str(status),
                response_models=self._response_models(response, operation) or None,
                response_parameters={f"method.response.header.{header}": False
                                     for header in response.get("headers") or {}} or None)
        integration = operation.get(INTEGRATION)
        if isinstance(integration, dict):
            self._put_integration(resource, path, method, integration)

    def _authorization(self, operation: dict[str, Any]) -> dict[str, Any]:
        """authorizationType, authorizerId, scopes and apiKeyRequired from the operation's `security` (else the
        document's): test_import_with_cognito_auth_identity_source "method-*-get"."""
        found: dict[str, Any] = {"type": "NONE", "authorizer_id": None, "scopes": None, "api_key": False}
        requirements = operation.get("security", self.document.get("security")) or []
        schemes = _schemes_of(self.document)
        for requirement in requirements[:1]:
            for name, scopes in (requirement or {}).items():
                authorizer = self.authorizers.get(str(name))
                scheme = schemes.get(name) or {}
                if authorizer is not None:
                    found["type"] = AUTHORIZATION_TYPES.get(str(authorizer.type), "CUSTOM")
                    found["authorizer_id"] = authorizer.id
                    if scopes:
                        found["scopes"] = list(scopes)
                elif scheme.get("x-amazon-apigateway-authtype") == "awsSigv4":
                    found["type"] = "AWS_IAM"
                elif scheme.get("type") == "apiKey":
                    found["api_key"] = True
        return found

    def _request_parameters(self, path: str, operation: dict[str, Any], item: dict[str, Any]) -> dict[str, bool]:
        """method.request.{path|querystring|header}.NAME: required; path parameters are always required, and
        those only in the path template are added ("method-echo/{data}-any": method.request.path.data)."""
        found: dict[str, bool] = {}
        for parameter in list(item.get("parameters") or []) + list(operation.get("parameters") or []):
            place = PARAMETER_PLACES.get(str((parameter or {}).get("in")))
            if place:
                found[f"method.request.{place}.{parameter['name']}"] = place == "path" or bool(parameter.get("required"))
        for name in re.findall(r"{([^}+]+)\+?}", path):
            found.setdefault(f"method.request.path.{name}", True)
        return found

    def _request_models(self, operation: dict[str, Any]) -> dict[str, str]:
        """requestBody content (OpenAPI 3) or the body parameter (Swagger) naming a model
        (test_import_with_circular_models_and_request_validation "method-person-post": Person)."""
        if self.swagger:
            body = next((p for p in operation.get("parameters") or [] if (p or {}).get("in") == "body"), None)
            name = _ref_name((body or {}).get("schema"))
            types = operation.get("consumes") or self.document.get("consumes") or ["application/json"]
            return {str(types[0]): name} if name else {}
        content = ((operation.get("requestBody") or {}).get("content") or {})
        return {ctype: name for ctype, media in content.items() if (name := _ref_name((media or {}).get("schema")))}

    def _response_models(self, response: dict[str, Any], operation: dict[str, Any]) -> dict[str, str]:
        """The model each response content type names ("srv-url-method-response-part/test-get": Empty)."""
        if self.swagger:
            name = _ref_name(response.get("schema"))
            types = operation.get("produces") or self.document.get("produces") or ["application/json"]
            return {str(types[0]): name} if name else {}
        content = response.get("content") or {}
        return {ctype: name for ctype, media in content.items() if (name := _ref_name((media or {}).get("schema")))}

    def _put_integration(self, resource: Any, path: str, method: str, integration: dict[str, Any]) -> None:
        """The integration as AWS stores it: type and passthroughBehavior upper-case, 29000 ms, no cache keys, the
        resource as cache namespace, INTERNET for an HTTP one ("method-pets-get"; none for MOCK: "method-test-get", nor
        AWS_PROXY: test_import_and_validate_rest_api[swagger-mock-cors.json] "method-product-get")."""
        kind = str(integration.get("type") or "").upper()
        where = f"'{path}' and method '{method}'"
        self.backend.put_integration(
            function_id=self.api.id, resource_id=resource.id, method_type=method, integration_type=kind,
            uri=integration.get("uri"), integration_method=integration.get("httpMethod"),
            credentials=integration.get("credentials"),
            request_templates=_strings(integration.get("requestTemplates"), "requestTemplates", where, self.warnings) or None,
            passthrough_behavior=str(integration.get("passthroughBehavior") or "WHEN_NO_MATCH").upper(),
            tls_config=integration.get("tlsConfig"), cache_namespace=integration.get("cacheNamespace") or resource.id,
            timeout_in_millis=int(integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS),
            request_parameters=_strings(integration.get("requestParameters"), "requestParameters", where, self.warnings) or None,
            content_handling=integration.get("contentHandling"),
            connection_type=integration.get("connectionType") or ("INTERNET" if kind in HTTP_TYPES else None))
        stored = self.backend.get_integration(self.api.id, resource.id, method)
        stored.cache_key_parameters = list(integration.get("cacheKeyParameters") or [])  # as responses.py stores it
        for pattern, response in (integration.get("responses") or {}).items():
            response = response if isinstance(response, dict) else {}
            self.backend.put_integration_response(
                function_id=self.api.id, resource_id=resource.id, method_type=method,
                status_code=str(response.get("statusCode") or "200"),  # YAML's 200 is an int: "method-test-get"
                selection_pattern=None if pattern == "default" else str(pattern),
                response_templates=response.get("responseTemplates"),
                response_parameters=response.get("responseParameters"),
                content_handling=response.get("contentHandling"))
