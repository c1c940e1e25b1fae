"""What the other modules share: the lock, the attribute names the kit keeps on moto's objects,
and the lookup of a moto API Gateway backend."""

from __future__ import annotations

import threading
from typing import Any

from moto.apigateway import models as _models

_lock = threading.RLock()

_SNAPSHOT_ATTR = "_labkit_definition"  # on moto's Deployment: the snapshot lives and dies with it
_CANARY_ATTR = "_labkit_canary"  # on moto's Stage
_USAGE_ATTR = "_labkit_usage"  # on moto's UsagePlan: {key_id: {"YYYY-MM-DD": count}}
_PATCHED = "_labkit_patch"


def _backend(account_id: str, region_name: str) -> Any:
    return _models.apigateway_backends[account_id][region_name]
