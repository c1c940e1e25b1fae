"""Binary payloads as AWS recorded them: binaryMediaTypes, contentHandling on the integration (request)
and on the integration response (response), through an S3 integration (`s3:path/{bucket}/{object_path}`).

Source: LocalStack's AWS-validated snapshots, test_apigateway_s3.snapshot.json, keys
`tests/aws/services/apigateway/test_apigateway_s3.py::TestApiGatewayS3BinarySupport::<test>` (below: `S3::<test>`).
What S3 stored is checked by length and MD5 (S3's ETag of a single-part object): the recorded
ContentLength and ETag of each object.
"""

from __future__ import annotations

import base64
import gzip
import hashlib

import pytest
import requests

from labkit.apis import RestApi
from recorded import role_arn

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

RAW = gzip.compress(b"compressed data, should be invalid UTF-8 string", mtime=1676569620)  # not UTF-8
ENCODED = base64.b64encode(RAW)
TEXT = b"this is a UTF8 text typed object"

# (ContentLength, ETag) of the objects the recordings show
RAW_OBJ = (67, "1e5a1bfed5308938e5549848bab02ac6")
ENCODED_OBJ = (92, "76020056aa8e57ba307f9264167a34e4")
TEXT_OBJ = (32, "322a648674040849d29154aa1dce24a5")
MANGLED_OBJ = (99, "7301f0a0e8fc87c6f03320bf795ffde7")  # RAW as UTF-8 text, bad bytes -> U+FFFD
ENCODED_TWICE_OBJ = (124, "835317c6c047dd2a13bb05117594a71a")
TEXT_ENCODED_OBJ = (44, "1a39ff3d9eff87f24107669698573f35")

MANGLED = RAW.decode("utf-8", "replace").encode()
ETAG = '"{}"'


def _s3_api(lab, bucket: str, *, request_handling: str | None = None, response_handling: str | None = None,
            request_templates: dict[str, str] | None = None,
            response_templates: dict[str, str] | None = None) -> RestApi:
    """The recorded setup: ANY /{object_path+} -> AWS s3:path/{bucket}/{object_path}, Content-Type and
    response-content-type mapped, integration response 200 mapping ETag."""
    client = lab.client("apigateway")
    lab.client("s3").create_bucket(Bucket=bucket)
    api = RestApi.create(client, bucket, endpoint_type="REGIONAL")
    resource = api.resource("/{object_path+}")
    client.put_method(restApiId=api.id, resourceId=resource.id, httpMethod="ANY", authorizationType="NONE",
                      requestParameters={"method.request.path.object_path": True,
                                         "method.request.header.Content-Type": False,
                                         "method.request.header.response-content-type": False})
    client.put_method_response(restApiId=api.id, resourceId=resource.id, httpMethod="ANY", statusCode="200",
                               responseParameters={"method.response.header.ETag": False})
    extra = {"contentHandling": request_handling} if request_handling else {}
    if request_templates:
        extra["requestTemplates"] = request_templates
    client.put_integration(
        restApiId=api.id, resourceId=resource.id, httpMethod="ANY", integrationHttpMethod="ANY", type="AWS",
        uri=f"arn:aws:apigateway:{lab.region}:s3:path/{bucket}/{{object_path}}", credentials=role_arn(lab.account_id, "apigw-s3"),
        requestParameters={
            "integration.request.path.object_path": "method.request.path.object_path",
            "integration.request.header.Content-Type": "method.request.header.Content-Type",
            "integration.request.querystring.response-content-type": "method.request.header.response-content-type",
        }, **extra)
    extra = {"contentHandling": response_handling} if response_handling else {}
    if response_templates:
        extra["responseTemplates"] = response_templates
    client.put_integration_response(restApiId=api.id, resourceId=resource.id, httpMethod="ANY", statusCode="200",
                                    responseParameters={"method.response.header.ETag": "integration.response.header.ETag"},
                                    **extra)
    return api


def _binary_stage(lab, api: RestApi) -> str:
    """Add image/png to binaryMediaTypes and deploy it to a second stage, as the recordings do."""
    api.add_binary_media_types(["image/png"])
    api.deploy("test2")
    return lab.stage_url(api.id, "test2")


def _stored(lab, bucket: str, key: str) -> tuple[int, str]:
    body = lab.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return len(body), hashlib.md5(body).hexdigest()


