"""The recorded-behaviour tests on any control plane: moto in-process by default; a module or test
marked `backend_neutral` runs on LABKIT_TEST_ENDPOINT_URL when it is set (`make test-localstack`)."""

from __future__ import annotations

import os

import pytest

from labkit import Lab


@pytest.fixture
def lab(request):
    url = os.environ.get("LABKIT_TEST_ENDPOINT_URL")
    external = url and request.node.get_closest_marker("backend_neutral") is not None
    with (Lab("server", endpoint_url=url, verbose=False) if external else Lab(verbose=False)) as lab:
        yield lab
