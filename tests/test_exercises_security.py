"""The self-checks of 08_security: right answers pass, wrong ones get a hint, none raise."""

from __future__ import annotations

import json

from labkit.exercises import security as ex
from labkit.apis import RestApi

RIGHT = {"iam_unsigned": 403, "iam_no_permission": 403, "authorizer_raises_unauthorized": 401,
         "authorizer_raises_other": 500, "authorizer_denies": 403, "cognito_access_token": 401,
         "none_bad_signature": 200}


def test_auth_predictions(capsys):
    assert ex.check_auth_predictions(dict(RIGHT)) is True
    assert "✅" in capsys.readouterr().out
    assert ex.check_auth_predictions(None) is False
    assert ex.check_auth_predictions({**RIGHT, "authorizer_raises_other": 401}) is False
    assert "crashes" in capsys.readouterr().out
    assert ex.check_auth_predictions({**RIGHT, "none_bad_signature": 403}) is False
    assert ex.check_auth_predictions({**RIGHT, "iam_unsigned": "abc"}) is False
    assert ex.check_auth_predictions({**RIGHT, "cognito_access_token": None}) is False


def _set_policy(lab, api, statements):
    lab.client("apigateway").update_rest_api(restApiId=api.id, patchOperations=[
        {"op": "replace", "path": "/policy",
         "value": json.dumps({"Version": "2012-10-17", "Statement": statements})}])
    api.deploy("dev")


ALLOW = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.20.0.0/16"}}}
DENY = {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.20.99.0/24"}}}


def test_ip_policy(lab, capsys):
    api = RestApi.create(lab.client("apigateway"), "office-api")
    api.resource("/reports").method("GET").mock(body='{"reports": []}')
    api.deploy("dev")
    assert ex.check_ip_policy(lab, None) is False
    assert ex.check_ip_policy(lab, api.id) is False
    assert "no resource policy" in capsys.readouterr().out
    _set_policy(lab, api, [ALLOW])  # the blocked subnet still gets in
    assert ex.check_ip_policy(lab, api.id) is False
    assert "Deny statement" in capsys.readouterr().out
    # Narrowing the Allow instead of denying: refused, but only implicitly.
    _set_policy(lab, api, [{**ALLOW, "Condition": {"IpAddress": {"aws:SourceIp": "10.20.0.0/16"},
                                                   "NotIpAddress": {"aws:SourceIp": "10.20.99.0/24"}}}])
    assert ex.check_ip_policy(lab, api.id) is False
    assert "explicit" in capsys.readouterr().out
    _set_policy(lab, api, [{**ALLOW, "Condition": {}}, DENY])  # everyone gets in
    assert ex.check_ip_policy(lab, api.id) is False
    _set_policy(lab, api, [ALLOW, DENY])
    assert ex.check_ip_policy(lab, api.id) is True
    assert "✅" in capsys.readouterr().out


def narrow_authorizer(event, context):
    verdict, _, user = event["authorizationToken"].partition("-")
    if verdict not in ("allow", "deny") or not user:
        raise Exception("Unauthorized")
    return {"principalId": user, "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow" if verdict == "allow" else "Deny",
         "Resource": event["methodArn"]}]}}


def wide_authorizer(event, context):
    verdict, _, user = event["authorizationToken"].partition("-")
    if verdict not in ("allow", "deny") or not user:
        raise Exception("Unauthorized")
    return {"principalId": user, "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow" if verdict == "allow" else "Deny",
         "Resource": event["methodArn"].split("/")[0] + "/*"}]}}


def allow_all(event, context):
    return {"principalId": "x", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}}


def _reports_api(lab):
    apigw = lab.client("apigateway")
    api = RestApi.create(apigw, "reports-api")
    fn = lab.lambda_function("narrow-authorizer", narrow_authorizer)
    authorizer = apigw.create_authorizer(
        restApiId=api.id, name="narrow", type="TOKEN", identitySource="method.request.header.Authorization",
        authorizerUri=f"arn:aws:apigateway:{lab.region}:lambda:path/2015-03-31/functions/{fn}/invocations")
    for path in ("/a", "/b"):
        api.resource(path).method("GET", authorization="CUSTOM", authorizer_id=authorizer["id"]).mock()
    api.deploy("dev")
    return apigw, api, authorizer["id"]


def _point_to(lab, apigw, api, authorizer_id, name, fn):
    arn = lab.lambda_function(name, fn)
    apigw.update_authorizer(restApiId=api.id, authorizerId=authorizer_id, patchOperations=[
        {"op": "replace", "path": "/authorizerUri",
         "value": f"arn:aws:apigateway:{lab.region}:lambda:path/2015-03-31/functions/{arn}/invocations"}])
    api.deploy("dev")


def test_authorizer_reuse_fixed_by_a_wider_policy(lab, capsys):
    apigw, api, authorizer_id = _reports_api(lab)
    assert ex.check_authorizer_reuse(lab, None) is False
    assert ex.check_authorizer_reuse(lab, api.id) is False
    assert "cached for GET /a was reused" in capsys.readouterr().out
    _point_to(lab, apigw, api, authorizer_id, "allow-all", allow_all)  # wide, but lets deny- tokens in
    assert ex.check_authorizer_reuse(lab, api.id) is False
    assert "keep the Deny" in capsys.readouterr().out
    _point_to(lab, apigw, api, authorizer_id, "wide-authorizer", wide_authorizer)
    assert ex.check_authorizer_reuse(lab, api.id) is True
    assert "without a call per request" in capsys.readouterr().out


def test_authorizer_reuse_fixed_by_ttl_0(lab, capsys):
    apigw, api, authorizer_id = _reports_api(lab)
    apigw.update_authorizer(restApiId=api.id, authorizerId=authorizer_id, patchOperations=[
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"}])
    assert ex.check_authorizer_reuse(lab, api.id) is False, "not deployed yet"
    api.deploy("dev")
    assert ex.check_authorizer_reuse(lab, api.id) is True
    assert "TTL 0" in capsys.readouterr().out
