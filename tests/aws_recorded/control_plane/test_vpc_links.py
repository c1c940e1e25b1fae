"""VPC links against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`,
class TestApiGatewayVpcLink (each test names its test and key; the calls are in `test_apigateway_api.py`).
Placeholders of the recording (`<id:1>`, `<name:1>`, `<nlb-arn:1>`) are the values the test sent or got.

Tests that create a link use `plain`, a boto3 client on the lab's moto without the lab's ledger: a lab tags what
it creates (`labkit:lab`), and the recordings show `tags` only where the test set some.
"""

from __future__ import annotations

import boto3
import pytest
from answers import body, refusal

UNKNOWN = (404, "NotFoundException", "Invalid Vpc Link identifier specified")


@pytest.fixture
def plain(lab):
    """A boto3 API Gateway client on the lab's in-process moto, without the lab's tagging."""
    return boto3.client("apigateway", region_name=lab.region)


@pytest.fixture
def nlb_arn(lab) -> str:
    """The recording's stand-in network load balancer ARN (LocalStack's, outside AWS)."""
    return (f"arn:aws:elasticloadbalancing:{lab.region}:{lab.account_id}:loadbalancer/net/my-load-balancer/"
            "50dc6c495c0c9188")


def test_vpc_link_lifecycle(plain, nlb_arn):
    """TestApiGatewayVpcLink::test_vpc_link_lifecycle, keys create_vpc_link (202, PENDING), get_vpc_link and
    get_vpc_links (AVAILABLE with its statusMessage; `tags` {} on get only), update_vpc_link, delete_vpc_link
    (202). The kit's link is ready at once (AWS's takes minutes)."""
    c = plain
    created = c.create_vpc_link(name="test-vpc-link", targetArns=[nlb_arn])
    link_id = created["id"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert body(created) == {"id": link_id, "name": "test-vpc-link", "status": "PENDING", "targetArns": [nlb_arn]}

    ready = {"id": link_id, "name": "test-vpc-link", "status": "AVAILABLE",
             "statusMessage": "Your vpc link is ready for use", "targetArns": [nlb_arn]}
    got = c.get_vpc_link(vpcLinkId=link_id)
    assert (got["ResponseMetadata"]["HTTPStatusCode"], body(got)) == (200, {**ready, "tags": {}})
    listed = c.get_vpc_links()
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [item for item in listed["items"] if item["id"] == link_id] == [ready]

    updated = c.update_vpc_link(vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "test-vpc-link-updated"}])
    assert (updated["ResponseMetadata"]["HTTPStatusCode"], body(updated)) == (
        200, {**ready, "name": "test-vpc-link-updated", "tags": {}})

    deleted = c.delete_vpc_link(vpcLinkId=link_id)
    assert (deleted["ResponseMetadata"]["HTTPStatusCode"], body(deleted)) == (202, {})
    assert refusal(c.get_vpc_link, vpcLinkId=link_id) == UNKNOWN  # the recording waits for this NotFoundException


def test_create_vpc_link_invalid_parameters(lab):
    """TestApiGatewayVpcLink::test_create_vpc_link_invalid_parameters, keys create_vpc_link_invalid_target_arn,
    create_vpc_link_empty_name; nothing is created."""
    c = lab.client("apigateway")
    assert refusal(c.create_vpc_link, name="test-vpc-link", targetArns=["invalid-arn"]) == (
        400, "BadRequestException", "Invalid ARN. ARN is not well formed invalid-arn")
    assert refusal(c.create_vpc_link, name="", targetArns=[]) == (400, "BadRequestException", "Name cannot be empty")
    assert c.get_vpc_links()["items"] == []


def test_get_vpc_link_invalid_id(lab):
    """TestApiGatewayVpcLink::test_get_vpc_link_invalid_id, key get_vpc_link_invalid_id."""
    assert refusal(lab.client("apigateway").get_vpc_link, vpcLinkId="invalid-id") == UNKNOWN


def test_delete_vpc_link_invalid_id(lab):
    """TestApiGatewayVpcLink::test_delete_vpc_link_invalid_id, key delete_vpc_link_invalid_id."""
    assert refusal(lab.client("apigateway").delete_vpc_link, vpcLinkId="invalid-id") == UNKNOWN


def test_update_vpc_link_invalid_id(lab):
    """TestApiGatewayVpcLink::test_update_vpc_link_invalid_id, key update_vpc_link_invalid_id."""
    assert refusal(lab.client("apigateway").update_vpc_link, vpcLinkId="invalid-id", patchOperations=[
        {"op": "replace", "path": "/name", "value": "new-name"}]) == UNKNOWN


def test_update_vpc_link_accepts_name_and_description_only(plain, nlb_arn):
    """UpdateVpcLink patches `/name` and `/description` (https://docs.aws.amazon.com/apigateway/latest/api/
    API_UpdateVpcLink.html); another path is a 400 naming the allowed ones (the kit's wording, shaped like
    AWS's recorded patch errors)."""
    c = plain
    link_id = c.create_vpc_link(name="link", targetArns=[nlb_arn])["id"]
    updated = c.update_vpc_link(vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/description", "value": "to the backend"}])
    assert updated["description"] == "to the backend"
    assert c.get_vpc_link(vpcLinkId=link_id)["description"] == "to the backend"
    assert refusal(c.update_vpc_link, vpcLinkId=link_id, patchOperations=[
        {"op": "replace", "path": "/targetArns", "value": "x"}]) == (400, "BadRequestException", (
            "Invalid patch path  '/targetArns' specified for op 'replace'. Must be one of: [/name, /description]"))
