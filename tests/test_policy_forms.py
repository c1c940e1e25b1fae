"""Resource policies in every form the control plane answers them, and fail-closed for any other.

AWS's get_rest_api answers `policy` as the content of a JSON string (quotes backslash-escaped):
LocalStack's test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/
test_apigateway_integrations.py::test_create_execute_api_vpc_endpoint records the parsed policy after the
test unescapes the answer (`json.loads(to_bytes(result["policy"]).decode("unicode_escape"))`).
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies.html
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import requests

from labkit.apis import RestApi
from labkit.backends.moto.patches.shared import apigateway_backend
from test_auth import iam_api, iam_user, method_arn, sign

EVERYONE = {"Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}

# The forms a RestApi's `policy` comes in, each as the text (or object) the control plane hands over.
FORMS = {
    "plain JSON": json.dumps,
    # `{\"Version\":\"2012-10-17\",...}`: AWS's answer (see the module docstring).
    "AWS escaped JSON": lambda document: json.dumps(json.dumps(document, separators=(",", ":")))[1:-1],
    # RFC 3986 percent-encoding, as IAM answers policy documents
    # (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html).
    "URL-encoded JSON": lambda document: quote(json.dumps(document), safe=""),
    "object": None,
}

DENIED_LOG = "Resource policy is not a valid policy document, so the request is denied: "


def _api_with_policy(lab, policy):
    """GET /pets (no authorization) on an API whose control plane holds `policy` as given; returns (api, url)."""
    text = policy if isinstance(policy, str) else "{}"
    api = RestApi.create(lab.client("apigateway"), "policy-forms", policy=text)
    if not isinstance(policy, str):  # boto3 sends only text: put the object where moto keeps the policy
        apigateway_backend(lab.account_id, lab.region).apis[api.id].policy = policy
    api.resource("/pets").method("GET").mock(body='{"pets": []}')
    api.deploy("dev")
    return api, lab.stage_url(api.id, "dev") + "/pets"


def _policy(form, effect):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": effect, **EVERYONE}]}
    encode = FORMS[form]
    return document if encode is None else encode(document)


def _assert_explicit_deny(response, api, method="GET", user="anonymous"):
    # https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert response.json() == {"Message": f"User: {user} is not authorized to perform: execute-api:Invoke on "
                                          f"resource: {method_arn(api, method, '/pets')} with an explicit deny"}


@pytest.mark.parametrize("form", FORMS)
def test_a_deny_in_any_form_answers_403(lab, form):
    api, url = _api_with_policy(lab, _policy(form, "Deny"))
    r = lab.gateway().invoke("GET", url)
    _assert_explicit_deny(r, api)
    assert not any(line.startswith(DENIED_LOG) for line in r.execution_log), "the policy was read"


@pytest.mark.parametrize("form", FORMS)
def test_an_allow_in_any_form_answers_200(lab, form):
    _, url = _api_with_policy(lab, _policy(form, "Allow"))
    r = lab.gateway().invoke("GET", url)
    assert r.status_code == 200
    assert r.json() == {"pets": []}


@pytest.mark.parametrize("policy, why", [
    ("not a policy", "the policy is not JSON (Expecting value: line 1 column 1 (char 0))"),
    ('{\\"Version\\":\\"2012-10-17\\",', "the policy is not JSON (Expecting property name enclosed in double "
                                         "quotes: line 1 column 25 (char 24))"),
    ('["Allow"]', "a policy document must be a JSON object, not list"),
    ('{"Version": "2012-10-17"}', "a policy document needs a Statement (an object or a list of objects)"),
    # IAM's Effect is case-sensitive: Allow or Deny
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html).
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "deny", **EVERYONE}]}),
     "statement 1: Effect must be Allow or Deny, got 'deny'"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                          "Resource": "execute-api:/*"}]}),
     "statement 1 has no Principal or NotPrincipal"),
    ({"Statement": "Allow"}, "a policy document needs a Statement (an object or a list of objects)"),
], ids=["text", "escaped and cut", "list", "no statement", "effect case", "no principal", "object"])
def test_an_unreadable_policy_denies_and_logs_why(lab, policy, why):
    api, url = _api_with_policy(lab, policy)
    r = lab.gateway().invoke("GET", url)
    _assert_explicit_deny(r, api)
    assert DENIED_LOG + why in r.execution_log


def test_an_unreadable_policy_denies_a_caller_their_iam_policy_allows(lab):
    # Same account, IAM Allow x resource policy Deny = Deny (Table A):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
    api, url = iam_api(lab, policy="{not json")
    frank = iam_user(lab, "frank", [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}])
    r = requests.get(url, headers=sign(frank, "GET", url))
    _assert_explicit_deny(r, api, user=f"arn:aws:iam::{lab.account_id}:user/frank")
