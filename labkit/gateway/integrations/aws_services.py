"""AWS service integrations (type AWS, other than Lambda): SQS, Step Functions, S3, DynamoDB, EventBridge,
Kinesis, SSM.

The integration URI names the service and either a path (`arn:aws:apigateway:{region}:sqs:path/{account}/{queue}`)
or an action (`arn:aws:apigateway:{region}:states:action/StartExecution`). AwsService's integration request
makes the service's request (the request template makes its body); the integration sends it to the lab's
backend; the integration response maps the service's answer (status, headers, body in its own wire format).
https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html
https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html

Simplifications, each one sentence for the notebooks:
- The call goes through the lab's own clients (the ServiceClients port): the integration's `credentials`
  role is not assumed, so a role that lacks `sqs:SendMessage` still succeeds locally (on AWS it would not).
- The service answers in the lab's region, whatever region the URI names.
- Query-protocol requests (SQS `Action=SendMessage&...`) support flat parameters and `MessageAttribute(s).N.*`.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

from ..http import Headers, Response
from ..pipeline import Call
from ..ports import ServiceClients, ServiceError, ServiceNetworkError, ServiceParameterError
from ..responses import GatewayError
from .integration_response import integration_response
from .overrides import override_parameters
from .parameters import request_parameters, with_stage_variables
from .payloads import integration_body
from .services.kinesis import kinesis_params
from .timeouts import simulated_timeout

_AWS_URI = re.compile(r"^arn:aws[\w-]*:apigateway:(?P<region>[^:]*):(?P<service>[^:]+):(?P<kind>path|action)/(?P<api>.*)$")
_PLACEHOLDER = re.compile(r"\{([^}]+)\}")

Answer = tuple[int, Headers, bytes]


@dataclass
class ServiceRequest:
    """The integration request as the service receives it, after mapping."""

    region: str
    service: str
    kind: str  # "path" or "action"
    api: str  # the path after `path/`, or the action string after `action/` (placeholders filled)
    method: str
    headers: Headers
    query: list[tuple[str, str]]
    body: bytes

    @property
    def action(self) -> str:
        """`StartExecution` from `action/StartExecution&x=y`."""
        return self.api.split("&", 1)[0].split("?", 1)[0]

    @property
    def action_params(self) -> list[tuple[str, str]]:
        """`x=y` pairs written into an action URI after the action name."""
        rest = self.api.split("&", 1)[1] if "&" in self.api else ""
        return parse_qsl(rest, keep_blank_values=True)


ServiceCall = Callable[[ServiceClients, ServiceRequest], Answer]  # one service's protocol


def default_service_calls() -> dict[str, ServiceCall]:
    """Service name in the URI -> its protocol (the boto3 client name may differ: `states` is `stepfunctions`)."""
    return {
        "sqs": _sqs,
        "states": _json_protocol("stepfunctions"),
        "s3": _s3,
        "dynamodb": _json_protocol("dynamodb"),
        # EventBridge PutEvents (`events:action/PutEvents`, X-Amz-Target `AWSEvents.PutEvents`):
        # test_apigateway_eventbridge.snapshot.json::tests/aws/services/apigateway/
        # test_apigateway_eventbridge.py::test_apigateway_to_eventbridge
        "events": _json_protocol("events"),
        "kinesis": _json_protocol("kinesis", kinesis_params),
        "ssm": _query_protocol("ssm"),
    }


@dataclass(slots=True)
class ServiceTarget:
    """The service an integration URI names, and the mapped request (None when the kit cannot call it)."""

    service: str
    call: ServiceCall | None
    request: ServiceRequest | None


class AwsService:
    """Type AWS other than Lambda: the request template makes the service's request, the lab's clients
    (the ServiceClients port) answer it, and the integration responses map the service's answer."""

    def __init__(self, service_calls: dict[str, ServiceCall] | None = None) -> None:
        self.service_calls = default_service_calls() if service_calls is None else service_calls

    def integration_request(self, call: Call, integration: dict[str, Any]) -> ServiceTarget:
        """The service's request: placeholders, headers and query mapped, the body rendered. A service
        the kit cannot call is refused by the integration phase, before any mapping (as on a backend)."""
        uri = with_stage_variables(integration.get("uri") or "", call)
        parsed = _AWS_URI.match(uri)
        service = (parsed.group("service").split(".")[-1] if parsed
                   else (uri.split(":")[4] if uri.count(":") >= 5 else uri))
        service_call = self.service_calls.get(service)
        if parsed is None or service_call is None or call.gateway.services is None:
            return ServiceTarget(service, None if parsed is None else service_call, None)
        return ServiceTarget(service, service_call, _service_request(call, integration, parsed, service))

    def backend(self, call: Call, integration: dict[str, Any], target: ServiceTarget) -> Answer:
        """The service's answer (status, headers, body in its own wire format)."""
        service, request = target.service, target.request
        if target.call is None:
            raise GatewayError("API_CONFIGURATION_ERROR", log="Execution failed due to configuration error: "
                               f"the local gateway does not run AWS service integrations for '{service}'")
        services = call.gateway.services
        if services is None or request is None:
            raise GatewayError("API_CONFIGURATION_ERROR", log="Execution failed due to configuration error: "
                               f"no backend clients for the AWS service integration '{service}' (create the Gateway "
                               "with services=labkit.backends.services.BotoServices(client_factory=lab.client), "
                               "as lab.gateway() does)")
        simulated_timeout(call, integration)
        call.log("Endpoint request URI: {}", endpoint_uri(request))
        call.log("Endpoint request headers: {}", request.headers)
        call.log("Endpoint request body after transformations: {}", request.body)
        call.log("Sending request to {}", endpoint_uri(request))
        clock = call.gateway.clock
        started = clock.now()
        try:
            status, headers, body = target.call(services, request)
        except GatewayError:
            raise
        except (ServiceNetworkError, ServiceParameterError) as exc:
            raise GatewayError("INTEGRATION_FAILURE", log=f"Execution failed due to a network error: {exc}") from exc
        if not clock.virtual:
            call.integration_latency = clock.now() - started
        call.log("Received response. Status: {}, Integration latency: {} ms", status,
                 int(call.integration_latency * 1000))
        call.log("Endpoint response headers: {}", headers)
        call.log("Endpoint response body before transformations: {}", body)
        return status, headers, body

    def integration_response(self, call: Call, integration: dict[str, Any], answer: Answer) -> Response:
        """The integration response chosen by the service's status, mapped; the service's bytes (S3
        objects) converted as binaryMediaTypes and contentHandling say (payloads.response_payload)."""
        status, headers, body = answer
        return integration_response(call, integration, status=status, headers=headers, body=body)


