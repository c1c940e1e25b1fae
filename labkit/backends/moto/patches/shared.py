"""What the other modules share: the lock, the attribute names the kit keeps on moto's objects,
and the lookup of a moto API Gateway backend."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from moto.apigateway import models as _models

PATCH_LOCK = threading.RLock()

SNAPSHOT_ATTR = "_labkit_definition"  # on moto's Deployment: the snapshot lives and dies with it
CANARY_ATTR = "_labkit_canary"  # on moto's Stage
USAGE_ATTR = "_labkit_usage"  # on moto's UsagePlan: {key_id: {"YYYY-MM-DD": count}}
PATCHED = "_labkit_patch"


def apigateway_backend(account_id: str, region_name: str) -> Any:
    return _models.apigateway_backends[account_id][region_name]


F = TypeVar("F", bound=Callable[..., Any])


class Callbacks(Generic[F]):
    """Functions registered once each (listeners, flush hooks), called in the order they came."""

    def __init__(self) -> None:
        self._fns: list[F] = []

    def add(self, fn: F) -> None:
        with PATCH_LOCK:
            if fn not in self._fns:
                self._fns.append(fn)

    def remove(self, fn: F) -> None:
        with PATCH_LOCK:
            if fn in self._fns:
                self._fns.remove(fn)

    def current(self) -> list[F]:
        """The registered functions now (a copy: one may unregister while they are called)."""
        with PATCH_LOCK:
            return list(self._fns)


def uses(*names: str) -> Callable[[F], F]:
    """Mark a wrapper factory with the parameters of moto's function its wrapper reads by name;
    `install()` checks that moto's function still has them before patching anything."""

    def mark(make: F) -> F:
        make.uses = names  # type: ignore[attr-defined]
        return make

    return mark


def binder(original: Callable[..., Any]) -> Callable[..., inspect.BoundArguments]:
    """bind(*args, **kwargs): a call's arguments by moto's own parameter names, defaults applied.
    A wrapper reads what it uses from `.arguments` and calls `original(*b.args, **b.kwargs)`."""
    signature = inspect.signature(original)

    def bind(*args: Any, **kwargs: Any) -> inspect.BoundArguments:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return bound

    return bind


@dataclass(frozen=True)
class Wrap:
    """One of moto's functions, replaced by `make(original)`; the wrapper reads `make.uses` by name."""

    owner: type
    name: str
    make: Callable[[Callable[..., Any]], Callable[..., Any]]

    @property
    def where(self) -> str:
        return f"{self.owner.__module__}.{self.owner.__qualname__}.{self.name}"

    @property
    def uses(self) -> tuple[str, ...]:
        return tuple(getattr(self.make, "uses", ()))

    @property
    def key(self) -> tuple[str, str, tuple[int, ...]]:
        """Who the factory is, stable across calls to `wraps()`: a factory made by a function
        (`checked_first(lookup)`) is a new object each time, with the same name and closure."""
        make = self.make
        cells = tuple(id(cell.cell_contents) for cell in (getattr(make, "__closure__", None) or ()))
        return make.__module__, make.__qualname__, cells

    def current(self) -> Callable[..., Any] | None:
        """The function now in place: the owner's own, or the one it inherits (then wrapped on the owner only)."""
        found = self.owner.__dict__.get(self.name)
        return found if found is not None else getattr(self.owner, self.name, None)
