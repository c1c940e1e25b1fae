"""Throttling and quotas: token buckets at every level AWS applies, in its order, and usage-plan quotas.

Order of evaluation: the usage plan's per-method and per-key limits, the key's quota, the stage's
method settings (`*/*` overlaid by the method's own), then the account's limit for the Region.
A request passes only if every applicable bucket holds a token; only then is a token taken from each
(so a refused request costs no level anything). A throttled request answers 429 THROTTLED, a spent
quota 429 QUOTA_EXCEEDED.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .api_keys import masked
from .responses import GatewayError

# Account-level default per Region: 10,000 requests/s, burst 5,000.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
ACCOUNT_RATE_LIMIT = 10_000.0
ACCOUNT_BURST_LIMIT = 5_000
# Tokens within this of a whole one count as whole: 0.3 s at 10/s must give 3 tokens, not 2.999...
EPSILON = 1e-6


class TokenBucket:
    """`burst` tokens at most, refilled at `rate` per second; one request takes one token."""

    __slots__ = ("rate", "burst", "capacity", "tokens", "updated")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = float(rate)
        self.burst = int(burst)
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.updated = now

    def refill(self, now: float) -> float:
        if now > self.updated:
            tokens = self.tokens + (now - self.updated) * self.rate
            self.tokens = tokens if tokens < self.capacity else self.capacity
            self.updated = now
        return self.tokens

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate}, burst={self.burst}, tokens={self.tokens:.2f})"


PERIODS = ("DAY", "WEEK", "MONTH")


def period_start(now: float, period: str) -> str:
    """The UTC start of the quota period containing `now` (weeks start on Monday: the kit's assumption)."""
    day = datetime.fromtimestamp(now, tz=timezone.utc).date()
    if period == "WEEK":
        day = day - timedelta(days=day.weekday())
    elif period == "MONTH":
        day = day.replace(day=1)
    return day.isoformat()


@dataclass
class Quota:
    """Requests left for one key in one usage plan's period."""

    limit: int
    period: str
    offset: int
    started: str
    used: int = 0
    first: bool = True

    def remaining(self, now: float) -> int:
        current = period_start(now, self.period)
        if current != self.started:
            self.started, self.used, self.first = current, 0, False
        return self.limit - (self.offset if self.first else 0) - self.used


@dataclass(frozen=True)
class Level:
    """One throttle level a request must pass: its bucket's key, limits and refusal message."""

    name: str
    key: tuple[Any, ...]
    rate: float
    burst: int
    message: Callable[[], str]  # built only when this level refuses


@dataclass(frozen=True)
class ThrottleSpec:
    """Every limit that applies to one kind of request (the account level is added when admitting)."""

    levels: tuple[Level, ...] = ()
    quota: tuple[str, str, dict[str, Any], Callable[[Quota], str]] | None = None  # plan, key, settings, message
    usage: tuple[str, str] | None = None  # (usage plan id, key id) to count for GetUsage


class Limits:
    """Every bucket and quota counter of one gateway; thread-safe for concurrent live requests."""

    def __init__(self, account_rate: float = ACCOUNT_RATE_LIMIT, account_burst: int = ACCOUNT_BURST_LIMIT) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[Any, ...], TokenBucket] = {}
        self._quotas: dict[tuple[str, str], Quota] = {}
        self.epoch = 0  # bumped when buckets may be replaced wholesale: compiled requests re-resolve theirs
        self.set_account(account_rate, account_burst)

    def set_account(self, rate: float, burst: int) -> None:
        """The account-level limit for the Region (raisable on AWS through a quota request)."""
        check_limits(rate, burst, "account_rate_limit", "account_burst_limit")
        self.account = (float(rate), int(burst))
        self.epoch += 1

    def bucket(self, key: tuple[Any, ...], rate: float, burst: int, now: float) -> TokenBucket:
        """The bucket for `key`, new (full) if its rate or burst changed."""
        found = self._buckets.get(key)
        if found is None or found.rate != rate or found.burst != burst:
            found = self._buckets[key] = TokenBucket(rate, burst, now)
        return found

    def quota(self, plan_id: str, key_id: str, settings: dict[str, Any], now: float) -> Quota:
        limit, period = int(settings.get("limit", 0)), settings.get("period", "DAY")
        offset = int(settings.get("offset") or 0)
        found = self._quotas.get((plan_id, key_id))
        if found is None or (found.limit, found.period, found.offset) != (limit, period, offset):
            found = self._quotas[(plan_id, key_id)] = Quota(limit, period, offset, period_start(now, period))
        return found

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._quotas.clear()
            self.epoch += 1

    def resolve(self, spec: ThrottleSpec, now: float) -> tuple[list[TokenBucket], Quota | None]:
        """The buckets (account last) and quota counter a spec names, made if missing (caller holds the lock)."""
        rate, burst = self.account
        buckets = [self.bucket(level.key, level.rate, level.burst, now) for level in spec.levels]
        buckets.append(self.bucket(("account",), rate, burst, now))
        quota = self.quota(spec.quota[0], spec.quota[1], spec.quota[2], now) if spec.quota else None
        return buckets, quota


