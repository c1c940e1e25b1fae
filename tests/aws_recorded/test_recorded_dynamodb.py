"""DynamoDB actions (`dynamodb:action/{PutItem|Query|Scan}`) through an AWS integration, as AWS recorded them.

Source: LocalStack's AWS-validated snapshots, test_apigateway_dynamodb.snapshot.json, keys
`tests/aws/services/apigateway/test_apigateway_dynamodb.py::test_rest_api_to_dynamodb_integration[<action>]`.
The recorded API: POST /test, a request template (application/json) that builds the action's input from
`$input.params('id')`, integration response 200 with the template `$input.json('$')`; the client POSTs
with no body. The service's JSON comes back as the method response body, Content-Type application/json.
"""

from __future__ import annotations

import json
import re

import pytest

from labkit.apis import RestApi
from recorded import role_arn

TABLE = "rec-ddb"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TEMPLATES = {
    "PutItem": {"TableName": TABLE, "Item": {"id": {"S": "$input.params('id')"}}},
    "Query": {"TableName": TABLE, "KeyConditionExpression": "id = :id",
              "ExpressionAttributeValues": {":id": {"S": "$input.params('id')"}}},
    "Scan": {"TableName": TABLE},
}


def _table(lab) -> None:
    ddb = lab.client("dynamodb")
    ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    for item_id in ("test", "test2", "test 3"):
        ddb.put_item(TableName=TABLE, Item={"id": {"S": item_id}})


def _api(lab, action: str):
    """POST /test -> AWS dynamodb:action/{action}, deployed to stage `test`; returns a caller of `?id=`."""
    client = lab.client("apigateway")
    api = RestApi.create(client, f"rec-ddb-{action.lower()}", endpoint_type="REGIONAL")
    res = api.resource("/test")
    client.put_method(restApiId=api.id, resourceId=res.id, httpMethod="POST", authorizationType="NONE")
    client.put_integration(restApiId=api.id, resourceId=res.id, httpMethod="POST", type="AWS",
                           integrationHttpMethod="POST", credentials=role_arn(lab.account_id, "apigw-ddb"),
                           uri=f"arn:aws:apigateway:{lab.region}:dynamodb:action/{action}",
                           requestTemplates={"application/json": json.dumps(TEMPLATES[action])})
    client.put_method_response(restApiId=api.id, resourceId=res.id, httpMethod="POST", statusCode="200")
    client.put_integration_response(restApiId=api.id, resourceId=res.id, httpMethod="POST", statusCode="200",
                                    responseTemplates={"application/json": "$input.json('$')"})
    api.deploy("test")
    host = f"{api.id}.execute-api.{lab.region}.amazonaws.com"
    gw = lab.gateway()

    def call(id_param=None):
        r = gw.invoke("POST", f"https://{host}/test/test?id={id_param}")
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == "application/json"
        assert UUID.match(r.headers["x-amzn-RequestId"])
        return r.json()

    return call


def test_put_item(lab):
    """[PutItem] result-put-item: 200, `{}`; result-scan: the new item stored beside the three."""
    _table(lab)
    call = _api(lab, "PutItem")
    assert call("test-new") == {}
    items = lab.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert sorted(i["id"]["S"] for i in items) == ["test", "test 3", "test-new", "test2"]


@pytest.mark.parametrize("item_id", ["test", "test2", "test 3"])
def test_query_finds_item(lab, item_id):
    """[Query] result-test, result-test2, result-test 3: Count 1, the item, ScannedCount 1."""
    _table(lab)
    call = _api(lab, "Query")
    assert call(item_id) == {"Count": 1, "Items": [{"id": {"S": item_id}}], "ScannedCount": 1}


def test_query_no_item(lab):
    """[Query] result-invalid: an id with no item is 200 with Count 0 and no Items."""
    _table(lab)
    assert _api(lab, "Query")("test-invalid") == {"Count": 0, "Items": [], "ScannedCount": 0}


def test_scan(lab):
    """[Scan] result-scan: the three items, Count 3, ScannedCount 3."""
    _table(lab)
    found = _api(lab, "Scan")()
    found["Items"] = sorted(found["Items"], key=lambda i: i["id"]["S"])
    assert found == {"Count": 3, "Items": [{"id": {"S": "test"}}, {"id": {"S": "test 3"}}, {"id": {"S": "test2"}}],
                     "ScannedCount": 3}
