"""Client behaviours: who sends the traffic, and what each does when the gateway answers 429 or 5xx.

AWS asks throttled clients to resubmit in a rate-limited way (retry with backoff):
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
Backoff with full jitter follows AWS's Architecture Blog, "Exponential Backoff And Jitter":
https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .traffic import TrafficShape

MAX_ATTEMPTS = 100
JITTERS = ("full", "equal", "none")


def retryable(status: int) -> bool:
    """429 (throttled or quota) and 5xx are worth another try; other answers are final."""
    return status == 429 or status >= 500


class RetryPolicy(Protocol):
    """How long to wait before the next attempt, or None to give up."""

    max_attempts: int

    def delay(self, failures: int, rng: np.random.Generator) -> float | None:
        """Seconds to wait after the `failures`-th failed attempt (1 = the first), or None: stop."""


def _check_attempts(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ATTEMPTS:
        raise ValueError(f"max_attempts must be a whole number in [1, {MAX_ATTEMPTS}], got {value!r}")
    return value


def _check_seconds(value: float, name: str, *, allow_zero: bool) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero) or value > 3600:
        raise ValueError(f"{name} must be a number of seconds in {'[' if allow_zero else '('}0, 3600], got {value!r}")
    return float(value)


@dataclass(frozen=True)
class NoRetry:
    """Take the first answer: a 429 is the end of that request."""

    max_attempts: int = 1

    def delay(self, failures: int, rng: np.random.Generator) -> float | None:
        return None


@dataclass(frozen=True)
class FixedRetry:
    """Wait the same `delay` after every failure, up to `max_attempts` attempts in all (first included)."""

    delay_seconds: float = 1.0
    max_attempts: int = 3

    def __post_init__(self) -> None:
        _check_seconds(self.delay_seconds, "delay_seconds", allow_zero=True)
        _check_attempts(self.max_attempts)

    def delay(self, failures: int, rng: np.random.Generator) -> float | None:
        return self.delay_seconds if failures < self.max_attempts else None


@dataclass(frozen=True)
class ExponentialBackoff:
    """Exponential backoff, capped, with jitter, up to `max_attempts` attempts in all (first included).

    The n-th retry (n = 0, 1, ...) waits, as in AWS's Architecture Blog:
    full jitter `uniform(0, min(cap, base * 2**n))`; equal jitter `v/2 + uniform(0, v/2)` with
    `v = min(cap, base * 2**n)`; none: `v`.
    https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
    """

    base: float = 0.1
    cap: float = 5.0
    max_attempts: int = 5
    jitter: str = "full"

    def __post_init__(self) -> None:
        _check_seconds(self.base, "base", allow_zero=False)
        _check_seconds(self.cap, "cap", allow_zero=False)
        _check_attempts(self.max_attempts)
        if self.jitter not in JITTERS:
            raise ValueError(f"jitter must be one of {', '.join(JITTERS)}, got {self.jitter!r}")

    def ceiling(self, retry: int) -> float:
        """The most the `retry`-th retry (0-based) may wait: min(cap, base * 2**retry)."""
        return min(self.cap, self.base * 2.0 ** min(retry, 1000))

    def delay(self, failures: int, rng: np.random.Generator) -> float | None:
        if failures >= self.max_attempts:
            return None
        ceiling = self.ceiling(failures - 1)
        if self.jitter == "full":
            return float(rng.uniform(0.0, ceiling))
        if self.jitter == "equal":
            return ceiling / 2 + float(rng.uniform(0.0, ceiling / 2))
        return ceiling


@dataclass(frozen=True)
class Client:
    """One caller: its traffic shape, the API key it sends (None: none), its retry policy, its usage-plan tier.

    A client with a `tier` and no `api_key` gets a key made for it in that tier's usage plan.
    """

    name: str
    traffic: TrafficShape
    api_key: str | None = None
    retry: RetryPolicy = field(default_factory=NoRetry)
    tier: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or len(self.name) > 64:
            raise ValueError(f"name must be a non-empty string of at most 64 characters, got {self.name!r}")
        if not callable(getattr(self.traffic, "arrivals", None)):
            raise ValueError(f"traffic must be a traffic shape (labkit.sim.traffic), got {self.traffic!r}")
        if self.api_key is not None and not (isinstance(self.api_key, str) and self.api_key.isalnum()
                                             and 20 <= len(self.api_key) <= 128):
            # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
            raise ValueError("api_key must be None or 20-128 alphanumeric characters, got "
                             f"{self.api_key!r}")
        if not callable(getattr(self.retry, "delay", None)):
            raise ValueError(f"retry must be a retry policy (NoRetry, FixedRetry, ExponentialBackoff), got {self.retry!r}")
