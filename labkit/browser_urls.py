"""Where a learner's browser reaches a port the kit listens on (127.0.0.1 of the kernel's machine).

On a laptop that is the plain loopback URL. When the kernel runs inside a Jupyter server, notably on a
JupyterHub, 127.0.0.1 is the server's machine, not the learner's: the browser goes through
jupyter-server-proxy instead, at ``<server prefix>proxy/<port>/``, which forwards to the port on the
server's loopback with the learner's Jupyter login.
https://jupyter-server-proxy.readthedocs.io/en/latest/arbitrary-ports-hosts.html
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib


def server_prefix() -> str | None:
    """The URL prefix of the Jupyter server this kernel runs in ('/user/ada/', or an absolute URL when
    the hub knows its public address), or None outside a Jupyter server or without jupyter-server-proxy.

    JupyterHub gives every user's server JUPYTERHUB_SERVICE_PREFIX, and JUPYTERHUB_PUBLIC_URL when the
    hub's public_url is configured (https://jupyterhub.readthedocs.io/en/stable/reference/spawners.html).
    A plain Jupyter server is found by the runtime file it writes, jpserver-<pid>.json, for the kernel's
    parent process (https://jupyter-server.readthedocs.io/en/latest/operators/public-server.html).
    """
    if not proxy_installed():
        return None
    hub = os.environ.get("JUPYTERHUB_PUBLIC_URL") or os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if hub:
        return _with_slash(hub)
    info = jupyter_server_info(os.getppid())
    return _with_slash(str(info.get("base_url") or "/")) if info is not None else None


def browser_url(port: int) -> str:
    """The URL (no trailing slash) at which a browser reaches `port`: proxied inside a Jupyter server,
    else http://127.0.0.1:<port>. A proxied URL may be origin-relative ('/user/ada/proxy/41234'):
    it works as a link in JupyterLab, and after the hub's address in a new tab."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be between 1 and 65535, got {port!r}")
    prefix = server_prefix()
    if prefix is None:
        return f"http://127.0.0.1:{port}"
    return f"{prefix}proxy/{port}"


def proxy_installed() -> bool:
    """Whether jupyter-server-proxy is installed beside the kit (it is one of the kit's dependencies)."""
    return importlib.util.find_spec("jupyter_server_proxy") is not None


def jupyter_server_info(pid: int) -> dict | None:
    """The runtime file of the Jupyter server with process id `pid` (in jupyter_core's runtime
    directory, which JUPYTER_RUNTIME_DIR overrides), or None when there is none."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return None
    path = pathlib.Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json"
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
