"""ipywidgets labs: each a thin view over a pure `run_lab(params)` function."""

from .auth import AuthLab, AuthOutcome, auth_lab, run_auth_case
from .caching import CacheLab, CacheLabOutcome, CacheLabParams, cache_lab, run_cache_lab
from .errors import ErrorLab, ErrorOutcome, error_lab, latency_vs_timeout, run_error_case
from .throttling import LabOutcome, LabParams, ThrottlingLab, run_lab, scenario_for, throttling_lab

__all__ = ["AuthLab", "AuthOutcome", "auth_lab", "run_auth_case",
           "CacheLab", "CacheLabOutcome", "CacheLabParams", "cache_lab", "run_cache_lab",
           "ErrorLab", "ErrorOutcome", "error_lab", "latency_vs_timeout", "run_error_case",
           "LabOutcome", "LabParams", "ThrottlingLab", "run_lab", "scenario_for", "throttling_lab"]
