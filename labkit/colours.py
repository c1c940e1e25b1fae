"""The kit's palette: one colour per outcome, shared by the matplotlib figures (`labkit.plots`,
`labkit.design.figures`) and the SVG dashboards (`labkit.widgets.dashboards`)."""

# Simulated traffic: what the gateway did with each request.
COLOURS = {"offered": "#7f7f7f", "accepted": "#2ca02c", "throttled": "#d62728", "quota_exceeded": "#9467bd",
           "tokens": "#1f77b4"}

# The stage cache (labkit.sim.caching).
CACHE_COLOURS = {"hit": "#2ca02c", "backend": "#ff7f0e", "without": "#7f7f7f", "stale": "#d62728",
                 "cost": "#1f77b4"}

# Canary releases (notebook 03): the stage's deployment and its canary.
DEPLOYMENT_COLOURS = {"stable": "#1f77b4", "canary": "#ff7f0e"}
