"""The request and response every door into the gateway speaks (httpx's transport seam)."""

from __future__ import annotations

import json as _json
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class Headers(MutableMapping[str, str]):
    """Case-insensitive HTTP headers that keep the caller's spelling and repeated values.

    `_items` keeps every (name, value) in order; `_index` maps each lower-case name to the caller's
    first spelling and its values, so a lookup does not scan (the pipeline reads ~10 headers a request).
    """

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        self._items: list[tuple[str, str]] = []
        self._index: dict[str, tuple[str, list[str]]] = {}
        if items is None:
            return
        if not isinstance(items, (list, tuple)) and isinstance(items, Mapping):  # pairs skip the ABC check
            items = items.items()
        for name, value in items:
            self.add(name, value)

    def add(self, name: str, value: Any) -> None:
        """Append a value, keeping earlier values of the same header."""
        if type(name) is not str:
            name = str(name)
        if type(value) is not str:
            value = _text(value)
        self._items.append((name, value))
        low = name.lower()
        found = self._index.get(low)
        if found is None:
            self._index[low] = (name, [value])
        else:
            found[1].append(value)

    def getlist(self, name: str) -> list[str]:
        found = self._index.get(name.lower())
        return list(found[1]) if found is not None else []

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        """The header's value (repeated values joined by ", "), or `default` when absent."""
        found = self._index.get(name.lower())
        if found is None:
            return default
        values = found[1]
        return values[0] if len(values) == 1 else ", ".join(values)

    def spelling(self, name: str) -> str | None:
        """How the caller first spelled the header `name` (any case), or None if absent."""
        found = self._index.get(name.lower())
        return found[0] if found is not None else None

    def items_list(self) -> list[tuple[str, str]]:
        """Every (name, value) pair in order, repeats included."""
        return list(self._items)

    def __getitem__(self, name: str) -> str:
        found = self._index.get(name.lower())
        if found is None:
            raise KeyError(name)
        values = found[1]
        return values[0] if len(values) == 1 else ", ".join(values)

    def __contains__(self, name: object) -> bool:
        return name.lower() in self._index  # type: ignore[attr-defined]

    def __setitem__(self, name: str, value: Any) -> None:
        low = name.lower()
        if low in self._index:
            self._replace([(k, v) for k, v in self._items if k.lower() != low])
        self.add(name, value)

    def __delitem__(self, name: str) -> None:
        low = name.lower()
        if low not in self._index:
            raise KeyError(name)
        self._replace([(k, v) for k, v in self._items if k.lower() != low])

    def _replace(self, items: list[tuple[str, str]]) -> None:
        self._items, self._index = [], {}
        for name, value in items:
            self.add(name, value)

    def __iter__(self) -> Iterator[str]:
        return iter([spelling for spelling, _ in self._index.values()])

    def __len__(self) -> int:
        return len(self._index)

    def copy(self) -> Headers:
        """An independent copy (cloned without re-parsing: a cache hit copies its stored headers)."""
        new = Headers.__new__(Headers)
        new._items = list(self._items)
        new._index = {low: (name, list(values)) for low, (name, values) in self._index.items()}
        return new

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
    cache_status: str | None = None  # HIT or MISS when the stage cache took part (as the metrics count it)
    trace: Any = field(default=None, repr=False, compare=False)  # trace.Trace: who answered and why (handle sets it)

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
