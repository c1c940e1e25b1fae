"""The runtime inside one Lambda execution environment: a worker process run as a script.

`lambda_workers.Environment` starts `python -I lambda_bootstrap.py REQUEST_FD RESPONSE_FD`. The
worker reads its configuration, limits its address space, imports the handler (the Init phase) and
then answers one invocation at a time, as the Lambda runtime's loop does.
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
Frames both ways are a 4-byte big-endian length and UTF-8 JSON. The handler's stdout and stderr are
this process's descriptors 1 and 2 (a pipe the parent reads); at most OUTPUT_LIMIT bytes an
invocation go there. This file imports only the standard library: it runs outside the package.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import resource
import signal
import struct
import sys
import time
import traceback
from typing import Any

OUTPUT_LIMIT = 256 * 1024  # bytes of stdout/stderr kept per invocation (one CloudWatch Logs event's maximum)
_HEADER = struct.Struct(">I")


class LambdaContext:
    """The `context` object a Python handler receives.
    https://docs.aws.amazon.com/lambda/latest/dg/python-context.html"""

    def __init__(self, config: dict[str, Any]) -> None:
        self.function_name = config["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = config["function_arn"]
        self.memory_limit_in_mb = str(config["memory_size"])
        self.log_group_name = config["log_group"]
        self.log_stream_name = config["log_stream"]
        self.aws_request_id = ""
        self.deadline = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.time()) * 1000))


class BoundedOutput(io.TextIOBase):
    """sys.stdout and sys.stderr: writes go to descriptor 1 until the invocation's budget is spent."""

    def __init__(self) -> None:
        super().__init__()
        self.left = OUTPUT_LIMIT
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        piece = text[:self.left]  # no copy of a huge string beyond the budget
        data = piece.encode("utf-8", "replace")[:self.left]
        self.left -= len(data)
        self.dropped += len(text) - len(piece)
        while data:
            data = data[os.write(1, data):]
        return len(text)

    def fileno(self) -> int:
        return 1

    def reset(self) -> None:
        """A fresh budget; the bytes dropped in the last invocation are noted in the log."""
        if self.dropped:
            note = f"\n[labkit] {self.dropped} characters of output dropped ({OUTPUT_LIMIT} bytes kept per invocation)"
            os.write(1, (note + "\n").encode())
        self.left, self.dropped = OUTPUT_LIMIT, 0


def read_frame(fd: int) -> Any:
    """The next frame's JSON, or None at end of file (the parent closed its end)."""
    header = read_exact(fd, _HEADER.size)
    if header is None:
        return None
    body = read_exact(fd, _HEADER.unpack(header)[0])
    return None if body is None else json.loads(body)


def read_exact(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def write_frame(fd: int, body: bytes) -> None:
    data = _HEADER.pack(len(body)) + body
    while data:
        data = data[os.write(fd, data):]


def error_body(exc: BaseException) -> dict[str, Any]:
    """Lambda's error document for an exception the handler raised.
    https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html"""
    return {"errorMessage": str(exc), "errorType": type(exc).__name__,
            "stackTrace": traceback.format_tb(handler_frames(exc))}


def handler_frames(exc: BaseException) -> Any:
    """The traceback from the handler's frame on (without this runtime's own)."""
    tb = exc.__traceback__
    return tb.tb_next if tb is not None and tb.tb_next is not None else tb


def load_handler(config: dict[str, Any]) -> Any:
    """Import the handler's module from the package directory, as /var/task."""
    module_path, _, function_name = config["handler"].rpartition(".")
    if not module_path or not function_name:
        raise ValueError(f"handler must look like 'module.function', got {config['handler']!r}")
    root = config["package_dir"]
    source = os.path.join(root, *module_path.split(".")) + ".py"
    if not os.path.exists(source):
        raise FileNotFoundError(f"No module named '{module_path}' in the deployment package")
    sys.path.insert(0, root)
    spec = importlib.util.spec_from_file_location(module_path, source)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_path] = module
    spec.loader.exec_module(module)
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise AttributeError(f"Handler '{function_name}' missing on module '{module_path}'")
    return handler


