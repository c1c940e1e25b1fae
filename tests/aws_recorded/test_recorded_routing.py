"""Routing against AWS's recorded behaviour: a method missing on a matched resource falls through to a
greedy sibling's method.

Source: LocalStack's AWS-validated test (it asserts the answers in code; no snapshot key)
`test_apigateway_common.py::TestApigatewayRouting::test_proxy_routing_with_hardcoded_resource_sibling`.
"""

from __future__ import annotations

from labkit.apis import RestApi


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
