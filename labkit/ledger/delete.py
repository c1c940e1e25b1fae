"""Deleting what a lab created, dependents first, retrying while the backend throttles.

Each kind of resource has a deleter that also removes what AWS would otherwise refuse to delete it
with (a usage plan's stages, a role's policies, a bucket's objects) or what AWS made for it (log groups).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from labkit.capabilities import missing

from .scan import pages

# Waits between retries of a throttled delete. API Gateway allows DeleteRestApi once every
# 30 seconds per account, so a lab with several APIs needs patience on real AWS.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
_sleep: Callable[[float], None] = time.sleep  # tests replace this

_THROTTLED = {"TooManyRequestsException", "Throttling", "ThrottlingException", "RequestLimitExceeded"}
_GONE = {
    "NotFoundException",  # apigateway
    "ResourceNotFoundException",  # lambda, logs, cognito-idp
    "NoSuchEntity",  # iam
    "NoSuchBucket",  # s3
    "AWS.SimpleQueueService.NonExistentQueue",  # sqs (query protocol)
    "QueueDoesNotExist",  # sqs (json protocol)
    "StateMachineDoesNotExist",  # stepfunctions
}


# Deletion order: dependents before what they depend on (usage plan keys before plans, base path
# mappings before domains and APIs, role policies before roles). Within a kind, newest first.
_DELETE_ORDER = [
    ("apigateway", "usage_plan_key"),
    ("apigateway", "usage_plan"),
    ("apigateway", "base_path_mapping"),
    ("apigateway", "domain_name"),
    ("apigateway", "rest_api"),
    ("apigateway", "vpc_link"),  # after the APIs whose integrations use it
    ("apigateway", "api_key"),
    ("lambda", "function"),
    ("stepfunctions", "state_machine"),
    ("iam", "access_key"),
    ("iam", "user_policy"),
    ("iam", "attached_user_policy"),
    ("iam", "user"),
    ("iam", "role_policy"),
    ("iam", "attached_role_policy"),
    ("iam", "role"),
    ("iam", "policy"),
    ("firehose", "delivery_stream"),  # before the buckets it writes to
    ("sqs", "queue"),
    ("s3", "bucket"),
    ("logs", "log_group"),
    ("cognito-idp", "user_pool_client"),
    ("cognito-idp", "user_pool"),
]


def _label(entry: dict) -> str:
    """An entry as the clean-up report names it: service, kind and identifiers."""
    return f"{entry['service']} {entry['kind']} {'/'.join(str(v) for v in entry['ident'].values())}"


class CleanupError(RuntimeError):
    """Some resources could not be deleted; `deleted` lists what was, `failed` what was not."""

    def __init__(self, failed: list[str], deleted: list[str]):
        super().__init__("could not delete:\n  " + "\n  ".join(failed))
        self.failed = failed
        self.deleted = deleted


class RoleInUse(RuntimeError):
    """A role a Lambda function outside the clean-up still runs as: deleting it would break that function."""


def count_deleted(lines: list[str]) -> int:
    """How many resources a clean-up report says were deleted: each such line, and only such a line,
    starts with "deleted " (not a removed ledger file, what was already gone, or a detached policy)."""
    return sum(line.startswith("deleted ") for line in lines)


def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


def _is_gone(err: ClientError) -> bool:
    return _code(err) in _GONE or err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404


def _call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call `fn`, waiting and retrying while the backend throttles."""
    for delay in (*_RETRY_DELAYS, None):
        try:
            return fn(**kwargs)
        except ClientError as err:
            if _code(err) not in _THROTTLED or delay is None:
                raise
            _sleep(delay)


def delete_entries(entries: list[dict], client_factory: Callable[[str], Any]) -> tuple[list[str], list[tuple[dict, str]]]:
    """Delete `entries` in dependency order; return (lines, [(entry not deleted, failure message)])."""
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = client_factory(service)
        return clients[service]

    order = {sk: i for i, sk in enumerate(_DELETE_ORDER)}
    indexed = list(enumerate(entries))
    # Dependency order first, then newest first within a kind.
    indexed.sort(key=lambda ie: (order.get((ie[1]["service"], ie[1]["kind"]), len(order)), -ie[0]))
    pools = {e["ident"]["UserPoolId"] for e in entries if e["kind"] == "user_pool"}

    lines: list[str] = []
    failed: list[tuple[dict, str]] = []
    for _, entry in indexed:
        label = _label(entry)
        if entry["kind"] == "user_pool_client" and entry["ident"]["UserPoolId"] in pools:
            continue  # deleted with its pool
        deleter = _DELETERS.get((entry["service"], entry["kind"]))
        if deleter is None:
            failed.append((entry, f"{label}: labkit does not know how to delete a {entry['kind']}"))
            continue
        try:
            extra = deleter(client, **entry["ident"])
        except ClientError as err:
            if _is_gone(err):
                lines.append(f"already gone: {label}")
            else:
                failed.append((entry, f"{label}: {err}"))
            continue
        except RoleInUse as err:
            failed.append((entry, f"{label}: {err}"))
            continue
        except Exception as err:  # noqa: BLE001 - try everything, report everything (moto raises bare Python errors)
            failed.append((entry, f"{label}: {err!r}"))
            continue
        verb = "detached" if entry["kind"] == "attached_role_policy" else "deleted"
        lines.append(f"{verb} {label}")
        lines.extend(extra or [])
    return lines, failed


