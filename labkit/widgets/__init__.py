"""ipywidgets labs: each a thin view over a pure `run_lab(params)` function."""

from .throttling import LabOutcome, LabParams, ThrottlingLab, run_lab, scenario_for, throttling_lab

__all__ = ["LabOutcome", "LabParams", "ThrottlingLab", "run_lab", "scenario_for", "throttling_lab"]
