"""`python -m labkit doctor`: is this machine ready for the lab kit, and if not, what exactly to do.

In the spirit of the ipywidgets tutorial's `install_check.py` and `python -m requests.help`: every
check prints what it found, and a failed check prints its fix.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import socket
import sys
import textwrap
import time
import urllib.parse
from typing import Any

Check = tuple[str, bool, str]

MIN_PYTHON = (3, 11)
BACKENDS = ("moto", "server", "aws")
INSTALL_FIX = "run `make lab`, or `pip install -e .` in the kit's folder"
# import name -> distribution name
DEPENDENCIES = {
    "boto3": "boto3",
    "botocore": "botocore",
    "moto": "moto",
    "requests": "requests",
    "responses": "responses",
    "werkzeug": "werkzeug",
    "ipywidgets": "ipywidgets",
    "matplotlib": "matplotlib",
    "jupyterlab": "jupyterlab",
    "airspeed": "airspeed",
}
# Checks whose failure is a warning: the kit still runs, something looks worse.
ADVISORY = {"JupyterLab widgets extension"}

AWS_COST_NOTE = (
    "With LABKIT_BACKEND=aws the kit creates real resources in your AWS account, with your default AWS "
    "credentials, and AWS bills what they use: REST API requests ($3.50 per million in us-east-1), a stage "
    "cache by the hour for as long as it exists, Lambda and CloudWatch Logs beyond the free tier; a lab "
    "usually costs cents. Everything is tagged labkit:lab and deleted by lab.close() or "
    "`python -m labkit cleanup`. To opt in: export LABKIT_ALLOW_AWS=1. "
    "Pricing: https://aws.amazon.com/api-gateway/pricing/"
)


def _python() -> Check:
    version = platform.python_version()
    if sys.version_info[:2] >= MIN_PYTHON:
        return "Python", True, f"{version} ({sys.executable})"
    need = ".".join(map(str, MIN_PYTHON))
    return "Python", False, f"{version} is too old: install Python {need} or newer, then `make lab`"


def _dependency(module: str, dist: str) -> Check:
    try:
        mod = importlib.import_module(module)
    except Exception as err:  # noqa: BLE001 - any import failure is the finding
        return module, False, f"cannot import ({err}): {INSTALL_FIX}"
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        version = getattr(mod, "__version__", "unknown version")
    return module, True, version


def _backend(lab: Any = None) -> list[Check]:
    """The backend the environment (or the given lab) chose, and whether it can be used."""
    if lab is not None:
        backend = getattr(lab, "backend", "?")
        endpoint = getattr(lab, "endpoint_url", None)
        source = f"lab {getattr(lab, 'lab_id', '')}".strip()
    else:
        backend = (os.environ.get("LABKIT_BACKEND") or "moto").lower()
        endpoint = os.environ.get("LABKIT_ENDPOINT_URL") or None
        source = "LABKIT_BACKEND" if os.environ.get("LABKIT_BACKEND") else "default"
    if backend not in BACKENDS:
        return [("backend", False, f"LABKIT_BACKEND={backend!r} is not one of {', '.join(BACKENDS)}: unset it for moto")]

    checks: list[Check] = []
    where = {
        "moto": "in this process; no AWS account, nothing leaves the machine",
        "server": f"a moto/LocalStack server at {endpoint}" if endpoint else "a moto server the lab starts on 127.0.0.1",
        "aws": "real AWS, region "
        + (os.environ.get("LABKIT_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"),
    }[backend]
    checks.append(("backend", True, f"{backend} ({source}): {where}"))
    if backend == "server" and endpoint:
        checks.append(_reachable(endpoint))

    allowed = os.environ.get("LABKIT_ALLOW_AWS") == "1"
    if backend == "aws":
        detail = "LABKIT_ALLOW_AWS=1 is set" if allowed else "LABKIT_ALLOW_AWS=1 is not set. " + AWS_COST_NOTE
        checks.append(("AWS opt-in", allowed, detail))
    else:
        checks.append(("AWS opt-in", True, f"not needed: the backend is {backend}"))
    return checks


def _reachable(endpoint: str) -> Check:
    """Whether something listens at the server endpoint (a TCP connect; `requests` may be mocked)."""
    url = urllib.parse.urlsplit(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", port), timeout=2):
            return "server reachable", True, endpoint
    except OSError as err:
        return "server reachable", False, (
            f"nothing answers at {endpoint} ({err}): start it (`moto_server -p {port}` or LocalStack), "
            "or unset LABKIT_ENDPOINT_URL to let the lab start its own"
        )


def _widgets_extension() -> Check:
    name = "JupyterLab widgets extension"
    try:
        importlib.import_module("jupyterlab_widgets")
        return name, True, importlib.metadata.version("jupyterlab_widgets")
    except Exception:  # noqa: BLE001
        return name, False, f"jupyterlab_widgets is missing, so widgets show as text: {INSTALL_FIX}"


def _moto_round_trip() -> Check:
    """Create and delete a REST API under moto in-process, and time it."""
    name = "moto round trip"
    try:
        import boto3
        from moto import mock_aws
        from moto.moto_api._internal import mock_random

        # Inside an open lab, moto's state is shared: keep its seeded ids where they were.
        state = mock_random.getstate()
        started = time.perf_counter()
        with mock_aws():
            session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
            apigw = session.client("apigateway")
            api = apigw.create_rest_api(name="labkit-doctor")
            apigw.delete_rest_api(restApiId=api["id"])
        elapsed = time.perf_counter() - started
        mock_random.setstate(state)
    except Exception as err:  # noqa: BLE001
        return name, False, f"{type(err).__name__}: {err}: {INSTALL_FIX}"
    return name, True, f"created and deleted a REST API in {elapsed * 1000:.0f} ms"


def _lab_round_trip(lab: Any) -> Check:
    """A read-only call through the lab's own client (free on AWS too)."""
    try:
        started = time.perf_counter()
        lab.client("apigateway").get_rest_apis(limit=1)
        return "lab client", True, f"get_rest_apis answered in {(time.perf_counter() - started) * 1000:.0f} ms"
    except Exception as err:  # noqa: BLE001
        return "lab client", False, f"{type(err).__name__}: {err}"


