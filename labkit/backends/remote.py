"""A DefinitionSource over boto3, for a moto/LocalStack server or AWS (DESIGN.md: backends/remote.py).

The hot path makes no boto3 call. What it read is fresh in two ways: the lab's own writes, seen
through botocore's after-call events on the lab's clients (`watch`), mark everything stale at once,
so a deploy-then-call cell needs no sleep; writes made elsewhere are picked up by a short poll
(every `refresh_seconds`, 1 s by default).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

import requests

from labkit.gateway.ports import POOL_ARN, UserPool
from labkit.gateway.ports import IamCaller
from labkit.gateway.ports import FunctionCode
from labkit.gateway.ports import Change
from labkit.gateway.usage_plans import UsageIndex
from labkit.api_calls import definition_from_client

from .changes import Subscribers

REMOTE_POOL_REFRESH_SECONDS = 60.0  # the hot path makes no boto3 call: a remote pool is re-read once a minute
READ_ONLY_PREFIXES = ("Get", "Test", "List", "Describe")  # operations that change nothing the gateway serves
_PARAMS_KEY = "labkit_fresh_params"


class Boto3Source:
    """Reads definitions through boto3 from any endpoint (a moto server, LocalStack, AWS)."""

    def __init__(self, client_factory: Callable[[str], Any], refresh_seconds: float = 1.0,
                 kit_functions: Callable[[str], FunctionCode | None] | None = None,
                 account_id: str | None = None) -> None:
        """`kit_functions`: the lab's own copies of the zips it created (lab.functions.code_for): no
        public AWS API hands a function's code to the local gateway. `account_id`: the backend's
        (asked of STS when not given: moto's, LocalStack's and AWS's differ)."""
        self._client = client_factory
        self._kit_functions = kit_functions or (lambda arn: None)
        apigw = client_factory("apigateway")
        self.region = apigw.meta.region_name
        self.account_id = account_id or account_of(client_factory("sts"))
        self._refresh = refresh_seconds
        self._stages: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}
        self._definitions: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._usage: tuple[float, UsageIndex] | None = None
        self.usage_counts: dict[tuple[str, str, str], int] = {}  # the kit's own report: (plan, key, day) -> n
        self._subscribers = Subscribers()
        self._pools: dict[str, tuple[float, UserPool | None]] = {}
        self._domains = DomainCache(lambda: self._client("apigateway"), refresh_seconds)
        self._generation = 0  # bumped by each of the lab's own writes (see `watch`)
        self._concurrency: dict[str, tuple[float, int | None]] = {}  # function ARN -> (read at, reserved)

    def version(self) -> Hashable:
        return int(time.monotonic() / self._refresh), self._generation

    def watch(self, client: Any) -> None:
        """Mark what `client`'s successful writes touched stale at once (botocore's after-call events).

        API Gateway: every operation but Get*/Test* may change what the gateway serves; a
        CreateDeployment is snapshotted as it is made; FlushStageCache and DeleteRestApi are also
        published as changes. Cognito: a written pool is re-read. Lambda: reserved concurrency is
        re-read. Other services are not read here.
        """
        service = client.meta.service_model.service_name
        if service not in ("apigateway", "cognito-idp", "lambda"):
            return
        event_service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-parameter-build.{event_service}", _keep_params,
                                    unique_id=f"labkit-fresh-params:{id(self)}")
        client.meta.events.register(f"after-call.{event_service}", self._after_call,
                                    unique_id=f"labkit-fresh:{id(self)}")

    def _after_call(self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any],
                    **_: Any) -> None:
        if http_response is None or not 200 <= http_response.status_code < 300:
            return
        operation = model.name
        if operation.startswith(READ_ONLY_PREFIXES):
            return
        params = context.get(_PARAMS_KEY) or {}
        api_id = params.get("restApiId", "")
        if model.service_model.service_name == "cognito-idp":
            self._pools.clear()
            return
        if model.service_model.service_name == "lambda":
            self._concurrency.clear()
            return
        self.invalidate()
        if operation == "CreateDeployment" and api_id and parsed.get("id"):
            self.remember_deployment(api_id, parsed["id"])
        elif operation == "FlushStageCache" and api_id:
            self.publish(Change("flush-stage-cache", api_id, params.get("stageName", "")))
        elif operation == "FlushStageAuthorizersCache" and api_id:
            self.publish(Change("flush-authorizers-cache", api_id, params.get("stageName", "")))
        elif operation == "DeleteRestApi" and api_id:
            with self._lock:
                for key in [k for k in self._definitions if k[0] == api_id]:
                    del self._definitions[key]
            self.publish(Change("api-deleted", api_id))

    def invalidate(self) -> None:
        """Forget every stage, usage index, domain and pool read so far; the next request re-reads."""
        with self._lock:
            self._stages.clear()
            self._usage = None
            self._generation += 1
        self._domains.clear()
        self._pools.clear()

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        return self._subscribers.subscribe(listener)

    def publish(self, change: Change) -> None:
        """Tell the subscribed gateways of a change the lab made (FlushStageCache, say)."""
        self._subscribers.publish(change)

    def remember_deployment(self, api_id: str, deployment_id: str) -> None:
        """Take the snapshot now (`watch` calls this right after the lab's CreateDeployment)."""
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
        try:
            return definition_from_client(self._client("apigateway"), api_id)
        except Exception:
            return None

    def function_code(self, function_arn: str) -> FunctionCode | None:
        code = self._kit_functions(function_arn)
        if code is None:
            return None
        reserved = self._reserved_concurrency(code.function_arn)
        return code if reserved is None else dataclasses.replace(code, reserved_concurrency=reserved)

    def _reserved_concurrency(self, function_arn: str) -> int | None:
        """GetFunctionConcurrency's ReservedConcurrentExecutions (None: unreserved, or unreadable), read
        at most once per refresh unless the lab writes to Lambda meanwhile (`watch`)."""
        now = time.monotonic()
        cached = self._concurrency.get(function_arn)
        if cached is not None and now - cached[0] < self._refresh:
            return cached[1]
        try:
            found = self._client("lambda").get_function_concurrency(FunctionName=function_arn)
            value = found.get("ReservedConcurrentExecutions")
            reserved = None if value is None else int(value)
        except Exception:
            reserved = None
        self._concurrency[function_arn] = (now, reserved)
        return reserved

    def secret_for(self, access_key_id: str) -> str | None:
        return None  # no public AWS API returns a secret: every key is unknown (403 invalid security token)

    def iam_caller(self, access_key_id: str) -> IamCaller | None:
        return None

    def user_pool(self, pool_arn: str) -> UserPool | None:
        """A pool read through boto3, its JWKS fetched from the endpoint; re-read once a minute."""
        cached = self._pools.get(pool_arn)
        if cached is not None and time.monotonic() - cached[0] < REMOTE_POOL_REFRESH_SECONDS:
            return cached[1]
        pool = read_user_pool(self._client("cognito-idp"), pool_arn)
        self._pools[pool_arn] = (time.monotonic(), pool)
        return pool

    def domain_names(self) -> dict[str, dict[str, Any]]:
        return self._domains.domain_names()

    def base_path_mappings(self, domain_name: str) -> list[dict[str, Any]]:
        return self._domains.base_path_mappings(domain_name)

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


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """after-call sees only the response; the ids a write touched are in its request."""
    context[_PARAMS_KEY] = dict(params)


