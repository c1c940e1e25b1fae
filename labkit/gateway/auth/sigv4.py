"""Signature Version 4 with hashlib and hmac: canonical request, string to sign, signing key, signature.

What AWS_IAM methods recompute to check a caller's signature (the client signs with any SDK).
https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def canonical_uri(path: str) -> str:
    """The path with dot segments and empty segments removed, URI-encoded once more (every service
    but S3 encodes the already-encoded path again)."""
    if not path:
        return "/"
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    normalized = ("/" if path.startswith("/") else "") + "/".join(kept) + ("/" if path.endswith("/") and kept else "")
    return quote(normalized or "/", safe="/~")


def canonical_query(query: str) -> str:
    """The query's `name=value` pairs (as the client encoded them) sorted by name, then value."""
    if not query:
        return ""
    pairs = [pair.partition("=")[::2] for pair in query.split("&")]
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """(canonical headers block, signed headers list): names lower-cased and sorted, values with
    runs of spaces folded to one."""
    lowered = {name.lower().strip(): " ".join(str(value).split()) for name, value in headers.items()}
    names = sorted(lowered)
    return "".join(f"{name}:{lowered[name]}\n" for name in names), ";".join(names)


def canonical_request(method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> str:
    """Method, canonical URI, canonical query, canonical headers, signed headers and payload hash."""
    block, signed = canonical_headers(headers)
    payload = next((v for k, v in headers.items() if k.lower() == "x-amz-content-sha256"), None)
    if payload is None:
        payload = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
    return "\n".join([method.upper(), canonical_uri(path), canonical_query(query), block, signed, payload])


def credential_scope(amz_date: str, region: str, service: str) -> str:
    return f"{amz_date[:8]}/{region}/{service}/aws4_request"


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    return "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """HMAC chain: "AWS4"+secret → date → region → service → "aws4_request"."""
    key = ("AWS4" + secret_access_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature(secret_access_key: str, amz_date: str, region: str, service: str, canonical: str) -> str:
    """The hex signature of a canonical request made at `amz_date` (YYYYMMDDTHHMMSSZ)."""
    text = string_to_sign(amz_date, credential_scope(amz_date, region, service), canonical)
    return hmac.new(signing_key(secret_access_key, amz_date[:8], region, service), text.encode(),
                    hashlib.sha256).hexdigest()
