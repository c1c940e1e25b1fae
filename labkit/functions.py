"""Lambda functions from a string of Python source or a Python callable, zipped in memory.

moto never runs handler code without Docker and its get_function Code.Location URL cannot be
fetched (nor can a server's or AWS's, without credentials for it), so a lab keeps every zip it made
in its `FunctionStore` (`lab.functions.code_for`), from which labkit's local gateway runs the
handler; `lab.close()` empties it. On real AWS the same calls create real functions.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import re
import textwrap
import threading
import time
import zipfile
from collections.abc import Callable
from typing import Any, NamedTuple

from botocore.exceptions import ClientError

__all__ = [
    "DEFAULT_ROLE_NAME",
    "HEADER",
    "FunctionCode",
    "FunctionStore",
    "build_zip",
    "create_function",
    "ensure_role",
    "role_name_for",
    "source_from_callable",
]

DEFAULT_ROLE_NAME = "labkit-lambda-role"
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html: RoleName is 1-64 characters.
ROLE_NAME_MAX = 64
# Prepended to a callable's source so the usual modules are available without imports inside it.
HEADER = "import json, os, time, base64\n\n\n"

# https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TIMEOUT_MIN, TIMEOUT_MAX = 1, 900
MEMORY_MIN, MEMORY_MAX = 128, 10_240
# https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html
_ENV_KEY_RE = re.compile(r"^[a-zA-Z]([a-zA-Z0-9_])+$")
_HANDLER_RE = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_/.-]*)\.([A-Za-z_][A-Za-z0-9_]*)$")

_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
# Inline rather than the managed AWSLambdaBasicExecutionRole: moto does not load AWS managed policies by default.
_LOGS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


class FunctionCode(NamedTuple):
    """What the local gateway needs to run a function: zip bytes, handler, environment, timeout (s)."""

    zip_bytes: bytes
    handler: str
    environment: dict[str, str]
    timeout: int


def role_name_for(lab_id: str) -> str:
    """The execution role of one lab's functions: its own, so closing one lab never removes a role another uses.

    `labkit-lambda-role-<lab id>`; an id too long for IAM's 64 characters is cut and ends in a hash of the
    whole id, so two long ids never share a role.
    """
    name = f"{DEFAULT_ROLE_NAME}-{lab_id}"
    if len(name) <= ROLE_NAME_MAX:
        return name
    digest = hashlib.sha256(lab_id.encode()).hexdigest()[:8]
    return f"{name[:ROLE_NAME_MAX - len(digest) - 1]}-{digest}"


class FunctionStore:
    """The zips of the functions one lab created, by ARN and by name; `close()` forgets them.

    `role_name` is the execution role its functions get when the caller names none (`role_name_for`).
    """

    def __init__(self, role_name: str = DEFAULT_ROLE_NAME) -> None:
        self.role_name = role_name
        self._codes: dict[str, FunctionCode] = {}
        self._lock = threading.Lock()

    def create_function(self, lambda_client: Any, iam_client: Any, name: str,
                        source_or_callable: str | Callable[..., Any], handler: str = "index.handler",
                        **options: Any) -> dict[str, Any]:
        """`create_function` (below), keeping the zip here for the local gateway."""
        options.setdefault("role_name", self.role_name)
        return create_function(lambda_client, iam_client, name, source_or_callable, handler, store=self, **options)

    def remember(self, function_arn: str, name: str, code: FunctionCode) -> None:
        with self._lock:
            self._codes[function_arn] = code
            self._codes[name] = code

    def code_for(self, function_arn_or_name: str) -> FunctionCode | None:
        """The zip, handler, environment and timeout of a function created here, by ARN or name; None if unknown."""
        key = function_arn_or_name
        with self._lock:
            if key in self._codes:
                return self._codes[key]
            # arn:aws:lambda:region:account:function:name[:qualifier] -> try without the qualifier.
            parts = key.split(":")
            if len(parts) == 8 and parts[5] == "function":
                return self._codes.get(":".join(parts[:7]))
        return None

    def close(self) -> None:
        """Forget every zip; safe to call twice."""
        with self._lock:
            self._codes.clear()

    def __enter__(self) -> FunctionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def source_from_callable(fn: Callable[..., Any]) -> tuple[str, str]:
    """Return (module source, handler) for a self-contained function: its dedented source plus HEADER.

    The function must not use names from its defining module; import inside it or use the header's
    json, os, time and base64.
    """
    name = getattr(fn, "__name__", "")
    if not inspect.isfunction(fn) or name == "<lambda>":
        raise ValueError("source_or_callable must be Python source or a function defined with def (not a lambda)")
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as exc:
        raise ValueError(f"source_or_callable: cannot read the source of {name!r}: {exc}") from exc
    if source.lstrip().startswith("@"):
        raise ValueError(f"source_or_callable: {name!r} is decorated; pass an undecorated function")
    return HEADER + source, f"index.{name}"


def _module_path(handler: str) -> str:
    """`index.handler` -> `index.py`, `pkg/app.main` -> `pkg/app.py`."""
    match = _HANDLER_RE.match(handler) if isinstance(handler, str) else None
    if not match:
        raise ValueError(f"handler must look like 'module.function' (e.g. 'index.handler'), got {handler!r}")
    return match.group(1).replace(".", "/") + ".py"


def build_zip(source_or_callable: str | Callable[..., Any], handler: str = "index.handler") -> tuple[bytes, str]:
    """Zip Python source (or a callable's source) in memory; returns (zip bytes, handler)."""
    if callable(source_or_callable) and not isinstance(source_or_callable, str):
        source, handler = source_from_callable(source_or_callable)
    elif isinstance(source_or_callable, str):
        source = source_or_callable
    else:
        raise ValueError("source_or_callable must be a string of Python source or a function")
    try:
        compile(source, _module_path(handler), "exec")
    except SyntaxError as exc:
        raise ValueError(f"source_or_callable is not valid Python: {exc}") from exc
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # Fixed timestamp and world-readable mode: same source -> same zip, and Lambda can read it.
        info = zipfile.ZipInfo(_module_path(handler), date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, source)
    return buffer.getvalue(), handler


def ensure_role(iam_client: Any, role_name: str = DEFAULT_ROLE_NAME) -> tuple[str, bool]:
    """Return (ARN, created) of a Lambda execution role, creating it with the Lambda trust policy if missing."""
    try:
        return iam_client.get_role(RoleName=role_name)["Role"]["Arn"], False
    except iam_client.exceptions.NoSuchEntityException:
        pass
    arn = iam_client.create_role(
        RoleName=role_name,
        AssumeRolePolicyDocument=json.dumps(_TRUST_POLICY),
        Description="Execution role for labkit Lambda functions",
    )["Role"]["Arn"]
    iam_client.put_role_policy(RoleName=role_name, PolicyName="labkit-logs", PolicyDocument=json.dumps(_LOGS_POLICY))
    return arn, True


def _validate(name: str, timeout: int, memory: int, environment: dict[str, str] | None) -> None:
    """Check the parameters Lambda would reject, with the allowed ranges in the message."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"FunctionName must be 1-64 characters of letters, digits, '-' and '_', got {name!r}")
    for label, value, low, high in (("Timeout", timeout, TIMEOUT_MIN, TIMEOUT_MAX), ("MemorySize", memory, MEMORY_MIN, MEMORY_MAX)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{label} must be an integer between {low} and {high}, got {value!r}")
    for key, value in (environment or {}).items():
        if not isinstance(key, str) or not _ENV_KEY_RE.match(key):
            raise ValueError(
                f"environment: key {key!r} must start with a letter and have 2+ characters of [A-Za-z0-9_]"
            )
        if not isinstance(value, str):
            raise ValueError(f"environment: value of {key!r} must be a string, got {type(value).__name__}")


def replace_function(lambda_client: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Give an existing function the code and settings of a CreateFunction request (AWS refuses a second
    CreateFunction with ResourceConflictException): a notebook cell that makes a function can run twice."""
    # https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html: one update at a time,
    # so each waits for the function to be Successful before the next.
    name = kwargs["FunctionName"]
    settings = {k: v for k, v in kwargs.items() if k not in ("Code", "FunctionName")}
    settings.setdefault("Environment", {"Variables": {}})
    try:
        lambda_client.update_function_configuration(FunctionName=name, **settings)
        _wait_updated(lambda_client, name)
        lambda_client.update_function_code(FunctionName=name, ZipFile=kwargs["Code"]["ZipFile"])
        _wait_updated(lambda_client, name)
        return lambda_client.get_function_configuration(FunctionName=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("InternalError", "InternalFailure"):
            raise
    # LocalStack without Docker cannot update a function it never started: make it anew.
    try:
        lambda_client.delete_function(FunctionName=name)
    except lambda_client.exceptions.ResourceNotFoundException:
        pass  # a retried DeleteFunction whose first attempt went through
    return lambda_client.create_function(**kwargs)


def _wait_updated(lambda_client: Any, name: str) -> None:
    try:
        lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    except Exception:  # a backend without LastUpdateStatus (older moto) is never mid-update
        pass


def create_function(
    lambda_client: Any,
    iam_client: Any,
    name: str,
    source_or_callable: str | Callable[..., Any],
    handler: str = "index.handler",
    environment: dict[str, str] | None = None,
    timeout: int = 3,
    memory: int = 128,
    runtime: str = "python3.11",
    role_arn: str | None = None,
    store: FunctionStore | None = None,
    role_name: str = DEFAULT_ROLE_NAME,
) -> dict[str, Any]:
    """Create a Lambda function from source or a callable; its zip is kept in `store` for the local gateway.

    Source goes into the module named by `handler` (default `index.py`). A callable becomes `index.py`
    with handler `index.<name>`; it must be self-contained (imports inside it, or json/os/time/base64).
    Without `role_arn` the function gets the execution role `role_name`, made if missing.
    """
    # https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
    _validate(name, timeout, memory, environment)
    zip_bytes, handler = build_zip(source_or_callable, handler)
    created_role = False
    if role_arn is None:
        role_arn, created_role = ensure_role(iam_client, role_name)
    kwargs: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": runtime,
        "Role": role_arn,
        "Handler": handler,
        "Code": {"ZipFile": zip_bytes},
        "Timeout": timeout,
        "MemorySize": memory,
    }
    if environment:
        kwargs["Environment"] = {"Variables": dict(environment)}
    # A role created seconds ago may not be assumable yet on AWS (IAM is eventually consistent).
    attempts = 10 if created_role else 1
    for attempt in range(attempts):
        try:
            response = lambda_client.create_function(**kwargs)
            break
        except lambda_client.exceptions.ResourceConflictException:
            response = replace_function(lambda_client, kwargs)  # a re-run cell: same name, new code and settings
            break
        except lambda_client.exceptions.InvalidParameterValueException as exc:
            if attempt == attempts - 1 or "role" not in str(exc).lower():
                raise
            time.sleep(2)
    response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if store is not None:
        store.remember(response["FunctionArn"], name, FunctionCode(zip_bytes, handler, dict(environment or {}), timeout))
    return response


