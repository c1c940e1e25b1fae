"""Documentation parts and versions: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..shared import Wrap

# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = ()


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return []


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return []
