"""What the import tests share: an imported API read back as the recordings read it (method, method response 200,
integration, integration response 200 of every method), compared with the recorded excerpt in files/."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

FILES = Path(__file__).parent / "files"
RECORDING = json.loads((FILES / "test_apigateway_import.snapshot.json").read_text())


def document(name: str) -> bytes:
    """One of the documents the recordings imported (files/README)."""
    return (FILES / name).read_bytes()


def recorded(test: str) -> dict[str, Any]:
    """The recorded answers of one TestApiGatewayImportRestApi test (its key in the snapshot file)."""
    return RECORDING[test]


def _answer(call: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return call(**kwargs)
    except ClientError as error:
        return {"Error": error.response["Error"], "ResponseMetadata": error.response["ResponseMetadata"]}


def _key(path: str, method: str) -> str:
    return f"{path[1:] if path != '/' else 'root'}-{method.lower()}"


def read_back(client: Any, api_id: str, prefix: str = "") -> dict[str, Any]:
    """The four answers per method the recordings snapshot, under the recording's keys."""
    found: dict[str, Any] = {}
    for resource in client.get_resources(restApiId=api_id, embed=["methods"])["items"]:
        for method in resource.get("resourceMethods") or {}:
            ids = {"restApiId": api_id, "resourceId": resource["id"], "httpMethod": method}
            key = _key(resource["path"], method)
            found[f"{prefix}method-{key}"] = _answer(client.get_method, **ids)
            found[f"{prefix}method-response-{key}"] = _answer(client.get_method_response, statusCode="200", **ids)
            found[f"{prefix}integration-{key}"] = _answer(client.get_integration, **ids)
            found[f"{prefix}integration-response-{key}"] = _answer(client.get_integration_response, statusCode="200",
                                                                   **ids)
    return found


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("<") and value.endswith(">")


def _matches(ours: str, theirs: str) -> bool:
    """`theirs` with placeholders inside (arn:<partition>:...) matches `ours` at their places."""
    pattern = "".join(".+" if part.startswith("<") else re.escape(part) for part in re.split(r"(<[^<>]+>)", theirs))
    return re.fullmatch(pattern, ours) is not None


def comparable(ours: Any, theirs: Any) -> Any:
    """`ours` shaped as the recording shows it: its placeholders taken as given, templates the recording shows
    parsed (LocalStack's snapshot parses JSON strings) parsed, ResponseMetadata and the error `message` copy dropped."""
    if (_placeholder(theirs) and ours is not None) or (theirs == "datetime" and isinstance(ours, datetime)):
        return theirs
    if isinstance(theirs, str) and isinstance(ours, str) and "<" in theirs and _matches(ours, theirs):
        return theirs
    if isinstance(theirs, dict) and isinstance(ours, str):
        try:
            return comparable(json.loads(ours), theirs)
        except ValueError:
            return ours
    if isinstance(theirs, dict) and isinstance(ours, dict):
        return {k: comparable(v, theirs.get(k)) for k, v in ours.items() if k != "ResponseMetadata"}
    if isinstance(theirs, list) and isinstance(ours, list) and len(ours) == len(theirs):
        return [comparable(o, t) for o, t in zip(ours, theirs)]
    return ours


def expected(theirs: Any) -> Any:
    """The recording without ResponseMetadata and the `message` copy of an error."""
    if isinstance(theirs, dict):
        dropped = ("ResponseMetadata", "message") if "Error" in theirs else ("ResponseMetadata",)
        return {k: expected(v) for k, v in theirs.items() if k not in dropped}
    if isinstance(theirs, list):
        return [expected(v) for v in theirs]
    return theirs


def differences(ours: dict[str, Any], theirs: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """{key: (ours, recorded)} for each key whose answer differs from the recording."""
    return {key: (comparable(ours.get(key), theirs[key]), expected(theirs[key])) for key in keys
            if comparable(ours.get(key), theirs[key]) != expected(theirs[key])}
