"""Authorization on the local data plane: AWS_IAM (SigV4), Lambda authorizers, Cognito user pools,
resource policies, as API Gateway documents them for REST APIs.

Each test names the AWS page it follows.
"""

from __future__ import annotations

import json
import re
import time

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from labkit import VirtualClock
from labkit.apis import RestApi

ACCOUNT = "123456789012"
REGION = "us-east-1"

ECHO = '''
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
'''

# A Lambda authorizer whose answer the token (TOKEN) or the `Authorization` header (REQUEST) chooses.
AUTHORIZER = '''
CALLS = {"n": 0}

def handler(event, context):
    CALLS["n"] += 1
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("Authorization") or ""
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "boom":
        raise Exception("boom")
    if token == "malformed":
        return {"principalId": "x"}
    arn = event["methodArn"]
    resource = arn
    if token == "elsewhere":
        resource = arn.split("/")[0] + "/*/GET/elsewhere"
    effect = "Deny" if token == "deny" else "Allow"
    context = {"tier": "gold", "calls": CALLS["n"], "admin": True, "type": event["type"]}
    if event["type"] == "REQUEST":
        context["q"] = event["queryStringParameters"]["user"]
        context["color"] = event["stageVariables"]["color"]
        context["resource"] = event["resource"]
    return {"principalId": "user-" + token,
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
            "context": context,
            "usageIdentifierKey": "key-for-" + token + "-0123456789abcdef"}
'''

AUTHORIZER_TEMPLATE = ('{"principal": "$context.authorizer.principalId", "tier": "$context.authorizer.tier", '
                       '"calls": "$context.authorizer.calls", "admin": "$context.authorizer.admin"}')


def lambda_uri(function_arn):
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def method_arn(api, method, path, stage="dev"):
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api.id}/{stage}/{method}/{path.lstrip('/')}"


# Denials ("... is not authorized ...") come back as {"Message": ...} with a capital M, as on AWS
# (Knowledge Center: troubleshoot 403 Forbidden); other gateway responses use {"message": ...}.

# --- AWS_IAM ----------------------------------------------------------------------------------------

def iam_user(lab, name, statements=None):
    iam = lab.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="invoke",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def sign(credentials, method, url, body=None, headers=None):
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    SigV4Auth(credentials, "execute-api", REGION).add_auth(request)
    return dict(request.headers)


def iam_api(lab, *, policy=None, echo=False):
    api = RestApi.create(lab.client("apigateway"), "iam-api", policy=policy)
    pets = api.resource("/pets")
    if echo:
        fn = lab.lambda_function("echo", ECHO)
        pets.method("GET", authorization="AWS_IAM").lambda_proxy(fn)
    else:
        pets.method("GET", authorization="AWS_IAM").mock(body='{"pets": []}')
    pets.method("POST", authorization="AWS_IAM").mock(body='{"created": true}')
    api.deploy("dev")
    return api, lab.stage_url(api.id, "dev") + "/pets"


def allow(resource, action="execute-api:Invoke", effect="Allow"):
    return {"Effect": effect, "Action": action, "Resource": resource}


