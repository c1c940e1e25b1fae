"""The lab's tag: added to every Create* call that takes tags, in the format each API expects.

A resource that carries ``labkit:lab = <lab id>`` can be found again by `scan` even when the ledger
file is lost. https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
"""

from __future__ import annotations

from typing import Any

TAG_KEY = "labkit:lab"


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


def with_tag(value: Any, style: str, lab_id: str) -> Any:
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
