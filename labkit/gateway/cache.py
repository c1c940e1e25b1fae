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
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .http import Headers, Response
from .pipeline import Call, Next, method_request_values
from .responses import GatewayError

if TYPE_CHECKING:
    from .engine import Gateway

CACHE_CLUSTER_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")  # GB, API_CreateStage
MAX_TTL_SECONDS = 3600
DEFAULT_TTL_SECONDS = 300
MAX_ENTRY_BYTES = 1_048_576
CACHE_HEADER = "x-labkit-cache"  # the kit's own header: HIT, MISS or INVALIDATED (absent when not cached)
# Assumed wording: AWS documents a warning header for SUCCEED_WITH_RESPONSE_HEADER but not its text.
UNAUTHORIZED_WARNING = '199 - "Cache-control headers were ignored because the caller was unauthorized."'


@dataclass
class _Entry:
    expires: float
    status: int
    headers: list[tuple[str, str]]
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
        headers = [(k, v) for k, v in response.headers.items_list() if k.lower() != CACHE_HEADER]
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
            self._entries[key] = _Entry(now + ttl, response.status_code, headers, response.body, size)
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


_GATEWAYS: weakref.WeakSet[Gateway] = weakref.WeakSet()


def register(gateway: Gateway) -> None:
    """Let `flush_everywhere` reach this gateway's caches."""
    _GATEWAYS.add(gateway)


def flush_everywhere(api_id: str, stage: str) -> None:
    """FlushStageCache: empty the stage's cache in every live gateway of this process."""
    for gateway in list(_GATEWAYS):
        gateway.caches.flush(api_id, stage)


def cache_key(call: Call) -> tuple[Any, ...]:
    """Namespace (the resource id unless set), method, and the values of the cache key parameters."""
    assert call.route is not None
    integration = call.route.method.get("methodIntegration") or {}
    namespace = integration.get("cacheNamespace") or call.route.resource["id"]
    parameters = integration.get("cacheKeyParameters") or []
    values = method_request_values(call) if parameters else {}
    return (namespace, call.request.method, tuple((p, values.get(p)) for p in sorted(parameters)))


def cache(call: Call, next_step: Next) -> Response:
    """Serve from the stage cache, or call the integration and keep its response for the TTL."""
    assert call.route is not None and call.snapshot is not None
    stage = call.snapshot.stage
    if not stage.get("cacheClusterEnabled"):
        call.gateway.caches.drop(call.request.api_id, call.request.stage)
        return next_step(call)
    method = call.request.method
    settings = call.snapshot.method_settings(call.resource_path, method)
    enabled = settings.get("cachingEnabled", method == "GET")  # GET is cached by default
    ttl = int(settings.get("cacheTtlInSeconds", DEFAULT_TTL_SECONDS))
    if not enabled or ttl <= 0:
        return next_step(call)

    store = call.gateway.caches.for_stage(call.request.api_id, call.request.stage,
                                          str(stage.get("cacheClusterSize") or "0.5"))
    key = cache_key(call)
    now = call.gateway.clock.now()
    warning = None
    if _asks_invalidation(call):
        if _may_invalidate(call, settings):
            return _fetch_and_store(call, next_step, store, key, ttl, "INVALIDATED", now)
        strategy = settings.get("unauthorizedCacheControlHeaderStrategy", "SUCCEED_WITH_RESPONSE_HEADER")
        if strategy == "FAIL_WITH_403":
            raise GatewayError("ACCESS_DENIED", "User is not authorized to invalidate the cache",
                               log="Cache invalidation refused: execute-api:InvalidateCache not allowed")
        if strategy == "SUCCEED_WITH_RESPONSE_HEADER":
            warning = UNAUTHORIZED_WARNING

    entry = store.get(key, now)
    if entry is not None:
        call.cache_status = "HIT"
        call.log("Sending cached response")  # no integration call: no integration latency
        response = Response(entry.status, Headers(entry.headers), entry.body)
        response.headers.add(CACHE_HEADER, "HIT")
    else:
        response = _fetch_and_store(call, next_step, store, key, ttl, "MISS", now)
    if warning:
        response.headers.add("Warning", warning)
    return response


def _fetch_and_store(call: Call, next_step: Next, store: StageCache, key: tuple[Any, ...], ttl: int, status: str,
                     now: float) -> Response:
    if status == "INVALIDATED":
        store.misses += 1  # a bypass: the lookup that counts misses did not run
    call.cache_status = "MISS"
    response = next_step(call)
    store.put(key, response, ttl, now)
    response.headers.add(CACHE_HEADER, status)
    return response


def _asks_invalidation(call: Call) -> bool:
    """`Cache-Control: max-age=0` among the header's directives."""
    value = call.request.headers.get("Cache-Control") or ""
    return any(d.strip().lower().replace(" ", "") == "max-age=0" for d in value.split(","))


def _may_invalidate(call: Call, settings: dict[str, Any]) -> bool:
    """Without "require authorization" anyone may; with it, only a caller whose IAM policy allows
    execute-api:InvalidateCache (the IAM step sets `call.may_invalidate_cache`)."""
    if not settings.get("requireAuthorizationForCacheControl", True):
        return True
    return bool(call.may_invalidate_cache)
