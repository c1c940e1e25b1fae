"""Deployments as snapshots (extension 1): the captured API definitions, the listeners told of
deployment, stage, usage and api-deleted events, and the `generation()` counter they bump."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from typing import Any

from .shared import SNAPSHOT_ATTR, Callbacks, apigateway_backend, PATCH_LOCK

log = logging.getLogger(__name__)

Listener = Callable[[str, str, str, str, "str | None"], None]

_generation = 0
_listeners: Callbacks[Listener] = Callbacks()


def capture_definition(rest_api: Any) -> dict[str, Any]:
    """The API definition of a moto `RestAPI` as boto3-shaped, deep-copied JSON data."""
    resources = []
    for resource in rest_api.resources.values():
        item = resource.to_dict()
        item.setdefault("parentId", None)
        item.setdefault("pathPart", None)
        item.setdefault("resourceMethods", {})
        resources.append(item)
    definition = {
        "restApi": rest_api.to_dict(),
        "resources": resources,
        "authorizers": [a.to_json() for a in rest_api.authorizers.values()],
        "gatewayResponses": [g.to_json() for g in rest_api.gateway_responses.values()],
        "models": [m.to_json() for m in rest_api.models.values()],
        "requestValidators": [v.to_dict() for v in rest_api.request_validators.values()],
    }
    return json.loads(json.dumps(definition))

def deployment_definition(account_id: str, region_name: str, api_id: str, deployment_id: str) -> dict[str, Any] | None:
    """The definition captured when the deployment was created (None if unknown or made before install)."""
    api = apigateway_backend(account_id, region_name).apis.get(api_id)
    deployment = api.deployments.get(deployment_id) if api is not None else None
    snapshot = getattr(deployment, SNAPSHOT_ATTR, None)
    return copy.deepcopy(snapshot) if snapshot is not None else None


def live_definition(account_id: str, region_name: str, api_id: str) -> dict[str, Any]:
    """The API's definition right now (for test-invoke, which runs undeployed changes)."""
    return capture_definition(apigateway_backend(account_id, region_name).get_rest_api(api_id))


def add_listener(fn: Listener) -> None:
    """Call fn(event, account_id, region_name, api_id, stage_name_or_None) after deployment/stage/api-deleted changes."""
    _listeners.add(fn)


def remove_listener(fn: Listener) -> None:
    """Stop calling a listener added with `add_listener`."""
    _listeners.remove(fn)


def generation() -> int:
    """A counter bumped on every deployment/stage/api-deleted event: compiled stages older than it are stale."""
    return _generation


def notify_listeners(event: str, account_id: str, region_name: str, api_id: str, stage_name: str | None) -> None:
    global _generation
    with PATCH_LOCK:
        _generation += 1
    for fn in _listeners.current():
        try:
            fn(event, account_id, region_name, api_id, stage_name)
        except Exception:  # a listener bug must not fail the control-plane call that already happened
            log.exception("labkit moto_patches listener %r failed on %s", fn, event)
