"""Everything a lab creates is tagged with the lab's id and written down, so it can all be deleted.

A `Ledger` hooks a boto3 client's botocore events: before a Create* call it adds the lab's tag
(``labkit:lab = <lab id>``) in the format each API expects, and after a successful call it records
what was created in ``{directory}/{lab_id}.json``. `Ledger.delete_all` deletes the recorded
resources in dependency order; `cleanup` also finds tagged resources an interrupted lab left behind.
On real AWS this is what keeps a learner's bill at zero.

Botocore events: https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import pathlib
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

TAG_KEY = "labkit:lab"

_LAB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

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


def default_directory() -> pathlib.Path:
    """Where ledger files live: $LABKIT_HOME/labs, by default ~/.labkit/labs."""
    return pathlib.Path(os.environ.get("LABKIT_HOME") or "~/.labkit").expanduser() / "labs"


# --- tagging: boto3 service name -> operation -> (parameter, format) --------------------------------
# "map" is {"k": "v"}; "Key/Value" and "key/value" are lists of one-pair dicts with those key names.
_TAG_PARAMS: dict[str, dict[str, tuple[str, str]]] = {
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging.html
    "apigateway": {
        "CreateRestApi": ("tags", "map"),
        "CreateApiKey": ("tags", "map"),
        "CreateUsagePlan": ("tags", "map"),
        "CreateDomainName": ("tags", "map"),
    },
    "lambda": {"CreateFunction": ("Tags", "map")},
    "iam": {"CreateRole": ("Tags", "Key/Value"), "CreatePolicy": ("Tags", "Key/Value"),
            "CreateUser": ("Tags", "Key/Value")},
    "sqs": {"CreateQueue": ("tags", "map")},
    "firehose": {"CreateDeliveryStream": ("Tags", "Key/Value")},
    "logs": {"CreateLogGroup": ("tags", "map")},
    "stepfunctions": {"CreateStateMachine": ("tags", "key/value")},
    "cognito-idp": {"CreateUserPool": ("UserPoolTags", "map")},
    # S3 CreateBucket takes no tags: buckets are known by the ledger only.
}


def _with_tag(value: Any, style: str, lab_id: str) -> Any:
    """The user's tags plus the lab's tag, unless the user already set that key."""
    if style == "map":
        tags = dict(value or {})
        tags.setdefault(TAG_KEY, lab_id)
        return tags
    k, v = style.split("/")
    tags = list(value or [])
    if not any(t.get(k) == TAG_KEY for t in tags):
        tags.append({k: TAG_KEY, v: lab_id})
    return tags


# --- recording: boto3 service name -> operation -> (params, response) -> [(kind, ident)] -------------
Recorder = Callable[[dict, dict], list[tuple[str, dict]]]

_RECORDERS: dict[str, dict[str, Recorder]] = {
    "apigateway": {
        "CreateRestApi": lambda p, r: [("rest_api", {"restApiId": r["id"]})],
        "ImportRestApi": lambda p, r: [("rest_api", {"restApiId": r["id"]})],
        "CreateApiKey": lambda p, r: [("api_key", {"apiKey": r["id"]})],
        "CreateUsagePlan": lambda p, r: [("usage_plan", {"usagePlanId": r["id"]})],
        "CreateUsagePlanKey": lambda p, r: [
            ("usage_plan_key", {"usagePlanId": p["usagePlanId"], "keyId": r.get("id") or p["keyId"]})
        ],
        "CreateDomainName": lambda p, r: [("domain_name", {"domainName": r.get("domainName") or p["domainName"]})],
        "CreateBasePathMapping": lambda p, r: [
            ("base_path_mapping", {"domainName": p["domainName"], "basePath": r.get("basePath") or "(none)"})
        ],
    },
    "lambda": {"CreateFunction": lambda p, r: [("function", {"FunctionName": r["FunctionName"]})]},
    "iam": {
        "CreateRole": lambda p, r: [("role", {"RoleName": r["Role"]["RoleName"]})],
        "CreatePolicy": lambda p, r: [("policy", {"PolicyArn": r["Policy"]["Arn"]})],
        "PutRolePolicy": lambda p, r: [("role_policy", {"RoleName": p["RoleName"], "PolicyName": p["PolicyName"]})],
        "AttachRolePolicy": lambda p, r: [
            ("attached_role_policy", {"RoleName": p["RoleName"], "PolicyArn": p["PolicyArn"]})
        ],
        # Users and their access keys: on AWS a forgotten key is a live credential.
        "CreateUser": lambda p, r: [("user", {"UserName": r["User"]["UserName"]})],
        "CreateAccessKey": lambda p, r: [("access_key", {"UserName": r["AccessKey"]["UserName"],
                                                         "AccessKeyId": r["AccessKey"]["AccessKeyId"]})],
        "PutUserPolicy": lambda p, r: [("user_policy", {"UserName": p["UserName"], "PolicyName": p["PolicyName"]})],
        "AttachUserPolicy": lambda p, r: [
            ("attached_user_policy", {"UserName": p["UserName"], "PolicyArn": p["PolicyArn"]})
        ],
    },
    "sqs": {"CreateQueue": lambda p, r: [("queue", {"QueueUrl": r["QueueUrl"]})]},
    "firehose": {"CreateDeliveryStream": lambda p, r: [("delivery_stream",
                                                        {"DeliveryStreamName": p["DeliveryStreamName"]})]},
    # Objects are not recorded one by one: a bucket is emptied when it is deleted.
    "s3": {"CreateBucket": lambda p, r: [("bucket", {"Bucket": p["Bucket"]})]},
    "logs": {"CreateLogGroup": lambda p, r: [("log_group", {"logGroupName": p["logGroupName"]})]},
    "stepfunctions": {
        "CreateStateMachine": lambda p, r: [("state_machine", {"stateMachineArn": r["stateMachineArn"]})]
    },
    "cognito-idp": {
        "CreateUserPool": lambda p, r: [("user_pool", {"UserPoolId": r["UserPool"]["Id"]})],
        "CreateUserPoolClient": lambda p, r: [
            (
                "user_pool_client",
                {"UserPoolId": r["UserPoolClient"]["UserPoolId"], "ClientId": r["UserPoolClient"]["ClientId"]},
            )
        ],
    },
}

# Deletion order: dependents before what they depend on (usage plan keys before plans, base path
# mappings before domains and APIs, role policies before roles). Within a kind, newest first.
_DELETE_ORDER = [
    ("apigateway", "usage_plan_key"),
    ("apigateway", "usage_plan"),
    ("apigateway", "base_path_mapping"),
    ("apigateway", "domain_name"),
    ("apigateway", "rest_api"),
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


def _key(entry: dict) -> str:
    """Identity of an entry, for de-duplication."""
    return json.dumps([entry["service"], entry["kind"], entry["ident"]], sort_keys=True)


def _label(entry: dict) -> str:
    return f"{entry['service']} {entry['kind']} {'/'.join(str(v) for v in entry['ident'].values())}"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _write_atomic(path: pathlib.Path, data: dict) -> None:
    """Write JSON so a crash leaves either the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: pathlib.Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


