"""Finding what labs left on a backend: every resource carrying the lab tag (one lab's, or any lab's)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from labkit.capabilities import missing

from .tags import TAG_KEY


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict]:
    """Every item under `key` of a list call, through its paginator when boto3 has one."""
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
    else:
        yield from getattr(client, operation)(**kwargs).get(key, [])


def delivery_streams(client: Any) -> Iterator[str]:
    """Every Firehose stream name (ListDeliveryStreams has no boto3 paginator: it pages by the last name)."""
    kwargs: dict[str, Any] = {}
    while True:
        page = client.list_delivery_streams(**kwargs)
        names = page.get("DeliveryStreamNames", [])
        yield from names
        if not page.get("HasMoreDeliveryStreams") or not names:
            return
        kwargs["ExclusiveStartDeliveryStreamName"] = names[-1]


def scan_tagged(client_factory: Callable[[str], Any], lab_id: str | None) -> tuple[list[dict], list[str]]:
    """Resources on the backend tagged by labkit (by `lab_id`, or by any lab)."""

    def ours(tags: dict | None) -> bool:
        tags = tags or {}
        return TAG_KEY in tags and (lab_id is None or tags[TAG_KEY] == lab_id)

    def pairs(tags: Iterable[dict], k: str, v: str) -> dict:
        return {t[k]: t[v] for t in tags}

    def apigateway(c: Any) -> Iterator[tuple[str, dict]]:
        for api in pages(c, "get_rest_apis", "items"):
            if ours(api.get("tags")):
                yield "rest_api", {"restApiId": api["id"]}
        for key in pages(c, "get_api_keys", "items"):
            if ours(key.get("tags")):
                yield "api_key", {"apiKey": key["id"]}
        for plan in pages(c, "get_usage_plans", "items"):
            if ours(plan.get("tags")):
                yield "usage_plan", {"usagePlanId": plan["id"]}
        for domain in pages(c, "get_domain_names", "items"):
            if ours(domain.get("tags")):
                yield "domain_name", {"domainName": domain["domainName"]}
        for link in pages(c, "get_vpc_links", "items"):
            if ours(link.get("tags")):
                yield "vpc_link", {"vpcLinkId": link["id"]}

    def lambda_(c: Any) -> Iterator[tuple[str, dict]]:
        for fn in pages(c, "list_functions", "Functions"):
            if ours(c.list_tags(Resource=fn["FunctionArn"]).get("Tags")):
                yield "function", {"FunctionName": fn["FunctionName"]}

    def iam(c: Any) -> Iterator[tuple[str, dict]]:
        for role in pages(c, "list_roles", "Roles"):
            if role.get("Path", "/").startswith("/aws-service-role/"):
                continue
            if ours(pairs(pages(c, "list_role_tags", "Tags", RoleName=role["RoleName"]), "Key", "Value")):
                yield "role", {"RoleName": role["RoleName"]}
        for user in pages(c, "list_users", "Users"):
            if ours(pairs(pages(c, "list_user_tags", "Tags", UserName=user["UserName"]), "Key", "Value")):
                yield "user", {"UserName": user["UserName"]}
        for policy in pages(c, "list_policies", "Policies", Scope="Local"):
            if ours(pairs(pages(c, "list_policy_tags", "Tags", PolicyArn=policy["Arn"]), "Key", "Value")):
                yield "policy", {"PolicyArn": policy["Arn"]}

    def sqs(c: Any) -> Iterator[tuple[str, dict]]:
        for url in pages(c, "list_queues", "QueueUrls"):
            if ours(c.list_queue_tags(QueueUrl=url).get("Tags")):
                yield "queue", {"QueueUrl": url}

    def firehose(c: Any) -> Iterator[tuple[str, dict]]:
        for name in delivery_streams(c):
            tags = c.list_tags_for_delivery_stream(DeliveryStreamName=name).get("Tags", [])
            if ours(pairs(tags, "Key", "Value")):
                yield "delivery_stream", {"DeliveryStreamName": name}

    def s3(c: Any) -> Iterator[tuple[str, dict]]:
        # CreateBucket takes no tags; the ledger tags a new bucket right after (records.py).
        for bucket in c.list_buckets().get("Buckets", []):
            try:
                tags = c.get_bucket_tagging(Bucket=bucket["Name"]).get("TagSet", [])
            except ClientError:
                continue  # NoSuchTagSet, or a bucket this client cannot read: not a lab's
            if ours(pairs(tags, "Key", "Value")):
                yield "bucket", {"Bucket": bucket["Name"]}

    def logs(c: Any) -> Iterator[tuple[str, dict]]:
        for group in pages(c, "describe_log_groups", "logGroups"):
            arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
            if ours(c.list_tags_for_resource(resourceArn=arn).get("tags")):
                yield "log_group", {"logGroupName": group["logGroupName"]}

    def sfn(c: Any) -> Iterator[tuple[str, dict]]:
        for sm in pages(c, "list_state_machines", "stateMachines"):
            tags = c.list_tags_for_resource(resourceArn=sm["stateMachineArn"]).get("tags", [])
            if ours(pairs(tags, "key", "value")):
                yield "state_machine", {"stateMachineArn": sm["stateMachineArn"]}

    def cognito(c: Any) -> Iterator[tuple[str, dict]]:
        for pool in pages(c, "list_user_pools", "UserPools", MaxResults=60):
            if ours(c.describe_user_pool(UserPoolId=pool["Id"])["UserPool"].get("UserPoolTags")):
                yield "user_pool", {"UserPoolId": pool["Id"]}

    scanners = {
        "apigateway": apigateway,
        "lambda": lambda_,
        "iam": iam,
        "sqs": sqs,
        "firehose": firehose,
        "s3": s3,
        "logs": logs,
        "stepfunctions": sfn,
        "cognito-idp": cognito,
    }
    found: list[dict] = []
    errors: list[str] = []
    for service, scan in scanners.items():
        try:
            client = client_factory(service)
            for kind, ident in scan(client):
                found.append({"service": service, "kind": kind, "ident": ident, "region": client.meta.region_name})
        except ClientError as err:
            if not missing(err):  # a backend without the service (LocalStack's free edition) holds nothing of it
                errors.append(f"could not look for tagged {service} resources: {err}")
        except BotoCoreError as err:
            errors.append(f"could not look for tagged {service} resources: {err}")
    return found, errors
