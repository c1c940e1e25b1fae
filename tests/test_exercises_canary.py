"""The self-checks of 03_canary_releases: right answers pass, wrong ones get a hint, none raise."""

from __future__ import annotations

from labkit.apis import RestApi
from labkit.exercises import canary as ex


def _release(lab, percent=50.0):
    apigw = lab.client("apigateway")
    api = RestApi.create(apigw, "release-ex")
    method = api.resource("/version").method("GET")
    method.mock(body='{"version": "v1"}')
    api.deploy("prod")
    method.integration_response(200, templates={"application/json": '{"version": "v2"}'})
    apigw.create_deployment(restApiId=api.id, stageName="prod", canarySettings={"percentTraffic": percent})
    return apigw, api


def test_canary_share_is_checked_on_the_setting_and_the_traffic(lab, capsys):
    apigw, api = _release(lab)
    assert ex.check_canary_at(lab, None) is False
    assert ex.check_canary_at(lab, api.id, 25.0) is False
    assert "percentTraffic is 50" in capsys.readouterr().out
    apigw.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "25.0"}])
    assert ex.check_canary_at(lab, api.id, 25.0) is True
    out = capsys.readouterr().out
    assert "✅" in out and "of 400 requests" in out
    answered, sent = ex.canary_share(lab, api.id)
    assert sent == 400 and 70 <= answered <= 130


def test_promotion_needs_the_deployment_and_no_canary_left(lab, capsys):
    apigw, api = _release(lab)
    canary_id = apigw.get_stage(restApiId=api.id, stageName="prod")["canarySettings"]["deploymentId"]
    assert ex.check_promoted(lab, api.id, None) is False
    assert ex.check_promoted(lab, api.id, canary_id) is False
    assert "still serves deployment" in capsys.readouterr().out
    apigw.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0.0"}])
    assert ex.check_promoted(lab, api.id, canary_id) is False
    assert "remove /canarySettings" in capsys.readouterr().out
    apigw.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "remove", "path": "/canarySettings"}])
    assert ex.check_promoted(lab, api.id, canary_id) is True
    assert "✅" in capsys.readouterr().out
