"""The self-checks of 07_errors_and_limits: right answers pass, wrong ones get a hint, none raise."""

from __future__ import annotations

from labkit.exercises import errors as ex
from labkit.apis import RestApi

RIGHT = {"wrong_method": 403, "extra_key": 502, "eleven_mb": 413, "backend_404": 404, "no_default_mapping": 500}


def test_status_predictions(capsys):
    assert ex.check_status_predictions(dict(RIGHT)) is True
    assert "✅" in capsys.readouterr().out
    assert ex.check_status_predictions(None) is False
    assert ex.check_status_predictions({**RIGHT, "wrong_method": 404}) is False
    assert "no method matches" in capsys.readouterr().out
    assert ex.check_status_predictions({**RIGHT, "extra_key": "abc"}) is False
    assert ex.check_status_predictions({**RIGHT, "eleven_mb": None}) is False


def _errors_api(lab):
    apigw = lab.client("apigateway")
    api = RestApi.create(apigw, "errors")
    api.resource("/limited").method("GET").mock()
    api.deploy("dev")
    apigw.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/~1limited/GET/throttling/rateLimit", "value": "0.1"},
        {"op": "replace", "path": "/~1limited/GET/throttling/burstLimit", "value": "1"}])
    return apigw, api


def test_throttled_response(lab, capsys):
    apigw, api = _errors_api(lab)
    assert ex.check_throttled_response(lab, None) is False
    assert ex.check_throttled_response(lab, api.id) is False
    assert "Retry-After" in capsys.readouterr().out
    apigw.put_gateway_response(restApiId=api.id, responseType="THROTTLED",
                               responseParameters={"gatewayresponse.header.Retry-After": "'1'"},
                               responseTemplates={"application/json": '{"error": "slow down"}'})
    api.deploy("dev")
    assert ex.check_throttled_response(lab, api.id) is False
    assert "$context.requestId" in capsys.readouterr().out
    apigw.put_gateway_response(restApiId=api.id, responseType="THROTTLED",
                               responseParameters={"gatewayresponse.header.Retry-After": "'1'"},
                               responseTemplates={"application/json": '{"error": "slow down", '
                                                                      '"requestId": "$context.requestId"}'})
    assert ex.check_throttled_response(lab, api.id) is False, "not deployed yet"
    api.deploy("dev")
    assert ex.check_throttled_response(lab, api.id) is True
    apigw.put_gateway_response(restApiId=api.id, responseType="THROTTLED", statusCode="503",
                               responseParameters={"gatewayresponse.header.Retry-After": "'1'"},
                               responseTemplates={"application/json": '{"error": "slow down", '
                                                                      '"requestId": "$context.requestId"}'})
    api.deploy("dev")
    assert ex.check_throttled_response(lab, api.id) is False


def test_report_timeout(capsys):
    assert ex.check_report_timeout(9000) is True
    assert ex.check_report_timeout(8000) is True
    assert ex.check_report_timeout(10_000) is True
    assert ex.check_report_timeout(None) is False
    assert ex.check_report_timeout(7999) is False
    assert "worst case" in capsys.readouterr().out
    assert ex.check_report_timeout(29_000) is False
    assert "patience" in capsys.readouterr().out
    assert ex.check_report_timeout(40_000) is False
    assert ex.check_report_timeout(9.5) is False
