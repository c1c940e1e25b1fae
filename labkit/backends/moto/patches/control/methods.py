"""Methods and method responses: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

"api.snapshot" below is test_apigateway_api.snapshot.json; its keys are
`tests/aws/services/apigateway/test_apigateway_api.py::<Class>::<test>` / <entry>.

What this module restores:
- UpdateMethod (moto lacks it): replace /apiKeyRequired, /authorizationType, /authorizerId, /operationName,
  /requestValidatorId; add/replace/remove /requestParameters/{name} and /requestModels/{type}
  (api.snapshot TestApiGatewayApiMethod::test_update_method)
- UpdateMethod errors: unknown API/resource "Invalid Resource identifier specified", unknown method
  "Invalid Method identifier specified", a non-replace op on a scalar "Must be one of: [replace]", an
  unknown path "Invalid patch path ...", CUSTOM/COGNITO without a real authorizer, unknown request
  validator; an authorizerId on a method that is not CUSTOM/COGNITO is dropped
  (api.snapshot TestApiGatewayApiMethod::test_update_method_validation)
- UpdateMethodResponse (moto lacks it): add/replace/remove /responseParameters/{name} and
  /responseModels/{type}; a map emptied by remove disappears from the answer
  (api.snapshot TestApigatewayMethodResponse::test_update_method_response, test_lifecycle_method_response)
- UpdateMethodResponse errors: unknown name "Invalid parameter name specified", unknown content type
  "Content-Type specified was not found", unknown path, unknown status code, resource or method
  (api.snapshot TestApigatewayMethodResponse::test_update_method_wrong_param_names,
  test_update_method_lack_response_parameters_and_models, test_update_method_response_negative_tests)
- Every update_* of methods and integrations: an op outside JSON Patch's and a status code outside
  [1-5]\\d\\d answer ValidationException listing each error
  (api.snapshot TestApigatewayMethodResponse::test_update_method_response_wrong_operations,
  test_update_method_response_negative_tests)
- PutMethod refuses as AWS: unknown API/resource (404), an HTTP method outside GET..ANY, CUSTOM/COGNITO
  without a real authorizer, an unknown request validator or model, a request parameter that is not a
  method.request.* expression or repeats a name across querystring/header/path
  (api.snapshot TestApiGatewayApiMethod::test_put_method_validation, test_method_request_parameters;
  TestApigatewayIntegration::test_put_integration_request_parameter_bool_type / put-method-request-param-wrong-type)
- A method without method responses has no `methodResponses` (api.snapshot
  TestApiGatewayApiMethod::test_update_method / put-method-response)
- DeleteMethod of a method that does not exist: 404 "Invalid Method identifier specified" (moto answered 204)
  (api.snapshot TestApiGatewayApiMethod::test_method_lifecycle / delete-deleted-method-response)
- Put/Get/Update/DeleteMethodResponse refuse a status code outside [1-5]\\d\\d (letters too: the kit routes any
  status-code segment) with ValidationException (api.snapshot TestApigatewayMethodResponse::
  test_update_method_response_negative_tests / update-method-response-invalid-statuscode;
  https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethodResponse.html)
- Put/Get/DeleteMethodResponse on an unknown API or resource "Invalid Resource identifier specified", method
  "Invalid Method identifier specified", and Get/Delete of an unknown status code 404 "Invalid Response status
  code specified", as UpdateMethodResponse (api.snapshot test_update_method_response_negative_tests)
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable
from typing import Any

from moto.apigateway import models as moto_models
from moto.apigateway.exceptions import ApiGatewayException, BadRequestException, NotFoundException
from moto.apigateway.responses import APIGatewayResponse

from ..shared import Wrap, uses

# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
# (Filled in at the end of the module, once the functions exist.)

# https://docs.aws.amazon.com/apigateway/latest/api/API_PatchOperation.html: op's enum, in the order AWS lists it
# in its ValidationException (api.snapshot test_update_method_response_wrong_operations).
PATCH_OPS = ("add", "remove", "move", "test", "replace", "copy")
STATUS_CODE = re.compile(r"[1-5]\d\d")
AUTHORIZER_TYPES = ("CUSTOM", "COGNITO_USER_POOLS")
# api.snapshot test_update_method_validation / wrong-auth-type, wrong-auth-id
INVALID_AUTHORIZER = ("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                      "COGNITO_USER_POOLS requires a valid authorizer.")
REPLACE_ONLY = "Invalid patch operation specified. Must be one of: [replace]"
# The kit's wording (AWS's answer for move/copy/test on a map entry is not recorded).
MAP_OPS_ONLY = "Invalid patch operation specified. Must be one of: [add, remove, replace]"


class NotFound(NotFoundException):
    """NotFoundException with AWS's HTTP status, 404 (moto's base class answers 400;
    api.snapshot test_update_method_validation / wrong-rest-api: 404)."""

    code = 404


class ValidationException(ApiGatewayException):
    """AWS's input validation error (moto has no such class for API Gateway)."""

    def __init__(self, message: str):
        super().__init__("ValidationException", message)


