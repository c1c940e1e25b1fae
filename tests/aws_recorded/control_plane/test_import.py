"""ImportRestApi and PutRestApi against AWS's recordings (control/imports.py).

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_import.snapshot.json`,
class TestApiGatewayImportRestApi (each test names its key; the calls are in `test_apigateway_import.py`). The
documents it imports are copied in files/ (see files/README). Placeholders (`<id:1>`, dates) are not compared.
"""

from __future__ import annotations

import boto3
import pytest
from answers import refusal as refused

from labkit import documents

INVALID = "Invalid OpenAPI input."  # test_import_api_bad_file "import-api-bad-yaml-file"


@pytest.fixture
def plain(lab):
    """A boto3 API Gateway client on the lab's in-process moto, without the lab's tagging."""
    return boto3.client("apigateway", region_name=lab.region)


def alias_bomb() -> str:
    """A Swagger document whose YAML aliases stand for 9**9 nodes, in under 700 bytes."""
    lines = ['swagger: "2.0"', "info: {title: bomb, version: '1'}", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", '
             '"lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    lines.append("paths: {}")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_invalid_openapi_input(plain):
    """Issue 16 item 10: refused as AWS refuses a document it cannot read (its wording, with the reason), and no
    API is left behind; the refusal comes from composing, before any expansion (tests/test_documents.py)."""
    status, code, message = refused(plain.import_rest_api, body=alias_bomb().encode())
    assert (status, code) == (400, "BadRequestException")
    assert message == f"{INVALID} YAML aliases expand the document beyond {documents.MAX_NODES} nodes"
    api_id = plain.create_rest_api(name="target")["id"]
    assert refused(plain.put_rest_api, restApiId=api_id, body=alias_bomb().encode())[2] == message
    assert [api["name"] for api in plain.get_rest_apis()["items"]] == ["target"]


def test_a_definition_over_6_mb_is_refused(plain):
    """"The maximum size of the API definition file is 6MB."
    https://docs.aws.amazon.com/apigateway/latest/api/API_ImportRestApi.html (body); no recording of AWS's answer."""
    padding = " " * documents.MAX_DOCUMENT_BYTES
    body = ('{"swagger": "2.0", "info": {"title": "big", "version": "1"}, "paths": {}}' + padding).encode()
    status, code, message = refused(plain.import_rest_api, body=body)
    assert (status, code) == (400, "BadRequestException")
    assert message.startswith(INVALID) and "at most 6291456 bytes (6 MB)" in message
    assert plain.get_rest_apis()["items"] == []
