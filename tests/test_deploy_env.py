"""The environment a repo2docker build of this repository makes (binder/) stays the kit's: the same runtime
dependencies as pyproject.toml, a postBuild that repo2docker can run and that docs/jupyterhub.md shows, and
tools/user_env.py, which builds that environment as a venv for a local hub, rebuilding only when binder/ changes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import user_env  # noqa: E402

BINDER = ROOT / "binder"
POST_BUILD = BINDER / "postBuild"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
ENVIRONMENT = yaml.safe_load((BINDER / "environment.yml").read_text())
DOC = (ROOT / "docs" / "jupyterhub.md").read_text()


def by_name(lines: list[str]) -> dict[str, tuple[str, str, str]]:
    """Requirement lines keyed by canonical name: (extras, version specifier, environment marker)."""
    keyed = {}
    for line in lines:
        requirement = Requirement(line)
        keyed[canonicalize_name(requirement.name)] = (
            ",".join(sorted(requirement.extras)), str(requirement.specifier), str(requirement.marker or ""),
        )
    return keyed


def command_lines(script: str) -> list[str]:
    """A shell script's commands: its lines without the blank ones and the comments (the shebang too)."""
    return [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_binder_environment_installs_exactly_the_runtime_dependencies():
    runtime = by_name(PYPROJECT["project"]["dependencies"])
    (pip_section,) = [entry["pip"] for entry in ENVIRONMENT["dependencies"] if isinstance(entry, dict)]
    binder = by_name(pip_section)
    assert sorted(runtime.keys() - binder.keys()) == [], "in pyproject.toml, missing from binder/environment.yml"
    assert sorted(binder.keys() - runtime.keys()) == [], "in binder/environment.yml, not a runtime dependency"
    differing = {name: (runtime[name], binder[name]) for name in runtime if runtime[name] != binder[name]}
    assert differing == {}, "(extras, specifier, marker) in pyproject.toml vs binder/environment.yml"


def test_binder_environment_pins_a_python_the_kit_supports():
    conda = [entry for entry in ENVIRONMENT["dependencies"] if isinstance(entry, str)]
    assert "python=3.11" in conda and "pip" in conda
    assert "3.11" in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_post_build_is_an_executable_script_that_stops_at_the_first_error():
    assert os.access(POST_BUILD, os.X_OK), "repo2docker runs binder/postBuild as a program"
    text = POST_BUILD.read_text()
    assert text.startswith("#!/bin/bash\n")
    # repo2docker does not stop a build on a failing postBuild line unless the script says so
    assert "set -e" in command_lines(text)[0]


def test_post_build_installs_the_kit_without_its_dependencies_from_the_repository_root():
    installs = [line for line in command_lines(POST_BUILD.read_text()) if "pip install" in line]
    assert len(installs) == 1 and "--no-deps" in installs[0].split()
    # editable: labkit reads data/ from its source tree, which a site-packages copy would not have
    assert installs[0].split()[-2:] == ["-e", "."]


def test_docs_show_the_commands_post_build_runs():
    blocks = re.findall(r"^ *```[a-z]*\n(.*?)^ *```", DOC, re.M | re.S)  # fenced blocks, in list items too
    assert command_lines(POST_BUILD.read_text()) in [command_lines(block) for block in blocks]


def test_docs_show_the_environment_file_repo2docker_reads():
    assert "binder/environment.yml" in DOC and "binder/postBuild" in DOC


def test_user_env_takes_the_pip_lines_and_skips_what_a_venv_already_is(tmp_path):
    environment = tmp_path / "environment.yml"
    environment.write_text("dependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - boto3\n      - numpy>=1\n")
    assert user_env.pip_requirements(environment) == ["boto3", "numpy>=1"]


def test_user_env_refuses_a_conda_package_it_cannot_name_on_pypi(tmp_path):
    environment = tmp_path / "environment.yml"
    environment.write_text("dependencies:\n  - python=3.11\n  - nodejs=20\n")
    with pytest.raises(ValueError, match="nodejs"):
        user_env.pip_requirements(environment)


@pytest.mark.parametrize(("conda", "pip"), [
    ("jupyterhub-singleuser=5.*", "jupyterhub==5.*"),
    ("jupyterhub-singleuser=5.5", "jupyterhub==5.5.*"),  # conda's `=` is a prefix match
    ("jupyterhub-singleuser==5.5.0", "jupyterhub==5.5.0"),
    ("jupyterhub-singleuser>=5", "jupyterhub>=5"),
    ("jupyterhub-singleuser", "jupyterhub"),
])
def test_user_env_installs_a_pinned_jupyterhub_singleuser_under_its_pip_name(tmp_path, conda, pip):
    environment = tmp_path / "environment.yml"
    environment.write_text(f"dependencies:\n  - python=3.11\n  - {conda}\n  - pip:\n      - boto3\n")
    assert user_env.pip_requirements(environment) == ["boto3", pip]


class RecordingRunner:
    """Stands in for subprocess.run: records each command, and makes the venv's python as `venv` would."""

    def __init__(self):
        self.calls: list[tuple[list[str], dict]] = []

    def __call__(self, command, **options):
        self.calls.append((command, options))
        if command[1:3] == ["-m", "venv"]:
            python = Path(command[3]) / "bin" / "python"
            python.parent.mkdir(parents=True, exist_ok=True)
            python.touch()
        return subprocess.CompletedProcess(command, 0)


@pytest.fixture
def binder_copy(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(BINDER, repo / "binder")
    return repo / "binder"


def test_user_env_builds_as_repo2docker_does_then_does_nothing_until_binder_changes(tmp_path, binder_copy):
    venv = tmp_path / "env"
    runner = RecordingRunner()
    assert user_env.build(venv, jupyterhub="jupyterhub==9.9", binder=binder_copy, run=runner) == venv.resolve()
    (make, _), (pip, _), (post_build, options) = runner.calls
    assert make[1:] == ["-m", "venv", str(venv.resolve())]
    assert pip[0] == str(venv.resolve() / "bin" / "python")
    assert pip[-1] == "jupyterhub==9.9" and "jupyter-server-proxy>=4" in pip
    assert post_build == [str(binder_copy / "postBuild")]
    assert options["cwd"] == str(binder_copy.parent)
    assert options["env"]["PATH"].split(os.pathsep)[0] == str(venv.resolve() / "bin")

    runner.calls.clear()
    user_env.build(venv, jupyterhub="jupyterhub==9.9", binder=binder_copy, run=runner)
    assert runner.calls == [], "a second build with binder/ unchanged runs nothing"

    with (binder_copy / "environment.yml").open("a") as environment:
        environment.write("      - simpy\n")
    user_env.build(venv, jupyterhub="jupyterhub==9.9", binder=binder_copy, run=runner)
    assert "simpy" in runner.calls[1][0], "a changed binder/environment.yml is installed"


def test_user_env_rebuilds_after_a_build_that_failed_even_once_binder_is_put_back(tmp_path, binder_copy):
    venv = tmp_path / "env"
    environment = binder_copy / "environment.yml"
    user_env.build(venv, jupyterhub="jupyterhub", binder=binder_copy, run=RecordingRunner())
    original = environment.read_text()

    def failing_pip(command, **options):
        if "pip" in command:
            raise subprocess.CalledProcessError(1, command)
        return RecordingRunner()(command, **options)

    environment.write_text(original + "      - a-package-that-does-not-exist\n")
    with pytest.raises(subprocess.CalledProcessError):
        user_env.build(venv, jupyterhub="jupyterhub", binder=binder_copy, run=failing_pip)
    environment.write_text(original)  # the venv may now hold half of the failed update
    runner = RecordingRunner()
    user_env.build(venv, jupyterhub="jupyterhub", binder=binder_copy, run=runner)
    assert len(runner.calls) == 3


def test_user_env_takes_jupyterhub_from_binder_when_binder_pins_it(tmp_path, binder_copy):
    environment = binder_copy / "environment.yml"
    environment.write_text(environment.read_text().replace("  - pip\n", "  - pip\n  - jupyterhub-singleuser=5.*\n", 1))
    runner = RecordingRunner()
    user_env.build(tmp_path / "env", jupyterhub="jupyterhub==6.1.1", binder=binder_copy, run=runner)
    pip = runner.calls[1][0]
    assert "jupyterhub==5.*" in pip and "jupyterhub==6.1.1" not in pip
