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


def test_the_gateway_contract_names_every_other_part_of_labkit():
    """A module added to labkit later is forbidden to the gateway too (the contract lists them by name)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    forbidden = set(next(c for c in config if c["id"] == "gateway-closed")["forbidden_modules"])
    parts = {f"labkit.{p.stem}" for p in (ROOT / "labkit").iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert parts - {"labkit.gateway"} <= forbidden, sorted(parts - {"labkit.gateway"} - forbidden)


def test_every_part_of_labkit_sits_in_a_layer():
    """The layers contract places every top-level module, so none can reach up unnoticed."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in config if c["id"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    parts = {f"labkit.{p.stem}" for p in (ROOT / "labkit").iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert parts <= placed, sorted(parts - placed)
