"""A function's reserved concurrency caps its calls in flight; a call beyond it is throttled at once (Lambda's
429) and API Gateway answers 500 Internal server error: live (worker processes) and on the virtual clock.
https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from labkit import VirtualClock
from labkit.apis import RestApi
from labkit.gateway.lambda_concurrency import ACCOUNT_CONCURRENCY, VirtualConcurrency

SLOW = "import time\ndef handler(e, c):\n    time.sleep(1.5)\n    return {'statusCode': 200, 'body': 'done'}\n"
QUICK = "def handler(e, c):\n    return {'statusCode': 200, 'body': 'done'}\n"
THROTTLE_LINES = ("Lambda invocation failed with status: 429. Lambda request id: ",
                  "Execution failed due to configuration error: Rate Exceeded.")


def _api(lab, name, source, reserved):
    api = RestApi.create(lab.client("apigateway"), name, endpoint_type="REGIONAL")
    api.resource("/go").method("GET").lambda_proxy(lab.lambda_function(name, source, timeout=5))
    api.deploy("dev")
    lab.client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    return lab.stage_url(api.id, "dev") + "/go"


def _throttled(response) -> bool:
    """A 500 Internal server error whose execution log has AWS's two lines for a Lambda 429."""
    log = list(response.execution_log)
    return (response.status_code == 500 and response.json() == {"message": "Internal server error"}
            and any(line.startswith(THROTTLE_LINES[0]) for line in log) and THROTTLE_LINES[1] in log)


def test_live_calls_beyond_the_reserved_concurrency_are_throttled_at_once(lab):
    url = _api(lab, "slow-one", SLOW, reserved=1)
    gateway = lab.gateway()
    with ThreadPoolExecutor(3) as pool:
        responses = list(pool.map(lambda _: gateway.invoke("GET", url), range(3)))
    assert sorted(r.status_code for r in responses) == [200, 500, 500]
    assert [_throttled(r) for r in responses].count(True) == 2
    assert max(r.latency for r in responses if r.status_code == 500) < 1.0  # refused, not queued behind the call


def test_live_reserved_concurrency_zero_throttles_every_call(lab):
    url = _api(lab, "stopped", QUICK, reserved=0)
    assert _throttled(lab.gateway().invoke("GET", url))
    lab.client("lambda").delete_function_concurrency(FunctionName="stopped")
    assert lab.gateway().invoke("GET", url).status_code == 200  # back to the unreserved pool


def _simulate(lab, url, arrivals, latency=0.2):
    """Send one request at each virtual arrival time (seconds from now); the statuses in arrival order."""
    clock = VirtualClock()
    gateway = lab.gateway(clock=clock, backend_latency=latency)
    start, statuses = clock.now(), []
    for at in arrivals:
        clock.schedule(start + at, lambda: statuses.append(gateway.invoke("GET", url).status_code))
    clock.run()
    return statuses


def test_virtual_calls_in_flight_beyond_the_reserved_concurrency_are_throttled(lab):
    url = _api(lab, "five", QUICK, reserved=5)
    # Six calls 10 ms apart each take 200 ms: five in flight, the sixth throttled; at 0.25 s the first
    # five have ended, so the seventh runs.
    assert _simulate(lab, url, [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.25]) == [200] * 5 + [500, 200]


def test_a_virtual_call_gets_the_execution_a_call_ending_as_it_arrives_frees(lab):
    url = _api(lab, "ten", QUICK, reserved=10)
    # 50 requests/s of 200 ms calls need 50 x 0.2 = 10 executions: the 11th arrives as the 1st ends.
    # https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html (concurrency = requests/s x duration)
    assert _simulate(lab, url, [i * 0.02 for i in range(50)]) == [200] * 50


def test_virtual_reserved_concurrency_zero_throttles_every_call(lab):
    url = _api(lab, "none", QUICK, reserved=0)
    assert _simulate(lab, url, [0.0, 1.0, 2.0]) == [500, 500, 500]


def test_a_throttled_virtual_call_logs_the_lambda_429(lab):
    url = _api(lab, "zero", QUICK, reserved=0)
    response = lab.gateway(clock=VirtualClock()).invoke("GET", url)
    assert _throttled(response)


def test_functions_without_a_reservation_share_the_account_pool():
    pool = VirtualConcurrency()
    arns = [f"arn:aws:lambda:us-east-1:123456789012:function:f{i}" for i in range(2)]
    assert all(pool.admit(arns[i % 2], None, 0.0, 1.0) for i in range(ACCOUNT_CONCURRENCY))
    assert not pool.admit(arns[0], None, 0.5, 1.0)  # the 1,001st concurrent execution in the Region
    assert pool.admit(arns[1], 3, 0.5, 1.0)  # a reserved function has its own
    assert pool.admit(arns[0], None, 1.0, 1.0)  # the first ones ended at 1.0
