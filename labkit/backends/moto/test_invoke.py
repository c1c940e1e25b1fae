"""TestInvokeMethod on moto, answered by a Lab's gateway: the Lab registers a handler here and
unregisters it on close (the most recently registered handler answers).
https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html
"""

from __future__ import annotations

from typing import Any

from moto.apigateway.exceptions import NotFoundException

from labkit.gateway.engine import Gateway
from labkit.gateway.doors.test_invoke import MethodNotFound, run

from . import patches


class TestInvokeHandler:
    """Routes moto's TestInvokeMethod for one account and Region to `gateway` while registered."""

    __test__ = False  # not a pytest test class

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        patches.add_test_invoke_handler(self)

    def __call__(self, account_id: str, region: str, api_id: str, resource_id: str, http_method: str,
                 body: dict[str, Any]) -> dict[str, Any]:
        try:
            return run(self.gateway, api_id, resource_id, http_method, body)
        except MethodNotFound as exc:
            raise NotFoundException(exc.message) from None

    def close(self) -> None:
        """Unregister (safe to call twice)."""
        patches.remove_test_invoke_handler(self)
