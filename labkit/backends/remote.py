"""Where the gateway reads API definitions from: moto in this process, or any endpoint via boto3.

In-process the kit learns of deployments and stage updates from moto itself (no polling); against
an external server it re-reads a stage at most about once a second (DESIGN.md).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Protocol

from .lambdas import FunctionCode
from .usage_plans import UsageIndex, index_from_client, index_from_moto

if TYPE_CHECKING:
    from .cognito import UserPool
    from .iam import IamCaller


class DefinitionSource(Protocol):
    """What the gateway needs from a control plane."""

    account_id: str
    region: str

    def version(self) -> Hashable:
        """Changes whenever a stage or deployment may have changed."""

    def stage(self, api_id: str, stage_name: str) -> dict[str, Any] | None:
        """The stage in get_stage's shape, or None."""

    def definition(self, api_id: str, deployment_id: str) -> dict[str, Any] | None:
        """The API as it was when `deployment_id` was made."""

    def live_definition(self, api_id: str) -> dict[str, Any] | None:
        """The API as it is now (for test-invoke)."""

    def function_code(self, function_arn: str) -> FunctionCode | None:
        """A Lambda function's package and settings, to run it in-process."""

    def usage_index(self) -> UsageIndex:
        """API keys and usage plans as they are now."""

    def record_usage(self, usage_plan_id: str, key_id: str, day: str, count: int = 1) -> None:
        """Count requests against a key for GetUsage."""

    def secret_for(self, access_key_id: str) -> str | None:
        """The secret access key behind an access key id (None: unknown, answered as AWS answers it)."""

    def iam_caller(self, access_key_id: str) -> IamCaller | None:
        """The IAM identity and policies behind an access key, for AWS_IAM methods."""

    def user_pool(self, pool_arn: str) -> UserPool | None:
        """A Cognito user pool's issuer, JWKS and app clients, for COGNITO_USER_POOLS authorizers."""

    def domain_names(self) -> dict[str, dict[str, Any]]:
        """Custom domain names (lower-case name -> get_domain_name's shape)."""

    def base_path_mappings(self, domain_name: str) -> list[dict[str, Any]]:
        """A custom domain's base path mappings (get_base_path_mappings items: basePath, restApiId, stage)."""


def _kit_code(function_arn: str) -> FunctionCode | None:
    """The copy labkit.functions keeps of every zip it created."""
    try:
        from .. import functions
    except ImportError:  # pragma: no cover - functions is part of the package
        return None
    found = functions.code_for(function_arn)
    if not found:
        return None
    zip_bytes, handler, environment, timeout = found
    return FunctionCode(function_arn, zip_bytes, handler, dict(environment or {}), float(timeout))


_FLUSH_HOOKED = False


def _hook_moto_flush(moto_patches: Any) -> None:
    """FlushStageCache on moto reaches every gateway's stage cache (installed once per process)."""
    global _FLUSH_HOOKED
    if not _FLUSH_HOOKED:
        from .cache import flush_everywhere

        moto_patches.add_flush_hook(lambda account, region, api_id, stage: flush_everywhere(api_id, stage))
        _FLUSH_HOOKED = True


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


class MotoSource:
    """Reads moto's backend objects directly: no HTTP, no boto3 on the hot path."""

    def __init__(self, account_id: str = "123456789012", region: str = "us-east-1") -> None:
        from .. import moto_patches

        moto_patches.install()
        _hook_moto_flush(moto_patches)
        self._patches = moto_patches
        self.version = moto_patches.generation  # type: ignore[method-assign]  # one call on the hot path
        self.account_id = account_id
        self.region = region
        self._usage: tuple[int, UsageIndex] | None = None

    def _backend(self) -> Any:
        from moto.apigateway.models import apigateway_backends

        return apigateway_backends[self.account_id][self.region]

    def version(self) -> Hashable:
        return self._patches.generation()

    def stage(self, api_id: str, stage_name: str) -> dict[str, Any] | None:
        api = self._backend().apis.get(api_id)
        if api is None or stage_name not in api.stages:
            return None
        return api.stages[stage_name].to_json()

    def definition(self, api_id: str, deployment_id: str) -> dict[str, Any] | None:
        return self._patches.deployment_definition(self.account_id, self.region, api_id, deployment_id)

    def live_definition(self, api_id: str) -> dict[str, Any] | None:
        if api_id not in self._backend().apis:
            return None
        return self._patches.live_definition(self.account_id, self.region, api_id)

    def usage_index(self) -> UsageIndex:
        version = self._patches.generation()
        if self._usage is None or self._usage[0] != version:
            self._usage = (version, index_from_moto(self._backend()))
        return self._usage[1]

    def record_usage(self, usage_plan_id: str, key_id: str, day: str, count: int = 1) -> None:
        try:
            self._patches.record_usage(self.account_id, self.region, usage_plan_id, key_id, day, count)
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
            return _kit_code(function_arn)
        return FunctionCode(
            function_arn=fn.function_arn,
            zip_bytes=fn.code_bytes,
            handler=fn.handler or "index.handler",
            environment=dict(fn.environment_vars or {}),
            timeout=float(fn.timeout or 3),
            memory_size=int(fn.memory_size or 128),
        )

    def secret_for(self, access_key_id: str) -> str | None:
        caller = self.iam_caller(access_key_id)
        return caller.secret_access_key if caller else None

    def iam_caller(self, access_key_id: str) -> IamCaller | None:
        from .iam import moto_caller

        return moto_caller(self.account_id, access_key_id)

    def user_pool(self, pool_arn: str) -> UserPool | None:
        from .cognito import moto_user_pool

        return moto_user_pool(self.account_id, pool_arn)

    def domain_names(self) -> dict[str, dict[str, Any]]:
        return {name.lower(): d.to_json() for name, d in list(self._backend().domain_names.items())}

    def base_path_mappings(self, domain_name: str) -> list[dict[str, Any]]:
        backend = self._backend()
        for name in list(backend.domain_names):
            if name.lower() == domain_name.lower():
                return [m.to_json() for m in list((backend.base_path_mappings.get(name) or {}).values())]
        return []


