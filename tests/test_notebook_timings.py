"""Stated learner times follow one method (tools/notebook_timings.py), and the trainer guide's table
and agendas add up with them: a notebook's slot in an agenda is at least its estimated minutes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebook_timings import NOTEBOOKS, estimate, stated  # noqa: E402

GUIDE = (ROOT / "docs" / "trainer-guide.md").read_text()
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
ESTIMATES = {p.stem: estimate(p) for p in PATHS}


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_a_notebook_states_its_estimated_time(path):
    assert stated(path) == ESTIMATES[path.stem]


def test_the_guide_table_lists_every_notebook_with_its_estimate():
    table = dict(re.findall(r"^\| `(\d\d_[a-z_]+)` \| (\d+) \|", GUIDE, re.M))
    assert {stem: int(m) for stem, m in table.items()} == ESTIMATES


def agenda(title: str) -> list[tuple[int, str]]:
    """(minute of the day, what) rows of the agenda table under the heading starting with `title`."""
    section = GUIDE[GUIDE.index(f"### {title}"):]
    section = section[:section.index("\n\n", section.index("| --- |"))]
    rows = []
    for clock, what in re.findall(r"^\| (\d{1,2}:\d\d) \| (.*) \|$", section, re.M):
        hours, minutes = clock.split(":")
        rows.append((int(hours) * 60 + int(minutes), what))
    return rows


@pytest.mark.parametrize("title", ["Half day", "Full day"])
def test_an_agenda_gives_each_notebook_at_least_its_estimated_time(title):
    rows = agenda(title)
    assert rows and rows[-1][1] == "end"
    scheduled = []
    for (start, what), (following, _) in zip(rows, rows[1:]):
        assert following > start, (start, what)
        named = re.match(r"`(\d\d_[a-z_]+)`", what)
        if named:
            scheduled.append(named.group(1))
            assert following - start >= ESTIMATES[named.group(1)], what
    assert "00_start_here" in scheduled and "99_clean_up" in scheduled
