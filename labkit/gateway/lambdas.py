"""Runs Python Lambda handlers from their deployment packages.

Moto stores functions but never runs them without Docker; the kit unpacks the zip and calls the
handler with the event and a Lambda context, as the Lambda runtime does.
https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html
Which runner each path uses:
- live calls (the real clock: gw.invoke, lab.serve(), requests in a lab): worker processes, one per
  execution environment (lambda_workers.py): killed at the timeout, memory limited, output logged;
- calls on the virtual clock: a warm environment of the function if a live call left one (so the
  function sees the state its live calls left, as Lambda reuses a warm environment), else the handler
  imported into this process and called directly (fast: simulations of thousands of requests; a
  handler that hangs is not stopped). `LambdaRunner(isolated=False)` always runs in-process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import shutil
import sys
import tempfile
import threading
import traceback
import uuid
import weakref
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .lambda_concurrency import LiveConcurrency
from .lambda_workers import Environments, Settings, settings_for


@dataclass(frozen=True)
class FunctionCode:
    """What it takes to run a function: its zip, handler and configuration."""

    function_arn: str
    zip_bytes: bytes
    handler: str = "index.handler"
    environment: dict[str, str] = field(default_factory=dict)
    timeout: float = 3.0
    memory_size: int = 128
    # PutFunctionConcurrency's ReservedConcurrentExecutions; None: the account's unreserved pool
    # (lambda_concurrency.py). 0 throttles every call.
    reserved_concurrency: int | None = None

    @property
    def name(self) -> str:
        return self.function_arn.split(":function:")[-1].split(":")[0]


@dataclass
class Invocation:
    """The outcome of one invoke: a payload, or the error Lambda reports."""

    payload: Any = None
    error: dict[str, Any] | None = None
    timed_out: bool = False  # the caller's wait_limit ran out first (the gateway's integration timeout)
    throttled: bool = False  # Lambda refused the call (429): every execution environment stayed busy
    duration: float = 0.0
    # The function's own log (/aws/lambda/<name>): (epoch ms, message) events of one stream; live calls only.
    log_group: str = ""
    log_stream: str = ""
    log_events: list[tuple[int, str]] = field(default_factory=list)


class LambdaContext:
    """The `context` object a Python handler receives."""

    def __init__(self, code: FunctionCode, clock: Clock, deadline: float) -> None:
        self.function_name = code.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = code.function_arn
        self.memory_limit_in_mb = str(code.memory_size)
        self._aws_request_id: str | None = None
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "labkit/[$LATEST]local"
        self._clock = clock
        self._deadline = deadline

    @property
    def aws_request_id(self) -> str:
        """The invocation's id, made when a handler first reads it (most never do)."""
        if self._aws_request_id is None:
            self._aws_request_id = str(uuid.uuid4())
        return self._aws_request_id

    @aws_request_id.setter
    def aws_request_id(self, value: str) -> None:
        self._aws_request_id = value

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock.now()) * 1000))


