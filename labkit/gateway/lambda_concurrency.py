"""Lambda concurrency: how many calls of a function run at once, against its reserved concurrency.

A function with reserved concurrency N runs at most N calls at once; a synchronous call beyond that is
throttled (429 TooManyRequestsException) at once, not queued. Without a reservation, functions share the
account's unreserved concurrency (1,000 per Region by default).
https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/reserved-concurrency
("Synchronous requests arriving in excess of the reserved concurrency limit will fail with a throttling error.")
"""

from __future__ import annotations

import heapq
import threading

# https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html: 1,000 concurrent executions per Region by default
ACCOUNT_CONCURRENCY = 1000
_UNRESERVED = ""  # the pool key of every function without a reservation
# Virtual times this close are one instant: seconds past the epoch (about 1.7e9) carry about 0.2 µs of float error.
SAME_INSTANT = 1e-6


class LiveConcurrency:
    """Live calls in flight per function with a reserved concurrency (real threads, real time)."""

    def __init__(self) -> None:
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, function_arn: str, reserved: int) -> bool:
        """Count one more call of the function; False (nothing counted) when `reserved` already run."""
        with self._lock:
            running = self._running.get(function_arn, 0)
            if running >= reserved:
                return False
            self._running[function_arn] = running + 1
            return True

    def leave(self, function_arn: str) -> None:
        """One call of the function ended."""
        with self._lock:
            left = self._running.get(function_arn, 0) - 1
            if left > 0:
                self._running[function_arn] = left
            else:
                self._running.pop(function_arn, None)

    def close(self) -> None:
        """Forget every count; safe to call twice."""
        with self._lock:
            self._running.clear()


class VirtualConcurrency:
    """Calls in flight on the virtual timeline: each function's (or the unreserved pool's) end times.

    A call arriving at `now` that takes `busy_for` seconds holds one execution until `now + busy_for`,
    when the next call may have it; calls are admitted in the order they arrive (the simulator's order)."""

    def __init__(self, account_concurrency: int = ACCOUNT_CONCURRENCY) -> None:
        self.account_concurrency = account_concurrency
        self._ends: dict[str, list[float]] = {}

    def admit(self, function_arn: str, reserved: int | None, now: float, busy_for: float) -> bool:
        """Whether a call of the function arriving at `now` runs (True, and it is counted) or is throttled."""
        key, limit = (function_arn, reserved) if reserved is not None else (_UNRESERVED, self.account_concurrency)
        ends = self._ends.get(key)
        if ends is None:
            ends = self._ends[key] = []
        while ends and ends[0] <= now + SAME_INSTANT:  # a call ending as this one arrives frees its execution
            heapq.heappop(ends)
        if len(ends) >= limit:
            return False
        heapq.heappush(ends, now + busy_for)
        return True

    def close(self) -> None:
        """Forget every call in flight; safe to call twice."""
        self._ends.clear()
