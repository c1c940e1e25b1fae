"""Lambda execution environments for live calls: one worker process each (lambda_bootstrap.py).

An environment is warm and reused by its function, serves one invocation at a time, and a function
gets more of them, up to `max_environments`, for concurrent calls, as Lambda scales out:
https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
At the function's timeout the worker is killed (no thread is left running a handler); sys.exit, a
crash and running out of memory end the environment and are function errors. The handler's output
and AWS's START/END/REPORT lines come back in the Invocation for the function's log group.
Only the standard library: `subprocess` with two pipes (requests in, answers out) and one for output.
"""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .lambda_bootstrap import read_exact

BOOTSTRAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lambda_bootstrap.py")
# RLIMIT_AS is MemorySize plus this: the interpreter's own address space (about 14 MB bare, 40 MB
# with boto3 imported, shared libraries included), which Lambda does not count against MemorySize
# the same way. A 2 GB allocation fails in a 128 MB function; 100 MB succeeds.
ADDRESS_SPACE_MARGIN_MB = 64
# Lambda's Init phase limit, seconds: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
INIT_LIMIT = 10.0
OUTPUT_LIMIT = 260 * 1024  # bytes of output kept per invocation: the worker's 256 KiB and its note on what it dropped
_HEADER = struct.Struct(">I")
_READ = select.POLLIN | select.POLLHUP | select.POLLERR


@dataclass
class Outcome:
    """What one invocation in a worker came to (lambdas.Invocation is made from it)."""

    payload: Any = None
    error: dict[str, Any] | None = None
    duration: float = 0.0
    log_events: list[tuple[int, str]] = field(default_factory=list)
    log_stream: str = ""
    gave_up: bool = False  # the caller's wait ended before the function's timeout
    throttled: bool = False  # no environment was free in time (Lambda's 429)


@dataclass(frozen=True)
class Settings:
    """One function configuration's environment settings: a changed one gets new environments."""

    function_arn: str
    function_name: str
    handler: str
    package_dir: str
    memory_size: int
    environment: tuple[tuple[str, str], ...]