class SerializationException(ApiGatewayException):
    """AWS's answer to a value of the wrong JSON type (e.g. a boolean where a string belongs)."""

    def __init__(self, message: str):
        super().__init__("SerializationException", message)


def enum_error(value: str, where: str, allowed: tuple[str, ...]) -> str:
    """One ValidationException entry: `value` at `where` is outside the enum `allowed` (AWS's wording)."""
    return (f"Value '{value}' at '{where}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]")


def raise_validation(errors: list[str]) -> None:
    """One ValidationException listing every entry, as AWS counts them ("1 validation error detected: ...")."""
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationException(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))


def status_code_errors(status_code: str | None) -> list[str]:
    """The entry for a status code outside [1-5]\\d\\d (the pattern of every method and integration response
    status code: https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteIntegrationResponse.html;
    api.snapshot test_integration_response_invalid_statuscode, test_update_method_response_negative_tests)."""
    if status_code is None or STATUS_CODE.fullmatch(status_code):
        return []
    return [f"Value '{status_code}' at 'statusCode' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [1-5]\\d\\d"]


def check_status_code(status_code: str) -> None:
    """ValidationException for a malformed status code, before any lookup (AWS validates input first:
    api.snapshot test_integration_response_invalid_statuscode, on a method that does not exist)."""
    raise_validation(status_code_errors(status_code))


def validation_errors(input_name: str, operations: Any, status_code: str | None = None) -> None:
    """ValidationException listing every op outside the enum and a malformed status code, as AWS does."""
    errors = []
    for index, operation in enumerate(operations if isinstance(operations, list) else [], start=1):
        op = operation.get("op") if isinstance(operation, dict) else None
        if op is not None and op not in PATCH_OPS:
            errors.append(enum_error(op, f"{input_name}.patchOperations.{index}.member.op", PATCH_OPS))
    raise_validation(errors + status_code_errors(status_code))


def java_type(value: Any) -> str:
    """The type AWS's (Java) parser names for a JSON value that is not a string."""
    if isinstance(value, bool):
        return "java.lang.Boolean"  # api.snapshot test_put_integration_request_parameter_bool_type
    if isinstance(value, (int, float)):
        return "com.amazon.coral.value.json.numbers.TruncatingBigNumber"  # ...invalid_responsetemplates
    return "java.util.Map" if isinstance(value, dict) else "java.util.List"


def check_string_map(value: Any) -> None:
    """A map of strings as AWS's parser reads it: a value that is not a string is a SerializationException
    (api.snapshot TestApigatewayIntegration::test_put_integration_request_parameter_bool_type /
    put-integration-request-param-bool-value; TestApigatewayIntegrationResponse::
    test_integration_response_invalid_responsetemplates / put-integration-response-invalid-responseTemplates-1)."""
    for item in (value.values() if isinstance(value, dict) else ()):
        if item is not None and not isinstance(item, str):
            raise SerializationException(f"class {java_type(item)} can not be converted to an String")


def patch_operations(response: Any) -> list[dict[str, Any]]:
    """The request's patchOperations, each an {op, path, value} dict of strings (SerializationException if not)."""
    operations = response._get_param("patchOperations") or []
    if not isinstance(operations, list):
        raise SerializationException(f"class {java_type(operations)} can not be converted to a List")
    for operation in operations:
        if not isinstance(operation, dict):
            raise SerializationException(f"class {java_type(operation)} can not be converted to a PatchOperation")
        for key in ("op", "path", "value", "from"):
            value = operation.get(key)
            if value is not None and not isinstance(value, str):
                raise SerializationException(f"class {java_type(value)} can not be converted to an String")
    return operations


