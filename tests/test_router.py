"""Routing as API Gateway does it.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html"""

import pytest

from labkit.gateway.responses import GatewayError
from labkit.gateway.router import Router


def resource(path, *methods):
    return {"id": path, "path": path, "resourceMethods": {m: {"httpMethod": m} for m in methods}}


ROUTER = Router([
    resource("/"),
    resource("/pets", "GET", "POST"),
    resource("/pets/{petId}", "GET"),
    resource("/pets/mine", "GET"),
    resource("/files/{proxy+}", "ANY"),
    resource("/{proxy+}", "GET"),
])


def test_literal_part_wins_over_a_path_parameter():
    route = ROUTER.match("GET", "/pets/mine")
    assert route.resource_path == "/pets/mine" and route.path_parameters == {}


def test_path_parameter_is_captured_and_url_decoded():
    route = ROUTER.match("GET", "/pets/a%20b")
    assert route.resource_path == "/pets/{petId}"
    assert route.path_parameters == {"petId": "a b"}


def test_greedy_proxy_takes_the_rest_of_the_path():
    route = ROUTER.match("DELETE", "/files/a/b/c.txt")
    assert route.resource_path == "/files/{proxy+}"
    assert route.path_parameters == {"proxy": "a/b/c.txt"}
    assert route.method["httpMethod"] == "ANY"


def test_root_level_proxy_catches_unknown_paths_but_not_the_root():
    assert ROUTER.match("GET", "/anything/else").path_parameters == {"proxy": "anything/else"}
    with pytest.raises(GatewayError) as err:
        ROUTER.match("GET", "/")
    assert err.value.response_type == "MISSING_AUTHENTICATION_TOKEN"


def test_wrong_method_on_an_existing_path_is_missing_authentication_token():
    # AWS answers 403 "Missing Authentication Token", not 405, for an unsupported method.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    with pytest.raises(GatewayError) as err:
        ROUTER.match("DELETE", "/pets")
    assert err.value.status == 403
    assert err.value.message == "Missing Authentication Token"


def test_trailing_slash_routes_to_the_same_resource():
    assert ROUTER.match("GET", "/pets/").resource_path == "/pets"
