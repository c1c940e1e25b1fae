"""What the simulator needs of a Lab: its caller passes one (a `labkit.Lab` fits), so the simulator
sits below labkit.lab and never imports it (pyproject.toml, contract `layers`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

from ..gateway import Gateway
from ..gateway.clock import Clock

T = TypeVar("T")


class SimLab(Protocol):
    """boto3 clients on the lab's backend, a gateway on a given clock, Lambda functions made from source,
    and a per-lab memo for the APIs the simulators make once and reuse (Lab.memo)."""

    def client(self, service: str) -> Any: ...

    def gateway(self, clock: Clock | None = None, **options: Any) -> Gateway: ...

    def lambda_function(self, name: str, source_or_callable: str | Callable[..., Any], handler: str = "index.handler",
                        **options: Any) -> str: ...

    def memo(self, key: Hashable, factory: Callable[[], T]) -> T: ...
