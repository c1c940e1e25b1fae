"""The stage cache: responses kept per cache key for a TTL, in a cluster of limited size.

AWS documents: caching per stage with a cache cluster (0.5–237 GB), TTL 0–3600 s (default 300,
0 = off), GET cached by default, per-method overrides, cache keys from the integration's
`cacheKeyParameters` (namespace: the resource id), `Cache-Control: max-age=0` invalidation guarded
by `execute-api:InvalidateCache`, responses up to 1 MB.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html

The kit assumes (AWS does not document it): a cluster holds `size × 10^9` bytes of cached
responses (body + headers + key) and evicts the least recently used entry when full; responses of
any status the integration returns are cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .http import Headers, Request, Response
from .pipeline import Call, Next, method_request_value
from .responses import GatewayError
from .router import Route
from .snapshot import StageSnapshot

CACHE_CLUSTER_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")  # GB, API_CreateStage
MAX_TTL_SECONDS = 3600
DEFAULT_TTL_SECONDS = 300
MAX_ENTRY_BYTES = 1_048_576
CACHE_HEADER = "x-labkit-cache"  # the kit's own header: HIT, MISS or INVALIDATED (absent when not cached)
# Assumed wording: AWS documents a warning header for SUCCEED_WITH_RESPONSE_HEADER but not its text.
UNAUTHORIZED_WARNING = '199 - "Cache-control headers were ignored because the caller was unauthorized."'


_PER_REQUEST = {CACHE_HEADER, "x-amzn-trace-id"}


@dataclass
class _Entry:
    expires: float
    status: int
    headers: Headers  # as stored; a hit answers with a copy
    body: bytes
    size: int


class StageCache:
    """One stage's cache cluster: TTL entries, least recently used evicted when over capacity."""

    def __init__(self, capacity_bytes: int) -> None:
        if capacity_bytes <= 0:
            raise ValueError(f"capacity_bytes must be > 0, got {capacity_bytes}")
        self.capacity_bytes = capacity_bytes
        self.used_bytes = 0
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = self.evictions = 0

    def get(self, key: tuple[Any, ...], now: float) -> _Entry | None:
        """The live entry for `key`, counted as a hit or a miss."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires <= now:
                self._drop(key)
                entry = None
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[Any, ...], response: Response, ttl: float, now: float) -> bool:
        # Per-request headers are not part of the cached answer (the kit's choice: no recording shows a
        # cached answer's X-Amzn-Trace-Id), and do not count against the cluster's capacity.
        headers = [(k, v) for k, v in response.headers.items_list() if k.lower() not in _PER_REQUEST]
        size = len(response.body) + sum(len(k) + len(v) for k, v in headers) + len(repr(key))
        with self._lock:
            if key in self._entries:
                self._drop(key)  # even an answer too big to keep replaces the old one
            if size > min(MAX_ENTRY_BYTES, self.capacity_bytes):
                return False
            while self.used_bytes + size > self.capacity_bytes and self._entries:
                oldest = next(iter(self._entries))
                if self._entries[oldest].expires > now:
                    self.evictions += 1  # a live entry pushed out; an expired one was dead already
                self._drop(oldest)
            self._entries[key] = _Entry(now + ttl, response.status_code, Headers(headers), response.body, size)
            self.used_bytes += size
        return True

    def _drop(self, key: tuple[Any, ...]) -> None:
        self.used_bytes -= self._entries.pop(key).size

    def flush(self) -> None:
        with self._lock:
            self._entries.clear()
            self.used_bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


class StageCaches:
    """The caches of one gateway, one per stage, rebuilt when the cluster size changes."""

    def __init__(self, bytes_per_gb: float = 1e9) -> None:
        if bytes_per_gb <= 0:
            raise ValueError(f"cache_bytes_per_gb must be > 0, got {bytes_per_gb}")
        self.bytes_per_gb = bytes_per_gb
        self._caches: dict[tuple[str, str], tuple[str, StageCache]] = {}
        self._lock = threading.Lock()

    def for_stage(self, api_id: str, stage: str, size: str) -> StageCache:
        """A changed size replaces the cluster and drops its data, as on AWS."""
        with self._lock:
            found = self._caches.get((api_id, stage))
            if found is None or found[0] != size:
                cache = StageCache(max(1, int(float(size) * self.bytes_per_gb)))
                self._caches[(api_id, stage)] = (size, cache)
                return cache
            return found[1]

    def get(self, api_id: str, stage: str) -> StageCache | None:
        found = self._caches.get((api_id, stage))
        return found[1] if found else None

    def drop(self, api_id: str, stage: str) -> None:
        """Caching turned off: the cluster is deleted, its data with it (as on AWS)."""
        if (api_id, stage) in self._caches:
            with self._lock:
                self._caches.pop((api_id, stage), None)

    def flush(self, api_id: str, stage: str) -> None:
        cache = self.get(api_id, stage)
        if cache is not None:
            cache.flush()

    def close(self) -> None:
        """Delete every cluster and its data (the gateway is closing)."""
        with self._lock:
            self._caches.clear()


@dataclass(frozen=True)
class CacheSettings:
    """How the stage cache treats one method: the cluster's size, the TTL, and who may invalidate."""

    size: str
    ttl: int
    require_authorization: bool  # requireAuthorizationForCacheControl
    strategy: str  # unauthorizedCacheControlHeaderStrategy