def _put(url: str, key: str, body: bytes, content_type: str) -> requests.Response:
    return requests.put(f"{url}/{key}", data=body, headers={"Content-Type": content_type})


def _get(url: str, key: str, accept: str, payload_type: str = "binary/octet-stream") -> requests.Response:
    return requests.get(f"{url}/{key}", headers={"Accept": accept, "response-content-type": payload_type})


@pytest.mark.parametrize("handling", [None, "CONVERT_TO_TEXT"])
def test_request_without_and_with_convert_to_text(lab, handling):
    """S3::test_apigw_s3_binary_support_request[None] and [CONVERT_TO_TEXT]: without a matching binary
    media type the body is UTF-8 text (invalid bytes replaced); with one, passed through (None) or
    base64-encoded (CONVERT_TO_TEXT)."""
    bucket = f"bin-req-{(handling or 'none').lower().replace('_', '-')}"
    api = _s3_api(lab, bucket, request_handling=handling)
    api.deploy("test")
    url = lab.stage_url(api.id, "test")
    for key, body in (("binary-raw", RAW), ("binary-encoded", ENCODED), ("text", TEXT)):
        answer = _put(url, key, body, "image/png")
        assert answer.status_code == 200 and answer.content == b""
    # get-obj-no-binary-media-*
    assert _stored(lab, bucket, "binary-raw") == MANGLED_OBJ
    assert _stored(lab, bucket, "binary-encoded") == ENCODED_OBJ
    assert _stored(lab, bucket, "text") == TEXT_OBJ

    url2 = _binary_stage(lab, api)
    for key, body in (("binary-raw", RAW), ("binary-encoded", ENCODED), ("text", TEXT)):
        assert _put(url2, key, body, "image/png").status_code == 200
    # get-obj-binary-type-*
    if handling is None:
        assert _stored(lab, bucket, "binary-raw") == RAW_OBJ
        assert _stored(lab, bucket, "binary-encoded") == ENCODED_OBJ
        assert _stored(lab, bucket, "text") == TEXT_OBJ
    else:
        assert _stored(lab, bucket, "binary-raw") == ENCODED_OBJ
        assert _stored(lab, bucket, "binary-encoded") == ENCODED_TWICE_OBJ
        assert _stored(lab, bucket, "text") == TEXT_ENCODED_OBJ

    for key, body in (("binary-raw", RAW), ("binary-encoded", ENCODED), ("text", TEXT)):
        assert _put(url2, key, body, "text/plain").status_code == 200
    # get-obj-text-type-*
    assert _stored(lab, bucket, "binary-raw") == MANGLED_OBJ
    assert _stored(lab, bucket, "binary-encoded") == ENCODED_OBJ
    assert _stored(lab, bucket, "text") == TEXT_OBJ


def test_request_convert_to_binary(lab):
    """S3::test_apigw_s3_binary_support_request_convert_to_binary: a text body is base64-decoded (500
    when it is not base64, nothing stored); a body of a binary media type passes as is."""
    bucket = "bin-req-to-binary"
    api = _s3_api(lab, bucket, request_handling="CONVERT_TO_BINARY")
    api.deploy("test")
    url = lab.stage_url(api.id, "test")
    assert _put(url, "binary-encoded", ENCODED, "image/png").status_code == 200
    assert _stored(lab, bucket, "binary-encoded") == RAW_OBJ  # get-obj-no-binary-media-binary-encoded
    refused = _put(url, "binary-raw", RAW, "image/png")
    assert refused.status_code == 500 and refused.json() == {"message": "Internal server error"}
    assert _put(url, "text", TEXT, "text/plain").status_code == 500
    s3 = lab.client("s3")
    for key in ("binary-raw", "text"):
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket=bucket, Key=key)

    url2 = _binary_stage(lab, api)
    for key, body in (("binary-raw", RAW), ("binary-encoded", ENCODED), ("text", TEXT)):
        assert _put(url2, key, body, "image/png").status_code == 200
    # get-obj-binary-media-*
    assert _stored(lab, bucket, "binary-raw") == RAW_OBJ
    assert _stored(lab, bucket, "binary-encoded") == ENCODED_OBJ
    assert _stored(lab, bucket, "text") == TEXT_OBJ

    assert _put(url2, "binary-raw", RAW, "text/plain").status_code == 500
    assert _put(url2, "text", TEXT, "text/plain").status_code == 500
    assert _put(url2, "binary-encoded", ENCODED, "text/plain").status_code == 200
    assert _stored(lab, bucket, "binary-encoded") == RAW_OBJ  # get-obj-text-type-binary-encoded


