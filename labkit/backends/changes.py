"""The listeners of one source's changes (DefinitionSource.subscribe), owned by that source."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from labkit.gateway.ports import Change

log = logging.getLogger(__name__)

Listener = Callable[[Change], None]


class Subscribers:
    """Listeners called in the order they subscribed; one that fails is logged, the others still hear."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add `listener`; returns the function that removes it (safe to call twice)."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, change: Change) -> None:
        """Tell every listener of `change`."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(change)
            except Exception:  # a listener bug must not fail the control-plane call that already happened
                log.exception("labkit change listener %r failed on %s", listener, change)

    def __len__(self) -> int:
        return len(self._listeners)
