"""What the gateway needs from the world, as small protocols: definitions, AWS services, functions, a clock.

The gateway imports no backend: a backend (labkit.backends: moto in-process, boto3 for a server or
AWS) implements these ports and the Lab hands them to `Gateway(source, clock, services=, lambdas=)`,
as httpx takes a transport and simpy a clock (DESIGN.md, "Layout").
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from .auth.cognito import POOL_ARN, UserPool
from .auth.iam import IamCaller
from .clock import Clock
from .lambdas import FunctionCode, Invocation
from .usage_plans import UsageIndex


__all__ = ["POOL_ARN", "Change", "ChangeKind", "Clock", "DefinitionSource", "FunctionCode", "FunctionRunner",
           "IamCaller", "Invocation", "ServiceClients", "ServiceError", "ServiceNetworkError", "ServiceParameterError",
           "Unsubscribe", "UsageIndex", "UserPool"]

ChangeKind = Literal["deployment", "stage", "usage", "api-deleted", "flush-stage-cache", "flush-authorizers-cache"]
CHANGE_KINDS: tuple[str, ...] = ("deployment", "stage", "usage", "api-deleted", "flush-stage-cache",
                                 "flush-authorizers-cache")


@dataclass(frozen=True)
class Change:
    """Something changed in the control plane: a deployment, a stage, keys and plans ("usage"), a
    deleted API, or a FlushStageCache / FlushStageAuthorizersCache call on `api_id`'s `stage`."""

    kind: ChangeKind
    api_id: str = ""
    stage: str | None = None


Unsubscribe = Callable[[], None]


class DefinitionSource(Protocol):
    """What the gateway needs from a control plane."""

    account_id: str
    region: str

    def version(self) -> Hashable:
        """Changes whenever a stage or deployment may have changed."""

    def subscribe(self, listener: Callable[[Change], None]) -> Unsubscribe:
        """Call `listener(change)` on every change from now on; returns the function that stops it."""

    def stage(self, api_id: str, stage_name: str) -> dict[str, Any] | None:
        """The stage in get_stage's shape, or None."""

    def definition(self, api_id: str, deployment_id: str) -> dict[str, Any] | None:
        """The API as it was when `deployment_id` was made."""

    def live_definition(self, api_id: str) -> dict[str, Any] | None:
        """The API as it is now (for test-invoke)."""

    def function_code(self, function_arn: str) -> FunctionCode | None:
        """A Lambda function's package and settings, to run it in-process."""

    def usage_index(self) -> UsageIndex:
        """API keys and usage plans as they are now."""

    def record_usage(self, usage_plan_id: str, key_id: str, day: str, count: int = 1) -> None:
        """Count requests against a key for GetUsage."""

    def secret_for(self, access_key_id: str) -> str | None:
        """The secret access key behind an access key id (None: unknown, answered as AWS answers it)."""

    def iam_caller(self, access_key_id: str) -> IamCaller | None:
        """The IAM identity and policies behind an access key, for AWS_IAM methods."""

    def user_pool(self, pool_arn: str) -> UserPool | None:
        """A Cognito user pool's issuer, JWKS and app clients, for COGNITO_USER_POOLS authorizers."""

    def domain_names(self) -> dict[str, dict[str, Any]]:
        """Custom domain names (lower-case name -> get_domain_name's shape)."""

    def base_path_mappings(self, domain_name: str) -> list[dict[str, Any]]:
        """A custom domain's base path mappings (get_base_path_mappings items: basePath, restApiId, stage)."""


class ServiceError(Exception):
    """An AWS service refused a call: its error code, message and HTTP status."""

    def __init__(self, code: str, message: str = "", status: int = 400) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.status = status


class ServiceParameterError(ServiceError):
    """The parameters do not fit the operation's input (the SDK refused them before sending)."""


class ServiceNetworkError(ServiceError):
    """The service could not be reached (connection, timeout): no answer at all."""


class ServiceClients(Protocol):
    """The AWS services a backend offers: AWS-service integrations, and where logs, metrics and traces go.

    Operations and parameters use AWS's API names (`SendMessage`, `QueueUrl`); answers are the
    SDK's parsed output (no ResponseMetadata; streamed bodies read into bytes)."""

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run `operation` of `service`; raises ServiceError (or a subclass) when it fails."""

    def operations(self, service: str) -> frozenset[str]:
        """The operation names `service` has."""

    def input_members(self, service: str, operation: str) -> dict[str, str]:
        """The operation's top-level input members and their types (`string`, `integer`, ...)."""

    def output_members(self, service: str, operation: str) -> tuple[str, ...]:
        """The operation's top-level output member names, in the model's order."""


class FunctionRunner(Protocol):
    """Runs a Lambda function's code for integrations and authorizers (LambdaRunner is one)."""

    def invoke(self, code: FunctionCode, event: Any, clock: Clock, wait_limit: float | None = None) -> Invocation:
        """Call the function; on the real clock give up after its timeout or `wait_limit`."""