def test_request_convert_to_binary_with_a_request_template(lab):
    """S3::test_apigw_s3_binary_support_request_convert_to_binary_with_request_template: a body no
    template matches is decoded and passed; one the template matches is binary, which a mapping
    template cannot take: 500."""
    bucket = "bin-req-template"
    api = _s3_api(lab, bucket, request_handling="CONVERT_TO_BINARY",
                  request_templates={"application/json": '{"data": "$input.body"}'})
    api.deploy("test")
    url = lab.stage_url(api.id, "test")
    assert _put(url, "binary-encoded", ENCODED, "image/png").status_code == 200
    assert _stored(lab, bucket, "binary-encoded") == RAW_OBJ  # get-obj-encoded
    assert _put(url, "binary-encoded", ENCODED, "application/json").status_code == 500


def _response_api(lab, bucket: str, handling: str | None, **kwargs) -> RestApi:
    api = _s3_api(lab, bucket, response_handling=handling, **kwargs)
    s3 = lab.client("s3")
    for key, body in (("binary-raw", RAW), ("binary-encoded", ENCODED), ("text", TEXT)):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return api


def test_response_without_content_handling(lab):
    """S3::test_apigw_s3_binary_support_response_no_content_handling: the first Accept type and the
    payload's Content-Type (binary media type or not) decide: text/text passes (UTF-8), text payload
    with binary Accept is base64-decoded (500 when not base64), binary payload with text Accept is
    base64-encoded, binary/binary passes."""
    bucket = "bin-resp-none"
    api = _response_api(lab, bucket, None)
    api.deploy("test")
    url = lab.stage_url(api.id, "test")
    got = _get(url, "text", "text/plain")
    assert got.status_code == 200 and got.content == TEXT  # text-no-media
    assert got.headers["ETag"] == ETAG.format(TEXT_OBJ[1])
    assert _get(url, "binary-raw", "image/png").content == MANGLED  # raw-no-media
    assert _get(url, "binary-encoded", "image/png").content == ENCODED  # encoded-no-media

    url2 = _binary_stage(lab, api)
    assert _get(url2, "binary-encoded", "image/png").content == RAW  # encoded-payload-text-accept-binary
    assert _get(url2, "binary-raw", "image/png").status_code == 500
    assert _get(url2, "text", "image/png").status_code == 500
    cases = {  # (key, Accept, payload Content-Type): recorded content
        ("binary-encoded", "image/png", "image/png"): ENCODED,  # encoded-payload-binary-accept-binary
        ("binary-raw", "image/png", "image/png"): RAW,  # raw-payload-binary-accept-binary
        ("text", "image/png", "image/png"): TEXT,  # text-payload-binary-accept-binary
        ("binary-encoded", "text/plain", "binary/octet-stream"): ENCODED,  # encoded-payload-text-accept-text
        ("binary-raw", "text/plain", "binary/octet-stream"): MANGLED,  # raw-payload-text-accept-text
        ("text", "text/plain", "binary/octet-stream"): TEXT,  # text-payload-text-accept-text
        ("binary-encoded", "text/plain", "image/png"): base64.b64encode(ENCODED),  # encoded-payload-binary-accept-text
        ("binary-raw", "text/plain", "image/png"): ENCODED,  # raw-payload-binary-accept-text
        ("text", "text/plain", "image/png"): base64.b64encode(TEXT),  # text-payload-binary-accept-text
    }
    for (key, accept, payload_type), content in cases.items():
        got = _get(url2, key, accept, payload_type)
        assert (key, accept, payload_type, got.status_code, got.content) == (key, accept, payload_type, 200, content)


