"""Who is behind a signature or a token, read from moto's IAM, STS and Cognito backends in this process."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from os.path import dirname, join
from typing import Any

from labkit.gateway.ports import POOL_ARN, UserPool
from labkit.gateway.ports import IamCaller


def moto_caller(account_id: str, access_key_id: str) -> IamCaller | None:
    """The IAM user (or assumed-role session) behind `access_key_id` in moto's backends, in this process."""
    from moto.iam.models import Policy, iam_backends

    iam = iam_backends[account_id]["aws"]
    key = iam.access_keys.get(access_key_id)
    if key is not None and key.user_name and key.status == "Active":
        user = iam.get_user(key.user_name)
        policies = [iam.get_user_policy(user.name, n)["policy_document"] for n in iam.list_user_policies(user.name)]
        policies += list(iam.list_attached_user_policies(user.name)[0])
        for group in iam.get_groups_for_user(user.name):
            policies += [iam.get_group_policy(group.name, n)["policy_document"]
                         for n in iam.list_group_policies(group.name)]
            policies += list(iam.list_attached_group_policies(group.name)[0])
        documents = []
        for policy in policies:
            if isinstance(policy, Policy):
                policy = next(v.document for v in policy.versions if v.is_default)
            documents.append(json.loads(policy) if isinstance(policy, str) else dict(policy))
        return IamCaller(access_key_id, key.secret_access_key, user.arn, account_id, user.id, user.id,
                         policies=documents)

    from moto.sts.models import sts_backends

    for session in sts_backends[account_id]["aws"].assumed_roles:
        if session.access_key_id == access_key_id:
            role_name = session.role_arn.split("/")[-1]
            role = iam.get_role(role_name)
            documents = [json.loads(doc) if isinstance(doc, str) else doc
                         for _, doc in (iam.get_role_policy(role_name, n) for n in iam.list_role_policies(role_name))]
            for attached in iam.list_attached_role_policies(role_name)[0]:
                documents.append(json.loads(next(v.document for v in attached.versions if v.is_default)))
            arn = f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session.session_name}"
            caller = f"{role.id}:{session.session_name}"
            return IamCaller(access_key_id, session.secret_access_key, arn, account_id, caller, caller,
                             session_token=session.session_token, policies=documents)
    return None


@lru_cache(maxsize=1)
def moto_jwks() -> dict[str, Any]:
    """moto signs every pool's tokens with the one key it ships (moto-5.2-notes, section 4)."""
    import moto.cognitoidp

    with gzip.open(join(dirname(moto.cognitoidp.__file__), "resources", "jwks-public.json.gz")) as f:
        return json.load(f)


def moto_user_pool(account_id: str, pool_arn: str) -> UserPool | None:
    """A pool in moto's backend, in this process (None if it does not exist)."""
    from moto.cognitoidp.models import cognitoidp_backends

    found = POOL_ARN.match(pool_arn)
    if not found:
        return None
    pools = cognitoidp_backends[found.group("account") or account_id][found.group("region")].user_pools
    pool = pools.get(found.group("pool"))
    if pool is None:
        return None
    return UserPool(pool.id, found.group("region"), moto_jwks(), frozenset(pool.clients))
