"""LocalStack as a second control plane: install it in its own venv, start it on 127.0.0.1, run a
command against it, stop it (shared/reference/localstack-recipe.md).

    python tools/localstack.py install              # .localstack/venv, pinned (tools/localstack/requirements.txt)
    python tools/localstack.py run -- pytest ...    # start, run with LABKIT_* pointing at it, stop

The command runs with LABKIT_BACKEND=server, LABKIT_ENDPOINT_URL and LABKIT_TEST_ENDPOINT_URL set to
the LocalStack URL; its exit status is this script's. LocalStack's own state lives in a temporary
folder removed at the end: every run starts from an empty control plane.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / ".localstack"
VENV = HOME / "venv"
REQUIREMENTS = ROOT / "tools" / "localstack" / "requirements.txt"
STAMP = VENV / ".installed"
SERVICES = "apigateway,sts,iam,lambda,sqs,s3,logs,cloudwatch,events,stepfunctions,firehose,dynamodb,route53,acm"
START_TIMEOUT = 120.0


def install() -> None:
    """Create the venv and install the pinned LocalStack unless the requirements are unchanged."""
    if STAMP.exists() and STAMP.read_text() == REQUIREMENTS.read_text():
        return
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    STAMP.write_text(REQUIREMENTS.read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(scratch: Path, port: int) -> subprocess.Popen:
    """Start LocalStack on 127.0.0.1:`port` with the hypercorn server (the default one binds 0.0.0.0)."""
    # TMPDIR too: LocalStack keeps state (CloudWatch's metrics database) under {tempdir}/localstack and
    # clears that folder when it starts, so two instances sharing /tmp break each other.
    (scratch / "tmp").mkdir()
    env = {**os.environ, "LS_LOG": "warn", "GATEWAY_SERVER": "hypercorn", "GATEWAY_LISTEN": f"127.0.0.1:{port}",
           "DNS_ADDRESS": "0", "SERVICES": SERVICES, "DISABLE_EVENTS": "1", "SKIP_SSL_CERT_DOWNLOAD": "1",
           "LOCALSTACK_VOLUME_DIR": str(scratch / "volume"), "FILESYSTEM_ROOT": str(scratch / "fs"),
           "TMPDIR": str(scratch / "tmp")}
    log = open(scratch / "localstack.log", "wb")
    process = subprocess.Popen([str(VENV / "bin" / "python"), "-m", "localstack.runtime.main"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/_localstack/health"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"LocalStack exited with {process.returncode}:\n{(scratch / 'localstack.log').read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise RuntimeError(f"LocalStack did not answer {url} within {START_TIMEOUT:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Stop LocalStack and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run(command: list[str]) -> int:
    """Run `command` against a fresh LocalStack; returns its exit status."""
    install()
    scratch = Path(tempfile.mkdtemp(prefix="labkit-localstack-"))
    port = free_port()
    process = start(scratch, port)
    url = f"http://127.0.0.1:{port}"
    print(f"LocalStack {url} (log: {scratch / 'localstack.log'})", flush=True)
    try:
        env = {**os.environ, "LABKIT_BACKEND": "server", "LABKIT_ENDPOINT_URL": url, "LABKIT_TEST_ENDPOINT_URL": url}
        return subprocess.run(command, env=env).returncode
    finally:
        stop(process)
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        install()
        return 0
    if argv[:1] == ["run"] and "--" in argv:
        return run(argv[argv.index("--") + 1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
