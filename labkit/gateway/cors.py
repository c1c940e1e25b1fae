"""A browser's CORS check, for notebooks: would a page on `origin` get to read this response?

The gateway itself has no CORS logic: REST APIs answer preflights only through the OPTIONS method
you define (labkit.apis.enable_cors), and API Gateway's own errors carry CORS headers only when the
DEFAULT_4XX/5XX gateway responses add them. This module applies what the browser then does, after
the Fetch standard's CORS protocol (https://fetch.spec.whatwg.org/#http-cors-protocol):

1. A request needs a preflight unless it is "simple": GET, HEAD or POST, only CORS-safelisted
   headers, and a Content-Type of application/x-www-form-urlencoded, multipart/form-data or
   text/plain. Credentials do not trigger a preflight.
2. The preflight (OPTIONS) must answer with an ok status (200-299) and pass the CORS check; its
   `Access-Control-Allow-Methods` must list the method (or `*` without credentials; GET, HEAD and
   POST are always allowed) and `Access-Control-Allow-Headers` every non-safelisted header (or `*`
   without credentials; `Authorization` is never covered by `*`).
3. The CORS check on a response: `Access-Control-Allow-Origin` must be `*` (only without
   credentials) or exactly the origin; with credentials `Access-Control-Allow-Credentials` must be
   `true`.
https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})
# https://fetch.spec.whatwg.org/#cors-safelisted-request-header (values are checked only for Content-Type)
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type", "range"})
SIMPLE_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})


def needs_preflight(method: str, request_headers: Mapping[str, str] | Iterable[str]) -> bool:
    """Does a browser send an OPTIONS preflight before this request?"""
    return method.upper() not in SIMPLE_METHODS or bool(_unsafe_headers(request_headers))


def browser_check(origin: str, method: str, request_headers: Mapping[str, str] | Iterable[str] | None,
                  preflight_response: Any, actual_response: Any, *,
                  credentials: bool = False) -> tuple[bool, str]:
    """(allowed, reason): would a page on `origin` read `actual_response` to `method` with `request_headers`?

    `preflight_response` and `actual_response` are anything with `status_code` and `headers` (the
    kit's Response, a `requests` response); `preflight_response` may be None when no preflight was
    sent (then a request that needs one is refused). `credentials`: the page sent cookies or HTTP
    auth (`fetch(..., {credentials: "include"})`).
    """
    if not isinstance(origin, str) or "://" not in origin:
        raise ValueError(f"origin must be an origin like 'https://app.example.com', got {origin!r}")
    method = method.upper()
    headers = request_headers or {}
    if needs_preflight(method, headers):
        if preflight_response is None:
            return False, f"{method} with headers {sorted(_unsafe_headers(headers))} needs a preflight, and none was answered"
        status = int(preflight_response.status_code)
        if not 200 <= status < 300:
            return False, f"preflight answered {status}, not an ok status (2xx)"
        ok, reason = _cors_check(origin, preflight_response.headers, credentials, "preflight")
        if not ok:
            return False, reason
        allowed_methods = _tokens(_header(preflight_response.headers, "Access-Control-Allow-Methods"))
        if method not in SIMPLE_METHODS and method not in {m.upper() for m in allowed_methods} and \
                not ("*" in allowed_methods and not credentials):
            return False, (f"preflight Access-Control-Allow-Methods {sorted(allowed_methods) or '(missing)'} "
                           f"does not list {method}")
        allowed_headers = {h.lower() for h in _tokens(_header(preflight_response.headers,
                                                              "Access-Control-Allow-Headers"))}
        for name in sorted(_unsafe_headers(headers)):
            wildcard = "*" in allowed_headers and not credentials and name != "authorization"
            if name not in allowed_headers and not wildcard:
                return False, f"preflight Access-Control-Allow-Headers does not list {name}"
    if actual_response is None:
        return False, "no response to check"
    ok, reason = _cors_check(origin, actual_response.headers, credentials, "response")
    if not ok:
        return False, reason
    return True, f"{origin} may read the {int(actual_response.status_code)} response"


def _cors_check(origin: str, headers: Any, credentials: bool, what: str) -> tuple[bool, str]:
    allow_origin = _header(headers, "Access-Control-Allow-Origin")
    if allow_origin is None:
        return False, f"{what} has no Access-Control-Allow-Origin header"
    allow_origin = allow_origin.strip()
    if allow_origin == "*":
        if credentials:
            return False, f"{what} allows origin '*', which browsers refuse for requests with credentials"
    elif allow_origin != origin:
        return False, f"{what} Access-Control-Allow-Origin is {allow_origin!r}, not {origin!r}"
    if credentials and (_header(headers, "Access-Control-Allow-Credentials") or "").strip() != "true":
        return False, f"{what} lacks Access-Control-Allow-Credentials: true for a request with credentials"
    return True, ""


def _unsafe_headers(request_headers: Mapping[str, str] | Iterable[str]) -> set[str]:
    """Header names (lower-case) outside the CORS-safelist: they need the preflight's approval."""
    items = request_headers.items() if isinstance(request_headers, Mapping) else ((h, None) for h in request_headers)
    unsafe = set()
    for name, value in items:
        low = name.lower()
        if low not in SAFELISTED_HEADERS:
            unsafe.add(low)
        elif low == "content-type" and value is not None and \
                value.split(";")[0].strip().lower() not in SIMPLE_CONTENT_TYPES:
            unsafe.add(low)
    return unsafe


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    try:
        value = headers.get(name)
    except AttributeError:
        value = None
    if value is None and isinstance(headers, Mapping):
        low = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == low), None)
    return value


def _tokens(value: str | None) -> set[str]:
    return {t.strip() for t in (value or "").split(",") if t.strip()}
