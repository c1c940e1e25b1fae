"""How many learners one machine holds: N real Jupyter kernels, each running the throttling and cache labs
(notebooks 05 and 06) and moving a slider every few seconds, with the update time a learner waits for.

    .venv/bin/python benchmarks/hub_capacity.py [--max-learners 64] [--interval 3] [--seconds 60] [--quick]

Each learner is an ipykernel started with this venv's python (jupyter_client), its own temporary HOME and
LABKIT_HOME. It runs what notebooks 05 and 06 run for their widget labs (a `labkit.Lab(seed=0)`, then
`throttling_lab(lab=lab)` and `cache_lab(lab=lab)`), then moves the stage-rate slider and the cache-TTL
slider in turn: it waits for the update, thinks for `interval` x uniform(0.5, 1.5) seconds (seeded), moves
again. An update's time runs from sending the execute_request that sets the slider until the kernel
reports idle for it: the lab's observer runs inside that execution and its new picture goes out on iopub
before idle, so it is what the learner waits for, queueing behind the other kernels on the CPU included.

N steps up (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, ... up to --max-learners) and stops after the first N whose
p95 update passes the threshold, or when the machine's free memory would not hold the next step. Per N it
prints p50 and p95 update ms, memory per learner (PSS of the kernel's process tree, /proc/<pid>/smaps_rollup),
kernel CPU seconds per slider move, and the kernels' and the whole machine's share of the cores.

Target (issue 18): the p95 widget update stays under 300 ms (the widget target of issues 3 and 4,
widget_update.py). Reference, measured in the same run: the single learner's p95 (N=1); each N's p95 is
printed as a ratio to it. Without --quick it then measures, for the sizing in docs/trainer-guide.md, the
largest PSS and the CPU seconds of a kernel running notebook 05 (and one running 06) top to bottom, and the
PSS of one idle single-user server (`jupyter lab`, which a hub starts once per learner beside the kernels).

This is a measurement that prints figures, not a test: CI runs only its --quick smoke test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

ROOT = Path(__file__).resolve().parents[1]
STEPS = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128)
KERNEL_NAME = "labkit-capacity"
MEMORY_RESERVE = 2 * 1024**3  # bytes left free for the OS and everyone else when deciding to grow
MOVE_TIMEOUT = 120.0  # seconds: an update that takes longer means a stuck kernel, not a slow one

# What a learner's kernel holds: notebooks 05 and 06's setup for their widget labs, on one Lab.
SETUP = """\
%matplotlib inline
import labkit
from labkit.widgets.caching import cache_lab
from labkit.widgets.throttling import throttling_lab
lab = labkit.Lab(seed=0, verbose=False)
throttling = throttling_lab(lab=lab)
cache = cache_lab(lab=lab)
display(throttling, cache)
"""


@dataclass(frozen=True)
class Settings:
    """One run: the learner counts to try, the learners' pace, the measured seconds per step, the threshold."""

    steps: tuple[int, ...]
    interval: float = 3.0
    seconds: float = 60.0
    threshold_ms: float = 300.0
    seed: int = 0
    extras: bool = True  # also measure kernels running whole notebooks, and an idle jupyter lab


@dataclass(frozen=True)
class Step:
    """What N learners measured together."""

    learners: int
    moves: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    pss_mb: float           # mean PSS per learner (kernel and its children)
    cpu_per_move: float     # kernel CPU seconds per slider move
    kernels_busy: float     # kernels' CPU seconds / (wall seconds x cores)
    machine_busy: float     # every process's CPU / (wall seconds x cores), from /proc/stat
    driver_per_move: float  # this process's CPU seconds per move (receiving what a browser would)


@dataclass
class CapacityRun:
    """A run's figures and what it started (so a caller can check that all of it is gone)."""

    settings: Settings
    cores: int
    steps: list[Step] = field(default_factory=list)
    stopped: str = ""
    kernel_pids: list[int] = field(default_factory=list)
    workdir: str = ""
    server_pss_mb: float | None = None
    notebooks: dict[str, tuple[float, float]] = field(default_factory=dict)  # name: (largest PSS MB, CPU s)

    def first_over(self) -> int | None:
        """The first N whose p95 update passed the threshold, or None."""
        return next((s.learners for s in self.steps if s.p95_ms > self.settings.threshold_ms), None)


