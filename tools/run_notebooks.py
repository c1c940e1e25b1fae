"""Execute notebooks in place and store their outputs (or a scratch run with --no-save); report each
notebook's time and any stderr or error output, and exit non-zero if there was any.

    .venv/bin/python tools/run_notebooks.py notebooks/*.ipynb
    LABKIT_BACKEND=server .venv/bin/python tools/run_notebooks.py --no-save notebooks/01_rest_api_basics.ipynb
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path: Path, save: bool) -> int:
    """Execute one notebook in its own folder; returns how many stderr/error outputs it produced."""
    notebook = nbformat.read(path, as_version=4)
    started = time.time()
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.resolve().parent)}}).execute()
    problems = [(i, out) for i, cell in enumerate(notebook.cells) for out in cell.get("outputs", [])
                if out.get("name") == "stderr" or out.get("output_type") == "error"]
    print(f"{path}: {time.time() - started:.1f} s, {len(problems)} stderr/error outputs")
    for i, out in problems:
        print("  cell", i, out.get("text", "") or out.get("evalue"))
    if save:
        for cell in notebook.cells:  # one output per stream, however the kernel chunked it (as nbval compares)
            if cell.cell_type == "code":
                cell.outputs = coalesce_streams(cell.outputs)
        nbformat.write(notebook, path)
    return len(problems)


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive outputs of the same stream (stdout, stderr) into one."""
    merged: list = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1]["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def main(argv: list[str]) -> int:
    save = "--no-save" not in argv
    paths = [Path(a) for a in argv if not a.startswith("--")]
    return 1 if sum(run(path, save) for path in paths) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
