"""What the kit patches in moto, and the check that all of it is still there before anything is patched.

moto's internals change between minor versions; a renamed method or a changed signature must fail
`install()` with one clear message naming the installed and the supported versions, never leave
moto half-patched or fail later inside a learner's notebook.
"""

from __future__ import annotations

import inspect

import moto
from moto.apigateway import models as _models
from moto.apigateway import responses as _responses
from moto.apigateway import urls as _urls
from moto.cloudwatch import models as _cloudwatch

from .cloudwatch import patch_cloudwatch_get_metric_statistics
from .models import (
    patch_authorizer_init,
    patch_backend_create_resource,
    patch_backend_delete_resource,
    patch_backend_delete_rest_api,
    patch_backend_stage_event,
    patch_backend_update_stage,
    patch_backend_usage_event,
    patch_create_deployment,
    patch_stage_apply_operations,
    patch_stage_method_setting,
    patch_stage_to_json,
    patch_update_integration_mocks,
    patch_usage_plan_apply_patch_operations,
)
from .responses import (
    patch_create_deployment_response,
    patch_create_stage_response,
)
from .control import MODULES as CONTROL_PLANE
from .control import errors
from .shared import PATCHED, Wrap

# pyproject.toml pins moto to this range (`moto[server]>=5.2,<5.3`): the versions the patches were
# written and tested against.
SUPPORTED_MOTO = ">=5.2,<5.3"

# moto routes TestInvokeMethod (POST on a method's URL) through this entry of its URL table.
METHOD_URL = "{0}/restapis/(?P<function_id>[^/]+)/resources/(?P<resource_id>[^/]+)/methods/(?P<method_name>[^/]+)/?$"


class MotoIncompatibleError(RuntimeError):
    """The installed moto lacks a class attribute, parameter or URL entry the kit patches or relies on."""


def wraps() -> list[Wrap]:
    """Every function the kit wraps, read from moto's classes now."""
    backend, rest_api, stage = _models.APIGatewayBackend, _models.RestAPI, _models.Stage
    response = _responses.APIGatewayResponse
    return [
        Wrap(rest_api, "create_deployment", patch_create_deployment),
        Wrap(rest_api, "update_integration_mocks", patch_update_integration_mocks),
        Wrap(stage, "to_json", patch_stage_to_json),
        Wrap(stage, "apply_operations", patch_stage_apply_operations),
        Wrap(stage, "_patch_method_setting", patch_stage_method_setting),
        Wrap(backend, "update_stage", patch_backend_update_stage),
        Wrap(backend, "create_stage", patch_backend_stage_event),
        Wrap(backend, "delete_stage", patch_backend_stage_event),
        Wrap(backend, "delete_rest_api", patch_backend_delete_rest_api),
        *[Wrap(backend, name, patch_backend_usage_event) for name in (
            "create_api_key", "update_api_key", "delete_api_key", "create_usage_plan", "update_usage_plan",
            "delete_usage_plan", "create_usage_plan_key", "delete_usage_plan_key")],
        Wrap(backend, "create_resource", patch_backend_create_resource),
        Wrap(backend, "delete_resource", patch_backend_delete_resource),
        Wrap(_models.UsagePlan, "apply_patch_operations", patch_usage_plan_apply_patch_operations),
        Wrap(_models.Authorizer, "__init__", patch_authorizer_init),
        Wrap(_cloudwatch.CloudWatchBackend, "get_metric_statistics", patch_cloudwatch_get_metric_statistics),
        Wrap(response, "create_stage", patch_create_stage_response),
        Wrap(response, "create_deployment", patch_create_deployment_response),
        *[wrap for module in CONTROL_PLANE for wrap in module.wraps()],
        *errors.wraps(),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes the patched code calls without wrapping them."""
    backend, response = _models.APIGatewayBackend, _responses.APIGatewayResponse
    return [
        (response, "dispatch"), (response, "_get_param"), (response, "backend"),
        (backend, "get_rest_api"), (backend, "get_stage"), (backend, "get_method"), (backend, "get_integration"),
        (backend, "get_usage_plan"), (_models.Stage, "_method_settings_translations"),
        (_cloudwatch.CloudWatchBackend, "get_all_metrics"),
        *[pair for module in CONTROL_PLANE for pair in module.relied_on()],
    ]


def problems() -> list[str]:
    """Everything missing or changed in the installed moto (empty: safe to patch)."""
    found = []
    for wrap in wraps():
        current = wrap.current()
        if current is None:
            found.append(f"{wrap.where} does not exist")
            continue
        if getattr(current, PATCHED, False):
            continue  # the kit's own wrapper: checked when it was installed
        try:
            parameters = inspect.signature(current).parameters
        except (TypeError, ValueError):
            found.append(f"{wrap.where} has no readable signature")
            continue
        missing = [name for name in wrap.uses if name not in parameters]
        if missing:
            found.append(f"{wrap.where}{inspect.signature(current)} lacks parameter(s) {', '.join(missing)}")
    for owner, name in relied_on():
        if not hasattr(owner, name):
            found.append(f"{owner.__module__}.{owner.__qualname__}.{name} does not exist")
    table = getattr(_urls, "url_paths", None)
    if not isinstance(table, dict):
        found.append("moto.apigateway.urls.url_paths is not a dict")
    elif METHOD_URL not in table:
        found.append(f"moto.apigateway.urls.url_paths has no entry {METHOD_URL!r} (TestInvokeMethod)")
    return found


def incompatible(found: list[str]) -> MotoIncompatibleError:
    """The one error install() raises: the installed version, the supported range, and what is wrong."""
    lines = "\n".join(f"  - {p}" for p in found)
    return MotoIncompatibleError(
        f"labkit cannot patch moto {moto.__version__}: it supports moto{SUPPORTED_MOTO} "
        f"(pip install 'moto[server]{SUPPORTED_MOTO}'). Nothing was patched. What differs:\n{lines}")
