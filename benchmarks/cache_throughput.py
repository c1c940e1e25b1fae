"""Simulated requests/s with the stage cache on, through the gateway, beside a plain-Python reference model.

    .venv/bin/python benchmarks/cache_throughput.py [--duration 120] [--rate 50] [--keys 3000] [--ttl 60]

In one run, for the same seeded scenario (Zipf keys, a TTL, a small cluster that evicts, changing
data, some `Cache-Control: max-age=0` invalidations):
  gateway    labkit.sim.caching.run_cache on a VirtualClock (Lambda proxy backend, stage cache set up
             with boto3 update_stage calls): through the compiled request class (gateway/compiled.py),
             and with fast=False through `Gateway.handle`, every step of the pipeline
  reference  the same requests through a dict + OrderedDict model of the cache the kit documents
             (labkit/gateway/cache.py): TTL from the fill time, expired entries dropped on lookup,
             least recently used evicted when the bytes would exceed `size x cache_bytes_per_gb`
             (an eviction when it was still live), max-age=0 refetching and replacing the entry
             when the caller may invalidate.
It prints the rates, their ratio, and whether hits, stale reads and evictions agree exactly; then
the time of the cache lab's default scenario (labkit.widgets.caching.CacheLabParams) through the
compiled class and through `Gateway.handle`, best of `--repeat` interleaved runs (the whole widget
update, simulation and redraw, is measured against its 300 ms target by widget_update.py).

This is a measurement that prints figures, not a test: CI does not run it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit.gateway.clock import VirtualClock  # noqa: E402
from labkit.shared import close_shared_lab, shared_lab  # noqa: E402
from labkit.sim.caching import CacheResult, CacheScenario, run_cache  # noqa: E402


def reference(scenario: CacheScenario, entry_bytes: int) -> dict[str, int]:
    """The scenario's requests through a plain TTL + LRU model; every entry takes `entry_bytes`."""
    times, keys, invalidate = scenario.requests()
    change_times, change_keys = scenario.changes()
    start = VirtualClock().now()  # the same float arithmetic as the gateway's clock
    capacity = scenario.capacity_bytes
    versions = [0] * scenario.keys
    entries: OrderedDict[int, tuple[float, int]] = OrderedDict()  # key -> (expires, version served)
    used = hits = stale = evictions = 0
    changes, change_key_list, next_change = change_times.tolist(), change_keys.tolist(), 0
    ttl = scenario.ttl
    fits = entry_bytes <= capacity

    def store(key: int, now: float, version: int) -> None:
        nonlocal used, evictions
        if not fits:
            return
        if key in entries:
            del entries[key]
            used -= entry_bytes
        while used + entry_bytes > capacity and entries:
            _, (expires, _) = entries.popitem(last=False)
            used -= entry_bytes
            evictions += expires > now  # an expired entry pushed out was dead already: no eviction
        entries[key] = (now + ttl, version)
        used += entry_bytes

    for at, key, bypass in zip(times.tolist(), keys.tolist(), invalidate.tolist()):
        while next_change < len(changes) and changes[next_change] <= at:
            versions[change_key_list[next_change]] += 1
            next_change += 1
        if ttl == 0:
            continue  # caching off: every request reaches the backend, nothing can be stale
        now, current = start + at, versions[key]
        if bypass and scenario.may_invalidate:
            store(key, now, current)
            continue
        entry = entries.get(key)
        if entry is not None and entry[0] <= now:
            del entries[key]
            used -= entry_bytes
            entry = None
        if entry is None:
            store(key, now, current)
            continue
        entries.move_to_end(key)
        hits += 1
        stale += entry[1] < current
    return {"requests": int(times.size), "hits": hits, "stale": stale, "evictions": evictions}


def lab_default_seconds(repeat: int) -> tuple[int, float, float]:
    """(requests, best seconds through the compiled class, best through `Gateway.handle`) of the cache
    lab's default scenario, the two interleaved so that both see the machine in the same state."""
    from labkit.widgets.caching import CacheLabParams

    scenario = CacheLabParams().scenario()
    fast, full = [], []
    for _ in range(repeat):
        fast.append(run_cache(scenario, shared_lab()).wall_seconds)
        full.append(run_cache(scenario, shared_lab(), fast=False).wall_seconds)
    return int(scenario.requests()[0].size), min(fast), min(full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--keys", type=int, default=3000)
    parser.add_argument("--ttl", type=int, default=60)
    parser.add_argument("--size", default="0.5")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the cache lab's default scenario")
    args = parser.parse_args()
    scenario = CacheScenario(duration=args.duration, request_rate=args.rate, keys=args.keys, zipf_s=0.9,
                             ttl=args.ttl, cache_size=args.size, change_rate=0.01, invalidation_share=0.05,
                             may_invalidate=True, seed=7)
    run_cache(dataclasses.replace(scenario, duration=1.0), shared_lab())  # make the API and import the backend first
    result: CacheResult = run_cache(scenario, shared_lab())
    full: CacheResult = run_cache(scenario, shared_lab(), fast=False)
    s = result.summary
    # Every entry has the same size (fixed-width keys and versions): read it off the gateway's cluster.
    entry_bytes = result.used_bytes // max(result.entries, 1)
    assert result.entries == 0 or result.used_bytes % result.entries == 0, "entries differ in size"

    started = time.perf_counter()
    ref = reference(scenario, entry_bytes)
    ref_seconds = time.perf_counter() - started

    gateway_rps = result.requests_per_second
    reference_rps = ref["requests"] / ref_seconds
    print(f"scenario: {scenario.duration:g} s at {scenario.request_rate:g} req/s, {scenario.keys:,} keys "
          f"(Zipf s={scenario.zipf_s}), TTL {scenario.ttl} s, {scenario.cache_size} GB at 1:1000 "
          f"({scenario.capacity_bytes:,} bytes, {entry_bytes:,} bytes per entry)")
    print(f"gateway   {s.requests:>8,} requests in {result.wall_seconds:7.3f} s = {gateway_rps:>12,.0f} req/s  "
          f"hits {s.hits:,}  stale {s.stale_reads:,}  evictions {result.evictions:,}")
    print(f"  handle  {full.records.size:>8,} requests in {full.wall_seconds:7.3f} s = "
          f"{full.requests_per_second:>12,.0f} req/s  (fast=False; same records: "
          f"{'yes' if np.array_equal(full.records, result.records) else 'NO'})")
    print(f"reference {ref['requests']:>8,} requests in {ref_seconds:7.3f} s = {reference_rps:>12,.0f} req/s  "
          f"hits {ref['hits']:,}  stale {ref['stale']:,}  evictions {ref['evictions']:,}")
    print(f"reference / gateway speed: {reference_rps / gateway_rps:,.1f}x")
    same = (ref["hits"], ref["stale"], ref["evictions"]) == (s.hits, s.stale_reads, result.evictions)
    print(f"same hit count: {ref['hits'] == s.hits}; same stale reads and evictions: {same}")
    print(f"summary: {s}")
    requests, fast_seconds, full_seconds = lab_default_seconds(args.repeat)
    print(f"cache lab default scenario ({requests:,} requests), best of {args.repeat}: {fast_seconds * 1000:.0f} ms "
          f"compiled, {full_seconds * 1000:.0f} ms through Gateway.handle ({full_seconds / fast_seconds:.1f}x)")
    close_shared_lab()
    if not same or not np.array_equal(full.records, result.records):
        sys.exit(1)


if __name__ == "__main__":
    main()
