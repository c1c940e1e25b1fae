"""Integrations and integration responses: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

"api.snapshot" below is test_apigateway_api.snapshot.json; its keys are
`tests/aws/services/apigateway/test_apigateway_api.py::<Class>::<test>` / <entry>.

What this module restores:
- UpdateIntegration (moto lacks it): replace the scalar fields (/uri, /connectionId, /timeoutInMillis, ...);
  add/replace/remove /requestTemplates/{type} and /requestParameters/{name}
  (api.snapshot TestApigatewayIntegration::test_create_integration_with_vpc_link / update-integration-vpc-link;
  test_apigateway_s3.py and test_apigateway_sqs.py call it with add /requestTemplates/..., /requestParameters/...)
- UpdateIntegrationResponse (moto lacks it): replace /selectionPattern, /contentHandling; add/replace/remove
  /responseTemplates/{type} and /responseParameters/{name}
  (api.snapshot TestApigatewayIntegrationResponse::test_lifecycle_integration_response / update-integration-response)
- Their errors: unknown resource/method/integration/status code worded as AWS, an op outside JSON Patch's
  and a malformed status code as ValidationException
  (api.snapshot TestApigatewayIntegration::test_get_integration_non_existent)
- GetIntegration, Get/Put/DeleteIntegrationResponse on an unknown API, resource, method, integration or
  status code: 404 NotFoundException worded as AWS (api.snapshot TestApigatewayIntegration::
  test_get_integration_non_existent; TestApigatewayIntegrationResponse::test_integration_response_wrong_api,
  _wrong_resource, _wrong_method, _invalid_integration, _wrong_status_code, test_delete_integration_response_errors)
- PutIntegration refuses as AWS, in AWS's order: a request parameter or template that is not a string
  (SerializationException), a type outside HTTP/MOCK/AWS_PROXY/HTTP_PROXY/AWS (ValidationException), an unknown
  API or resource "Invalid Resource identifier specified", an unknown method "Invalid Method identifier specified"
  (api.snapshot TestApigatewayIntegration::test_put_integration_request_parameter_bool_type /
  put-integration-request-param-*, test_put_integration_wrong_type, test_put_integration_response_validation)
- PutIntegration stores `cacheKeyParameters` and `connectionId` (VPC_LINK), and `cacheNamespace` defaults to
  the resource id (api.snapshot TestApigatewayIntegration::test_create_integration_with_vpc_link /
  put-integration-vpc-link; https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html)
- An integration's `timeoutInMillis` is 29000 and its `passthroughBehavior` WHEN_NO_MATCH unless set
  (api.snapshot TestApigatewayIntegrationResponse::test_lifecycle_integration_response / get-method)
- Put/Get/Update/DeleteIntegrationResponse refuse a status code outside [1-5]\\d\\d (letters too: the kit
  routes any status-code segment) with ValidationException before any lookup
  (api.snapshot TestApigatewayIntegrationResponse::test_integration_response_invalid_statuscode;
  https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteIntegrationResponse.html)
- PutIntegrationResponse refuses a template or parameter that is not a string (SerializationException) and a
  template key that is not a media type (BadRequestException "Invalid content type specified")
  (api.snapshot TestApigatewayIntegrationResponse::test_integration_response_invalid_responsetemplates);
  on a method without an integration, 404 "Invalid Integration identifier specified" (GetIntegrationResponse's
  recorded wording: test_integration_response_invalid_integration)
- DeleteIntegration answers 204 with no body, AWS's not-found wording for unknown ids, and 404 "Invalid
  Integration identifier specified" for a method without one (test_apigateway_lambda.snapshot.json
  test_lambda_aws_integration_with_request_template / delete-integration, get-integration-after-delete)
- An integration response's `selectionPattern` "" is answered, not dropped; no `responseTemplates` when none
  (api.snapshot TestApigatewayIntegration::test_put_integration_response_templates)
  (api.snapshot TestApigatewayIntegrationResponse::test_lifecycle_integration_response / put-integration-response)
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from moto.apigateway import models as moto_models
from moto.apigateway.exceptions import BadRequestException
from moto.apigateway.responses import APIGatewayResponse

from ..shared import Wrap, uses
from .methods import (REPLACE_ONLY, NotFound, atomically, check_status_code, check_string_map, enum_error,
                      find_method, patch_map, patch_operations, path_parts, raise_validation, url_parts,
                      validation_errors)

CONNECTION_ID_ATTR = "_labkit_connection_id"  # on moto's Integration, which has no connectionId
# https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html: timeoutInMillis defaults to 29,000
# (api.snapshot test_lifecycle_integration_response / get-method: 29000, a number).
DEFAULT_TIMEOUT_MS = 29000
# https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html: WHEN_NO_MATCH is the default
# (api.snapshot test_lifecycle_integration_response / get-method).
DEFAULT_PASSTHROUGH = "WHEN_NO_MATCH"
INTEGRATION_SCALARS = {"uri": "uri", "httpMethod": "http_method", "credentials": "credentials",
                       "passthroughBehavior": "passthrough_behaviour", "contentHandling": "content_handling",
                       "timeoutInMillis": "timeout_in_millis", "cacheNamespace": "cache_namespace",
                       "connectionType": "connection_type", "connectionId": CONNECTION_ID_ATTR}
INTEGRATION_FIELDS = (*INTEGRATION_SCALARS.values(), "request_templates", "request_parameters",
                      "cache_key_parameters")
RESPONSE_SCALARS = {"selectionPattern": "selection_pattern", "contentHandling": "content_handling"}
# https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html: type's enum, in the order AWS lists
# it (api.snapshot TestApigatewayIntegration::test_put_integration_wrong_type / put-integration-wrong-type).
INTEGRATION_TYPES = ("HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS")
# A template's key is a media type, type/subtype (api.snapshot TestApigatewayIntegrationResponse::
# test_integration_response_invalid_responsetemplates / -2 refuses "123"; the kit's test is type/subtype).
MEDIA_TYPE = re.compile(r"[^/\s;]+/[^/\s;]+(\s*;.*)?")


def find_integration(backend: Any, parts: list[str]) -> Any:
    """The integration of /restapis/{api}/resources/{id}/methods/{verb}, or NotFoundException worded as AWS
    (api.snapshot TestApigatewayIntegration::test_get_integration_non_existent)."""
    method = find_method(backend, parts[2], parts[4], parts[6])
    if method.method_integration is None:
        raise NotFound("Invalid Integration identifier specified")  # get-integration-no-integration
    return method.method_integration


def timeout_value(value: str | None) -> int:
    """A timeoutInMillis patch value: a whole number of ms (the kit's message; AWS's is not recorded)."""
    try:
        return int(value or "")
    except ValueError:
        raise BadRequestException(f"Invalid timeoutInMillis: {value}") from None


# A map field's patch path head -> (moto's attribute, AWS's message for an unknown key).
MAP_FIELDS = {
    "requestTemplates": ("request_templates", "Content-Type specified was not found"),
    "requestParameters": ("request_parameters", "Invalid parameter name specified"),
    "responseTemplates": ("response_templates", "Content-Type specified was not found"),
    "responseParameters": ("response_parameters", "Invalid parameter name specified"),
}


def patch_map_field(owner: Any, head: str, op: Any, key: str, value: Any) -> None:
    """add/replace/remove one entry of a template or parameter map of an integration or its response."""
    attribute, unknown = MAP_FIELDS[head]
    setattr(owner, attribute, patch_map(getattr(owner, attribute), op, key, value, unknown))


def apply_integration_operation(integration: Any, operation: dict[str, Any]) -> None:
    """One UpdateIntegration patch operation (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegration.html)."""
    op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
    parts = path_parts(path)
    head = parts[0] if parts else None
    if head in MAP_FIELDS and head.startswith("request") and len(parts) == 2 and parts[1]:
        patch_map_field(integration, head, op, parts[1], value)
    elif head == "cacheKeyParameters" and len(parts) == 2 and op in ("add", "remove"):
        keys = [k for k in integration.cache_key_parameters if k != parts[1]]
        integration.cache_key_parameters = keys + [parts[1]] if op == "add" else keys
    elif head in INTEGRATION_SCALARS and len(parts) == 1:
        if op != "replace":
            raise BadRequestException(REPLACE_ONLY)
        field = INTEGRATION_SCALARS[head]
        setattr(integration, field, timeout_value(value) if head == "timeoutInMillis" else (value or None))
    else:
        raise BadRequestException(f"Invalid patch path {path}")


def update_integration(self: Any) -> Any:
    """UpdateIntegration. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegration.html"""
    parts = url_parts(self)
    validation_errors("updateIntegrationInput", self._get_param("patchOperations"))
    operations = patch_operations(self)
    integration = find_integration(self.backend, parts)
    if not hasattr(integration, CONNECTION_ID_ATTR):
        setattr(integration, CONNECTION_ID_ATTR, None)

    def apply() -> None:
        for operation in operations:
            apply_integration_operation(integration, operation)

    atomically(integration, INTEGRATION_FIELDS, apply)
    return 200, {"status": 200}, json.dumps(integration.to_json())


def apply_integration_response_operation(response: Any, operation: dict[str, Any]) -> None:
    """One UpdateIntegrationResponse patch operation
    (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegrationResponse.html)."""
    op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
    parts = path_parts(path)
    head = parts[0] if parts else None
    if head in MAP_FIELDS and head.startswith("response") and len(parts) == 2 and parts[1]:
        patch_map_field(response, head, op, parts[1], value)
    elif head in RESPONSE_SCALARS and len(parts) == 1:
        if op != "replace":
            raise BadRequestException(REPLACE_ONLY)
        setattr(response, RESPONSE_SCALARS[head], value)
    else:
        raise BadRequestException(f"Invalid patch path {path}")


def update_integration_response(self: Any) -> Any:
    """UpdateIntegrationResponse. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegrationResponse.html"""
    parts = url_parts(self)  # ... /methods/{verb}/integration/responses/{code}
    validation_errors("updateIntegrationResponseInput", self._get_param("patchOperations"), parts[9])
    operations = patch_operations(self)
    integration = find_integration(self.backend, parts)
    response = (integration.integration_responses or {}).get(parts[9])
    if response is None:
        raise NotFound("Invalid Response status code specified")

    def apply() -> None:
        for operation in operations:
            apply_integration_response_operation(response, operation)

    atomically(response, ("response_templates", "response_parameters", "selection_pattern", "content_handling"),
               apply)
    return 200, {"status": 200}, json.dumps(response.to_json())


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = (update_integration, update_integration_response)


@uses()
def patch_integration_to_json(original: Callable[..., Any]) -> Callable[..., Any]:
    """timeoutInMillis 29000 (a number) and passthroughBehavior WHEN_NO_MATCH unless set, and the
    connectionId the kit keeps."""

    @functools.wraps(original)
    def to_json(self: Any, *args: Any, **kwargs: Any) -> Any:
        shape = original(self, *args, **kwargs)
        shape["timeoutInMillis"] = int(shape.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS)
        shape["passthroughBehavior"] = shape.get("passthroughBehavior") or DEFAULT_PASSTHROUGH
        connection_id = getattr(self, CONNECTION_ID_ATTR, None)
        if connection_id is not None:
            shape["connectionId"] = connection_id
        return shape

    return to_json


@uses()
def patch_integration_response_to_json(original: Callable[..., Any]) -> Callable[..., Any]:
    """An empty selectionPattern given to PutIntegrationResponse is answered as "" (moto drops it), and
    no responseTemplates when there are none
    (api.snapshot TestApigatewayIntegrationResponse::test_lifecycle_integration_response / put-integration-response)."""

    @functools.wraps(original)
    def to_json(self: Any, *args: Any, **kwargs: Any) -> Any:
        shape = original(self, *args, **kwargs)
        if self.selection_pattern is not None:
            shape["selectionPattern"] = self.selection_pattern
        if not shape.get("responseTemplates"):  # api.snapshot test_put_integration_response_templates /
            shape.pop("responseTemplates", None)  # put-integration-no-response-template
        return shape

    return to_json


def find_integration_response_owner(backend: Any, parts: list[str]) -> Any:
    """DeleteIntegrationResponse's lookup: an unknown API or resource, then a method without integration,
    worded as AWS (api.snapshot TestApigatewayIntegrationResponse::test_delete_integration_response_errors /
    non-existent-resource, non-existent-api-id, non-existent-method, bad-method)."""
    api = backend.apis.get(parts[2])
    resource = api.resources.get(parts[4]) if api is not None else None
    if resource is None:
        raise NotFound("Invalid Resource identifier specified")
    method = resource.resource_methods.get(parts[6])
    if method is None or method.method_integration is None:
        raise NotFound("Invalid Integration identifier specified")
    return method.method_integration


def checked_first(lookup: Callable[[Any, list[str]], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A wrapper factory: run `lookup(backend, path parts)` (AWS's NotFoundException wording) before moto's call."""

    @uses()
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            lookup(self.backend, url_parts(self))
            return original(self, *args, **kwargs)

        return call

    return make


