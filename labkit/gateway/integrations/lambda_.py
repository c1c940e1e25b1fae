"""Lambda integrations: AWS_PROXY (the proxy event in, the proxy response out) and AWS with a Lambda
URI (the custom integration: request templates in, integration responses out).
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-integrations.html
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from ..http import Headers, Response
from ..pipeline import Call
from ..ports import FunctionCode, Invocation
from ..responses import GatewayError
from .integration_response import integration_response
from .headers import refuse_lambda_headers, trace_header
from .parameters import request_parameters, with_stage_variables
from .payloads import integration_body, proxy_body
from .proxy import proxy_event, proxy_response
from .timeouts import simulate_latency, timeout_error, timeout_seconds

LAMBDA_URI = re.compile(r"^arn:aws[\w-]*:apigateway:[^:]+:lambda:path/[^/]+/functions/(?P<arn>.+)/invocations$")


@dataclass(slots=True)
class FunctionRequest:
    """The integration request as the Lambda service receives it: the function and its event."""

    code: FunctionCode
    event: Any


def function_code(call: Call, integration: dict[str, Any]) -> FunctionCode:
    """The function the integration URI names (stage variables filled); 500 when it names none, or
    when the integration maps a header AWS refuses for Lambda (headers.refuse_lambda_headers)."""
    uri = with_stage_variables(integration.get("uri") or "", call)
    match = LAMBDA_URI.match(uri)
    if not match:
        raise GatewayError("API_CONFIGURATION_ERROR", reason="invalid-endpoint",
                           log="Execution failed due to configuration error: Invalid endpoint address")
    refuse_lambda_headers(request_parameters(call, integration)["header"])
    code = call.gateway.source.function_code(match.group("arn"))
    if code is None:
        raise GatewayError("API_CONFIGURATION_ERROR", reason="function-not-found",
                           log="Execution failed due to configuration error: "
                           f"Invalid permissions on Lambda function (function not found: {match.group('arn')})")
    return code


def invoke(call: Call, integration: dict[str, Any], request: FunctionRequest) -> Invocation:
    """Run the function within the integration's timeout; log the call as AWS does. Beyond the
    function's concurrency Lambda throttles the call (live: the runner; virtual: counted here)."""
    past_timeout = simulate_latency(call, integration)
    call.log("Endpoint request URI: {}", integration.get('uri'))
    call.log("Endpoint request body after transformations: {}", request.event)
    call.log("Sending request to {}", integration.get('uri'))
    clock = call.gateway.clock
    if clock.virtual:
        code = request.code
        # The function runs on to its own timeout even when the gateway stops waiting first.
        busy_for = min(call.simulated_latency, code.timeout)
        if not call.gateway.lambda_concurrency.admit(code.function_arn, code.reserved_concurrency, call.started,
                                                     busy_for):
            call.simulated_latency = call.integration_latency = 0.0  # refused at once
            raise throttled_error(call)
    if past_timeout:
        raise timeout_error()
    call.integration_started = clock.now()
    outcome = call.gateway.lambdas.invoke(request.code, request.event, clock, wait_limit=timeout_seconds(integration))
    call.gateway.observer.function_log(outcome.log_group, outcome.log_stream, outcome.log_events)
    call.integration_status = 200  # the Lambda service's status; the function's own comes in its payload
    if not clock.virtual:
        call.integration_latency = outcome.duration
    if outcome.timed_out:
        raise timeout_error()
    if outcome.throttled:
        raise throttled_error(call)
    call.log("Received response. Status: 200, Integration latency: {} ms", int(call.integration_latency * 1000))
    return outcome


def throttled_error(call: Call) -> GatewayError:
    """Lambda refused the call (429): API Gateway answers 500 Internal server error as an INTEGRATION_FAILURE,
    whatever the integration maps ("If the Lambda API rejects the invocation request, API Gateway returns a
    500 error code": https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
    The execution log's two lines as AWS writes them: a recorded log ("Lambda invocation failed with status:
    429. Lambda request id: ...", "Execution failed due to configuration error: Rate Exceeded.", then
    "Method completed with status: 500"), and the same integrationError in access logs in
    https://github.com/DataBiosphere/azul/pull/6624."""
    call.integration_status = 429
    call.log("Lambda invocation failed with status: 429. Lambda request id: {}",
             uuid.uuid5(uuid.NAMESPACE_OID, call.request_id))  # a stable id: seeded runs print the same
    return GatewayError("INTEGRATION_FAILURE", "Internal server error", status=500, reason="lambda-throttled",
                        log="Execution failed due to configuration error: Rate Exceeded.")


