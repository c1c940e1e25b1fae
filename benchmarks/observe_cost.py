"""What logging, metrics and tracing cost the gateway: requests/s through `Gateway.handle` for the
same MOCK method with observability off, and with access logs, INFO execution logs with data
trace, detailed metrics and X-Ray on (everything buffered, then flushed once), measured in the
same run.

    python benchmarks/observe_cost.py [--requests 5000]
"""

from __future__ import annotations

import argparse
import gc
import time

from labkit import Lab, VirtualClock
from labkit.apis import RestApi
from labkit.gateway.http import Request

FORMAT = ('{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
          '"path":"$context.resourcePath","status":"$context.status","latency":"$context.responseLatency"}')


def rate(lab: Lab, api_id: str, stage: str, n: int) -> tuple[float, float]:
    """(requests/s through handle, seconds to flush what was buffered)."""
    gw = lab.gateway(clock=VirtualClock(start=time.time()), backend_latency=0.01)
    request = Request("GET", api_id, stage, "/pets")
    for _ in range(200):
        gw.handle(request)
    gw.flush()
    started = time.perf_counter()
    for _ in range(n):
        gw.clock.advance(0.001)
        gw.handle(request)
    handled = time.perf_counter() - started
    started = time.perf_counter()
    gw.flush()
    return n / handled, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    with Lab(verbose=False) as lab:
        apigw = lab.client("apigateway")
        api = RestApi.create(apigw, "observed")
        api.resource("/pets").method("GET").mock(body='{"pets": []}')
        for stage in ("quiet", "observed"):
            api.deploy(stage)
        logs = lab.client("logs")
        logs.create_log_group(logGroupName="access")
        arn = logs.describe_log_groups(logGroupNamePrefix="access")["logGroups"][0]["arn"].removesuffix(":*")
        apigw.update_stage(restApiId=api.id, stageName="observed", patchOperations=[
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": arn},
            {"op": "replace", "path": "/accessLogSettings/format", "value": FORMAT},
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
            {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"},
            {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
            {"op": "replace", "path": "/tracingEnabled", "value": "true"}])
        gc.freeze()
        quiet, _ = rate(lab, api.id, "quiet", args.requests)
        observed, flush = rate(lab, api.id, "observed", args.requests)
    print(f"requests per run:                      {args.requests:,}")
    print(f"observability off (metrics only):      {quiet:10,.0f} requests/s")
    print(f"access + execution logs, metrics, X-Ray:{observed:10,.0f} requests/s   (+ {flush:.2f} s to flush)")
    print(f"ratio on / off:                        {observed / quiet:10.2f}")


if __name__ == "__main__":
    main()
