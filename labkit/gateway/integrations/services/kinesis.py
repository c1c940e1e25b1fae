"""Kinesis through an AWS integration (`kinesis:action/PutRecord`, `.../PutRecords`): the JSON protocol,
with each record's `Data` a base64 string on the wire (the request template base64-encodes it).

Recorded: test_apigateway_kinesis.snapshot.json::tests/aws/services/apigateway/test_apigateway_kinesis.py::
test_apigateway_to_kinesis[PutRecord|PutRecords] (the stream holds the decoded data).
https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-kinesis.html
https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html (Data: base64-encoded blob)
"""

from __future__ import annotations

import base64
import binascii
from typing import Any


def kinesis_params(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The SDK's parameters from the JSON wire form: `Data` (PutRecord) and `Records[].Data` (PutRecords)
    base64-decoded; raises ValueError when one is not base64, as Kinesis refuses it."""
    if operation == "PutRecord" and isinstance(params.get("Data"), str):
        return {**params, "Data": _blob(params["Data"])}
    if operation == "PutRecords" and isinstance(params.get("Records"), list):
        return {**params, "Records": [{**r, "Data": _blob(r["Data"])} if isinstance(r, dict)
                                      and isinstance(r.get("Data"), str) else r for r in params["Records"]]}
    return params


def _blob(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"Data is not valid base64: {exc}") from exc
