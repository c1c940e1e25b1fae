"""Traffic through the gateway in virtual time: shapes, client behaviours, and the scenario runner."""

from .clients import Client, ExponentialBackoff, FixedRetry, NoRetry, RetryPolicy, retryable
from .ports import SimLab
from .runner import (ACCEPTED, ERROR, FORBIDDEN, OUTCOMES, QUOTA_EXCEEDED, RECORD_DTYPE, THROTTLED, ClientCounts,
                     Scenario, SimResult, Summary, Tier, run)
from .traffic import Constant, Diurnal, OnOff, Poisson, Ramp, Replay, Trace, TrafficShape, load_trace

__all__ = [
    "ACCEPTED", "ERROR", "FORBIDDEN", "OUTCOMES", "QUOTA_EXCEEDED", "RECORD_DTYPE", "THROTTLED",
    "Client", "ClientCounts", "Constant", "Diurnal", "ExponentialBackoff", "FixedRetry", "NoRetry", "OnOff",
    "Poisson", "Ramp", "Replay", "RetryPolicy", "Scenario", "SimLab", "SimResult", "Summary", "Tier", "Trace",
    "TrafficShape", "load_trace", "retryable", "run",
]