def find_parent_method(backend: Any, parts: list[str]) -> Any:
    """The method of an integration URL (api.snapshot TestApigatewayIntegrationResponse::
    test_integration_response_wrong_api, _wrong_resource, _wrong_method: put-integration-response-*)."""
    return find_method(backend, parts[2], parts[4], parts[6])


def find_integration_response_parent(backend: Any, parts: list[str]) -> Any:
    """GetIntegrationResponse's checks: the status code's pattern first, then the integration
    (api.snapshot TestApigatewayIntegrationResponse::test_integration_response_invalid_statuscode /
    get-integration-response-invalid-statusCode; test_integration_response_wrong_*)."""
    check_status_code(parts[9])
    return find_integration(backend, parts)


def check_put_integration(response: Any) -> None:
    """What AWS refuses in PutIntegration, in AWS's order: a map value that is not a string, a type outside the
    enum (both before any lookup), then an unknown API, resource or method
    (api.snapshot TestApigatewayIntegration::test_put_integration_request_parameter_bool_type,
    test_put_integration_wrong_type, test_put_integration_response_validation / put-integration-wrong-*)."""
    for name in ("requestParameters", "requestTemplates"):
        check_string_map(response._get_param(name))
    kind = response._get_param("type")
    if kind is not None and kind not in INTEGRATION_TYPES:
        raise_validation([enum_error(str(kind), "putIntegrationInput.type", INTEGRATION_TYPES)])
    find_parent_method(response.backend, url_parts(response))


