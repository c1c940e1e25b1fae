"""Simulated requests per second through the whole gateway on the VirtualClock, against a SimPy
reference model of the same token-bucket scenario, measured in the same run.

    python benchmarks/sim_throughput.py [--requests 50000]

The scenario: three clients on Poisson arrivals, a stage throttle, and a usage plan with its own
per-key throttle (MOCK integration). Both sides see the same arrival times; the SimPy model applies
the same two token buckets (plan per key, then stage, then account), so both must accept the same
number of requests — the benchmark checks it. Target (issue): ≥ 200,000 simulated requests/s and
faster than the SimPy reference.
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np
import simpy

from labkit.shared import shared_lab
from labkit.sim import runner
from labkit.sim.clients import Client
from labkit.sim.traffic import Poisson


def scenario(total_requests: int) -> runner.Scenario:
    duration = 60.0
    per_client = total_requests / duration / 3
    clients = [Client(f"client-{i}", Poisson(per_client), tier="pro") for i in range(3)]
    return runner.Scenario(clients=clients, duration=duration, stage_rate=per_client * 2.2, stage_burst=200,
                           tiers={"pro": runner.Tier(rate=per_client * 0.8, burst=100)}, seed=7)


def simpy_reference(s: runner.Scenario) -> tuple[int, float]:
    """The same buckets in SimPy: one process per client, a token bucket refilled on demand."""
    env = simpy.Environment()
    tier = s.tiers["pro"]
    buckets = {"stage": [float(s.stage_burst), 0.0, s.stage_rate, s.stage_burst],
               "account": [float(s.account_burst), 0.0, s.account_rate, s.account_burst]}
    for c in s.clients:
        buckets[c.name] = [float(tier.burst), 0.0, tier.rate, tier.burst]
    accepted = [0]

    def take(names: list[str]) -> bool:
        now = env.now
        for n in names:
            b = buckets[n]
            b[0] = min(b[3], b[0] + (now - b[1]) * b[2])
            b[1] = now
        if all(buckets[n][0] >= 1.0 - 1e-6 for n in names):
            for n in names:
                buckets[n][0] = max(0.0, buckets[n][0] - 1.0)
            return True
        return False

    def client(c: Client, arrivals: np.ndarray):  # type: ignore[no-untyped-def]
        last = 0.0
        for at in arrivals.tolist():
            yield env.timeout(at - last)
            last = at
            if take([c.name, "stage", "account"]):
                accepted[0] += 1

    for c in s.clients:
        env.process(client(c, c.traffic.arrivals(s.duration, s.rng(c, 0))))
    started = time.perf_counter()
    env.run()
    return accepted[0], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side, interleaved; the best counts")
    args = parser.parse_args()
    s = scenario(args.requests)
    warm = runner.Scenario(clients=s.clients[:1], duration=1.0, tiers=s.tiers, seed=1)
    runner.run(warm, shared_lab())  # warm the shared Lab
    gc.collect()
    gc.freeze()  # the botocore models loaded by the Lab are long-lived: keep them out of the cyclic GC's way
    gateway_seconds, ref_seconds = [], []
    for _ in range(args.repeat):  # interleaved, best of each: a shared machine's noise hits both alike
        result = runner.run(s, shared_lab())
        gateway_seconds.append(result.wall_seconds)
        ref_accepted, seconds = simpy_reference(s)
        ref_seconds.append(seconds)
    offered = len(result.records)
    accepted = int((result.records["outcome"] == runner.ACCEPTED).sum())
    gateway_rate = offered / min(gateway_seconds)
    ref_rate = offered / min(ref_seconds)
    print(f"requests simulated:        {offered:,}   (best of {args.repeat} interleaved runs each)")
    print(f"gateway (VirtualClock):    {gateway_rate:12,.0f} requests/s   accepted {accepted:,}")
    print(f"SimPy reference model:     {ref_rate:12,.0f} requests/s   accepted {ref_accepted:,}")
    print(f"ratio gateway / SimPy:     {gateway_rate / ref_rate:12.2f}")
    print(f"target 200,000 requests/s: {'met' if gateway_rate >= 200_000 else 'NOT met'}")
    print(f"same decisions:            {'yes' if accepted == ref_accepted else 'NO'}")


if __name__ == "__main__":
    main()
