"""The architecture DESIGN.md states, checked: `lint-imports` keeps pyproject.toml's import contracts
(labkit.gateway imports no moto, boto3, botocore, requests, nor any other part of labkit)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
