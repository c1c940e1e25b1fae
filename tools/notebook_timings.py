"""Estimated learner time per notebook, by one stated method (issue 17):
prose read at 200 words a minute, code read and run at 10 lines a minute, 5 minutes per exercise and
10 minutes per widget lab. `python tools/notebook_timings.py` prints the table the trainer guide uses;
tests/test_notebook_timings.py checks each notebook's "About **N minutes**" against it.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 10
MINUTES_PER_EXERCISE = 5
MINUTES_PER_LAB = 10
LAB_CALL = re.compile(r"^\s*(throttling_lab|cache_lab|error_lab|auth_lab)\(", re.M)
EXERCISE = re.compile(r"^#+\s*Exercise\b", re.M)
STATED = re.compile(r"About \*\*(\d+) minutes\*\*")


def parts(path: Path) -> dict[str, float]:
    """What a notebook asks of a learner: prose words, code lines, exercises and widget labs."""
    notebook = nbformat.read(path, as_version=4)
    words = lines = exercises = labs = 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            words += len(re.findall(r"[A-Za-z0-9][\w'’.-]*", re.sub(r"\(https?://[^)]*\)", "", cell.source)))
            exercises += len(EXERCISE.findall(cell.source))
        elif cell.cell_type == "code":
            lines += sum(1 for line in cell.source.splitlines()
                         if line.strip() and not line.lstrip().startswith("# NBVAL"))
            labs += len(LAB_CALL.findall(cell.source))
    return {"words": words, "lines": lines, "exercises": exercises, "labs": labs}


def estimate(path: Path) -> int:
    """Minutes, rounded up to a multiple of 5."""
    p = parts(path)
    minutes = (p["words"] / WORDS_PER_MINUTE + p["lines"] / CODE_LINES_PER_MINUTE
               + p["exercises"] * MINUTES_PER_EXERCISE + p["labs"] * MINUTES_PER_LAB)
    return max(5, 5 * math.ceil(minutes / 5))


def stated(path: Path) -> int | None:
    """The minutes a notebook's "You will need" cell states, if any."""
    found = STATED.search(path.read_text())
    return int(found.group(1)) if found else None


def main() -> int:
    print(f"{'notebook':34} {'words':>6} {'lines':>6} {'ex.':>4} {'labs':>5} {'minutes':>8} {'stated':>7}")
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        p = parts(path)
        print(f"{path.stem:34} {p['words']:6} {p['lines']:6} {p['exercises']:4} {p['labs']:5} "
              f"{estimate(path):8} {stated(path) or '-':>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
