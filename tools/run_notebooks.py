"""Execute notebooks in place with their outputs (or a scratch run with --no-save); report stderr, errors, time.

    .venv/bin/python tools/run_notebooks.py notebooks/*.ipynb
"""
import sys, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

save = "--no-save" not in sys.argv
paths = [a for a in sys.argv[1:] if not a.startswith("--")]
for path in paths:
    nb = nbformat.read(path, as_version=4)
    started = time.time()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(Path(path).resolve().parent)}}).execute()
    took = time.time() - started
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("name") == "stderr" or out.get("output_type") == "error":
                problems.append((i, out))
    print(f"{path}: {took:.1f} s, {len(problems)} stderr/error outputs")
    for i, out in problems:
        print("  cell", i, out.get("text", "") or out.get("evalue"))
    if save:
        nbformat.write(nb, path)
