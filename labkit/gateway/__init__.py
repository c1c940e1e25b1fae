"""The local data plane: executes REST APIs defined through the ordinary API Gateway control plane."""

from .clock import RealClock, VirtualClock
from .engine import Gateway
from .http import Headers, Request, Response
from .responses import GatewayError
from .source import Boto3Source, MotoSource

__all__ = ["Boto3Source", "Gateway", "GatewayError", "Headers", "MotoSource", "RealClock", "Request",
           "Response", "VirtualClock"]
