"""Kinesis actions (`kinesis:action/{PutRecord|PutRecords}`) through an AWS integration, as AWS recorded them.

Source: LocalStack's AWS-validated snapshots, test_apigateway_kinesis.snapshot.json, keys
`tests/aws/services/apigateway/test_apigateway_kinesis.py::test_apigateway_to_kinesis[<action>]`.
The recorded API: POST /test, a request template (application/json) that builds the action's input
(data base64-encoded with `$util.base64Encode`), integration response 200 with `$input.json('$')`.
The answer is Kinesis's JSON output; the stream holds what the template sent.
"""

from __future__ import annotations

import json
import re

from labkit.apis import RestApi
from recorded import role_arn

STREAM = "rec-kinesis"
SEQUENCE = re.compile(r"^\d+$")  # AWS: 56 digits; moto numbers from 1 (the backend's, not the gateway's)
SHARD = re.compile(r"^shardId-\d{12}$")
PUT_RECORD = """
{
    "StreamName": "%s",
    "Data": "$util.base64Encode($input.body)",
    "PartitionKey": "test"
}"""
PUT_RECORDS = """{
    "StreamName": "%s",
    "Records": [
        #set( $numRecords = $input.path('$.records').size() )
        #if($numRecords > 0)
            #set( $maxIndex = $numRecords - 1 )
            #foreach( $idx in [0..$maxIndex] )
                #set( $elem = $input.path("$.records[${idx}]") )
                #set( $elemJsonB64 = $util.base64Encode($elem.data) )
                {
                    "Data": "$elemJsonB64",
                    "PartitionKey": #if( $foo.bar.stuff != '')"$elem.partitionKey"#else"$elemJsonB64.length()"#end
                }#if($foreach.hasNext),#end
            #end
        #end
    ]
}"""


def _stream_and_api(lab, action: str, template: str):
    """A one-shard stream, POST /test -> AWS kinesis:action/{action}; returns (caller, shard iterator)."""
    kinesis = lab.client("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    shard_id = kinesis.describe_stream(StreamName=STREAM)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard_id,
                                          ShardIteratorType="LATEST")["ShardIterator"]
    client = lab.client("apigateway")
    api = RestApi.create(client, f"rec-kinesis-{action.lower()}", endpoint_type="REGIONAL")
    res = api.resource("/test")
    client.put_method(restApiId=api.id, resourceId=res.id, httpMethod="POST", authorizationType="NONE")
    client.put_integration(restApiId=api.id, resourceId=res.id, httpMethod="POST", type="AWS",
                           integrationHttpMethod="POST", credentials=role_arn(lab.account_id, "apigw-kinesis"),
                           uri=f"arn:aws:apigateway:{lab.region}:kinesis:action/{action}",
                           requestTemplates={"application/json": template % STREAM})
    client.put_method_response(restApiId=api.id, resourceId=res.id, httpMethod="POST", statusCode="200")
    client.put_integration_response(restApiId=api.id, resourceId=res.id, httpMethod="POST", statusCode="200",
                                    responseTemplates={"application/json": "$input.json('$')"})
    api.deploy("test")
    url = f"https://{api.id}.execute-api.{lab.region}.amazonaws.com/test/test"
    gw = lab.gateway()

    def call(payload):
        r = gw.invoke("POST", url, headers={"Content-Type": "application/json"}, body=json.dumps(payload))
        assert r.status_code == 200, r.text
        return r.json()

    return call, iterator


def test_put_record(lab):
    """[PutRecord] apigateway_response: SequenceNumber and ShardId; kinesis_records: the request body
    as the record's data, partition key `test`."""
    call, iterator = _stream_and_api(lab, "PutRecord", PUT_RECORD)
    answer = call({"kinesis": "snapshot"})
    assert set(answer) <= {"SequenceNumber", "ShardId", "EncryptionType"}  # EncryptionType: not verified
    assert SEQUENCE.match(answer["SequenceNumber"]) and SHARD.match(answer["ShardId"])
    records = lab.client("kinesis").get_records(ShardIterator=iterator)["Records"]
    assert [(r["Data"], r["PartitionKey"], r["SequenceNumber"]) for r in records] == [
        (b'{"kinesis": "snapshot"}', "test", answer["SequenceNumber"])]


def test_put_records(lab):
    """[PutRecords] apigateway_response: FailedRecordCount 0 and one SequenceNumber/ShardId per record;
    kinesis_records: each element's data, partition key the base64 length (`20`)."""
    call, iterator = _stream_and_api(lab, "PutRecords", PUT_RECORDS)
    answer = call({"records": [{"data": '{"foo": "bar1"}'}, {"data": '{"foo": "bar2"}'},
                               {"data": '{"foo": "bar3"}'}]})
    assert answer["FailedRecordCount"] == 0
    assert len(answer["Records"]) == 3
    for record in answer["Records"]:
        assert set(record) == {"SequenceNumber", "ShardId"}
        assert SEQUENCE.match(record["SequenceNumber"]) and SHARD.match(record["ShardId"])
    records = lab.client("kinesis").get_records(ShardIterator=iterator)["Records"]
    assert [(r["Data"], r["PartitionKey"]) for r in records] == [
        (b'{"foo": "bar1"}', "20"), (b'{"foo": "bar2"}', "20"), (b'{"foo": "bar3"}', "20")]
    assert [r["SequenceNumber"] for r in records] == [r["SequenceNumber"] for r in answer["Records"]]
