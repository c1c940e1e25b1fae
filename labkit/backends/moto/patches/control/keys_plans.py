"""API keys, usage plans and usage plan keys: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

The checks run in moto's response layer, before the backend functions the kit already wraps (models.py's
usage events and UpdateUsagePlan patch), which still do the work.

What this module restores:
- CreateApiKey refuses a name over 1024 characters, a value under 20 or over 128 characters and a description
  over 125,000 characters, with AWS's messages; an empty name or value is accepted (a value is generated)
  and an empty name is left out of the answer (test_apigateway_extended.snapshot.json::TestApigatewayApiKeysCrud::
  test_create_api_key_with_invalid_name, test_create_api_key_with_invalid_value,
  test_update_api_key_invalid_description_length).
- UpdateApiKey answers without `value` and with `tags` {} (test_apigateway_common.snapshot.json::TestUsagePlans::
  test_api_key_required_for_methods "update-api-key-disabled"), refuses a path other than /description, /enabled,
  /name, /customerId (test_apigateway_extended.snapshot.json::...::test_update_api_key_immutable_field) and an
  over-long description (...::test_update_api_key_invalid_description_length).
- UpdateUsagePlan: quota `limit` a number and `offset` 0 once a quota exists, `tags` {} in the answer; removing
  an API stage without a valid `apiId:stage` answers 400 "Invalid API Stage specified", one the plan lacks 404
  (test_apigateway_common.snapshot.json::TestUsagePlans::test_usage_plan_crud "update-usage-plan",
  "update-wrong-api-stages-*"). GetUsagePlan answers `tags` {} ("get-usage-plan").
- GetApiKeys answers a page of `limit` keys (AWS's default 25, at most 500) with a `position` for the next
  one, each key without `value` (unless includeValues) and without empty fields
  (test_apigateway_extended.snapshot.json::TestApigatewayApiKeysCrud::test_get_api_keys "get-api-keys-after-create-1",
  "get-apis-keys-pagination", "-pagination-2"; https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKeys.html).
- A deleted API key leaves every usage plan: GetUsagePlanKeys no longer lists it
  (test_apigateway_extended.snapshot.json::TestApigatewayApiKeysCrud::test_get_usage_plan_api_keys "get-up-keys-after-delete").
- CreateUsagePlan and UpdateUsagePlan refuse a negative, NaN, infinite or non-numeric throttle rate or burst (also
  per method) and a negative or non-whole quota limit or offset, 400 naming the parameter (issue 16 item 9;
  AWS's minimum 0 is documented, its message is not recorded: see numbers.py).
- DeleteUsagePlan, CreateUsagePlanKey and DeleteUsagePlanKey on an unknown plan answer 404 "Invalid Usage Plan ID
  specified" (the recorded wording of "update-wrong-id"; moto answered a 400 or made the key), an unknown plan key
  404 "Invalid API Key identifier specified" (moto's wording for GetUsagePlanKey: AWS's is not recorded).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway.exceptions import (
    ApiKeyNotFoundException,
    BadRequestException,
    NotFoundException,
)
from moto.apigateway.models import APIGatewayBackend
from moto.apigateway.responses import APIGatewayResponse

from ..shared import Wrap, uses
from .numbers import check_quota, check_throttle, rate, whole

# test_apigateway_extended.snapshot.json::TestApigatewayApiKeysCrud (keys named in each check below)
NAME_TOO_LONG = "Invalid API Key name, can be at most 1024 characters."
VALUE_TOO_SHORT = "API Key value should be at least 20 characters"
VALUE_TOO_LONG = "API Key value exceeds maximum size of 128 characters"
BAD_DESCRIPTION = "Invalid API Key description specified."
API_KEY_PATHS = ("/description", "/enabled", "/name", "/customerId")
MAX_NAME, MIN_VALUE, MAX_VALUE, MAX_DESCRIPTION = 1024, 20, 128, 125000
# https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKeys.html: "The default value is 25 and the maximum
# value is 500."
DEFAULT_PAGE, MAX_PAGE = 25, 500
# test_apigateway_common.snapshot.json::TestUsagePlans::test_usage_plan_crud "update-wrong-api-stages-no-value"
INVALID_API_STAGE = "Invalid API Stage specified"


class _NotFound(NotFoundException):
    code = 404


def _path_parts(response: Any) -> list[str]:
    return [unquote(p) for p in response.path.split("/")]


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    return status, {"status": status}, json.dumps(body)


def _without_empty(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    """AWS leaves out a field it has no value for (moto answered null or "")."""
    return {k: v for k, v in body.items() if not (k in keys and v in (None, ""))}


# ---------------------------------------------------------------- API keys


def _check_description(description: Any) -> None:
    """...::test_update_api_key_invalid_description_length "create-/update-api-key-description-too-long"."""
    if description is not None and len(str(description)) > MAX_DESCRIPTION:
        raise BadRequestException(BAD_DESCRIPTION)


def _check_new_key(payload: dict[str, Any]) -> None:
    """...::test_create_api_key_with_invalid_name "create-api-key-name-too-long";
    ...::test_create_api_key_with_invalid_value "create-api-key-short-value", "-invalid-value-too-long"."""
    if len(payload.get("name") or "") > MAX_NAME:
        raise BadRequestException(NAME_TOO_LONG)
    value = payload.get("value") or ""
    if value and len(value) < MIN_VALUE:
        raise BadRequestException(VALUE_TOO_SHORT)
    if len(value) > MAX_VALUE:
        raise BadRequestException(VALUE_TOO_LONG)
    _check_description(payload.get("description"))


def api_key_as_aws(key: Any) -> dict[str, Any]:
    """An ApiKey as AWS answers it (recorded "create-api-key-empty-name": no name when it is empty)."""
    return _without_empty(key.to_json(), "name", "description", "customerId", "tags")


@uses()
def patch_create_api_key(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateApiKey with AWS's length checks, answered in AWS's shape.
    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateApiKey.html"""

    @functools.wraps(original)
    def create_api_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        payload = json.loads(self.body or "{}")
        _check_new_key(payload)
        status, headers, body = original(self, *args, **kwargs)
        created = json.loads(body)
        return status, headers, json.dumps(api_key_as_aws(self.backend.get_api_key(created["id"])))

    return create_api_key


