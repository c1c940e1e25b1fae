"""The lab's tags: added to every Create* call that takes tags, in the format each API expects.

A resource that carries ``labkit:lab = <lab id>`` can be found again by `scan` even when the ledger
file is lost; ``labkit:owner = <owner>`` (see `owner`) says whose clean-up may delete it.
https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
"""

from __future__ import annotations

from typing import Any

TAG_KEY = "labkit:lab"
OWNER_KEY = "labkit:owner"


# --- tagging: boto3 service name -> operation -> (parameter, format) --------------------------------
# "map" is {"k": "v"}; "Key/Value" and "key/value" are lists of one-pair dicts with those key names.
TAG_PARAMS: dict[str, dict[str, tuple[str, str]]] = {
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging.html
    "apigateway": {
        "CreateRestApi": ("tags", "map"),
        "CreateApiKey": ("tags", "map"),
        "CreateUsagePlan": ("tags", "map"),
        "CreateDomainName": ("tags", "map"),
        "CreateVpcLink": ("tags", "map"),  # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateVpcLink.html
    },
    "lambda": {"CreateFunction": ("Tags", "map")},
    "iam": {"CreateRole": ("Tags", "Key/Value"), "CreatePolicy": ("Tags", "Key/Value"),
            "CreateUser": ("Tags", "Key/Value")},
    "sqs": {"CreateQueue": ("tags", "map")},
    "firehose": {"CreateDeliveryStream": ("Tags", "Key/Value")},
    "logs": {"CreateLogGroup": ("tags", "map")},
    "stepfunctions": {"CreateStateMachine": ("tags", "key/value")},
    "cognito-idp": {"CreateUserPool": ("UserPoolTags", "map")},
    # S3 CreateBucket takes no tags: the ledger tags a bucket right after it is made (records.py).
}


def with_tags(value: Any, style: str, tags: dict[str, str]) -> Any:
    """The user's tags plus the lab's `tags` (its id and owner); a key the user already set keeps the user's value."""
    if style == "map":
        merged = dict(value or {})
        for key, tag_value in tags.items():
            merged.setdefault(key, tag_value)
        return merged
    k, v = style.split("/")
    merged_list = list(value or [])
    users_keys = {t.get(k) for t in merged_list}
    merged_list += [{k: key, v: tag_value} for key, tag_value in tags.items() if key not in users_keys]
    return merged_list
