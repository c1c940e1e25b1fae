"""`report(design)`: findings, monthly cost and simulation headline numbers, as text for a notebook."""

from __future__ import annotations

from typing import Any

from .checks import check
from .cost import cost
from .model import load_design
from .simulate import simulate


def report(design: Any, *, seconds: float = 60, simulate_traffic: bool = True, seed: int = 0) -> str:
    """A readable review of `design`: what breaks a limit, what it costs per month, and (unless
    `simulate_traffic` is False) what its traffic does in `seconds` of virtual time."""
    design = load_design(design)
    findings = check(design)
    lines = [f"Design review: {design.name}", "=" * (15 + len(design.name))]
    if design.description:
        lines.append(design.description)
    lines.append(f"{design.endpoint_type} API in {design.api_region}; {len(design.endpoints)} endpoints, "
                 f"{design.total_rate:,.1f} req/s expected"
                 + (f"; tiers {', '.join(t.name for t in design.tiers)} ({design.api_keys:,} API keys)"
                    if design.tiers else "; no usage plans"))
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "advice")}
    lines += ["", f"Findings: {counts['error']} error(s), {counts['warning']} warning(s), {counts['advice']} advice"]
    lines += [str(f) for f in findings] or ["  none"]
    report_ = cost(design)
    lines += ["", "Monthly cost", str(report_), "Assumptions:"] + [f"  - {a}" for a in report_.assumptions]
    if simulate_traffic:
        sim = simulate(design, seconds, seed=seed)
        lines += ["", "Simulation (virtual time, seeded)", sim.headline(), sim.table(), "Notes:"]
        lines += [f"  - {n}" for n in sim.notes]
    return "\n".join(lines)