def _local_port() -> Check:
    """The local gateway and moto server listen on 127.0.0.1."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        return "local port", True, f"127.0.0.1 can listen (got port {port})"
    except OSError as err:
        return "local port", False, f"cannot listen on 127.0.0.1 ({err}): lab.serve() and the server backend need it"


def report(lab: Any = None) -> list[Check]:
    """Every check as (name, ok, detail); `detail` says what was found, or the fix when not ok."""
    checks = [_python()]
    checks += [_dependency(module, dist) for module, dist in DEPENDENCIES.items()]
    checks.append(_widgets_extension())
    checks += _backend(lab)
    checks.append(_moto_round_trip())
    if lab is not None:
        checks.append(_lab_round_trip(lab))
    checks.append(_local_port())
    return checks


def essential_ok(checks: list[Check]) -> bool:
    """Whether every check that matters passed (advisory ones only warn)."""
    return all(ok for name, ok, _ in checks if name not in ADVISORY)


def format_table(checks: list[Check], width: int = 110) -> str:
    """The checks as a plain-text table that reads well in a terminal and in a notebook."""
    name_width = max(len(name) for name, _, _ in checks)
    indent = " " * (2 + 6 + name_width + 2)
    rows = []
    for name, ok, detail in checks:
        mark = "ok" if ok else ("warn" if name in ADVISORY else "FAIL")
        lines = textwrap.wrap(detail, width=max(40, width - len(indent)), break_on_hyphens=False) or [""]
        rows.append(f"  {mark:<5} {name:<{name_width}}  {lines[0]}")
        rows += [indent + line for line in lines[1:]]
    return "\n".join(rows)


def main() -> int:
    """Print the checks; exit status 0 when every essential check passed."""
    print("labkit doctor: is this machine ready for the API Gateway Lab Kit?")
    print(f"  {platform.platform()}, Python {platform.python_version()} ({platform.python_implementation()})\n")
    checks = report()
    print(format_table(checks))
    failed = [name for name, ok, _ in checks if not ok and name not in ADVISORY]
    print()
    if failed:
        print(f"{len(failed)} essential check(s) failed: {', '.join(failed)}. Fix them and run `python -m labkit doctor` again.")
        return 1
    print("All essential checks passed. Open the notebooks with `make lab`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