class Environment:
    """One worker process: spawned and initialised on first use, then reused until it ends."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        now = datetime.now(timezone.utc)
        # https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html: one stream per instance
        self.log_stream = f"{now:%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.init_ms: float | None = None  # reported once, on the first invocation's REPORT line
        self.init_events: list[tuple[int, str]] = []
        self.init_error: dict[str, Any] | None = None
        request_r, self._request_w = os.pipe()
        self._response_r, response_w = os.pipe()
        self._output_r, output_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", BOOTSTRAP, str(request_r), str(response_w)],
                pass_fds=(request_r, response_w), stdin=subprocess.DEVNULL, stdout=output_w, stderr=output_w,
                env=self._environ(), cwd=settings.package_dir, start_new_session=True)
        except BaseException:
            for fd in (self._request_w, self._response_r, self._output_r):
                os.close(fd)
            raise
        finally:
            for fd in (request_r, response_w, output_w):
                os.close(fd)
        os.set_blocking(self._output_r, False)
        self._poll = select.poll()
        self._poll.register(self._response_r, _READ)
        self._poll.register(self._output_r, _READ)
        self.started = False  # the Init phase was run (start())
        self.closed = False

    def _environ(self) -> dict[str, str]:
        """This process's variables, Lambda's reserved ones, then the function's own.
        https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
        MALLOC_ARENA_MAX (mallopt(3)): glibc reserves 64 MB of address space per thread arena, which
        RLIMIT_AS would count as memory; two arenas keep a threaded handler within its MemorySize."""
        s = self.settings
        region = s.function_arn.split(":")[3] if s.function_arn.count(":") >= 4 else "us-east-1"
        return {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": s.function_name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(s.memory_size), "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region, "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{s.function_name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream, "LAMBDA_TASK_ROOT": s.package_dir,
                "_HANDLER": s.handler, "MALLOC_ARENA_MAX": "2", **dict(s.environment)}

    # --- init and invoke ------------------------------------------------------------------------

    def start(self) -> bool:
        """Send the configuration and wait for the Init phase; False (and `init_error`) when it failed."""
        s = self.settings
        config = {"function_name": s.function_name, "function_arn": s.function_arn, "handler": s.handler,
                  "package_dir": s.package_dir, "memory_size": s.memory_size,
                  "log_group": f"/aws/lambda/{s.function_name}", "log_stream": self.log_stream,
                  "address_space": (s.memory_size + ADDRESS_SPACE_MARGIN_MB) * 1024 * 1024}
        self.started = True
        output = bytearray()
        self._send(json.dumps(config).encode())
        answer = self._receive(time.monotonic() + INIT_LIMIT, output)
        self.init_events = _output_events(output)
        if isinstance(answer, dict) and "init_ms" in answer:
            self.init_ms = float(answer["init_ms"])
            return True
        if isinstance(answer, dict) and "init_error" in answer:
            self.init_error = answer["init_error"]
        elif answer is _TIMEOUT:
            self.init_error = {"errorMessage": f"Init phase timed out after {INIT_LIMIT:.2f} seconds",
                               "errorType": "Sandbox.Timedout"}
        else:
            self.init_error = _exit_error("", self._ended())
        self.close()
        return False

    def invoke(self, event: Any, timeout: float, wait: float | None = None) -> Outcome:
        """One invocation: its answer within the function's `timeout`, else the worker is killed. A
        shorter `wait` is the caller giving up (the gateway's integration timeout): the same, noted as such."""
        if wait is not None and wait < timeout:
            outcome = self._invoke(event, timeout, wait)
            outcome.gave_up = (outcome.error or {}).get("errorType") == "Sandbox.Timedout"
            return outcome
        return self._invoke(event, timeout, timeout)

    def _invoke(self, event: Any, timeout: float, wait: float) -> Outcome:
        request_id = str(uuid.uuid4())
        started = time.time()
        events = [*self.init_events, (int(started * 1000), f"START RequestId: {request_id} Version: $LATEST")]
        self.init_events = []
        output = bytearray()
        try:
            self._send(json.dumps({"id": request_id, "event": event, "deadline": started + timeout}).encode())
            answer = self._receive(time.monotonic() + wait, output)
        except OSError:  # the worker died before it read the request
            answer = None
        duration = time.time() - started
        stamp = int(time.time() * 1000)
        events.extend(_output_events(output))
        if isinstance(answer, dict):
            outcome = Outcome(answer.get("payload"), answer.get("error"), duration)
            if answer.get("trace"):
                events.append((stamp, _error_line(answer)))
            if answer.get("fatal"):
                self.close()
            report = _report(request_id, float(answer.get("ms", duration * 1000)), self.settings.memory_size,
                             int(answer.get("mem", 0)), self.init_ms)
        else:
            self.close()
            error, line, status = self._failure(answer, request_id, timeout, stamp)
            events.append((stamp, line))
            outcome = Outcome(error=error, duration=duration)
            billed = wait if answer is _TIMEOUT else duration
            report = _report(request_id, billed * 1000, self.settings.memory_size, 0, self.init_ms)
            report += f"\tStatus: {status}"
        self.init_ms = None
        events += [(stamp, f"END RequestId: {request_id}"), (stamp, report)]
        outcome.log_events = events
        outcome.log_stream = self.log_stream
        return outcome

    def _failure(self, answer: Any, request_id: str, timeout: float, stamp: int) -> tuple[dict[str, Any], str, str]:
        """A worker that did not answer: its error, its log line and the REPORT status (timeout or error)."""
        if answer is _TIMEOUT:
            # test_lambda.snapshot.json::TestLambdaBehavior::test_lambda_invoke_with_timeout: Sandbox.Timedout,
            # and the log line "<time> <request id> Task timed out after 1.00 seconds".
            message = f"Task timed out after {timeout:.2f} seconds"
            when = datetime.fromtimestamp(stamp / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
            return ({"errorMessage": f"RequestId: {request_id} Error: {message}", "errorType": "Sandbox.Timedout"},
                    f"{when}Z {request_id} {message}", "timeout")
        error = _exit_error(request_id, self.process.returncode)
        return error, error["errorMessage"], "error"

    # --- pipes ----------------------------------------------------------------------------------

    def _send(self, body: bytes) -> None:
        data = _HEADER.pack(len(body)) + body
        while data:
            data = data[os.write(self._request_w, data):]

    def _receive(self, deadline: float, output: bytearray) -> Any:
        """The next answer frame (decoded), None when the worker ended, _TIMEOUT at the deadline;
        output the worker writes meanwhile is collected (up to OUTPUT_LIMIT bytes, the rest read and dropped)."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return _TIMEOUT
            for fd, _ in self._poll.poll(left * 1000):
                if fd == self._output_r:
                    self._drain(output)
                    continue
                header = read_exact(self._response_r, _HEADER.size)
                body = None if header is None else read_exact(self._response_r, _HEADER.unpack(header)[0])
                self._drain(output)
                return None if body is None else json.loads(body)

    def _drain(self, output: bytearray) -> None:
        while True:
            try:
                chunk = os.read(self._output_r, 65536)
            except BlockingIOError:
                return
            if not chunk:  # the worker (and any process it forked) closed its output
                self._poll.unregister(self._output_r)
                return
            if len(output) < OUTPUT_LIMIT:
                output += chunk[:OUTPUT_LIMIT - len(output)]

    def _ended(self) -> int | None:
        try:
            return self.process.wait(1.0)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL the worker and what it forked (its own session); the invoking thread then sees it end."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def close(self) -> None:
        """Kill the worker, reap it and close the pipes (only by the thread that holds it); safe to call twice."""
        if self.closed:
            return
        self.closed = True
        os.close(self._request_w)
        self.kill()
        self.process.wait()
        os.close(self._response_r)
        os.close(self._output_r)


class _Timeout:
    pass


_TIMEOUT = _Timeout()




def _output_events(output: bytes) -> list[tuple[int, str]]:
    """The handler's output, one log event a line (as Lambda sends plain-text output)."""
    if not output:
        return []
    stamp = int(time.time() * 1000)
    return [(stamp, line) for line in output.decode("utf-8", "replace").splitlines() if line]


def _error_line(answer: dict[str, Any]) -> str:
    """The runtime's log line for an unhandled error: [ERROR] type: message, then the traceback."""
    error = answer.get("error") or {}
    return f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}\n{answer.get('trace', '')}".rstrip()


def _exit_error(request_id: str, returncode: int | None) -> dict[str, Any]:
    """Runtime.ExitError for a worker that ended: exit status 0 gives no reason, others their status or signal.
    test_lambda.snapshot.json::TestLambdaErrors::test_lambda_handler_exit (sys.exit(0) in a handler) and
    https://repost.aws/knowledge-center/lambda-runtime-error ("exit status 129")."""
    prefix = f"RequestId: {request_id} Error: " if request_id else "Error: "
    if returncode == 0:
        reason = "Runtime exited without providing a reason"
    elif returncode is not None and returncode < 0:
        reason = f"Runtime exited with error: signal: {_signal_name(-returncode)}"
    else:
        reason = f"Runtime exited with error: exit status {returncode}"
    return {"errorMessage": prefix + reason, "errorType": "Runtime.ExitError"}


def _signal_name(number: int) -> str:
    """Go's wording, which Lambda's messages use ("signal: killed", "signal: segmentation fault")."""
    return {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "aborted",
            signal.SIGTERM: "terminated", signal.SIGBUS: "bus error"}.get(number, f"signal {number}")


def _report(request_id: str, duration_ms: float, memory_size: int, used_mb: int, init_ms: float | None) -> str:
    """AWS's REPORT line (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html); Init
    Duration only after a cold start. Billed duration: rounded up to the millisecond."""
    line = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: "
            f"{int(-(-duration_ms // 1))} ms\tMemory Size: {memory_size} MB\tMax Memory Used: {used_mb} MB")
    if init_ms is not None:
        line += f"\tInit Duration: {init_ms:.2f} ms"
    return line


