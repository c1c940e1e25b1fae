"""A structured record of one request: which step answered, with what status, and why.

Labs and widgets read this, never the execution log's text: rewording a log line cannot change what
a lab says about a request. The execution log stays what AWS prints; the trace is the kit's own.
"""

from __future__ import annotations

from dataclasses import dataclass

# The steps of the request path, in the order the gateway runs them (steps.default_steps), with the
# integration split as AWS's console shows it: integration request, the backend, integration response.
STEP_NAMES = ("endpoint", "route", "payload size", "authorizer", "API key", "throttle", "request validation",
              "cache", "integration request", "integration", "integration response")
CANARY = "canary"  # the fact of a request the route step sent to the stage's canary deployment
GATEWAY = "gateway"  # API Gateway itself failed (an unexpected exception): 500 Internal server error


@dataclass(frozen=True, slots=True)
class Trace:
    """Who answered a request and why.

    `answered_by`: a name of STEP_NAMES, or "gateway" for an internal error. A request the backend
    answered has `answered_by == "integration"` and no `response_type`. `reason`: a short
    machine-readable cause ("no-route", "function-error", "throttled", ...; "ok" when the
    integration answered). `facts`: what happened on the way ("authorizer-invoked", "cache-hit", ...;
    "canary" when the stage's canary deployment answered, see `canary`).
    """

    request_id: str
    answered_by: str
    status: int
    response_type: str | None
    reason: str
    detail: str | None  # the refusal's message, as the caller's body carries it
    passed: tuple[str, ...]  # the steps before `answered_by` that let the request through
    facts: frozenset[str]
    started: float  # the clock's time when the request arrived
    latency: float  # seconds the caller waited
    integration_latency: float  # seconds spent in the integration (0 when it did not run)

    def has(self, fact: str) -> bool:
        """Whether `fact` happened on the way (see `facts`)."""
        return fact in self.facts

    @property
    def canary(self) -> bool:
        """Whether the stage's canary deployment served the request (canarySettings.percentTraffic)."""
        return CANARY in self.facts

    def passed_through(self, step: str) -> bool:
        """Whether `step` let the request through (it ran and did not answer)."""
        return step in self.passed


def passed_before(answered_by: str, entered: list[str]) -> tuple[str, ...]:
    """The entered steps that came before the one that answered (entered steps are outermost first)."""
    out = []
    for name in entered:
        if name == answered_by:
            break
        out.append(name)
    return tuple(out)
