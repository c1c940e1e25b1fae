"""The gateway's ServiceClients port over boto3 clients: AWS-service integrations, logs, metrics, traces.

Operations come by AWS's name (`SendMessage`) and run as the client's method (`send_message`);
botocore's errors become the gateway's ServiceError family, so the gateway never sees botocore.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from labkit.gateway.ports import ServiceError, ServiceNetworkError, ServiceParameterError


class BotoServices:
    """ServiceClients backed by a boto3 client factory (a Lab's `client`)."""

    def __init__(self, client_factory: Callable[[str], Any]) -> None:
        self.client_factory = client_factory

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        client = self.client_factory(service)
        try:
            result = getattr(client, xform_name(operation))(**params)
        except ParamValidationError as exc:
            raise ServiceParameterError("ValidationException", str(exc), 400) from exc
        except ClientError as exc:
            error = exc.response.get("Error") or {}
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400)
            raise ServiceError(str(error.get("Code") or ""), str(error.get("Message") or ""), status) from exc
        except BotoCoreError as exc:
            raise ServiceNetworkError(type(exc).__name__, str(exc), 502) from exc
        result.pop("ResponseMetadata", None)
        body = result.get("Body")
        if hasattr(body, "read"):  # a streamed blob (S3 GetObject): the port hands over bytes
            result["Body"] = body.read()
        return result

    def operations(self, service: str) -> frozenset[str]:
        return frozenset(self.client_factory(service).meta.service_model.operation_names)

    def input_members(self, service: str, operation: str) -> dict[str, str]:
        shape = self.client_factory(service).meta.service_model.operation_model(operation).input_shape
        return {name: member.type_name for name, member in shape.members.items()} if shape is not None else {}

    def output_members(self, service: str, operation: str) -> tuple[str, ...]:
        shape = self.client_factory(service).meta.service_model.operation_model(operation).output_shape
        return tuple(shape.members) if shape is not None else ()

