"""No raw Python exception escapes a control-plane call: moto's own bugs on malformed input (a KeyError
on a missing field, a ValueError on a bad number, a YAML parser error, a bare Exception for a patch op it
does not apply) answer as AWS answers bad input, a 400 BadRequestException, so boto3 raises a
ClientError that a learner's `except` catches.

https://docs.aws.amazon.com/apigateway/latest/api/CommonErrors.html: a request that is not valid
answers 400 BadRequestException with a message saying what is wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.apigateway.exceptions import BadRequestException
from moto.apigateway.responses import APIGatewayResponse

from ..shared import Wrap

# What moto raises on input it did not expect: its own bugs (KeyError, ...), a YAML parser error, and the
# bare Exception its patch code raises for a patch operation it does not apply.
MALFORMED_INPUT = (Exception,)


def message_for(error: BaseException) -> str:
    """The message a learner reads: what was wrong, without Python's vocabulary."""
    detail = str(error).strip("'\"") or type(error).__name__
    if isinstance(error, KeyError):
        return f"Invalid request input: missing or unknown field {detail}"
    return f"Invalid request input: {detail}"


def patch_call_action(original: Callable[..., Any]) -> Callable[..., Any]:
    """An API Gateway call that fails inside moto answers 400 BadRequestException."""

    @functools.wraps(original)
    def call_action(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except MALFORMED_INPUT as error:
            refused = BadRequestException(message_for(error))
            return refused.code, dict(refused.get_headers() or []), refused.description

    return call_action


def wraps() -> list[Wrap]:
    return [Wrap(APIGatewayResponse, "call_action", patch_call_action)]