def path_parts(path: str | None) -> list[str]:
    """A JSON Pointer's segments, unescaped: '/requestModels/application~1json' -> ['requestModels', 'application/json']."""
    if not path or not path.startswith("/"):
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def as_bool(value: str | None) -> bool:
    """AWS reads a patch value as a boolean as Java does: only 'true' (any case) is true
    (api.snapshot test_update_method_validation / wrong-value-type: 'whatever' -> false)."""
    return (value or "").lower() == "true"


def url_parts(response: Any) -> list[str]:
    """The request path's segments: ['', 'restapis', api, 'resources', resource, 'methods', verb, ...]."""
    return response.path.split("?")[0].split("/")


def find_method(backend: Any, api_id: str, resource_id: str, http_method: str) -> Any:
    """The method, or NotFoundException worded as AWS (an unknown API reads as an unknown resource:
    api.snapshot test_update_method_validation / wrong-rest-api, wrong-resource-id, method-does-not-exist)."""
    api = backend.apis.get(api_id)
    resource = api.resources.get(resource_id) if api is not None else None
    if resource is None:
        raise NotFound("Invalid Resource identifier specified")
    method = resource.resource_methods.get(http_method)
    if method is None:
        raise NotFound("Invalid Method identifier specified")
    return method


def patch_map(current: dict[str, Any] | None, op: str, key: str, value: Any, missing: str) -> dict[str, Any] | None:
    """A map after add/replace/remove of one key (replace/remove of an absent key: NotFoundException
    `missing`); None once it is empty, as AWS then omits the field (api.snapshot test_update_method_response)."""
    entries = dict(current or {})
    if op not in ("add", "replace", "remove"):
        raise BadRequestException(MAP_OPS_ONLY)
    if op != "add" and key not in entries:
        raise NotFound(missing)
    if op == "remove":
        del entries[key]
    else:
        entries[key] = value
    return entries or None


def atomically(target: Any, fields: tuple[str, ...], apply: Callable[[], None]) -> None:
    """Run `apply`; if it raises, put `fields` of `target` back as they were (AWS applies all ops or none)."""
    saved = {name: copy.deepcopy(getattr(target, name)) for name in fields}
    try:
        apply()
    except Exception:
        for name, value in saved.items():
            setattr(target, name, value)
        raise


METHOD_SCALARS = {"apiKeyRequired": "api_key_required", "authorizationType": "authorization_type",
                  "authorizerId": "authorizer_id", "operationName": "operation_name",
                  "requestValidatorId": "request_validator_id"}
METHOD_FIELDS = (*METHOD_SCALARS.values(), "request_parameters", "request_models", "authorization_scopes")


def apply_method_operation(method: Any, operation: dict[str, Any]) -> None:
    """One UpdateMethod patch operation (paths: https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateMethod.html)."""
    op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
    parts = path_parts(path)
    head = parts[0] if parts else None
    if head in ("requestParameters", "requestModels") and len(parts) == 2 and parts[1]:
        if head == "requestParameters":  # stored as booleans (api.snapshot test_update_method / update-method-add)
            method.request_parameters = patch_map(method.request_parameters, op, parts[1], as_bool(value),
                                                  "Invalid parameter name specified")
        else:
            method.request_models = patch_map(method.request_models, op, parts[1], value,
                                              "Content-Type specified was not found")
    elif head == "authorizationScopes" and len(parts) == 1 and op in ("add", "remove"):
        scopes = [s for s in (method.authorization_scopes or []) if s != value]
        method.authorization_scopes = (scopes + [value] if op == "add" and value else scopes) or None
    elif head in METHOD_SCALARS and len(parts) == 1:
        if op != "replace":
            raise BadRequestException(REPLACE_ONLY)  # api.snapshot test_update_method_validation / unsupported-operation
        setattr(method, METHOD_SCALARS[head], as_bool(value) if head == "apiKeyRequired" else (value or None))
    else:
        raise BadRequestException(f"Invalid patch path {path}")  # .../unsupported-path, wrong-path-request-*


def check_method(api: Any, method: Any) -> None:
    """What AWS checks once all operations are applied (api.snapshot test_update_method_validation)."""
    if method.authorization_type in AUTHORIZER_TYPES:
        if method.authorizer_id not in api.authorizers:
            raise BadRequestException(INVALID_AUTHORIZER)  # wrong-auth-type, wrong-auth-id
    else:
        method.authorizer_id = None  # skip-auth-id-with-wrong-type: AWS ignores it
    if method.request_validator_id and method.request_validator_id not in api.request_validators:
        raise BadRequestException("Invalid Request Validator identifier specified")  # wrong-req-validator-id


