"""Lab: where the AWS calls go (moto in-process, a moto/LocalStack server, or real AWS), and what
the lab created, so that `close()` removes it all.

One notebook runs unchanged on all three: `LABKIT_BACKEND` (moto | server | aws) and
`LABKIT_ENDPOINT_URL` choose the backend from outside.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import socket
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import boto3
import botocore.session
from botocore.config import Config

from . import browser_urls, functions
from .capabilities import Capabilities
from .backends.moto import MotoBackend, patches
from .backends.remote import Boto3Source, account_of
from .backends.services import BotoServices
from .gateway import Gateway
from .gateway.clock import Clock
from .gateway.doors.server import RunningServer, serve
from .gateway.ports import DefinitionSource, FunctionCode
from .ledger import Ledger, count_deleted
from .ledger.owner import resolve_owner

BACKENDS = ("moto", "server", "aws")
_OBSERVED_SERVICES = {"logs", "cloudwatch", "firehose", "xray", "s3"}  # where the gateway's logs, metrics, traces land
MOTO_ACCOUNT_ID = "123456789012"
_T = TypeVar("_T")


class Lab:
    """A place to build API Gateway APIs: hands out boto3 clients, a local gateway, and cleans up.

    >>> with Lab() as lab:                      # moto in-process, no AWS account needed
    ...     apigw = lab.client("apigateway")
    """

    def __init__(self, backend: str | None = None, *, endpoint_url: str | None = None, region: str | None = None,
                 profile: str | None = None, seed: int | None = 0, lab_id: str | None = None,
                 ledger_dir: str | None = None, verbose: bool = True, owner: str | None = None) -> None:
        backend = (backend or os.environ.get("LABKIT_BACKEND") or "moto").lower()
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        self.backend = backend
        self.region = region or os.environ.get("LABKIT_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        check_region(self.region)
        self.endpoint_url = endpoint_url or os.environ.get("LABKIT_ENDPOINT_URL") or None
        self.lab_id = lab_id or f"lab-{time.strftime('%Y%m%d')}-{secrets.token_hex(3)}"
        # Whose lab this is (tag labkit:owner): on a shared account, a clean-up deletes only its owner's labs.
        self.owner = resolve_owner(owner)
        self.seed = seed
        self._verbose = verbose
        self._clients: dict[str, Any] = {}
        self._client_lock = threading.Lock()
        self._servers: list[RunningServer] = []
        self._sample_backends: list[Any] = []  # sample_backend(): stopped by close()
        self._gateway_server: RunningServer | None = None
        self._moto_server: Any = None
        self._mock: Any = None
        self._moto: MotoBackend | None = None  # the in-process moto adapter (source, interception, test-invoke)
        self._test_invoke_gateway: Gateway | None = None
        self._remote: Boto3Source | None = None  # the source over boto3 (a server or AWS); it watches our clients
        self._closed = False
        self._cell_marks: list[int] = []
        self._gateways: weakref.WeakSet[Gateway] = weakref.WeakSet()
        self._flushing = False
        self._gateway_count = 0
        self.account_id = MOTO_ACCOUNT_ID
        # The zips of the functions this lab creates; their execution role is the lab's own.
        self.functions = functions.FunctionStore(functions.role_name_for(self.lab_id))
        self._memo: dict[Hashable, Any] = {}  # memo(): what the simulators and widget labs keep per lab

        if backend == "aws" and os.environ.get("LABKIT_ALLOW_AWS") != "1":
            raise PermissionError(
                "Lab(backend='aws') acts in a real AWS account and may cost money. Set LABKIT_ALLOW_AWS=1 to "
                "opt in; lab.close() (or `python -m labkit cleanup`) deletes what the lab creates.")
        patches.install()  # before a ThreadedMotoServer builds its routing table
        try:
            self._session = self._start(profile)
            self.ledger = Ledger(self.lab_id, ledger_dir, where=self.where, persist=backend != "moto", owner=self.owner)
            self._services = BotoServices(self.client)
            self.capabilities = Capabilities(self.client, self._backend_label(), probe=backend != "moto")
            self._gateway = Gateway(self._source(), seed=seed, services=self._services,
                                    timed_flush=backend != "moto")
            self._wire_moto()
        except BaseException:
            self._stop_backend()
            if hasattr(self, "_gateway"):
                self._close_gateways()
            self.functions.close()
            raise
        atexit.register(self.close)
        self._watch_cells()
        # No gc.freeze() here. Measured with a MOCK stage (requests.get, gw.invoke, lab.serve()), a live
        # request's p99 is ~1 ms with and without it: a full collection comes ~1 in 10^4 requests (its
        # pause ~180 ms unfrozen, ~80 ms frozen). The widgets freeze once per process (widgets/base.py).

    # --- backends ---------------------------------------------------------------------------------

    def _start(self, profile: str | None) -> boto3.Session:
        if self.backend == "moto":
            from moto import mock_aws

            # Functions run in the kit (no Docker); state machines really execute (a Wait state waits).
            self._mock = mock_aws(config={"lambda": {"use_docker": False},
                                          "stepfunctions": {"execute_state_machine": True}})
            self._mock.start()
            if self.seed is not None:
                from moto.moto_api._internal import mock_random

                mock_random.seed(self.seed)  # stable API, resource and deployment ids in notebooks
            return _fake_session(self.region)
        if self.backend == "server":
            if self.endpoint_url is None:
                from moto.server import ThreadedMotoServer

                port = _free_port()
                logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request lines in notebook output
                self._moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
                self._moto_server.start()
                self.endpoint_url = f"http://127.0.0.1:{port}"
                if self.seed is not None:
                    import requests

                    requests.post(f"{self.endpoint_url}/moto-api/seed?a={self.seed}", timeout=5)
            session = _fake_session(self.region)
            sts = session.client("sts", region_name=self.region, endpoint_url=self.endpoint_url)
            try:
                self.account_id = account_of(sts)  # moto's 123456789012, LocalStack's 000000000000
            finally:
                sts.close()
            return session
        session = boto3.Session(profile_name=profile, region_name=self.region)
        account = session.client("sts").get_caller_identity()["Account"]
        self.account_id = account
        self._say(f"Lab {self.lab_id} (owner {self.owner}) will act in AWS account {account} ({self.region}). "
                  "lab.close() deletes what it creates.")
        return session

    def _kit_function_code(self, function_arn: str) -> FunctionCode | None:
        """A function this lab created, as the gateway runs it (for one the backend cannot hand over)."""
        found = self.functions.code_for(function_arn)
        if found is None:
            return None
        return FunctionCode(function_arn, found.zip_bytes, found.handler, dict(found.environment or {}),
                            float(found.timeout))

    def _source(self) -> DefinitionSource:
        if self.backend == "moto" or (self.backend == "server" and self._moto_server is not None):
            # moto runs in this process: read it directly
            self._moto = MotoBackend(self.account_id, self.region, self._kit_function_code)
            return self._moto.source
        self._remote = Boto3Source(self.client, kit_functions=self._kit_function_code, account_id=self.account_id)
        for client in list(self._clients.values()):
            self._remote.watch(client)
        return self._remote

    def _wire_moto(self) -> None:
        """In-process moto: plain `requests` reach the gateway (moto lab), and TestInvokeMethod is
        answered by a gateway of this lab (its own ids, seed 0, so notebooks print the same)."""
        if self._moto is None:
            return
        if self.backend == "moto":
            self._moto.intercept(self._gateway)
        self._test_invoke_gateway = Gateway(self._gateway.source, seed=0, services=self._services,
                                            lambdas=self._gateway.lambdas, timed_flush=False)
        self._moto.answer_test_invoke(self._test_invoke_gateway)

    def supports(self, feature: str) -> bool:
        """Does this backend have `feature` (see labkit.capabilities.FEATURES)? If not, print one
        sentence saying so: a notebook cell that needs it skips its step instead of failing."""
        self._check_open()
        return self.capabilities.supports(feature)

    def _backend_label(self) -> str:
        """How a capability note names this backend: LocalStack answers /_localstack/health."""
        if self.backend == "moto":
            return "moto"
        if self.backend == "aws":
            return f"AWS ({self.region})"
        try:
            import requests

            if requests.get(f"{self.endpoint_url}/_localstack/health", timeout=2).ok:
                return "LocalStack"
        except requests.RequestException:
            pass
        return f"The server at {self.endpoint_url}"

    @property
    def where(self) -> str:
        """Which backend this is, as ledgers record it: `moto`, `server:{url}` or `aws:{account}:{region}`."""
        if self.backend == "aws":
            return f"aws:{self.account_id}:{self.region}"
        if self.backend == "server":
            return f"server:{self.endpoint_url}"
        return "moto"

    # --- what a learner uses ------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        """A plain boto3 client bound to this lab's backend (what it creates is tagged and recorded)."""
        self._check_open()
        with self._client_lock:
            if service not in self._clients:
                kwargs: dict[str, Any] = {"region_name": self.region}
                if self.backend == "server":
                    kwargs["endpoint_url"] = self.endpoint_url
                    kwargs["config"] = Config(retries={"max_attempts": 1})
                client = self._session.client(service, **kwargs)
                self.ledger.attach(client)
                if service in _OBSERVED_SERVICES:
                    # Logs, metrics and traces are written before a lab client reads them. In a moto lab
                    # this replaces the timer, so a notebook prints the same outputs every run (moto's
                    # seeded ids are not consumed mid-cell); elsewhere it adds to it.
                    client.meta.events.register("before-call", self._flush_before_read)
                if self._remote is not None:
                    self._remote.watch(client)  # the lab's own writes are seen at once (no stale view)
                self._clients[service] = client
            return self._clients[service]

    def gateway(self, clock: Clock | None = None, **options: Any) -> Gateway:
        """The local gateway: the lab's live one, or a new one on `clock` (e.g. a VirtualClock)."""
        self._check_open()
        if clock is None and not options:
            return self._gateway
        options.setdefault("services", self._services)
        options.setdefault("lambdas", self._gateway.lambdas)  # one set of warm function instances per lab
        options.setdefault("timed_flush", self.backend != "moto")
        self._gateway_count += 1
        seed = self.seed + self._gateway_count if self.seed is not None else None  # each gateway its own ids
        gateway = Gateway(self._gateway.source, clock=clock, seed=options.pop("seed", seed), **options)
        self._gateways.add(gateway)
        return gateway

    def stage_url(self, api_id: str, stage: str) -> str:
        """The URL at which `stage` answers: AWS's own form in a moto lab (plain `requests` reach the
        kit's gateway) and on AWS; the kit's local HTTP gateway on a server backend."""
        if self.backend in ("moto", "aws"):
            return f"https://{api_id}.execute-api.{self.region}.amazonaws.com/{stage}"
        if self._gateway_server is None:
            self._gateway_server = self.serve()
        return self._gateway_server.stage_url(api_id, stage)

    def domain_url(self, domain_name: str, base_path: str = "") -> str:
        """The URL at which a custom domain name's base path answers on this backend.

        moto and AWS: `https://{domain_name}/{base_path}` (in a moto lab plain `requests` reach the
        kit's gateway; on AWS the name needs its DNS record). Server backend: the kit's local HTTP
        gateway at `{server}/_domains/{domain_name}/{base_path}`, usable from curl and browsers without
        DNS; sending `Host: {domain_name}` to the server's root works too.
        """
        base = "" if base_path in ("", "(none)", None) else "/" + base_path.strip("/")
        if self.backend in ("moto", "aws"):
            return f"https://{domain_name}{base}"
        if self._gateway_server is None:
            self._gateway_server = self.serve()
        return f"{self._gateway_server.url}/_domains/{domain_name}{base}"

    def serve(self, port: int = 0) -> RunningServer:
        """Serve the gateway over HTTP on 127.0.0.1 (for curl, browsers, load tools). Its `url` is for
        code on this machine; `browser_url` for the learner's browser, proxied on a JupyterHub."""
        self._check_open()
        server = serve(self._gateway, "127.0.0.1", port)
        server.browser_url = browser_urls.browser_url(server.port)
        self._servers.append(server)
        return server

    # --- sample backend (labkit/sample_backend.py) ------------------------------------------------------

    def sample_backend(self) -> Any:
        """Start the pet-store sample backend on 127.0.0.1 (a free port); `close()` stops it.

        Returns a `labkit.sample_backend.SampleBackend` with `.url` and `.stop()`. On real AWS an HTTP
        integration cannot reach 127.0.0.1: use a backend reachable from the internet there."""
        self._check_open()
        from . import sample_backend

        backend = sample_backend.start()
        self._sample_backends.append(backend)
        return backend

    # --- end of sample backend -------------------------------------------------------------------

    def lambda_function(self, name: str, source_or_callable: str | Callable[..., Any], handler: str = "index.handler",
                        **options: Any) -> str:
        """Create a Python Lambda function in the backend from source text or a function; returns its ARN."""
        created = self.functions.create_function(self.client("lambda"), self.client("iam"), name, source_or_callable,
                                                 handler=handler, **options)
        return created["FunctionArn"]

    def memo(self, key: Hashable, factory: Callable[[], _T]) -> _T:
        """What `factory` made for this lab under `key`, made once (the simulators' and widget labs' APIs):
        the lab owns it and drops it on close(), so no module keeps state per lab."""
        self._check_open()
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]

    # --- clean-up -----------------------------------------------------------------------------------

    def close(self) -> list[str]:
        """Delete everything the lab created, stop what it started; safe to call twice."""
        if self._closed:
            return []
        lines: list[str] = []
        test_invoke = [self._test_invoke_gateway] if self._test_invoke_gateway is not None else []
        for gateway in [self._gateway, *self._gateways, *test_invoke]:
            try:
                gateway.flush()  # a notebook never loses a log line: write what is buffered first
            except Exception:
                pass
        try:
            lines = self.ledger.delete_all(self.client)
        finally:
            self._closed = True
            self._memo.clear()
            self.capabilities.close()
            self._unwatch_cells()
            self._stop_backend()
            self._close_gateways()
            self.functions.close()
            atexit.unregister(self.close)
        if self.backend == "aws":
            self._say(f"Deleted {count_deleted(lines)} resources; nothing of lab {self.lab_id} is left.")
        return lines

    def _close_gateways(self) -> None:
        """Close every gateway the lab made (their timers, pools, caches; the live one's function runner)."""
        for gateway in [*self._gateways, self._gateway]:
            try:
                gateway.close()
            except Exception:
                pass  # flushed before the ledger ran; what a closed lab's clients cannot write is gone
        self._gateways = weakref.WeakSet()

    def _stop_backend(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers.clear()
        self._gateway_server = None
        for backend in self._sample_backends:  # Lab.sample_backend()
            backend.stop()
        self._sample_backends.clear()
        if self._moto is not None:  # interception, test-invoke handler and moto listeners
            self._moto.close()
            self._moto = None
        if self._test_invoke_gateway is not None:
            try:
                self._test_invoke_gateway.close()
            except Exception:
                pass  # flushed before the ledger ran, as the other gateways (_close_gateways)
            self._test_invoke_gateway = None
        with self._client_lock:
            for client in self._clients.values():
                client.close()  # their connection pools (a server's or AWS's endpoints)
            self._clients.clear()
        if self._moto_server is not None:
            self._moto_server.stop()
            self._moto_server = None
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    @property
    def closed(self) -> bool:
        """Whether close() has run (a closed lab hands out nothing)."""
        return self._closed

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = {"moto": "moto in this process", "server": f"server {self.endpoint_url}",
                 "aws": f"AWS {self.region}"}[self.backend]
        return f"<Lab {where}{' (closed)' if self._closed else ''}>"

    # --- helpers ------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this Lab is closed; create a new Lab()")

    def _say(self, text: str) -> None:
        if self._verbose:
            print(text)

    def _flush_before_read(self, **_: Any) -> None:
        if self._flushing or self._closed:
            return
        self._flushing = True
        try:
            for gateway in [self._gateway, *self._gateways]:
                gateway.flush()
        finally:
            self._flushing = False

    def _watch_cells(self) -> None:
        """In Jupyter, a cell that raises has what it created deleted: no orphans from a failed cell."""
        shell = _ipython()
        if shell is None:
            return
        shell.events.register("pre_run_cell", self._pre_cell)
        shell.events.register("post_run_cell", self._post_cell)

    def _unwatch_cells(self) -> None:
        shell = _ipython()
        if shell is None:
            return
        for name, fn in (("pre_run_cell", self._pre_cell), ("post_run_cell", self._post_cell)):
            try:
                shell.events.unregister(name, fn)
            except ValueError:
                pass

    def _pre_cell(self, *_: Any) -> None:
        self._cell_marks = [len(self.ledger.entries())]

    def _post_cell(self, result: Any) -> None:
        if self._closed or not self._cell_marks or result is None or result.error_in_exec is None:
            return
        removed = self.ledger.delete_since(self._cell_marks[0], self.client)
        if removed:
            print(f"The cell failed; removed what it created: {', '.join(removed)}")


def api_gateway_regions() -> list[str]:
    """The Regions (every partition) where botocore knows an API Gateway endpoint."""
    session = botocore.session.get_session()
    return sorted({region for partition in session.get_available_partitions()
                   for region in session.get_available_regions("apigateway", partition_name=partition)})


def check_region(region: str) -> None:
    """Refuse a Region AWS does not have, naming the parameter (moto would fail later with a bare KeyError)."""
    known = api_gateway_regions()
    if not isinstance(region, str) or region not in known:
        raise ValueError(f"region must be an AWS Region with API Gateway, one of {', '.join(known)}; got {region!r}")


def _fake_session(region: str) -> boto3.Session:
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                         aws_session_token="testing", region_name=region)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ipython() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