class Boto3Source:
    """Reads definitions through boto3 from any endpoint (a moto server, LocalStack, AWS)."""

    def __init__(self, client_factory: Callable[[str], Any], refresh_seconds: float = 1.0) -> None:
        self._client = client_factory
        apigw = client_factory("apigateway")
        self.region = apigw.meta.region_name
        self.account_id = _account_id(client_factory)
        self._refresh = refresh_seconds
        self._stages: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}
        self._definitions: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._usage: tuple[float, UsageIndex] | None = None
        self.usage_counts: dict[tuple[str, str, str], int] = {}  # the kit's own report: (plan, key, day) -> n

    def version(self) -> Hashable:
        return int(time.monotonic() / self._refresh)

    def remember_deployment(self, api_id: str, deployment_id: str) -> None:
        """Take the snapshot now (the Lab calls this right after CreateDeployment)."""
        definition = self.live_definition(api_id)
        if definition is not None:
            with self._lock:
                self._definitions[(api_id, deployment_id)] = definition

    def stage(self, api_id: str, stage_name: str) -> dict[str, Any] | None:
        key = (api_id, stage_name)
        now = time.monotonic()
        cached = self._stages.get(key)
        if cached and now - cached[0] < self._refresh:
            return cached[1]
        try:
            found = self._client("apigateway").get_stage(restApiId=api_id, stageName=stage_name)
            found.pop("ResponseMetadata", None)
        except Exception:
            found = None
        self._stages[key] = (now, found)
        return found

    def definition(self, api_id: str, deployment_id: str) -> dict[str, Any] | None:
        with self._lock:
            known = self._definitions.get((api_id, deployment_id))
        if known is not None:
            return known
        # Deployed by someone else: the best this source can do is the API as it is now.
        definition = self.live_definition(api_id)
        if definition is not None:
            with self._lock:
                self._definitions[(api_id, deployment_id)] = definition
        return definition

    def live_definition(self, api_id: str) -> dict[str, Any] | None:
        from ..openapi import definition_from_client

        try:
            return definition_from_client(self._client("apigateway"), api_id)
        except Exception:
            return None

    def function_code(self, function_arn: str) -> FunctionCode | None:
        return _kit_code(function_arn)

    def secret_for(self, access_key_id: str) -> str | None:
        return None  # no public AWS API returns a secret: every key is unknown (403 invalid security token)

    def iam_caller(self, access_key_id: str) -> IamCaller | None:
        return None

    def user_pool(self, pool_arn: str) -> UserPool | None:
        from .cognito import client_user_pool

        return client_user_pool(self._client("cognito-idp"), pool_arn)

    def domain_names(self) -> dict[str, dict[str, Any]]:
        return self._domain_cache().domain_names()

    def base_path_mappings(self, domain_name: str) -> list[dict[str, Any]]:
        return self._domain_cache().base_path_mappings(domain_name)

    def _domain_cache(self) -> Any:
        cache = getattr(self, "_domains", None)
        if cache is None:
            from .endpoints import DomainCache

            cache = self._domains = DomainCache(lambda: self._client("apigateway"), self._refresh)
        return cache

    def usage_index(self) -> UsageIndex:
        now = time.monotonic()
        if self._usage is None or now - self._usage[0] >= self._refresh:
            try:
                index = index_from_client(self._client("apigateway"))
            except Exception:
                index = self._usage[1] if self._usage else UsageIndex()
            self._usage = (now, index)
        return self._usage[1]

    def record_usage(self, usage_plan_id: str, key_id: str, day: str, count: int = 1) -> None:
        key = (usage_plan_id, key_id, day)
        with self._lock:
            self.usage_counts[key] = self.usage_counts.get(key, 0) + count


def _account_id(client_factory: Callable[[str], Any]) -> str:
    try:
        return client_factory("sts").get_caller_identity()["Account"]
    except Exception:
        return "123456789012"
