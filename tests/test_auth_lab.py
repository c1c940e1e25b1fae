"""The auth lab: every (method authorization, caller) pair answers with the status and
x-amzn-ErrorType AWS documents (shared/reference/aws-rest-api-behaviour.md, sections 8a-8d), the
check that answered is named, and the widget updates headlessly (traits set in-process, no kernel)."""

from __future__ import annotations

import pytest

from labkit.widgets import AuthLab, AuthOutcome, auth_lab, run_auth_case
from labkit.gateway.pipeline import Call
from labkit.gateway.trace import Trace
from labkit.widgets.auth import AUTHS, CALLERS, FLOWS, OFFICE_CIDR, answering_check, token_for

OK = (200, None, None, "integration")
MISSING = (403, "MISSING_AUTHENTICATION_TOKEN", "MissingAuthenticationTokenException", "signature")
DENIED = "AccessDeniedException"
UNAUTHORIZED = "UnauthorizedException"

# (method auth, caller) -> (status, gateway response type, x-amzn-ErrorType, check that answered)
EXPECTED = {
    # A NONE method checks nothing but the resource policy.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
    **{("NONE", c): OK for c in CALLERS if c != "outside_ip_range"},
    ("NONE", "outside_ip_range"): (403, "ACCESS_DENIED", DENIED, "resource policy"),
    # https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden (reference 8a.3)
    ("AWS_IAM", "no_credentials"): MISSING,
    ("AWS_IAM", "good"): OK,
    ("AWS_IAM", "bad_signature"): (403, "INVALID_SIGNATURE", "InvalidSignatureException", "signature"),
    ("AWS_IAM", "expired"): (403, "EXPIRED_TOKEN", "InvalidSignatureException", "signature"),
    ("AWS_IAM", "wrong_token"): (403, "ACCESS_DENIED", DENIED, "signature"),
    ("AWS_IAM", "denied_by_policy"): (403, "ACCESS_DENIED", DENIED, "policy"),
    ("AWS_IAM", "outside_ip_range"): (403, "ACCESS_DENIED", DENIED, "policy"),
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html (8b)
    ("CUSTOM", "no_credentials"): (401, "UNAUTHORIZED", UNAUTHORIZED, "identity source"),
    ("CUSTOM", "good"): OK,
    ("CUSTOM", "bad_signature"): (401, "UNAUTHORIZED", UNAUTHORIZED, "authorizer function"),
    ("CUSTOM", "expired"): (401, "UNAUTHORIZED", UNAUTHORIZED, "authorizer function"),
    ("CUSTOM", "wrong_token"): (401, "UNAUTHORIZED", UNAUTHORIZED, "identity source"),
    ("CUSTOM", "denied_by_policy"): (403, "ACCESS_DENIED", DENIED, "policy"),
    ("CUSTOM", "outside_ip_range"): (403, "ACCESS_DENIED", DENIED, "resource policy (pre-auth)"),
    # https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized (8c)
    ("COGNITO_USER_POOLS", "no_credentials"): (401, "UNAUTHORIZED", UNAUTHORIZED, "token"),
    ("COGNITO_USER_POOLS", "good"): OK,
    ("COGNITO_USER_POOLS", "bad_signature"): (401, "UNAUTHORIZED", UNAUTHORIZED, "token"),
    ("COGNITO_USER_POOLS", "expired"): (401, "UNAUTHORIZED", UNAUTHORIZED, "token"),
    ("COGNITO_USER_POOLS", "wrong_token"): (401, "UNAUTHORIZED", UNAUTHORIZED, "token"),
    ("COGNITO_USER_POOLS", "denied_by_policy"): OK,  # Cognito authenticates; it has no per-caller policy
    ("COGNITO_USER_POOLS", "outside_ip_range"): (403, "ACCESS_DENIED", DENIED, "resource policy"),
}


def test_every_pair_is_tested():
    assert set(EXPECTED) == {(a, c) for a in AUTHS for c in CALLERS}


@pytest.mark.parametrize("auth,caller", sorted(EXPECTED))
def test_each_pair_answers_as_aws_documents(auth, caller):
    status, kind, error_type, check = EXPECTED[(auth, caller)]
    outcome = run_auth_case(auth, caller)
    assert isinstance(outcome, AuthOutcome)
    assert (outcome.status, outcome.response_type, outcome.error_type) == (status, kind, error_type), outcome.body
    assert outcome.answered_by == check
    assert outcome.execution_log[-1] == f"Method completed with status: {status}"
    states = dict(outcome.flow)
    assert tuple(states) == FLOWS[auth] and states[check] == "answered"
    at = FLOWS[auth].index(check)
    assert all(states[s] == "passed" for s in FLOWS[auth][:at])
    assert all(states[s] == "not reached" for s in FLOWS[auth][at + 1:])
    assert outcome.why and outcome.doc.startswith("https://")


