"""Velocity as API Gateway runs it (on Java), on top of airspeed: Java maps and lists, quiet references,
and `#set` into a map by key.

airspeed prints an undefined reference as its own text and Python values as Python does; AWS prints
nothing for a null or undefined reference and Java's `toString()` for values. The facts follow the
recordings cited beside each function (LocalStack's AWS-validated snapshots).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
"""

from __future__ import annotations

import json
import re
from typing import Any


def _java_text(value: Any) -> str:
    """A value as Java's `String.valueOf` prints it inside a map or list."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


class JavaMap(dict):  # type: ignore[type-arg]
    """A JSON object in a template: prints as a Java map (`{foo=bar, n=1}`), with Map's methods.
    test_apigateway_common.snapshot.json::...TestApiGatewayCommon::test_input_path_template_formatting
    (`$input.path('$')` of `{"foo": "bar"}` prints `{foo=bar}`)."""

    def __str__(self) -> str:
        return "{" + ", ".join(f"{key}={_java_text(value)}" for key, value in self.items()) + "}"

    def toString(self) -> str:  # noqa: N802 - Java's names
        return str(self)

    def keySet(self) -> list[Any]:  # noqa: N802
        return list(self.keys())

    def entrySet(self) -> list[dict[str, Any]]:  # noqa: N802
        return [{"key": key, "value": value} for key, value in self.items()]

    def containsKey(self, key: Any) -> bool:  # noqa: N802
        return key in self

    def isEmpty(self) -> bool:  # noqa: N802
        return not self

    def size(self) -> int:
        return len(self)

    def put(self, key: Any, value: Any) -> Any:
        """Java's put: set the key, answer the value it had (null, which prints nothing)."""
        previous = dict.get(self, key)
        self[key] = value
        return previous

    def putAll(self, values: dict[Any, Any]) -> None:  # noqa: N802
        self.update(values)

    def remove(self, key: Any) -> Any:
        return self.pop(key, None)


class ContextMap(JavaMap):
    """A map inside `$context` (`identity`, `requestOverride`, ...): printed whole it is empty on AWS.
    test_apigateway_sqs.snapshot.json::tests/aws/services/apigateway/test_apigateway_sqs.py::
    test_sqs_amz_json_protocol (`$context.get("identity")` prints `""`)."""

    def __str__(self) -> str:
        return ""


class JavaList(list):  # type: ignore[type-arg]
    """A JSON array in a template: prints as compact JSON (`[{"foo":"bar"}]`), with List's methods.
    test_apigateway_common.snapshot.json::...::test_input_path_template_formatting (`json-list`)."""

    def __str__(self) -> str:
        return json.dumps(self, separators=(",", ":"), ensure_ascii=False)

    def toString(self) -> str:  # noqa: N802
        return str(self)

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:  # noqa: N802
        return not self

    def contains(self, value: Any) -> bool:
        return value in self

    def add(self, value: Any) -> bool:
        self.append(value)
        return True

    def get(self, index: int) -> Any:
        return self[index]


def to_java(value: Any) -> Any:
    """Parsed JSON as a template sees it: objects as JavaMap, arrays as JavaList, all the way down."""
    if isinstance(value, dict):
        return JavaMap({key: to_java(item) for key, item in value.items()})
    if isinstance(value, list):
        return JavaList(to_java(item) for item in value)
    return value


class Undefined(str):
    """A reference to nothing: empty, equal to `""` and to `$null`, and empty all the way down.
    test_apigateway_common.snapshot.json::...::test_input_path_template_formatting (`empty-body`:
    `isNull` and `isEmptyString` both "true")."""

    def __getattr__(self, name: str) -> Undefined:
        return UNDEFINED

    def __getitem__(self, key: Any) -> Undefined:  # type: ignore[override]
        return UNDEFINED

    def __call__(self, *args: Any) -> Undefined:
        return UNDEFINED


UNDEFINED = Undefined("")


class Namespace(dict):  # type: ignore[type-arg]
    """The template's top namespace: a name never set (`$null`, `$result`) reads as UNDEFINED."""

    def __missing__(self, key: Any) -> Undefined:
        return UNDEFINED


# `#set($a.b[$k].c["x"] = value)`: airspeed's #set takes dotted names only.
_SET_BY_KEY = re.compile(r'#set\s*\(\s*\$(?P<target>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]]+\])*)\[(?P<key>[^\]]+)\]\s*=\s*')
# `#set($context.requestOverride.header.X-Amz-Target = ...)`: a property name with hyphens, as a set target.
_SET_HYPHENATED = re.compile(r"#set\s*\(\s*\$(?P<target>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
                             r"\.(?P<name>[A-Za-z_]\w*(?:-[\w-]*)+)\s*=\s*")