class Learner:
    """One learner: a kernel with the two labs, and the sliders it moves (values from its own seeded RNG)."""

    def __init__(self, index: int, manager: AsyncKernelManager, seed: int) -> None:
        self.index = index
        self.manager = manager
        self.client: Any = None
        self.rng = np.random.default_rng([seed, index])
        self.rate, self.ttl = 50, 60  # the labs' defaults (LabParams.rate, CacheLabParams.ttl)
        self.moves = 0

    @property
    def pid(self) -> int:
        """The kernel's process id."""
        return self.manager.provisioner.process.pid

    def next_move(self) -> str:
        """The code that moves the next slider: the stage rate and the cache TTL in turn, to a new value."""
        self.moves += 1
        if self.moves % 2:
            rate = int(self.rng.integers(10, 400))
            self.rate = rate if rate != self.rate else rate + 1  # an unchanged value would run no update
            return f"throttling.rate.value = {self.rate}"
        ttl = 5 * int(self.rng.integers(1, 720))
        self.ttl = ttl if ttl != self.ttl else ttl + 5  # an unchanged value would run no update
        return f"cache.ttl.value = {self.ttl}"

    async def execute(self, code: str, timeout: float = MOVE_TIMEOUT, may_fail: bool = False) -> float:
        """Run `code`; the seconds until the kernel was idle again. A failed execution raises, unless `may_fail`."""
        started = time.perf_counter()
        msg_id = self.client.execute(code, store_history=False)
        deadline = started + timeout
        while True:
            message = await self.client.get_iopub_msg(timeout=max(deadline - time.perf_counter(), 0.001))
            if (message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "status"
                    and message["content"]["execution_state"] == "idle"):
                break
        elapsed = time.perf_counter() - started
        while True:
            reply = await self.client.get_shell_msg(timeout=max(deadline - time.perf_counter(), 1.0))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok" and not may_fail:
            content = reply["content"]
            raise RuntimeError(f"learner {self.index}: {code[:200]!r} failed: {content.get('ename')}: "
                               f"{content.get('evalue')}")
        return elapsed

    def tree(self) -> list[psutil.Process]:
        """The kernel process and its children (a Lab may start worker processes)."""
        kernel = psutil.Process(self.pid)
        return [kernel, *kernel.children(recursive=True)]

    def pss(self) -> int:
        """Bytes of proportional set size of the kernel's process tree."""
        return sum(process.memory_full_info().pss for process in self.tree())

    def cpu_seconds(self) -> float:
        """CPU seconds the kernel's process tree has used (reaped children included)."""
        total = 0.0
        for process in self.tree():
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        return total