def _ignore_gone(fn: Callable[..., Any], **kwargs: Any) -> bool:
    """Call a delete; False if the thing was already gone."""
    try:
        _call(fn, **kwargs)
        return True
    except ClientError as err:
        if _is_gone(err):
            return False
        raise


def _delete_log_groups(
    client: Callable[[str], Any], prefix: str, why: str, match: Callable[[str], bool] = lambda name: True
) -> list[str]:
    """Delete log groups AWS created on the lab's behalf (best effort: the resource itself is gone)."""
    lines = []
    try:
        logs = client("logs")
        for group in pages(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=prefix):
            name = group["logGroupName"]
            if match(name) and _ignore_gone(logs.delete_log_group, logGroupName=name):
                lines.append(f"deleted logs log_group {name} ({why})")
    except (ClientError, BotoCoreError) as err:
        lines.append(f"could not delete log groups {prefix}* ({why}): {err}")
    return lines


def _del_usage_plan_key(client: Callable[[str], Any], usagePlanId: str, keyId: str) -> None:
    ag = client("apigateway")
    # moto 5.2 raises a bare KeyError (not NotFound) deleting a missing plan key, so look first.
    _call(ag.get_usage_plan_key, usagePlanId=usagePlanId, keyId=keyId)
    _call(ag.delete_usage_plan_key, usagePlanId=usagePlanId, keyId=keyId)


def _del_usage_plan(client: Callable[[str], Any], usagePlanId: str) -> None:
    ag = client("apigateway")
    plan = _call(ag.get_usage_plan, usagePlanId=usagePlanId)  # also moto's KeyError, as above
    for key in pages(ag, "get_usage_plan_keys", "items", usagePlanId=usagePlanId):
        _ignore_gone(ag.delete_usage_plan_key, usagePlanId=usagePlanId, keyId=key["id"])
    # A plan still attached to API stages cannot be deleted: detach the stages first.
    # https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteUsagePlan.html
    stages = plan.get("apiStages") or []
    if stages:
        ops = [{"op": "remove", "path": "/apiStages", "value": f"{s['apiId']}:{s['stage']}"} for s in stages]
        _call(ag.update_usage_plan, usagePlanId=usagePlanId, patchOperations=ops)
    _call(ag.delete_usage_plan, usagePlanId=usagePlanId)


def _del_base_path_mapping(client: Callable[[str], Any], domainName: str, basePath: str) -> None:
    _call(client("apigateway").delete_base_path_mapping, domainName=domainName, basePath=basePath)


def _del_domain_name(client: Callable[[str], Any], domainName: str) -> None:
    ag = client("apigateway")
    try:
        mappings = list(pages(ag, "get_base_path_mappings", "items", domainName=domainName))
    except KeyError:  # moto 5.2 raises a bare KeyError for a domain that never had a mapping
        mappings = []
    for mapping in mappings:
        _ignore_gone(ag.delete_base_path_mapping, domainName=domainName, basePath=mapping["basePath"])
    _call(ag.delete_domain_name, domainName=domainName)


def _del_rest_api(client: Callable[[str], Any], restApiId: str) -> list[str]:
    ag = client("apigateway")
    _call(ag.get_rest_api, restApiId=restApiId)  # moto's KeyError, as above
    _call(ag.delete_rest_api, restApiId=restApiId)
    # Execution logs go to API-Gateway-Execution-Logs_{restApiId}/{stage}, created by API Gateway.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
    return _delete_log_groups(client, f"API-Gateway-Execution-Logs_{restApiId}/", "its execution logs")


def _del_vpc_link(client: Callable[[str], Any], vpcLinkId: str) -> None:
    _call(client("apigateway").delete_vpc_link, vpcLinkId=vpcLinkId)


def _del_api_key(client: Callable[[str], Any], apiKey: str) -> None:
    _call(client("apigateway").delete_api_key, apiKey=apiKey)


