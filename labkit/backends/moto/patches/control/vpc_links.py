"""VPC links: moto's answers made AWS's (issue 15). Each behaviour cites its recording (LocalStack's
AWS-validated tests/aws/services/apigateway/test_apigateway_api.snapshot.json, class TestApiGatewayVpcLink,
"TAVL" below) or AWS's doc.

The kit connects no network load balancer: a link is ready as soon as it is made (kit simplification;
AWS takes minutes to move it from PENDING to AVAILABLE).

What this module restores:
- CreateVpcLink answers 202 with status PENDING, as AWS does before the link is ready; Get/GetAll/Update
  then show it AVAILABLE with statusMessage "Your vpc link is ready for use"; Get and Update show `tags`
  ({} when none), GetVpcLinks only tags that were set [TAVL::test_vpc_link_lifecycle]
- CreateVpcLink refuses an empty name (400 "Name cannot be empty") and a target that is not an ARN
  (400 "Invalid ARN. ARN is not well formed {arn}") [TAVL::test_create_vpc_link_invalid_parameters]
- An unknown id on Get, Update and Delete → 404 NotFoundException "Invalid Vpc Link identifier specified"
  (moto: "VPCLink not found", and Delete answered 202) [TAVL::test_get/delete/update_vpc_link_invalid_id]
- UpdateVpcLink: `replace` of `/name` and `/description`
  (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateVpcLink.html)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from moto.apigateway.exceptions import BadRequestException, NotFoundException
from moto.apigateway.models import APIGatewayBackend
from moto.apigateway.responses import APIGatewayResponse

from ..shared import PATCH_LOCK, Wrap, binder, uses

READY = "Your vpc link is ready for use"  # statusMessage of an AVAILABLE link [TAVL::test_vpc_link_lifecycle]
UPDATABLE = {"/name": "name", "/description": "description"}  # patch path → moto's VpcLink attribute


class LinkMissing(NotFoundException):
    """AWS's 404 for an unknown VPC link [TAVL::test_get_vpc_link_invalid_id]."""

    code = 404

    def __init__(self) -> None:
        super().__init__("Invalid Vpc Link identifier specified")


def is_arn(text: Any) -> bool:
    """arn:partition:service:region:account:resource, the first three and the resource not empty."""
    parts = text.split(":", 5) if isinstance(text, str) else []
    return len(parts) == 6 and parts[0] == "arn" and all(parts[i] for i in (1, 2, 5))


def as_aws(link: dict[str, Any], view: str) -> dict[str, Any]:
    """A link as AWS shows it in the answer to `view` ("create", "get" or "list") [TAVL::test_vpc_link_lifecycle]."""
    shown = {k: v for k, v in link.items() if v not in (None, "") and k != "tags"}
    if view == "create":
        shown["status"] = "PENDING"
    else:
        shown["statusMessage"] = READY
    if link.get("tags") or view == "get":
        shown["tags"] = link.get("tags") or {}
    return shown


def _reshaped(answer: Any, reshape: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """moto's answer (a body, or status, headers and body) with its JSON body reshaped."""
    if isinstance(answer, tuple):
        status, headers, body = answer
        return status, headers, json.dumps(reshape(json.loads(body)))
    return json.dumps(reshape(json.loads(answer)))


@uses("name", "target_arns")
def patch_create_vpc_link(original: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse an empty name, then any target that is not an ARN [TAVL::test_create_vpc_link_invalid_parameters]."""
    bind = binder(original)

    @functools.wraps(original)
    def create_vpc_link(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        if not call.arguments["name"]:
            raise BadRequestException("Name cannot be empty")
        for arn in call.arguments["target_arns"] or []:
            if not is_arn(arn):
                raise BadRequestException(f"Invalid ARN. ARN is not well formed {arn}")
        return original(*call.args, **call.kwargs)

    return create_vpc_link


@uses("vpc_link_id")
def patch_get_vpc_link(original: Callable[..., Any]) -> Callable[..., Any]:
    """An unknown id: AWS's 404 wording [TAVL::test_get_vpc_link_invalid_id, test_update_vpc_link_invalid_id]."""
    bind = binder(original)

    @functools.wraps(original)
    def get_vpc_link(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        if call.arguments["vpc_link_id"] not in self.vpc_links:
            raise LinkMissing()
        return original(*call.args, **call.kwargs)

    return get_vpc_link


@uses("vpc_link_id")
def patch_delete_vpc_link(original: Callable[..., Any]) -> Callable[..., Any]:
    """An unknown id: 404, not moto's silent 202 [TAVL::test_delete_vpc_link_invalid_id]."""
    bind = binder(original)

    @functools.wraps(original)
    def delete_vpc_link(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        self.get_vpc_link(call.arguments["vpc_link_id"])
        return original(*call.args, **call.kwargs)

    return delete_vpc_link


def _shown_as(view: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A factory whose wrapper shows moto's one link as AWS does in the answer to `view`."""

    @uses()
    def patch_answer(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def answer(self: Any, *args: Any, **kwargs: Any) -> Any:
            return _reshaped(original(self, *args, **kwargs), lambda link: as_aws(link, view))

        return answer

    return patch_answer


@uses()
def patch_get_vpc_links(original: Callable[..., Any]) -> Callable[..., Any]:
    """Each link as GetVpcLinks shows it [TAVL::test_vpc_link_lifecycle "get_vpc_links"]."""

    @functools.wraps(original)
    def get_vpc_links(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _reshaped(original(self, *args, **kwargs),
                         lambda body: {**body, "item": [as_aws(link, "list") for link in body.get("item") or []]})

    return get_vpc_links


def update_vpc_link(self: Any) -> Any:
    """UpdateVpcLink: `replace` of `/name` and `/description`, answered as GetVpcLink answers
    [TAVL::test_vpc_link_lifecycle "update_vpc_link"].
    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateVpcLink.html"""
    link = self.backend.get_vpc_link(vpc_link_id=self.path.split("?")[0].strip("/").split("/")[1])  # 404
    changes = []
    for op in self._get_param("patchOperations") or []:
        path = op.get("path") if isinstance(op, dict) else None
        if not isinstance(op, dict) or op.get("op") != "replace" or path not in UPDATABLE:
            # Shaped like AWS's recorded patch errors (test_apigateway_api.snapshot.json,
            # TestApiGatewayApiDocumentationPart::test_invalid_update_documentation_part).
            raise BadRequestException(f"Invalid patch path  '{path}' specified for op "
                                      f"'{op.get('op') if isinstance(op, dict) else op}'. "
                                      f"Must be one of: [{', '.join(UPDATABLE)}]")
        changes.append((UPDATABLE[path], op.get("value")))
    with PATCH_LOCK:
        for field, value in changes:
            setattr(link, field, value)
    return 200, {"status": 200}, json.dumps(as_aws(link.to_json(), "get"))


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = (update_vpc_link,)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return [
        Wrap(APIGatewayBackend, "create_vpc_link", patch_create_vpc_link),
        Wrap(APIGatewayBackend, "get_vpc_link", patch_get_vpc_link),
        Wrap(APIGatewayBackend, "delete_vpc_link", patch_delete_vpc_link),
        Wrap(APIGatewayResponse, "create_vpc_link", _shown_as("create")),
        Wrap(APIGatewayResponse, "get_vpc_link", _shown_as("get")),
        Wrap(APIGatewayResponse, "get_vpc_links", patch_get_vpc_links),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return []
