"""TestInvokeMethod answered by the kit's gateway, against the API as it is now (no deployment needed).

A backend routes the control-plane call here (labkit.backends.moto registers the Lab's handler);
an unknown API, resource or method is MethodNotFound, which the backend answers as AWS's 404.

https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from .. import integrations, pipeline
from ..engine import Gateway
from ..http import Headers, Request, split_query
from ..router import Route
from ..snapshot import Deployment, StageSnapshot


class MethodNotFound(LookupError):
    """TestInvokeMethod named an API, resource or method that does not exist (AWS: 404 NotFoundException)."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


def run(gateway: Gateway, api_id: str, resource_id: str, http_method: str, body: dict[str, Any]) -> dict[str, Any]:
    """Run one method as the console's Test button does and return AWS's response shape."""
    definition = gateway.source.live_definition(api_id)
    if definition is None:
        raise MethodNotFound("Invalid API identifier specified")
    resource = next((r for r in definition.get("resources") or [] if r.get("id") == resource_id), None)
    if resource is None:
        raise MethodNotFound("Invalid Resource identifier specified")
    methods = resource.get("resourceMethods") or {}
    # An ANY method answers every verb: AWS ran ANY for a GET test (test_apigateway_api.snapshot.json::
    # tests/aws/services/apigateway/test_apigateway_api.py::TestApigatewayTestInvoke::test_failed_invoke_test_method).
    method = methods.get(http_method.upper()) or methods.get("ANY")
    if method is None:
        raise MethodNotFound("Invalid Method identifier specified")

    target = urlsplit(body.get("pathWithQueryString") or resource["path"])
    headers = Headers()
    for name, values in (body.get("multiValueHeaders") or {}).items():
        for value in values:
            headers.add(name, value)
    for name, value in (body.get("headers") or {}).items():
        headers[name] = value
    request = Request(method=http_method.upper(), api_id=api_id, stage="test-invoke-stage", path=target.path or "/",
                      query=split_query(target.query), headers=headers,
                      body=(body.get("body") or "").encode(), source_ip="test-invoke-source-ip")
    stage = {"stageName": "test-invoke-stage", "deploymentId": "test-invoke-deployment-id",
             "variables": body.get("stageVariables") or {}}
    call = gateway.new_call(request)
    call.test_invoke = True
    call.snapshot = StageSnapshot(api_id, "test-invoke-stage", Deployment("test-invoke-deployment-id", definition), stage)
    call.stage_variables = dict(stage["variables"])
    call.route = Route(resource, method, _path_parameters(resource["path"], request.path))
    call.log("Starting execution for request: {}", call.request_id)
    call.log("HTTP Method: {}, Resource Path: {}", request.method, request.path)
    response = pipeline.build([pipeline.Errors(), pipeline.PayloadLimit()], integrations.integrate)(call)

    # The answer's headers are the method response's: AWS leaves out the request ids a deployed stage's
    # answer carries (test_apigateway_basic.snapshot.json::tests/aws/services/apigateway/
    # test_apigateway_basic.py::TestAPIGateway::test_apigw_test_invoke_method_api: Content-Type and
    # X-Amzn-Trace-Id only).
    added = {("x-amzn-requestid", call.request_id), ("x-amz-apigw-id", call.extended_request_id)}
    if call.error is not None:
        # A gateway error's answer shows x-amzn-ErrorType alone, no Content-Type (test_apigateway_api.snapshot.json
        # ::tests/aws/services/apigateway/test_apigateway_api.py::TestApigatewayTestInvoke::
        # test_failed_invoke_test_method).
        added.add(("content-type", "application/json"))
    multi: dict[str, list[str]] = {}
    for name, value in response.headers.items_list():
        if (name.lower(), value) not in added:
            multi.setdefault(name, []).append(value)
    return {
        "status": response.status_code,
        "body": response.text,
        "headers": {k: v[-1] for k, v in multi.items()},
        "multiValueHeaders": multi,
        "log": execution_log_text(call.request_id, call.started, call.execution_log()),
        "latency": int((gateway.clock.now() - call.started + call.simulated_latency) * 1000),
    }


def execution_log_text(request_id: str, when: float, lines: list[str]) -> str:
    """The log as the console's test pane prints it: `Thu Nov 26 02:36:22 UTC 2026 : ...`."""
    stamp = datetime.fromtimestamp(when, tz=timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")
    out = [f"Execution log for request {request_id}"]
    out += [f"{stamp} : {line}" for line in lines]
    return "\n".join(out) + "\n"


def _path_parameters(template: str, path: str) -> dict[str, str]:
    """Values for `{name}` and `{name+}` in `template`, read from a concrete `path`."""
    pattern = ""
    for part in [p for p in template.split("/") if p]:
        greedy = re.fullmatch(r"\{(\w+)\+\}", part)
        named = re.fullmatch(r"\{(\w+)\}", part)
        if greedy:
            pattern += f"/(?P<{greedy.group(1)}>.+)"
        elif named:
            pattern += f"/(?P<{named.group(1)}>[^/]+)"
        else:
            pattern += "/" + re.escape(part)
    found = re.fullmatch(pattern or "/?", path.rstrip("/") if path != "/" else "")
    return {k: v for k, v in found.groupdict().items()} if found else {}