def _check_lab_id(lab_id: str) -> None:
    if not isinstance(lab_id, str) or not _LAB_ID.match(lab_id):
        raise ValueError(f"lab_id must match {_LAB_ID.pattern} (it names a file and a tag value): {lab_id!r}")


class CleanupError(RuntimeError):
    """Some resources could not be deleted; `deleted` lists what was, `failed` what was not."""

    def __init__(self, failed: list[str], deleted: list[str]):
        super().__init__("could not delete:\n  " + "\n  ".join(failed))
        self.failed = failed
        self.deleted = deleted


class Ledger:
    """Tags what a lab's clients create and records it in a JSON file, so it can all be deleted."""

    def __init__(self, lab_id: str, directory: pathlib.Path | None = None, *, where: str | None = None,
                 persist: bool = True):
        """`where` names the backend (e.g. "aws:123456789012:us-east-1") so that `cleanup` run against
        one backend never deletes by a ledger written against another; `persist=False` keeps the
        ledger in memory only (moto in-process: nothing outlives the process)."""
        _check_lab_id(lab_id)
        self.lab_id = lab_id
        self.where = where
        self.persist = persist
        self.directory = pathlib.Path(directory) if directory is not None else default_directory()
        self.path = self.directory / f"{lab_id}.json"
        self._lock = threading.RLock()
        # A ledger left by an earlier process with this id is picked up, not overwritten.
        saved = _read(self.path)
        self._created_at: str = saved.get("created_at") or _now()
        self._entries: list[dict] = list(saved.get("entries", []))

    def attach(self, client: Any) -> None:
        """Tag and record what `client` creates from now on (idempotent; other services are ignored)."""
        service = client.meta.service_model.service_name  # boto3's name: "apigateway", "logs", ...
        event_service = client.meta.service_model.service_id.hyphenize()  # "api-gateway", "cloudwatch-logs"
        tag_ops = _TAG_PARAMS.get(service, {})
        recorders = _RECORDERS.get(service, {})
        for op in set(tag_ops) | set(recorders):
            client.meta.events.register(
                f"before-parameter-build.{event_service}.{op}",
                self._before_handler(tag_ops.get(op)),
                unique_id=f"labkit-ledger-before:{self.lab_id}:{service}:{op}",
            )
            if op in recorders:
                client.meta.events.register(
                    f"after-call.{event_service}.{op}",
                    self._after_handler(client, service, op, recorders[op]),
                    unique_id=f"labkit-ledger-after:{self.lab_id}:{service}:{op}",
                )

    def _before_handler(self, tag_param: tuple[str, str] | None) -> Callable[..., None]:
        def before(params: dict, context: dict, **_: Any) -> None:
            if tag_param is not None:
                name, style = tag_param
                params[name] = _with_tag(params.get(name), style, self.lab_id)
            # after-call sees only the response; some ids (a base path mapping's domain) are in the request.
            context["labkit_params"] = dict(params)

        return before

    def _after_handler(self, client: Any, service: str, op: str, recorder: Recorder) -> Callable[..., None]:
        def after(http_response: Any, parsed: dict, context: dict, **_: Any) -> None:
            # after-call fires for failed calls too; only a 2xx created something.
            if http_response is None or not 200 <= http_response.status_code < 300:
                return
            params = context.get("labkit_params", {})
            for kind, ident in recorder(params, parsed):
                self.record(service, kind, ident, region=client.meta.region_name)
            if op == "ImportRestApi":
                self._tag_imported_api(client, parsed["id"])

        return after

    def _tag_imported_api(self, client: Any, rest_api_id: str) -> None:
        """ImportRestApi takes no tags, so tag the API afterwards (best effort: moto 5.2 refuses)."""
        arn = f"arn:{client.meta.partition}:apigateway:{client.meta.region_name}::/restapis/{rest_api_id}"
        try:
            client.tag_resource(resourceArn=arn, tags={TAG_KEY: self.lab_id})
        except (ClientError, BotoCoreError):
            pass  # the ledger still has it

    def record(self, service: str, kind: str, ident: dict, *, region: str | None = None) -> None:
        """Note that the lab created a resource, and save the ledger at once so a crash leaves a trail."""
        entry = {"service": service, "kind": kind, "ident": dict(ident), "region": region, "at": _now()}
        with self._lock:
            if any(_key(e) == _key(entry) for e in self._entries):
                return
            self._entries.append(entry)
            self._save()

    def entries(self) -> list[dict]:
        """What the lab has created and not yet deleted, oldest first."""
        with self._lock:
            return [dict(e, ident=dict(e["ident"])) for e in self._entries]

    def _save(self) -> None:
        if not self.persist:
            return
        with self._lock:
            if not self._entries:
                self.path.unlink(missing_ok=True)
                return
            _write_atomic(
                self.path,
                {"lab_id": self.lab_id, "where": self.where, "created_at": self._created_at, "pid": os.getpid(),
                 "entries": self._entries},
            )

    def delete_all(self, client_factory: Callable[[str], Any]) -> list[str]:
        """Delete everything recorded, dependents first; remove the ledger file once all is gone."""
        return self.delete_since(0, client_factory)

    def delete_since(self, mark: int, client_factory: Callable[[str], Any]) -> list[str]:
        """Delete what was recorded after the first `mark` entries (say, by a notebook cell that failed)."""
        with self._lock:
            chosen = self._entries[mark:]
            lines, failed = _delete(chosen, client_factory)
            failed_keys = {k for k, _ in failed}
            self._entries = self._entries[:mark] + [e for e in chosen if _key(e) in failed_keys]
            self._save()
        if failed:
            raise CleanupError([msg for _, msg in failed], lines)
        return lines


