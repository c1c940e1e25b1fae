"""The copy labkit.functions keeps of every zip it created: a function's code when the backend
cannot hand it over (a server or AWS)."""

from __future__ import annotations

from labkit import functions
from labkit.gateway.lambdas import FunctionCode


def kit_function_code(function_arn: str) -> FunctionCode | None:
    """The package, handler and settings the lab used to create `function_arn`, or None."""
    found = functions.code_for(function_arn)
    if not found:
        return None
    zip_bytes, handler, environment, timeout = found
    return FunctionCode(function_arn, zip_bytes, handler, dict(environment or {}), float(timeout))
