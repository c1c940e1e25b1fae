"""moto in this process, behind the gateway's ports: the patches that complete moto's API Gateway
(with a check that every patched target still exists), the DefinitionSource over moto's models,
`requests` interception and test-invoke wiring. A Lab builds one MotoBackend and closes it.
"""

from __future__ import annotations

from collections.abc import Callable

from labkit.gateway.engine import Gateway
from labkit.gateway.ports import FunctionCode

from . import patches
from .intercept import Interception
from .patches import SUPPORTED_MOTO, MotoIncompatibleError
from .source import MotoSource
from .test_invoke import TestInvokeHandler

__all__ = ["SUPPORTED_MOTO", "Interception", "MotoBackend", "MotoIncompatibleError", "MotoSource",
           "TestInvokeHandler", "patches"]


class MotoBackend:
    """What a Lab wires for an in-process moto: the source, and (once `attach`ed to the Lab's
    gateways) `requests` interception and TestInvokeMethod. `close()` undoes all of it."""

    def __init__(self, account_id: str, region: str,
                 kit_functions: Callable[[str], FunctionCode | None] | None = None) -> None:
        patches.install()  # raises MotoIncompatibleError, with nothing patched, on an unsupported moto
        self.source = MotoSource(account_id, region, kit_functions)
        self._owned: list[Interception | TestInvokeHandler] = []

    def intercept(self, gateway: Gateway) -> None:
        """Answer plain `requests` to execute-api URLs (and the lab's custom domains) with `gateway`."""
        self._owned.append(Interception(gateway))

    def answer_test_invoke(self, gateway: Gateway) -> None:
        """Answer TestInvokeMethod with `gateway` (the most recently attached Lab answers)."""
        self._owned.append(TestInvokeHandler(gateway))

    def close(self) -> None:
        """Unregister everything and stop the source (safe to call twice)."""
        owned, self._owned = self._owned, []
        for item in reversed(owned):
            item.close()
        self.source.close()
