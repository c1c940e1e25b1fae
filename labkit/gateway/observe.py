"""Observability: access logs, execution logs, CloudWatch metrics and X-Ray segments.

The `observe` step (outermost) notes what each request did; an `Observer` buffers it and writes it
to the backend in batches (CloudWatch Logs / Firehose, CloudWatch metrics, X-Ray), as AWS does:
on `flush()`, about once a second on the real clock, and when the lab closes. The hot path only
appends to in-memory buffers.
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-xray.html
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .http import Response
from .pipeline import Call
from .ports import ServiceClients, ServiceError
from .responses import reference_name, reference_pattern

if TYPE_CHECKING:
    from .engine import Gateway

MAX_EVENT_BYTES = 1024  # execution-log events are truncated here (known issues page)
_CONTEXT_VARIABLE = reference_pattern("context", name_chars="A-Za-z0-9_")
# Lines that only appear with "Log full requests/responses data" (dataTraceEnabled).
_DATA_LINES = ("Method request headers", "Method request body", "Endpoint request headers", "Endpoint request body",
               "Endpoint response headers", "Endpoint response body", "Method response body", "Method response headers")
METRIC_NAMES = ("Count", "4XXError", "5XXError", "Latency", "IntegrationLatency", "CacheHitCount", "CacheMissCount")


class _Stats:
    __slots__ = ("count", "total", "low", "high")

    def __init__(self) -> None:
        self.count, self.total, self.low, self.high = 0, 0.0, float("inf"), float("-inf")

    def add(self, value: float, n: int = 1) -> None:
        self.count += n
        self.total += value * n
        if value < self.low:
            self.low = value
        if value > self.high:
            self.high = value

    def statistic_values(self) -> dict[str, float]:
        return {"SampleCount": float(self.count), "Sum": self.total, "Minimum": self.low, "Maximum": self.high}


class Observer:
    """Buffers of one gateway and the code that writes them to the backend."""

    def __init__(self, gateway: Gateway, flush_seconds: float = 1.0, seed: int | None = None,
                 timed_flush: bool = True) -> None:
        """`timed_flush=False` leaves flushing to explicit calls (a moto lab flushes whenever a lab
        client reads logs, metrics or traces, so notebook outputs do not depend on timing)."""
        self.gateway = gateway
        self.flush_seconds = flush_seconds
        self.timed_flush = timed_flush
        self._lock = threading.Lock()
        self._access: dict[str, list[tuple[int, str]]] = defaultdict(list)  # destination ARN -> events
        self._execution: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)  # (group, stream)
        self._metrics: dict[tuple[int, tuple[tuple[str, str], ...], str], _Stats] = {}
        self._segments: list[dict[str, Any]] = []
        self._rng = random.Random(seed)
        self._sampler: dict[tuple[str, str], tuple[int, int]] = {}  # (api, stage) -> (second, taken)
        self._timer: threading.Timer | None = None  # the pending timed flush; close() cancels it
        self._closed = False
        # Compiled request classes, whose tallies settle on flush, in the order they were made (kept
        # while the gateway lives, as the metrics of handled requests are; a class gone stale leaves).
        self.compiled: dict[Any, None] = {}
        self.written = {"access": 0, "execution": 0, "metrics": 0, "segments": 0}

    # --- hot path -------------------------------------------------------------------------------

    def record(self, call: Call, response: Response) -> None:
        snapshot = call.snapshot
        if snapshot is None:
            return  # no stage: nothing AWS would log or count for an API
        stage = snapshot.stage
        now = call.gateway.clock.now()
        latency_ms = response.latency * 1000 if response.latency else (now - call.started + call.simulated_latency) * 1000
        plan = call.plan
        settings = plan.settings if plan is not None else snapshot.method_settings("*", "*")
        with self._lock:
            self._count_metrics(call, response, settings, latency_ms, now)
            if stage.get("tracingEnabled") and self._sampled(call, now):
                self._segment(call, response, now)
            access = stage.get("accessLogSettings") or {}
            if access.get("destinationArn") and access.get("format"):
                line = render_access_log(access["format"], access_context(call, response, latency_ms))
                self._access[access["destinationArn"]].append((int(call.started * 1000), line))
            level = (settings.get("loggingLevel") or "OFF").upper()
            if level != "OFF" and (level == "INFO" or call.error is not None or response.status_code >= 400):
                self._execution_lines(call, response, settings, level)
        self._schedule_flush()

    def _count_metrics(self, call: Call, response: Response, settings: Mapping[str, Any], latency_ms: float,
                       now: float) -> None:
        seconds = integration_latency(call.integration_latency, call.cache_status)
        integration_ms = seconds * 1000 if seconds is not None else None
        dimensions = call.plan.dimensions if call.plan is not None else \
            metric_dimensions(_api_name(call), call.request.stage, call.request.method, call.resource_path, False)
        self.count(dimensions, now, response.status_code, latency_ms, integration_ms, call.cache_status)

    def count(self, dimension_sets: tuple[tuple[tuple[str, str], ...], ...], now: float, status: int,
              latency_ms: float, integration_ms: float | None, cache_status: str | None, n: int = 1) -> None:
        """Add `n` alike requests to the per-minute statistics of AWS/ApiGateway (caller holds the lock)."""
        minute = int(now // 60 * 60)
        values = [("Count", 1.0), ("4XXError", float(400 <= status < 500)), ("5XXError", float(status >= 500)),
                  ("Latency", latency_ms)]
        if integration_ms is not None:
            values.append(("IntegrationLatency", integration_ms))
        if cache_status:
            values.append(("CacheHitCount", float(cache_status == "HIT")))
            values.append(("CacheMissCount", float(cache_status != "HIT")))
        metrics = self._metrics
        for dims in dimension_sets:
            for name, value in values:
                key = (minute, dims, name)
                stats = metrics.get(key)
                if stats is None:
                    stats = metrics[key] = _Stats()
                stats.add(value, n)

    def count_tally(self, dimension_sets: tuple[tuple[tuple[str, str], ...], ...],
                    tally: Mapping[tuple[Any, ...], int]) -> None:
        """Add a simulated request class's per-minute tally of (minute, status, latency s, integration
        latency s or None, cache status) -> n to the statistics."""
        with self._lock:
            for (minute, status, latency, seconds, cache_status), n in tally.items():
                self.count(dimension_sets, minute, status, latency * 1000,
                           seconds * 1000 if seconds is not None else None, cache_status, n)

    def new_trace_id(self, started: float) -> str:
        """An X-Ray trace id from the observer's seeded generator."""
        return new_trace_id(started, self._rng)

    def _sampled(self, call: Call, now: float) -> bool:
        """AWS's default rule: the first request each second, then 5% of the rest."""
        key = (call.request.api_id, call.request.stage)
        second, taken = self._sampler.get(key, (-1, 0))
        if int(now) != second:
            self._sampler[key] = (int(now), 1)
            return True
        self._sampler[key] = (second, taken + 1)
        return self._rng.random() < 0.05

    def _segment(self, call: Call, response: Response, now: float) -> None:
        trace_id = call.trace_id or new_trace_id(call.started, self._rng)
        call.trace_id = trace_id
        end = call.started + (response.latency or (now - call.started))
        segment: dict[str, Any] = {
            "name": f"{_api_name(call)}/{call.request.stage}",
            "id": "%016x" % self._rng.getrandbits(64),
            "trace_id": trace_id,
            "start_time": call.started,
            "end_time": end,
            "origin": "AWS::ApiGateway::Stage",
            "resource_arn": f"arn:aws:apigateway:{call.gateway.source.region}::/restapis/{call.request.api_id}"
                            f"/stages/{call.request.stage}",
            "http": {"request": {"method": call.request.method, "url": f"/{call.request.stage}{call.request.path}",
                                 "client_ip": call.request.source_ip},
                     "response": {"status": response.status_code, "content_length": len(response.body)}},
            "annotations": {"aws:api_id": call.request.api_id, "aws:api_stage": call.request.stage},
        }
        if response.status_code >= 500:
            segment["fault"] = True
        elif response.status_code == 429:
            segment["throttle"] = True
        elif response.status_code >= 400:
            segment["error"] = True
        if call.integration_latency and call.route is not None:
            integration = call.route.method.get("methodIntegration") or {}
            started = call.integration_started or call.started
            segment["subsegments"] = [{
                "name": _integration_name(integration),
                "id": "%016x" % self._rng.getrandbits(64),
                "start_time": started,
                "end_time": started + call.integration_latency,
                "namespace": "aws" if integration.get("type", "").startswith("AWS") else "remote",
                "http": {"response": {"status": call.integration_status or response.status_code}},
            }]
        self._segments.append(segment)

    def _execution_lines(self, call: Call, response: Response, settings: Mapping[str, Any], level: str) -> None:
        group = f"API-Gateway-Execution-Logs_{call.request.api_id}/{call.request.stage}"
        stream = hashlib.md5(f"{call.request.api_id}/{call.request.stage}".encode()).hexdigest()  # stable name
        data = bool(settings.get("dataTraceEnabled"))
        stamp = int(call.started * 1000)
        lines = call.execution_log()
        if call.error is not None and not any(line.startswith("Method completed") for line in lines):
            lines.append(f"Method completed with status: {response.status_code}")
        for line in lines:
            if not data and line.startswith(_DATA_LINES):
                continue
            event = f"({call.request_id}) {line}"
            self._execution[(group, stream)].append((stamp, event.encode()[:MAX_EVENT_BYTES].decode(errors="ignore")))

    def function_log(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """Buffer a Lambda function's own log events (/aws/lambda/<name>), written with the rest on flush."""
        if not events:
            return
        with self._lock:
            self._execution[(group, stream)].extend(events)
        self._schedule_flush()

    # --- flushing ------------------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if (not self.timed_flush or self.gateway.clock.virtual or self._timer is not None
                or self.gateway.services is None or self._closed):
            return
        with self._lock:
            if self._timer is not None or self._closed:
                return
            self._timer = threading.Timer(self.flush_seconds, self._timed_flush)
            self._timer.name = "labkit-observer-flush"
            self._timer.daemon = True
            self._timer.start()

    def _timed_flush(self) -> None:
        with self._lock:
            self._timer = None
        try:
            self.flush()
        except Exception:  # a backend hiccup must not kill the timer thread; the next flush retries
            pass

    def close(self) -> None:
        """Cancel the timed flush (its thread ends with it) and write what is still buffered; safe to
        call twice. Nothing is scheduled after this."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            if timer is not threading.current_thread():
                timer.join()
        self.flush()

    def settle(self) -> None:
        """Bring in what compiled request classes tallied (metrics, usage)."""
        from .compiled import settle

        for prepared in list(self.compiled):
            settle(prepared)

    def pending(self) -> dict[str, int]:
        """How much is buffered, per kind."""
        self.settle()
        with self._lock:
            return {"access": sum(map(len, self._access.values())),
                    "execution": sum(map(len, self._execution.values())),
                    "metrics": len(self._metrics), "segments": len(self._segments)}

    def flush(self) -> dict[str, int]:
        """Write everything buffered to the backend now; returns what was written."""
        services = self.gateway.services
        self.settle()
        with self._lock:
            access, self._access = self._access, defaultdict(list)
            execution, self._execution = self._execution, defaultdict(list)
            metrics, self._metrics = self._metrics, {}
            segments, self._segments = self._segments, []
        if services is None:
            return {"access": 0, "execution": 0, "metrics": 0, "segments": 0}
        written = {"access": 0, "execution": 0, "metrics": 0, "segments": 0}
        for destination, events in access.items():
            if ":firehose:" in destination:
                written["access"] += _to_firehose(services, destination, events)
            else:
                group = destination.split(":log-group:", 1)[-1].removesuffix(":*")
                written["access"] += _to_log_group(services, group, "labkit-access-log", events)
        for (group, stream), events in execution.items():
            written["execution"] += _to_log_group(services, group, stream, events)
        written["metrics"] += _to_cloudwatch(services, metrics)
        if segments:
            for i in range(0, len(segments), 50):
                services.call("xray", "PutTraceSegments",
                              {"TraceSegmentDocuments": [json.dumps(s) for s in segments[i:i + 50]]})
            written["segments"] = len(segments)
        for kind, n in written.items():
            self.written[kind] += n
        return written


# --- access logs -------------------------------------------------------------------------------------

def access_context(call: Call, response: Response, latency_ms: float) -> dict[str, Any]:
    """`$context` for access logs: the request's context plus the access-log-only variables."""
    ctx = dict(call.context())
    integration_ms = int(round(call.integration_latency * 1000)) if call.integration_latency else None
    error = call.error
    ctx.update({
        "status": response.status_code,
        "responseLength": len(response.body),
        "responseLatency": int(round(latency_ms)),
        "integrationLatency": integration_ms,
        "integrationStatus": call.integration_status,
        "integration": {"latency": integration_ms, "status": call.integration_status,
                        "integrationStatus": call.integration_status, "error": None},
        "xrayTraceId": call.trace_id,
        "error": {"message": error.message if error else None,
                  "messageString": json.dumps(error.message) if error else None,
                  "responseType": error.response_type if error else None},
    })
    return ctx


