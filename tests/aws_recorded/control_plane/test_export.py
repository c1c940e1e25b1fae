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


@pytest.mark.parametrize("export_type", ["swagger", "oas30"])
@pytest.mark.parametrize("name", ["openapi.spec.global-auth.json", "openapi.spec.circular-ref-with-request-body.json",
                                  "petstore-authorizer.swagger.json"])
def test_an_export_with_extensions_imports_back_the_same(plain, export_type, name):
    """The extensions document what the API is (api-gateway-swagger-extensions.html): exported with
    extensions=apigateway and imported again, every method, the authorizers they use, models and validators come
    back (ids aside). No recording: the kit's consistency check of its own export against its own import."""
    from imported import read_back

    body = document(name).replace(b"${authorizer_lambda_invocation_arn}", b"arn:aws:apigateway:us-east-1:lambda:path/"
                                  b"2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations")
    body = body.replace(b"${uri}", URI).replace(b"arn:aws:iam::account-id:role", b"arn:aws:iam::123456789012:role")
    first = plain.import_rest_api(body=body)["id"]
    plain.create_deployment(restApiId=first, stageName="local")
    exported_body = plain.get_export(restApiId=first, stageName="local", exportType=export_type,
                                     parameters={"extensions": "apigateway"})["body"].read()
    second = plain.import_rest_api(body=exported_body)["id"]

    def described(api_id: str) -> dict:
        ids = {a["id"]: a["name"] for a in plain.get_authorizers(restApiId=api_id)["items"]}
        ids.update({v["id"]: v["name"] for v in plain.get_request_validators(restApiId=api_id)["items"]})
        ids.update({r["id"]: r["path"] for r in plain.get_resources(restApiId=api_id)["items"]})
        text = json.dumps(read_back(plain, api_id), sort_keys=True, default=str)
        for id_, name_ in ids.items():
            text = text.replace(id_, name_)
        found = json.loads(text)
        for answer in found.values():
            answer.pop("ResponseMetadata", None)
        models = {m["name"]: json.loads(m["schema"]) for m in plain.get_models(restApiId=api_id)["items"]}
        used = {answer.get("authorizerId") for answer in found.values()}  # an unused authorizer is not exported
        authorizers = [{k: v for k, v in a.items() if k != "id"} for a in plain.get_authorizers(restApiId=api_id)["items"]
                       if a["name"] in used]
        return {"methods": found, "models": json.loads(json.dumps(models).replace(api_id, "API")),
                "authorizers": authorizers}

    assert described(second) == described(first)
