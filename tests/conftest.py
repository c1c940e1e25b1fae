import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from backends import EchoServer  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Ledgers go to a temporary folder, never the learner's ~/.labkit."""
    monkeypatch.setenv("LABKIT_HOME", str(tmp_path / "labkit-home"))
    for name in ("LABKIT_BACKEND", "LABKIT_ENDPOINT_URL", "LABKIT_ALLOW_AWS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def echo():
    server = EchoServer()
    yield server
    server.stop()


@pytest.fixture
def lab():
    from labkit import Lab

    with Lab(verbose=False) as lab:
        yield lab


@pytest.fixture(autouse=True, scope="module")
def _close_shared_labs():
    """The shared moto Lab (labkit/shared.py) lives for one test module: a module never sees another's."""
    yield
    from labkit.shared import close_shared_lab

    close_shared_lab()
