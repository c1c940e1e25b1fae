"""Routing against AWS's recorded behaviour: a method missing on a matched resource falls through to a
greedy sibling's method; a literal path beats a greedy sibling whatever their creation order.

Source: LocalStack's AWS-validated tests (they assert the answers in code; no snapshot keys)
`test_apigateway_common.py::TestApigatewayRouting::test_proxy_routing_with_hardcoded_resource_sibling` and
`...::test_routing_with_hardcoded_resource_sibling_order`.
"""

from __future__ import annotations

import pytest

from labkit.apis import RestApi

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)


def test_proxy_routing_with_hardcoded_resource_sibling(lab):
    """test_apigateway_common.py::TestApigatewayRouting::test_proxy_routing_with_hardcoded_resource_sibling
    (validated on AWS): /test has only POST, /test/any has ANY, /{proxy+} has OPTIONS. OPTIONS /test is
    answered by /{proxy+}; POST /test by /test; OPTIONS and GET /test/any by /test/any's ANY."""
    api = RestApi.create(lab.client("apigateway"), "rec-routing", endpoint_type="REGIONAL")
    api.resource("/test").method("POST").mock(body='{"message": "POST request"}')
    api.resource("/test/any").method("ANY").mock(body='{"message": "ANY request"}')
    api.resource("/{proxy+}").method("OPTIONS").mock(body='{"message": "OPTIONS request"}')
    api.deploy("dev")
    gw, url = lab.gateway(), lab.stage_url(api.id, "dev")
    for method, path, expected in (("OPTIONS", "/test", "OPTIONS"), ("POST", "/test", "POST"),
                                   ("OPTIONS", "/test/any", "ANY"), ("GET", "/test/any", "ANY")):
        r = gw.invoke(method, url + path)
        assert r.status_code == 200, (method, path, r.text)
        assert r.json() == {"message": f"{expected} request"}, (method, path)


def test_routing_with_hardcoded_resource_sibling_order(lab):
    """test_apigateway_common.py::TestApigatewayRouting::test_routing_with_hardcoded_resource_sibling_order
    (validated on AWS 2024-07-23; asserted in code, no snapshot): /part1 GET, /{param+} GET (created before
    /part1/hardcoded-value), /part1/hardcoded-value GET. /part1 -> part1, /part1/hardcoded-value ->
    hardcoded-value, /part1/random-value -> the greedy /{param+}."""
    api = RestApi.create(lab.client("apigateway"), "rec-routing-order")
    api.resource("/part1").method("GET").mock(body='{"statusCode": 200, "message": "part1"}')
    api.resource("/{param+}").method("GET").mock(body='{"statusCode": 200, "message": "proxy"}')
    api.resource("/part1/hardcoded-value").method("GET").mock(
        body='{"statusCode": 200, "message": "hardcoded-value"}')
    api.deploy("dev")
    gw, url = lab.gateway(), lab.stage_url(api.id, "dev")
    for path, expected in (("/part1", "part1"), ("/part1/hardcoded-value", "hardcoded-value"),
                           ("/part1/random-value", "proxy")):
        r = gw.invoke("GET", url + path)
        assert r.status_code == 200, (path, r.text)
        assert r.json()["message"] == expected, path
