"""Write each notebook's estimated minutes (tools/notebook_timings.py) into its "About **N minutes**" line
and into the trainer guide's table; the agendas are left to a person (the test says when they no longer fit)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_timings import NOTEBOOKS, STATED, estimate  # noqa: E402

GUIDE = NOTEBOOKS.parent / "docs" / "trainer-guide.md"


def main() -> int:
    estimates = {p.stem: estimate(p) for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}
    for stem, minutes in estimates.items():
        path = NOTEBOOKS / f"{stem}.ipynb"
        path.write_text(STATED.sub(f"About **{minutes} minutes**", path.read_text(), count=1))
    guide = re.sub(r"^\| `(\d\d_[a-z_]+)` \| \d+ \|",
                   lambda m: f"| `{m.group(1)}` | {estimates.get(m.group(1), '?')} |", GUIDE.read_text(), flags=re.M)
    GUIDE.write_text(guide)
    print(estimates)
    return 0


if __name__ == "__main__":
    sys.exit(main())
