"""Authorizers: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

What this module restores:
- an authorizer created without `authorizerResultTtlInSeconds` answers without it (AWS then caches 300 s),
  and a TOKEN/REQUEST one without `authType` answers `authType: custom`
  (test_apigateway_basic.snapshot.json::test_apigateway_with_custom_authorization_method, authorizer)
- create_authorizer on an unknown API: 409 ConflictException "Unable to complete operation due to concurrent
  modification. Please try again later."; get_authorizers on one: 404 "Invalid API identifier specified
  <account>:<id>" (test_apigateway_api.snapshot.json::test_authorizer_crud_no_api)
- update/delete of an unknown authorizer: 404 NotFoundException, as moto's get answers (moto's delete raised
  KeyError)
  (https://docs.aws.amazon.com/apigateway/latest/api/API_GetAuthorizer.html lists NotFoundException)
- update_authorizer: an unknown path answers 400 "Invalid patch path <path>" (the kit's wording) with nothing
  changed; /providerARNs add/remove works (moto raised a Python error)
  (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAuthorizer.html)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway.exceptions import AuthorizerNotFoundException, BadRequestException, ConflictException
from moto.apigateway.models import APIGatewayBackend, Authorizer
from moto.apigateway.responses import APIGatewayResponse

from ..shared import Wrap, binder, uses
from .api_models import rest_api_or_404

# The paths UpdateAuthorizer may change (https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html).
UPDATABLE_PATHS = ("/name", "/type", "/authType", "/authorizerUri", "/authorizerCredentials", "/identitySource",
                   "/identityValidationExpression", "/authorizerResultTtlInSeconds")


@uses("restapi_id", "authorizer_type", "kwargs")
def patch_create_authorizer(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateAuthorizer: AWS's answer for an unknown API (recorded: wrong-rest-api-id-create-authorizer);
    a TOKEN/REQUEST authorizer without authType answers `custom` (recorded:
    test_apigateway_with_custom_authorization_method, authorizer)."""
    bind = binder(original)

    @functools.wraps(original)
    def create_authorizer(self: Any, *args: Any, **kwargs: Any) -> Authorizer:
        bound = bind(self, *args, **kwargs)
        if bound.arguments["restapi_id"] not in self.apis:
            raise ConflictException("Unable to complete operation due to concurrent modification. "
                                    "Please try again later.")
        extra = bound.arguments["kwargs"]
        if not extra.get("auth_type") and bound.arguments["authorizer_type"] in ("TOKEN", "REQUEST"):
            extra["auth_type"] = "custom"
        return original(*bound.args, **bound.kwargs)

    return create_authorizer


@uses()
def patch_create_authorizer_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """A request without authorizerResultTtlInSeconds leaves it unset (moto's response layer filled in 300);
    AWS answers without the field and caches 300 s, as the kit's gateway does for an absent TTL.
    Recorded: test_apigateway_with_custom_authorization_method (authorizer has no TTL)."""

    @functools.wraps(original)
    def create_authorizer(self: Any, *args: Any, **kwargs: Any) -> Any:
        status, headers, body = original(self, *args, **kwargs)
        if self._get_param("authorizerResultTtlInSeconds") is not None or status != 201:
            return status, headers, body
        api_id = unquote(self.path.split("/")[2])
        authorizer = self.backend.get_authorizer(api_id, json.loads(body)["id"])
        authorizer.authorizer_result_ttl = None
        return status, headers, json.dumps(authorizer.to_json())

    return create_authorizer


@uses("restapi_id")
def patch_get_authorizers(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetAuthorizers on an unknown API names it (recorded: wrong-rest-api-id-get-authorizers)."""
    bind = binder(original)

    @functools.wraps(original)
    def get_authorizers(self: Any, *args: Any, **kwargs: Any) -> list[Authorizer]:
        rest_api_or_404(self, bind(self, *args, **kwargs).arguments["restapi_id"])
        return original(self, *args, **kwargs)

    return get_authorizers


def authorizer_or_404(backend: Any, api_id: str, authorizer_id: str) -> Authorizer:
    """The authorizer, or a 404 NotFoundException (https://docs.aws.amazon.com/apigateway/latest/api/API_GetAuthorizer.html)."""
    api = rest_api_or_404(backend, api_id)
    authorizer = api.authorizers.get(authorizer_id)
    if authorizer is None:
        raise AuthorizerNotFoundException()  # moto's wording, as its own GetAuthorizer answers
    return authorizer


@uses("restapi_id", "authorizer_id")
def patch_authorizer_lookup(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeleteAuthorizer: 404 for an unknown API or authorizer (moto raised KeyError)."""
    bind = binder(original)

    @functools.wraps(original)
    def lookup(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = bind(self, *args, **kwargs).arguments
        authorizer_or_404(self, arguments["restapi_id"], arguments["authorizer_id"])
        return original(self, *args, **kwargs)

    return lookup


def apply_provider_arn(authorizer: Authorizer, operation: dict[str, Any]) -> None:
    """add/remove one Cognito user pool ARN (moto raised a bare Exception on /providerARNs).
    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAuthorizer.html"""
    arns = list(authorizer.provider_arns or [])
    value = operation.get("value") or unquote(operation["path"][len("/providerARNs/"):]).replace("~1", "/")
    if operation.get("op") == "add" and value and value not in arns:
        arns.append(value)
    elif operation.get("op") == "remove":
        arns = [arn for arn in arns if arn != value]
    authorizer.provider_arns = arns


@uses("restapi_id", "authorizer_id", "patch_operations")
def patch_update_authorizer(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateAuthorizer: unknown ids are 404, unknown paths 400 (the kit's wording, as AWS words it for gateway
    responses), both before anything changes; /providerARNs add/remove is applied here."""
    bind = binder(original)

    @functools.wraps(original)
    def update_authorizer(self: Any, *args: Any, **kwargs: Any) -> Authorizer:
        bound = bind(self, *args, **kwargs)
        arguments = bound.arguments
        authorizer = authorizer_or_404(self, arguments["restapi_id"], arguments["authorizer_id"])
        operations = arguments["patch_operations"] or []
        for operation in operations:
            path = operation.get("path") or ""
            if path not in UPDATABLE_PATHS and not path.startswith("/providerARNs"):
                raise BadRequestException(f"Invalid patch path {path or 'null'}")
        for operation in operations:
            if operation["path"].startswith("/providerARNs"):
                apply_provider_arn(authorizer, operation)
        arguments["patch_operations"] = [op for op in operations if not op["path"].startswith("/providerARNs")]
        return original(*bound.args, **bound.kwargs)

    return update_authorizer


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = ()


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    backend = APIGatewayBackend
    return [
        Wrap(backend, "create_authorizer", patch_create_authorizer),
        Wrap(APIGatewayResponse, "create_authorizer", patch_create_authorizer_response),
        Wrap(backend, "get_authorizers", patch_get_authorizers),
        Wrap(backend, "delete_authorizer", patch_authorizer_lookup),
        Wrap(backend, "update_authorizer", patch_update_authorizer),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return []