class LambdaProxy:
    """AWS_PROXY: run the function with the proxy event; its output must be the proxy response format (else 502)."""

    def integration_request(self, call: Call, integration: dict[str, Any]) -> FunctionRequest:
        """The proxy event, for the function the URI names; an integration method other than POST fails."""
        if (integration.get("httpMethod") or "POST").upper() != "POST":
            # AWS answers 500 Internal server error as an INTEGRATION_FAILURE (whose documented default,
            # 504, it does not use here): test_apigateway_lambda.snapshot.json::tests/aws/services/apigateway/
            # test_apigateway_lambda.py::test_lambda_aws_proxy_integration_non_post_method.
            raise GatewayError("INTEGRATION_FAILURE", "Internal server error", status=500,
                               reason="proxy-method-not-post",
                               log="Execution failed due to configuration error: "
                                   "the AWS_PROXY integration can only be used with the POST integration method")
        event = proxy_event(call)
        return FunctionRequest(function_code(call, integration), event)

    def backend(self, call: Call, integration: dict[str, Any], request: FunctionRequest) -> Any:
        """The function's output; a function error is 502."""
        outcome = invoke(call, integration, request)
        if outcome.error is not None:
            # https://repost.aws/knowledge-center/malformed-502-api-gateway
            raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", status=502,
                               reason="function-error",
                               log=f"Lambda execution failed with status 200 due to customer function error: "
                                   f"{outcome.error.get('errorMessage')}")
        return outcome.payload

    def integration_response(self, call: Call, integration: dict[str, Any], payload: Any) -> Response:
        """No mapping: the output validated and converted (proxy.proxy_response), a base64 body
        decoded for a binary Accept only (payloads.proxy_body), with the trace id."""
        response = proxy_response(payload)
        response.body = proxy_body(call, payload, response.body)
        return with_trace_header(call, response)


class LambdaCustom:
    """Type AWS with a Lambda URI: the request template makes the event; integration responses map the
    output, or the function error by its errorMessage."""

    def integration_request(self, call: Call, integration: dict[str, Any]) -> FunctionRequest:
        """The mapped body as the event (JSON when it parses), for the function the URI names."""
        body = integration_body(call, integration).decode("utf-8", "replace")
        try:
            event = json.loads(body) if body.strip() else {}
        except ValueError:
            event = body
        return FunctionRequest(function_code(call, integration), event)

    def backend(self, call: Call, integration: dict[str, Any], request: FunctionRequest) -> Invocation:
        """The function's outcome: its output or its error."""
        return invoke(call, integration, request)

    def integration_response(self, call: Call, integration: dict[str, Any], outcome: Invocation) -> Response:
        """The integration response chosen by the error message ("" for an output), mapped."""
        if outcome.error is not None:
            # A function error is still HTTP 200 unless a selectionPattern maps its errorMessage.
            # https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
            return with_trace_header(call, integration_response(
                call, integration, status=200, headers=Headers(), body=json.dumps(outcome.error),
                error_message=outcome.error.get("errorMessage")))
        return with_trace_header(call, integration_response(call, integration, status=200, headers=Headers(),
                                                            body=json.dumps(outcome.payload), error_message=""))


def with_trace_header(call: Call, response: Response) -> Response:
    """A Lambda integration's answer carries the invocation's X-Amzn-Trace-Id (a MOCK answer does not):
    test_apigateway_common.snapshot.json::TestApiGatewayCommon::test_invocation_trace_id, and
    test_apigateway_integrations.snapshot.json::TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_aws."""
    response.headers.setdefault("X-Amzn-Trace-Id", trace_header(call))
    return response
