"""Gateway responses: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

The 21 defaults are computed on each read, never stored: moto's `gateway_responses` (and so the
deployment snapshot the kit's gateway reads) holds only the ones the API customised.

What this module restores:
- get_gateway_responses lists all 21 types; those never put carry `defaultResponse: true`, AWS's status
  code and template (test_apigateway_api.snapshot.json::test_gateway_response_crud, get-gateway-responses)
- get_gateway_response of a type never put (or deleted) answers its default
  (test_gateway_response_crud: get-gateway-response-default, get-deleted-gw-response)
- a customised DEFAULT_4XX/DEFAULT_5XX shows through every default of its class
  (test_gateway_response_put: get-gateway-responses)
- put_gateway_response answers what it omits from the type's own default (stored as put, so the gateway
  answers an unset status with the error's own, as AWS does: test_apigateway_lambda.snapshot.json::
  test_lambda_aws_proxy_integration_non_post_method)
  (test_gateway_response_put: put-gateway-response-status-only, -response-parameters-only, -default-ignored)
- an unknown response type answers 400 ValidationException listing AWS's enum
  (test_gateway_response_validation: *-wrong-response-type)
- an unknown API answers 404 "Invalid API identifier specified <account>:<id>"
  (test_gateway_response_validation: *-no-api)
- delete_gateway_response of a type never put answers 404 "Gateway response type not defined on api"
  (test_gateway_response_validation: delete-gateway-response-not-set)
- put_gateway_response answers 201 and delete_gateway_response 202 (moto's answered 200)
  (test_gateway_response_crud: put-gateway-response, delete-gateway-response)
- update_gateway_response (moto lacks it) with AWS's patch rules and errors
  (test_apigateway_api.snapshot.json::test_update_gateway_response)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway.exceptions import BadRequestException, ValidationException
from moto.apigateway.models import APIGatewayBackend, GatewayResponse
from moto.apigateway.responses import APIGatewayResponse

from ..shared import Wrap, binder, uses
from .api_models import NotFound, patch_response_status, rest_api_or_404

# AWS's default gateway responses: type -> status code (None: DEFAULT_4XX/5XX have none), in the order
# AWS lists the enum in its ValidationException message.
# test_apigateway_api.snapshot.json::test_gateway_response_crud (get-gateway-responses) and
# ::test_gateway_response_validation (get-gateway-response-wrong-response-type).
DEFAULT_STATUS: dict[str, str | None] = {
    "REQUEST_TOO_LARGE": "413", "RESOURCE_NOT_FOUND": "404", "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "MISSING_AUTHENTICATION_TOKEN": "403", "BAD_REQUEST_BODY": "400", "INVALID_SIGNATURE": "403",
    "INVALID_API_KEY": "403", "BAD_REQUEST_PARAMETERS": "400", "AUTHORIZER_FAILURE": "500",
    "UNAUTHORIZED": "401", "INTEGRATION_TIMEOUT": "504", "ACCESS_DENIED": "403", "DEFAULT_4XX": None,
    "DEFAULT_5XX": None, "WAF_FILTERED": "403", "QUOTA_EXCEEDED": "429", "THROTTLED": "429",
    "API_CONFIGURATION_ERROR": "500", "UNSUPPORTED_MEDIA_TYPE": "415", "INTEGRATION_FAILURE": "504",
    "EXPIRED_TOKEN": "403",
}
DEFAULT_TEMPLATES = {"application/json": '{"message":$context.error.messageString}'}
PATCH_OPS = ("add", "remove", "move", "test", "replace", "copy")


def check_response_type(response_type: str) -> None:
    """An unknown type answers AWS's enum ValidationException (recorded: *-wrong-response-type)."""
    if response_type not in DEFAULT_STATUS:
        raise ValidationException(
            f"1 validation error detected: Value '{response_type}' at 'responseType' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(DEFAULT_STATUS)}]")


def make_response(response_type: str, status: str | None, parameters: dict[str, str] | None,
                  templates: dict[str, str] | None, default: bool) -> GatewayResponse:
    """A moto GatewayResponse with copies of the maps (a default is never the stored object)."""
    response = GatewayResponse(response_type, status, dict(parameters or {}), dict(templates or {}))
    response.default_response = default
    return response


