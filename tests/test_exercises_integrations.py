"""The self-checks of 02_integrations: right answers pass, wrong ones get a hint, none raise."""

from __future__ import annotations

from labkit.exercises import integrations as ex
from labkit.apis import RestApi

GOOD_TEMPLATE = ('{"fullName": "$util.escapeJavaScript($input.path(\'$.first\')) '
                 '$util.escapeJavaScript($input.path(\'$.last\'))", "lang": "$input.params(\'lang\')"}')


def test_greeting_template(capsys):
    assert ex.check_greeting_template(GOOD_TEMPLATE) is True
    assert ex.check_greeting_template(None) is False
    unescaped = '{"fullName": "$input.path(\'$.first\') $input.path(\'$.last\')", "lang": "$input.params(\'lang\')"}'
    assert ex.check_greeting_template(unescaped) is False
    assert "escapeJavaScript" in capsys.readouterr().out
    assert ex.check_greeting_template('{"fullName": "$input.path(\'$.first\')", "lang": "fr"}') is False
    assert ex.check_greeting_template("#if(") is False


def test_integration_choices():
    right = {k: v[0] for k, v in ex.CHOICES.items()}
    assert ex.check_integration_choices(right) is True
    assert ex.check_integration_choices({**right, "queue_orders": "aws"}) is True
    assert ex.check_integration_choices({**right, "queue_orders": "AWS_PROXY"}) is False
    assert ex.check_integration_choices({**right, "legacy_http_unchanged": "FTP"}) is False
    assert ex.check_integration_choices({}) is False


def test_feedback_queue(lab, capsys):
    apigw = lab.client("apigateway")
    api = RestApi.create(apigw, "orders")
    api.resource("/orders").method("POST").mock()
    api.deploy("dev")
    assert ex.check_feedback_queue(lab, api.id) is False
    assert "create_queue" in capsys.readouterr().out
    lab.client("sqs").create_queue(QueueName="feedback")
    assert ex.check_feedback_queue(lab, api.id) is False
    assert "403" in capsys.readouterr().out
    resource = api.resource("/feedback")
    resource.method("POST")
    ids = {"restApiId": api.id, "resourceId": resource.id, "httpMethod": "POST"}
    apigw.put_integration(**ids, type="AWS", integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:{lab.region}:sqs:path/123456789012/feedback",
                          credentials="arn:aws:iam::123456789012:role/apigateway-sqs",
                          requestParameters={"integration.request.header.Content-Type":
                                             "'application/x-www-form-urlencoded'"},
                          requestTemplates={"application/json": "Action=SendMessage&MessageBody=wrong"})
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(**ids, statusCode="200")
    api.deploy("dev")
    assert ex.check_feedback_queue(lab, api.id) is False
    assert "urlEncode" in capsys.readouterr().out
    apigw.put_integration(**ids, type="AWS", integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:{lab.region}:sqs:path/123456789012/feedback",
                          credentials="arn:aws:iam::123456789012:role/apigateway-sqs",
                          requestParameters={"integration.request.header.Content-Type":
                                             "'application/x-www-form-urlencoded'"},
                          requestTemplates={"application/json":
                                            "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"})
    apigw.put_integration_response(**ids, statusCode="200")
    api.deploy("dev")
    assert ex.check_feedback_queue(lab, api.id) is True