class LambdaRunner:
    """Unpacks each distinct deployment package once and runs its handler.

    Live calls run in worker processes (up to `max_environments` per function configuration);
    virtual-clock calls, and every call with `isolated=False` (the benchmark's reference), import the
    handler into this process. The runner owns what that leaves behind: the workers, a temporary
    directory of unpacked packages and the modules in-process handlers imported; `close()` ends them all.
    """

    def __init__(self, *, isolated: bool = True, max_environments: int = 4) -> None:
        self.isolated = isolated
        self._environments = Environments(max_environments)
        self._reserved = LiveConcurrency()  # live calls of functions with a reserved concurrency
        self._handlers: dict[tuple[str, str, str], Callable[..., Any]] = {}
        self._settings: dict[tuple[Any, ...], Settings] = {}  # each function configuration's, made once
        self._digests: dict[bytes, str] = {}  # each package's short sha256, hashed once (as _handlers, one per package)
        self._lock = threading.Lock()
        self._packages_dir: str | None = None
        self._remove_dir: weakref.finalize | None = None  # also runs at exit for a runner never closed
        self._closed = False

    def handler(self, code: FunctionCode) -> Callable[..., Any]:
        """Each function gets its own module (its own "container"), even when two share a zip."""
        digest = self._digest(code)
        key = (code.function_arn, digest, code.handler)
        with self._lock:
            if key not in self._handlers:
                self._handlers[key] = _load_handler(code, digest, self._packages())
            return self._handlers[key]

    def _digest(self, code: FunctionCode) -> str:
        digest = self._digests.get(code.zip_bytes)
        if digest is None:
            digest = self._digests[code.zip_bytes] = hashlib.sha256(code.zip_bytes).hexdigest()[:16]
        return digest

    def _package_dir(self, code: FunctionCode) -> str:
        """The unpacked package (made on first use), for a worker to import from."""
        digest = self._digest(code)
        with self._lock:
            return _unpack(code, digest, self._packages())

    def _packages(self) -> str:
        """The directory packages are unpacked in, made on first use (caller holds the lock)."""
        if self._closed:
            raise RuntimeError("this LambdaRunner is closed")
        if self._packages_dir is None:
            self._packages_dir = tempfile.mkdtemp(prefix="labkit-functions-")
            self._remove_dir = weakref.finalize(self, shutil.rmtree, self._packages_dir, True)
        return self._packages_dir

    def close(self) -> None:
        """Forget the handlers, unload the modules they imported and remove the unpacked packages;
        safe to call twice. A handler still running in a timed-out call keeps its own references."""
        self._environments.close()
        self._reserved.close()
        with self._lock:
            self._closed = True
            self._handlers.clear()
            self._settings.clear()
            self._digests.clear()
            directory, self._packages_dir = self._packages_dir, None
            if directory is None:
                return
            prefix = os.path.join(directory, "")
            for name, module in list(sys.modules.items()):
                if (getattr(module, "__file__", None) or "").startswith(prefix):
                    del sys.modules[name]
            if self._remove_dir is not None:
                self._remove_dir()

    def __enter__(self) -> LambdaRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def invoke(self, code: FunctionCode, event: Any, clock: Clock, wait_limit: float | None = None) -> Invocation:
        """Call the handler; on the real clock give up after the function's timeout or `wait_limit`.

        A live call of a function with a reserved concurrency that many live calls already use is
        throttled at once (429, `Invocation.throttled`); on the virtual clock the gateway counts instead.

        Live calls run in a worker process, killed when the wait ends (AWS would let a function the
        gateway stopped waiting for run on to its own timeout; nothing of it is seen either way).
        In-process (virtual clock, `isolated=False`) an abandoned call keeps running in its thread.
        """
        if self._closed:
            raise RuntimeError("this LambdaRunner is closed")
        reserved = code.reserved_concurrency
        if reserved is None or clock.virtual:  # virtual time: the gateway counts calls in flight itself
            return self._invoke(code, event, clock, wait_limit)
        if not self._reserved.enter(code.function_arn, reserved):
            return throttled()
        try:
            return self._invoke(code, event, clock, wait_limit)
        finally:
            self._reserved.leave(code.function_arn)

    def _invoke(self, code: FunctionCode, event: Any, clock: Clock, wait_limit: float | None) -> Invocation:
        if self.isolated and (not clock.virtual or self._warm(code)):
            outcome = self._invoke_in_worker(code, event, wait_limit)
            if clock.virtual:
                outcome.duration = 0.0  # virtual time: the gateway's backend_latency says how long it took
            return outcome
        try:
            fn = self.handler(code)
        except Exception as exc:  # import errors surface as Lambda's Runtime.ImportModuleError
            return Invocation(error={"errorMessage": f"Unable to import module '{code.handler}': {exc}",
                                     "errorType": "Runtime.ImportModuleError"})
        started = clock.now()
        context = LambdaContext(code, clock, started + code.timeout)
        if clock.virtual:
            outcome = _call(fn, event, context, code.environment)
            outcome.duration = 0.0
            return outcome

        result: list[Invocation] = []
        thread = threading.Thread(target=lambda: result.append(_call(fn, event, context, code.environment)),
                                  name=f"labkit-lambda-{code.name}", daemon=True)
        thread.start()
        limit = code.timeout if wait_limit is None else min(code.timeout, wait_limit)
        thread.join(limit)
        duration = clock.now() - started
        if not result:
            if wait_limit is not None and wait_limit < code.timeout:
                return Invocation(timed_out=True, duration=duration)
            return Invocation(error={"errorMessage": f"Task timed out after {code.timeout:.2f} seconds",
                                     "errorType": "Sandbox.Timedout"}, duration=duration)
        outcome = result[0]
        outcome.duration = duration
        return outcome


    def _warm(self, code: FunctionCode) -> bool:
        """The function has an execution environment left by a live call."""
        settings = self._settings.get(_settings_key(code))
        return settings is not None and self._environments.has_environment(settings)

    def _invoke_in_worker(self, code: FunctionCode, event: Any, wait_limit: float | None) -> Invocation:
        """One live call in an execution environment of the function (lambda_workers.Environments)."""
        key = _settings_key(code)
        settings = self._settings.get(key)
        if settings is None:
            try:
                package_dir = self._package_dir(code)
            except Exception as exc:  # not a zip: the Init phase cannot start
                return Invocation(error={"errorMessage": f"Unable to import module '{code.handler}': {exc}",
                                         "errorType": "Runtime.ImportModuleError"})
            settings = self._settings[key] = settings_for(code.function_arn, code.name, code.handler, package_dir,
                                                          code.memory_size, code.environment)
        outcome = self._environments.invoke(settings, event, code.timeout, wait_limit)
        return Invocation(payload=outcome.payload, error=None if outcome.gave_up else outcome.error,
                          timed_out=outcome.gave_up, throttled=outcome.throttled,
                          duration=outcome.duration, log_group=f"/aws/lambda/{code.name}",
                          log_stream=outcome.log_stream, log_events=outcome.log_events)

    @property
    def max_environments(self) -> int:
        """How many execution environments (worker processes) one function configuration may have at once."""
        return self._environments.max_environments

    def worker_pids(self) -> list[int]:
        """The process ids of this runner's live execution environments."""
        return self._environments.processes()


