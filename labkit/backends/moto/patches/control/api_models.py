"""Models and request validators: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

What this module restores:
- every new REST API has AWS's `Empty` and `Error` models
  (test_apigateway_api.snapshot.json::test_model_lifecycle, get-models)
- create_model: a duplicate name is 409 ConflictException "Model name already exists for this REST API", an
  empty name 400 "Model name must be non-empty", a missing or empty schema 400 "Model schema must have at
  least 1 property or array items defined"; an unknown API 404 "Invalid API identifier specified
  <account>:<id>" (test_model_validation)
- get_model / delete_model / update_model of an unknown model or API: 404 "Invalid model name specified: <name>"
  (test_model_validation: get-model-wrong-id, del-model-wrong-id; test_update_model: update-model-wrong-id)
- delete_model answers 202 (moto's answered 200) (test_model_lifecycle: del-model)
- update_model (moto lacks it): replace /schema and /description only, AWS's errors (test_update_model)
- delete_model of a model a method request uses: 409 "Cannot delete model '<name>', is referenced in method
  request: <path>/<METHOD>" (test_apigateway_api.snapshot.json::test_put_method_model, delete-model-used)
- request validators answer `validateRequestBody`/`validateRequestParameters` false when not set
  (test_request_validator_lifecycle: create-request-validator)
- an unknown validator (or API) on get/delete/update: 404 "Invalid Request Validator identifier specified";
  create on an unknown API: 400 "Invalid REST API identifier specified"; list on one: 404 "Invalid API
  identifier specified <account>:<id>" (test_invalid_get_request_validator, test_invalid_delete_request_validator,
  test_create_request_validator_invalid_api_id, test_validators_crud_no_api)
- update_request_validator: only replace of /name, /validateRequestBody, /validateRequestParameters; a
  replace without value sets false; a blank name is refused (test_request_validator_lifecycle,
  test_invalid_update_request_validator_operations)
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway.exceptions import BadRequestException, ConflictException, NotFoundException
from moto.apigateway.models import APIGatewayBackend, Model, RequestValidator, Resource, RestAPI
from moto.apigateway.responses import APIGatewayResponse

from ..shared import Wrap, binder, uses

# AWS's two models on every new API (test_apigateway_api.snapshot.json::test_model_lifecycle, get-models;
# the schemas as https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html shows).
DEFAULT_MODELS = {
    "Empty": ("This is a default empty schema model",
              '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n'
              '  "type" : "object"\n}'),
    "Error": ("This is a default error schema model",
              '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n'
              '  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}'),
}
EMPTY_SCHEMA = "Model schema must have at least 1 property or array items defined"
VALIDATOR_NOT_FOUND = "Invalid Request Validator identifier specified"
VALIDATOR_PATHS = ("/name", "/validateRequestParameters", "/validateRequestBody")


class NotFound(NotFoundException):
    """moto's NotFoundException answers HTTP 400 unless a subclass sets 404, AWS's status for it."""

    code = 404


def rest_api_or_404(backend: Any, api_id: str) -> RestAPI:
    """The API, or AWS's 404 naming the account (test_model_validation: get-models-wrong-id)."""
    api = backend.apis.get(api_id)
    if api is None:
        raise NotFound(f"Invalid API identifier specified {backend.account_id}:{api_id}")
    return api


