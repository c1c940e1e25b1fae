"""Throttling and quotas: token buckets at every level AWS applies, in its order, and usage-plan quotas.

Order of evaluation: the usage plan's per-method and per-key limits, the key's quota, the stage's
method settings (`*/*` overlaid by the method's own), then the account's limit for the Region.
A request passes only if every applicable bucket holds a token; only then is a token taken from each
(so a refused request costs no level anything). A throttled request answers 429 THROTTLED, a spent
quota 429 QUOTA_EXCEEDED.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .api_keys import masked
from .http import Response
from .pipeline import Call, Next
from .responses import GatewayError

# Account-level default per Region: 10,000 requests/s, burst 5,000.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
ACCOUNT_RATE_LIMIT = 10_000.0
ACCOUNT_BURST_LIMIT = 5_000
# Tokens within this of a whole one count as whole: 0.3 s at 10/s must give 3 tokens, not 2.999...
EPSILON = 1e-6


class TokenBucket:
    """`burst` tokens at most, refilled at `rate` per second; one request takes one token."""

    __slots__ = ("rate", "burst", "tokens", "updated")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = float(rate)
        self.burst = int(burst)
        self.tokens = float(burst)
        self.updated = now

    def refill(self, now: float) -> float:
        if now > self.updated:
            self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
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


@dataclass
class _Check:
    name: str
    bucket: TokenBucket
    message: Callable[[], str]  # built only when this check refuses


class Limits:
    """Every bucket and quota counter of one gateway; thread-safe for concurrent live requests."""

    def __init__(self, account_rate: float = ACCOUNT_RATE_LIMIT, account_burst: int = ACCOUNT_BURST_LIMIT) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[Any, ...], TokenBucket] = {}
        self._quotas: dict[tuple[str, str], Quota] = {}
        self.set_account(account_rate, account_burst)

    def set_account(self, rate: float, burst: int) -> None:
        """The account-level limit for the Region (raisable on AWS through a quota request)."""
        check_limits(rate, burst, "account_rate_limit", "account_burst_limit")
        self.account = (float(rate), int(burst))

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


def check_limits(rate: float, burst: int, rate_name: str, burst_name: str) -> None:
    if not isinstance(rate, (int, float)) or rate < 0:
        raise ValueError(f"{rate_name} must be a number of requests per second >= 0, got {rate!r}")
    if not isinstance(burst, int) or isinstance(burst, bool) or burst < 0:
        raise ValueError(f"{burst_name} must be a whole number of requests >= 0, got {burst!r}")


def throttle(call: Call, next_step: Next) -> Response:
    """Admit the request at every level or answer 429."""
    assert call.route is not None and call.snapshot is not None
    limits: Limits = call.gateway.limits
    now = call.gateway.clock.now()
    req = call.request
    method, path = req.method, call.resource_path
    where = f"API Stage {req.api_id}/{req.stage}"
    checks: list[_Check] = []
    quota: Quota | None = None
    with limits._lock:
        plan = call.usage_plan
        if plan is not None and call.api_key is not None:
            key_id, shown = call.api_key["id"], masked(call.api_key["value"])
            per_method = plan.method_throttle(path, method)
            if per_method and "rateLimit" in per_method:
                rate, burst = float(per_method["rateLimit"]), int(per_method.get("burstLimit", 0))
                checks.append(_Check("plan-method", limits.bucket(
                    ("plan-method", plan.plan_id, key_id, req.api_id, req.stage, path, method), rate, burst, now),
                    lambda rate=rate, burst=burst: f"API Key {shown} exceeded throttle limit for {where}: Key throttle "
                    f"limit exceeded for Usage Plan ID {plan.plan_id}, RestApi {req.api_id}, Stage {req.stage}, "
                    f"Resource {path}, HttpMethod {method}. Limit: {rate:.2f} Burst: {burst}"))
            plan_throttle = plan.plan.get("throttle") or {}
            if "rateLimit" in plan_throttle:
                rate, burst = float(plan_throttle["rateLimit"]), int(plan_throttle.get("burstLimit", 0))
                checks.append(_Check("plan", limits.bucket(("plan", plan.plan_id, key_id), rate, burst, now),
                                     lambda rate=rate, burst=burst: f"API Key {shown} exceeded throttle limit for "
                                     f"{where}: Key throttle limit exceeded for Usage Plan ID {plan.plan_id}. "
                                     f"Limit: {rate:.2f} Burst: {burst}"))
            settings = plan.plan.get("quota") or {}
            if settings.get("limit") is not None:
                quota = limits.quota(plan.plan_id, key_id, settings, now)
                if quota.remaining(now) <= 0:
                    raise GatewayError("QUOTA_EXCEEDED", log=f"API Key {shown} exceeded quota limit for {where}: "
                                       f"Key quota exhausted for Usage Plan ID {plan.plan_id}. "
                                       f"Q Limit: {quota.limit} Period: {quota.period}")
        stage = call.snapshot.method_settings(path, method)
        if "throttlingRateLimit" in stage:
            rate, burst = float(stage["throttlingRateLimit"]), int(stage.get("throttlingBurstLimit", 0))
            checks.append(_Check("stage", limits.bucket(("stage", req.api_id, req.stage, path, method), rate, burst,
                                                        now),
                                 lambda rate=rate, burst=burst: f"Method throttle limit exceeded for {where}, "
                                 f"Resource {path}, HttpMethod {method}. Limit: {rate:.2f} Burst: {burst}"))
        rate, burst = limits.account
        checks.append(_Check("account", limits.bucket(("account",), rate, burst, now),
                             lambda rate=rate, burst=burst: f"Account throttle limit exceeded. Limit: {rate:.2f} "
                             f"Burst: {burst}"))
        for check in checks:
            if check.bucket.refill(now) < 1.0 - EPSILON:
                raise GatewayError("THROTTLED", log=check.message())
        for check in checks:
            check.bucket.tokens = max(0.0, check.bucket.tokens - 1.0)
        if quota is not None:
            quota.used += 1
    if plan is not None and call.api_key is not None:
        call.gateway.source.record_usage(plan.plan_id, call.api_key["id"], period_start(now, "DAY"))
    return next_step(call)
