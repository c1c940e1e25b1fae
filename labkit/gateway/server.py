"""The gateway over HTTP on 127.0.0.1, for curl, browsers and load tools.

Paths follow LocalStack's `/restapis/{api_id}/{stage}/_user_request_/{path}`, so tools written for
it work; a request whose Host is `{api_id}.execute-api.{region}.amazonaws.com` is routed as on AWS.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from .engine import EXECUTE_API_HOST, LOCAL_PATH, Gateway
from .http import Headers, Request, split_query

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def wsgi_app(gateway: Gateway):  # type: ignore[no-untyped-def]
    """A WSGI application answering every request through `gateway.handle`."""

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        incoming = WsgiRequest(environ)
        path = incoming.path
        local = LOCAL_PATH.match(path)
        host = EXECUTE_API_HOST.match(incoming.host or "")
        if local:
            api_id, stage, rest = local.group("api"), local.group("stage"), local.group("path") or "/"
        elif host:
            api_id = host.group("api")
            segments = path.split("/", 2)
            stage = segments[1] if len(segments) > 1 else ""
            rest = "/" + (segments[2] if len(segments) > 2 else "")
        else:
            body = json.dumps({"message": "Use /restapis/{api_id}/{stage}/_user_request_/{path}"})
            return WsgiResponse(body, status=404, content_type="application/json")(environ, start_response)
        request = Request(
            method=incoming.method, api_id=api_id, stage=stage, path=rest,
            query=split_query(incoming.query_string.decode("latin-1")),
            headers=Headers(incoming.headers.items()), body=incoming.get_data(),
            source_ip=incoming.remote_addr or "127.0.0.1", domain_name=incoming.host.split(":")[0],
        )
        answer = gateway.handle(request)
        response = WsgiResponse(answer.body, status=answer.status_code)
        response.headers.clear()
        for name, value in answer.headers.items_list():
            response.headers.add(name, value)
        return response(environ, start_response)

    return app


class _QuietHandler(WSGIRequestHandler):
    """No request lines on stderr: they would land in notebook outputs."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


@dataclass
class RunningServer:
    """A gateway being served; `url` is its base, `stop()` ends it."""

    url: str
    port: int
    _server: BaseWSGIServer
    _thread: threading.Thread

    def stage_url(self, api_id: str, stage: str) -> str:
        return f"{self.url}/restapis/{api_id}/{stage}/_user_request_"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve(gateway: Gateway, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve `gateway` in a background thread on a loopback address (port 0 picks a free one)."""
    if host not in LOOPBACK:
        raise ValueError(f"host must be a loopback address ({', '.join(sorted(LOOPBACK))}); the kit never "
                         f"listens beyond this machine, got {host!r}")
    if not 0 <= port <= 65535:
        raise ValueError(f"port must be between 0 and 65535, got {port}")
    server = make_server(host, port, wsgi_app(gateway), threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="labkit-gateway", daemon=True)
    thread.start()
    bound = server.server_port
    shown = "127.0.0.1" if host == "localhost" else host
    return RunningServer(f"http://{shown}:{bound}", bound, server, thread)
