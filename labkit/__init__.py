"""API Gateway Lab Kit: build, run and check Amazon API Gateway REST APIs, with or without AWS."""

from .gateway import Gateway, RealClock, VirtualClock
from .lab import Lab

__all__ = ["Gateway", "Lab", "RealClock", "VirtualClock"]
__version__ = "0.1.0"