def test_iam_unsigned_request_is_403_missing_authentication_token(lab):
    # https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    _, url = iam_api(lab)
    r = requests.get(url)
    assert r.status_code == 403
    assert r.json() == {"message": "Missing Authentication Token"}
    assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_iam_signed_request_allowed_by_policy_fills_context_identity(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    api, url = iam_api(lab, echo=True)
    creds = iam_user(lab, "alice", [allow(f"arn:aws:execute-api:{REGION}:*:{api.id}/dev/GET/*")])
    r = requests.get(url + "?kind=cat", headers=sign(creds, "GET", url + "?kind=cat"))
    assert r.status_code == 200, r.text
    identity = r.json()["requestContext"]["identity"]
    assert identity["accessKey"] == creds.access_key
    assert identity["userArn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert identity["accountId"] == ACCOUNT
    assert identity["caller"] and identity["user"] == identity["caller"]


def test_iam_signed_post_with_body_and_session_token_of_an_assumed_role(lab):
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
    api, url = iam_api(lab)
    iam = lab.client("iam")
    role = iam.create_role(RoleName="caller", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]
    iam.put_role_policy(RoleName="caller", PolicyName="invoke",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow("*")]}))
    found = lab.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]
    creds = Credentials(found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"])
    body = '{"name": "rex"}'
    r = requests.post(url, data=body, headers=sign(creds, "POST", url, body=body))
    assert r.status_code == 200, r.text
    headers = sign(creds, "POST", url, body=body)
    headers["X-Amz-Security-Token"] = "not-the-token"
    assert requests.post(url, data=body, headers=headers).json() == {
        "message": "The security token included in the request is invalid."}


def test_iam_wrong_secret_is_403_invalid_signature(lab):
    # https://repost.aws/knowledge-center/api-gateway-iam-sigv4-mismatch
    _, url = iam_api(lab)
    creds = iam_user(lab, "bob", [allow("*")])
    wrong = Credentials(creds.access_key, "x" * 40)
    r = requests.get(url, headers=sign(wrong, "GET", url))
    assert r.status_code == 403
    assert r.json() == {"message": "The request signature we calculated does not match the signature you provided. "
                                   "Check your AWS Secret Access Key and signing method."}
    assert r.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    tampered = sign(creds, "GET", url)
    assert requests.get(url + "?extra=1", headers=tampered).status_code == 403, "the query was not signed"


def test_iam_unknown_access_key_is_403_invalid_security_token(lab):
    # https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    _, url = iam_api(lab)
    r = requests.get(url, headers=sign(Credentials("AKIAUNKNOWN000000000", "y" * 40), "GET", url))
    assert r.status_code == 403
    assert r.json() == {"message": "The security token included in the request is invalid."}
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_iam_signature_older_than_15_minutes_on_the_gateway_clock_is_expired(lab):
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html
    _, url = iam_api(lab)
    creds = iam_user(lab, "carol", [allow("*")])
    clock = VirtualClock(start=time.time())
    gw = lab.gateway(clock=clock)
    headers = sign(creds, "GET", url)
    assert gw.invoke("GET", url, headers=headers).status_code == 200
    clock.advance(4 * 60)  # within AWS's 5 minutes (labkit/gateway/auth/iam.py MAX_SKEW_SECONDS)
    assert gw.invoke("GET", url, headers=headers).status_code == 200
    clock.advance(2 * 60)
    r = gw.invoke("GET", url, headers=headers)
    assert r.status_code == 403
    assert r.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert re.fullmatch(r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                        r"\(\d{8}T\d{6}Z - 5 min\.\)", r.json()["message"])


def test_iam_policy_without_the_method_is_403_not_authorized_and_deny_wins(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-iam-policy-examples-for-api-execution.html
    api, url = iam_api(lab)
    creds = iam_user(lab, "dave", [allow(method_arn(api, "GET", "/pets")),
                                   allow(method_arn(api, "*", "/p?ts"), effect="Allow"),
                                   allow(method_arn(api, "POST", "/*"), effect="Deny")])
    assert requests.get(url, headers=sign(creds, "GET", url)).status_code == 200
    r = requests.post(url, headers=sign(creds, "POST", url))
    assert r.status_code == 403
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert r.json()["Message"] == (f"User: arn:aws:iam::{ACCOUNT}:user/dave is not authorized to perform: "
                                   f"execute-api:Invoke on resource: {method_arn(api, 'POST', '/pets')} "
                                   "with an explicit deny")
    nobody = iam_user(lab, "erin")
    r = requests.get(url, headers=sign(nobody, "GET", url))
    assert r.json()["Message"] == (f"User: arn:aws:iam::{ACCOUNT}:user/erin is not authorized to perform: "
                                   f"execute-api:Invoke on resource: {method_arn(api, 'GET', '/pets')}")


def test_iam_invalidate_cache_permission_lets_max_age_0_refetch(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html
    api, url = iam_api(lab)
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"}])
    reader = iam_user(lab, "reader", [allow("*")])
    admin = iam_user(lab, "admin", [allow("*"), allow("*", action="execute-api:InvalidateCache")])
    gw = lab.gateway(clock=VirtualClock(start=time.time()))
    gw.invoke("GET", url, headers=sign(reader, "GET", url))
    refused = gw.invoke("GET", url, headers=sign(reader, "GET", url, headers={"Cache-Control": "max-age=0"}))
    assert refused.headers["x-labkit-cache"] == "HIT" and "Warning" in refused.headers
    allowed = gw.invoke("GET", url, headers=sign(admin, "GET", url, headers={"Cache-Control": "max-age=0"}))
    assert allowed.headers["x-labkit-cache"] == "INVALIDATED"


# --- Lambda authorizers ----------------------------------------------------------------------------

def custom_api(lab, *, kind="TOKEN", ttl=None, identity="method.request.header.Authorization",
               expression=None, policy=None, api_key_source="HEADER", key_required=False, proxy=False):
    client = lab.client("apigateway")
    api = RestApi.create(client, "custom-auth", policy=policy, api_key_source=api_key_source)
    fn = lab.lambda_function("authorizer", AUTHORIZER)
    kwargs = {"restApiId": api.id, "name": "auth", "type": kind, "authorizerUri": lambda_uri(fn),
              "identitySource": identity}
    if ttl is not None:
        kwargs["authorizerResultTtlInSeconds"] = ttl
    authorizer_id = client.create_authorizer(**kwargs)["id"]
    if expression:  # moto 5.2 drops identityValidationExpression on create (a typo in its backend)
        client.update_authorizer(restApiId=api.id, authorizerId=authorizer_id, patchOperations=[
            {"op": "replace", "path": "/identityValidationExpression", "value": expression}])
    pets = api.resource("/pets")
    method = pets.method("GET", authorization="CUSTOM", authorizer_id=authorizer_id, api_key_required=key_required)
    if proxy:
        method.lambda_proxy(lab.lambda_function("echo", ECHO))
    else:
        method.mock(body=AUTHORIZER_TEMPLATE)
    api.resource("/other").method("GET", authorization="CUSTOM", authorizer_id=authorizer_id).mock()
    api.deploy("dev", variables={"color": "blue"})
    return api, lab.stage_url(api.id, "dev") + "/pets"


def test_token_authorizer_allow_passes_principal_and_context_to_the_integration(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
    _, url = custom_api(lab)
    r = requests.get(url, headers={"Authorization": "alice"})
    assert r.status_code == 200, r.text
    assert r.json() == {"principal": "user-alice", "tier": "gold", "calls": "1", "admin": "true"}


def test_token_authorizer_context_reaches_the_proxy_event(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    _, url = custom_api(lab, proxy=True)
    event = requests.get(url, headers={"Authorization": "alice"}).json()
    assert event["requestContext"]["authorizer"]["principalId"] == "user-alice"
    assert event["requestContext"]["authorizer"]["tier"] == "gold"


def test_token_authorizer_missing_or_invalid_token_is_401_without_calling_the_function(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization-with-console.html
    # The function would answer 500 for "boom": a 401 shows it was not called.
    _, url = custom_api(lab, expression="^[a-z]+$")
    r = requests.get(url)
    assert r.status_code == 401
    assert r.json() == {"message": "Unauthorized"}
    assert requests.get(url, headers={"Authorization": "Boom-1"}).status_code == 401
    assert requests.get(url, headers={"Authorization": "boom"}).status_code == 500


def test_token_authorizer_outcomes_unauthorized_deny_implicit_and_errors(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
    # https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    _, url = custom_api(lab, ttl=0)
    r = requests.get(url, headers={"Authorization": "unauthorized"})
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})
    r = requests.get(url, headers={"Authorization": "deny"})
    assert r.status_code == 403
    assert r.json()["Message"] == "User is not authorized to access this resource with an explicit deny"
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    r = requests.get(url, headers={"Authorization": "elsewhere"})
    assert (r.status_code, r.json()["Message"]) == (403, "User is not authorized to access this resource")
    for token in ("boom", "malformed"):
        r = requests.get(url, headers={"Authorization": token})
        assert (r.status_code, r.json()) == (500, {"message": None})
        assert r.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_authorizer_policy_wildcards_and_deny_wins():
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
    from labkit.gateway.auth.policy import evaluate

    arn = "arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/pets/7"
    doc = {"Statement": [{"Effect": "Allow", "Action": "execute-api:*", "Resource": "arn:aws:execute-api:*:*:abc/*"}]}
    assert evaluate([doc], action="execute-api:Invoke", resource=arn) == "Allow"
    one_char = {"Statement": {"Effect": "Allow", "Action": "execute-api:Invoke",
                              "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/pets/?"}}
    assert evaluate([one_char], action="execute-api:Invoke", resource=arn) == "Allow"
    assert evaluate([one_char], action="execute-api:Invoke", resource=arn + "7") is None
    deny = {"Statement": [{"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*/GET/*"}]}
    assert evaluate([doc, deny], action="execute-api:Invoke", resource=arn) == "Deny"


def test_authorizer_results_are_cached_per_token_for_the_ttl_and_flushable(lab):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html
    # https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageAuthorizersCache.html
    api, url = custom_api(lab, ttl=60)
    clock = VirtualClock()
    gw = lab.gateway(clock=clock)

    def calls(token):
        return gw.invoke("GET", url, headers={"Authorization": token}).json()["calls"]

    assert [calls("alice"), calls("alice"), calls("bob"), calls("alice")] == ["1", "1", "2", "1"]
    clock.advance(61)
    assert calls("alice") == "3"
    lab.client("apigateway").flush_stage_authorizers_cache(restApiId=api.id, stageName="dev")
    assert calls("alice") == "4"


def test_authorizer_ttl_0_calls_the_function_every_time(lab):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html
    _, url = custom_api(lab, ttl=0)
    gw = lab.gateway(clock=VirtualClock())
    got = [gw.invoke("GET", url, headers={"Authorization": "alice"}).json()["calls"] for _ in range(3)]
    assert got == ["1", "2", "3"]


def test_request_authorizer_gets_the_request_and_needs_every_identity_source(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
    _, url = custom_api(lab, kind="REQUEST",
                        identity="method.request.header.Authorization, method.request.querystring.user")
    client = lab.client("apigateway")
    api_id = url.split("//")[1].split(".")[0]
    authorizer = client.get_authorizers(restApiId=api_id)["items"][0]
    assert authorizer["type"] == "REQUEST"
    r = requests.get(url + "?user=zoe", headers={"Authorization": "alice"})
    assert r.status_code == 200, r.text
    assert r.json()["principal"] == "user-alice"
    assert requests.get(url, headers={"Authorization": "alice"}).status_code == 401, "querystring.user missing"
    assert requests.get(url + "?user=zoe").status_code == 401, "header missing"


def test_request_authorizer_event_shape(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
    api, url = custom_api(lab, kind="REQUEST", proxy=True,
                          identity="method.request.header.Authorization, method.request.querystring.user")
    event = requests.get(url + "?user=zoe", headers={"Authorization": "alice"}).json()
    authorizer = event["requestContext"]["authorizer"]
    assert authorizer["type"] == "REQUEST"
    assert (authorizer["q"], authorizer["color"], authorizer["resource"]) == ("zoe", "blue", "/pets")


def test_usage_identifier_key_from_the_authorizer_is_the_api_key(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
    api, url = custom_api(lab, api_key_source="AUTHORIZER", key_required=True, ttl=0)
    client = lab.client("apigateway")
    key = client.create_api_key(name="k", value="key-for-alice-0123456789abcdef", enabled=True)
    plan = client.create_usage_plan(name="p", apiStages=[{"apiId": api.id, "stage": "dev"}])
    client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert requests.get(url, headers={"Authorization": "alice"}).status_code == 200
    r = requests.get(url, headers={"Authorization": "bob"})  # key-for-bob does not exist
    assert (r.status_code, r.json()) == (403, {"message": "Forbidden"})


# --- Cognito user pools ----------------------------------------------------------------------------

def user_pool(lab, name="users"):
    idp = lab.client("cognito-idp")
    pool = idp.create_user_pool(PoolName=name)["UserPool"]
    client_id = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app",
                                            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="alice",
                          UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="alice", Password="Passw0rd!!", Permanent=True)
    tokens = idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!!"})
    return pool, tokens["AuthenticationResult"]


def tokens_sub(tokens):
    import jwt

    return jwt.decode(tokens["IdToken"], options={"verify_signature": False})["sub"]


def cognito_api(lab, pool, *, scopes=None, policy=None, proxy=False):
    client = lab.client("apigateway")
    api = RestApi.create(client, "cognito-auth", policy=policy)
    authorizer_id = client.create_authorizer(restApiId=api.id, name="pool", type="COGNITO_USER_POOLS",
                                             providerARNs=[pool["Arn"]],
                                             identitySource="method.request.header.Authorization")["id"]
    method = api.resource("/me").method("GET", authorization="COGNITO_USER_POOLS", authorizer_id=authorizer_id,
                                        authorization_scopes=scopes)
    if proxy:
        method.lambda_proxy(lab.lambda_function("echo", ECHO))
    else:
        method.mock(body='{"sub": "$context.authorizer.claims.sub", '
                         '"user": "$context.authorizer.claims[\'cognito:username\']"}')
    api.deploy("dev")
    return api, lab.stage_url(api.id, "dev") + "/me"


def test_cognito_id_token_is_verified_and_its_claims_reach_the_integration(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
    pool, tokens = user_pool(lab)
    _, url = cognito_api(lab, pool)
    r = requests.get(url, headers={"Authorization": tokens["IdToken"]})
    assert r.status_code == 200, r.text
    assert r.json() == {"sub": tokens_sub(tokens), "user": "alice"}


def test_cognito_claims_reach_the_proxy_event(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    pool, tokens = user_pool(lab)
    _, url = cognito_api(lab, pool, proxy=True)
    event = requests.get(url, headers={"Authorization": tokens["IdToken"]}).json()
    claims = event["requestContext"]["authorizer"]["claims"]
    assert (claims["cognito:username"], claims["token_use"], claims["sub"]) == ("alice", "id", tokens_sub(tokens))


def test_cognito_bad_tokens_are_401(lab):
    # https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized
    pool, tokens = user_pool(lab)
    other_pool, other_tokens = user_pool(lab, "others")
    _, url = cognito_api(lab, pool)
    head, payload, signature = tokens["IdToken"].split(".")
    tampered = ".".join([head, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])
    for token in (None, "not-a-jwt", tampered, other_tokens["IdToken"], tokens["AccessToken"]):
        r = requests.get(url, headers={"Authorization": token} if token else {})
        assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"}), token
        assert r.headers["x-amzn-ErrorType"] == "UnauthorizedException"


def test_cognito_expired_token_is_401_on_the_gateway_clock(lab):
    # https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized
    pool, tokens = user_pool(lab)
    _, url = cognito_api(lab, pool)
    clock = VirtualClock(start=time.time())
    gw = lab.gateway(clock=clock)
    assert gw.invoke("GET", url, headers={"Authorization": tokens["IdToken"]}).status_code == 200
    clock.advance(2 * 3600)
    assert gw.invoke("GET", url, headers={"Authorization": tokens["IdToken"]}).status_code == 401


def test_cognito_scopes_need_an_access_token_holding_one_of_them(lab):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Method.html (authorizationScopes)
    pool, tokens = user_pool(lab)
    _, url = cognito_api(lab, pool, scopes=["aws.cognito.signin.user.admin", "pets/read"])
    assert requests.get(url, headers={"Authorization": tokens["AccessToken"]}).status_code == 200
    assert requests.get(url, headers={"Authorization": tokens["IdToken"]}).status_code == 401
    _, narrow = cognito_api(lab, pool, scopes=["pets/write"])
    assert requests.get(narrow, headers={"Authorization": tokens["AccessToken"]}).status_code == 401


# --- resource policies -----------------------------------------------------------------------------

def resource_policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def open_api(lab, policy):
    api = RestApi.create(lab.client("apigateway"), "policy-api", policy=policy)
    api.resource("/pets").method("GET").mock()
    api.deploy("dev")
    return api, lab.stage_url(api.id, "dev") + "/pets"


def test_resource_policy_ip_allow_list(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
    api, url = open_api(lab, resource_policy(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.1/32"]}}}))
    gw = lab.gateway()
    assert gw.invoke("GET", url, source_ip="10.1.2.3").status_code == 200
    assert gw.invoke("GET", url, source_ip="192.0.2.1").status_code == 200
    r = gw.invoke("GET", url, source_ip="198.51.100.7")
    assert r.status_code == 403
    assert r.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert r.json()["Message"] == ("User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
                                   f"{method_arn(api, 'GET', '/pets')}")


def test_resource_policy_explicit_deny_by_ip_and_vpce(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
    api, url = open_api(lab, resource_policy(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/GET/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b"}}}))
    gw = lab.gateway()
    denied = gw.invoke("GET", url, source_ip="198.51.100.7")
    assert denied.json()["Message"] == ("User: anonymous is not authorized to perform: execute-api:Invoke on "
                                        f"resource: {method_arn(api, 'GET', '/pets')} with an explicit deny")
    assert gw.invoke("GET", url, source_ip="10.0.0.1").status_code == 403, "no VPC endpoint: denied"
    request = gw.request_from_url("GET", url, {}, b"", source_ip="10.0.0.1")
    request.vpce_id = "vpce-1a2b"
    assert gw.handle(request).status_code == 200


def test_resource_policy_and_iam_same_account_table(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html (Table A)
    api = RestApi.create(lab.client("apigateway"), "policy-iam")
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/frank"
    lab.client("apigateway").update_rest_api(restApiId=api.id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": json.dumps(resource_policy(
            {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "execute-api:Invoke",
             "Resource": "execute-api:/*"},
            {"Effect": "Deny", "Principal": {"AWS": ACCOUNT}, "Action": "execute-api:Invoke",
             "Resource": "execute-api:/*/POST/*"}))}])
    pets = api.resource("/pets")
    pets.method("GET", authorization="AWS_IAM").mock()
    pets.method("POST", authorization="AWS_IAM").mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/pets"
    frank = iam_user(lab, "frank")  # no identity policy: the resource policy's Allow is enough
    assert requests.get(url, headers=sign(frank, "GET", url)).status_code == 200
    r = requests.post(url, headers=sign(frank, "POST", url))
    assert r.status_code == 403 and r.json()["Message"].endswith("with an explicit deny")
    grace = iam_user(lab, "grace")  # neither allows: implicit deny
    r = requests.get(url, headers=sign(grace, "GET", url))
    assert r.json()["Message"] == (f"User: arn:aws:iam::{ACCOUNT}:user/grace is not authorized to perform: "
                                   f"execute-api:Invoke on resource: {method_arn(api, 'GET', '/pets')}")


def test_resource_policy_deny_is_checked_before_the_lambda_authorizer(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
    policy = resource_policy(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}})
    api, url = custom_api(lab, policy=policy, ttl=0)
    gw = lab.gateway()
    r = gw.invoke("GET", url, headers={"Authorization": "boom"}, source_ip="203.0.113.9")
    assert r.status_code == 403, "denied before the (failing) authorizer ran"
    assert r.json()["Message"].endswith("with an explicit deny")
    # Authorizer policy matches nothing, resource policy allows: Neither x Allow = Allow (Table A).
    assert gw.invoke("GET", url, headers={"Authorization": "elsewhere"}).status_code == 200


def test_resource_policy_with_cognito_needs_an_explicit_allow(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
    pool, tokens = user_pool(lab)
    policy = resource_policy({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                              "Resource": "execute-api:/*/POST/*"})
    api, url = cognito_api(lab, pool, policy=policy)
    r = requests.get(url, headers={"Authorization": tokens["IdToken"]})
    assert r.status_code == 403
    assert r.json()["Message"] == ("User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
                                   f"{method_arn(api, 'GET', '/me')}")
    assert requests.get(url).status_code == 401, "the token is checked first"
