"""What a gateway does when its source reports a change: FlushStageCache empties the stage cache,
FlushStageAuthorizersCache forgets the stage's authorizer results (other changes show in `version()`).

The subscription holds the gateway weakly, so a gateway dropped without `close()` (a simulation's)
is still collected, and its subscription ends with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from .ports import Change, DefinitionSource

if TYPE_CHECKING:
    from .engine import Gateway


def follow(source: DefinitionSource, gateway: Gateway) -> Callable[[], None]:
    """Subscribe `gateway` to `source`'s changes; returns the function that unsubscribes (idempotent)."""
    ref = weakref.ref(gateway)

    def on_change(change: Change) -> None:
        found = ref()
        if found is not None:
            apply(found, change)

    unsubscribe = source.subscribe(on_change)
    finalizer = weakref.finalize(gateway, unsubscribe)
    return finalizer  # calling it unsubscribes once; collecting the gateway calls it too


def apply(gateway: Gateway, change: Change) -> None:
    """Carry one change out on the gateway's own caches."""
    if change.kind == "flush-stage-cache" and change.stage is not None:
        gateway.caches.flush(change.api_id, change.stage)
    elif change.kind == "flush-authorizers-cache" and change.stage is not None:
        gateway.authorizer_cache.flush(change.api_id, change.stage)