def check_limits(rate: float, burst: int, rate_name: str, burst_name: str) -> None:
    if not isinstance(rate, (int, float)) or rate < 0:
        raise ValueError(f"{rate_name} must be a number of requests per second >= 0, got {rate!r}")
    if not isinstance(burst, int) or isinstance(burst, bool) or burst < 0:
        raise ValueError(f"{burst_name} must be a whole number of requests >= 0, got {burst!r}")


def usable_limits(rate: Any, burst: Any) -> tuple[float, int] | None:
    """A (rate, burst) pair read from a control plane, or None when either is not a number >= 0 (negative,
    NaN, infinite or not a number at all: AWS refuses such values, a server backend may still answer one):
    that level is then left out, so a bad value never crashes the gateway or refuses every request.
    A missing burst is 0. https://docs.aws.amazon.com/apigateway/latest/api/API_ThrottleSettings.html"""
    number = _number(rate)
    count = _number(0 if burst is None else burst)
    if number is None or count is None:
        return None
    return number, int(count)


def usable_quota(settings: dict[str, Any]) -> dict[str, Any] | None:
    """A quota read from a control plane, or None when its limit is not a whole number >= 0 (then no quota
    applies); a bad offset counts as 0. https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html"""
    limit = _number(settings.get("limit"))
    if limit is None or limit != int(limit):
        return None
    offset = _number(settings.get("offset") or 0)
    whole_offset = int(offset) if offset is not None and offset == int(offset) else 0
    return {**settings, "limit": int(limit), "offset": whole_offset}


def _limits_of(settings: dict[str, Any], rate_key: str, burst_key: str) -> tuple[float, int] | None:
    """The usable (rate, burst) of a throttle that sets a rate; None when it sets none or a bad one."""
    return usable_limits(settings[rate_key], settings.get(burst_key)) if rate_key in settings else None


def _number(value: Any) -> float | None:
    """A finite number >= 0 from a number or its text, else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def throttle_spec(plan: Any, api_key: dict[str, Any] | None, method_settings: dict[str, Any], api_id: str,
                  stage: str, path: str, method: str) -> ThrottleSpec:
    """The limits for a request, in AWS's order: usage plan per method, per key, quota; stage/method."""
    where = f"API Stage {api_id}/{stage}"
    levels: list[Level] = []
    quota = usage = None
    if plan is not None and api_key is not None:
        key_id, shown = api_key["id"], masked(api_key["value"])
        usage = (plan.plan_id, key_id)
        per_method = plan.method_throttle(path, method)
        method_limits = _limits_of(per_method or {}, "rateLimit", "burstLimit")
        if method_limits:
            rate, burst = method_limits
            levels.append(Level("plan-method", ("plan-method", plan.plan_id, key_id, api_id, stage, path, method),
                                rate, burst, lambda rate=rate, burst=burst: (
                                    f"API Key {shown} exceeded throttle limit for {where}: Key throttle limit exceeded "
                                    f"for Usage Plan ID {plan.plan_id}, RestApi {api_id}, Stage {stage}, Resource "
                                    f"{path}, HttpMethod {method}. Limit: {rate:.2f} Burst: {burst}")))
        plan_throttle = plan.plan.get("throttle") or {}
        plan_limits = _limits_of(plan_throttle, "rateLimit", "burstLimit")
        if plan_limits:
            rate, burst = plan_limits
            levels.append(Level("plan", ("plan", plan.plan_id, key_id), rate, burst, lambda rate=rate, burst=burst: (
                f"API Key {shown} exceeded throttle limit for {where}: Key throttle limit exceeded for Usage Plan "
                f"ID {plan.plan_id}. Limit: {rate:.2f} Burst: {burst}")))
        settings = usable_quota(plan.plan.get("quota") or {})
        if settings is not None:
            quota = (plan.plan_id, key_id, settings, lambda q: (
                f"API Key {shown} exceeded quota limit for {where}: Key quota exhausted for Usage Plan ID "
                f"{plan.plan_id}. Q Limit: {q.limit} Period: {q.period}"))
    stage_limits = _limits_of(method_settings, "throttlingRateLimit", "throttlingBurstLimit")
    if stage_limits:
        rate, burst = stage_limits
        levels.append(Level("stage", ("stage", api_id, stage, path, method), rate, burst, lambda rate=rate, burst=burst: (
            f"Method throttle limit exceeded for {where}, Resource {path}, HttpMethod {method}. "
            f"Limit: {rate:.2f} Burst: {burst}")))
    return ThrottleSpec(tuple(levels), quota, usage)


