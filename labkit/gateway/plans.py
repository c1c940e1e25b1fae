"""Route plans: what a deployed stage decides once per route, shared by `handle()` and simulations.

A plan holds the route's merged method settings, its cache settings and cache key parameters, the
metric dimension sets it is counted under, and its integration. The steps of `handle()` read it
(the cache and observe steps); a simulation's request class (compiled.py) is built from the same
plan, so both decide alike by construction. A changed stage or a new deployment is a new
StageSnapshot, hence new plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .cache import CacheSettings, cache_settings, key_parameters
from .observe import api_name, metric_dimensions
from .router import Route
from .snapshot import StageSnapshot


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """One route of one stage, compiled: see the module docstring."""

    resource_path: str
    http_method: str
    settings: Mapping[str, Any]  # stage-wide `*/*` method settings overlaid with the method's own
    cache: CacheSettings | None  # None: the stage cache takes no part
    key_parameters: tuple[str, tuple[str, ...]]  # the cache key's namespace and parameters
    dimensions: tuple[tuple[tuple[str, str], ...], ...]  # AWS/ApiGateway dimension sets
    integration: Mapping[str, Any] | None  # None: API_CONFIGURATION_ERROR when the request gets there


def plan_for(snapshot: StageSnapshot, route: Route, http_method: str) -> RoutePlan:
    """The plan of `route` for `http_method` on `snapshot`, made once per snapshot."""
    key = (route.resource["id"], http_method)
    found = snapshot.plans.get(key)
    if found is None:
        path = route.resource_path
        settings = snapshot.method_settings(path, http_method)
        rest_api = snapshot.deployment.rest_api
        found = snapshot.plans[key] = RoutePlan(
            resource_path=path, http_method=http_method, settings=settings,
            cache=cache_settings(snapshot, path, http_method), key_parameters=key_parameters(route),
            dimensions=metric_dimensions(api_name(rest_api, snapshot.api_id), snapshot.stage_name, http_method, path,
                                         bool(settings.get("metricsEnabled"))),
            integration=route.method.get("methodIntegration") or None)
    return found
