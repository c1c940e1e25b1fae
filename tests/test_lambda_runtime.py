"""Live Lambda calls run in execution environments (worker processes): warm reuse, scaling out for
concurrent calls, per-function environment variables, and the function's own CloudWatch log."""

from __future__ import annotations

import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from labkit import VirtualClock
from labkit.apis import RestApi
from labkit.gateway.lambdas import FunctionCode, LambdaRunner

TALKER = "def handler(e, c):\n    print('hello from', c.function_name)\n    return {'statusCode': 200, 'body': 'ok'}\n"
# https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html (the example REPORT line)
REPORT = re.compile(r"^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                    r"Memory Size: 128 MB\tMax Memory Used: \d+ MB(\tInit Duration: \d+\.\d\d ms)?$")


def _proxy(lab, name, source, **options):
    api = RestApi.create(lab.client("apigateway"), name, endpoint_type="REGIONAL")
    api.resource("/go").method("GET").lambda_proxy(lab.lambda_function(name, source, **options))
    api.deploy("dev")
    return lab.stage_url(api.id, "dev") + "/go"


def _log(lab, name):
    events = lab.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    return [(event["logStreamName"], event["message"]) for event in events]


def test_the_function_log_has_start_output_end_and_report_with_init_duration_once(lab):
    url = _proxy(lab, "talker", TALKER)
    assert requests.get(url).text == "ok" and requests.get(url).text == "ok"
    log = _log(lab, "talker")
    messages = [message for _, message in log]
    starts = [m for m in messages if m.startswith("START RequestId: ")]
    reports = [m for m in messages if m.startswith("REPORT ")]
    assert len(starts) == len(reports) == 2 and all(m.endswith(" Version: $LATEST") for m in starts)
    assert all(REPORT.match(m) for m in reports), reports
    assert ["Init Duration" in m for m in reports] == [True, False]  # a cold start, then a warm one
    assert messages.count("hello from talker") == 2
    request_id = starts[0].split()[2]
    assert messages.index(f"START RequestId: {request_id} Version: $LATEST") < messages.index("hello from talker") \
        < messages.index(f"END RequestId: {request_id}")
    # One stream per execution environment, and the warm call reused the first one:
    # https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
    streams = {stream for stream, _ in log}
    assert len(streams) == 1 and re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", streams.pop())


def test_a_handler_error_is_logged_with_its_type_and_traceback(lab):
    url = _proxy(lab, "raiser", "def handler(e, c):\n    raise KeyError('missing')\n")
    assert requests.get(url).status_code == 502
    errors = [m for _, m in _log(lab, "raiser") if m.startswith("[ERROR]")]
    assert len(errors) == 1 and errors[0].startswith("[ERROR] KeyError: 'missing'\nTraceback (most recent call last):")
    assert "lambda_bootstrap" not in errors[0]  # the handler's frames, not the runtime's


def test_concurrent_calls_get_their_own_environments(lab):
    url = _proxy(lab, "slowish", "import time\ndef handler(e, c):\n    time.sleep(0.5)\n"
                                 "    return {'statusCode': 200, 'body': c.log_stream_name}\n", timeout=5)
    with ThreadPoolExecutor(2) as pool:
        streams = set(pool.map(lambda _: requests.get(url).text, range(2)))
    assert len(streams) == 2
    assert len(lab.gateway().lambdas.worker_pids()) == 2


def test_environment_variables_are_the_functions_own_in_its_process(lab):
    reader = "import os\ndef handler(e, c):\n    return {'statusCode': 200, 'body': os.environ.get('COLOR', '-') + " \
             "' ' + os.environ['AWS_LAMBDA_FUNCTION_NAME'] + ' ' + os.environ['AWS_LAMBDA_LOG_GROUP_NAME']}\n"
    red = _proxy(lab, "red", reader, environment={"COLOR": "red"})
    plain = _proxy(lab, "plain", reader)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda u: requests.get(u).text, [red, plain] * 4))
    assert answers == ["red red /aws/lambda/red", "- plain /aws/lambda/plain"] * 4


def test_a_result_json_cannot_encode_is_a_marshal_error(lab):
    code = FunctionCode("arn:aws:lambda:us-east-1:123456789012:function:odd",
                        _zip("def handler(e, c):\n    return {1, 2}\n"))
    with LambdaRunner() as runner:
        outcome = runner.invoke(code, {}, lab.gateway().clock)
    # https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html: the response must be JSON-serializable
    assert outcome.error["errorType"] == "Runtime.MarshalError"
    assert outcome.error["errorMessage"].startswith("Unable to marshal response:")


def test_simulations_on_the_virtual_clock_run_in_process_and_write_no_function_log():
    code = FunctionCode("arn:aws:lambda:us-east-1:123456789012:function:sim", _zip(TALKER))
    with LambdaRunner() as runner:
        outcome = runner.invoke(code, {}, VirtualClock())
        assert outcome.payload == {"statusCode": 200, "body": "ok"}
        assert runner.worker_pids() == [] and outcome.log_events == []


COUNTER = ("calls = {'n': 0}\n\ndef handler(e, c):\n    calls['n'] += 1\n"
           "    return {'statusCode': 200, 'body': str(calls['n'])}\n")


def test_a_virtual_clock_call_reuses_the_warm_environment_a_live_call_left(lab):
    # Lambda reuses a warm execution environment, module state included: a notebook that calls a function
    # live and then through a VirtualClock gateway sees one count, not two.
    url = _proxy(lab, "counter", COUNTER)
    assert [requests.get(url).text for _ in range(2)] == ["1", "2"]
    simulated = lab.gateway(clock=VirtualClock())
    assert simulated.invoke("GET", url).body == b"3"
    assert requests.get(url).text == "4"


@pytest.mark.parametrize("value", [0, 65])
def test_max_environments_out_of_range_is_refused(value):
    with pytest.raises(ValueError, match="max_environments must be between 1 and 64"):
        LambdaRunner(max_environments=value)


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


def test_a_threaded_handler_fits_in_128_mb(lab):
    # MemorySize limits memory, not the address space glibc reserves per thread (lambda_workers.py).
    source = ("import threading\ndef handler(e, c):\n    sizes, together = [], threading.Barrier(8)\n"
              "    def work():\n        data = [bytes(1000) for _ in range(5000)]\n        together.wait()\n"
              "        sizes.append(sum(map(len, data)))\n"
              "    threads = [threading.Thread(target=work) for _ in range(8)]\n"
              "    [t.start() for t in threads]\n    [t.join() for t in threads]\n"
              "    return {'statusCode': 200, 'body': str(sum(sizes))}\n")
    assert requests.get(_proxy(lab, "threaded", source)).text == str(8 * 5000 * 1000)