QUOTA_SPENT = -2
ADMITTED = -1
_ONE = 1.0 - EPSILON


def take(buckets: list[TokenBucket], quota: Quota | None, now: float) -> int:
    """The one place that decides (caller holds the lock): a spent quota refuses (QUOTA_SPENT), an
    empty bucket refuses (its index); otherwise a token is taken from every bucket and the quota
    counts one (ADMITTED). A refused request costs no level anything."""
    if quota is not None and quota.remaining(now) <= 0:
        return QUOTA_SPENT
    i = 0
    for bucket in buckets:
        if bucket.updated < now:
            tokens = bucket.tokens + (now - bucket.updated) * bucket.rate
            bucket.tokens = tokens if tokens < bucket.capacity else bucket.capacity
            bucket.updated = now
        if bucket.tokens < _ONE:
            return i
        i += 1
    for bucket in buckets:
        tokens = bucket.tokens - 1.0
        bucket.tokens = tokens if tokens > 0.0 else 0.0
    if quota is not None:
        quota.used += 1
    return ADMITTED


def refusal(limits: Limits, spec: ThrottleSpec, quota: Quota | None, verdict: int) -> GatewayError:
    """The gateway response for a refusing verdict of `take`, with AWS's execution-log wording."""
    if verdict == QUOTA_SPENT:
        assert spec.quota is not None and quota is not None
        return GatewayError("QUOTA_EXCEEDED", log=spec.quota[3](quota))
    if verdict < len(spec.levels):
        return GatewayError("THROTTLED", log=spec.levels[verdict].message())
    rate, burst = limits.account
    return GatewayError("THROTTLED", log=f"Account throttle limit exceeded. Limit: {rate:.2f} Burst: {burst}")


class Admission:
    """One throttle spec's buckets and quota, resolved once and again only after the limits were reset
    (a simulation's request class admits its requests through one)."""

    def __init__(self, limits: Limits, spec: ThrottleSpec) -> None:
        self.limits, self.spec = limits, spec
        self.epoch = -1
        self.buckets: list[TokenBucket] = []
        self.quota: Quota | None = None

    def take(self, now: float) -> int:
        """ADMITTED, or which level refused (see `take`)."""
        limits = self.limits
        with limits._lock:
            if self.epoch != limits.epoch:
                self.buckets, self.quota = limits.resolve(self.spec, now)
                self.epoch = limits.epoch
            return take(self.buckets, self.quota, now)

    def refusal(self, verdict: int) -> GatewayError:
        """The 429 for a refused verdict."""
        return refusal(self.limits, self.spec, self.quota, verdict)


def admit(limits: Limits, spec: ThrottleSpec, now: float) -> GatewayError | None:
    """Decide one request against every level of `spec`; None when admitted."""
    with limits._lock:
        buckets, quota = limits.resolve(spec, now)
        verdict = take(buckets, quota, now)
    return None if verdict == ADMITTED else refusal(limits, spec, quota, verdict)