def invoke(handler: Any, context: LambdaContext, request: dict[str, Any], memory: PeakMemory) -> bytes:
    """Run one invocation; the response frame's body (its output or its error, and what it used)."""
    context.aws_request_id = request["id"]
    context.deadline = request["deadline"]
    started = time.perf_counter()
    fatal = False
    try:
        result = handler(request["event"], context)
        try:
            body = b'{"payload":' + json.dumps(result).encode() + b"}"
        except (TypeError, ValueError) as exc:
            # https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html: the result must be JSON-serializable
            body = json.dumps({"error": {"errorMessage": f"Unable to marshal response: {exc}",
                                         "errorType": "Runtime.MarshalError"}}).encode()
    except MemoryError as exc:
        # Beyond its memory the environment is gone, as Lambda ends one that exceeds MemorySize.
        fatal = True
        body = json.dumps({"error": {
            "errorType": "Runtime.OutOfMemory",
            "errorMessage": f"RequestId: {request['id']} Error: Runtime exited with error: signal: killed"},
            "trace": "".join(traceback.format_exception_only(type(exc), exc))}).encode()
    except Exception as exc:  # the handler's own error: Lambda's "Unhandled" function error
        error = error_body(exc)
        trace = "".join(traceback.format_exception(type(exc), exc, handler_frames(exc)))
        body = json.dumps({"error": error, "trace": trace}, default=str).encode()
    elapsed = (time.perf_counter() - started) * 1000
    used = memory.update()
    return body[:-1] + b',"ms":%.2f,"mem":%d,"fatal":%s}' % (elapsed, used, b"true" if fatal else b"false")


class PeakMemory:
    """Max Memory Used: the largest resident set seen at the end of an invocation (a cheap read of
    statm, not status), or the kernel's peak (ru_maxrss) once it exceeds what this process inherited
    (Linux keeps the forking parent's peak across exec)."""

    def __init__(self) -> None:
        self._statm = os.open("/proc/self/statm", os.O_RDONLY) if os.path.exists("/proc/self/statm") else -1
        self._page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
        self._inherited_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.mb = 0

    def update(self) -> int:
        if self._statm >= 0:
            self.mb = max(self.mb, int(int(os.pread(self._statm, 128, 0).split()[1]) * self._page_mb))
        kernel = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if kernel > self._inherited_kb or self._statm < 0:
            self.mb = max(self.mb, kernel // 1024)
        return self.mb


def main(request_fd: int, response_fd: int) -> None:
    """Init, then the invocation loop until the parent closes the request pipe."""
    config = read_frame(request_fd)
    if config is None:
        return
    limit = config.get("address_space")
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a notebook's interrupt is for the kernel, not its workers
    output = BoundedOutput()
    sys.stdout = sys.stderr = output
    os.chdir(config["package_dir"])
    started = time.perf_counter()
    try:
        handler = load_handler(config)
    except Exception as exc:  # the Init phase failed: Runtime.ImportModuleError, as Lambda reports it
        output.reset()
        write_frame(response_fd, json.dumps({"init_error": {
            "errorMessage": f"Unable to import module '{config['handler']}': {exc}",
            "errorType": "Runtime.ImportModuleError"}}).encode())
        return
    output.reset()
    write_frame(response_fd, json.dumps({"init_ms": (time.perf_counter() - started) * 1000}).encode())
    context, memory = LambdaContext(config), PeakMemory()
    while True:
        request = read_frame(request_fd)
        if request is None:
            return
        try:
            body = invoke(handler, context, request, memory)
        except SystemExit as exc:  # sys.exit() in a handler ends the runtime: Runtime.ExitError
            output.reset()
            code = exc.code
            if code is not None and not isinstance(code, int):
                os.write(2, f"{code}\n".encode())
                code = 1
            os._exit(code or 0)
        output.reset()
        write_frame(response_fd, body)
        if b'"fatal":true' in body[-40:]:
            os._exit(137)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