class Room:
    """Owns the learners' kernels and their temporary directory; `close()` shuts every kernel down (and
    `kill_leftovers()` kills what a shutdown missed), whatever happened before."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.workdir = Path(tempfile.mkdtemp(prefix="labkit-capacity-"))
        spec_dir = self.workdir / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "labkit capacity", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec))
        self.specs = KernelSpecManager(kernel_dirs=[str(self.workdir / "kernels")])
        self.learners: list[Learner] = []
        self.pids: list[int] = []

    def environment(self, index: int) -> dict[str, str]:
        """A learner's environment: its own HOME and LABKIT_HOME, this checkout's labkit, a shared
        matplotlib cache (built once, not once per learner)."""
        home = self.workdir / f"learner-{index}"
        (home / "labkit").mkdir(parents=True)
        env = dict(os.environ, HOME=str(home), LABKIT_HOME=str(home / "labkit"),
                   MPLCONFIGDIR=str(self.workdir / "matplotlib"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        for name in ("LABKIT_BACKEND", "LABKIT_ENDPOINT_URL", "LABKIT_ALLOW_AWS"):
            env.pop(name, None)  # the labs run on moto, as a room's notebooks do by default
        return env

    async def start(self, index: int, cwd: Path | None = None) -> Learner:
        """Start one learner's kernel (its own HOME and LABKIT_HOME) and wait until it answers."""
        manager = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=self.specs)
        manager.ip = "127.0.0.1"
        learner = Learner(index, manager, self.seed)
        self.learners.append(learner)
        log = open(self.workdir / f"kernel-{index}.log", "wb")
        try:
            await manager.start_kernel(env=self.environment(index), cwd=str(cwd or self.workdir), stdout=log,
                                       stderr=log)
        finally:
            log.close()
        self.pids.append(learner.pid)
        learner.client = manager.client()
        learner.client.start_channels()
        await learner.client.wait_for_ready(timeout=120)
        return learner

    async def add(self, index: int) -> Learner:
        """Start one learner's kernel and run the labs' setup in it, then move each slider once (warm-up)."""
        learner = await self.start(index)
        await learner.execute(SETUP, timeout=300)
        for _ in range(2):
            await learner.execute(learner.next_move())
        return learner

    async def grow(self, count: int, at_once: int = 4) -> None:
        """Add learners until there are `count`, starting at most `at_once` kernels at a time."""
        gate = asyncio.Semaphore(at_once)

        async def one(index: int) -> None:
            async with gate:
                await self.add(index)

        await asyncio.gather(*(one(i) for i in range(len(self.learners), count)))

    async def close(self) -> None:
        """Ask every kernel to shut down at once, then wait for each (a kernel that does not stop is killed)."""
        for learner in self.learners:
            if learner.client is not None:
                learner.client.stop_channels()
        await asyncio.gather(*(learner.manager.shutdown_kernel() for learner in self.learners
                               if learner.manager.has_kernel), return_exceptions=True)

    def kill_leftovers(self) -> None:
        """Kill any kernel still running (and its process group) and remove the temporary directory."""
        for pid in self.pids:
            try:
                process = psutil.Process(pid)
                if process.status() != psutil.STATUS_ZOMBIE:
                    if os.getpgid(pid) == pid:  # the kernel leads its own session (jupyter_client starts it so)
                        os.killpg(pid, signal.SIGKILL)
                    else:
                        process.kill()
                process.wait(timeout=10)
            except (psutil.NoSuchProcess, ProcessLookupError, ChildProcessError):
                pass
        shutil.rmtree(self.workdir, ignore_errors=True)


async def drive(learner: Learner, interval: float, until: float, times: list[float]) -> None:
    """Move a slider, wait for the update, think for about `interval` seconds, again, until `until`."""
    await asyncio.sleep(float(learner.rng.uniform(0, interval)))
    while time.perf_counter() < until:
        times.append(await learner.execute(learner.next_move()))
        await asyncio.sleep(interval * float(learner.rng.uniform(0.5, 1.5)))


def machine_busy_seconds() -> float:
    """CPU seconds all processes have used (/proc/stat: everything but idle and iowait)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


async def measure(room: Room, settings: Settings, cores: int) -> Step:
    """Every learner of the room moves sliders for `settings.seconds`; the step's figures."""
    times: list[float] = []
    me = psutil.Process()
    kernels_before = sum(learner.cpu_seconds() for learner in room.learners)
    machine_before, driver_before = machine_busy_seconds(), sum(me.cpu_times()[:2])
    started = time.perf_counter()
    await asyncio.gather(*(drive(learner, settings.interval, started + settings.seconds, times)
                           for learner in room.learners))
    wall = time.perf_counter() - started
    kernels = sum(learner.cpu_seconds() for learner in room.learners) - kernels_before
    machine, driver = machine_busy_seconds() - machine_before, sum(me.cpu_times()[:2]) - driver_before
    pss = [learner.pss() for learner in room.learners]
    ms = np.array(times) * 1000
    return Step(learners=len(room.learners), moves=len(times), p50_ms=float(np.percentile(ms, 50)),
                p95_ms=float(np.percentile(ms, 95)), max_ms=float(ms.max()), pss_mb=float(np.mean(pss)) / 1e6,
                cpu_per_move=kernels / len(times), kernels_busy=kernels / (wall * cores),
                machine_busy=machine / (wall * cores), driver_per_move=driver / len(times))


def fits_in_memory(room: Room, count: int) -> bool:
    """Whether growing the room to `count` learners, each as large as the largest now, leaves MEMORY_RESERVE free."""
    largest = max((learner.pss() for learner in room.learners), default=300 * 1024**2)
    more = count - len(room.learners)
    return psutil.virtual_memory().available - more * largest * 1.2 > MEMORY_RESERVE


