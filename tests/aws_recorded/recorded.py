"""What the recorded-behaviour tests share: a local HTTP backend for a handler class, and the client
headers the header-remapping recordings send.

The headers are recorded values (test_apigateway_integrations.snapshot.json::
TestApiGatewayHeaderRemapping, the requests of test_apigateway_header_remapping_*); the code is ours.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Every standard header the remapping recordings send, with the values they send.
CLIENT_HEADERS = {
    "Accept": "application/json", "Accept-Charset": "UTF-8", "Accept-Encoding": "br", "Age": "request_Age",
    "Authorization": "Unauthorized", "Connection": "close", "Content-Encoding": "deflate",
    "Content-MD5": "request_Content-MD5", "Content-Type": "application/json", "Date": "request_Date",
    "Expect": "100-continue", "Max-Forwards": "2", "Pragma": "cache", "Proxy-Authenticate": "Basic",
    "Range": "bytes=500-999", "Referer": "https://example.com/", "Server": "https://example.com/",
    "TE": "deflate", "Trailer": "Expires", "Transfer-Encoding": "chunked", "Upgrade": "HTTP/2.0",
    "User-Agent": "localStack/0.0", "Via": "p.example.net", "Warn": "299 localStack/0.0",
    "WWW-Authenticate": "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
}


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` on 127.0.0.1 in a thread: yields the base URL (no trailing slash), then stops it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def role_arn(account_id: str, name: str) -> str:
    """An integration's credentials in the backend's own account (moto 123456789012, LocalStack
    000000000000): a role of another account is refused as a cross-account pass role."""
    return f"arn:aws:iam::{account_id}:role/{name}"
