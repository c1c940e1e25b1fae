"""Mapping templates: Velocity (VTL) with API Gateway's `$input`, `$util`, `$context`, `$stageVariables`.

The engine is airspeed, a maintained Python implementation of Velocity (LocalStack uses it too).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import airspeed
from jsonpath_ng.ext import parse as _jsonpath_parse

from .responses import GatewayError
from .vtl import UNDEFINED, ContextMap, JavaMap, Namespace, prepare, to_java


@lru_cache(maxsize=512)
def _compile(template: str) -> airspeed.Template:
    return airspeed.Template(prepare(template))


@lru_cache(maxsize=512)
def _jsonpath(expression: str) -> Any:
    return _jsonpath_parse(expression)


def json_path(document: Any, expression: str) -> Any:
    """Evaluate a JSONPath (`$`, `$.pets[0].name`) the way `$input.path` does."""
    if expression in ("$", ""):
        return document
    matches = [m.value for m in _jsonpath(expression).find(document)]
    if not matches:
        return None
    return matches[0] if len(matches) == 1 else matches


class InputVariable:
    """`$input`: the payload and the method request parameters."""

    def __init__(self, body: str, params: Mapping[str, Mapping[str, str]]) -> None:
        # An empty payload reads as an empty JSON object, `$input.body` included.
        # test_apigateway_common.snapshot.json::...::TestApiGatewayCommon::test_input_body_formatting
        self.body = body or "{}"
        self._params = params
        self._parsed: Any = ...

    def _document(self) -> Any:
        if self._parsed is ...:
            try:
                self._parsed = json.loads(self.body)
            except ValueError:
                self._parsed = self.body
        return self._parsed

    def json(self, expression: str = "$") -> str:
        return json.dumps(json_path(self._document(), expression))

    def path(self, expression: str = "$") -> Any:
        """The value at a JSONPath as Java objects (an object prints as `{foo=bar}`); nothing there
        (or null) is an undefined reference.
        test_apigateway_common.snapshot.json::...::TestApiGatewayCommon::test_input_path_template_formatting"""
        value = json_path(self._document(), expression)
        return UNDEFINED if value is None else to_java(value)

    def params(self, name: str | None = None) -> Any:
        if name is None:
            return JavaMap({k: JavaMap(v) for k, v in self._params.items()})
        for location in ("path", "querystring", "header"):
            values = self._params.get(location, {})
            if name in values:
                return values[name]
            if location == "header":
                for key, value in values.items():
                    if key.lower() == name.lower():
                        return value
        return ""


class UtilVariable:
    """`$util`: the helper functions AWS offers in templates."""

    @staticmethod
    def escapeJavaScript(value: Any) -> str:  # noqa: N802 - AWS's names
        text = json.dumps(_text(value))[1:-1]
        return text.replace("'", "\\'")

    @staticmethod
    def parseJson(value: str) -> Any:  # noqa: N802
        return to_java(json.loads(value))

    @staticmethod
    def urlEncode(value: str) -> str:  # noqa: N802
        """Java's URLEncoder: a space is `+`; letters, digits and `.-*_` stay; a null encodes to nothing.
        test_apigateway_common.snapshot.json::...::TestApiGatewayCommon::test_input_body_formatting
        (`{"some": "value"}` is `%7B%22some%22%3A+%22value%22%7D`)"""
        return quote_plus(_text(value), safe="*").replace("~", "%7E")

    @staticmethod
    def urlDecode(value: str) -> str:  # noqa: N802
        return unquote_plus(_text(value))

    @staticmethod
    def base64Encode(value: Any) -> str:  # noqa: N802
        data = value if isinstance(value, bytes) else _text(value).encode()
        return base64.b64encode(data).decode()

    @staticmethod
    def base64Decode(value: str) -> str:  # noqa: N802
        return base64.b64decode(_text(value)).decode("utf-8", errors="replace")


def _text(value: Any) -> str:
    """An argument as the Java string it would be; a null argument is empty."""
    return "" if value is None else str(value)


def _context_map(value: Any) -> Any:
    """`$context` as a map of maps (keySet, get); a map already owned by the call (the overrides the
    templates write) is kept as it is, so a request template's #set reaches the response template."""
    if isinstance(value, ContextMap):
        return value
    if isinstance(value, Mapping):
        return ContextMap({k: _context_map(v) for k, v in value.items()})
    return value


def render(template: str, *, body: str, params: Mapping[str, Mapping[str, str]],
           context: Mapping[str, Any], stage_variables: Mapping[str, str]) -> str:
    """Render one mapping template; a template that does not parse is a configuration error (500)."""
    if "$" not in template and "#" not in template:
        return template  # static text: nothing for Velocity to do
    namespace = Namespace({
        "input": InputVariable(body, params),
        "util": UtilVariable(),
        "context": _context_map(context),
        "stageVariables": JavaMap(stage_variables),
    })
    try:
        return _compile(template).merge(namespace)
    except Exception as exc:  # airspeed raises its own TemplateSyntaxError and friends
        raise GatewayError("API_CONFIGURATION_ERROR",
                           log=f"Execution failed due to configuration error: Unable to transform request: {exc}") from exc


def select_template(templates: Mapping[str, str | None] | None, content_type: str | None) -> tuple[bool, str | None]:
    """(matched, template) for a Content-Type; no Content-Type counts as application/json."""
    if not templates:
        return False, None
    media = (content_type or "application/json").split(";")[0].strip().lower()
    for key, template in templates.items():
        if key.lower() == media:
            return True, template
    return False, None
