"""`python -m labkit doctor` finds this venv ready and says how to fix what is not."""

from __future__ import annotations

import pytest

from labkit import doctor


@pytest.fixture
def env(monkeypatch):
    for name in ("LABKIT_BACKEND", "LABKIT_ENDPOINT_URL", "LABKIT_ALLOW_AWS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def by_name(checks):
    return {name: (ok, detail) for name, ok, detail in checks}


def test_report_finds_this_venv_ready(env):
    checks = doctor.report()
    assert all(isinstance(c, tuple) and len(c) == 3 for c in checks)
    found = by_name(checks)
    for name in ["Python", *doctor.DEPENDENCIES, "backend", "AWS opt-in", "moto round trip", "local port"]:
        assert found[name][0], (name, found[name][1])
    assert found["backend"][1].startswith("moto (default)")
    assert found["moto"][1].startswith("5.2")
    assert "REST API" in found["moto round trip"][1]
    assert doctor.essential_ok(checks)


def test_main_prints_a_table_and_returns_0(env, capsys):
    assert doctor.main() == 0
    out = capsys.readouterr().out
    assert "labkit doctor" in out
    assert "All essential checks passed" in out
    for name in ("Python", "boto3", "moto round trip", "local port"):
        assert any(line.split()[:1] == ["ok"] and name in line for line in out.splitlines()), name


def test_aws_backend_without_opt_in_fails_with_what_it_costs(env, capsys):
    env.setenv("LABKIT_BACKEND", "aws")
    ok, detail = by_name(doctor.report())["AWS opt-in"]
    assert not ok
    assert "LABKIT_ALLOW_AWS=1" in detail and "cost" in detail and "cleanup" in detail
    assert doctor.main() == 1
    assert "FAIL  AWS opt-in" in capsys.readouterr().out

    env.setenv("LABKIT_ALLOW_AWS", "1")
    assert by_name(doctor.report())["AWS opt-in"][0]


def test_unknown_backend_and_unreachable_server_fail(env):
    env.setenv("LABKIT_BACKEND", "nope")
    assert not by_name(doctor.report())["backend"][0]

    env.setenv("LABKIT_BACKEND", "server")
    env.setenv("LABKIT_ENDPOINT_URL", "http://127.0.0.1:1")
    ok, detail = by_name(doctor.report())["server reachable"]
    assert not ok and "LABKIT_ENDPOINT_URL" in detail


def test_a_missing_dependency_gets_the_install_fix(env, monkeypatch):
    monkeypatch.setitem(doctor.DEPENDENCIES, "labkit_no_such_module", "labkit-no-such-module")
    checks = doctor.report()
    ok, detail = by_name(checks)["labkit_no_such_module"]
    assert not ok and "pip install -e ." in detail
    assert not doctor.essential_ok(checks)


def test_advisory_checks_only_warn():
    checks = [("Python", True, "3.11"), ("JupyterLab widgets extension", False, "missing")]
    assert doctor.essential_ok(checks)
    assert "warn  JupyterLab widgets extension" in doctor.format_table(checks)


def test_report_on_an_open_moto_lab_leaves_its_state_alone(env):
    import boto3
    from moto import mock_aws

    class FakeLab:
        backend, endpoint_url, lab_id = "moto", None, "lab-doc"

        def __init__(self, session):
            self.session = session

        def client(self, name):
            return self.session.client(name)

    with mock_aws():
        session = boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
        api = session.client("apigateway").create_rest_api(name="mine")["id"]
        found = by_name(doctor.report(FakeLab(session)))
        assert found["lab client"][0] and found["moto round trip"][0]
        assert found["backend"][1].startswith("moto (lab lab-doc)")
        assert [a["id"] for a in session.client("apigateway").get_rest_apis()["items"]] == [api]