def cleanup(
    client_factory: Callable[[str], Any],
    lab_id: str | None = None,
    directory: pathlib.Path | None = None,
    where: str | None = None,
) -> list[str]:
    """Delete what interrupted labs left: resources in ledger files and resources carrying the lab tag.

    With `lab_id`, only that lab's ledger and tag value; without, every labkit lab (run it when no
    lab is open: it cannot tell a crashed lab from a live one). With `where`, only ledgers written
    against that backend are used.
    """
    directory = pathlib.Path(directory) if directory is not None else default_directory()
    ledgers: dict[pathlib.Path, list[dict]] = {}
    if lab_id is not None:
        _check_lab_id(lab_id)
        paths = [directory / f"{lab_id}.json"]
    else:
        paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    unreadable: list[str] = []
    for path in paths:
        try:
            data = _read(path)
        except (OSError, ValueError) as err:
            unreadable.append(f"could not read ledger {path}: {err}")
            continue
        if data and (where is None or data.get("where") in (None, where)):
            ledgers[path] = list(data.get("entries", []))

    lines: list[str] = []
    found, scan_errors = _scan_tagged(client_factory, lab_id)
    scan_errors = unreadable + scan_errors
    entries: list[dict] = []
    seen: set[str] = set()
    for e in [e for es in ledgers.values() for e in es] + found:
        if _key(e) not in seen:
            seen.add(_key(e))
            entries.append(e)
    deleted, failed = _delete(entries, client_factory)
    lines += deleted
    failed_keys = {k for k, _ in failed}
    for path, es in ledgers.items():
        left = [e for e in es if _key(e) in failed_keys]
        if left:
            _write_atomic(path, dict(_read(path), entries=left))
        else:
            path.unlink(missing_ok=True)
            lines.append(f"removed ledger {path}")
    problems = scan_errors + [msg for _, msg in failed]
    if problems:
        raise CleanupError(problems, lines)
    return lines


