"""The shared moto Lab for simulations and widgets: what `run_lab()`, `cache_lab()`, `error_lab()`,
`auth_lab()` and `design.simulate()` use when their caller names no lab (notebooks pass their own).

It sits above labkit.lab and below the notebook-facing code, so the simulator takes its Lab from its
caller and never imports labkit.lab (pyproject.toml, contract `layers`).
"""

from __future__ import annotations

from .lab import Lab


class SharedLab:
    """Owns one moto Lab, made on first use and reused (creating one costs ~0.3 s); `close()` deletes
    what it made. A Lab closes itself at interpreter exit (Lab registers its own atexit hook)."""

    def __init__(self) -> None:
        self._lab: Lab | None = None

    def get(self) -> Lab:
        """The shared Lab (a new one if there is none yet, or the last one was closed)."""
        if self._lab is None or self._lab.closed:
            self._lab = Lab("moto", verbose=False)  # moto, whatever LABKIT_BACKEND says: simulations need no backend
        return self._lab

    def close(self) -> None:
        """Close the shared Lab (it deletes what the simulators and widgets made); the next get() makes a new one."""
        lab, self._lab = self._lab, None
        if lab is not None:
            lab.close()


# The process's one default, so a dashboard's `throttling_lab()` and a test's `run_lab(params)` share a
# Lab (and moto's seeded ids) as they did when the simulator made it; its owner is this object.
SHARED = SharedLab()


def shared_lab() -> Lab:
    """The process's shared moto Lab (SHARED.get())."""
    return SHARED.get()


def close_shared_lab() -> None:
    """Close the process's shared Lab (SHARED.close()); the next shared_lab() makes a new one."""
    SHARED.close()
