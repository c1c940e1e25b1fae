"""The presigned-URL pattern for large uploads: API Gateway refuses bodies over 10 MB (413), so a
Lambda behind the API hands out an S3 presigned PUT URL and the client uploads straight to S3.
https://aws.amazon.com/blogs/compute/patterns-for-building-an-api-to-upload-files-to-amazon-s3
"""

from __future__ import annotations

import requests

from labkit.apis import RestApi

MB = 1024 * 1024


def presign(event, context):
    """The function: boto3 inside it reaches the lab's S3 (moto runs in this process)."""
    import json
    import os

    import boto3

    s3 = boto3.client("s3", region_name=os.environ.get("AWS_REGION", "us-east-1"))
    key = (event.get("queryStringParameters") or {}).get("key", "upload.bin")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": os.environ["BUCKET"], "Key": key},
                                    ExpiresIn=300)
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"url": url, "key": key})}


def test_a_12_mb_upload_goes_by_presigned_url_not_through_the_api(lab):
    s3 = lab.client("s3")
    s3.create_bucket(Bucket="uploads")
    arn = lab.lambda_function("presign", presign, environment={"BUCKET": "uploads"})
    api = RestApi.create(lab.client("apigateway"), "uploads")
    api.resource("/upload-url").method("GET").lambda_proxy(arn)
    api.resource("/files").method("PUT").mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev")
    data = b"\x00\x01" * (6 * MB)  # 12 MB
    assert len(data) == 12 * MB

    through_api = requests.put(url + "/files", data=data)
    assert through_api.status_code == 413
    assert through_api.headers["x-amzn-ErrorType"] == "RequestTooLargeException"

    answer = requests.get(url + "/upload-url", params={"key": "big.bin"})
    assert answer.status_code == 200 and answer.json()["key"] == "big.bin"
    presigned = answer.json()["url"]
    assert "uploads" in presigned and "Signature" in presigned

    uploaded = requests.put(presigned, data=data)
    assert uploaded.status_code == 200
    stored = s3.get_object(Bucket="uploads", Key="big.bin")
    assert stored["ContentLength"] == 12 * MB
    assert stored["Body"].read() == data
