"""Answers plain `requests` calls to execute-api URLs inside a moto lab with the kit's gateway.

moto routes `requests` through the `responses` library; a `responses.CallbackResponse` on the
execute-api host pattern takes precedence over moto's own (moto-5.2-notes, section 2). URLs on the
lab's custom domain names (create_domain_name) are answered too; every other URL is left alone.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import responses

from labkit.gateway.doors.urls import EXECUTE_API_URL
from labkit.gateway.endpoints import known_domains
from labkit.gateway.engine import Gateway
from labkit.gateway.http import as_bytes

ANY_HTTP_URL = re.compile(r"https?://[^/?#]+([/?#].*)?$")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class Interception:
    """`requests` to execute-api URLs and the lab's custom domains answered by `gateway` until `close()`."""

    def __init__(self, gateway: Gateway) -> None:
        self._registered = install(gateway)

    def close(self) -> None:
        """Remove the callbacks from moto's responses mock (safe to call twice)."""
        registered, self._registered = self._registered, []
        uninstall(registered)


def install(gateway: Gateway) -> list[Any]:
    """Register the gateway for every HTTP method on moto's responses mock; returns what to remove."""
    from moto.core.models import responses_mock

    registered = []
    for method in METHODS:
        callback = responses.CallbackResponse(method=method, url=EXECUTE_API_URL,
                                              callback=lambda request: _answer(gateway, request))
        responses_mock.add(callback)
        registered.append(callback)
    # Custom domain names the backend knows (`https://api.example.com/v1/pets`); other URLs are untouched.
    for method in METHODS:
        callback = responses.CallbackResponse(method=method, url=ANY_HTTP_URL, match=[_custom_domain(gateway)],
                                              callback=lambda request: _answer(gateway, request))
        responses_mock.add(callback)
        registered.append(callback)
    return registered


def _custom_domain(gateway: Gateway) -> Any:
    """A responses matcher: does the request's host name one of the backend's custom domain names?"""
    def matches(request: Any) -> tuple[bool, str]:
        host = (urlsplit(str(request.url)).hostname or "").lower()
        if host and host in known_domains(gateway.source):
            return True, ""
        return False, f"{host} is not a custom domain name of this lab"

    return matches


def uninstall(registered: list[Any]) -> None:
    from moto.core.models import responses_mock

    for callback in registered:
        try:
            responses_mock.remove(callback)
        except Exception:
            pass


def _answer(gateway: Gateway, prepared: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    body = prepared.body
    if hasattr(body, "read"):
        body = body.read()
    response = gateway.invoke(prepared.method, prepared.url, headers=dict(prepared.headers), body=as_bytes(body))
    return response.status_code, response.headers.items_list(), response.body
