"""CloudWatch GetMetricStatistics matching dimension sets exactly (extension 11)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .shared import PATCH_LOCK, binder, uses


@uses("dimensions")
def patch_cloudwatch_get_metric_statistics(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetMetricStatistics matches the dimension set exactly, as CloudWatch does (moto matched any
    superset, so stage-level numbers included the per-method ones).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html"""

    bind = binder(original)

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        dimensions = bind(self, *args, **kwargs).arguments["dimensions"]
        wanted = {(d["Name"], d.get("Value")) for d in dimensions or []}
        everything = type(self).get_all_metrics(self)
        exact = [m for m in everything if {(d.name, d.value) for d in m.dimensions} == wanted]
        with PATCH_LOCK:
            self.get_all_metrics = lambda: exact
            try:
                return original(self, *args, **kwargs)
            finally:
                del self.get_all_metrics

    return wrapper
