"""Answers plain `requests` calls to execute-api URLs inside a moto lab with the kit's gateway.

moto routes `requests` through the `responses` library; a `responses.CallbackResponse` on the
execute-api host pattern takes precedence over moto's own (moto-5.2-notes, section 2).
"""

from __future__ import annotations

import re
from typing import Any

import responses

from .engine import Gateway
from .http import as_bytes

EXECUTE_API_URL = re.compile(r"https?://[a-zA-Z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(:\d+)?(/.*)?$")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def install(gateway: Gateway) -> list[Any]:
    """Register the gateway for every HTTP method on moto's responses mock; returns what to remove."""
    from moto.core.models import responses_mock

    registered = []
    for method in METHODS:
        callback = responses.CallbackResponse(method=method, url=EXECUTE_API_URL,
                                              callback=lambda request: _answer(gateway, request))
        responses_mock.add(callback)
        registered.append(callback)
    return registered


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