def _service_request(call: Call, integration: dict[str, Any], parsed: re.Match[str], service: str) -> ServiceRequest:
    """Render the body, then fill `{placeholders}` from integration path parameters and map headers and
    query, with what the template set in `$context.requestOverride` written over them."""
    body = integration_body(call, integration)
    mapped = override_parameters(call, request_parameters(call, integration))
    path_values = {**(call.route.path_parameters if call.route else {}), **mapped["path"]}
    api = _PLACEHOLDER.sub(lambda m: path_values.get(m.group(1).rstrip("+"), ""), parsed.group("api"))
    headers = Headers(mapped["header"])
    if body and "Content-Type" not in headers and call.request.headers.get("Content-Type"):
        headers["Content-Type"] = call.request.headers["Content-Type"]
    method = (integration.get("httpMethod") or call.request.method).upper()
    if method == "ANY":
        method = call.request.method
    return ServiceRequest(region=parsed.group("region") or call.gateway.source.region, service=service,
                          kind=parsed.group("kind"), api=api, method=method, headers=headers,
                          query=list(mapped["querystring"].items()), body=body)


def endpoint_uri(request: ServiceRequest) -> str:
    """The service URL AWS's execution log shows for the integration request."""
    if request.kind == "action":
        return f"https://{request.service}.{request.region}.amazonaws.com/?Action={request.action}"
    return f"https://{request.service}.{request.region}.amazonaws.com/{request.api}"


