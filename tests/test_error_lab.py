"""The error lab: every failure answers with the status, gateway response type and x-amzn-ErrorType
AWS documents (shared/reference/aws-rest-api-behaviour.md, section 4), the timeout sweep and its
plot, and the widget driven headlessly (traits set in-process, no kernel)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import json  # noqa: E402

import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from labkit import plots  # noqa: E402
from labkit.widgets import ErrorLab, ErrorOutcome, error_lab, latency_vs_timeout, run_error_case  # noqa: E402
from labkit.gateway.pipeline import Call  # noqa: E402
from labkit.gateway.trace import Trace  # noqa: E402
from labkit.widgets.errors import CASES, STEPS, answering_step  # noqa: E402

# case -> (status, gateway response type, x-amzn-ErrorType, body message, step that answered)
EXPECTED = {
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (timeoutInMillis)
    "slow": (504, "INTEGRATION_TIMEOUT", "InternalServerErrorException", "Endpoint request timed out", "backend"),
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    "garbage": (502, "API_CONFIGURATION_ERROR", "InternalServerErrorException", "Internal server error",
                "integration response"),
    "raises": (502, "API_CONFIGURATION_ERROR", "InternalServerErrorException", "Internal server error", "backend"),
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
    "too_big": (413, "REQUEST_TOO_LARGE", "RequestTooLargeException", None, "payload size"),
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
    "bad_input": (400, "BAD_REQUEST_BODY", "BadRequestException", "Invalid request body", "request validation"),
    # https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    "no_api_key": (403, "INVALID_API_KEY", "ForbiddenException", "Forbidden", "API key"),
    "unknown_path": (403, "MISSING_AUTHENTICATION_TOKEN", "MissingAuthenticationTokenException",
                     "Missing Authentication Token", "route"),
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
    "throttled": (429, "THROTTLED", "TooManyRequestsException", "Too Many Requests", "throttle"),
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
    "media_type": (415, "UNSUPPORTED_MEDIA_TYPE", "UnsupportedMediaTypeException", "Unsupported Media Type",
                   "integration request"),
    "backend_503": (503, None, None, None, "backend"),
}


def test_every_case_is_tested():
    assert set(EXPECTED) == set(CASES)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_failure_answers_as_aws_documents(case):
    status, kind, error_type, message, step = EXPECTED[case]
    outcome = run_error_case(case)
    assert isinstance(outcome, ErrorOutcome)
    assert (outcome.status, outcome.response_type, outcome.error_type) == (status, kind, error_type)
    if message is not None:
        assert outcome.message == message
    assert outcome.answered_by == step
    assert outcome.execution_log[-1] == f"Method completed with status: {status}"
    # The flow: every step before the one that answered passed, none after it ran (a backend's own
    # answer passed them all).
    states = dict(outcome.flow)
    assert list(states) == list(STEPS) and states[step] == "answered"
    at = STEPS.index(step)
    assert all(states[s] == "passed" for s in STEPS[:at])
    after = "passed" if kind is None else "not reached"
    assert all(states[s] == after for s in STEPS[at + 1:])


def test_the_log_explains_each_failure():
    lines = {case: "\n".join(run_error_case(case).execution_log) for case in CASES}
    assert "Execution failed due to a timeout error" in lines["slow"]
    assert "Malformed Lambda proxy response" in lines["garbage"]
    assert "customer function error: database connection refused" in lines["raises"]
    assert "exceeds the limit of 10485760 bytes" in lines["too_big"]
    assert 'object has missing required properties (["name"])' in lines["bad_input"]
    assert "API Key not found in request" in lines["no_api_key"]
    assert "No method found matching route /nowhere for http method GET." in lines["unknown_path"]
    assert "Method throttle limit exceeded" in lines["throttled"]
    assert "Unsupported Media Type" in lines["media_type"]
    assert "Successfully completed execution" in lines["backend_503"]


def test_the_backend_503_is_the_backends_own_answer():
    outcome = run_error_case("backend_503")
    assert json.loads(outcome.body) == {"error": "down for maintenance"}
    assert dict(outcome.headers)["Retry-After"] == "30"


def test_runs_are_deterministic_and_accept_labels():
    first, second = run_error_case("bad_input"), run_error_case(CASES["bad_input"].label)
    assert first == second


def test_an_unknown_case_raises_value_error_naming_the_choices():
    with pytest.raises(ValueError, match="case must be one of slow"):
        run_error_case("gremlins")


def _trace(answered_by, response_type, reason="x", facts=()):
    return Trace("id", answered_by, 500, response_type, reason, None, (), frozenset(facts), 0.0, 0.0, 0.0)


def test_answering_step_reads_the_trace():
    assert answering_step(_trace("integration", None, "ok")) == "backend"
    assert answering_step(_trace("integration response", "API_CONFIGURATION_ERROR")) == "integration response"
    assert answering_step(_trace("integration", "API_CONFIGURATION_ERROR", "function-error")) == "backend"
    assert answering_step(_trace("integration request", "API_CONFIGURATION_ERROR")) == "integration request"
    assert answering_step(_trace("authorizer", "ACCESS_DENIED")) == "authorizer"
    assert answering_step(_trace("route", "MISSING_AUTHENTICATION_TOKEN")) == "route"


def test_every_case_answers_the_same_when_the_log_is_reworded(monkeypatch):
    """The lab reads the gateway's trace, never the execution log's text."""
    before = {key: run_error_case(key).answered_by for key in CASES}
    monkeypatch.setattr(Call, "log", lambda self, message, *values: self.log_lines.append(
        ("REWORDED " + message.upper(), values)))
    after = {key: run_error_case(key) for key in CASES}
    assert all(outcome.execution_log[0].startswith("REWORDED") for outcome in after.values() if outcome.execution_log)
    assert {key: outcome.answered_by for key, outcome in after.items()} == before


def test_504s_begin_just_past_timeout_in_millis():
    latencies, statuses = latency_vs_timeout(3000, [0, 2999, 3000, 3001, 10_000])
    assert latencies == [0, 2999, 3000, 3001, 10_000]
    assert statuses == [200, 200, 200, 504, 504]
    _, default = latency_vs_timeout(29_000, [28_999, 29_000, 29_001])
    assert default == [200, 200, 504]


def test_the_timeout_must_be_one_aws_accepts():
    with pytest.raises(ValueError, match="timeoutInMillis"):
        latency_vs_timeout(10, [1])
    with pytest.raises(ValueError, match="latencies_ms"):
        latency_vs_timeout(3000, [-1])


def test_timeout_plot_returns_a_figure_and_leaves_pyplot_alone():
    latencies, statuses = latency_vs_timeout(5000, list(range(0, 35_001, 2500)))
    fig = plots.timeout_plot(latencies, statuses, 5000)
    assert isinstance(fig, Figure)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "timeoutInMillis = 5,000" in labels and "default 29,000 ms" in labels
    assert plots.png_bytes(fig).startswith(b"\x89PNG")
    assert plt.get_fignums() == []


def test_the_dropdown_updates_the_outcome_headlessly():
    lab = error_lab()
    assert isinstance(lab, ErrorLab) and lab.outcome.case.key == "slow" and lab.outcome.status == 504
    assert "Endpoint request timed out" in lab.detail.value and "timeout error" in lab.log_view.value
    lab.case.value = "throttled"  # observers run synchronously: the outcome is new on the next line
    assert lab.outcome.case.key == "throttled" and lab.outcome.status == 429
    assert lab.summary.value == lab.outcome.summary() and "TooManyRequestsException" in lab.summary.value
    assert "throttle<br><b>429</b>" in lab.flow.value
    lab.case.value = "backend_503"
    assert lab.outcome.response_type is None and "down for maintenance" in lab.detail.value


def test_the_summary_names_api_gateway_whenever_it_wrote_the_answer():
    # x-amzn-ErrorType and a gateway response type mean API Gateway wrote the answer, even when the
    # backend step failed (504 timeout, 502 from a Lambda error); only a passed-through status is the backend's.
    for case in ("slow", "raises", "garbage"):
        outcome = run_error_case(case)
        assert outcome.error_type and outcome.summary().endswith("answered by: API Gateway, at the "
                                                                 f"{outcome.answered_by} step"), outcome.summary()
    assert run_error_case("backend_503").summary().endswith("answered by: the backend itself")
