"""Every notebook runs twice in the same kernel without an error: a learner who runs it again (or
Run All after falling behind) is never told that what the first run made already exists.

On the default backend (moto) in `make test`; on LocalStack in `make test-localstack`, which sets
LABKIT_TEST_ENDPOINT_URL.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

pytestmark = pytest.mark.backend_neutral

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def errors_of(cell: nbformat.NotebookNode) -> list[str]:
    """What a cell wrote to stderr or raised."""
    return [out.get("text") or f"{out.get('ename')}: {out.get('evalue')}" for out in cell.get("outputs", [])
            if out.get("name") == "stderr" or out.get("output_type") == "error"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_notebook_runs_twice_in_one_kernel(path, monkeypatch):
    if os.environ.get("LABKIT_TEST_ENDPOINT_URL"):  # the kernel's Lab() reads these (conftest clears them)
        monkeypatch.setenv("LABKIT_BACKEND", "server")
        monkeypatch.setenv("LABKIT_ENDPOINT_URL", os.environ["LABKIT_TEST_ENDPOINT_URL"])
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for run in (1, 2):
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:
                    pytest.fail(f"{str(error)[-3000:]}\n(run {run} of the notebook, cell {index})")
                problems = errors_of(cell)
                assert not problems, f"run {run}, cell {index}:\n{cell.source}\n{problems}"
