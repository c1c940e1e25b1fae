"""lab.supports(feature): a notebook skips, with one sentence, the steps a control plane cannot do."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit import Lab
from labkit.capabilities import FEATURES, Capabilities, missing


def error(status: int, code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "Probe")


class Answering:
    """A client whose every call raises `raised` (or answers {} when None), counting the calls."""

    def __init__(self, raised: ClientError | None) -> None:
        self.raised = raised
        self.calls = 0

    def __getattr__(self, name: str):
        def call(**_):
            self.calls += 1
            if self.raised is not None:
                raise self.raised
            return {}

        return call


def test_not_implemented_and_failing_services_are_missing_but_client_errors_are_not():
    # LocalStack's free edition: 501 InternalFailure ("not included in your current license plan");
    # its Step Functions on Python 3.11: 500 InternalError. A 4xx to a probe's unknown id means the call exists.
    assert missing(error(501, "InternalFailure"))
    assert missing(error(500, "InternalError"))
    assert not missing(error(404, "NotFoundException"))
    # A plain moto server's answer to a route it lacks (GetUsage in moto 5.2): an HTML page, no AWS error type.
    assert missing(error(404, "404"))
    assert missing(error(405, "405"))
    assert not missing(error(400, "BadRequestException"))


def test_a_missing_feature_is_said_once_and_probed_once(capsys):
    client = Answering(error(501, "InternalFailure"))
    capabilities = Capabilities(lambda service: client, "LocalStack")
    assert capabilities.supports("cognito") is False
    assert capabilities.supports("cognito") is False
    out = capsys.readouterr().out
    assert out == ("LocalStack has no Amazon Cognito user pools, so the steps that need it are skipped here; "
                   "on moto and on AWS they run.\n")
    assert client.calls == 1


def test_a_feature_that_answers_is_supported_silently(capsys):
    client = Answering(error(404, "NotFoundException"))
    capabilities = Capabilities(lambda service: client, "AWS (us-east-1)")
    assert all(capabilities.supports(feature) for feature in FEATURES)
    assert capsys.readouterr().out == ""


def test_an_unknown_feature_names_the_known_ones():
    with pytest.raises(ValueError, match="feature must be one of cognito, exact-metric-dimensions, firehose, .* got .kinesis."):
        Capabilities(lambda service: Answering(None), "moto").supports("kinesis")


def test_moto_in_process_has_every_feature_without_a_probe(capsys):
    with Lab(verbose=False) as lab:
        assert all(lab.supports(feature) for feature in FEATURES)
    assert capsys.readouterr().out == ""


@pytest.mark.backend_neutral
def test_a_moto_server_or_localstack_is_probed(capsys):
    import os

    url = os.environ.get("LABKIT_TEST_ENDPOINT_URL")
    with Lab("server", endpoint_url=url, verbose=False) as lab:
        if url:  # LocalStack's free edition (shared/reference/localstack-recipe.md)
            assert lab.supports("get-usage") is False and lab.supports("xray") is False
            assert "LocalStack has no API Gateway GetUsage" in capsys.readouterr().out
        else:
            assert lab.supports("get-usage") and lab.supports("flush-stage-cache") and lab.supports("cognito")
            assert capsys.readouterr().out == ""


def test_the_shared_simulation_lab_is_moto_whatever_the_environment_says(monkeypatch):
    from labkit.shared import SharedLab

    monkeypatch.setenv("LABKIT_BACKEND", "server")
    shared = SharedLab()
    try:
        assert shared.get().backend == "moto"
    finally:
        shared.close()


def test_the_auth_lab_runs_on_moto_when_the_backend_has_no_cognito(capsys):
    from labkit.widgets.auth import run_auth_case

    with Lab("server", verbose=False) as lab:
        lab.capabilities = Capabilities(lambda service: Answering(error(501, "InternalFailure")), "LocalStack")
        outcome = run_auth_case("COGNITO_USER_POOLS", "good", lab)
        again = run_auth_case("NONE", "good", lab)
    assert (outcome.status, again.status) == (200, 200)
    assert capsys.readouterr().out == ("LocalStack has no Amazon Cognito user pools, so the auth lab runs on moto "
                                       "in this process instead.\n")
