"""Traffic shapes: when requests arrive, as seeded, sorted numpy arrays of seconds in [0, duration).

Every shape is a small frozen dataclass with `arrivals(duration, seed)`. Randomness comes only from
`numpy.random.default_rng(seed)`, so the same shape and seed give the same arrivals (DESIGN.md).
Shapes whose rate varies are Poisson processes with that rate, drawn by thinning (Lewis & Shedler, 1979).
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

MAX_RATE = 1_000_000.0  # requests/s per shape: beyond this a laptop simulation makes no sense
MAX_REQUESTS = 10_000_000  # expected arrivals per call, to keep memory bounded
MAX_DURATION = 30 * 86_400.0
TRACES_DIR = Path(__file__).resolve().parents[2] / "data" / "traces"

Seed = int | np.random.Generator | None


class TrafficShape(Protocol):
    """Anything that can say when requests arrive."""

    def arrivals(self, duration: float, seed: Seed = 0) -> np.ndarray:
        """Sorted arrival times in seconds, within [0, duration)."""

    def mean_rate(self, duration: float) -> float:
        """Expected requests per second over `duration`."""


# --- validation -------------------------------------------------------------------------------------

def check_rate(value: float, name: str, *, allow_zero: bool = False) -> float:
    """A finite rate in requests/s, or a ValueError naming the parameter and its range."""
    low = "[0" if allow_zero else "(0"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value > MAX_RATE or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a number of requests per second in {low}, {MAX_RATE:g}], got {value!r}")
    return float(value)


def check_seconds(value: float, name: str, *, allow_zero: bool = False, upper: float = MAX_DURATION) -> float:
    """A finite, positive span of seconds, or a ValueError naming the parameter and its range."""
    low = "[0" if allow_zero else "(0"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value > upper or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a number of seconds in {low}, {upper:g}], got {value!r}")
    return float(value)


def _expected_ok(expected: float) -> None:
    if expected > MAX_REQUESTS:
        raise ValueError(f"rate x duration must be at most {MAX_REQUESTS:,} requests, got {expected:,.0f}")


# --- the Poisson machinery --------------------------------------------------------------------------

def _poisson(rate: float, duration: float, rng: np.random.Generator) -> np.ndarray:
    """A homogeneous Poisson process: a Poisson count, placed uniformly, sorted."""
    n = int(rng.poisson(rate * duration))
    return np.sort(rng.uniform(0.0, duration, n))


def _thinned(rate_at, max_rate: float, duration: float, rng: np.random.Generator) -> np.ndarray:
    """A Poisson process with rate `rate_at(t)` <= `max_rate`: keep each candidate with p = rate/max."""
    if max_rate <= 0:
        return np.empty(0)
    candidates = _poisson(max_rate, duration, rng)
    keep = rng.random(candidates.size) * max_rate < rate_at(candidates)
    return candidates[keep]


# --- shapes -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Constant:
    """Evenly spaced requests at `rate`/s, from a seeded phase within the first gap (so clients don't
    arrive in lockstep)."""

    rate: float

    def __post_init__(self) -> None:
        check_rate(self.rate, "rate")

    def arrivals(self, duration: float, seed: Seed = 0) -> np.ndarray:
        duration = check_seconds(duration, "duration")
        _expected_ok(self.rate * duration)
        gap = 1.0 / self.rate
        phase = np.random.default_rng(seed).random() * gap
        times = phase + gap * np.arange(math.ceil(duration * self.rate) + 1)
        return times[times < duration]

    def mean_rate(self, duration: float) -> float:
        return self.rate


@dataclass(frozen=True)
class Poisson:
    """Independent arrivals at an average of `rate`/s (exponential gaps): many users acting alone."""

    rate: float

    def __post_init__(self) -> None:
        check_rate(self.rate, "rate")

    def arrivals(self, duration: float, seed: Seed = 0) -> np.ndarray:
        duration = check_seconds(duration, "duration")
        _expected_ok(self.rate * duration)
        return _poisson(self.rate, duration, np.random.default_rng(seed))

    def mean_rate(self, duration: float) -> float:
        return self.rate


@dataclass(frozen=True)
class OnOff:
    """Bursts: Poisson at `rate_on`/s for `on_seconds`, then `rate_off`/s for `off_seconds`, repeating."""

    rate_on: float
    on_seconds: float
    off_seconds: float
    rate_off: float = 0.0

    def __post_init__(self) -> None:
        check_rate(self.rate_on, "rate_on")
        check_rate(self.rate_off, "rate_off", allow_zero=True)
        check_seconds(self.on_seconds, "on_seconds")
        check_seconds(self.off_seconds, "off_seconds", allow_zero=True)

    def rate_at(self, t: np.ndarray) -> np.ndarray:
        """The rate at times `t` (on during the first `on_seconds` of each cycle)."""
        on = np.mod(t, self.on_seconds + self.off_seconds) < self.on_seconds
        return np.where(on, self.rate_on, self.rate_off)

    def arrivals(self, duration: float, seed: Seed = 0) -> np.ndarray:
        duration = check_seconds(duration, "duration")
        top = max(self.rate_on, self.rate_off)
        _expected_ok(top * duration)
        return _thinned(self.rate_at, top, duration, np.random.default_rng(seed))

    def mean_rate(self, duration: float) -> float:
        cycle = self.on_seconds + self.off_seconds
        return (self.rate_on * self.on_seconds + self.rate_off * self.off_seconds) / cycle


@dataclass(frozen=True)
class Ramp:
    """A load test's ramp: Poisson with a rate rising (or falling) linearly from `start_rate` to `end_rate`."""

    start_rate: float
    end_rate: float

    def __post_init__(self) -> None:
        check_rate(self.start_rate, "start_rate", allow_zero=True)
        check_rate(self.end_rate, "end_rate", allow_zero=True)
        if self.start_rate == 0 and self.end_rate == 0:
            raise ValueError("start_rate and end_rate must not both be 0 requests per second")

    def arrivals(self, duration: float, seed: Seed = 0) -> np.ndarray:
        duration = check_seconds(duration, "duration")
        top = max(self.start_rate, self.end_rate)
        _expected_ok(top * duration)
        slope = (self.end_rate - self.start_rate) / duration
        return _thinned(lambda t: self.start_rate + slope * t, top, duration, np.random.default_rng(seed))

    def mean_rate(self, duration: float) -> float:
        return (self.start_rate + self.end_rate) / 2