# --- finding tagged resources on the backend --------------------------------------------------------


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict]:
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
    else:
        yield from getattr(client, operation)(**kwargs).get(key, [])


def _scan_tagged(client_factory: Callable[[str], Any], lab_id: str | None) -> tuple[list[dict], list[str]]:
    """Resources on the backend tagged by labkit (by `lab_id`, or by any lab)."""

    def ours(tags: dict | None) -> bool:
        tags = tags or {}
        return TAG_KEY in tags and (lab_id is None or tags[TAG_KEY] == lab_id)

    def pairs(tags: Iterable[dict], k: str, v: str) -> dict:
        return {t[k]: t[v] for t in tags}

    def apigateway(c: Any) -> Iterator[tuple[str, dict]]:
        for api in _pages(c, "get_rest_apis", "items"):
            if ours(api.get("tags")):
                yield "rest_api", {"restApiId": api["id"]}
        for key in _pages(c, "get_api_keys", "items"):
            if ours(key.get("tags")):
                yield "api_key", {"apiKey": key["id"]}
        for plan in _pages(c, "get_usage_plans", "items"):
            if ours(plan.get("tags")):
                yield "usage_plan", {"usagePlanId": plan["id"]}
        for domain in _pages(c, "get_domain_names", "items"):
            if ours(domain.get("tags")):
                yield "domain_name", {"domainName": domain["domainName"]}

    def lambda_(c: Any) -> Iterator[tuple[str, dict]]:
        for fn in _pages(c, "list_functions", "Functions"):
            if ours(c.list_tags(Resource=fn["FunctionArn"]).get("Tags")):
                yield "function", {"FunctionName": fn["FunctionName"]}

    def iam(c: Any) -> Iterator[tuple[str, dict]]:
        for role in _pages(c, "list_roles", "Roles"):
            if role.get("Path", "/").startswith("/aws-service-role/"):
                continue
            if ours(pairs(_pages(c, "list_role_tags", "Tags", RoleName=role["RoleName"]), "Key", "Value")):
                yield "role", {"RoleName": role["RoleName"]}
        for policy in _pages(c, "list_policies", "Policies", Scope="Local"):
            if ours(pairs(_pages(c, "list_policy_tags", "Tags", PolicyArn=policy["Arn"]), "Key", "Value")):
                yield "policy", {"PolicyArn": policy["Arn"]}

    def sqs(c: Any) -> Iterator[tuple[str, dict]]:
        for url in _pages(c, "list_queues", "QueueUrls"):
            if ours(c.list_queue_tags(QueueUrl=url).get("Tags")):
                yield "queue", {"QueueUrl": url}

    def logs(c: Any) -> Iterator[tuple[str, dict]]:
        for group in _pages(c, "describe_log_groups", "logGroups"):
            arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
            if ours(c.list_tags_for_resource(resourceArn=arn).get("tags")):
                yield "log_group", {"logGroupName": group["logGroupName"]}

    def sfn(c: Any) -> Iterator[tuple[str, dict]]:
        for sm in _pages(c, "list_state_machines", "stateMachines"):
            tags = c.list_tags_for_resource(resourceArn=sm["stateMachineArn"]).get("tags", [])
            if ours(pairs(tags, "key", "value")):
                yield "state_machine", {"stateMachineArn": sm["stateMachineArn"]}

    def cognito(c: Any) -> Iterator[tuple[str, dict]]:
        for pool in _pages(c, "list_user_pools", "UserPools", MaxResults=60):
            if ours(c.describe_user_pool(UserPoolId=pool["Id"])["UserPool"].get("UserPoolTags")):
                yield "user_pool", {"UserPoolId": pool["Id"]}

    scanners = {
        "apigateway": apigateway,
        "lambda": lambda_,
        "iam": iam,
        "sqs": sqs,
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
        except (ClientError, BotoCoreError) as err:
            errors.append(f"could not look for tagged {service} resources: {err}")
    return found, errors


# --- deleting ---------------------------------------------------------------------------------------


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


def _delete(entries: list[dict], client_factory: Callable[[str], Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """Delete `entries` in dependency order; return (lines, [(entry key, failure message)])."""
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
    failed: list[tuple[str, str]] = []
    for _, entry in indexed:
        label = _label(entry)
        if entry["kind"] == "user_pool_client" and entry["ident"]["UserPoolId"] in pools:
            continue  # deleted with its pool
        deleter = _DELETERS.get((entry["service"], entry["kind"]))
        if deleter is None:
            failed.append((_key(entry), f"{label}: labkit does not know how to delete a {entry['kind']}"))
            continue
        try:
            extra = deleter(client, **entry["ident"])
        except ClientError as err:
            if _is_gone(err):
                lines.append(f"already gone: {label}")
            else:
                failed.append((_key(entry), f"{label}: {err}"))
            continue
        except Exception as err:  # noqa: BLE001 - try everything, report everything (moto raises bare Python errors)
            failed.append((_key(entry), f"{label}: {err!r}"))
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
        for group in _pages(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=prefix):
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
    for key in _pages(ag, "get_usage_plan_keys", "items", usagePlanId=usagePlanId):
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
        mappings = list(_pages(ag, "get_base_path_mappings", "items", domainName=domainName))
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
    _call(client("iam").delete_role_policy, RoleName=RoleName, PolicyName=PolicyName)


def _del_attached_role_policy(client: Callable[[str], Any], RoleName: str, PolicyArn: str) -> None:
    _call(client("iam").detach_role_policy, RoleName=RoleName, PolicyArn=PolicyArn)


def _del_role(client: Callable[[str], Any], RoleName: str) -> None:
    iam = client("iam")
    # A role with policies or instance profiles cannot be deleted; the role is the lab's, so are they.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html#roles-managingrole-deleting-api
    for arn in [p["PolicyArn"] for p in _pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=RoleName)]:
        _ignore_gone(iam.detach_role_policy, RoleName=RoleName, PolicyArn=arn)
    for name in list(_pages(iam, "list_role_policies", "PolicyNames", RoleName=RoleName)):
        _ignore_gone(iam.delete_role_policy, RoleName=RoleName, PolicyName=name)
    for profile in list(_pages(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=RoleName)):
        _ignore_gone(
            iam.remove_role_from_instance_profile, RoleName=RoleName, InstanceProfileName=profile["InstanceProfileName"]
        )
    _call(iam.delete_role, RoleName=RoleName)


def _del_policy(client: Callable[[str], Any], PolicyArn: str) -> None:
    iam = client("iam")
    # A managed policy must be detached everywhere and have no other versions before it can go.
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html
    for role in list(_pages(iam, "list_entities_for_policy", "PolicyRoles", PolicyArn=PolicyArn)):
        _ignore_gone(iam.detach_role_policy, RoleName=role["RoleName"], PolicyArn=PolicyArn)
    for user in list(_pages(iam, "list_entities_for_policy", "PolicyUsers", PolicyArn=PolicyArn)):
        _ignore_gone(iam.detach_user_policy, UserName=user["UserName"], PolicyArn=PolicyArn)
    for group in list(_pages(iam, "list_entities_for_policy", "PolicyGroups", PolicyArn=PolicyArn)):
        _ignore_gone(iam.detach_group_policy, GroupName=group["GroupName"], PolicyArn=PolicyArn)
    for version in list(_pages(iam, "list_policy_versions", "Versions", PolicyArn=PolicyArn)):
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
    for upload in _pages(s3, "list_multipart_uploads", "Uploads", Bucket=Bucket):
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
