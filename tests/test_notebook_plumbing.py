"""Test plumbing stays out of the cells a learner reads (../shared/NOTEBOOKS.md): nbval markers are
cell tags, and checks live in collapsed cells tagged `self-check`."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_teaching_cells_hold_no_asserts_or_nbval_comments(path):
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "self-check" in tags:
            assert cell.metadata.get("jupyter", {}).get("source_hidden"), f"cell {index}: a self-check is collapsed"
            continue
        lines = [line.strip() for line in cell.source.splitlines()]
        assert not [line for line in lines if line.startswith("assert ")], f"cell {index}:\n{cell.source}"
        assert "NBVAL" not in cell.source, f"cell {index}: use a cell tag, e.g. nbval-ignore-output"
