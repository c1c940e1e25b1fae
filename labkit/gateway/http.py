"""The request and response every door into the gateway speaks (httpx's transport seam)."""

from __future__ import annotations

import json as _json
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class Headers(MutableMapping[str, str]):
    """Case-insensitive HTTP headers that keep the caller's spelling and repeated values."""

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        self._items: list[tuple[str, str]] = []
        if items is None:
            return
        pairs = items.items() if isinstance(items, Mapping) else items
        for name, value in pairs:
            self.add(name, value)

    def add(self, name: str, value: Any) -> None:
        """Append a value, keeping earlier values of the same header."""
        self._items.append((str(name), _text(value)))

    def getlist(self, name: str) -> list[str]:
        low = name.lower()
        return [v for k, v in self._items if k.lower() == low]

    def items_list(self) -> list[tuple[str, str]]:
        """Every (name, value) pair in order, repeats included."""
        return list(self._items)

    def __getitem__(self, name: str) -> str:
        values = self.getlist(name)
        if not values:
            raise KeyError(name)
        return ", ".join(values) if len(values) > 1 else values[0]

    def __setitem__(self, name: str, value: Any) -> None:
        low = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != low]
        self._items.append((str(name), _text(value)))

    def __delitem__(self, name: str) -> None:
        low = name.lower()
        if not any(k.lower() == low for k, _ in self._items):
            raise KeyError(name)
        self._items = [(k, v) for k, v in self._items if k.lower() != low]

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for k, _ in self._items:
            if k.lower() not in seen:
                seen.add(k.lower())
                yield k

    def __len__(self) -> int:
        return len({k.lower() for k, _ in self._items})

    def copy(self) -> Headers:
        return Headers(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self)!r})"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Request:
    """One HTTP request as it reaches the gateway.

    `path` is the path after the stage (`/pets/1`); `api_id` and `stage` say which deployed
    stage is asked. `source_ip` and `vpce_id` describe the caller for policies and logs.
    """

    method: str
    api_id: str
    stage: str
    path: str = "/"
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    vpce_id: str | None = None
    domain_name: str = ""
    base_path: str | None = None  # the custom domain's base path mapping that matched (endpoints.py)
    raw_path: str | None = None  # the path as sent to a custom domain, base path included

    @property
    def query_dict(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k, v in self.query:
            out.setdefault(k, []).append(v)
        return out


@dataclass
class Response:
    """What the gateway answers: status, case-insensitive headers, body bytes."""

    status_code: int
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    latency: float = 0.0  # seconds the caller waited (simulated on the virtual clock)
    integration_latency: float = 0.0
    execution_log: list[str] = field(default_factory=list, repr=False)
    gateway_response: str | None = None  # the gateway response type when API Gateway answered itself

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return _json.loads(self.body or b"null")

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


def split_query(query_string: str) -> list[tuple[str, str]]:
    """Parse a raw query string the way API Gateway does: URL-decoded, blanks kept."""
    return parse_qsl(query_string, keep_blank_values=True)


def as_bytes(body: bytes | str | dict | list | None) -> bytes:
    """Accept a body as bytes, text, or JSON-able data."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return _json.dumps(body).encode("utf-8")


def url_path_and_query(url: str) -> tuple[str, str, str]:
    """(host, path, query) of a URL."""
    parts = urlsplit(url)
    return parts.netloc, parts.path or "/", parts.query