# --- JSON protocol (Step Functions, DynamoDB, SQS with X-Amz-Target) --------------------------------

def _json_protocol(client_name: str,
                   prepare: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None) -> ServiceCall:
    """Services whose API is JSON over POST: the operation comes from X-Amz-Target or the action URI;
    `prepare(operation, params)` turns the wire form into the SDK's (base64 blobs into bytes)."""

    def handle(services: ServiceClients, request: ServiceRequest) -> Answer:
        target = request.headers.get("X-Amz-Target") or ""
        operation = target.rsplit(".", 1)[-1] if target else request.action
        try:
            params = json.loads(request.body) if request.body.strip() else {}
        except ValueError:
            return _json_error(400, "SerializationException", "Unable to parse the request body as JSON")
        if not isinstance(params, dict):
            return _json_error(400, "SerializationException", "The request body must be a JSON object")
        if prepare is not None:
            try:
                params = prepare(operation, params)
            except ValueError as exc:
                return _json_error(400, "SerializationException", str(exc))
        return json_call(services, client_name, operation, params)

    return handle


def json_call(services: ServiceClients, service: str, operation: str, params: dict[str, Any]) -> Answer:
    """Call `operation` with `params` and answer as the service's JSON protocol would."""
    if operation not in services.operations(service):
        return _json_error(400, "UnknownOperationException", f"Operation {operation!r} is not supported")
    try:
        result = services.call(service, operation, params)
    except ServiceParameterError as exc:
        return _json_error(400, "ValidationException", exc.message)
    except ServiceError as exc:
        return _json_error(exc.status, exc.code or "InternalFailure", exc.message)
    return 200, Headers({"Content-Type": "application/x-amz-json-1.0"}), json.dumps(_wire(result)).encode()