def presented(response_type: str, put: GatewayResponse) -> GatewayResponse:
    """A put response as AWS's control plane answers it: what the put omitted shows the type's own default.
    Stored as put (no status) so the gateway still answers the error's own status, as AWS's data plane does
    (test_apigateway_lambda.snapshot.json::test_lambda_aws_proxy_integration_non_post_method: INTEGRATION_FAILURE
    put without a status answers 500, while GetGatewayResponse shows 504)."""
    templates = put.response_templates if put.response_templates is not None else DEFAULT_TEMPLATES
    return make_response(response_type, put.status_code or DEFAULT_STATUS[response_type],
                         put.response_parameters, templates, default=False)


def default_response(stored: dict[str, GatewayResponse], response_type: str) -> GatewayResponse:
    """The default for a type never put: its class's customised DEFAULT_4XX/5XX shows through.
    test_gateway_response_put (get-gateway-responses: the 5XX defaults carry DEFAULT_5XX's values);
    https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html"""
    status = DEFAULT_STATUS[response_type]
    family = "DEFAULT_5XX" if status and status.startswith("5") else "DEFAULT_4XX"
    base = stored.get(family) if status is not None else None
    if base is None:
        return make_response(response_type, status, {}, DEFAULT_TEMPLATES, default=True)
    shown = presented(family, base)
    return make_response(response_type, shown.status_code or status, shown.response_parameters,
                         shown.response_templates, default=True)


def current_response(stored: dict[str, GatewayResponse], response_type: str) -> GatewayResponse:
    """What AWS answers for a type now: the one put, else its default."""
    if response_type in stored:
        return presented(response_type, stored[response_type])
    return default_response(stored, response_type)


@uses("rest_api_id", "response_type")
def patch_get_gateway_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """get_gateway_response of a type never put answers its default (recorded: get-gateway-response-default)."""
    bind = binder(original)

    @functools.wraps(original)
    def get_gateway_response(self: Any, *args: Any, **kwargs: Any) -> GatewayResponse:
        arguments = bind(self, *args, **kwargs).arguments
        api = rest_api_or_404(self, arguments["rest_api_id"])
        check_response_type(arguments["response_type"])
        return current_response(api.gateway_responses, arguments["response_type"])

    return get_gateway_response


@uses("rest_api_id")
def patch_get_gateway_responses(original: Callable[..., Any]) -> Callable[..., Any]:
    """All 21 types, defaults included (recorded: test_gateway_response_crud get-gateway-responses)."""
    bind = binder(original)

    @functools.wraps(original)
    def get_gateway_responses(self: Any, *args: Any, **kwargs: Any) -> list[GatewayResponse]:
        api = rest_api_or_404(self, bind(self, *args, **kwargs).arguments["rest_api_id"])
        return [current_response(api.gateway_responses, kind) for kind in sorted(DEFAULT_STATUS)]

    return get_gateway_responses


@uses("rest_api_id", "response_type")
def patch_put_gateway_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """PutGatewayResponse replaces the type's response; the answer shows what it omits from the type's own
    default (never from DEFAULT_4XX/5XX). Recorded: test_gateway_response_put put-gateway-response-*."""
    bind = binder(original)

    @functools.wraps(original)
    def put_gateway_response(self: Any, *args: Any, **kwargs: Any) -> GatewayResponse:
        bound = bind(self, *args, **kwargs)
        arguments = bound.arguments
        rest_api_or_404(self, arguments["rest_api_id"])
        check_response_type(arguments["response_type"])
        return presented(arguments["response_type"], original(*bound.args, **bound.kwargs))

    return put_gateway_response


@uses("rest_api_id", "response_type")
def patch_delete_gateway_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """Deleting a type never put answers 404 (recorded: delete-gateway-response-not-set)."""
    bind = binder(original)

    @functools.wraps(original)
    def delete_gateway_response(self: Any, *args: Any, **kwargs: Any) -> None:
        arguments = bind(self, *args, **kwargs).arguments
        api = rest_api_or_404(self, arguments["rest_api_id"])
        check_response_type(arguments["response_type"])
        if arguments["response_type"] not in api.gateway_responses:
            raise NotFound("Gateway response type not defined on api")
        return original(self, *args, **kwargs)

    return delete_gateway_response