def update_method(self: Any) -> Any:
    """UpdateMethod. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateMethod.html"""
    parts = url_parts(self)
    api_id, resource_id, http_method = parts[2], parts[4], parts[6]
    validation_errors("updateMethodInput", self._get_param("patchOperations"))
    operations = patch_operations(self)
    method = find_method(self.backend, api_id, resource_id, http_method)
    api = self.backend.apis[api_id]

    def apply() -> None:
        for operation in operations:
            apply_method_operation(method, operation)
        check_method(api, method)

    atomically(method, METHOD_FIELDS, apply)
    return 200, {"status": 200}, json.dumps(method.to_json())


def find_method_response(backend: Any, parts: list[str]) -> Any:
    """The method response at /restapis/{api}/resources/{id}/methods/{verb}/responses/{code}, or NotFoundException
    (api.snapshot test_update_method_response_negative_tests / update-method-response-wrong-statuscode)."""
    method = find_method(backend, parts[2], parts[4], parts[6])
    found = method.method_responses.get(parts[8])
    if found is None:
        raise NotFound("Invalid Response status code specified")
    return found


def apply_method_response_operation(method_response: Any, operation: dict[str, Any]) -> None:
    """One UpdateMethodResponse patch operation (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateMethodResponse.html)."""
    op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
    parts = path_parts(path)
    if len(parts) == 2 and parts[1] and parts[0] == "responseParameters":
        method_response.response_parameters = patch_map(  # booleans, as recorded (add-update-method-response)
            method_response.response_parameters, op, parts[1], as_bool(value), "Invalid parameter name specified")
    elif len(parts) == 2 and parts[1] and parts[0] == "responseModels":
        method_response.response_models = patch_map(
            method_response.response_models, op, parts[1], value, "Content-Type specified was not found")
    else:
        raise BadRequestException(f"Invalid patch path {path}")  # ...-operation-with-wrong-path


def update_method_response(self: Any) -> Any:
    """UpdateMethodResponse. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateMethodResponse.html"""
    parts = url_parts(self)
    validation_errors("updateMethodResponseInput", self._get_param("patchOperations"), parts[8])
    operations = patch_operations(self)
    method_response = find_method_response(self.backend, parts)

    def apply() -> None:
        for operation in operations:
            apply_method_response_operation(method_response, operation)

    atomically(method_response, ("response_parameters", "response_models"), apply)
    return 200, {"status": 200}, json.dumps(method_response.to_json())


OPERATIONS: tuple[Callable[..., Any], ...] = (update_method, update_method_response)

# api.snapshot TestApiGatewayApiMethod::test_put_method_validation / wrong-method
HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")
# https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html:
# method.request.{location}.{name}
REQUEST_PARAMETER = re.compile(r"method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\.(.+)")
# Every REST API has these two models (https://docs.aws.amazon.com/apigateway/latest/developerguide/
# models-mappings-models.html); the kit's moto does not list them, so they are accepted by name.
DEFAULT_MODELS = ("Empty", "Error")


def check_request_parameters(parameters: Any) -> None:
    """PutMethod's requestParameters: each a method.request.* expression, each name once across locations
    (api.snapshot TestApiGatewayApiMethod::test_method_request_parameters / req-params-same-name;
    TestApigatewayIntegration::test_put_integration_request_parameter_bool_type / put-method-request-param-wrong-type)."""
    seen: set[str] = set()
    for key in parameters if isinstance(parameters, dict) else {}:
        found = REQUEST_PARAMETER.fullmatch(str(key))
        if found is None:
            raise BadRequestException("Invalid mapping expression specified: Validation Result: warnings : [], "
                                      f"errors : [Invalid mapping expression specified: {key}]")
        location, name = found.groups()
        if location in ("querystring", "header", "path"):
            if name in seen:
                raise BadRequestException("Parameter names must be unique across querystring, header and path")
            seen.add(name)