def test_response_convert_to_text(lab):
    """S3::test_apigw_s3_binary_support_response_convert_to_text: whatever the Accept, a binary payload
    is base64-encoded and a text one passes as UTF-8 text."""
    bucket = "bin-resp-text"
    api = _response_api(lab, bucket, "CONVERT_TO_TEXT")
    api.deploy("test")
    url = lab.stage_url(api.id, "test")
    assert _get(url, "text", "text/plain").content == TEXT  # text-no-media
    assert _get(url, "binary-raw", "image/png").content == MANGLED  # raw-no-media
    assert _get(url, "binary-encoded", "image/png").content == ENCODED  # encoded-no-media

    url2 = _binary_stage(lab, api)
    cases = {
        ("binary-encoded", "image/png", "binary/octet-stream"): ENCODED,  # encoded-payload-text-accept-binary
        ("binary-raw", "image/png", "binary/octet-stream"): MANGLED,  # raw-payload-text-accept-binary
        ("text", "image/png", "binary/octet-stream"): TEXT,  # text-payload-text-accept-binary
        ("binary-encoded", "image/png", "image/png"): base64.b64encode(ENCODED),  # encoded-payload-binary-accept-binary
        ("binary-raw", "image/png", "image/png"): ENCODED,  # raw-payload-binary-accept-binary
        ("text", "image/png", "image/png"): base64.b64encode(TEXT),  # text-payload-binary-accept-binary
        ("binary-encoded", "text/plain", "binary/octet-stream"): ENCODED,  # encoded-payload-text-accept-text
        ("binary-raw", "text/plain", "binary/octet-stream"): MANGLED,  # raw-payload-text-accept-text
        ("text", "text/plain", "binary/octet-stream"): TEXT,  # text-payload-text-accept-text
        ("binary-encoded", "text/plain", "image/png"): base64.b64encode(ENCODED),  # encoded-payload-binary-accept-text
        ("binary-raw", "text/plain", "image/png"): ENCODED,  # raw-payload-binary-accept-text
        ("text", "text/plain", "image/png"): base64.b64encode(TEXT),  # text-payload-binary-accept-text
    }
    for (key, accept, payload_type), content in cases.items():
        got = _get(url2, key, accept, payload_type)
        assert (key, accept, payload_type, got.status_code, got.content) == (key, accept, payload_type, 200, content)


def test_response_convert_to_binary(lab):
    """S3::test_apigw_s3_binary_support_response_convert_to_binary: whatever the Accept, a text payload
    is base64-decoded and a binary one passes as is."""
    bucket = "bin-resp-binary"
    api = _response_api(lab, bucket, "CONVERT_TO_BINARY")
    api.deploy("test")
    url = lab.stage_url(api.id, "test")
    assert _get(url, "binary-encoded", "image/png").content == RAW  # encoded-no-media

    url2 = _binary_stage(lab, api)
    cases = {
        ("binary-encoded", "image/png", "binary/octet-stream"): RAW,  # encoded-payload-text-accept-binary
        ("binary-encoded", "image/png", "image/png"): ENCODED,  # encoded-payload-binary-accept-binary
        ("binary-raw", "image/png", "image/png"): RAW,  # raw-payload-binary-accept-binary
        ("text", "image/png", "image/png"): TEXT,  # text-payload-binary-accept-binary
        ("binary-encoded", "text/plain", "binary/octet-stream"): RAW,  # encoded-payload-text-accept-text
        ("binary-encoded", "text/plain", "image/png"): ENCODED,  # encoded-payload-binary-accept-text
        ("binary-raw", "text/plain", "image/png"): RAW,  # raw-payload-binary-accept-text
        ("text", "text/plain", "image/png"): TEXT,  # text-payload-binary-accept-text
    }
    for (key, accept, payload_type), content in cases.items():
        got = _get(url2, key, accept, payload_type)
        assert (key, accept, payload_type, got.status_code, got.content) == (key, accept, payload_type, 200, content)


def test_response_convert_to_text_then_a_response_template(lab):
    """S3::test_apigw_s3_binary_support_response_convert_to_binary_with_request_template, first half
    (`encoded-text-payload-binary-accept`): under CONVERT_TO_TEXT the template receives the UTF-8 text
    and its output is not decoded for a binary Accept."""
    bucket = "bin-resp-template"
    api = _s3_api(lab, bucket, response_handling="CONVERT_TO_TEXT",
                  response_templates={"application/json": '{"data": "$input.body"}'})
    lab.client("s3").put_object(Bucket=bucket, Key="binary-encoded", Body=ENCODED)
    api.add_binary_media_types(["image/png"])
    api.deploy("test")
    got = _get(lab.stage_url(api.id, "test"), "binary-encoded", "image/png")
    assert got.status_code == 200
    assert got.content == b'{"data": "' + ENCODED + b'"}'
    assert got.headers["ETag"] == ETAG.format(ENCODED_OBJ[1])
