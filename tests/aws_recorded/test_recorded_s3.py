"""S3 objects through an AWS integration (`s3:path/{bucket}/{key}`), as AWS recorded them (the binary
cases are in test_recorded_binary.py).

Source: LocalStack's AWS-validated snapshots, test_apigateway_s3.snapshot.json, keys
`tests/aws/services/apigateway/test_apigateway_s3.py::test_apigateway_s3_any` and
`...::test_apigateway_s3_method_mapping`. Both APIs have one integration response (200, no
selectionPattern), so S3's own errors (404 NoSuchKey) come back as 200 with S3's XML error body.
"""

from __future__ import annotations

import pytest

import json
import re
import xml.etree.ElementTree as ET

from labkit.apis import RestApi
from recorded import role_arn

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

KEY = "test.json"


def _no_such_key(body: bytes) -> None:
    """The recorded error document: Code NoSuchKey, Message, the Key, a RequestId and a HostId."""
    error = ET.fromstring(body)
    assert error.tag == "Error"
    fields = {child.tag: child.text for child in error}
    assert set(fields) == {"Code", "Message", "Key", "RequestId", "HostId"}
    assert fields["Code"] == "NoSuchKey" and fields["Key"] == KEY
    assert fields["Message"] == "The specified key does not exist."
    assert re.fullmatch(r"[A-Z0-9]{16}", fields["RequestId"]) and fields["HostId"]


def test_any_method_on_greedy_path(lab):
    """test_apigateway_s3_any: ANY /{object_path+} -> ANY s3:path/{bucket}/{object_path}.
    get-object-empty: 200 and NoSuchKey; get-object-1, -2: the JSON PUT (Content-Type mapped) comes back;
    get-object-deleted: after DELETE, 200 and NoSuchKey again; get-object-s3: the object is gone."""
    bucket = "rec-s3-any"
    s3 = lab.client("s3")
    s3.create_bucket(Bucket=bucket)
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-s3-any", endpoint_type="REGIONAL")
    res = api.resource("/{object_path+}")
    client.put_method(restApiId=api.id, resourceId=res.id, httpMethod="ANY", authorizationType="NONE",
                      requestParameters={"method.request.path.object_path": True,
                                         "method.request.header.Content-Type": False})
    client.put_method_response(restApiId=api.id, resourceId=res.id, httpMethod="ANY", statusCode="200")
    client.put_integration(restApiId=api.id, resourceId=res.id, httpMethod="ANY", integrationHttpMethod="ANY",
                           type="AWS", uri=f"arn:aws:apigateway:{lab.region}:s3:path/{bucket}/{{object_path}}",
                           credentials=role_arn(lab.account_id, "apigw-s3"), requestParameters={
                               "integration.request.path.object_path": "method.request.path.object_path",
                               "integration.request.header.Content-Type": "method.request.header.Content-Type"})
    client.put_integration_response(restApiId=api.id, resourceId=res.id, httpMethod="ANY", statusCode="200")
    api.deploy("test")
    url = f"https://{api.id}.execute-api.{lab.region}.amazonaws.com/test/{KEY}"
    gw = lab.gateway()

    missing = gw.invoke("GET", url)
    assert missing.status_code == 200
    _no_such_key(missing.body)
    for put_id in (1, 2):
        put = gw.invoke("PUT", url, headers={"Content-Type": "application/json"}, body=json.dumps({"put_id": put_id}))
        assert put.status_code == 200
        got = gw.invoke("GET", url)
        assert got.status_code == 200 and got.json() == {"put_id": put_id}
    gw.invoke("DELETE", url)
    deleted = gw.invoke("GET", url)
    assert deleted.status_code == 200
    _no_such_key(deleted.body)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_method_mapping(lab):
    """test_apigateway_s3_method_mapping: three GET methods whose integrations PUT (a request template,
    Content-Type mapped to a constant), GET and DELETE one object. get-object: the template's JSON;
    get-deleted-object: 200 and NoSuchKey."""
    bucket = "rec-s3-methods"
    lab.client("s3").create_bucket(Bucket=bucket)
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-s3-methods", endpoint_type="REGIONAL")
    uri = f"arn:aws:apigateway:{lab.region}:s3:path/{bucket}/{KEY}"
    for path, verb in (("/get", "GET"), ("/put", "PUT"), ("/delete", "DELETE")):
        res = api.resource(path)
        client.put_method(restApiId=api.id, resourceId=res.id, httpMethod="GET", authorizationType="NONE")
        client.put_method_response(restApiId=api.id, resourceId=res.id, httpMethod="GET", statusCode="200")
        extra = {}
        if verb == "PUT":
            extra = {"requestParameters": {"integration.request.header.Content-Type": "'application/json'"},
                     "requestTemplates": {"application/json": '{"message": "great success!"}'}}
        client.put_integration(restApiId=api.id, resourceId=res.id, httpMethod="GET", integrationHttpMethod=verb,
                               type="AWS", uri=uri, credentials=role_arn(lab.account_id, "apigw-s3"), **extra)
        client.put_integration_response(restApiId=api.id, resourceId=res.id, httpMethod="GET", statusCode="200")
    api.deploy("test")
    base = f"https://{api.id}.execute-api.{lab.region}.amazonaws.com/test"
    gw = lab.gateway()

    assert gw.invoke("GET", f"{base}/put").status_code == 200
    got = gw.invoke("GET", f"{base}/get")
    assert got.status_code == 200 and got.json() == {"message": "great success!"}
    assert gw.invoke("GET", f"{base}/delete").status_code == 200
    deleted = gw.invoke("GET", f"{base}/get")
    assert deleted.status_code == 200
    _no_such_key(deleted.body)
