"""The two clocks the gateway runs on: RealClock for live requests, VirtualClock for simulations.

Every time read in the gateway goes through a clock, so the same code answers a live `requests.get`
and a simulated burst of ten thousand requests (DESIGN.md, "One engine, two clocks").
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Protocol

# A fixed epoch for virtual time keeps requestTime and log timestamps stable across runs.
VIRTUAL_EPOCH = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class Clock(Protocol):
    """What the gateway needs from a clock."""

    virtual: bool

    def now(self) -> float:
        """Seconds since the Unix epoch."""

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass (really, or on the virtual timeline)."""


class RealClock:
    """Wall-clock time; `sleep` really sleeps."""

    virtual = False

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "RealClock()"


class VirtualClock:
    """Simulated time: an event heap and three verbs, `now`, `advance` and `run` (after simpy).

    Nothing sleeps: `sleep(s)` and `advance(s)` move the timeline forward and fire the events that
    fall due, in time order; ties keep their scheduling order, so runs are deterministic.
    """

    virtual = True

    def __init__(self, start: float = VIRTUAL_EPOCH) -> None:
        if start < 0:
            raise ValueError(f"start must be >= 0 seconds since the epoch, got {start}")
        self._start = float(start)
        self._now = float(start)
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._lock = threading.RLock()

    def now(self) -> float:
        return self._now

    @property
    def elapsed(self) -> float:
        """Seconds since the start of the virtual timeline."""
        return self._now - self._start

    def schedule(self, at: float, callback: Callable[[], None]) -> None:
        """Call `callback` when the timeline reaches `at` (an absolute time)."""
        if at < self._now:
            raise ValueError(f"at must be >= now ({self._now}), got {at}")
        with self._lock:
            heapq.heappush(self._heap, (at, next(self._counter), callback))

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {delay}")
        self.schedule(self._now + delay, callback)

    def run(self, until: float | None = None) -> None:
        """Fire events in time order until the heap is empty or the next one is after `until`."""
        if not self._heap and until is not None:  # nothing scheduled: just move the timeline
            if until > self._now:
                self._now = until
            return
        while True:
            with self._lock:
                if not self._heap or (until is not None and self._heap[0][0] > until):
                    break
                at, _, callback = heapq.heappop(self._heap)
                self._now = max(self._now, at)
            callback()
        if until is not None:
            self._now = max(self._now, until)

    def advance(self, seconds: float) -> None:
        """Move the timeline forward by `seconds`, firing what falls due on the way."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds}")
        self.run(until=self._now + seconds)

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now:.3f})"
