"""The DefinitionSource over moto's models in this process: no HTTP, no boto3 on the hot path.

The kit learns of deployments, stage updates, key and plan changes and cache flushes from moto
itself (the patches' listeners and flush hooks), so nothing is polled (DESIGN.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any

from labkit.gateway.ports import UserPool
from labkit.gateway.ports import IamCaller
from labkit.gateway.ports import FunctionCode
from labkit.gateway.ports import Change
from labkit.gateway.usage_plans import UsageIndex

from ..changes import Subscribers
from . import patches
from .identities import moto_caller, moto_user_pool


@functools.cache
def _lambda_backends() -> tuple[Any, Any]:
    """moto's Lambda backends, imported once: the "simple" one first, where a lab's moto (use_docker=False)
    keeps functions."""
    from moto.awslambda.models import lambda_backends
    from moto.awslambda_simple.models import lambda_simple_backends

    return lambda_simple_backends, lambda_backends


def _region_backend(backends: Any, account_id: str, region: str) -> Any:
    """moto's backend of one service for an account and Region. moto's own lookup takes a lock and
    scans every service's registry on each call; once the backend exists, a plain read finds it."""
    account = dict.get(backends, account_id)
    found = dict.get(account, region) if account is not None else None
    return found if found is not None else backends[account_id][region]


def index_from_moto(backend: Any) -> UsageIndex:
    """Build the usage index straight from moto's backend objects (no boto3 on the hot path)."""
    keys = [{"id": k.id, "value": k.value, "enabled": bool(k.enabled), "name": k.name} for k in backend.keys.values()]
    plans = [p.to_json() for p in backend.usage_plans.values()]
    plan_keys = {plan_id: list(keys_of_plan) for plan_id, keys_of_plan in backend.usage_plan_keys.items()}
    return UsageIndex(keys, plans, plan_keys)


def _none(function_arn: str) -> FunctionCode | None:
    return None


class MotoSource:
    """Reads moto's backend objects directly; `close()` stops listening to moto."""

    def __init__(self, account_id: str = "123456789012", region: str = "us-east-1",
                 kit_functions: Callable[[str], FunctionCode | None] | None = None) -> None:
        """`kit_functions`: the lab's own copies of the zips it created (lab.functions.code_for), for
        a function moto does not hold."""
        patches.install()
        self._kit_functions = kit_functions or _none
        self.version = patches.generation  # type: ignore[method-assign]  # one call on the hot path
        self.account_id = account_id
        self.region = region
        self._usage: tuple[int, UsageIndex] | None = None
        self._subscribers = Subscribers()
        patches.add_listener(self._on_event)
        patches.add_flush_hook(self._on_stage_cache_flush)
        patches.add_authorizer_flush_hook(self._on_authorizers_flush)

    def close(self) -> None:
        """Stop hearing moto's events (safe to call twice)."""
        patches.remove_listener(self._on_event)
        patches.remove_flush_hook(self._on_stage_cache_flush)
        patches.remove_authorizer_flush_hook(self._on_authorizers_flush)

    # --- change events --------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        return self._subscribers.subscribe(listener)

    def _mine(self, account_id: str, region: str) -> bool:
        return account_id == self.account_id and region == self.region

    def _on_event(self, event: str, account_id: str, region: str, api_id: str, stage: str | None) -> None:
        if self._mine(account_id, region) and len(self._subscribers):
            self._subscribers.publish(Change(event, api_id, stage))  # type: ignore[arg-type]

    def _on_stage_cache_flush(self, account_id: str, region: str, api_id: str, stage: str) -> None:
        if self._mine(account_id, region):
            self._subscribers.publish(Change("flush-stage-cache", api_id, stage))

    def _on_authorizers_flush(self, account_id: str, region: str, api_id: str, stage: str) -> None:
        if self._mine(account_id, region):
            self._subscribers.publish(Change("flush-authorizers-cache", api_id, stage))

    # --- definitions -----------------------------------------------------------------------------

    def _backend(self) -> Any:
        from moto.apigateway.models import apigateway_backends

        return apigateway_backends[self.account_id][self.region]

    def version(self) -> Hashable:
        return patches.generation()

    def stage(self, api_id: str, stage_name: str) -> dict[str, Any] | None:
        api = self._backend().apis.get(api_id)
        if api is None or stage_name not in api.stages:
            return None
        return api.stages[stage_name].to_json()

    def definition(self, api_id: str, deployment_id: str) -> dict[str, Any] | None:
        return patches.deployment_definition(self.account_id, self.region, api_id, deployment_id)

    def live_definition(self, api_id: str) -> dict[str, Any] | None:
        if api_id not in self._backend().apis:
            return None
        return patches.live_definition(self.account_id, self.region, api_id)

    def usage_index(self) -> UsageIndex:
        version = patches.generation()
        if self._usage is None or self._usage[0] != version:
            self._usage = (version, index_from_moto(self._backend()))
        return self._usage[1]

    def record_usage(self, usage_plan_id: str, key_id: str, day: str, count: int = 1) -> None:
        try:
            patches.record_usage(self.account_id, self.region, usage_plan_id, key_id, day, count)
        except Exception:
            pass  # the plan was deleted meanwhile: nothing left to report on

    def function_code(self, function_arn: str) -> FunctionCode | None:
        name = function_arn.split(":function:")[-1].split(":")[0]
        fn = None
        for backends in _lambda_backends():
            stored = _region_backend(backends, self.account_id, self.region)._lambdas._functions.get(name)
            if stored is not None:
                fn = stored["latest"]
                break
        if fn is None:
            return self._kit_functions(function_arn)
        return FunctionCode(
            function_arn=fn.function_arn,
            zip_bytes=fn.code_bytes,
            handler=fn.handler or "index.handler",
            environment=dict(fn.environment_vars or {}),
            timeout=float(fn.timeout or 3),
            memory_size=int(fn.memory_size or 128),
            reserved_concurrency=_reserved(fn),
        )

    def secret_for(self, access_key_id: str) -> str | None:
        caller = self.iam_caller(access_key_id)
        return caller.secret_access_key if caller else None

    def iam_caller(self, access_key_id: str) -> IamCaller | None:
        return moto_caller(self.account_id, access_key_id)

    def user_pool(self, pool_arn: str) -> UserPool | None:
        return moto_user_pool(self.account_id, pool_arn)

    def domain_names(self) -> dict[str, dict[str, Any]]:
        return {name.lower(): d.to_json() for name, d in list(self._backend().domain_names.items())}

    def base_path_mappings(self, domain_name: str) -> list[dict[str, Any]]:
        backend = self._backend()
        for name in list(backend.domain_names):
            if name.lower() == domain_name.lower():
                return [m.to_json() for m in list((backend.base_path_mappings.get(name) or {}).values())]
        return []


def _reserved(fn: Any) -> int | None:
    """PutFunctionConcurrency's value as moto keeps it (a string or an int; None when never set or deleted)."""
    value = getattr(fn, "reserved_concurrency", None)
    return None if value is None or value == "" else int(value)