def check_put_method(response: Any) -> None:
    """What AWS refuses in PutMethod, in the recording's order (api.snapshot TestApiGatewayApiMethod::
    test_put_method_validation / wrong-api, wrong-resource, wrong-method, missing-authorizer-id,
    invalid-request-validator, invalid-model-name)."""
    parts = url_parts(response)
    api = response.backend.apis.get(parts[2])
    if api is None or parts[4] not in api.resources:
        raise NotFound("Invalid Resource identifier specified")
    if parts[6] not in HTTP_METHODS:
        raise BadRequestException(f"Invalid HttpMethod specified. Valid options are {','.join(HTTP_METHODS)}")
    if response._get_param("authorizationType") in AUTHORIZER_TYPES and \
            response._get_param("authorizerId") not in api.authorizers:
        raise BadRequestException(INVALID_AUTHORIZER)
    validator = response._get_param("requestValidatorId")
    if validator and validator not in api.request_validators:
        raise BadRequestException("Invalid Request Validator identifier specified")
    models = response._get_param("requestModels")
    for name in (models.values() if isinstance(models, dict) else []):
        if name not in api.models and name not in DEFAULT_MODELS:
            raise BadRequestException(f"Invalid model identifier specified: {name}")
    check_request_parameters(response._get_param("requestParameters"))


@uses()
def patch_put_method(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutMethod validates its input as AWS does before moto stores the method."""

    @functools.wraps(original)
    def put_method(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_put_method(self)
        return original(self, *args, **kwargs)

    return put_method


@uses()
def patch_method_to_json(original: Callable[..., Any]) -> Callable[..., Any]:
    """No `methodResponses` on a method that has none: AWS omits the field
    (api.snapshot TestApiGatewayApiMethod::test_update_method / put-method-response)."""

    @functools.wraps(original)
    def to_json(self: Any, *args: Any, **kwargs: Any) -> Any:
        shape = original(self, *args, **kwargs)
        if not shape.get("methodResponses"):
            shape.pop("methodResponses", None)
        return shape

    return to_json


@uses()
def patch_delete_method(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeleteMethod of a method that does not exist answers 404, as GetMethod does (moto answered 204)
    (api.snapshot TestApiGatewayApiMethod::test_method_lifecycle / delete-deleted-method-response)."""

    @functools.wraps(original)
    def delete_method(self: Any, *args: Any, **kwargs: Any) -> Any:
        parts = url_parts(self)
        find_method(self.backend, parts[2], parts[4], parts[6])
        return original(self, *args, **kwargs)

    return delete_method


def check_method_response_call(response: Any, must_exist: bool) -> None:
    """Put/Get/DeleteMethodResponse's checks, as UpdateMethodResponse's: a status code outside [1-5]\\d\\d before
    any lookup (ValidationException), an unknown API, resource or method worded as AWS, and for Get/Delete an
    unknown status code (api.snapshot test_update_method_response_negative_tests / update-method-response-
    invalid-statuscode, -wrong-resource, -wrong-method, -wrong-statuscode; the pattern:
    https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethodResponse.html). moto answered a lower-case
    "resource" and, for a deleted status code, failed on None."""
    parts = url_parts(response)
    check_status_code(parts[8])
    if must_exist:
        find_method_response(response.backend, parts)
    else:
        find_method(response.backend, parts[2], parts[4], parts[6])


@uses()
def patch_put_method_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutMethodResponse refuses as AWS does before moto stores the response."""

    @functools.wraps(original)
    def put_method_response(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_method_response_call(self, must_exist=False)
        return original(self, *args, **kwargs)

    return put_method_response


@uses()
def patch_existing_method_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """Get/DeleteMethodResponse refuse as AWS does before moto reads or deletes the response."""

    @functools.wraps(original)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_method_response_call(self, must_exist=True)
        return original(self, *args, **kwargs)

    return call


# moto's URL table routes only digits as a method response's status code, so "wrong" never reached the
# validation above; this path takes any segment (install() routes it to APIGatewayResponse.dispatch).
URL_PATTERNS = (
    "{0}/restapis/(?P<function_id>[^/]+)/resources/(?P<resource_id>[^/]+)/methods/(?P<method_name>[^/]+)"
    "/responses/(?P<status_code>[^/]+)/?$",
)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return [Wrap(moto_models.Method, "to_json", patch_method_to_json),
            Wrap(APIGatewayResponse, "put_method", patch_put_method),
            Wrap(APIGatewayResponse, "delete_method", patch_delete_method),
            Wrap(APIGatewayResponse, "put_method_response", patch_put_method_response),
            *[Wrap(APIGatewayResponse, name, patch_existing_method_response)
              for name in ("get_method_response", "delete_method_response")]]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return [(moto_models.MethodResponse, "to_json")]