def _check_key_patch(op: dict[str, Any]) -> None:
    """...::test_update_api_key_immutable_field "update-api-key-immutable-field" (AWS's two spaces kept)."""
    path, kind = op.get("path"), op.get("op")
    if kind != "replace" or path not in API_KEY_PATHS:
        raise BadRequestException(f"Invalid patch path  '{path}' specified for op '{kind}'. "
                                  f"Must be one of: [{', '.join(API_KEY_PATHS)}]")
    if path == "/description":
        _check_description(op.get("value"))


@uses()
def patch_update_api_key(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateApiKey: AWS's path and length checks; the answer has no `value` and `tags` {} (recorded
    test_apigateway_common.snapshot.json::TestUsagePlans::test_api_key_required_for_methods "update-api-key-disabled")."""

    @functools.wraps(original)
    def update_api_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        key_id = _path_parts(self)[2]
        operations = list(self._get_param("patchOperations") or [])
        self.backend.get_api_key(key_id)  # 404 "Invalid API Key identifier specified" first
        for op in operations:
            _check_key_patch(op)
        key = self.backend.update_api_key(key_id, operations)
        key.last_updated_date = int(time.time())
        body = api_key_as_aws(key)
        body.pop("value", None)
        body["tags"] = key.tags or {}
        return _json(200, body)

    return update_api_key


def _page_size(response: Any) -> int:
    """GetApiKeys' `limit`: AWS's default when absent or not a positive number (recorded
    test_negative_get_usage_plan_api_keys "get-api-keys-invalid-limit": limit -1 answers 200), at most 500."""
    raw = (response.querystring.get("limit") or [None])[0]
    try:
        limit = int(raw) if raw is not None else DEFAULT_PAGE
    except ValueError:
        limit = DEFAULT_PAGE
    return min(limit if limit > 0 else DEFAULT_PAGE, MAX_PAGE)


@uses()
def patch_get_api_keys(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetApiKeys: the keys whose name starts with `nameQuery` (case-sensitive), one page at a time
    (`position` is the id of the next page's first key), in AWS's shape (recorded test_get_api_keys)."""

    @functools.wraps(original)
    def get_api_keys(self: Any, *args: Any, **kwargs: Any) -> Any:
        include_values = (self.querystring.get("includeValues") or ["false"])[0].lower() == "true"
        keys = list(self.backend.get_api_keys(name=(self.querystring.get("name") or [None])[0]))
        position = (self.querystring.get("position") or [None])[0]
        start = next((i for i, key in enumerate(keys) if key.id == position), len(keys)) if position else 0
        size = _page_size(self)
        page = keys[start:start + size]
        items = []
        for key in page:
            item = api_key_as_aws(key)
            if not include_values:
                item.pop("value", None)
            items.append(item)
        body: dict[str, Any] = {"item": items}
        if start + size < len(keys):
            body["position"] = keys[start + size].id
        return _json(200, body)

    return get_api_keys


