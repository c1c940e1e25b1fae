"""Hook registration (extension 7): flush hooks, the TestInvokeMethod handlers, and the usage
ledger fed by `record_usage`, with the [used, remaining] rows GetUsage returns.

moto is one per process, so these lists are too; whoever adds a hook removes it (a Lab on close)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from .shared import USAGE_ATTR, Callbacks, apigateway_backend, PATCH_LOCK

FlushHook = Callable[[str, str, str, str], None]
TestInvokeHandler = Callable[[str, str, str, str, str, dict], dict]

flush_hooks: Callbacks[FlushHook] = Callbacks()
authorizer_flush_hooks: Callbacks[FlushHook] = Callbacks()
_test_invoke_handlers: Callbacks[TestInvokeHandler] = Callbacks()
_test_invoke_override: TestInvokeHandler | None = None


def add_flush_hook(fn: FlushHook) -> None:
    """Call fn(account_id, region_name, api_id, stage_name) on FlushStageCache."""
    flush_hooks.add(fn)


def remove_flush_hook(fn: FlushHook) -> None:
    """Forget a hook added with `add_flush_hook`."""
    flush_hooks.remove(fn)


def add_authorizer_flush_hook(fn: FlushHook) -> None:
    """Call fn(account_id, region_name, api_id, stage_name) on FlushStageAuthorizersCache."""
    authorizer_flush_hooks.add(fn)


def remove_authorizer_flush_hook(fn: FlushHook) -> None:
    """Forget a hook added with `add_authorizer_flush_hook`."""
    authorizer_flush_hooks.remove(fn)


def add_test_invoke_handler(fn: TestInvokeHandler) -> None:
    """Answer TestInvokeMethod with fn(account, region, api_id, resource_id, http_method, request); the
    most recently added handler answers (a Lab adds its gateway's and removes it on close)."""
    _test_invoke_handlers.add(fn)


def remove_test_invoke_handler(fn: TestInvokeHandler) -> None:
    """Forget a handler added with `add_test_invoke_handler`."""
    _test_invoke_handlers.remove(fn)


def set_test_invoke_handler(fn: TestInvokeHandler | None) -> None:
    """Answer TestInvokeMethod with fn before any added handler (None: back to the added ones)."""
    global _test_invoke_override
    _test_invoke_override = fn


def test_invoke_handler() -> TestInvokeHandler | None:
    """The handler that answers TestInvokeMethod now, if any."""
    if _test_invoke_override is not None:
        return _test_invoke_override
    handlers = _test_invoke_handlers.current()
    return handlers[-1] if handlers else None


def record_usage(account_id: str, region_name: str, usage_plan_id: str, key_id: str, day: str, count: int = 1) -> int:
    """Add `count` requests by `key_id` on `day` (YYYY-MM-DD) to a usage plan's ledger; returns the day's total.

    The ledger lives on moto's UsagePlan object, so a moto reset or deleting the plan clears it;
    an unknown plan raises moto's NotFoundException.
    """
    _dt.date.fromisoformat(day)
    plan = apigateway_backend(account_id, region_name).get_usage_plan(usage_plan_id)
    with PATCH_LOCK:
        ledger = plan.__dict__.setdefault(USAGE_ATTR, {})
        per_day = ledger.setdefault(key_id, {})
        per_day[day] = per_day.get(day, 0) + count
        return per_day[day]


def _period_start(day: _dt.date, period: str) -> _dt.date:
    # Simplification: WEEK = ISO week (Monday, UTC), MONTH = calendar month. AWS does not document
    # where its periods start, and the quota `offset` (first period only) is ignored.
    if period == "WEEK":
        return day - _dt.timedelta(days=day.weekday())
    if period == "MONTH":
        return day.replace(day=1)
    return day


def usage_rows(plan: Any, per_day: dict[str, int], start: _dt.date, end: _dt.date) -> list[list[int | None]]:
    quota = plan.quota or {}
    limit = quota.get("limit")
    period = str(quota.get("period") or "DAY").upper()
    rows: list[list[int | None]] = []
    day = start
    while day <= end:
        used = per_day.get(day.isoformat(), 0)
        remaining: int | None = None  # no quota on the plan: nothing to count down from
        if limit is not None:
            first = _period_start(day, period)
            in_period = sum(
                per_day.get((first + _dt.timedelta(days=i)).isoformat(), 0) for i in range((day - first).days + 1)
            )
            remaining = max(int(limit) - in_period, 0)
        rows.append([used, remaining])
        day += _dt.timedelta(days=1)
    return rows