def cache_settings(snapshot: StageSnapshot, resource_path: str, method: str) -> CacheSettings | None:
    """The method's cache settings; None when the cache takes no part (cluster off, method not cached, TTL 0)."""
    stage = snapshot.stage
    if not stage.get("cacheClusterEnabled") or not snapshot.use_stage_cache:
        return None  # a canary's requests skip the stage cache unless `useStageCache` (API_CanarySettings)
    settings = snapshot.method_settings(resource_path, method)
    enabled = caching_enabled(snapshot, resource_path, method)
    ttl = int(settings.get("cacheTtlInSeconds", DEFAULT_TTL_SECONDS))
    if not enabled or ttl <= 0:
        return None
    return CacheSettings(str(stage.get("cacheClusterSize") or "0.5"), ttl,
                         bool(settings.get("requireAuthorizationForCacheControl", True)),
                         settings.get("unauthorizedCacheControlHeaderStrategy", "SUCCEED_WITH_RESPONSE_HEADER"))


def caching_enabled(snapshot: StageSnapshot, resource_path: str, method: str) -> bool:
    """Whether the method's responses are cached: its own setting's `cachingEnabled` decides; the
    stage-wide `*/*` one applies to GET only, and with no setting at all GET is cached.

    "When you enable caching for a stage, only GET methods have caching enabled by default ... You can
    enable caching for other methods by overriding method settings."
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"""
    own = snapshot.own_method_setting(resource_path, method)
    if "cachingEnabled" in own:
        return bool(own["cachingEnabled"])
    if method != "GET":
        return False
    return bool(((snapshot.stage.get("methodSettings") or {}).get("*/*") or {}).get("cachingEnabled", True))


def key_parameters(route: Route) -> tuple[str, tuple[str, ...]]:
    """The cache key's namespace (the resource id unless set) and its parameters, sorted."""
    integration = route.method.get("methodIntegration") or {}
    namespace = integration.get("cacheNamespace") or route.resource["id"]
    return namespace, tuple(sorted(integration.get("cacheKeyParameters") or []))


def key_for(namespace: str, parameters: tuple[str, ...], request: Request, path_parameters: Mapping[str, str],
            stage_variables: Mapping[str, str]) -> tuple[Any, ...]:
    """Namespace, method, and the request's values of the cache key parameters."""
    return (namespace, request.method,
            tuple((p, method_request_value(p, request, path_parameters, stage_variables)) for p in parameters))


def cache_key(call: Call) -> tuple[Any, ...]:
    """The cache key of a call (see `key_for`)."""
    assert call.route is not None
    namespace, parameters = key_parameters(call.route)
    return key_for(namespace, parameters, call.request, call.route.path_parameters, call.stage_variables)


def cache_control(headers: Headers, settings: CacheSettings, may_invalidate: bool) -> tuple[bool, str | None]:
    """What the request's `Cache-Control: max-age=0` does: (refetch, Warning header to add).

    Without "require authorization" anyone may invalidate; with it, only a caller whose IAM policy
    allows execute-api:InvalidateCache (`may_invalidate`), and the method's strategy answers the
    others: 403, or the cached answer with or without a Warning header.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"""
    if not _asks_invalidation(headers.get("Cache-Control") or ""):
        return False, None
    if not settings.require_authorization or may_invalidate:
        return True, None
    if settings.strategy == "FAIL_WITH_403":
        raise GatewayError("ACCESS_DENIED", "User is not authorized to invalidate the cache",
                           log="Cache invalidation refused: execute-api:InvalidateCache not allowed")
    return False, UNAUTHORIZED_WARNING if settings.strategy == "SUCCEED_WITH_RESPONSE_HEADER" else None


def lookup(store: StageCache, key: tuple[Any, ...], now: float, refetch: bool) -> _Entry | None:
    """The live entry to answer with, or None to call the integration (a refetch counts as a miss)."""
    if refetch:
        store.misses += 1  # a bypass: the lookup that counts misses does not run
        return None
    return store.get(key, now)


def cached_response(entry: _Entry) -> Response:
    """A response served from the cache, marked HIT."""
    response = Response(entry.status, entry.headers.copy(), entry.body)
    response.headers.add(CACHE_HEADER, "HIT")
    return response


def fetch_and_store(call: Call, next_step: Next, store: StageCache, key: tuple[Any, ...], ttl: int, status: str,
                    now: float) -> Response:
    """Call the integration and keep its response for the TTL; `status` (MISS or INVALIDATED) marks it."""
    call.cache_status = "MISS"
    response = next_step(call)
    store.put(key, response, ttl, now)
    response.headers.add(CACHE_HEADER, status)
    return response


def _asks_invalidation(value: str) -> bool:
    """`max-age=0` among a Cache-Control header's directives."""
    return bool(value) and any(d.strip().lower().replace(" ", "") == "max-age=0" for d in value.split(","))