def render_access_log(template: str, context: Mapping[str, Any]) -> str:
    """Substitute `$context.*`; an empty value prints `-`, as in AWS's access logs."""

    def value(match: re.Match[str]) -> str:
        node: Any = {"context": context}
        for part in reference_name(match).split("."):
            if not isinstance(node, Mapping) or part not in node:
                return "-"
            node = node[part]
        return "-" if node is None or node == "" else str(node)

    return _CONTEXT_VARIABLE.sub(value, template).rstrip("\n")


def validate_access_log_format(template: str) -> None:
    """AWS's rules: one line, `$context.requestId` or `$context.extendedRequestId`, ≤ 3 KB.
    https://docs.aws.amazon.com/apigateway/latest/api/API_AccessLogSettings.html"""
    if not template:
        raise ValueError("Access Log value must not be empty")
    if "\n" in template.rstrip("\n"):
        raise ValueError("access log format must be a single line")
    if "$context.requestId" not in template and "$context.extendedRequestId" not in template:
        raise ValueError("access log format must include $context.requestId or $context.extendedRequestId")
    if len(template.encode()) > 3 * 1024:
        raise ValueError("access log format must be at most 3 KB")


# --- writers -------------------------------------------------------------------------------------------

def _to_log_group(services: ServiceClients, group: str, stream: str, events: list[tuple[int, str]]) -> int:
    """Write events in time order; returns how many CloudWatch Logs accepted. It refuses events
    older than 14 days or more than 2 hours ahead: a virtual clock whose logs are to be read back
    should start near the present (`VirtualClock(start=...)`).
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html"""
    for operation, params in (("CreateLogGroup", {"logGroupName": group}),
                              ("CreateLogStream", {"logGroupName": group, "logStreamName": stream})):
        try:
            services.call("logs", operation, params)
        except ServiceError as exc:
            if exc.code != "ResourceAlreadyExistsException":
                raise
    events = sorted(events, key=lambda e: e[0])  # PutLogEvents wants them in time order
    accepted = 0
    for i in range(0, len(events), 10_000):
        batch = events[i:i + 10_000]
        answer = services.call("logs", "PutLogEvents", {"logGroupName": group, "logStreamName": stream,
                                                        "logEvents": [{"timestamp": t, "message": m} for t, m in batch]})
        rejected = answer.get("rejectedLogEventsInfo") or {}
        too_old = rejected.get("tooOldLogEventEndIndex", -1) + 1 + rejected.get("expiredLogEventEndIndex", -1) + 1
        too_new = len(batch) - rejected["tooNewLogEventStartIndex"] if "tooNewLogEventStartIndex" in rejected else 0
        accepted += max(0, len(batch) - max(too_old, 0) - too_new)
    return accepted


