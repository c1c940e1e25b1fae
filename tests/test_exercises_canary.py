"""The self-checks of 03_stages_canaries_and_versioning: right answers pass, wrong ones get a hint, none raise."""

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


def _shop(lab):
    """An API whose prod stage got a bad deployment (no integration response: 500) after a good one."""
    apigw = lab.client("apigateway")
    shop = RestApi.create(apigw, "shop-ex")
    shop.resource("/price").method("GET").mock(body='{"price": 10}')
    good = shop.deploy("prod", description="good")
    apigw.delete_integration_response(restApiId=shop.id, resourceId=shop.resources()["/price"], httpMethod="GET",
                                      statusCode="200")
    bad = shop.deploy("prod", description="bad")
    return apigw, shop, good["id"], bad["id"]


def test_a_rollback_points_the_stage_at_the_good_deployment(lab, capsys):
    apigw, shop, good, bad = _shop(lab)
    assert ex.check_rolled_back(lab, shop.id, None) is False
    assert ex.check_rolled_back(lab, shop.id, good) is False
    assert f"still serves deployment {bad}" in capsys.readouterr().out
    apigw.update_stage(restApiId=shop.id, stageName="prod",
                       patchOperations=[{"op": "replace", "path": "/deploymentId", "value": good}])
    assert ex.check_rolled_back(lab, shop.id, good) is True
    assert "✅" in capsys.readouterr().out


def test_a_redeploy_that_fixes_the_stage_is_not_a_rollback(lab, capsys):
    apigw, shop, good, _ = _shop(lab)
    shop.resource("/price").method("GET").mock(body='{"price": 10}')
    shop.deploy("prod", description="fixed forward")
    assert ex.check_rolled_back(lab, shop.id, good) is False
    assert "a rollback does not deploy" in capsys.readouterr().out


def test_versioning_choices_want_the_strategy_each_scenario_needs(capsys):
    assert ex.check_versioning_choices(None) is False
    assert ex.check_versioning_choices({"internal_tool": "stage", "partner_links": "url", "one_url_app": "header"}) \
        is False
    assert "is not one of" in capsys.readouterr().out
    wrong = {"internal_tool": "stage", "partner_links": "stage", "one_url_app": "header"}
    assert ex.check_versioning_choices(wrong) is False
    assert "1 of 3 are off (partner_links)" in capsys.readouterr().out
    right = {"internal_tool": "Stage", "partner_links": "base_path", "one_url_app": "header"}
    assert ex.check_versioning_choices(right) is True
    assert "✅" in capsys.readouterr().out
