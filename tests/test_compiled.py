"""Compiled request classes decide exactly as the full pipeline does (gateway/compiled.py)."""

from __future__ import annotations

import numpy as np
import pytest

from labkit.shared import shared_lab
from labkit.sim import runner
from labkit.sim.clients import Client, ExponentialBackoff, FixedRetry
from labkit.sim.traffic import OnOff, Poisson

SCENARIOS = {
    "stage and plan throttles, retries": runner.Scenario(
        clients=[Client(f"c{i}", Poisson(60), tier="pro", retry=ExponentialBackoff(0.05, 1.0, 3)) for i in range(3)],
        duration=10, stage_rate=90, stage_burst=30, tiers={"pro": runner.Tier(rate=40, burst=10)}, seed=3),
    "quota and the account limit": runner.Scenario(
        clients=[Client("free", OnOff(80, 2, 1), tier="free", retry=FixedRetry(0.2, 2)),
                 Client("pro", Poisson(50), tier="pro")],
        duration=8, tiers={"free": runner.Tier(rate=30, burst=5, quota_limit=200),
                           "pro": runner.Tier(rate=100, burst=50)},
        account_rate=70, account_burst=40, seed=11),
    "no keys, stage only": runner.Scenario(
        clients=[Client("anon", Poisson(120))], duration=5, stage_rate=50, stage_burst=20, seed=5),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_fast_path_records_equal_the_full_pipeline(name):
    scenario = SCENARIOS[name]
    full = runner.run(scenario, shared_lab(), fast=False)
    fast = runner.run(scenario, shared_lab(), fast=True)
    assert len(full.records) == len(fast.records) > 0
    assert np.array_equal(full.records, fast.records)
    assert full.summary.accepted == fast.summary.accepted


def test_a_changed_stage_setting_recompiles_the_class():
    from labkit.gateway.clock import VirtualClock
    from labkit.gateway.compiled import send
    from labkit.gateway.http import Request

    lab = shared_lab()
    api = lab.client("apigateway").create_rest_api(name="recompile")["id"]
    from labkit.apis import RestApi

    built = RestApi(lab.client("apigateway"), api)
    built.resource("/x").method("GET").mock()
    built.deploy("dev")
    gw = lab.gateway(clock=VirtualClock())
    prepared = gw.prepare(Request("GET", api, "dev", "/x"))
    assert send(prepared).status == 200
    lab.client("apigateway").update_stage(restApiId=api, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "0"}])
    assert send(prepared) is None, "stale after update_stage"
    again = gw.prepare(Request("GET", api, "dev", "/x"))
    assert send(again).status == 429


def test_a_gateway_with_a_step_the_compiler_does_not_know_is_never_compiled():
    from labkit.apis import RestApi
    from labkit.gateway.clock import VirtualClock
    from labkit.gateway.engine import Gateway
    from labkit.gateway.http import Request

    lab = shared_lab()
    api = RestApi.create(lab.client("apigateway"), "extra-step")
    api.resource("/x").method("GET").mock()
    api.deploy("dev")

    def audit(call, next_step):
        return next_step(call)

    plain = Gateway(lab.gateway().source, clock=VirtualClock())
    extra = Gateway(lab.gateway().source, clock=VirtualClock(), extra_steps=[audit])
    assert plain.prepare(Request("GET", api.id, "dev", "/x")) is not None
    assert extra.prepare(Request("GET", api.id, "dev", "/x")) is None


def _metrics_at_flush(monkeypatch):
    """The AWS/ApiGateway statistics each gateway of the shared lab holds when the runner flushes it."""
    lab = shared_lab()
    seen, original = [], lab.gateway

    def gateway(*args, **options):
        made = original(*args, **options)
        if not options:
            return made  # the lab's live gateway
        seen.append({})

        def flush(mine=seen[-1]):
            made.observer.settle()
            mine.update({k: (s.count, s.low, s.high, round(s.total, 6)) for k, s in made.observer._metrics.items()})
            return type(made).flush(made)

        made.flush = flush
        return made

    monkeypatch.setattr(lab, "gateway", gateway)
    return seen


@pytest.mark.parametrize("name", [*SCENARIOS, "no backend latency"])
def test_fast_path_metrics_equal_the_full_pipelines(name, monkeypatch):
    scenario = SCENARIOS.get(name) or runner.Scenario(clients=[Client("anon", Poisson(50))], duration=4,
                                                      backend_latency=0.0, seed=2)
    seen = _metrics_at_flush(monkeypatch)
    runner.run(scenario, shared_lab(), fast=False)
    runner.run(scenario, shared_lab(), fast=True)
    full, fast = seen
    assert full == fast and any(name == "Count" for _, _, name in full)