async def run_steps(settings: Settings, run: CapacityRun, room: Room) -> None:
    """Grow the room step by step and measure each step, until the threshold, the memory or the last step."""
    for count in settings.steps:
        if not fits_in_memory(room, count):
            run.stopped = f"N={count} would leave less than {MEMORY_RESERVE / 1024**3:.0f} GB of memory free"
            return
        await room.grow(count)
        step = await measure(room, settings, run.cores)
        run.steps.append(step)
        print(row(step, run.steps[0]), flush=True)
        if step.p95_ms > settings.threshold_ms:
            run.stopped = f"p95 passed {settings.threshold_ms:.0f} ms"
            return
    run.stopped = f"last step (N={settings.steps[-1]})"


async def run_room(settings: Settings, run: CapacityRun, room: Room) -> None:
    """run_steps, with every kernel shut down however it ends (SIGTERM cancels the run like Ctrl-C)."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        await run_steps(settings, run, room)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        await room.close()


def server_pss_mb() -> float:
    """PSS (MB) of one idle `jupyter lab` server on 127.0.0.1, started with a temporary HOME and stopped."""
    with tempfile.TemporaryDirectory(prefix="labkit-capacity-server-") as home, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        env = dict(os.environ, HOME=home, JUPYTER_RUNTIME_DIR=f"{home}/runtime")
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                   f"--ServerApp.root_dir={ROOT / 'notebooks'}", "--ServerApp.token=capacity",
                   "--LabApp.news_url=None", "--allow-root"]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError("jupyter lab did not start within 60 s")
            time.sleep(3)  # let it finish loading its extensions
            tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
            return sum(process.memory_full_info().pss for process in tree) / 1e6
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


NOTEBOOKS = ("05_throttling_and_usage_plans.ipynb", "06_caching.ipynb")


async def run_notebook(room: Room, index: int, name: str) -> tuple[float, float]:
    """Run every code cell of notebook `name` in a new kernel (cwd notebooks/, as Jupyter does): the kernel's
    largest PSS in MB after a cell (the last cell closes the lab) and the CPU seconds the whole run took
    (what a room pays when everyone presses Run All at once). Cells tagged raises-exception may fail, as
    nbval lets them."""
    learner = await room.start(index, cwd=ROOT / "notebooks")
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    largest, started = 0, learner.cpu_seconds()
    for cell in cells:
        if cell["cell_type"] == "code":
            await learner.execute("".join(cell["source"]), timeout=600,
                                  may_fail="raises-exception" in cell.get("metadata", {}).get("tags", []))
            largest = max(largest, learner.pss())
    return largest / 1e6, learner.cpu_seconds() - started


async def run_notebooks(room: Room) -> dict[str, tuple[float, float]]:
    """Each of NOTEBOOKS run top to bottom in its own kernel, one after the other: (largest PSS in MB, CPU s)."""
    try:
        return {name: await run_notebook(room, i, name) for i, name in enumerate(NOTEBOOKS)}
    finally:
        await room.close()


def notebook_figures(seed: int) -> dict[str, tuple[float, float]]:
    """run_notebooks in a room of its own, every kernel gone afterwards."""
    room = Room(seed)
    try:
        return asyncio.run(run_notebooks(room))
    finally:
        room.kill_leftovers()


COLUMNS = ("N", "moves", "p50 ms", "p95 ms", "p95/N=1", "max ms", "MB/learner", "CPU s/move", "kernels CPU",
           "machine CPU", "driver s/move")
WIDTHS = (4, 6, 7, 7, 8, 7, 11, 11, 12, 12, 14)


def header() -> str:
    """The table's header line."""
    return "".join(f"{name:>{width}}" for name, width in zip(COLUMNS, WIDTHS))


def row(step: Step, reference: Step) -> str:
    """One step's line of the table; its p95 as a ratio to the reference step's (N=1)."""
    values = (step.learners, step.moves, f"{step.p50_ms:.0f}", f"{step.p95_ms:.0f}",
              f"{step.p95_ms / reference.p95_ms:.2f}", f"{step.max_ms:.0f}", f"{step.pss_mb:.0f}",
              f"{step.cpu_per_move:.3f}", f"{step.kernels_busy:.0%}", f"{step.machine_busy:.0%}",
              f"{step.driver_per_move:.3f}")
    return "".join(f"{value:>{width}}" for value, width in zip(values, WIDTHS))