def unescape(segment: str) -> str:
    """A JSON-pointer segment as a key (RFC 6901: ~1 is '/', ~0 is '~')."""
    return segment.replace("~1", "/").replace("~0", "~")


def check_operation(index: int, operation: dict[str, Any]) -> None:
    """An op outside JSON Patch's verbs is a ValidationException naming its 1-based position
    (recorded: update-gateway-wrong-op); a missing path is 'Invalid patch path null' (update-gateway-no-path)."""
    op = operation.get("op")
    if op not in PATCH_OPS:
        raise ValidationException(
            f"1 validation error detected: Value '{op}' at 'updateGatewayResponseInput.patchOperations."
            f"{index}.member.op' failed to satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(PATCH_OPS)}]")
    if operation.get("path") is None:
        raise BadRequestException("Invalid patch path null")


def apply_map_operation(values: dict[str, str], name: str, key: str, operation: dict[str, Any]) -> None:
    """add/replace/remove one key of responseParameters or responseTemplates as AWS does
    (recorded: update-gateway-response, update-gateway-replace-invalid-parameter*)."""
    op, value = operation["op"], operation.get("value")
    if op == "remove":
        values.pop(key, None)
        return
    if op not in ("add", "replace"):
        raise BadRequestException(f"Invalid patch path {operation['path']}")
    if not value:
        raise BadRequestException(f"Invalid null or empty value in {name}")
    if op == "replace" and key not in values:
        raise NotFound("Invalid parameter name specified")
    values[key] = value


def apply_operation(response: GatewayResponse, operation: dict[str, Any]) -> None:
    """One patch operation on a gateway response; only /statusCode (replace) and the two maps may change
    (recorded: update-gateway-add-status-code, -remove-status-code, -wrong-path)."""
    path = operation["path"]
    if path == "/statusCode":
        if operation["op"] != "replace":
            raise BadRequestException(f"Invalid patch path {path}")
        response.status_code = operation.get("value")
        return
    for name, values in (("responseParameters", response.response_parameters),
                         ("responseTemplates", response.response_templates)):
        prefix = f"/{name}/"
        if path.startswith(prefix) and len(path) > len(prefix):
            apply_map_operation(values, name, unescape(path[len(prefix):]), operation)
            return
    raise BadRequestException(f"Invalid patch path {path}")


def update_gateway_response(self: Any) -> Any:
    """UpdateGatewayResponse: patches a copy of the current response (a default too), then stores it.
    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateGatewayResponse.html; recorded
    test_update_gateway_response (update-gateway-response-not-set: a default becomes customised)."""
    parts = [unquote(p) for p in self.path.split("/")]
    api_id, response_type = parts[2], parts[4]
    api = rest_api_or_404(self.backend, api_id)
    check_response_type(response_type)
    operations = self._get_param("patchOperations") or []
    for index, operation in enumerate(operations, start=1):
        check_operation(index, operation)
    current = current_response(api.gateway_responses, response_type)
    put = api.gateway_responses.get(response_type)
    status = put.status_code if put is not None else current.status_code  # an unset status stays unset
    updated = make_response(response_type, status, current.response_parameters, current.response_templates,
                            default=False)
    for operation in operations:
        apply_operation(updated, operation)
    api.gateway_responses[response_type] = updated
    return 200, {"status": 200}, json.dumps(presented(response_type, updated).to_json())


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = (update_gateway_response,)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return [
        Wrap(APIGatewayBackend, "get_gateway_response", patch_get_gateway_response),
        Wrap(APIGatewayBackend, "get_gateway_responses", patch_get_gateway_responses),
        Wrap(APIGatewayBackend, "put_gateway_response", patch_put_gateway_response),
        Wrap(APIGatewayBackend, "delete_gateway_response", patch_delete_gateway_response),
        Wrap(APIGatewayResponse, "put_gateway_response", patch_response_status),
        Wrap(APIGatewayResponse, "delete_gateway_response", patch_response_status),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return [(APIGatewayBackend, "get_rest_api")]