def _del_function(client: Callable[[str], Any], FunctionName: str) -> list[str]:
    _call(client("lambda").delete_function, FunctionName=FunctionName)
    # Lambda writes to /aws/lambda/{name}, which outlives the function and is billed for storage.
    # https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
    name = f"/aws/lambda/{FunctionName}"
    return _delete_log_groups(client, name, "its function's logs", match=lambda n: n == name)


def _del_access_key(client: Callable[[str], Any], UserName: str, AccessKeyId: str) -> None:
    _call(client("iam").delete_access_key, UserName=UserName, AccessKeyId=AccessKeyId)


def _del_user_policy(client: Callable[[str], Any], UserName: str, PolicyName: str) -> None:
    _call(client("iam").delete_user_policy, UserName=UserName, PolicyName=PolicyName)


def _del_attached_user_policy(client: Callable[[str], Any], UserName: str, PolicyArn: str) -> None:
    _call(client("iam").detach_user_policy, UserName=UserName, PolicyArn=PolicyArn)


def _del_user(client: Callable[[str], Any], UserName: str) -> None:
    # A user must have no keys, policies or group memberships left before it can be deleted.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html
    iam = client("iam")
    for key in iam.list_access_keys(UserName=UserName).get("AccessKeyMetadata", []):
        _ignore_gone(iam.delete_access_key, UserName=UserName, AccessKeyId=key["AccessKeyId"])
    for name in iam.list_user_policies(UserName=UserName).get("PolicyNames", []):
        _ignore_gone(iam.delete_user_policy, UserName=UserName, PolicyName=name)
    for attached in iam.list_attached_user_policies(UserName=UserName).get("AttachedPolicies", []):
        _ignore_gone(iam.detach_user_policy, UserName=UserName, PolicyArn=attached["PolicyArn"])
    _call(iam.delete_user, UserName=UserName)


def _del_role_policy(client: Callable[[str], Any], RoleName: str, PolicyName: str) -> None:
    _refuse_if_in_use(client, RoleName)
    _call(client("iam").delete_role_policy, RoleName=RoleName, PolicyName=PolicyName)


def _del_attached_role_policy(client: Callable[[str], Any], RoleName: str, PolicyArn: str) -> None:
    _refuse_if_in_use(client, RoleName)
    _call(client("iam").detach_role_policy, RoleName=RoleName, PolicyArn=PolicyArn)


def _refuse_if_in_use(client: Callable[[str], Any], role_name: str) -> None:
    """RoleInUse if a Lambda function left on the backend runs as the role.

    Functions are deleted before roles and their policies (_DELETE_ORDER), so such a function belongs
    to someone else (another lab, the learner): keep the role, and its permissions, rather than break it.
    """
    role_arn = _call(client("iam").get_role, RoleName=role_name)["Role"]["Arn"]
    try:
        users = [f["FunctionName"] for f in pages(client("lambda"), "list_functions", "Functions")
                 if f.get("Role") == role_arn]
    except ClientError as err:
        if missing(err):
            return  # a backend without Lambda runs nothing as the role
        raise
    if users:
        raise RoleInUse(f"kept: Lambda function(s) {', '.join(sorted(users))} still use it")


def _del_role(client: Callable[[str], Any], RoleName: str) -> None:
    iam = client("iam")
    _refuse_if_in_use(client, RoleName)
    # A role with policies or instance profiles cannot be deleted; the role is the lab's, so are they.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html#roles-managingrole-deleting-api
    for arn in [p["PolicyArn"] for p in pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=RoleName)]:
        _ignore_gone(iam.detach_role_policy, RoleName=RoleName, PolicyArn=arn)
    for name in list(pages(iam, "list_role_policies", "PolicyNames", RoleName=RoleName)):
        _ignore_gone(iam.delete_role_policy, RoleName=RoleName, PolicyName=name)
    for profile in list(pages(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=RoleName)):
        _ignore_gone(
            iam.remove_role_from_instance_profile, RoleName=RoleName, InstanceProfileName=profile["InstanceProfileName"]
        )
    _call(iam.delete_role, RoleName=RoleName)


