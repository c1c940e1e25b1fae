"""The ledger: what a lab created, recorded from its clients' botocore events in a JSON file.

A `Ledger` hooks a boto3 client: before a Create* call it adds the lab's tags (`tags`), after a
successful call it records what was created in ``{directory}/{lab_id}.json``, saved at once so a
crash leaves a trail. Botocore events: https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import pathlib
import re
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .delete import CleanupError, delete_entries
from .owner import resolve_owner
from .tags import OWNER_KEY, TAG_KEY, TAG_PARAMS, with_tags

_LAB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def default_directory() -> pathlib.Path:
    """Where ledger files live: $LABKIT_HOME/labs, by default ~/.labkit/labs."""
    return pathlib.Path(os.environ.get("LABKIT_HOME") or "~/.labkit").expanduser() / "labs"


# --- recording: boto3 service name -> operation -> (params, response) -> [(kind, ident)] -------------
Recorder = Callable[[dict, dict], list[tuple[str, dict]]]

RECORDERS: dict[str, dict[str, Recorder]] = {
    "apigateway": {
        "CreateRestApi": lambda p, r: [("rest_api", {"restApiId": r["id"]})],
        "ImportRestApi": lambda p, r: [("rest_api", {"restApiId": r["id"]})],
        "CreateApiKey": lambda p, r: [("api_key", {"apiKey": r["id"]})],
        "CreateUsagePlan": lambda p, r: [("usage_plan", {"usagePlanId": r["id"]})],
        "CreateUsagePlanKey": lambda p, r: [
            ("usage_plan_key", {"usagePlanId": p["usagePlanId"], "keyId": r.get("id") or p["keyId"]})
        ],
        "CreateDomainName": lambda p, r: [("domain_name", {"domainName": r.get("domainName") or p["domainName"]})],
        "CreateVpcLink": lambda p, r: [("vpc_link", {"vpcLinkId": r["id"]})],
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


def entry_key(entry: dict) -> str:
    """Identity of an entry, for de-duplication."""
    return json.dumps([entry["service"], entry["kind"], entry["ident"]], sort_keys=True)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def write_atomic(path: pathlib.Path, data: dict) -> None:
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


def read_ledger_file(path: pathlib.Path) -> dict:
    """A ledger file's contents; {} if there is none. ValueError (one line, naming the file) for a file
    that is not a ledger: truncated, garbage, or the wrong shape."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"ledger {path} cannot be read: {err}") from err
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ValueError(f"ledger {path} is not JSON (truncated or garbled?): {err}") from err
    problem = _shape_problem(data)
    if problem:
        raise ValueError(f"ledger {path} is not a labkit ledger: {problem}")
    return data


def _shape_problem(data: Any) -> str | None:
    """What is wrong with a ledger's shape, or None: {"entries": [{"service", "kind", "ident": {...}}, ...], ...}."""
    if not isinstance(data, dict):
        return f"expected a JSON object, found {type(data).__name__}"
    if not isinstance(data.get("where"), (str, type(None))):
        return "'where' is not a string"
    if not isinstance(data.get("owner"), (str, type(None))):
        return "'owner' is not a string"
    entries = data.get("entries", [])
    if not isinstance(entries, list):
        return "'entries' is not a list"
    for i, entry in enumerate(entries):
        if not (isinstance(entry, dict) and isinstance(entry.get("service"), str) and isinstance(entry.get("kind"), str)
                and isinstance(entry.get("ident"), dict) and all(isinstance(k, str) for k in entry["ident"])):
            return f"entry {i} lacks a service, kind and ident"
    return None


def check_lab_id(lab_id: str) -> None:
    """Refuse a lab id that cannot name a file and a tag value."""
    if not isinstance(lab_id, str) or not _LAB_ID.match(lab_id):
        raise ValueError(f"lab_id must match {_LAB_ID.pattern} (it names a file and a tag value): {lab_id!r}")


