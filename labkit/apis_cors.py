"""`labkit.apis.enable_cors`: what the console's "Enable CORS" builds on a REST API resource.

REST APIs have no built-in CORS: the console adds an `OPTIONS` method with a MOCK integration whose
200 response returns `Access-Control-Allow-Headers`, `-Methods` and `-Origin` as static values, adds
`Access-Control-Allow-Origin` to the 200 response of the resource's other (non-proxy) methods, and
optionally to the DEFAULT_4XX and DEFAULT_5XX gateway responses so a browser can read API Gateway's
own errors. A proxy integration (Lambda proxy, HTTP proxy) must return the headers itself.
https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors-console.html
"""

from __future__ import annotations

import json
from typing import Any

# The console's default Access-Control-Allow-Headers.
DEFAULT_CORS_HEADERS = ("Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token")
_ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
_PROXY_TYPES = ("AWS_PROXY", "HTTP_PROXY")


def enable_cors(client: Any, api_id: str, resource_id: str | None = None,
                allow_origins: list[str] | tuple[str, ...] | str = ("*",),
                allow_methods: list[str] | None = None,
                allow_headers: list[str] | tuple[str, ...] = DEFAULT_CORS_HEADERS,
                max_age: int | None = None, allow_credentials: bool = False,
                gateway_responses: bool = True) -> dict[str, Any]:
    """Enable CORS on the resource `resource_id` (or, when it is None, on every resource of API `api_id`
    that has methods), as the console does. `labkit.apis.enable_cors` takes a RestApi or a Resource instead.

    - `allow_origins`: `["*"]` (the console's default) or the origins allowed. With one origin the
      headers are static values, exactly the console's. With several, the OPTIONS request template
      answers 200 and echoes the caller's `Origin` only when it is in the list (403 otherwise), and
      the other methods and the gateway responses echo the caller's `Origin`
      (`method.request.header.Origin`): REST APIs cannot choose a header value per origin there, so a
      *simple* request (no preflight) from another origin can read those responses. To restrict
      them too, answer the header from a Lambda proxy integration that checks the origin.
    - `allow_methods`: default, the resource's methods plus OPTIONS (ANY stands for all of them).
    - `max_age`: adds `Access-Control-Max-Age` (seconds) to the preflight answer.
    - `allow_credentials`: adds `Access-Control-Allow-Credentials: true` (browsers refuse it with `*`).
    - `gateway_responses`: adds `Access-Control-Allow-Origin` and `-Headers` to DEFAULT_4XX and
      DEFAULT_5XX, so 403/429/500 answers of API Gateway itself carry them. Redeploy afterwards.

    Returns `{"resources": [paths], "allow_origin": ..., "allow_methods": {path: ...}, "allow_headers": ...}`.
    """
    origins = [allow_origins] if isinstance(allow_origins, str) else list(allow_origins or [])
    if not origins or not all(isinstance(o, str) and o for o in origins):
        raise ValueError(f"allow_origins must be ['*'] or a non-empty list of origins, got {allow_origins!r}")
    if "*" in origins and len(origins) > 1:
        raise ValueError(f"allow_origins must be ['*'] alone or a list of origins, got {allow_origins!r}")
    for origin in origins:
        if origin != "*" and ("://" not in origin or origin.endswith("/")):
            raise ValueError(f"allow_origins entries must be origins like 'https://app.example.com' (scheme, "
                             f"host, optional port, no path), got {origin!r}")
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0):
        raise ValueError(f"max_age must be a whole number of seconds >= 0, got {max_age!r}")
    if allow_methods is not None:
        bad = [m for m in allow_methods if str(m).upper() not in _ALL_METHODS]
        if bad:
            raise ValueError(f"allow_methods must be among {', '.join(_ALL_METHODS)}, got {bad!r}")
    headers_value = ",".join(allow_headers)

    if resource_id is None:
        items = client.get_resources(restApiId=api_id, embed=["methods"]).get("items", [])
        targets = [(r["id"], r["path"], r.get("resourceMethods") or {}) for r in items
                   if set(r.get("resourceMethods") or {}) - {"OPTIONS"}]
    else:
        found = client.get_resource(restApiId=api_id, resourceId=resource_id, embed=["methods"])
        targets = [(resource_id, found["path"], found.get("resourceMethods") or {})]

    single = len(origins) == 1
    origin_value = f"'{origins[0]}'" if single else "method.request.header.Origin"
    summary: dict[str, Any] = {"resources": [], "allow_origin": origins[0] if single else list(origins),
                               "allow_methods": {}, "allow_headers": headers_value}
    for target_id, path, methods in targets:
        names = sorted(set(methods) - {"OPTIONS"})
        if allow_methods is not None:
            verbs = sorted({str(m).upper() for m in allow_methods} | {"OPTIONS"})
        elif "ANY" in names:
            verbs = list(_ALL_METHODS)
        else:
            verbs = sorted(set(names) | {"OPTIONS"})
        _options_method(client, api_id, target_id, origins, ",".join(verbs), headers_value, max_age,
                        allow_credentials)
        for name in names:
            _allow_origin_on_method(client, api_id, target_id, name, origin_value, allow_credentials)
        summary["resources"].append(path)
        summary["allow_methods"][path] = ",".join(verbs)
    if gateway_responses:
        for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
            _allow_origin_on_gateway_response(client, api_id, kind, origin_value, headers_value)
    return summary


