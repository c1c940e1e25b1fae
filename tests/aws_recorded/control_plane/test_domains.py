"""Custom domain names on the control plane. No AWS-validated recording exists (LocalStack's domain tests
are marked needs_fixing); the behaviour follows AWS's API reference, cited in each test."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_base_path_mappings_of_a_bare_domain_are_empty(lab):
    """https://docs.aws.amazon.com/apigateway/latest/api/API_GetBasePathMappings.html: the domain's mappings
    (none yet: an empty list); an unknown domain name is a NotFoundException."""
    client = lab.client("apigateway")
    client.create_domain_name(domainName="bare.example.com", endpointConfiguration={"types": ["REGIONAL"]},
                              regionalCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/x")
    answer = client.get_base_path_mappings(domainName="bare.example.com")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert answer.get("items", []) == []
    with pytest.raises(ClientError) as failed:
        client.get_base_path_mappings(domainName="nowhere.example.com")
    assert failed.value.response["Error"]["Code"] == "NotFoundException"