class Ledger:
    """Tags what a lab's clients create and records it in a JSON file, so it can all be deleted."""

    def __init__(self, lab_id: str, directory: pathlib.Path | None = None, *, where: str | None = None,
                 persist: bool = True, owner: str | None = None):
        """`where` names the backend (e.g. "aws:123456789012:us-east-1") so that `cleanup` run against
        one backend never deletes by a ledger written against another; `persist=False` keeps the
        ledger in memory only (moto in-process: nothing outlives the process). `owner` (by default
        `owner.default_owner()`) is tagged on what the lab creates and written in the ledger file, so a
        clean-up on a shared backend deletes only its own owner's labs."""
        check_lab_id(lab_id)
        self.lab_id = lab_id
        self.owner = resolve_owner(owner)
        self.where = where
        self.persist = persist
        self.directory = pathlib.Path(directory) if directory is not None else default_directory()
        self.path = self.directory / f"{lab_id}.json"
        self._lock = threading.RLock()
        # A ledger left by an earlier process with this id is picked up, not overwritten.
        saved = read_ledger_file(self.path)
        self._created_at: str = saved.get("created_at") or _now()
        self._entries: list[dict] = list(saved.get("entries", []))

    @property
    def tags(self) -> dict[str, str]:
        """The tags the lab puts on what it creates: its id and its owner."""
        return {TAG_KEY: self.lab_id, OWNER_KEY: self.owner}

    def attach(self, client: Any) -> None:
        """Tag and record what `client` creates from now on (idempotent; other services are ignored)."""
        service = client.meta.service_model.service_name  # boto3's name: "apigateway", "logs", ...
        event_service = client.meta.service_model.service_id.hyphenize()  # "api-gateway", "cloudwatch-logs"
        tag_ops = TAG_PARAMS.get(service, {})
        recorders = RECORDERS.get(service, {})
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
                params[name] = with_tags(params.get(name), style, self.tags)
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
            elif op == "CreateBucket" and self.persist:  # in-process moto leaves no orphans to find (and
                self._tag_bucket(client, params["Bucket"])  # an extra call would shift its seeded ids)

        return after

    def _tag_imported_api(self, client: Any, rest_api_id: str) -> None:
        """ImportRestApi takes no tags, so tag the API afterwards (best effort: moto 5.2 refuses)."""
        arn = f"arn:{client.meta.partition}:apigateway:{client.meta.region_name}::/restapis/{rest_api_id}"
        try:
            client.tag_resource(resourceArn=arn, tags=self.tags)
        except (ClientError, BotoCoreError):
            pass  # the ledger still has it

    def _tag_bucket(self, client: Any, bucket: str) -> None:
        """CreateBucket takes no tags, so tag the new (tagless) bucket afterwards: a scan can find it
        without the ledger. Best effort: the ledger still has it."""
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html
        try:
            client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v}
                                                                          for k, v in self.tags.items()]})
        except (ClientError, BotoCoreError):
            pass

    def record(self, service: str, kind: str, ident: dict, *, region: str | None = None) -> None:
        """Note that the lab created a resource, and save the ledger at once so a crash leaves a trail."""
        entry = {"service": service, "kind": kind, "ident": dict(ident), "region": region, "at": _now()}
        with self._lock:
            if any(entry_key(e) == entry_key(entry) for e in self._entries):
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
            write_atomic(
                self.path,
                {"lab_id": self.lab_id, "owner": self.owner, "where": self.where, "created_at": self._created_at,
                 "pid": os.getpid(), "entries": self._entries},
            )

    def delete_all(self, client_factory: Callable[[str], Any]) -> list[str]:
        """Delete everything recorded, dependents first; remove the ledger file once all is gone."""
        return self.delete_since(0, client_factory)

    def delete_since(self, mark: int, client_factory: Callable[[str], Any]) -> list[str]:
        """Delete what was recorded after the first `mark` entries (say, by a notebook cell that failed)."""
        with self._lock:
            chosen = self._entries[mark:]
            lines, failed = delete_entries(chosen, client_factory)
            failed_keys = {entry_key(e) for e, _ in failed}
            self._entries = self._entries[:mark] + [e for e in chosen if entry_key(e) in failed_keys]
            self._save()
        if failed:
            raise CleanupError([msg for _, msg in failed], lines)
        return lines
