"""The checks of 05_throttling_and_usage_plans accept the right answer, reject a wrong or blank one with a
hint, and never raise."""

from __future__ import annotations

import pytest

from labkit.exercises import throttling as exercises
from labkit.apis import RestApi
from labkit.sim import Client, ExponentialBackoff, FixedRetry, NoRetry, OnOff, Scenario
from exercise_asserts import hints as _hints, passes as _passes


# --- exercise 1 ----------------------------------------------------------------------------------------

def test_bucket_prediction(capsys):
    _hints(capsys, exercises.check_bucket_prediction(None, None), "30")
    _hints(capsys, exercises.check_bucket_prediction("ten", 4), "whole numbers")
    _hints(capsys, exercises.check_bucket_prediction(30, 10), "burst")
    _hints(capsys, exercises.check_bucket_prediction(11, 4), "burstLimit")
    _hints(capsys, exercises.check_bucket_prediction(10, 10), "rateLimit")
    _hints(capsys, exercises.check_bucket_prediction(10, 0), "refills")
    _hints(capsys, exercises.check_bucket_prediction(10, 5), "4 seconds")
    _passes(capsys, exercises.check_bucket_prediction(10, 4))
    _passes(capsys, exercises.check_bucket_prediction("10", "4"))


def test_bucket_prediction_matches_the_gateway(lab):
    """The answer the check expects is what a virtual gateway does on the notebook's stage."""
    from labkit import VirtualClock

    api = RestApi.create(lab.client("apigateway"), "bucket")
    api.resource("/pets").method("GET").mock(body="{}")
    api.deploy("dev")
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(exercises.BUCKET_RATE)},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(exercises.BUCKET_BURST)}])
    clock = VirtualClock()
    gw = lab.gateway(clock=clock)
    url = lab.stage_url(api.id, "dev") + "/pets"
    first = [gw.invoke("GET", url).status_code for _ in range(30)].count(200)
    clock.advance(4)
    second = [gw.invoke("GET", url).status_code for _ in range(10)].count(200)
    assert exercises.check_bucket_prediction(first, second)


# --- exercise 2 ----------------------------------------------------------------------------------------

@pytest.fixture
def keys_api(lab):
    api = RestApi.create(lab.client("apigateway"), "keys-api")
    api.resource("/pets").method("GET", api_key_required=True).mock(body='{"pets": []}')
    api.deploy("prod")
    return api


def _team(apigw, api_id, *, throttle=None, quota=None, stage="prod", attach=True, enabled=True):
    plan = apigw.create_usage_plan(name="team", apiStages=[{"apiId": api_id, "stage": stage}],
                                   throttle=throttle or {"rateLimit": 3.0, "burstLimit": 6},
                                   quota=quota or {"limit": 1000, "period": "WEEK"})
    key = apigw.create_api_key(name="team-key", enabled=enabled)
    if attach:
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    return plan, key


def test_team_plan_right_answer(lab, keys_api, capsys):
    _, key = _team(lab.client("apigateway"), keys_api.id)
    assert "6 of 10" in _passes(capsys, exercises.check_team_plan(lab, keys_api.id, key["value"]))


def test_team_plan_blank_and_unknown(lab, keys_api, capsys):
    _hints(capsys, exercises.check_team_plan(lab, None, None), "keys_api.id")
    _hints(capsys, exercises.check_team_plan(lab, keys_api.id, None), "value")
    _hints(capsys, exercises.check_team_plan(lab, keys_api.id, "nosuchkey0123456789abcdef"), "create_api_key")


def test_team_plan_key_not_in_a_plan_or_disabled(lab, keys_api, capsys):
    apigw = lab.client("apigateway")
    _, loose = _team(apigw, keys_api.id, attach=False)
    _hints(capsys, exercises.check_team_plan(lab, keys_api.id, loose["value"]), "create_usage_plan_key")
    _, disabled = _team(apigw, keys_api.id, enabled=False)
    _hints(capsys, exercises.check_team_plan(lab, keys_api.id, disabled["value"]), "enabled=True")


@pytest.mark.parametrize("change, word", [
    ({"throttle": {"rateLimit": 3.0, "burstLimit": 10}}, "burstLimit"),
    ({"throttle": {"rateLimit": 5.0, "burstLimit": 6}}, "rateLimit"),
    ({"quota": {"limit": 1000, "period": "DAY"}}, "WEEK"),
    ({"quota": {"limit": 100, "period": "WEEK"}}, "1000"),
])
def test_team_plan_wrong_limits(lab, keys_api, capsys, change, word):
    _, key = _team(lab.client("apigateway"), keys_api.id, **change)
    _hints(capsys, exercises.check_team_plan(lab, keys_api.id, key["value"]), word)


def test_team_plan_on_the_wrong_stage(lab, keys_api, capsys):
    keys_api.deploy("dev")
    _, key = _team(lab.client("apigateway"), keys_api.id, stage="dev")
    _hints(capsys, exercises.check_team_plan(lab, keys_api.id, key["value"]), "stage prod")


def test_team_plan_behind_a_tighter_stage_throttle(lab, keys_api, capsys):
    apigw = lab.client("apigateway")
    apigw.update_stage(restApiId=keys_api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2"}])
    _, key = _team(apigw, keys_api.id)
    _hints(capsys, exercises.check_team_plan(lab, keys_api.id, key["value"]), "stage throttle")


# --- exercise 3 ----------------------------------------------------------------------------------------

def test_spike_is_the_notebooks_spike():
    """The check runs the scenario section 6 of the notebook builds."""
    clients = [Client(f"client-{i + 1:02d}", OnOff(rate_on=10, on_seconds=1.0, off_seconds=29.0), retry=NoRetry())
               for i in range(20)]
    assert exercises.spike_scenario(NoRetry()) == Scenario(clients=clients, duration=30.0, stage_rate=10.0,
                                                           stage_burst=10, seed=0)


def test_retry_policy_right_answers(lab, capsys):
    _passes(capsys, exercises.check_retry_policy(lab, ExponentialBackoff(base=1.0, cap=16.0, max_attempts=8)))
    _passes(capsys, exercises.check_retry_policy(lab, ExponentialBackoff(base=0.5, cap=8.0, max_attempts=8,
                                                                         jitter="equal")))


@pytest.mark.parametrize("policy, word", [
    (None, "retry policy"),
    ("backoff", "not a retry policy"),
    (NoRetry(), "one attempt"),
    (FixedRetry(delay_seconds=1.0, max_attempts=8), "Fixed delays"),
    (ExponentialBackoff(base=0.5, cap=8.0, max_attempts=8, jitter="none"), "Without jitter"),
    (ExponentialBackoff(base=0.1, cap=1.0, max_attempts=8), "raise base or cap"),
    (ExponentialBackoff(base=1.0, cap=16.0, max_attempts=12), "at most 8"),
])
def test_retry_policy_wrong_answers(lab, capsys, policy, word):
    _hints(capsys, exercises.check_retry_policy(lab, policy), word)
