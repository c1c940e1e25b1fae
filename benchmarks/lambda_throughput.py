"""Throughput of a live Lambda proxy method over HTTP: the worker-process runtime against the old in-process one.

    .venv/bin/python benchmarks/lambda_throughput.py [--duration 5] [--connections 16] [--repeat 1]

Targets measured in the same run, so that the ratio holds even when other processes share the CPU:
  workers     the lab's gateway (lab.serve()): each call goes to a warm execution environment, a
              worker process (labkit/gateway/lambda_workers.py), and back
  in-process  the same API on a gateway with LambdaRunner(isolated=False): the handler imported
              into the server's process and called in a thread (the runner before issue 16)

Drivers as in http_throughput.py: `wrk` when installed, else the Python load loop (which competes
with the server and its workers for the CPU on a 2-core machine, so its figure is lower).
Then the same after four calls of a handler that spins the CPU past its 1 s timeout, on each target
(the workers first: the in-process runner's spinning threads never stop and would slow what follows).
This is a measurement that prints figures, not a test: CI does not run it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_throughput import run_python, run_wrk, show  # noqa: E402  (the same drivers and table)

TARGET_RPS = 3_000
ECHO = ("import json\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'headers': {'Content-Type': 'application/json'},\n"
        "            'body': json.dumps({'path': event['path'], 'id': context.aws_request_id})}\n")
SPIN = "def handler(event, context):\n    while True:\n        pass\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run (default 5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each target; the median is reported")
    parser.add_argument("--processes", type=int, default=2, help="processes of the Python load client (default 2)")
    parser.add_argument("--no-spin", action="store_true", help="skip the runs after spinning handlers")
    args = parser.parse_args()

    os.environ.setdefault("LABKIT_HOME", tempfile.mkdtemp(prefix="labkit-bench-"))
    from labkit import Lab
    from labkit.apis import RestApi
    from labkit.gateway.doors.server import serve
    from labkit.gateway.lambdas import LambdaRunner

    drivers = [("wrk", run_wrk)] if shutil.which("wrk") else []
    if not drivers:
        print("wrk is not installed (apt-get install -y wrk): the Python client alone gives a lower figure")
        drivers.append(("python", lambda url, d, c: run_python(url, d, c, args.processes)))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the run; "
          f"{args.connections} connections, {args.duration:g} s per run, median of {args.repeat}\n")

    with Lab(verbose=False) as lab, LambdaRunner(isolated=False) as in_process:
        api = RestApi.create(lab.client("apigateway"), "bench-lambda")
        api.resource("/echo").method("GET").lambda_proxy(lab.lambda_function("bench-echo", ECHO))
        api.resource("/spin").method("GET").lambda_proxy(lab.lambda_function("bench-spin", SPIN, timeout=1))
        api.deploy("dev")
        reference = lab.gateway(lambdas=in_process)
        servers = {"workers": lab.serve(), "in-process": serve(reference)}
        names = {"workers": "Lambda proxy, worker processes (lab.serve())",
                 "in-process": "Lambda proxy, in-process runner (reference)"}
        urls = {name: server.stage_url(api.id, "dev") + "/echo" for name, server in servers.items()}
        for url in urls.values():  # warm up: the stage compiled, the environments started
            for _ in range(20):
                urllib.request.urlopen(url).read()

        print(f"{'driver':<7} {'target':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        for driver, run in drivers:
            medians = {}
            for name, url in urls.items():
                runs = sorted((run(url, args.duration, args.connections) for _ in range(args.repeat)),
                              key=lambda f: f["rps"])
                medians[name] = runs[len(runs) // 2]["rps"]
                show(driver, names[name], runs[len(runs) // 2])
                lab.gateway().observer.flush()  # the function logs of the run, written outside the next one
            ratio = medians["workers"] / medians["in-process"] if medians["in-process"] else 0.0
            environments = len(lab.gateway().lambdas.worker_pids())
            print(f"        workers / in-process = {ratio:.2f}; environments: {environments}; "
                  f"target {TARGET_RPS:,} req/s: {'met' if medians['workers'] >= TARGET_RPS else 'NOT met'}\n")
        if not args.no_spin:
            driver, run = drivers[0]
            for name, url in urls.items():
                for _ in range(4):
                    try:
                        urllib.request.urlopen(url.removesuffix("/echo") + "/spin").read()
                    except urllib.error.HTTPError as exc:  # 502: the function timed out
                        assert exc.code == 502, exc.code
                show(driver, "after 4 spinning calls: " + name, run(url, args.duration, args.connections))
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
