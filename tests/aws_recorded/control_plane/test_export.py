"""GetExport against AWS's recordings (control/exports.py).

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_extended.snapshot.json`,
test_export_swagger_openapi and test_export_oas30_openapi (an excerpt is in files/, with the imported documents;
see files/README). Placeholders (`<api-id:1>`, `<region>`, the export date) are not compared.
"""

from __future__ import annotations

import json
import re

import boto3
import pytest
from answers import refusal as refused
from imported import FILES, comparable, document, expected

RECORDING = json.loads((FILES / "test_apigateway_extended.snapshot.json").read_text())
URI = b"http://petstore.execute-api.us-east-1.amazonaws.com/petstore/pets"  # what the recording put for ${uri}
EXPORT_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # an unversioned API's export is dated


@pytest.fixture
def plain(lab):
    """A boto3 API Gateway client on the lab's in-process moto, without the lab's tagging."""
    return boto3.client("apigateway", region_name=lab.region)


def exported(client, api_id: str, export_type: str, **parameters: str) -> dict:
    """GetExport's answer with its body parsed and an export date shown as the recording's placeholder."""
    answer = client.get_export(restApiId=api_id, stageName="local", exportType=export_type, parameters=parameters)
    text = EXPORT_DATE.sub("date", answer["body"].read().decode())
    answer["body"] = json.loads(text)
    answer["contentDisposition"] = EXPORT_DATE.sub("date", answer["contentDisposition"])
    return answer


@pytest.mark.parametrize("export_type", ["swagger", "oas30"])
@pytest.mark.parametrize(("case", "name"), [("TEST_IMPORT_PETS", "pets.json"),
                                             ("TEST_IMPORT_PETSTORE_SWAGGER", "petstore-swagger.json")])
def test_export_as_recorded(plain, export_type, case, name):
    """test_export_{swagger|oas30}_openapi[TEST_IMPORT_PETS|TEST_IMPORT_PETSTORE_SWAGGER] "get-export" and
    "get-export-with-extensions" (parameters extensions=apigateway): the document in the format asked for, its
    file name, and with extensions the integrations and binary media types."""
    recording = RECORDING[f"test_export_{export_type}_openapi[{case}]"]
    api_id = plain.import_rest_api(body=document(name).replace(b"${uri}", URI), failOnWarnings=True)["id"]
    plain.create_deployment(restApiId=api_id, stageName="local")
    for key, parameters in (("get-export", {}), ("get-export-with-extensions", {"extensions": "apigateway"})):
        answer = exported(plain, api_id, export_type, **parameters)
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert comparable(answer, recording[key]) == expected(recording[key])


def test_an_unknown_export_type_is_refused(plain):
    """The kit's wording (no recording): exportType is oas30 or swagger
    (https://docs.aws.amazon.com/apigateway/latest/api/API_GetExport.html)."""
    api_id = plain.import_rest_api(body=document("pets.json"))["id"]
    plain.create_deployment(restApiId=api_id, stageName="local")
    status, code, message = refused(plain.get_export, restApiId=api_id, stageName="local", exportType="raml")
    assert (status, code) == (400, "BadRequestException") and "oas30, swagger" in message
