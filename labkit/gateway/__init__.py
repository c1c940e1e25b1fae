"""The local data plane: executes REST APIs defined through the ordinary API Gateway control plane.

A closed package: what it needs from the world comes through the ports (ports.py); the backends
that implement them live in labkit.backends.
"""

from .clock import RealClock, VirtualClock
from .engine import Gateway
from .http import Headers, Request, Response
from .responses import GatewayError

__all__ = ["Gateway", "GatewayError", "Headers", "RealClock", "Request", "Response", "VirtualClock"]