@uses()
def patch_delete_api_key(original: Callable[..., Any]) -> Callable[..., Any]:
    """A deleted key leaves every usage plan (recorded test_get_usage_plan_api_keys "get-up-keys-after-delete";
    moto kept it listed)."""

    @functools.wraps(original)
    def delete_api_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        answer = original(self, *args, **kwargs)
        key_id = _path_parts(self)[2]
        for plan_keys in self.backend.usage_plan_keys.values():
            plan_keys.pop(key_id, None)
        return answer

    return delete_api_key


# ---------------------------------------------------------------- usage plans


def _check_plan_numbers(payload: dict[str, Any]) -> None:
    """CreateUsagePlan's throttle, quota and per-method throttles are numbers >= 0 (numbers.py)."""
    check_throttle(payload.get("throttle"), "throttle")
    check_quota(payload.get("quota"), "quota")
    for stage in payload.get("apiStages") or []:
        for method, throttle in ((stage or {}).get("throttle") or {}).items():
            check_throttle(throttle, f"apiStages.throttle[{method}]")


def _check_plan_patch_number(op: dict[str, Any]) -> None:
    """An UpdateUsagePlan add/replace of a throttle or quota number: >= 0 (numbers.py)."""
    path = op.get("path", "")
    if op.get("op") not in ("add", "replace"):
        return
    throttled = path.startswith("/throttle/") or (path.startswith("/apiStages/") and "/throttle/" in path)
    if throttled and path.endswith("/rateLimit"):
        rate(op.get("value"), path)
    elif (throttled and path.endswith("/burstLimit")) or path in ("/quota/limit", "/quota/offset"):
        whole(op.get("value"), path)