def _del_policy(client: Callable[[str], Any], PolicyArn: str) -> None:
    iam = client("iam")
    # A managed policy must be detached everywhere and have no other versions before it can go.
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html
    for role in list(pages(iam, "list_entities_for_policy", "PolicyRoles", PolicyArn=PolicyArn)):
        _ignore_gone(iam.detach_role_policy, RoleName=role["RoleName"], PolicyArn=PolicyArn)
    for user in list(pages(iam, "list_entities_for_policy", "PolicyUsers", PolicyArn=PolicyArn)):
        _ignore_gone(iam.detach_user_policy, UserName=user["UserName"], PolicyArn=PolicyArn)
    for group in list(pages(iam, "list_entities_for_policy", "PolicyGroups", PolicyArn=PolicyArn)):
        _ignore_gone(iam.detach_group_policy, GroupName=group["GroupName"], PolicyArn=PolicyArn)
    for version in list(pages(iam, "list_policy_versions", "Versions", PolicyArn=PolicyArn)):
        if not version["IsDefaultVersion"]:
            _ignore_gone(iam.delete_policy_version, PolicyArn=PolicyArn, VersionId=version["VersionId"])
    _call(iam.delete_policy, PolicyArn=PolicyArn)


def _del_delivery_stream(client: Callable[[str], Any], DeliveryStreamName: str) -> None:
    _call(client("firehose").delete_delivery_stream, DeliveryStreamName=DeliveryStreamName)


def _del_queue(client: Callable[[str], Any], QueueUrl: str) -> None:
    _call(client("sqs").delete_queue, QueueUrl=QueueUrl)


def _del_bucket(client: Callable[[str], Any], Bucket: str) -> list[str]:
    s3 = client("s3")
    # A bucket must be empty (every version and delete marker) before it can be deleted.
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html
    objects = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=Bucket):
        for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
            objects.append({"Key": item["Key"], "VersionId": item["VersionId"]})
    for i in range(0, len(objects), 1000):
        _call(s3.delete_objects, Bucket=Bucket, Delete={"Objects": objects[i : i + 1000], "Quiet": True})
    # Unfinished multipart uploads are billed storage too.
    for upload in pages(s3, "list_multipart_uploads", "Uploads", Bucket=Bucket):
        _ignore_gone(s3.abort_multipart_upload, Bucket=Bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    _call(s3.delete_bucket, Bucket=Bucket)
    return [f"  (emptied first: {len(objects)} object versions)"] if objects else []


def _del_log_group(client: Callable[[str], Any], logGroupName: str) -> None:
    _call(client("logs").delete_log_group, logGroupName=logGroupName)


def _del_state_machine(client: Callable[[str], Any], stateMachineArn: str) -> None:
    sfn = client("stepfunctions")
    # DeleteStateMachine succeeds for a missing ARN, so look first to report it honestly.
    _call(sfn.describe_state_machine, stateMachineArn=stateMachineArn)
    _call(sfn.delete_state_machine, stateMachineArn=stateMachineArn)


def _del_user_pool_client(client: Callable[[str], Any], UserPoolId: str, ClientId: str) -> None:
    _call(client("cognito-idp").delete_user_pool_client, UserPoolId=UserPoolId, ClientId=ClientId)


def _del_user_pool(client: Callable[[str], Any], UserPoolId: str) -> None:
    idp = client("cognito-idp")
    # A pool with a hosted-UI domain cannot be deleted until the domain is.
    # https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUserPool.html
    pool = _call(idp.describe_user_pool, UserPoolId=UserPoolId)["UserPool"]
    for domain in {pool.get("Domain"), pool.get("CustomDomain")} - {None}:
        _ignore_gone(idp.delete_user_pool_domain, Domain=domain, UserPoolId=UserPoolId)
    _call(idp.delete_user_pool, UserPoolId=UserPoolId)


_DELETERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("apigateway", "usage_plan_key"): _del_usage_plan_key,
    ("apigateway", "usage_plan"): _del_usage_plan,
    ("apigateway", "base_path_mapping"): _del_base_path_mapping,
    ("apigateway", "domain_name"): _del_domain_name,
    ("apigateway", "rest_api"): _del_rest_api,
    ("apigateway", "vpc_link"): _del_vpc_link,
    ("apigateway", "api_key"): _del_api_key,
    ("lambda", "function"): _del_function,
    ("stepfunctions", "state_machine"): _del_state_machine,
    ("iam", "access_key"): _del_access_key,
    ("iam", "user_policy"): _del_user_policy,
    ("iam", "attached_user_policy"): _del_attached_user_policy,
    ("iam", "user"): _del_user,
    ("iam", "role_policy"): _del_role_policy,
    ("iam", "attached_role_policy"): _del_attached_role_policy,
    ("iam", "role"): _del_role,
    ("iam", "policy"): _del_policy,
    ("sqs", "queue"): _del_queue,
    ("firehose", "delivery_stream"): _del_delivery_stream,
    ("s3", "bucket"): _del_bucket,
    ("logs", "log_group"): _del_log_group,
    ("cognito-idp", "user_pool_client"): _del_user_pool_client,
    ("cognito-idp", "user_pool"): _del_user_pool,
}
