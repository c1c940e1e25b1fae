"""Throughput and latency of the live gateway: a MOCK method served by `lab.serve()` on 127.0.0.1.

    .venv/bin/python benchmarks/http_throughput.py [--duration 5] [--connections 16] [--repeat 1]

Drivers: `wrk` when it is installed (`apt-get install -y wrk`; the truer figure: a C client needs
little CPU) and a Python load loop (keep-alive connections from several processes; on a 2-core
machine it competes with the server for the CPU, so its figure is lower).

Targets measured in the same run, so that the ratios hold even when other processes share the CPU:
  labkit     the kit's gateway, a MOCK GET through the whole pipeline (lab.serve())
  static     the same HTTP server answering a fixed response without the gateway (its ceiling)
  werkzeug   the gateway behind werkzeug's threaded development server (the server before this one)

Then throttling at that load: a stage throttle (rate 1000/s, burst 500) driven flat out for the
duration; the 200s must not exceed burst + rate * T and should come close to it.

This is a measurement that prints figures, not a test: CI does not run it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from typing import Any

TARGET_RPS = 2_500
THROTTLE_RATE, THROTTLE_BURST = 1000, 500


# --- drivers ------------------------------------------------------------------------------------------

def run_wrk(url: str, duration: float, connections: int) -> dict[str, Any]:
    """One wrk run: requests/s, p50/p99 latency, count of answers that were not 2xx."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency", url],
                         capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    total, took, unit = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).groups()
    seconds = float(took) * {"ms": 1e-3, "s": 1.0, "m": 60.0}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": wrk_ms(out, "50%"), "p99": wrk_ms(out, "99%"), "requests": int(total), "seconds": seconds,
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0, "errors": errors.group(1) if errors else ""}


def wrk_ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(\w+)", out, re.M).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def _python_client(host: str, port: int, path: str, start_at: float, end_at: float, threads: int,
                   results: Any) -> None:
    """One client process: `threads` keep-alive connections, each asking as fast as it is answered."""
    import http.client
    import threading

    latencies: list[float] = []
    codes: Counter[int] = Counter()
    stamps: list[float] = []

    def loop() -> None:
        conn = http.client.HTTPConnection(host, port)
        mine: list[float] = []
        seen: Counter[int] = Counter()
        first = last = 0.0
        while time.time() < start_at:
            time.sleep(0.001)
        while True:
            sent = time.time()
            if sent >= end_at:
                break
            began = time.perf_counter()
            conn.request("GET", path)
            answer = conn.getresponse()
            answer.read()
            mine.append(time.perf_counter() - began)
            seen[answer.status] += 1
            first = first or sent
            last = time.time()
        conn.close()
        latencies.extend(mine)
        codes.update(seen)
        stamps.extend([first, last])

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    results.put((latencies, dict(codes), stamps))


def run_python(url: str, duration: float, connections: int, processes: int = 4) -> dict[str, Any]:
    """Keep-alive load from `processes` processes with connections/processes threads each."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    context = multiprocessing.get_context("spawn")  # the server's process has threads: do not fork it
    results = context.Queue()
    start_at = time.time() + 1.5  # time for the processes to start
    end_at = start_at + duration
    per = max(1, connections // processes)
    procs = [context.Process(target=_python_client, args=(parts.hostname, parts.port, parts.path, start_at,
                                                          end_at, per, results)) for _ in range(processes)]
    for p in procs:
        p.start()
    latencies: list[float] = []
    codes: Counter[int] = Counter()
    stamps: list[float] = []
    for _ in procs:
        lat, seen, when = results.get(timeout=duration + 60)
        latencies.extend(lat)
        codes.update(seen)
        stamps.extend(s for s in when if s)
    for p in procs:
        p.join()
    seconds = max(stamps) - min(stamps) if stamps else duration
    latencies.sort()
    pick = (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e3) if latencies else (lambda q: 0.0)
    total = sum(codes.values())
    return {"rps": total / seconds if seconds else 0.0, "p50": pick(0.50), "p99": pick(0.99), "requests": total,
            "seconds": seconds, "non_2xx": total - sum(n for c, n in codes.items() if 200 <= c < 300),
            "codes": dict(codes), "errors": ""}


# --- targets ------------------------------------------------------------------------------------------

def werkzeug_server(gateway: Any) -> tuple[str, Any]:
    """The gateway behind werkzeug's threaded development server, as labkit served it before."""
    import threading

    from werkzeug.serving import WSGIRequestHandler, make_server
    from werkzeug.wrappers import Request as WsgiRequest
    from werkzeug.wrappers import Response as WsgiResponse

    from labkit.gateway.doors.urls import LOCAL_STAGE_PATH as LOCAL_PATH
    from labkit.gateway.http import Headers, Request, split_query

    def app(environ: Any, start_response: Any) -> Any:
        incoming = WsgiRequest(environ)
        local = LOCAL_PATH.match(incoming.path)
        request = Request(method=incoming.method, api_id=local.group("api"), stage=local.group("stage"),
                          path=local.group("path") or "/", query=split_query(incoming.query_string.decode("latin-1")),
                          headers=Headers(incoming.headers.items()), body=incoming.get_data(),
                          source_ip=incoming.remote_addr or "127.0.0.1", domain_name=incoming.host.split(":")[0])
        answer = gateway.handle(request)
        response = WsgiResponse(answer.body, status=answer.status_code)
        response.headers.clear()
        for name, value in answer.headers.items_list():
            response.headers.add(name, value)
        return response(environ, start_response)

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    class Running:
        url = f"http://127.0.0.1:{server.server_port}"

        def stage_url(self, api_id: str, stage: str) -> str:
            return f"{self.url}/restapis/{api_id}/{stage}/_user_request_"

        def stop(self) -> None:
            server.shutdown()
            server.server_close()

    return "werkzeug", Running()