@uses()
def patch_create_usage_plan(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateUsagePlan refuses a bad throttle or quota number before moto stores it.
    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateUsagePlan.html"""

    @functools.wraps(original)
    def create_usage_plan(self: Any, *args: Any, **kwargs: Any) -> Any:
        _check_plan_numbers(json.loads(self.body or "{}"))
        return original(self, *args, **kwargs)

    return create_usage_plan


def _check_api_stage_removal(plan: Any, op: dict[str, Any]) -> None:
    """Recorded: test_usage_plan_crud "update-wrong-api-stages-no-value", "-wrong-value" (400),
    "-wrong-api", "-wrong-stage" (404)."""
    value = op.get("value")
    api_id, colon, stage = str(value or "").partition(":")
    if not value or not colon:
        raise BadRequestException(INVALID_API_STAGE)
    if not any((s.get("apiId"), s.get("stage")) == (api_id, stage) for s in plan.api_stages):
        raise _NotFound(f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified for usageplan {plan.id}")


def _normalise_quota(plan: Any) -> None:
    """A quota answers its limit and offset as numbers, offset 0 unless set (recorded "update-usage-plan")."""
    if not plan.quota:
        return
    for field in ("limit", "offset"):
        if field in plan.quota:
            plan.quota[field] = int(plan.quota[field])
    plan.quota.setdefault("offset", 0)


def usage_plan_as_aws(plan: Any) -> dict[str, Any]:
    """A UsagePlan as GetUsagePlan and UpdateUsagePlan answer it: `tags` {} when it has none."""
    body = _without_empty(plan.to_json(), "description", "productCode")
    body["tags"] = plan.tags or {}
    return body


@uses()
def patch_update_usage_plan(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateUsagePlan: AWS's errors for removing an API stage, numeric quota with offset 0.
    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateUsagePlan.html"""

    @functools.wraps(original)
    def update_usage_plan(self: Any, *args: Any, **kwargs: Any) -> Any:
        plan_id = _path_parts(self)[2]
        operations = list(self._get_param("patchOperations") or [])
        plan = self.backend.get_usage_plan(plan_id)  # 404 "Invalid Usage Plan ID specified" (recorded "update-wrong-id")
        for op in operations:
            if op.get("op") == "remove" and op.get("path") == "/apiStages":
                _check_api_stage_removal(plan, op)
            _check_plan_patch_number(op)
        plan = self.backend.update_usage_plan(plan_id, operations)
        _normalise_quota(plan)
        return _json(200, usage_plan_as_aws(plan))

    return update_usage_plan


@uses()
def patch_get_usage_plan(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetUsagePlan answers `tags` {} (recorded test_usage_plan_crud "get-usage-plan")."""

    @functools.wraps(original)
    def get_usage_plan(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _json(200, usage_plan_as_aws(self.backend.get_usage_plan(_path_parts(self)[2])))

    return get_usage_plan


@uses()
def patch_delete_usage_plan(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeleteUsagePlan on an unknown plan: 404 (moto's KeyError answered 400).
    https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteUsagePlan.html"""

    @functools.wraps(original)
    def delete_usage_plan(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.backend.get_usage_plan(_path_parts(self)[2])
        return original(self, *args, **kwargs)

    return delete_usage_plan


@uses()
def patch_create_usage_plan_key(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateUsagePlanKey on an unknown plan: 404 (moto made the key anyway).
    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateUsagePlanKey.html"""

    @functools.wraps(original)
    def create_usage_plan_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.backend.get_usage_plan(_path_parts(self)[2])
        return original(self, *args, **kwargs)

    return create_usage_plan_key


@uses()
def patch_delete_usage_plan_key(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeleteUsagePlanKey on an unknown plan or key: 404 (moto's KeyError answered 400).
    https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteUsagePlanKey.html"""

    @functools.wraps(original)
    def delete_usage_plan_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        parts = _path_parts(self)
        plan_id, key_id = parts[2], parts[4]
        self.backend.get_usage_plan(plan_id)
        if key_id not in self.backend.usage_plan_keys.get(plan_id, {}):
            raise ApiKeyNotFoundException()
        return original(self, *args, **kwargs)

    return delete_usage_plan_key


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = ()


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    response = APIGatewayResponse
    return [
        Wrap(response, "create_api_key", patch_create_api_key),
        Wrap(response, "update_api_key", patch_update_api_key),
        Wrap(response, "get_api_keys", patch_get_api_keys),
        Wrap(response, "delete_api_key", patch_delete_api_key),
        Wrap(response, "create_usage_plan", patch_create_usage_plan),
        Wrap(response, "update_usage_plan", patch_update_usage_plan),
        Wrap(response, "get_usage_plan", patch_get_usage_plan),
        Wrap(response, "delete_usage_plan", patch_delete_usage_plan),
        Wrap(response, "create_usage_plan_key", patch_create_usage_plan_key),
        Wrap(response, "delete_usage_plan_key", patch_delete_usage_plan_key),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    backend = APIGatewayBackend
    return [(backend, "get_api_key"), (backend, "get_api_keys"), (backend, "update_api_key"),
            (backend, "update_usage_plan"), (backend, "get_usage_plan")]
