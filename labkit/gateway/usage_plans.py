"""Who may call what: API keys and the usage plans that attach them to API stages.

Read from the control plane (live, not part of a deployment) and indexed for the hot path.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PlanMatch:
    """The usage plan that admits a key to an API stage, and that stage's entry in the plan."""

    plan: dict[str, Any]
    api_stage: dict[str, Any]

    @property
    def plan_id(self) -> str:
        return self.plan["id"]

    def method_throttle(self, resource_path: str, http_method: str) -> dict[str, Any] | None:
        """Per-method throttle inside the plan, keyed `/pets/GET` (root: `//GET`)."""
        throttle = self.api_stage.get("throttle") or {}
        return throttle.get(f"{resource_path}/{http_method}")


@dataclass
class UsageIndex:
    """API keys by value and the plans each key belongs to."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    plan_keys: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys_by_value = {k["value"]: k for k in self.keys if k.get("value")}
        self.plans_by_key: dict[str, list[dict[str, Any]]] = {}
        plans = {p["id"]: p for p in self.plans}
        for plan_id, key_ids in self.plan_keys.items():
            for key_id in key_ids:
                if plan_id in plans:
                    self.plans_by_key.setdefault(key_id, []).append(plans[plan_id])

    def key(self, value: str | None) -> dict[str, Any] | None:
        return self.keys_by_value.get(value) if value else None

    def plan_for(self, key_id: str, api_id: str, stage: str) -> PlanMatch | None:
        """A key is in at most one plan per API stage (AWS enforces it when keys are added)."""
        for plan in self.plans_by_key.get(key_id, []):
            for api_stage in plan.get("apiStages") or []:
                if api_stage.get("apiId") == api_id and api_stage.get("stage") == stage:
                    return PlanMatch(plan, api_stage)
        return None


def index_from_moto(backend: Any) -> UsageIndex:
    """Build the index straight from moto's backend objects (no boto3 on the hot path)."""
    keys = [{"id": k.id, "value": k.value, "enabled": bool(k.enabled), "name": k.name} for k in backend.keys.values()]
    plans = [p.to_json() for p in backend.usage_plans.values()]
    plan_keys = {plan_id: list(keys_of_plan) for plan_id, keys_of_plan in backend.usage_plan_keys.items()}
    return UsageIndex(keys, plans, plan_keys)


def index_from_client(client: Any) -> UsageIndex:
    """Build the index through boto3 (any endpoint)."""
    keys = []
    for page in client.get_paginator("get_api_keys").paginate(includeValues=True):
        keys += [{"id": k["id"], "value": k.get("value"), "enabled": k.get("enabled", False), "name": k.get("name")}
                 for k in page.get("items", [])]
    plans = []
    for page in client.get_paginator("get_usage_plans").paginate():
        plans += page.get("items", [])
    plan_keys = {}
    for plan in plans:
        ids = []
        for page in client.get_paginator("get_usage_plan_keys").paginate(usagePlanId=plan["id"]):
            ids += [k["id"] for k in page.get("items", [])]
        plan_keys[plan["id"]] = ids
    return UsageIndex(keys, plans, plan_keys)