def account_of(sts_client: Any) -> str:
    """The account behind a backend's credentials (moto: 123456789012, LocalStack: 000000000000)."""
    return sts_client.get_caller_identity()["Account"]


def index_from_client(client: Any) -> UsageIndex:
    """Build the usage index (API keys, usage plans, plan keys) through boto3 (any endpoint)."""
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


def read_user_pool(cognito_client: Any, pool_arn: str) -> UserPool | None:
    """A pool's app clients through boto3 and its JWKS from the endpoint (a moto server or AWS)."""
    found = POOL_ARN.match(pool_arn)
    if not found:
        return None
    pool_id = found.group("pool")
    try:
        clients: list[str] = []
        kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 60}
        while True:
            page = cognito_client.list_user_pool_clients(**kwargs)
            clients += [c["ClientId"] for c in page.get("UserPoolClients", [])]
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        endpoint = cognito_client.meta.endpoint_url.rstrip("/")
        jwks = requests.get(f"{endpoint}/{pool_id}/.well-known/jwks.json", timeout=5).json()
    except Exception:
        return None
    return UserPool(pool_id, found.group("region"), jwks, frozenset(clients))


class DomainCache:
    """Domain names and base path mappings read through boto3, at most once per `refresh` seconds
    (the hot path makes no boto3 call)."""

    def __init__(self, client: Any, refresh: float = 1.0) -> None:
        self._client = client
        self._refresh = refresh
        self._domains: tuple[float, dict[str, dict[str, Any]]] | None = None
        self._mappings: dict[str, tuple[float, list[dict[str, Any]]]] = {}

    def clear(self) -> None:
        """Forget what was read; the next call re-reads."""
        self._domains = None
        self._mappings = {}

    def domain_names(self) -> dict[str, dict[str, Any]]:
        now = time.monotonic()
        if self._domains is None or now - self._domains[0] >= self._refresh:
            try:
                client = self._client()
                items: list[dict[str, Any]] = []
                for page in client.get_paginator("get_domain_names").paginate():
                    items.extend(page.get("items", []))
                found = {d["domainName"].lower(): d for d in items if d.get("domainName")}
            except Exception:
                found = self._domains[1] if self._domains else {}
            self._domains = (now, found)
        return self._domains[1]

    def base_path_mappings(self, domain_name: str) -> list[dict[str, Any]]:
        now = time.monotonic()
        cached = self._mappings.get(domain_name)
        if cached is None or now - cached[0] >= self._refresh:
            try:
                client = self._client()
                items: list[dict[str, Any]] = []
                for page in client.get_paginator("get_base_path_mappings").paginate(domainName=domain_name):
                    items.extend(page.get("items", []))
            except Exception:
                items = cached[1] if cached else []
            cached = (now, items)
            self._mappings[domain_name] = cached
        return cached[1]
