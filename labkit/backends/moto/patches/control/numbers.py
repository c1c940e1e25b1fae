"""The throttle and quota numbers stages and usage plans take, checked before moto stores them (issue 16 item 9).

AWS documents every one as at least 0: ThrottleSettings `burstLimit` (integer) and `rateLimit` (number),
QuotaSettings `limit` and `offset` (integers)
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-usageplan-throttlesettings.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-usageplan-quotasettings.html);
a stage's `throttlingRateLimit` is a double and `throttlingBurstLimit` an integer
(https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html). AWS's message for a bad one is
not recorded: the kit's names the parameter, its allowed range and the value given (a BadRequestException,
AWS's code for invalid input), where moto stored it or failed with a bare Python error.
"""

from __future__ import annotations

import math
from typing import Any

from moto.apigateway.exceptions import BadRequestException


def rate(value: Any, name: str) -> float:
    """A requests-per-second rate: a finite number >= 0 (from JSON, or a patch's string)."""
    number: float | None = None
    if not isinstance(value, bool):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise BadRequestException(f"Invalid {name}: {value!r}. It must be a number of requests per second >= 0.")
    return number


def whole(value: Any, name: str) -> int:
    """A count (burst, quota limit or offset): a whole number >= 0 (from JSON, or a patch's string)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value)
    if number is None or number < 0:
        raise BadRequestException(f"Invalid {name}: {value!r}. It must be a whole number >= 0.")
    return number


def check_throttle(throttle: Any, where: str) -> None:
    """A ThrottleSettings object: rateLimit and burstLimit, each when present."""
    if not isinstance(throttle, dict):
        return
    if throttle.get("rateLimit") is not None:
        rate(throttle["rateLimit"], f"{where}.rateLimit")
    if throttle.get("burstLimit") is not None:
        whole(throttle["burstLimit"], f"{where}.burstLimit")


def check_quota(quota: Any, where: str) -> None:
    """A QuotaSettings object: limit and offset, each when present."""
    if not isinstance(quota, dict):
        return
    for field in ("limit", "offset"):
        if quota.get(field) is not None:
            whole(quota[field], f"{where}.{field}")