def _to_firehose(services: ServiceClients, arn: str, events: list[tuple[int, str]]) -> int:
    stream = arn.rsplit("/", 1)[-1]
    for i in range(0, len(events), 500):
        services.call("firehose", "PutRecordBatch", {
            "DeliveryStreamName": stream, "Records": [{"Data": (m + "\n").encode()} for _, m in events[i:i + 500]]})
    return len(events)


def _to_cloudwatch(services: ServiceClients, metrics: dict[tuple[int, tuple[tuple[str, str], ...], str], _Stats]) -> int:
    data = []
    for (minute, dims, name), stats in metrics.items():
        data.append({
            "MetricName": name,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
            "Timestamp": datetime.fromtimestamp(minute, tz=timezone.utc),
            "StatisticValues": stats.statistic_values(),
            "Unit": "Milliseconds" if name.endswith("Latency") else "Count",
        })
    for i in range(0, len(data), 20):
        services.call("cloudwatch", "PutMetricData", {"Namespace": "AWS/ApiGateway", "MetricData": data[i:i + 20]})
    return len(data)


# --- helpers -------------------------------------------------------------------------------------------

def metric_dimensions(api_name: str, stage: str, method: str, resource: str,
                      detailed: bool) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The dimension sets AWS publishes under: ApiName; ApiName+Stage; and with detailed metrics
    ApiName+Method+Resource+Stage."""
    sets: list[tuple[tuple[str, str], ...]] = [(("ApiName", api_name),), (("ApiName", api_name), ("Stage", stage))]
    if detailed:
        sets.append((("ApiName", api_name), ("Method", method), ("Resource", resource), ("Stage", stage)))
    return tuple(sets)


def integration_latency(seconds: float, cache_status: str | None) -> float | None:
    """What IntegrationLatency counts for a request that spent `seconds` in its integration: None
    when that is 0 outside a cache miss (the request was refused, served from the cache, or took no time)."""
    return seconds if seconds or cache_status == "MISS" else None


def _api_name(call: Call) -> str:
    return api_name(call.snapshot.deployment.rest_api if call.snapshot else {}, call.request.api_id)


def api_name(rest_api: Mapping[str, Any], api_id: str) -> str:
    """ApiName with non-ASCII characters stripped; the API id when nothing remains (AWS's rule)."""
    name = (rest_api.get("name") or "").encode("ascii", "ignore").decode()
    return name or api_id


def _integration_name(integration: Mapping[str, Any]) -> str:
    uri = integration.get("uri") or ""
    if ":lambda:" in uri:
        return uri.split(":function:")[-1].split("/")[0].split(":")[0]
    match = re.match(r"https?://([^/:]+)", uri)
    return match.group(1) if match else (integration.get("type") or "integration")


def new_trace_id(started: float, rng: random.Random) -> str:
    """An X-Ray trace id: `1-{epoch seconds, hex}-{96 random bits, hex}`."""
    return f"1-{int(started):08x}-{rng.getrandbits(96):024x}"
