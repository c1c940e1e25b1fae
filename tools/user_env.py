"""A learner's environment built the way repo2docker builds it from binder/, as a venv: what a JupyterHub
spawns learners from (`make test-hub` builds .hub/user-env) and what a trainer can try before the day.

    python tools/user_env.py build <dir>            # prints <dir>; a second run with binder/ unchanged is instant
    python tools/user_env.py build <dir> --jupyterhub 'jupyterhub==5.*'

The steps follow repo2docker (docs/jupyterhub.md): install binder/environment.yml's packages (its
conda entries `python` and `pip` are the venv itself), then run binder/postBuild from the repository
root with the environment's bin first on PATH. repo2docker's base environment also brings
jupyterhub-singleuser, the program a hub starts for each learner; here that is the `jupyterhub`
package at the hub's own version (the one installed beside this script's Python), unless told or
unless binder/environment.yml pins jupyterhub-singleuser itself.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from types import MappingProxyType

import yaml

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
STAMP_NAME = ".labkit-user-env"
# conda entries that a venv already is: the interpreter and its installer
CONDA_ENTRIES_OF_A_VENV = frozenset({"python", "pip"})
# conda packages whose pip name differs; a trainer pins jupyterhub-singleuser to match a hub (docs/jupyterhub.md)
PIP_NAME_OF_CONDA_PACKAGE = MappingProxyType({"jupyterhub-singleuser": "jupyterhub"})

Runner = Callable[..., subprocess.CompletedProcess]


def pip_requirement_of_conda_entry(entry: str) -> str:
    """The pip requirement for a conda entry such as `jupyterhub-singleuser=5.*` (conda's `=5.5` means 5.5.*)."""
    name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry.strip()).groups()
    if spec.startswith("=") and not spec.startswith("=="):
        version = spec[1:]
        spec = "==" + (version if version.endswith("*") else version + ".*")
    return PIP_NAME_OF_CONDA_PACKAGE[name.lower()] + spec


def pip_requirements(environment_file: Path) -> list[str]:
    """The pip requirements a venv needs for this conda environment file: its pip lines, then its mapped conda entries.

    A conda package with no known pip name is an error rather than a guess.
    """
    environment = yaml.safe_load(environment_file.read_text())
    pip_lines: list[str] = []
    mapped: list[str] = []
    for entry in environment.get("dependencies", []):
        if isinstance(entry, dict):
            pip_lines.extend(entry.get("pip", []))
            continue
        name = re.split(r"[=<>!~ ]", str(entry), maxsplit=1)[0].lower()
        if name in CONDA_ENTRIES_OF_A_VENV:
            continue
        if name not in PIP_NAME_OF_CONDA_PACKAGE:
            raise ValueError(
                f"{environment_file} lists the conda package {entry!r}: tools/user_env.py builds a venv "
                "and knows no pip name for it; list it under `pip:` instead"
            )
        mapped.append(pip_requirement_of_conda_entry(str(entry)))
    return pip_lines + mapped


def default_jupyterhub() -> str:
    """The `jupyterhub` requirement that matches the hub installed beside this Python, or any if there is none."""
    try:
        return f"jupyterhub=={metadata.version('jupyterhub')}"
    except metadata.PackageNotFoundError:
        return "jupyterhub"


def stamp_for(binder: Path, jupyterhub: str, python: str) -> str:
    """A digest of everything a build depends on: the binder/ files, the jupyterhub requirement, the Python."""
    digest = hashlib.sha256()
    for path in sorted(p for p in binder.iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(jupyterhub.encode() + b"\0" + python.encode())
    return digest.hexdigest()


def build(
    venv: Path,
    *,
    jupyterhub: str,
    python: str = sys.executable,
    binder: Path = BINDER,
    run: Runner = subprocess.run,
) -> Path:
    """Build (or bring up to date) the venv at `venv` from `binder`; nothing to do when its stamp matches.

    `jupyterhub` is the requirement for jupyterhub-singleuser unless binder/environment.yml pins its own.
    An update installs into the existing venv; a package removed from binder/ stays until the venv is deleted.
    """
    venv = venv.resolve()
    stamp_file = venv / STAMP_NAME
    stamp = stamp_for(binder, jupyterhub, python)
    if (venv / "bin" / "python").exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return venv
    stamp_file.unlink(missing_ok=True)  # a build that fails half-way must not look finished
    # Child output goes to stderr: stdout carries only the venv's path, for the scripts that read it.
    quiet = {"check": True, "stdout": sys.stderr}
    run([python, "-m", "venv", str(venv)], **quiet)
    bin_dir = venv / "bin"
    requirements = pip_requirements(binder / "environment.yml")
    if not any(re.match(r"jupyterhub\b(?!-)", line, re.I) for line in requirements):
        requirements.append(jupyterhub)
    run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", *requirements], **quiet)
    post_build = binder / "postBuild"
    if post_build.exists():
        env = dict(os.environ, VIRTUAL_ENV=str(venv), PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        env.pop("PYTHONHOME", None)
        run([str(post_build)], cwd=str(binder.parent), env=env, **quiet)
    stamp_file.write_text(stamp)
    return venv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="build or update the venv; print its path")
    build_command.add_argument("dir", type=Path, help="the venv's directory (created if missing)")
    build_command.add_argument(
        "--jupyterhub", default=None,
        help="the jupyterhub requirement for jupyterhub-singleuser (default: the version installed here)",
    )
    build_command.add_argument("--python", default=sys.executable, help="the interpreter the venv is made from")
    args = parser.parse_args(argv)
    venv = build(args.dir, jupyterhub=args.jupyterhub or default_jupyterhub(), python=args.python)
    print(venv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