class Environments:
    """Every environment of one runner, pooled per function configuration; `close()` ends them all."""

    def __init__(self, max_environments: int = 4) -> None:
        if not 1 <= max_environments <= 64:
            raise ValueError(f"max_environments must be between 1 and 64, got {max_environments!r}")
        self.max_environments = max_environments
        self._idle: dict[Settings, list[Environment]] = {}
        self._count: dict[Settings, int] = {}
        self._busy: set[Environment] = set()
        self._changed = threading.Condition()
        self._closed = False

    def has_environment(self, settings: Settings) -> bool:
        """Whether `settings` has an execution environment now (busy or idle)."""
        with self._changed:
            return self._count.get(settings, 0) > 0

    def invoke(self, settings: Settings, event: Any, timeout: float, wait_limit: float | None = None) -> Outcome:
        """Run one invocation in a free environment of `settings` (a new one if none is free and
        the cap allows; otherwise wait for one: Lambda's throttle when none is free in time).
        The function's `timeout` starts after a cold start's Init phase (limited on its own, as in
        Lambda); `wait_limit` bounds the caller's whole wait."""
        started = time.monotonic()
        environment = self._acquire(settings, started + (timeout if wait_limit is None else min(timeout, wait_limit)))
        if environment is None:
            # https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html: beyond the concurrency, 429
            return Outcome(error={"errorMessage": "Rate Exceeded.", "errorType": "TooManyRequestsException"},
                           duration=time.monotonic() - started, throttled=True)
        try:
            if not environment.started:
                if not environment.start():
                    error = environment.init_error or {}
                    line = f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}"
                    return Outcome(error=error, log_stream=environment.log_stream,
                                   log_events=[*environment.init_events, (int(time.time() * 1000), line)])
            if wait_limit is None:
                return environment.invoke(event, timeout)
            return environment.invoke(event, timeout, max(0.0, started + wait_limit - time.monotonic()))
        finally:
            self._release(settings, environment)

    def _acquire(self, settings: Settings, deadline: float) -> Environment | None:
        with self._changed:
            while True:
                if self._closed:
                    raise RuntimeError("this LambdaRunner is closed")
                idle = self._idle.get(settings)
                if idle:
                    environment = idle.pop()
                    break
                if self._count.get(settings, 0) < self.max_environments:
                    self._count[settings] = self._count.get(settings, 0) + 1
                    environment = None
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)
        if environment is None:
            try:
                environment = Environment(settings)
            except BaseException:
                with self._changed:
                    self._count[settings] -= 1
                    self._changed.notify()
                raise
        with self._changed:
            self._busy.add(environment)
        return environment

    def _release(self, settings: Settings, environment: Environment) -> None:
        with self._changed:
            self._busy.discard(environment)
            if environment.closed or self._closed:
                self._count[settings] -= 1
                dead = True
            else:
                self._idle.setdefault(settings, []).append(environment)
                dead = False
            self._changed.notify()
        if dead:
            environment.close()

    def close(self) -> None:
        """Close the idle workers; kill the busy ones (the thread running each one's invocation sees it
        end, answers it and closes it); safe to call twice."""
        with self._changed:
            self._closed = True
            idle = [e for found in self._idle.values() for e in found]
            busy = list(self._busy)
            self._idle.clear()
            self._changed.notify_all()
        for environment in idle:
            environment.close()
        for environment in busy:
            environment.kill()

    def processes(self) -> list[int]:
        """The pids of the live workers (for tests and benchmarks)."""
        with self._changed:
            return [e.process.pid for idle in self._idle.values() for e in idle if not e.closed] + \
                   [e.process.pid for e in self._busy if not e.closed]


def settings_for(function_arn: str, function_name: str, handler: str, package_dir: str, memory_size: int,
                 environment: dict[str, str]) -> Settings:
    """The environment settings of one function configuration."""
    return Settings(function_arn, function_name, handler, package_dir, int(memory_size),
                    tuple(sorted(environment.items())))

