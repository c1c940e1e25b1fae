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