@uses()
def patch_put_integration(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutIntegration refuses as AWS does; the stored integration keeps `cacheKeyParameters` and `connectionId`,
    and `cacheNamespace` defaults to the resource id.

    https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html
    https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html
    (api.snapshot TestApigatewayIntegration::test_create_integration_with_vpc_link / put-integration-vpc-link)
    """

    @functools.wraps(original)
    def put_integration(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_put_integration(self)
        original(self, *args, **kwargs)
        parts = url_parts(self)
        integration = find_integration(self.backend, parts)
        cache_key_parameters = self._get_param("cacheKeyParameters")
        if cache_key_parameters is not None:
            integration.cache_key_parameters = list(cache_key_parameters)
        if not integration.cache_namespace:
            integration.cache_namespace = parts[4]
        setattr(integration, CONNECTION_ID_ATTR, self._get_param("connectionId"))
        return 201, {"status": 201}, json.dumps(integration.to_json())

    return put_integration


def check_put_integration_response(response: Any) -> None:
    """What AWS refuses in PutIntegrationResponse: a map value that is not a string, a malformed status code
    (both before any lookup), an unknown API, resource or method, a method without an integration, a template
    key that is not a media type
    (api.snapshot TestApigatewayIntegrationResponse::test_integration_response_invalid_responsetemplates,
    test_integration_response_invalid_statuscode, test_integration_response_wrong_*)."""
    templates = response._get_param("responseTemplates")
    for name in ("responseTemplates", "responseParameters"):
        check_string_map(response._get_param(name))
    parts = url_parts(response)
    check_status_code(parts[9])
    # A method without an integration: AWS's wording for it in Get/DeleteIntegrationResponse (recorded:
    # test_integration_response_invalid_integration); moto answered "Invalid Response status code specified".
    find_integration(response.backend, parts)
    for content_type in (templates if isinstance(templates, dict) else {}):
        if not MEDIA_TYPE.fullmatch(content_type):
            raise BadRequestException("Validation Result: warnings : [], errors : "
                                      f"[Invalid content type specified: {content_type}]")


@uses()
def patch_put_integration_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutIntegrationResponse refuses as AWS does before moto stores the response."""

    @functools.wraps(original)
    def put_integration_response(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_put_integration_response(self)
        return original(self, *args, **kwargs)

    return put_integration_response


def delete_integration_response_checked(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeleteIntegrationResponse: a malformed status code (the pattern:
    https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteIntegrationResponse.html), AWS's lookup errors,
    and 404 for an unknown status code (test_delete_integration_response_errors / non-existent-status-code);
    moto failed on None."""

    @functools.wraps(original)
    def delete_integration_response(self: Any, *args: Any, **kwargs: Any) -> Any:
        parts = url_parts(self)
        check_status_code(parts[9])
        integration = find_integration_response_owner(self.backend, parts)
        if parts[9] not in (integration.integration_responses or {}):
            raise NotFound("Invalid Response status code specified")
        original(self, *args, **kwargs)
        return 204, {"status": 204}, ""

    return delete_integration_response


@uses()
def patch_delete_integration(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeleteIntegration: AWS's lookup errors, "Invalid Integration identifier specified" for a method without one
    (moto failed on None or a KeyError), and 204 with no body (test_apigateway_lambda.snapshot.json
    test_lambda_aws_integration_with_request_template / delete-integration, get-integration-after-delete)."""

    @functools.wraps(original)
    def delete_integration(self: Any, *args: Any, **kwargs: Any) -> Any:
        find_integration(self.backend, url_parts(self))
        original(self, *args, **kwargs)
        return 204, {"status": 204}, ""

    return delete_integration


# moto's URL table routes only digits as an integration response's status code, so "wrong" never reached the
# validation above; this path takes any segment (install() routes it to APIGatewayResponse.dispatch).
URL_PATTERNS = (
    "{0}/restapis/(?P<function_id>[^/]+)/resources/(?P<resource_id>[^/]+)/methods/(?P<method_name>[^/]+)"
    "/integration/responses/(?P<status_code>[^/]+)/?$",
)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    response = APIGatewayResponse
    return [Wrap(moto_models.Integration, "to_json", patch_integration_to_json),
            Wrap(moto_models.IntegrationResponse, "to_json", patch_integration_response_to_json),
            # api.snapshot TestApigatewayIntegration::test_get_integration_non_existent (moto answered {})
            Wrap(response, "get_integration", checked_first(find_integration)),
            # api.snapshot TestApigatewayIntegrationResponse::test_integration_response_wrong_* / get-*,
            # test_integration_response_invalid_integration (moto failed on None)
            Wrap(response, "get_integration_response", checked_first(find_integration_response_parent)),
            Wrap(response, "put_integration_response", patch_put_integration_response),
            Wrap(response, "delete_integration_response", uses()(delete_integration_response_checked)),
            Wrap(response, "put_integration", patch_put_integration),
            Wrap(response, "delete_integration", patch_delete_integration)]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return []
