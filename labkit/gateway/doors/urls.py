"""The one parser from a URL (or a Host header and a path) to a `Request`, and the host patterns.

A stage is reached at `https://{api_id}.execute-api.{region}.amazonaws.com/{stage}/path` (AWS), at
LocalStack's `/restapis/{api_id}/{stage}/_user_request_/path` (the local server), or through a custom
domain name: `https://{domain}/{basePath}/path`, or the local server's `/_domains/{domain}/...`.
https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..http import Headers, Request, split_query

_HOST = r"(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com"
EXECUTE_API_HOST = re.compile(rf"^{_HOST}(:\d+)?$", re.I)
# A whole URL on an execute-api host (what the `requests` interception in a moto lab answers).
EXECUTE_API_URL = re.compile(rf"^https?://{_HOST}(:\d+)?(/.*)?$", re.I)
_EXECUTE_API_SUFFIX = re.compile(r"\.execute-api\.[a-z0-9-]+\.amazonaws\.com$", re.I)
LOCAL_STAGE_PATH = re.compile(r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?$")
# The local server's way to reach a custom domain without DNS or a Host header (Lab.domain_url).
LOCAL_DOMAIN_PATH = re.compile(r"^/_domains/(?P<domain>[^/]+)(?P<path>/.*)?$")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

Domains = Callable[[], Mapping[str, Any]]


def is_execute_api_host(host: str) -> bool:
    """Whether `host` (a name, with or without a port) is an execute-api endpoint: a stage's default
    one, or a private API's VPC endpoint name (`{api}-{vpce}.execute-api...`)."""
    return _EXECUTE_API_SUFFIX.search(host_name(host)) is not None


def host_name(host: str) -> str:
    """A Host header's name without its port, lower-case (`[::1]:80` keeps its brackets off)."""
    if host.startswith("["):
        return host[1:host.find("]")].lower() if "]" in host else host.lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def domain_of(host: str) -> str:
    """`$context.domainName` for a Host header: without its port (`[::1]:8080` -> `[::1]`), the
    caller's spelling kept; 127.0.0.1 for a request without one."""
    if not host:
        return "127.0.0.1"
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() and not host.endswith("]") else host


def locate_stage(host: str, path: str) -> tuple[str, str, str] | None:
    """(api id, stage, path after the stage) of a request on the local server's path or on an
    execute-api host; None for anything else (a custom domain, say)."""
    local = LOCAL_STAGE_PATH.match(path)
    if local:
        return local.group("api"), local.group("stage"), local.group("path") or "/"
    found = EXECUTE_API_HOST.match(host)
    if not found:
        return None
    # Slashes before the stage collapse (test_apigateway_lambda.snapshot.json::test_lambda_aws_proxy_integration,
    # invocation-payload-with-prepended-slash-to-stage); the ones after it stay in the path.
    segments = ("/" + path.lstrip("/")).split("/", 2)
    return found.group("api"), segments[1] if len(segments) > 1 else "", "/" + (segments[2] if len(segments) > 2 else "")


def request_for(method: str, host: str, path: str, query: str, headers: Mapping[str, str] | Headers | None,
                body: bytes, *, source_ip: str = "127.0.0.1", domains: Domains | None = None) -> Request | None:
    """The Request for `method host path?query`, or None when it names no stage and no custom domain.

    `domains`: the backend's custom domain names; with it, a host must be one of them; without it
    (the HTTP server), any host that is not loopback is taken as a custom domain, and the endpoint
    step answers an unknown one as AWS does."""
    hdrs = headers.copy() if isinstance(headers, Headers) else Headers(headers or {})
    located = locate_stage(host, path)
    if located is not None:
        api_id, stage, rest = located
        return Request(method=method.upper(), api_id=api_id, stage=stage, path=rest, query=split_query(query),
                       headers=hdrs, body=body, source_ip=source_ip, domain_name=domain_of(host))
    local = LOCAL_DOMAIN_PATH.match(path)
    if local:
        return domain_request(method, local.group("domain"), local.group("path") or "/", query, hdrs, body,
                              source_ip=source_ip)
    name = host_name(host)
    if not name or name in LOOPBACK or is_execute_api_host(name):
        return None
    if domains is not None and name not in _known(domains):
        return None
    return domain_request(method, name, path, query, hdrs, body, source_ip=source_ip)


def request_from_url(method: str, url: str, headers: Mapping[str, str] | Headers | None, body: bytes, *,
                     source_ip: str = "127.0.0.1", domains: Domains | None = None) -> Request:
    """Parse a stage or custom-domain URL; a URL that names neither raises ValueError."""
    parts = urlsplit(url)
    found = request_for(method, parts.netloc, parts.path or "/", parts.query, headers, body, source_ip=source_ip,
                        domains=domains or dict)
    if found is None:
        raise ValueError(f"url must be a stage URL (https://{{api_id}}.execute-api.{{region}}.amazonaws.com/"
                         f"{{stage}}/... or .../restapis/{{api_id}}/{{stage}}/_user_request_/...) or a custom "
                         f"domain name's URL, got {url!r}")
    return found


def domain_request(method: str, domain_name: str, path: str, query: str, headers: Mapping[str, str] | Headers | None,
                   body: bytes, *, source_ip: str = "127.0.0.1") -> Request:
    """A request to `https://{domain_name}{path}`: no API yet (`api_id == ""`); the endpoint step maps
    it through the domain's base path mappings."""
    hdrs = headers.copy() if isinstance(headers, Headers) else Headers(headers or {})
    return Request(method=method.upper(), api_id="", stage="", path=path or "/", query=split_query(query),
                   headers=hdrs, body=body, source_ip=source_ip, domain_name=host_name(domain_name))


def _known(domains: Domains) -> Mapping[str, Any]:
    try:
        return domains()
    except Exception:  # a backend without the API (or a failing call) knows no domain
        return {}
