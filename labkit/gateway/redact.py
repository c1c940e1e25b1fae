"""Credentials a caller sent never reach an execution log in clear: they are masked as AWS masks them.

AWS: "API Gateway redacts authorization headers, API key values, and similar sensitive request
parameters from the logged data."
https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-execution-logging.html
The mask is the form AWS's execution logs show for an API key, ten asterisks and the last six
characters (`**********F0yrv6`, https://repost.aws/knowledge-center/api-gateway-429-limit); the kit
uses it for every such value, keeps an Authorization value's scheme (`Bearer **********c2VjcmV0`)
so a learner can tell which kind was sent, and hides a short value whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .http import Headers

# Header names (and the proxy/authorizer event fields that carry them) whose values are credentials.
SENSITIVE_NAMES = frozenset({"authorization", "proxy-authorization", "x-api-key", "x-amz-security-token",
                             "authorizationtoken", "apikey"})
SHOWN = 6            # trailing characters AWS leaves visible
SHOWN_FROM = 20      # ... of a value at least this long (an API key has 20 or more characters); shorter: none
_STARS = "*" * 10
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9-]*) +(\S.*)$", re.S)
# In free text: a token after an HTTP auth scheme, a JSON field of a sensitive name, a canonical-request line.
# Only "Bearer" in free text: "Basic" is also an ordinary word ("Basic plan").
_TEXT_TOKEN = re.compile(r"(?i)\b(bearer)( +)([A-Za-z0-9._~+/=-]{4,})")
_TEXT_JSON = re.compile(r'(?i)("(?:' + "|".join(map(re.escape, sorted(SENSITIVE_NAMES))) + r')"\s*:\s*")((?:[^"\\]|\\.)*)(")')
_TEXT_LINE = re.compile(r"(?im)^(authorization|x-api-key|x-amz-security-token):(.+)$")


def mask(value: str) -> str:
    """A credential as AWS's logs show it: `**********` and, for a long value, its last six characters."""
    return _STARS + (value[-SHOWN:] if len(value) >= SHOWN_FROM else "")


def mask_credential(value: str) -> str:
    """An Authorization-style value masked, its scheme (`Bearer`, `AWS4-HMAC-SHA256`) kept."""
    scheme = _SCHEME.match(value)
    return f"{scheme.group(1)} {mask(scheme.group(2))}" if scheme else mask(value)


def redacted(value: Any, name: str = "") -> Any:
    """`value` (headers, an event, a body) with every credential in it masked; other values unchanged."""
    if name.lower() in SENSITIVE_NAMES:
        if isinstance(value, (list, tuple)):
            return [mask_credential(str(v)) for v in value]
        if value is not None:
            return mask_credential(value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray))
                                   else str(value))
    if isinstance(value, Headers):
        return Headers([(k, redacted(v, k)) for k, v in value.items_list()])
    if isinstance(value, Mapping):
        return {k: redacted(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, (bytes, bytearray)):
        return redact_text(value.decode("utf-8", "replace"))
    return value


def redact_text(text: str) -> str:
    """Free text (a body, a formatted line) with bearer tokens, sensitive JSON fields and
    canonical-request header lines masked."""
    if not text:
        return text
    text = _TEXT_JSON.sub(lambda m: m.group(1) + mask_credential(m.group(2)) + m.group(3), text)
    text = _TEXT_LINE.sub(lambda m: f"{m.group(1)}:{mask(m.group(2))}", text)
    return _TEXT_TOKEN.sub(lambda m: m.group(1) + m.group(2) + mask(m.group(3)), text)
