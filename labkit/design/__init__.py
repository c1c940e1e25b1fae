"""Design checks an architect runs before building: endpoint-type advice, limits, costs."""

# Check a design before building it (issue 8): format, limits, findings, cost, simulation, report.
from .checks import Finding, check
from .cost import BreakEven, CostReport, break_even, cost, cost_curve
from .limits import Limit, load_limits
from .model import Design, Endpoint, TierSpec, load_design
from .report import report
from .simulate import DesignSimulation, simulate
