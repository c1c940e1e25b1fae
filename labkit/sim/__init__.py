"""Traffic through the gateway in virtual time: shapes, client behaviours, and the scenario runner."""

from .clients import Client, ExponentialBackoff, FixedRetry, NoRetry, RetryPolicy, retryable
from .runner import (ACCEPTED, ERROR, FORBIDDEN, OUTCOMES, QUOTA_EXCEEDED, RECORD_DTYPE, THROTTLED, ClientCounts,
                     Scenario, SimResult, Summary, Tier, close_shared_lab, run, shared_lab)
from .traffic import Constant, Diurnal, OnOff, Poisson, Ramp, Replay, Trace, TrafficShape, load_trace

__all__ = [
    "ACCEPTED", "ERROR", "FORBIDDEN", "OUTCOMES", "QUOTA_EXCEEDED", "RECORD_DTYPE", "THROTTLED",
    "Client", "ClientCounts", "Constant", "Diurnal", "ExponentialBackoff", "FixedRetry", "NoRetry", "OnOff",
    "Poisson", "Ramp", "Replay", "RetryPolicy", "Scenario", "SimResult", "Summary", "Tier", "Trace",
    "TrafficShape", "close_shared_lab", "load_trace", "retryable", "run", "shared_lab",
]