def _json_error(status: int, code: str, message: str) -> Answer:
    body = json.dumps({"__type": code, "message": message}).encode()
    return status, Headers({"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}), body


def _wire(value: Any) -> Any:
    """boto3's parsed values back to JSON-protocol form: timestamps as epoch seconds, blobs as base64."""
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, _dt.datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if hasattr(value, "read"):  # a streaming blob
        return base64.b64encode(value.read()).decode()
    return value


# --- SQS ------------------------------------------------------------------------------------------

def _sqs(services: ServiceClients, request: ServiceRequest) -> Answer:
    """SendMessage and friends, as the query protocol (form body) or the JSON protocol (X-Amz-Target).
    https://repost.aws/knowledge-center/api-gateway-rest-api-sqs-errors"""
    queue_url = None
    if request.kind == "path" and request.api.strip("/"):
        account, _, queue = request.api.strip("/").partition("/")
        try:
            queue_url = services.call("sqs", "GetQueueUrl", {"QueueName": queue,
                                                             "QueueOwnerAWSAccountId": account})["QueueUrl"]
        except ServiceError as exc:
            return _query_error(request, 400, exc.code or "AWS.SimpleQueueService.NonExistentQueue",
                                exc.message or "The specified queue does not exist.")
    if request.headers.get("X-Amz-Target"):
        try:
            params = json.loads(request.body) if request.body.strip() else {}
        except ValueError:
            return _json_error(400, "SerializationException", "Unable to parse the request body as JSON")
        if isinstance(params, dict) and queue_url and "QueueUrl" not in params:
            params["QueueUrl"] = queue_url
        return json_call(services, "sqs", request.headers["X-Amz-Target"].rsplit(".", 1)[-1], params)
    return query_action(services, request, "sqs", {"QueueUrl": queue_url} if queue_url else {})


def _query_protocol(client_name: str) -> ServiceCall:
    """A service API Gateway calls with AWS's query protocol: an `action/` URI, its parameters in the
    query string or a form body, answered as JSON (`{Action}Response` / `{Action}Result`) unless XML is
    asked for. SSM's GetParameter so: test_apigateway_ssm.snapshot.json::tests/aws/services/apigateway/
    test_apigateway_ssm.py::test_ssm_aws_integration ("ssm-aws-integration")."""

    def call(services: ServiceClients, request: ServiceRequest) -> Answer:
        return query_action(services, request, client_name, {})

    return call


def query_action(services: ServiceClients, request: ServiceRequest, client_name: str,
                 defaults: dict[str, str]) -> Answer:
    """One query-protocol action: its fields from the URI, query string and form body (`defaults` for
    those not given), the call, and the answer or the service's error in the protocol's shape."""
    form = (request.action_params if request.kind == "action" else []) + request.query
    if request.body:
        form += parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    fields = dict(form)
    action = fields.pop("Action", None) or (request.action if request.kind == "action" else "")
    fields.pop("Version", None)
    if not action:
        return _query_error(request, 400, "MissingAction", "The request must contain the parameter Action.")
    for name, value in defaults.items():
        fields.setdefault(name, value)
    if action not in services.operations(client_name):
        return _query_error(request, 400, "InvalidAction", f"The action {action} is not valid for this endpoint.")
    try:
        params = _query_params(services.input_members(client_name, action), fields)
        result = services.call(client_name, action, params)
    except ServiceParameterError as exc:
        return _query_error(request, 400, "InvalidParameterValue", exc.message)
    except ValueError as exc:
        return _query_error(request, 400, "InvalidParameterValue", str(exc))
    except ServiceError as exc:
        return _query_error(request, exc.status, exc.code or "InternalError", exc.message)
    members = {name: _wire(result.get(name)) for name in services.output_members(client_name, action)}
    return _query_answer(request, action, members)


def _query_params(members: dict[str, str], fields: dict[str, str]) -> dict[str, Any]:
    """Flat query-protocol fields as boto3 parameters (numbers converted; `MessageAttribute.N.*` gathered)."""
    params: dict[str, Any] = {}
    attributes: dict[str, dict[str, str]] = {}
    for key, value in fields.items():
        # `MessageAttributes.N.*` (plural) is accepted as `MessageAttribute.N.*` is
        # (test_apigateway_sqs.snapshot.json::tests/aws/services/apigateway/test_apigateway_sqs.py::
        # test_sqs_aws_integration_with_message_attribute[MessageAttribute] and [MessageAttributes]).
        found = re.fullmatch(r"MessageAttributes?\.(\d+)\.(Name|Value\.StringValue|Value\.BinaryValue|Value\.DataType)",
                             key)
        if found:
            attributes.setdefault(found.group(1), {})[found.group(2)] = value
            continue
        member = members.get(key)
        if member is None:
            raise ValueError(f"Unknown parameter {key!r}")
        params[key] = int(value) if member in ("integer", "long") else value
    if attributes:
        params["MessageAttributes"] = {
            a["Name"]: {k.split(".", 1)[1]: (base64.b64decode(v) if k.endswith("BinaryValue") else v)
                        for k, v in a.items() if k != "Name"}
            for a in attributes.values() if "Name" in a
        }
    return params


def _wants_xml(request: ServiceRequest) -> bool:
    """API Gateway asks for JSON unless the integration maps `Accept` to XML (recorded by LocalStack on AWS)."""
    return "xml" in (request.headers.get("Accept") or "").lower()


def _query_answer(request: ServiceRequest, action: str, members: dict[str, Any]) -> Answer:
    request_id = str(uuid.uuid4())
    if _wants_xml(request):
        inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in members.items() if v is not None)
        body = (f'<?xml version="1.0"?><{action}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
                f"<{action}Result>{inner}</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId>"
                f"</ResponseMetadata></{action}Response>")
        return 200, Headers({"Content-Type": "text/xml", "x-amzn-RequestId": request_id}), body.encode()
    body = {f"{action}Response": {f"{action}Result": members, "ResponseMetadata": {"RequestId": request_id}}}
    return 200, Headers({"Content-Type": "application/json", "x-amzn-RequestId": request_id}), json.dumps(body).encode()


def _query_error(request: ServiceRequest, status: int, code: str, message: str) -> Answer:
    request_id = str(uuid.uuid4())
    if _wants_xml(request):
        body = (f'<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>{escape(code)}</Code>'
                f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return status, Headers({"Content-Type": "text/xml"}), body.encode()
    body = {"Error": {"Code": code, "Message": message, "Type": "Sender"}, "RequestId": request_id}
    return status, Headers({"Content-Type": "application/json"}), json.dumps(body).encode()


# --- S3 -------------------------------------------------------------------------------------------

_S3_ACTIONS = {"GetObject": "GET", "PutObject": "PUT", "DeleteObject": "DELETE", "HeadObject": "HEAD"}
_S3_HEADERS = (("ContentType", "Content-Type"), ("ContentLength", "Content-Length"), ("ETag", "ETag"),
               ("LastModified", "Last-Modified"), ("VersionId", "x-amz-version-id"))


def _s3(services: ServiceClients, request: ServiceRequest) -> Answer:
    """Objects by path (`s3:path/{bucket}/{key}`) or action (`s3:action/GetObject&Bucket=b&Key=k`).
    https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-s3.html"""
    if request.kind == "action":
        fields = dict(request.action_params + request.query)
        bucket, key, method = fields.get("Bucket", ""), fields.get("Key", ""), _S3_ACTIONS.get(request.action)
    else:
        bucket, _, key = request.api.lstrip("/").partition("/")
        bucket, key, method = unquote(bucket), unquote(key), request.method
    if not bucket or not key or method not in _S3_ACTIONS.values():
        raise GatewayError("API_CONFIGURATION_ERROR", log="Execution failed due to configuration error: the local "
                           f"gateway runs S3 object operations only (GET, PUT, DELETE, HEAD on a bucket and key), "
                           f"got {method} {request.api!r}")
    try:
        if method == "GET":
            found = services.call("s3", "GetObject", _s3_get_params(request, bucket, key))
            return 200, _s3_headers(found), found["Body"]
        if method == "HEAD":
            return 200, _s3_headers(services.call("s3", "HeadObject", {"Bucket": bucket, "Key": key})), b""
        if method == "PUT":
            params: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": request.body}
            if request.headers.get("Content-Type"):
                params["ContentType"] = request.headers["Content-Type"]
            return 200, _s3_headers(services.call("s3", "PutObject", params)), b""
        services.call("s3", "DeleteObject", {"Bucket": bucket, "Key": key})
        return 204, Headers(), b""
    except ServiceParameterError:
        raise  # the SDK refused the call: an integration failure, as a network error is
    except ServiceError as exc:
        return exc.status, Headers({"Content-Type": "application/xml"}), s3_error_body(exc, key)


def s3_error_body(exc: ServiceError, key: str) -> bytes:
    """S3's XML error document: Code, Message, Key, RequestId (16 upper-case hex) and HostId, as
    test_apigateway_s3.snapshot.json::tests/aws/services/apigateway/test_apigateway_s3.py::
    test_apigateway_s3_any (get-object-empty) recorded it through the integration."""
    host_id = base64.b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode()
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(exc.code)}</Code><Message>{escape(exc.message)}</Message>"
            f"<Key>{escape(key)}</Key><RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId>"
            f"<HostId>{host_id}</HostId></Error>").encode()


def _s3_get_params(request: ServiceRequest, bucket: str, key: str) -> dict[str, Any]:
    """GetObject's parameters; `response-content-type` in the query overrides the object's Content-Type
    (recorded: test_apigateway_s3.snapshot.json::...test_apigw_s3_binary_support_response_no_content_handling
    maps it from a method request header)."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    override = dict(request.query).get("response-content-type")
    if override:
        params["ResponseContentType"] = override
    return params


def _s3_headers(result: dict[str, Any]) -> Headers:
    headers = Headers()
    for field, name in _S3_HEADERS:
        value = result.get(field)
        if isinstance(value, _dt.datetime):
            value = value.strftime("%a, %d %b %Y %H:%M:%S GMT")
        if value is not None:
            headers[name] = value
    return headers