def test_bodies_and_messages_are_aws_wording():
    # Denials carry a capital-M "Message"; the others a lower-case "message" (Knowledge Center, 403s).
    assert run_auth_case("AWS_IAM", "no_credentials").body == '{"message":"Missing Authentication Token"}'
    assert run_auth_case("AWS_IAM", "bad_signature").message.startswith(
        "The request signature we calculated does not match the signature you provided.")
    assert run_auth_case("AWS_IAM", "expired").message == (
        "Signature expired: 20251231T235400Z is now earlier than 20251231T235500Z (20260101T000000Z - 5 min.)")
    assert run_auth_case("AWS_IAM", "wrong_token").message == "The security token included in the request is invalid."
    bob = run_auth_case("AWS_IAM", "denied_by_policy")
    assert '"Message"' in bob.body and "-bob is not authorized to perform: execute-api:Invoke on resource: " \
        in bob.message and not bob.message.endswith("explicit deny")
    assert run_auth_case("AWS_IAM", "outside_ip_range").message.endswith("-alice is not authorized to perform: "
                                                                       "execute-api:Invoke on resource: "
                                                                       + bob.message.split("resource: ")[1]
                                                                       + " with an explicit deny")
    assert run_auth_case("CUSTOM", "denied_by_policy").message == \
        "User is not authorized to access this resource with an explicit deny"
    for caller in ("no_credentials", "expired"):
        assert run_auth_case("CUSTOM", caller).body == '{"message":"Unauthorized"}'
    assert run_auth_case("NONE", "outside_ip_range").message.startswith("User: anonymous is not authorized")


def test_what_reaches_the_integration():
    assert run_auth_case("CUSTOM", "good").body == '{"principalId": "alice", "plan": "gold"}'
    assert run_auth_case("COGNITO_USER_POOLS", "good").body == '{"user": "alice", "token_use": "id"}'
    assert run_auth_case("AWS_IAM", "good").body.endswith('-alice"}')


def test_the_authorizer_function_runs_only_when_it_must():
    called = {c: run_auth_case("CUSTOM", c).authorizer_called for c in CALLERS}
    assert called == {"no_credentials": False, "good": True, "bad_signature": True, "expired": True,
                      "wrong_token": False, "denied_by_policy": True, "outside_ip_range": False}


def test_runs_are_deterministic_and_accept_labels_and_aliases():
    first = run_auth_case("CUSTOM", "good")
    assert first == run_auth_case("TOKEN", CALLERS["good"]) == run_auth_case(AUTHS["CUSTOM"][0], "good")
    assert run_auth_case("cognito", "good").method_auth == "COGNITO_USER_POOLS"


def test_unknown_choices_raise_value_error_naming_them():
    with pytest.raises(ValueError, match="method_auth must be one of NONE"):
        run_auth_case("API_KEY", "good")
    with pytest.raises(ValueError, match="caller must be one of no_credentials"):
        run_auth_case("NONE", "root")


def _trace(response_type, facts=()):
    return Trace("id", "authorizer", 401, response_type, "x", None, (), frozenset(facts), 0.0, 0.0, 0.0)


def test_every_case_answers_the_same_when_the_log_is_reworded(monkeypatch):
    """The lab reads the gateway's trace, never the execution log's text."""
    cases = [(auth, caller) for auth in AUTHS for caller in CALLERS]
    before = {case: _answer(*case) for case in cases}
    monkeypatch.setattr(Call, "log", lambda self, message, *values: self.log_lines.append(
        ("REWORDED " + message.upper(), values)))
    assert {case: _answer(*case) for case in cases} == before


def _answer(auth, caller):
    try:
        outcome = run_auth_case(auth, caller)
    except ValueError:
        return None  # a caller this method does not take
    return outcome.answered_by, outcome.authorizer_called, outcome.status


def test_tokens_and_answering_check():
    user, expiry, signature = token_for("alice").split(".")
    assert user == "alice" and len(signature) == 16 and token_for("alice") != token_for("alice", secret="x")
    assert answering_check("CUSTOM", _trace("UNAUTHORIZED", {"authorizer-invoked"}), "Unauthorized") == \
        "authorizer function"
    assert answering_check("CUSTOM", _trace("UNAUTHORIZED"), "Unauthorized") == "identity source"
    assert answering_check("AWS_IAM", _trace(None), "") == "integration"
    assert OFFICE_CIDR == "203.0.113.0/24"


def test_the_dropdowns_update_the_outcome_headlessly():
    lab = auth_lab()
    assert isinstance(lab, AuthLab)
    assert (lab.outcome.method_auth, lab.outcome.caller, lab.outcome.status) == ("AWS_IAM", "no_credentials", 403)
    assert "MissingAuthenticationTokenException" in lab.summary.value and "signature<br><b>403</b>" in lab.flow.value
    lab.caller.value = "good"  # observers run synchronously: the outcome is new on the next line
    assert lab.outcome.status == 200 and "integration<br><b>200</b>" in lab.flow.value
    lab.method_auth.value = "CUSTOM"
    assert lab.outcome.method_auth == "CUSTOM" and lab.outcome.body in lab.detail.value.replace("&quot;", '"')
    lab.caller.value = "denied_by_policy"
    assert lab.outcome.status == 403 and lab.summary.value == lab.outcome.summary()
    assert "explicit deny" in lab.detail.value and "Sending request to" in lab.log_view.value