def _options_method(client: Any, api_id: str, resource_id: str, origins: list[str], methods: str, headers: str,
                    max_age: int | None, credentials: bool) -> None:
    ids = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "OPTIONS"}
    response_headers = ["Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin"]
    values = {"Access-Control-Allow-Headers": f"'{headers}'", "Access-Control-Allow-Methods": f"'{methods}'"}
    if len(origins) == 1:
        values["Access-Control-Allow-Origin"] = f"'{origins[0]}'"
        template = json.dumps({"statusCode": 200})
    else:
        # One origin per answer: echo the caller's Origin when it is listed, refuse the preflight otherwise.
        values["Access-Control-Allow-Origin"] = "method.request.header.Origin"
        values["Vary"] = "'Origin'"
        response_headers.append("Vary")
        test = " || ".join(f"$origin == '{o}'" for o in origins)
        template = ("#set($origin = $input.params().header.get('Origin'))"
                    f"#if({test})" + '{"statusCode": 200}#else{"statusCode": 403}#end')
    if max_age is not None:
        values["Access-Control-Max-Age"] = f"'{max_age}'"
        response_headers.append("Access-Control-Max-Age")
    if credentials:
        values["Access-Control-Allow-Credentials"] = "'true'"
        response_headers.append("Access-Control-Allow-Credentials")
    client.put_method(**ids, authorizationType="NONE")
    client.put_integration(**ids, type="MOCK", requestTemplates={"application/json": template},
                           passthroughBehavior="WHEN_NO_MATCH")
    client.put_method_response(**ids, statusCode="200", responseModels={"application/json": "Empty"},
                               responseParameters={f"method.response.header.{h}": False for h in response_headers})
    client.put_integration_response(**ids, statusCode="200", selectionPattern="",
                                    responseParameters={f"method.response.header.{h}": v for h, v in values.items()},
                                    responseTemplates={"application/json": ""})
    if len(origins) > 1:
        client.put_method_response(**ids, statusCode="403", responseModels={"application/json": "Empty"})
        client.put_integration_response(**ids, statusCode="403", selectionPattern="403",
                                        responseTemplates={"application/json": ""})


def _allow_origin_on_method(client: Any, api_id: str, resource_id: str, http_method: str, origin_value: str,
                            credentials: bool) -> None:
    """`Access-Control-Allow-Origin` on the 200 response of a non-proxy method (the console's step)."""
    method = client.get_method(restApiId=api_id, resourceId=resource_id, httpMethod=http_method)
    integration = method.get("methodIntegration") or {}
    if not integration or integration.get("type") in _PROXY_TYPES:
        return  # a proxy integration's backend answers its own CORS headers
    ids = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": http_method}
    wanted = {"Access-Control-Allow-Origin": origin_value}
    if credentials:
        wanted["Access-Control-Allow-Credentials"] = "'true'"
    existing = (method.get("methodResponses") or {}).get("200")
    if existing is None:
        return  # no 200 method response: nothing the console would change
    params = dict(existing.get("responseParameters") or {})
    params.update({f"method.response.header.{h}": False for h in wanted})
    kwargs: dict[str, Any] = {**ids, "statusCode": "200", "responseParameters": params}
    if existing.get("responseModels"):
        kwargs["responseModels"] = existing["responseModels"]
    client.put_method_response(**kwargs)
    for status, response in (integration.get("integrationResponses") or {}).items():
        if str(status) != "200":
            continue
        params = dict(response.get("responseParameters") or {})
        params.update({f"method.response.header.{h}": v for h, v in wanted.items()})
        kwargs = {**ids, "statusCode": "200", "responseParameters": params}
        for key in ("selectionPattern", "responseTemplates", "contentHandling"):
            if response.get(key) is not None:
                kwargs[key] = response[key]
        client.put_integration_response(**kwargs)


def _allow_origin_on_gateway_response(client: Any, api_id: str, kind: str, origin_value: str, headers: str) -> None:
    """DEFAULT_4XX / DEFAULT_5XX with the CORS headers, keeping what was customised before."""
    try:
        current = client.get_gateway_response(restApiId=api_id, responseType=kind)
    except Exception:  # moto answers NotFound for a default never put; AWS returns the default
        current = {}
    params = dict(current.get("responseParameters") or {})
    params["gatewayresponse.header.Access-Control-Allow-Origin"] = origin_value
    params["gatewayresponse.header.Access-Control-Allow-Headers"] = f"'{headers}'"
    kwargs: dict[str, Any] = {"restApiId": api_id, "responseType": kind, "responseParameters": params}
    if current.get("statusCode"):
        kwargs["statusCode"] = current["statusCode"]
    if current.get("responseTemplates"):
        kwargs["responseTemplates"] = current["responseTemplates"]
    client.put_gateway_response(**kwargs)
