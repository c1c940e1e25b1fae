"""Completes moto 5.2's API Gateway (REST, v1) backend in-process so plain boto3 calls behave as AWS documents.

Apply with `install()` (idempotent). It first checks that every class attribute it patches or relies
on, every parameter its wrappers read and the URL table entries it uses exist in the installed moto
(`targets.py`); if not, it raises MotoIncompatibleError naming the installed version and the supported
range, and patches nothing. It patches moto's classes and its URL table, so it works for
`mock_aws()` and for a `ThreadedMotoServer` in the same process (install before the server's first
API Gateway request, when moto builds its routing table).

Layout: `shared.py` (the lock, attribute names, backend lookup, `Wrap`), `snapshots.py`, `hooks.py`,
`models.py` (moto's model classes and backend), `responses.py` (moto's response layer and URL
table), `cloudwatch.py`, `control/` (the control plane as AWS answers it, one module per kind of
resource), `targets.py` (what is patched, and the check); this module re-exports the public API and
holds `install()`.

Extensions:

1. Deployments are snapshots: `create_deployment` captures the API definition (`capture_definition`),
   readable later with `deployment_definition`; `live_definition` captures the current one.
   Listeners (`add_listener`) hear "deployment", "stage", "usage" (API keys and usage plans) and
   "api-deleted" events; `generation()`
   counts them so cached compiled stages know they are stale.
   [`snapshots.py`; the patches that capture and notify are in `models.py` and `responses.py`]
2. Redeploying to an existing stage only repoints it (and merges `variables`); moto used to wipe
   its methodSettings, variables, tracing, access logs and tags. [`models.py`]
3. moto's own execute-api callbacks are switched off (`update_integration_mocks` is a no-op);
   the kit's gateway answers execute-api URLs. [`models.py`]
4. `put_integration` stores `cacheKeyParameters` and `connectionId`; `cacheNamespace` defaults to the
   resource id; AWS's validation and wording. [`control/integrations.py`]
5. `canarySettings` on create_stage, update_stage (`/canarySettings/...`, promotion `copy` ops)
   and create_deployment are stored and returned. [`models.py` (Stage), `responses.py` (create_stage,
   create_deployment)]
6. `update_stage` replace `/deploymentId` (or `/canarySettings/deploymentId`) with an unknown
   deployment → BadRequestException "Deployment id does not exist". [`models.py`, with the
   cache size and TTL validation]
7. New operations: FlushStageCache and FlushStageAuthorizersCache (call hooks registered with
   `add_flush_hook` / `add_authorizer_flush_hook`), GetUsage (from the ledger fed by
   `record_usage`), TestInvokeMethod (delegates to the handler a Lab adds with
   `add_test_invoke_handler`, or one set with `set_test_invoke_handler`). [`responses.py` (operations, URL paths), `hooks.py`
   (hooks, handler, ledger)]
8. `create_resource`: a duplicate sibling pathPart → ConflictException, a bad parentId →
   NotFoundException with nothing created; `delete_resource` also deletes the child resources
   (moto orphaned them, which broke every later get_resources / create_deployment). [`models.py`]
9. `update_usage_plan`: removing an API stage by `apiId:stage`, per-method throttles under
   `/apiStages/{apiId}:{stage}/throttle/...`, fractional rate limits. [`models.py`]
10. A new methodSettings entry gets AWS's recorded defaults (10,000/5,000 throttling, no
    cachingEnabled), or a copy of `*/*` for a per-method key. [`models.py`]
11. CloudWatch GetMetricStatistics matches dimension sets exactly (AWS/ApiGateway publishes the
    same metric under several sets). [`cloudwatch.py`]
12. `create_authorizer` keeps `identityValidationExpression`. [`models.py`]
13. `create_deployment` on a PRIVATE API with no resource policy → BadRequestException "Private
    REST API doesn't have a resource policy attached to it", with no deployment or stage made.
    [`models.py`]
14. The control plane as AWS answers it, one module per kind of resource: every boto3 apigateway
    operation answers, with AWS's fields, defaults, status codes and errors as recorded (each module's
    docstring lists what it restores); any Python error inside moto answers 400 BadRequestException.
    [`control/`]
"""

from __future__ import annotations


from moto.apigateway import responses as _responses
from moto.apigateway import urls as _urls

from .hooks import (
    add_authorizer_flush_hook,
    add_flush_hook,
    add_test_invoke_handler,
    record_usage,
    remove_authorizer_flush_hook,
    remove_flush_hook,
    remove_test_invoke_handler,
    set_test_invoke_handler,
)
from .responses import (
    NEW_URL_PATTERNS,
    flush_stage_authorizers_cache,
    flush_stage_cache,
    get_usage,
    test_invoke_method,
)
from .shared import PATCHED, PATCH_LOCK
from .snapshots import (
    add_listener,
    capture_definition,
    deployment_definition,
    generation,
    live_definition,
    remove_listener,
)
from .control import MODULES as CONTROL_PLANE
from .targets import SUPPORTED_MOTO, MotoIncompatibleError, incompatible, problems, wraps

__all__ = [
    "install",
    "MotoIncompatibleError",
    "SUPPORTED_MOTO",
    "capture_definition",
    "deployment_definition",
    "live_definition",
    "add_listener",
    "remove_listener",
    "generation",
    "add_flush_hook",
    "remove_flush_hook",
    "add_authorizer_flush_hook",
    "remove_authorizer_flush_hook",
    "record_usage",
    "add_test_invoke_handler",
    "remove_test_invoke_handler",
    "set_test_invoke_handler",
]


def install() -> None:
    """Apply every extension to moto's API Gateway backend (idempotent, process-wide); raises
    MotoIncompatibleError, with nothing patched, when the installed moto lacks what the kit patches."""
    response_cls = _responses.APIGatewayResponse
    with PATCH_LOCK:
        found = problems()
        if found:
            raise incompatible(found)
        for wrap in wraps():
            current = wrap.current()
            applied = getattr(current, PATCHED, ())  # the factories already wrapped around this function
            if wrap.key not in applied:  # so one function can carry several wraps, each applied once
                patched = wrap.make(current)
                setattr(patched, PATCHED, (*applied, wrap.key))
                setattr(wrap.owner, wrap.name, patched)
        added = (flush_stage_cache, flush_stage_authorizers_cache, get_usage, test_invoke_method,
                 *[fn for module in CONTROL_PLANE for fn in module.OPERATIONS])
        for fn in added:
            if not hasattr(response_cls, fn.__name__):
                setattr(response_cls, fn.__name__, fn)
        for pattern in (*NEW_URL_PATTERNS, *[p for module in CONTROL_PLANE for p in getattr(module, "URL_PATTERNS", ())]):
            _urls.url_paths.setdefault(pattern, response_cls.dispatch)
