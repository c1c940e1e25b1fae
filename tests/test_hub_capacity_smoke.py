"""benchmarks/hub_capacity.py --quick: two real kernels run the labs and move sliders; the table has its
columns, and no kernel or temporary directory outlives the run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import psutil

from processes import child_processes

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "hub_capacity.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("hub_capacity", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_quick_run_prints_the_table_and_leaves_no_kernel_behind(capsys):
    bench = load_benchmark()

    run = bench.main(["--quick"])

    out = capsys.readouterr().out
    lines = out.splitlines()
    table = lines.index(bench.header())
    assert lines[table].split() == ["N", "moves", "p50", "ms", "p95", "ms", "p95/N=1", "max", "ms", "MB/learner",
                                    "CPU", "s/move", "kernels", "CPU", "machine", "CPU", "driver", "s/move"]
    rows = [line.split() for line in lines[table + 1:table + 3]]
    assert [r[0] for r in rows] == ["1", "2"]
    assert rows[0][4] == "1.00"  # N=1 is the reference of the p95 ratio
    assert all(step.moves >= 2 and step.p95_ms > 0 and step.pss_mb > 50 and step.cpu_per_move > 0
               for step in run.steps)
    assert "p95 widget update passes 300 ms" in out

    assert len(run.kernel_pids) == 2
    assert not [pid for pid in run.kernel_pids if psutil.pid_exists(pid)]
    assert not set(run.kernel_pids) & set(child_processes())
    assert not Path(run.workdir).exists()