def diurnal_profile(hours: np.ndarray) -> np.ndarray:
    """A web workload's day in [0, 1]: trough near 06:00, a steep morning rise, peak near 14:00, a slow
    evening decline (about half the peak at 22:00).

    A two-harmonic curve of the kind fitted to business-hours web traffic; a model, not data."""
    raw = _raw_day(np.asarray(hours, dtype=float))
    return np.clip((raw - _DAY_LOW) / (_DAY_HIGH - _DAY_LOW), 0.0, 1.0)


def _raw_day(hours: np.ndarray) -> np.ndarray:
    phase = 2 * np.pi * (hours - 4.0) / 24.0
    return 0.5 - 0.5 * np.cos(phase) - 0.18 * np.sin(2 * phase)


_DAY_LOW, _DAY_HIGH = (float(f(_raw_day(np.linspace(0, 24, 24 * 60 + 1)))) for f in (np.min, np.max))


@dataclass(frozen=True)
class Diurnal:
    """A 24-hour day compressed into the run: Poisson between `trough_rate` and `peak_rate`, starting at
    `start_hour`."""

    peak_rate: float
    trough_rate: float
    start_hour: float = 0.0

    def __post_init__(self) -> None:
        check_rate(self.peak_rate, "peak_rate")
        check_rate(self.trough_rate, "trough_rate", allow_zero=True)
        if self.trough_rate > self.peak_rate:
            raise ValueError(f"trough_rate must be in [0, peak_rate={self.peak_rate}], got {self.trough_rate}")
        if not isinstance(self.start_hour, (int, float)) or not 0 <= self.start_hour < 24:
            raise ValueError(f"start_hour must be in [0, 24), got {self.start_hour!r}")

    def rate_at(self, t: np.ndarray, duration: float) -> np.ndarray:
        """The rate at times `t` of a run lasting `duration` seconds (one day = the whole run)."""
        hours = self.start_hour + 24.0 * np.asarray(t) / duration
        return self.trough_rate + (self.peak_rate - self.trough_rate) * diurnal_profile(hours)

    def arrivals(self, duration: float, seed: Seed = 0) -> np.ndarray:
        duration = check_seconds(duration, "duration")
        _expected_ok(self.peak_rate * duration)
        return _thinned(lambda t: self.rate_at(t, duration), self.peak_rate, duration,
                        np.random.default_rng(seed))

    def mean_rate(self, duration: float) -> float:
        grid = np.linspace(0.0, duration, 1441)
        return float(np.mean(self.rate_at(grid, duration)))


