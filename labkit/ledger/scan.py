"""Finding what labs left on a backend: every resource carrying the lab tag (one lab's, or any lab's),
and of those, one owner's (or every owner's)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from labkit.capabilities import missing

from .tags import OWNER_KEY, TAG_KEY


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


Tagged = tuple[str, dict, dict | None]  # a resource listed: its kind, its ident, its tags


@dataclass
class TagScan:
    """What a scan saw: the resources of the owner asked for (`found`), the lab's or labs' resources it left
    because they are not that owner's (`not_theirs`, each with its owner tag, None when it has none), and
    what it could not read (`errors`)."""

    found: list[dict] = field(default_factory=list)
    not_theirs: list[tuple[dict, str | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def scan_tagged(client_factory: Callable[[str], Any], lab_id: str | None, owner: str | None) -> TagScan:
    """Resources on the backend tagged by labkit (by `lab_id`, or by any lab) whose ``labkit:owner`` is
    `owner` (None: whatever their owner, or none)."""

    def pairs(tags: Iterable[dict], k: str, v: str) -> dict:
        return {t[k]: t[v] for t in tags}

    def apigateway(c: Any) -> Iterator[Tagged]:
        for api in pages(c, "get_rest_apis", "items"):
            yield "rest_api", {"restApiId": api["id"]}, api.get("tags")
        for key in pages(c, "get_api_keys", "items"):
            yield "api_key", {"apiKey": key["id"]}, key.get("tags")
        for plan in pages(c, "get_usage_plans", "items"):
            yield "usage_plan", {"usagePlanId": plan["id"]}, plan.get("tags")
        for domain in pages(c, "get_domain_names", "items"):
            yield "domain_name", {"domainName": domain["domainName"]}, domain.get("tags")
        for link in pages(c, "get_vpc_links", "items"):
            yield "vpc_link", {"vpcLinkId": link["id"]}, link.get("tags")

    def lambda_(c: Any) -> Iterator[Tagged]:
        for fn in pages(c, "list_functions", "Functions"):
            tags = c.list_tags(Resource=fn["FunctionArn"]).get("Tags")
            yield "function", {"FunctionName": fn["FunctionName"]}, tags

    def iam(c: Any) -> Iterator[Tagged]:
        for role in pages(c, "list_roles", "Roles"):
            if role.get("Path", "/").startswith("/aws-service-role/"):
                continue
            tags = pages(c, "list_role_tags", "Tags", RoleName=role["RoleName"])
            yield "role", {"RoleName": role["RoleName"]}, pairs(tags, "Key", "Value")
        for user in pages(c, "list_users", "Users"):
            tags = pages(c, "list_user_tags", "Tags", UserName=user["UserName"])
            yield "user", {"UserName": user["UserName"]}, pairs(tags, "Key", "Value")
        for policy in pages(c, "list_policies", "Policies", Scope="Local"):
            tags = pages(c, "list_policy_tags", "Tags", PolicyArn=policy["Arn"])
            yield "policy", {"PolicyArn": policy["Arn"]}, pairs(tags, "Key", "Value")

    def sqs(c: Any) -> Iterator[Tagged]:
        for url in pages(c, "list_queues", "QueueUrls"):
            yield "queue", {"QueueUrl": url}, c.list_queue_tags(QueueUrl=url).get("Tags")

    def firehose(c: Any) -> Iterator[Tagged]:
        for name in delivery_streams(c):
            tags = c.list_tags_for_delivery_stream(DeliveryStreamName=name).get("Tags", [])
            yield "delivery_stream", {"DeliveryStreamName": name}, pairs(tags, "Key", "Value")

    def s3(c: Any) -> Iterator[Tagged]:
        # CreateBucket takes no tags; the ledger tags a new bucket right after (records.py).
        for bucket in c.list_buckets().get("Buckets", []):
            try:
                tags = c.get_bucket_tagging(Bucket=bucket["Name"]).get("TagSet", [])
            except ClientError:
                continue  # NoSuchTagSet, or a bucket this client cannot read: not a lab's
            yield "bucket", {"Bucket": bucket["Name"]}, pairs(tags, "Key", "Value")

    def logs(c: Any) -> Iterator[Tagged]:
        for group in pages(c, "describe_log_groups", "logGroups"):
            arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
            tags = c.list_tags_for_resource(resourceArn=arn).get("tags")
            yield "log_group", {"logGroupName": group["logGroupName"]}, tags

    def sfn(c: Any) -> Iterator[Tagged]:
        for sm in pages(c, "list_state_machines", "stateMachines"):
            tags = c.list_tags_for_resource(resourceArn=sm["stateMachineArn"]).get("tags", [])
            yield "state_machine", {"stateMachineArn": sm["stateMachineArn"]}, pairs(tags, "key", "value")

    def cognito(c: Any) -> Iterator[Tagged]:
        for pool in pages(c, "list_user_pools", "UserPools", MaxResults=60):
            tags = c.describe_user_pool(UserPoolId=pool["Id"])["UserPool"].get("UserPoolTags")
            yield "user_pool", {"UserPoolId": pool["Id"]}, tags

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
    result = TagScan()
    for service, scan in scanners.items():
        try:
            client = client_factory(service)
            for kind, ident, tags in scan(client):
                tags = tags or {}
                if TAG_KEY not in tags or (lab_id is not None and tags[TAG_KEY] != lab_id):
                    continue  # not a lab's, or another lab's
                entry = {"service": service, "kind": kind, "ident": ident, "region": client.meta.region_name}
                if owner is None or tags.get(OWNER_KEY) == owner:
                    result.found.append(entry)
                else:
                    result.not_theirs.append((entry, tags.get(OWNER_KEY)))
        except ClientError as err:
            if not missing(err):  # a backend without the service (LocalStack's free edition) holds nothing of it
                result.errors.append(f"could not look for tagged {service} resources: {err}")
        except BotoCoreError as err:
            result.errors.append(f"could not look for tagged {service} resources: {err}")
    return result
