"""Custom domain names and base path mappings: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

LocalStack's domain-name tests are not AWS-validated (marked needs_fixing), so no recording backs this module.

What this module restores:
- GetBasePathMappings on a domain name with no mapping answers an empty list (moto's KeyError answered 400), so
  a Lab's cleanup can look a bare custom domain over before deleting it
  (https://docs.aws.amazon.com/apigateway/latest/api/API_GetBasePathMappings.html: a collection of the domain's
  mappings; NotFoundException only for an unknown domain name).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.apigateway.models import APIGatewayBackend

from ..shared import Wrap, binder, uses


@uses("domain_name")
def patch_get_base_path_mappings(original: Callable[..., Any]) -> Callable[..., Any]:
    """A known domain with no mapping yet has an empty list of mappings."""
    bind = binder(original)

    @functools.wraps(original)
    def get_base_path_mappings(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        domain_name = call.arguments["domain_name"]
        if domain_name in self.domain_names and domain_name not in self.base_path_mappings:
            return []
        return original(*call.args, **call.kwargs)  # NotFoundException for an unknown domain name

    return get_base_path_mappings


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = ()


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return [Wrap(APIGatewayBackend, "get_base_path_mappings", patch_get_base_path_mappings)]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return []