# --- traces -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trace:
    """A recorded (or synthesised) workload: request counts per `bin_seconds`-long bin, from time 0."""

    counts: np.ndarray = field(repr=False)
    bin_seconds: float = 1.0
    name: str = ""

    @property
    def seconds(self) -> float:
        """How long the trace lasts."""
        return self.counts.size * self.bin_seconds

    @property
    def mean_rate(self) -> float:
        """Average requests per second over the trace."""
        return float(self.counts.sum() / self.seconds) if self.counts.size else 0.0


def load_trace(name_or_path: str | Path) -> Trace:
    """Read a trace CSV by name (in `data/traces/`) or path; parsed once per file and cached."""
    path = Path(name_or_path)
    if not path.exists() and (TRACES_DIR / path).exists():
        path = TRACES_DIR / path
    if not path.exists():
        known = sorted(p.name for p in TRACES_DIR.glob("*.csv")) if TRACES_DIR.exists() else []
        raise ValueError(f"trace must be a CSV path or one of {known}, got {str(name_or_path)!r}")
    return _read_trace(str(path.resolve()), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _read_trace(filename: str, _mtime: int) -> Trace:
    """Read a trace CSV: a file in `data/traces/` by name, or any path.

    Lines starting with `#` are comments. Two layouts (documented in data/traces/README.md):
    `second,requests` (a count per bin; bins evenly spaced, width = the step between `second`
    values) or `offset` (one row per request, its time in seconds from the start).
    """
    path = Path(filename)
    with path.open(newline="") as handle:
        rows = list(csv.reader(line for line in handle if line.strip() and not line.lstrip().startswith("#")))
    if not rows:
        raise ValueError(f"trace {path.name} has no header row")
    header = [h.strip().lower() for h in rows[0]]
    body = np.array([[float(v) for v in row] for row in rows[1:]], dtype=float).reshape(-1, len(header))
    if header[:2] == ["second", "requests"]:
        seconds, counts = body[:, 0], body[:, 1]
        step = float(np.median(np.diff(seconds))) if seconds.size > 1 else 1.0
        if step <= 0 or np.any(counts < 0):
            raise ValueError(f"trace {path.name}: `second` must increase and `requests` must be >= 0")
        return Trace(counts, step, path.name)
    if header[:1] == ["offset"]:
        offsets = np.sort(body[:, 0])
        if offsets.size and offsets[0] < 0:
            raise ValueError(f"trace {path.name}: `offset` must be >= 0 seconds")
        end = math.floor(offsets[-1]) + 1 if offsets.size else 1
        return Trace(np.bincount(offsets.astype(int), minlength=end).astype(float), 1.0, path.name)
    raise ValueError(f"trace {path.name}: header must be `second,requests` or `offset`, got {','.join(header)}")


@dataclass(frozen=True)
class Replay:
    """A trace's shape replayed over the run: its timeline is stretched or squeezed to `duration`, its
    per-second rates are kept and multiplied by `rate_scale` (so throttling sees the recorded rates)."""

    trace: str = "web-api-hour.csv"
    rate_scale: float = 1.0

    def __post_init__(self) -> None:
        check_rate(self.rate_scale, "rate_scale")
        load_trace(self.trace)  # fail early on a missing or malformed trace

    def rate_at(self, t: np.ndarray, duration: float) -> np.ndarray:
        """Requests/s at run times `t`: the rate of the trace bin that run time maps to."""
        loaded = load_trace(self.trace)
        rates = loaded.counts / loaded.bin_seconds * self.rate_scale
        index = np.minimum((np.asarray(t) / duration * loaded.counts.size).astype(int), loaded.counts.size - 1)
        return rates[index]

    def arrivals(self, duration: float, seed: Seed = 0) -> np.ndarray:
        duration = check_seconds(duration, "duration")
        loaded = load_trace(self.trace)
        top = float(loaded.counts.max() / loaded.bin_seconds * self.rate_scale) if loaded.counts.size else 0.0
        _expected_ok(top * duration)
        return _thinned(lambda t: self.rate_at(t, duration), top, duration, np.random.default_rng(seed))

    def mean_rate(self, duration: float) -> float:
        return load_trace(self.trace).mean_rate * self.rate_scale
