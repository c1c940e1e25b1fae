"""The pet-store sample backend: fixed data, JSON answers, loopback only, stopped by Lab.close()."""

from __future__ import annotations

import io
import contextlib

import pytest
import requests

from labkit import sample_backend


@pytest.fixture
def backend():
    running = sample_backend.start()
    yield running
    running.stop()


def test_lists_the_three_fixed_pets(backend):
    response = requests.get(backend.url + "/pets", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Backend"] == "labkit-sample-backend"
    assert response.json() == [dict(p) for p in sample_backend.PETS]
    assert [p["name"] for p in response.json()] == ["Rex", "Tom", "Nemo"]


def test_one_pet_and_an_unknown_one(backend):
    assert requests.get(backend.url + "/pets/2", timeout=5).json()["name"] == "Tom"
    missing = requests.get(backend.url + "/pets/9", timeout=5)
    assert missing.status_code == 404
    assert missing.json() == {"message": "Pet 9 not found"}
    assert requests.get(backend.url + "/nothing", timeout=5).status_code == 404


def test_post_echoes_the_new_pet_with_the_next_id(backend):
    created = requests.post(backend.url + "/pets", json={"type": "bird", "name": "Tweety"}, timeout=5)
    assert created.status_code == 201
    assert created.json() == {"type": "bird", "name": "Tweety", "id": 4}
    assert len(requests.get(backend.url + "/pets", timeout=5).json()) == 4
    assert requests.post(backend.url + "/pets", data="[1]", timeout=5).status_code == 400


def test_a_new_backend_starts_with_the_same_data(backend):
    requests.post(backend.url + "/pets", json={"name": "x"}, timeout=5)
    other = sample_backend.start()
    try:
        assert len(requests.get(other.url + "/pets", timeout=5).json()) == 3
    finally:
        other.stop()


def test_slow_sleeps_and_checks_its_parameter(backend):
    assert requests.get(backend.url + "/slow?seconds=0.1", timeout=5).json() == {"slept": 0.1}
    assert requests.get(backend.url + "/slow?seconds=-1", timeout=5).status_code == 400
    assert requests.get(backend.url + "/slow?seconds=abc", timeout=5).status_code == 400


def test_no_request_lines_on_stderr(backend):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        requests.get(backend.url + "/pets", timeout=5)
    assert err.getvalue() == ""


def test_only_loopback_and_valid_ports():
    with pytest.raises(ValueError, match="127.0.0.1"):
        sample_backend.start(host="0.0.0.0")
    with pytest.raises(ValueError, match="port"):
        sample_backend.start(port=70000)


def test_stop_frees_the_port_and_is_idempotent():
    running = sample_backend.start()
    running.stop()
    running.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(running.url + "/pets", timeout=2)


def test_lab_sample_backend_is_stopped_by_close():
    from labkit import Lab

    lab = Lab(verbose=False)
    backend = lab.sample_backend()
    assert requests.get(backend.url + "/pets/1", timeout=5).json()["name"] == "Rex"
    lab.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(backend.url + "/pets", timeout=2)