# A double-quoted argument (after `(` or `,`) holding a backslash airspeed cannot read (`"\'"`).
_ODD_ESCAPE_ARG = re.compile(r'(?<=[(,])(\s*)"((?:[^"\\\n]|\\.)*\\[^"nrbt\\$](?:[^"\\\n]|\\.)*)"')
_ODD_ESCAPE = re.compile(r'\\(?=[^"nrbt\\$])')
# A reference to make quiet: `$name` or `${name}`, not escaped, not the name a #set or #foreach binds.
_REFERENCE = re.compile(r"(?<![\\\w])\$(?=\{?[A-Za-z_])")
_BINDING = re.compile(r"#(?:set|foreach)\s*\(\s*$|#macro\s*\([^)]*$")
_SINGLE_QUOTED_ARG = re.compile(r"(?<=[(,=\[])\s*'[^'\n]*'")


def _closing_paren(text: str, start: int) -> int:
    """Index of the `)` closing the directive whose value starts at `start` (strings skipped)."""
    depth, quote, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0 and ch == ")":
                return i
            depth -= 1
        i += 1
    return -1


def rewrite_set_by_key(template: str) -> str:
    """`#set($map[$key] = v)` as two #set airspeed understands: the value, then `put` into the map.
    test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/test_apigateway_integrations.py::
    test_integration_mock_with_vtl_map_assignation"""
    return _rewrite_set_as_put(template, _SET_BY_KEY, "key")


def rewrite_hyphenated_set(template: str) -> str:
    """`#set($map.X-Amz-Target = v)` as a `put` of the key "X-Amz-Target": AWS takes the hyphenated name
    whole (test_apigateway_eventbridge.snapshot.json::tests/aws/services/apigateway/
    test_apigateway_eventbridge.py::test_apigateway_to_eventbridge sets the header this way)."""
    return _rewrite_set_as_put(template, _SET_HYPHENATED, "name")


def _rewrite_set_as_put(template: str, pattern: re.Pattern[str], group: str) -> str:
    """Each `#set(<pattern> value)` as `#set($labkitSetValue = value)` then `target.put(key, ...)`;
    a bare name (group "name") is quoted as a string key."""
    out, pos = [], 0
    for match in pattern.finditer(template):
        if match.start() < pos:
            continue
        end = _closing_paren(template, match.end())
        if end < 0:
            break
        value = template[match.end():end]
        out.append(template[pos:match.start()])
        key = match[group] if group == "key" else f'"{match[group]}"'
        out.append(f"#set($labkitSetValue = {value})"
                   f"#set($labkitSetValue = ${match['target']}.put({key}, $labkitSetValue))")
        pos = end + 1
    out.append(template[pos:])
    return "".join(out)


def literal_backslashes(template: str) -> str:
    """In a string argument, a backslash before a character Velocity does not escape stays a backslash
    (Java's Velocity reads `"\'"` as the two characters; airspeed would refuse it). Recorded:
    test_apigateway_eventbridge.snapshot.json::tests/aws/services/apigateway/test_apigateway_eventbridge.py::
    test_apigateway_to_eventbridge (`.replaceAll("\'","'")` in the request template)."""
    return _ODD_ESCAPE_ARG.sub(lambda m: m[1] + '"' + _ODD_ESCAPE.sub(r"\\\\", m[2]) + '"', template)


def quiet_references(template: str) -> str:
    """Every reference as `$!name`: AWS prints nothing for a null or undefined reference, where
    Velocity would print the reference itself (`$result`).
    test_apigateway_common.snapshot.json::...::test_input_path_template_formatting (`empty-body`)."""
    kept = {m.start(): m.end() for m in _SINGLE_QUOTED_ARG.finditer(template)}
    out, pos = [], 0
    for match in _REFERENCE.finditer(template):
        at = match.start()
        if any(start <= at < end for start, end in kept.items()):
            continue
        if _BINDING.search(template, max(0, at - 200), at):
            continue
        out.append(template[pos:at + 1])
        out.append("!")
        pos = at + 1
    out.append(template[pos:])
    return "".join(out)


def prepare(template: str) -> str:
    """The template text airspeed runs: map assignments rewritten, references quiet."""
    return quiet_references(literal_backslashes(rewrite_hyphenated_set(rewrite_set_by_key(template))))