def throttled() -> Invocation:
    """Lambda's answer to a call beyond the function's concurrency: 429 TooManyRequestsException, at once.
    https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (TooManyRequestsException, 429)"""
    return Invocation(error={"errorMessage": "Rate Exceeded.", "errorType": "TooManyRequestsException"},
                      throttled=True)


def _settings_key(code: FunctionCode) -> tuple:
    """What makes two calls share execution environments: the same function configuration."""
    return (code.function_arn, code.zip_bytes, code.handler, code.memory_size, tuple(code.environment.items()))


# In-process calls only: a function's variables are set in os.environ for its call, one call at a time.
_ENVIRONMENT_LOCK = threading.Lock()


def _call(fn: Callable[..., Any], event: Any, context: LambdaContext, environment: dict[str, str]) -> Invocation:
    """Run the handler with the function's environment variables in `os.environ` for the call only
    (functions with variables run one at a time, so none sees another's)."""
    if not environment:
        return _run(fn, event, context)
    with _ENVIRONMENT_LOCK:
        saved = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        try:
            return _run(fn, event, context)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _run(fn: Callable[..., Any], event: Any, context: LambdaContext) -> Invocation:
    try:
        return Invocation(payload=fn(event, context))
    except Exception as exc:
        return Invocation(error={
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_tb(exc.__traceback__),
        })


def _load_handler(code: FunctionCode, digest: str, packages_dir: str) -> Callable[..., Any]:
    module_path, _, function_name = code.handler.rpartition(".")
    if not module_path or not function_name:
        raise ValueError(f"handler must look like 'module.function', got {code.handler!r}")
    target = _unpack(code, digest, packages_dir)
    source = os.path.join(target, *module_path.split(".")) + ".py"
    if not os.path.exists(source):
        raise FileNotFoundError(f"No module named '{module_path}' in the deployment package")
    unique = f"labkit_fn_{digest}_{abs(hash(code.function_arn))}_{module_path.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(unique, source)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, target)  # the package's own dependencies, as the Lambda runtime's /var/task
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(target)
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise AttributeError(f"Handler '{function_name}' missing on module '{module_path}'")
    return handler


def _unpack(code: FunctionCode, digest: str, packages_dir: str) -> str:
    """The package's directory under `packages_dir`, extracted once per distinct zip."""
    target = os.path.join(packages_dir, digest)
    if not os.path.isdir(target):
        partial = f"{target}.partial-{uuid.uuid4().hex[:8]}"
        with zipfile.ZipFile(io.BytesIO(code.zip_bytes)) as archive:
            archive.extractall(partial)
        try:
            os.rename(partial, target)
        except OSError:  # another thread unpacked it first
            shutil.rmtree(partial, ignore_errors=True)
    return target