@uses()
def patch_response_status(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's status code reaches the client (its empty headers made every answer 200): e.g. 201 for
    PutGatewayResponse, 202 for DeleteGatewayResponse and DeleteModel (recorded: test_gateway_response_crud
    put-gateway-response, delete-gateway-response; test_model_lifecycle del-model)."""

    @functools.wraps(original)
    def with_status(self: Any, *args: Any, **kwargs: Any) -> Any:
        status, headers, body = original(self, *args, **kwargs)
        return status, {**headers, "status": status}, body

    return with_status


def default_model_id(api_id: str, name: str) -> str:
    """A stable 6-character id for a default model, derived from the API id: taking one from moto's seeded
    id sequence would shift every id a notebook prints after it."""
    return hashlib.sha256(f"{api_id}:{name}".encode()).hexdigest()[:6]


@uses()
def patch_rest_api_init(original: Callable[..., Any]) -> Callable[..., Any]:
    """A new REST API starts with AWS's Empty and Error models (recorded: test_model_lifecycle get-models)."""

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        for name, (description, schema) in DEFAULT_MODELS.items():
            self.models[name] = Model(model_id=default_model_id(self.id, name), name=name, description=description,
                                      schema=schema, content_type="application/json")

    return init


def model_or_404(backend: Any, api_id: str, name: str) -> Model:
    """The model; an unknown API or model is the same 404 on AWS (recorded: get-model-wrong-id)."""
    api = backend.apis.get(api_id)
    model = api.models.get(name) if api is not None else None
    if model is None:
        raise NotFound(f"Invalid model name specified: {name}")
    return model


@uses("rest_api_id", "name", "schema")
def patch_create_model(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateModel's checks, in AWS's order (recorded: test_model_validation)."""
    bind = binder(original)

    @functools.wraps(original)
    def create_model(self: Any, *args: Any, **kwargs: Any) -> Model:
        arguments = bind(self, *args, **kwargs).arguments
        api = rest_api_or_404(self, arguments["rest_api_id"])
        if not arguments["name"]:
            raise BadRequestException("Model name must be non-empty")
        if arguments["name"] in api.models:
            raise ConflictException("Model name already exists for this REST API")
        if not arguments["schema"]:
            raise BadRequestException(EMPTY_SCHEMA)
        return original(self, *args, **kwargs)

    return create_model


@uses("rest_api_id")
def patch_get_models(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetModels on an unknown API names it (recorded: get-models-wrong-id)."""
    bind = binder(original)

    @functools.wraps(original)
    def get_models(self: Any, *args: Any, **kwargs: Any) -> list[Model]:
        rest_api_or_404(self, bind(self, *args, **kwargs).arguments["rest_api_id"])
        return original(self, *args, **kwargs)

    return get_models


@uses("rest_api_id", "model_name")
def patch_get_model(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetModel: AWS's 404 for an unknown model or API (recorded: get-model-wrong-id)."""
    bind = binder(original)

    @functools.wraps(original)
    def get_model(self: Any, *args: Any, **kwargs: Any) -> Model:
        arguments = bind(self, *args, **kwargs).arguments
        return model_or_404(self, arguments["rest_api_id"], arguments["model_name"])

    return get_model


def method_using(api: RestAPI, name: str) -> str | None:
    """'<path>/<METHOD>' of the first method whose request models use `name` (None: unused)."""
    for resource in api.resources.values():
        for verb, method in resource.resource_methods.items():
            if name in (getattr(method, "request_models", None) or {}).values():
                return f"{resource.get_path()}/{verb}"
    return None


@uses("rest_api_id", "model_name")
def patch_delete_model(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeleteModel refuses a model in use (recorded: test_put_method_model delete-model-used, '//ANY' on
    the root) and answers AWS's 404 otherwise (del-model-wrong-id)."""
    bind = binder(original)

    @functools.wraps(original)
    def delete_model(self: Any, *args: Any, **kwargs: Any) -> None:
        arguments = bind(self, *args, **kwargs).arguments
        name = arguments["model_name"]
        model_or_404(self, arguments["rest_api_id"], name)
        used_by = method_using(self.apis[arguments["rest_api_id"]], name)
        if used_by is not None:
            raise ConflictException(f"Cannot delete model '{name}', is referenced in method request: {used_by}")
        return original(self, *args, **kwargs)

    return delete_model


def update_model(self: Any) -> Any:
    """UpdateModel: replace /schema or /description (https://docs.aws.amazon.com/apigateway/latest/api/
    API_UpdateModel.html); errors recorded in test_update_model. All operations are checked first."""
    parts = [unquote(p) for p in self.path.split("/")]
    model = model_or_404(self.backend, parts[2], parts[4])
    changes = {}
    for operation in self._get_param("patchOperations") or []:
        op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
        if op != "replace":
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations")
        if path not in ("/description", "/schema"):
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op 'replace'. Must be one of: [/description, /schema]")
        if path == "/schema" and not value:
            raise BadRequestException(EMPTY_SCHEMA)
        changes[path[1:]] = value
    for attribute, value in changes.items():
        setattr(model, attribute, value)
    return 200, {"status": 200}, json.dumps(model.to_json())


def validator_or_404(backend: Any, api_id: str, validator_id: str) -> RequestValidator:
    """The validator; an unknown API or validator is the same 404 on AWS (test_invalid_get_request_validator)."""
    api = backend.apis.get(api_id)
    validator = api.request_validators.get(validator_id) if api is not None else None
    if validator is None:
        raise NotFound(VALIDATOR_NOT_FOUND)
    return validator


@uses("restapi_id", "body", "params")
def patch_create_request_validator(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateRequestValidator: both flags false when not given (recorded: create-request-validator); an
    unknown API is 400 "Invalid REST API identifier specified" (invalid-create-request-validator)."""
    bind = binder(original)

    @functools.wraps(original)
    def create_request_validator(self: Any, *args: Any, **kwargs: Any) -> RequestValidator:
        bound = bind(self, *args, **kwargs)
        if bound.arguments["restapi_id"] not in self.apis:
            raise BadRequestException("Invalid REST API identifier specified")
        bound.arguments["body"] = bool(bound.arguments["body"])
        bound.arguments["params"] = bool(bound.arguments["params"])
        return original(*bound.args, **bound.kwargs)

    return create_request_validator


@uses("restapi_id")
def patch_get_request_validators(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetRequestValidators on an unknown API names it (recorded: get-invalid-request-validators)."""
    bind = binder(original)

    @functools.wraps(original)
    def get_request_validators(self: Any, *args: Any, **kwargs: Any) -> list[RequestValidator]:
        rest_api_or_404(self, bind(self, *args, **kwargs).arguments["restapi_id"])
        return original(self, *args, **kwargs)

    return get_request_validators


@uses("restapi_id", "validator_id")
def patch_validator_lookup(original: Callable[..., Any]) -> Callable[..., Any]:
    """Get/DeleteRequestValidator: 404 for an unknown API or validator (moto answered 400 or KeyError).
    Recorded: get-request-validators-invalid-*, delete-request-validator-invalid-*."""
    bind = binder(original)

    @functools.wraps(original)
    def lookup(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = bind(self, *args, **kwargs).arguments
        validator_or_404(self, arguments["restapi_id"], arguments["validator_id"])
        return original(self, *args, **kwargs)

    return lookup


def validator_change(operation: dict[str, Any]) -> tuple[str, Any]:
    """(attribute, value) for one UpdateRequestValidator operation, or AWS's 400
    (recorded: test_invalid_update_request_validator_operations; test_request_validator_lifecycle
    update-request-validator-without-value: a replace without value is false)."""
    op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
    if op != "replace":
        raise BadRequestException(
            f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations")
    if path not in VALIDATOR_PATHS:
        raise BadRequestException(
            f"Invalid patch path  '{path}' specified for op 'replace'. Must be one of: [{', '.join(VALIDATOR_PATHS)}]")
    if path == "/name":
        if not value or not str(value).strip():
            raise BadRequestException("Request Validator name cannot be blank")
        return "name", value
    attribute = "validate_request_body" if path == "/validateRequestBody" else "validate_request_parameters"
    return attribute, str(value).lower() == "true"


@uses("restapi_id", "validator_id", "patch_operations")
def patch_update_request_validator(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateRequestValidator with AWS's rules; nothing changes unless every operation is valid."""
    bind = binder(original)

    @functools.wraps(original)
    def update_request_validator(self: Any, *args: Any, **kwargs: Any) -> RequestValidator:
        arguments = bind(self, *args, **kwargs).arguments
        validator = validator_or_404(self, arguments["restapi_id"], arguments["validator_id"])
        changes = [validator_change(op) for op in arguments["patch_operations"] or []]
        for attribute, value in changes:
            setattr(validator, attribute, value)
        return validator

    return update_request_validator


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = (update_model,)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    backend = APIGatewayBackend
    return [
        Wrap(RestAPI, "__init__", patch_rest_api_init),
        Wrap(backend, "create_model", patch_create_model),
        Wrap(backend, "get_models", patch_get_models),
        Wrap(backend, "get_model", patch_get_model),
        Wrap(backend, "delete_model", patch_delete_model),
        Wrap(APIGatewayResponse, "delete_model", patch_response_status),
        Wrap(backend, "create_request_validator", patch_create_request_validator),
        Wrap(backend, "get_request_validators", patch_get_request_validators),
        Wrap(backend, "get_request_validator", patch_validator_lookup),
        Wrap(backend, "delete_request_validator", patch_validator_lookup),
        Wrap(backend, "update_request_validator", patch_update_request_validator),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return [(Resource, "get_path")]