def show(driver: str, name: str, figures: dict[str, Any]) -> None:
    extra = f"  errors: {figures['errors']}" if figures.get("errors") else ""
    print(f"{driver:<7} {name:<44} {figures['rps']:>8,.0f} {figures['p50']:>8.2f} {figures['p99']:>8.2f} "
          f"{figures['non_2xx']:>8,}{extra}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run (default 5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each target; the median is reported")
    parser.add_argument("--processes", type=int, default=4, help="processes of the Python load client (default 4)")
    parser.add_argument("--no-python", action="store_true", help="skip the Python load client")
    parser.add_argument("--no-werkzeug", action="store_true", help="skip the werkzeug reference")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after the set-up (what a full collection of moto's objects costs)")
    args = parser.parse_args()

    import gc
    import tempfile

    os.environ.setdefault("LABKIT_HOME", tempfile.mkdtemp(prefix="labkit-bench-"))
    from labkit import Lab
    from labkit.apis import RestApi
    from labkit.gateway.doors.server import serve, static_gateway

    drivers = []
    if shutil.which("wrk"):
        drivers.append(("wrk", run_wrk))
    else:
        print("wrk is not installed (apt-get install -y wrk): the Python client alone gives a lower figure")
    if not args.no_python or not drivers:
        drivers.append(("python", lambda url, d, c: run_python(url, d, c, args.processes)))

    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} before the run"
          + (" (other processes compete for the CPU: figures will be low and vary)" if load > 0.5 else ""))
    print(f"load: {args.connections} keep-alive connections, {args.duration:g} s per run, "
          f"median of {args.repeat}; Python {sys.version.split()[0]}\n")

    with Lab(verbose=False) as lab:
        client = lab.client("apigateway")
        api = RestApi.create(client, "bench")
        api.resource("/ping").method("GET").mock(body='{"pong": true}')
        api.deploy("dev")
        throttled = RestApi.create(client, "bench-throttled")
        throttled.resource("/ping").method("GET").mock(body='{"pong": true}')
        throttled.deploy("dev")
        client.update_stage(restApiId=throttled.id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(THROTTLE_RATE)},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(THROTTLE_BURST)}])
        gateway = lab.gateway()

        servers = {"labkit": lab.serve(), "static": serve(static_gateway())}
        if not args.no_werkzeug:
            servers["werkzeug"] = werkzeug_server(gateway)[1]
        names = {"labkit": "labkit MOCK GET (lab.serve())", "static": "static answer, same server (reference)",
                 "werkzeug": "labkit MOCK GET on werkzeug (the old server)"}
        urls = {name: server.stage_url(api.id, "dev") + "/ping" for name, server in servers.items()}
        for name, url in urls.items():  # warm up: the stage is compiled on the first request
            urllib.request.urlopen(url).read()
        if args.gc_freeze:
            gc.collect()
            gc.freeze()

        print(f"{'driver':<7} {'target':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        medians: dict[tuple[str, str], float] = {}
        for driver, run in drivers:
            for name, url in urls.items():
                runs = []
                for _ in range(args.repeat):
                    runs.append(run(url, args.duration if name != "werkzeug" else min(args.duration, 5.0),
                                    args.connections))
                figures = sorted(runs, key=lambda f: f["rps"])[len(runs) // 2]
                medians[(driver, name)] = figures["rps"]
                show(driver, names[name], figures)
            ours, static = medians[(driver, "labkit")], medians[(driver, "static")]
            line = f"        labkit / static = {ours / static:.2f}"
            if (driver, "werkzeug") in medians:
                line += f"; labkit / werkzeug = {ours / medians[(driver, 'werkzeug')]:.1f}x"
            print(line + f"; target {TARGET_RPS:,} req/s: {'met' if ours >= TARGET_RPS else 'NOT met'}\n")

        driver, run = drivers[0]
        url = servers["labkit"].stage_url(throttled.id, "dev") + "/ping"
        figures = run(url, args.duration, args.connections)
        accepted = figures["requests"] - figures["non_2xx"]
        bound = THROTTLE_BURST + THROTTLE_RATE * figures["seconds"]
        print(f"throttling ({driver}, stage rate {THROTTLE_RATE}/s burst {THROTTLE_BURST}, {figures['seconds']:.2f} s, "
              f"{figures['rps']:,.0f} req/s offered and answered):")
        print(f"        200s: {accepted:,}  others (429): {figures['non_2xx']:,}  "
              f"bound burst + rate*T = {bound:,.0f}  ->  {accepted / bound:.1%} of the bound, "
              f"{'within it' if accepted <= bound else 'OVER IT'}")
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
