"""A real JupyterHub on 127.0.0.1, for `make test-hub` and for a trainer trying the kit behind a hub.

    python tools/local_hub.py --users 3        # prints the hub's URL and each learner's login link

What it runs: jupyterhub (PyPI) with configurable-http-proxy (npm), the dummy authenticator and the
simple local process spawner: each learner's server runs as this OS user, with a home of its own under
a temporary folder. Every port is on 127.0.0.1. JupyterHub's REST API:
https://jupyterhub.readthedocs.io/en/stable/reference/rest-api.html
"""

from __future__ import annotations

import argparse
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping

import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHP_DIR = ROOT / ".hub"  # `make test-hub` installs configurable-http-proxy here with npm
SERVICE = "labkit-hub-driver"

CONFIG = """\
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {public_port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.JupyterHub.pid_file = "{state}/jupyterhub.pid"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = "{state}/proxy.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{homes}/{{username}}"
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.services = [{{"name": "{service}", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "admin", "services": ["{service}"]}}]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chp() -> str:
    """configurable-http-proxy: the copy `make test-hub` installed in .hub/, else one on PATH."""
    local = CHP_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    found = str(local) if local.exists() else shutil.which("configurable-http-proxy")
    if not found:
        raise FileNotFoundError("configurable-http-proxy not found: `make test-hub` installs it "
                                "(npm install --prefix .hub configurable-http-proxy)")
    return found


class LocalHub:
    """A JupyterHub and its proxy on 127.0.0.1; `close()` stops the learners' servers, the hub and the proxy."""

    def __init__(self, python: str | None = None, environment: Mapping[str, str] | None = None,
                 password: str = "labkit") -> None:
        """`python`: the learners' environment (its jupyterhub-singleuser); the hub runs from this one."""
        self.python = python or sys.executable
        learner_bin, bin_dir = pathlib.Path(self.python).parent, pathlib.Path(sys.executable).parent
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="labkit-hub-"))
        self.homes = self.tmp / "home"
        self.homes.mkdir()
        self.public_port, self.hub_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.public_port}"
        self.password = password
        self.token = secrets.token_hex(32)
        config = self.tmp / "jupyterhub_config.py"
        config.write_text(CONFIG.format(
            public_port=self.public_port, hub_port=self.hub_port, proxy_api_port=self.proxy_api_port,
            state=self.tmp, homes=self.homes, chp=find_chp(), password=password,
            singleuser=str(learner_bin / "jupyterhub-singleuser"), environment=dict(environment or {}),
            service=SERVICE, token=self.token,
            args=["--allow-root"] if os.geteuid() == 0 else []))  # a CI container runs as root
        self.log = open(self.tmp / "jupyterhub.log", "wb")
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        self.process = subprocess.Popen([str(bin_dir / "jupyterhub"), "-f", str(config)], cwd=self.tmp, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"token {self.token}"
        try:
            self._wait_until_up()
        except BaseException:
            self.close()
            raise

    def _wait_until_up(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self.api.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"jupyterhub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        return "\n".join((self.tmp / "jupyterhub.log").read_text(errors="replace").splitlines()[-lines:])

    def hub_api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """A call to the hub's REST API as the admin service."""
        response = self.api.request(method, f"{self.url}/hub/api{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response

    def add_learner(self, name: str, timeout: float = 180.0) -> str:
        """Create `name`, start their server and wait until it is ready; returns a token of theirs."""
        self.hub_api("POST", f"/users/{name}")
        self.hub_api("POST", f"/users/{name}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.hub_api("GET", f"/users/{name}").json().get("servers", {}).get("", {})
            if server.get("ready"):
                break
            time.sleep(0.5)
        else:
            raise TimeoutError(f"{name}'s server was not ready within {timeout:.0f} s:\n{self.log_tail()}")
        return self.hub_api("POST", f"/users/{name}/tokens", json={"note": "labkit hub test"}).json()["token"]

    def home(self, name: str) -> pathlib.Path:
        return self.homes / name

    def process_ids(self) -> list[int]:
        """The hub, the proxy, the learners' servers and kernels, and whatever they started."""
        import psutil

        try:
            root = psutil.Process(self.process.pid)
            return [root.pid] + [p.pid for p in root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def close(self) -> None:
        """Stop the learners' servers through the hub, then the hub and its proxy; safe to call twice."""
        if self.process.poll() is None:
            try:
                for user in self.hub_api("GET", "/users").json():
                    if user.get("servers"):
                        self.api.delete(f"{self.url}/hub/api/users/{user['name']}/server", timeout=30)
            except requests.RequestException:
                pass
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever is left of the session it started
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=3, help="learners to create and start (1-50; default 3)")
    parser.add_argument("--python", default=None,
                        help="the learners' Python (e.g. .hub/user-env/bin/python from tools/user_env.py); "
                             "default: this one")
    args = parser.parse_args()
    if not 1 <= args.users <= 50:
        parser.error(f"--users must be between 1 and 50, got {args.users}")
    hub = LocalHub(python=args.python)
    try:
        for i in range(1, args.users + 1):
            name = f"learner{i}"
            hub.add_learner(name)
            print(f"{name}: {hub.url}/hub/login (user {name}, password {hub.password})")
        print(f"Hub on {hub.url}; Ctrl-C stops it and every learner's server.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        hub.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