def machine_lines(settings: Settings, cores: int) -> list[str]:
    """What the figures were measured on and with: date, machine, load before the run, the learners' pace."""
    memory = psutil.virtual_memory()
    load = os.getloadavg()
    return [f"date {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; {platform.platform()}; "
            f"python {platform.python_version()}",
            f"machine: {cores} cores (nproc), {memory.total / 1024**3:.1f} GB RAM "
            f"({memory.available / 1024**3:.1f} GB available), load average {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f} before the run",
            f"each learner: one kernel with the throttling and cache labs; a slider move, then "
            f"{settings.interval:g} s x U(0.5, 1.5) of thinking (seed {settings.seed}); {settings.seconds:g} s "
            f"measured per step; threshold p95 {settings.threshold_ms:.0f} ms"]


def conclusion(run: CapacityRun) -> list[str]:
    """Why the run stopped, the first N over the threshold (or the largest N that stayed under), the extras."""
    over = run.first_over()
    lines = [f"stopped: {run.stopped}"]
    if over is not None:
        lines.append(f"p95 widget update passes {run.settings.threshold_ms:.0f} ms at N={over} "
                     f"({run.cores} cores)")
    else:
        top = run.steps[-1].learners if run.steps else 0
        lines.append(f"p95 widget update passes {run.settings.threshold_ms:.0f} ms: not reached up to N={top} "
                     f"({run.cores} cores)")
    for name, (mb, cpu) in run.notebooks.items():
        lines.append(f"a kernel running {name} top to bottom (Run All): at most {mb:.0f} MB PSS, {cpu:.1f} CPU s")
    if run.server_pss_mb is not None:
        lines.append(f"one idle single-user server (jupyter lab, no kernel): {run.server_pss_mb:.0f} MB PSS")
    return lines


def steps_up_to(limit: int) -> tuple[int, ...]:
    """STEPS up to `limit`, with `limit` itself as the last step."""
    if limit < 1:
        raise ValueError(f"max-learners must be at least 1, got {limit}")
    return tuple(sorted({n for n in STEPS if n < limit} | {limit}))


def parse(argv: list[str] | None) -> Settings:
    """The run's Settings from the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-learners", type=int, default=64, help="the largest N to try (default 64)")
    parser.add_argument("--interval", type=float, default=3.0,
                        help="a learner's mean seconds between an update and the next move (default 3)")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per N (default 60)")
    parser.add_argument("--threshold-ms", type=float, default=300.0, help="the p95 target (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: N=1 and 2, a move every 0.5 s for 4 s, no server measurement")
    args = parser.parse_args(argv)
    if args.interval <= 0 or args.seconds <= 0:
        parser.error("--interval and --seconds must be positive")
    if args.quick:
        return Settings(steps=(1, 2), interval=0.5, seconds=4.0, threshold_ms=args.threshold_ms, seed=args.seed,
                        extras=False)
    return Settings(steps=steps_up_to(args.max_learners), interval=args.interval, seconds=args.seconds,
                    threshold_ms=args.threshold_ms, seed=args.seed)


def main(argv: list[str] | None = None) -> CapacityRun:
    """Parse the arguments, run the steps, print the table and the conclusion; the run's figures."""
    settings = parse(argv)
    cores = os.cpu_count() or 1
    run = CapacityRun(settings, cores)
    for line in machine_lines(settings, cores):
        print(line)
    print(header(), flush=True)
    room = Room(settings.seed)
    run.workdir = str(room.workdir)
    try:
        asyncio.run(run_room(settings, run, room))
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C, or SIGTERM (run_room cancels itself)
        print("interrupted: every kernel was shut down", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        run.kernel_pids = list(room.pids)
        room.kill_leftovers()
    if settings.extras:
        run.notebooks = notebook_figures(settings.seed)
        run.server_pss_mb = server_pss_mb()
    for line in conclusion(run):
        print(line)
    return run


if __name__ == "__main__":
    main()
