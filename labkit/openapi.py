"""OpenAPI 3 export and import with the `x-amazon-apigateway-*` extensions, done by labkit itself.

labkit reads the API through ordinary boto3 calls and writes it back the same way, so it works on every
backend (stock moto's get_export drops the extensions and its import mishandles MOCK and ANY; the kit's
moto adapter now answers both as AWS does, control/exports.py and control/imports.py).
Extensions: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
"""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import yaml

from .api_calls import HTTP_METHODS, add_binary_media_types, definition_from_client, ensure_resource, paginate
from .documents import DocumentTooLarge, RecursiveDocument, load_text
from .gateway.auth.policy import parse as parse_policy

__all__ = ["definition_from_client", "export", "import_", "load_document"]

OPENAPI_VERSION = "3.0.1"
ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
API_KEY_SCHEME = "api_key"
SIGV4_SCHEME = "sigv4"
INTEGRATION_TYPES = ("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY")
# https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html: timeoutInMillis defaults to 29,000.
DEFAULT_TIMEOUT_MS = 29_000
# The models every AWS REST API starts with; referenced by console-built method responses.
BUILTIN_MODELS = {
    "Empty": {"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"},
    "Error": {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "Error Schema",
        "type": "object",
        "properties": {"message": {"type": "string"}},
    },
}
_PARAM_LOCATIONS = {"path": "path", "querystring": "query", "header": "header"}
_LOCATION_PREFIX = {v: k for k, v in _PARAM_LOCATIONS.items()}
_SCHEMA_REF = "#/components/schemas/"


# ---------------------------------------------------------------- export


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _templates(templates: dict[str, str | None]) -> dict[str, str]:
    """Mapping templates with empty ones as "" (moto and AWS may return an empty template as null)."""
    return {ct: body or "" for ct, body in templates.items()}


def _model_ref(name: str) -> dict[str, Any]:
    return {"schema": {"$ref": _SCHEMA_REF + name}}


def _export_integration(integration: dict[str, Any]) -> dict[str, Any]:
    """x-amazon-apigateway-integration for one method integration."""
    out: dict[str, Any] = {"type": _lower(integration.get("type"))}
    for key in ("uri", "httpMethod", "credentials", "connectionType", "connectionId", "cacheNamespace", "contentHandling"):
        if integration.get(key):
            out[key] = integration[key]
    if integration.get("requestTemplates"):
        out["requestTemplates"] = _templates(integration["requestTemplates"])
    if integration.get("requestParameters"):
        out["requestParameters"] = dict(integration["requestParameters"])
    if integration.get("passthroughBehavior"):
        out["passthroughBehavior"] = integration["passthroughBehavior"].lower()
    # GetIntegration answers the default 29000 too; AWS's export leaves the default out
    # (test_apigateway_extended.snapshot.json, the exported petstore: no timeoutInMillis).
    if integration.get("timeoutInMillis") is not None and int(integration["timeoutInMillis"]) != DEFAULT_TIMEOUT_MS:
        out["timeoutInMillis"] = int(integration["timeoutInMillis"])
    if integration.get("cacheKeyParameters"):
        out["cacheKeyParameters"] = list(integration["cacheKeyParameters"])
    responses = {}
    for ir in (integration.get("integrationResponses") or {}).values():
        entry: dict[str, Any] = {"statusCode": str(ir["statusCode"])}
        if ir.get("responseTemplates"):
            entry["responseTemplates"] = _templates(ir["responseTemplates"])
        if ir.get("responseParameters"):
            entry["responseParameters"] = dict(ir["responseParameters"])
        if ir.get("contentHandling"):
            entry["contentHandling"] = ir["contentHandling"]
        responses[ir.get("selectionPattern") or "default"] = entry
    if responses:
        out["responses"] = responses
    return out


def _export_authorizer(authorizer: dict[str, Any]) -> dict[str, Any]:
    """A securitySchemes entry for a Lambda or Cognito authorizer."""
    kind = authorizer.get("type", "TOKEN")
    identity = authorizer.get("identitySource") or "method.request.header.Authorization"
    header = identity.split(".")[-1] if identity.startswith("method.request.header.") and "," not in identity else "Unused"
    ext: dict[str, Any] = {"type": kind.lower()}
    for key in ("authorizerUri", "authorizerCredentials", "identitySource", "identityValidationExpression", "providerARNs"):
        if authorizer.get(key):
            ext[key] = authorizer[key]
    if authorizer.get("authorizerResultTtlInSeconds") is not None:
        ext["authorizerResultTtlInSeconds"] = int(authorizer["authorizerResultTtlInSeconds"])
    return {
        "type": "apiKey",
        "name": header,
        "in": "header",
        "x-amazon-apigateway-authtype": "cognito_user_pools" if kind == "COGNITO_USER_POOLS" else "custom",
        "x-amazon-apigateway-authorizer": ext,
    }


def _export_parameters(resource_path: str, method: dict[str, Any]) -> list[dict[str, Any]]:
    """OpenAPI parameters: every path variable of the resource plus declared query/header parameters."""
    declared = method.get("requestParameters") or {}
    params: list[dict[str, Any]] = []
    seen = set()
    for part in resource_path.strip("/").split("/"):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1].rstrip("+")
            seen.add(("path", name))
            params.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
    for key in sorted(declared):
        prefix, _, rest = key.partition("method.request.")
        location, _, name = rest.partition(".")
        where = _PARAM_LOCATIONS.get(location)
        if prefix or not where or (where, name) in seen:
            continue
        params.append({"name": name, "in": where, "required": bool(declared[key]), "schema": {"type": "string"}})
    return params


def _export_method(resource_path: str, method: dict[str, Any], authorizers: dict[str, dict], validators: dict[str, str],
                   used_schemes: dict[str, dict[str, Any]], used_models: set[str]) -> dict[str, Any]:
    """One OpenAPI operation for a boto3 method dict."""
    op: dict[str, Any] = {}
    if method.get("operationName"):
        op["operationId"] = method["operationName"]
    params = _export_parameters(resource_path, method)
    if params:
        op["parameters"] = params
    if method.get("requestModels"):
        op["requestBody"] = {
            "content": {ct: _model_ref(name) for ct, name in method["requestModels"].items()},
            "required": True,
        }
        used_models.update(method["requestModels"].values())
    responses: dict[str, Any] = {}
    for code, mr in sorted((method.get("methodResponses") or {}).items()):
        entry: dict[str, Any] = {"description": f"{code} response"}
        headers = {
            key[len("method.response.header."):]: {"schema": {"type": "string"}}
            for key in (mr.get("responseParameters") or {})
            if key.startswith("method.response.header.")
        }
        if headers:
            entry["headers"] = headers
        if mr.get("responseModels"):
            entry["content"] = {ct: _model_ref(name) for ct, name in mr["responseModels"].items()}
            used_models.update(mr["responseModels"].values())
        responses[str(code)] = entry
    op["responses"] = responses

    requirement: dict[str, list[str]] = {}
    auth = method.get("authorizationType") or "NONE"
    if auth == "AWS_IAM":
        requirement[SIGV4_SCHEME] = []
        used_schemes[SIGV4_SCHEME] = {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "awsSigv4",
        }
    elif auth in ("CUSTOM", "COGNITO_USER_POOLS") and method.get("authorizerId") in authorizers:
        authorizer = authorizers[method["authorizerId"]]
        requirement[authorizer["name"]] = list(method.get("authorizationScopes") or [])
        used_schemes[authorizer["name"]] = _export_authorizer(authorizer)
    if method.get("apiKeyRequired"):
        requirement[API_KEY_SCHEME] = []
        used_schemes[API_KEY_SCHEME] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    if requirement:
        op["security"] = [requirement]
    if method.get("requestValidatorId") in validators:
        op["x-amazon-apigateway-request-validator"] = validators[method["requestValidatorId"]]
    if method.get("methodIntegration"):
        op[INTEGRATION] = _export_integration(method["methodIntegration"])
    return op


def export(definition: dict[str, Any], stage: str | None = None, server_url: str | None = None) -> dict[str, Any]:
    """Build an OpenAPI 3.0.1 document with API Gateway extensions from a definition_from_client() dict."""
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
    rest_api = definition.get("restApi") or {}
    authorizers = {a["id"]: a for a in definition.get("authorizers") or []}
    validators = {v["id"]: v.get("name") or v["id"] for v in definition.get("requestValidators") or []}
    used_schemes: dict[str, dict[str, Any]] = {}
    used_models: set[str] = set()

    paths: dict[str, Any] = {}
    for resource in sorted(definition.get("resources") or [], key=lambda r: r.get("path", "")):
        methods = resource.get("resourceMethods") or {}
        if not methods:
            continue  # AWS exports only resources that have methods
        item: dict[str, Any] = {}
        for verb, method in sorted(methods.items()):
            key = ANY_METHOD if verb.upper() == "ANY" else verb.lower()
            item[key] = _export_method(resource["path"], method, authorizers, validators, used_schemes, used_models)
        paths[resource["path"]] = item

    info: dict[str, Any] = {"title": rest_api.get("name", ""), "version": rest_api.get("version") or "1.0"}
    if rest_api.get("description"):
        info["description"] = rest_api["description"]
    doc: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
    if server_url:
        doc["servers"] = [{"url": server_url}]
    elif stage and rest_api.get("id") and definition.get("region"):
        doc["servers"] = [
            {
                "url": f"https://{rest_api['id']}.execute-api.{definition['region']}.amazonaws.com/{{basePath}}",
                "variables": {"basePath": {"default": stage}},
            }
        ]
    doc["paths"] = paths

    components: dict[str, Any] = {}
    models = {m["name"]: m for m in definition.get("models") or []}
    schemas = {}
    for name in sorted(set(models) | used_models):
        if name in models:
            raw = models[name].get("schema")
            try:
                schemas[name] = json.loads(raw) if isinstance(raw, str) else (raw or {})
            except json.JSONDecodeError:
                schemas[name] = {"description": raw}
        elif name in BUILTIN_MODELS:
            schemas[name] = copy.deepcopy(BUILTIN_MODELS[name])
    if schemas:
        components["schemas"] = schemas
    if used_schemes:
        components["securitySchemes"] = dict(sorted(used_schemes.items()))
    if components:
        doc["components"] = components

    if rest_api.get("apiKeySource"):
        doc["x-amazon-apigateway-api-key-source"] = rest_api["apiKeySource"]
    if rest_api.get("binaryMediaTypes"):
        doc["x-amazon-apigateway-binary-media-types"] = list(rest_api["binaryMediaTypes"])
    endpoint = rest_api.get("endpointConfiguration") or {}
    if endpoint.get("types"):
        doc["x-amazon-apigateway-endpoint-configuration"] = {"types": list(endpoint["types"])}
        if endpoint.get("vpcEndpointIds"):
            doc["x-amazon-apigateway-endpoint-configuration"]["vpcEndpointIds"] = list(endpoint["vpcEndpointIds"])
    if rest_api.get("minimumCompressionSize") is not None:
        doc["x-amazon-apigateway-minimum-compression-size"] = rest_api["minimumCompressionSize"]
    if rest_api.get("policy"):
        policy = rest_api["policy"]
        doc["x-amazon-apigateway-policy"] = _parse_policy(policy)
    gateway_responses = {}
    for gr in definition.get("gatewayResponses") or []:
        if gr.get("defaultResponse"):
            continue  # AWS lists every default type; only customised ones belong in the document
        entry = {k: gr[k] for k in ("statusCode", "responseParameters") if gr.get(k)}
        if gr.get("responseTemplates"):
            entry["responseTemplates"] = _templates(gr["responseTemplates"])
        gateway_responses[gr["responseType"]] = entry
    if gateway_responses:
        doc["x-amazon-apigateway-gateway-responses"] = gateway_responses
    if validators:
        doc["x-amazon-apigateway-request-validators"] = {
            v.get("name") or v["id"]: {
                "validateRequestBody": bool(v.get("validateRequestBody")),
                "validateRequestParameters": bool(v.get("validateRequestParameters")),
            }
            for v in definition.get("requestValidators") or []
        }
    return doc


def _parse_policy(policy: Any) -> Any:
    """A resource policy as a dict: AWS returns it as a string with escaped quotes, moto verbatim (the
    gateway's parser reads every form); one that does not parse is exported as it is."""
    if not isinstance(policy, str):
        return policy
    try:
        return parse_policy(policy)
    except ValueError:
        return policy


# ---------------------------------------------------------------- import


def load_document(doc: dict[str, Any] | str) -> dict[str, Any]:
    """Parse a JSON or YAML string (or copy a dict) and check the parts import_() relies on."""
    if isinstance(doc, (str, bytes)):
        try:
            parsed = load_text(doc)  # bounded: refuses an alias bomb or a text over AWS's 6 MB
        except (DocumentTooLarge, RecursiveDocument) as exc:
            raise ValueError(f"doc is refused: {exc}") from None
        except yaml.YAMLError as exc:
            raise ValueError(f"doc is neither valid JSON nor YAML: {exc}") from exc
    else:
        parsed = copy.deepcopy(doc)
    if not isinstance(parsed, dict):
        raise ValueError("doc must be an OpenAPI 3 object (a mapping)")
    version = str(parsed.get("openapi", ""))
    if not version.startswith("3."):
        found = "swagger " + str(parsed["swagger"]) if "swagger" in parsed else repr(parsed.get("openapi"))
        raise ValueError(f"doc.openapi must be a 3.x version, got {found}")
    info = parsed.get("info")
    if not isinstance(info, dict) or not info.get("title"):
        raise ValueError("doc.info.title is required (it becomes the API name)")
    paths = parsed.get("paths")
    if not isinstance(paths, dict) or not paths:
        raise ValueError("doc.paths must be a non-empty mapping of resource paths")
    allowed = {m.lower() for m in HTTP_METHODS if m != "ANY"} | {ANY_METHOD}
    for path, item in paths.items():
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"doc.paths key {path!r} must start with '/'")
        if not isinstance(item, dict):
            raise ValueError(f"doc.paths[{path!r}] must be a mapping of methods")
        for key, op in item.items():
            if key in ("parameters", "summary", "description", "servers") or (key.startswith("x-") and key != ANY_METHOD):
                continue
            if key not in allowed:
                raise ValueError(f"doc.paths[{path!r}] has unknown method {key!r}; use one of {sorted(allowed)}")
            integration = (op or {}).get(INTEGRATION)
            if integration is None:
                continue
            kind = str(integration.get("type", "")).upper()
            if kind not in INTEGRATION_TYPES:
                raise ValueError(
                    f"doc.paths[{path!r}].{key}.{INTEGRATION}.type must be one of "
                    f"{[t.lower() for t in INTEGRATION_TYPES]}, got {integration.get('type')!r}"
                )
            if kind != "MOCK" and not integration.get("uri"):
                raise ValueError(f"doc.paths[{path!r}].{key}.{INTEGRATION}.uri is required for type {kind.lower()}")
            if kind != "MOCK" and not integration.get("httpMethod"):
                raise ValueError(f"doc.paths[{path!r}].{key}.{INTEGRATION}.httpMethod is required for type {kind.lower()}")
    return parsed


def _resolve(doc: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    """Follow one local `$ref` (components/...) if present."""
    ref = obj.get("$ref") if isinstance(obj, dict) else None
    if not ref or not ref.startswith("#/"):
        return obj
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _ref_name(schema: dict[str, Any] | None) -> str | None:
    ref = (schema or {}).get("$ref", "")
    return ref[len(_SCHEMA_REF):] if ref.startswith(_SCHEMA_REF) else None


def _create_api(client: Any, doc: dict[str, Any]) -> str:
    """create_rest_api from the document's info and top-level extensions."""
    info = doc["info"]
    kwargs: dict[str, Any] = {"name": info["title"]}
    if info.get("description"):
        kwargs["description"] = info["description"]
    if info.get("version"):
        kwargs["version"] = str(info["version"])
    endpoint = doc.get("x-amazon-apigateway-endpoint-configuration")
    if endpoint:
        kwargs["endpointConfiguration"] = {k: v for k, v in endpoint.items() if k in ("types", "vpcEndpointIds")}
    if doc.get("x-amazon-apigateway-api-key-source"):
        kwargs["apiKeySource"] = doc["x-amazon-apigateway-api-key-source"]
    if doc.get("x-amazon-apigateway-binary-media-types"):
        kwargs["binaryMediaTypes"] = list(doc["x-amazon-apigateway-binary-media-types"])
    if doc.get("x-amazon-apigateway-minimum-compression-size") is not None:
        kwargs["minimumCompressionSize"] = int(doc["x-amazon-apigateway-minimum-compression-size"])
    policy = doc.get("x-amazon-apigateway-policy")
    if policy:
        kwargs["policy"] = policy if isinstance(policy, str) else json.dumps(policy)
    return client.create_rest_api(**kwargs)["id"]


def _import_method(client: Any, doc: dict[str, Any], api_id: str, resource_id: str, verb: str,
                   op: dict[str, Any], path_params: list[dict[str, Any]], authorizer_ids: dict[str, str],
                   validator_ids: dict[str, str]) -> None:
    """put_method, put_integration, method and integration responses for one operation."""
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    security = op.get("security", doc.get("security")) or []
    requirement: dict[str, list[str]] = {}
    for entry in security:
        requirement.update(entry or {})
    auth, authorizer_id, scopes = "NONE", None, None
    for name, scope_list in requirement.items():
        scheme = schemes.get(name) or {}
        authtype = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
        if authtype == "awssigv4":
            auth = "AWS_IAM"
        elif name in authorizer_ids:
            authorizer_id = authorizer_ids[name]
            is_cognito = authtype == "cognito_user_pools" or str(
                (scheme.get("x-amazon-apigateway-authorizer") or {}).get("type", "")
            ).lower() == "cognito_user_pools"
            auth = "COGNITO_USER_POOLS" if is_cognito else "CUSTOM"
            scopes = list(scope_list or []) or None
    api_key_required = any(
        (schemes.get(n) or {}).get("type") == "apiKey"
        and not (schemes.get(n) or {}).get("x-amazon-apigateway-authtype")
        and str((schemes.get(n) or {}).get("name", "")).lower() == "x-api-key"
        for n in requirement
    )

    request_parameters: dict[str, bool] = {}
    for raw in path_params + list(op.get("parameters") or []):
        param = _resolve(doc, raw)
        location = _LOCATION_PREFIX.get(param.get("in"))
        if location:
            request_parameters[f"method.request.{location}.{param['name']}"] = bool(param.get("required", location == "path"))
    kwargs: dict[str, Any] = {
        "restApiId": api_id,
        "resourceId": resource_id,
        "httpMethod": verb,
        "authorizationType": auth,
        "apiKeyRequired": api_key_required,
    }
    if request_parameters:
        kwargs["requestParameters"] = request_parameters
    if authorizer_id:
        kwargs["authorizerId"] = authorizer_id
    if scopes:
        kwargs["authorizationScopes"] = scopes
    if op.get("operationId"):
        kwargs["operationName"] = op["operationId"]
    validator = op.get("x-amazon-apigateway-request-validator", doc.get("x-amazon-apigateway-request-validator"))
    if validator in validator_ids:
        kwargs["requestValidatorId"] = validator_ids[validator]
    body = _resolve(doc, op.get("requestBody") or {})
    request_models = {ct: name for ct, media in (body.get("content") or {}).items() if (name := _ref_name(media.get("schema")))}
    if request_models:
        kwargs["requestModels"] = request_models
    client.put_method(**kwargs)

    ids = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": verb}
    for code, raw in (op.get("responses") or {}).items():
        response = _resolve(doc, raw or {})
        mr: dict[str, Any] = {**ids, "statusCode": str(code)}
        models = {ct: name for ct, media in (response.get("content") or {}).items() if (name := _ref_name((media or {}).get("schema")))}
        if models:
            mr["responseModels"] = models
        headers = {f"method.response.header.{h}": False for h in (response.get("headers") or {})}
        if headers:
            mr["responseParameters"] = headers
        client.put_method_response(**mr)

    integration = op.get(INTEGRATION)
    if integration is None:
        return
    kind = str(integration["type"]).upper()
    ik: dict[str, Any] = {**ids, "type": kind}
    if integration.get("uri"):
        ik["uri"] = integration["uri"]
    if integration.get("httpMethod"):
        ik["integrationHttpMethod"] = str(integration["httpMethod"]).upper()
    for key in ("credentials", "connectionType", "connectionId", "cacheNamespace", "contentHandling"):
        if integration.get(key):
            ik[key] = integration[key]
    if integration.get("requestTemplates"):
        ik["requestTemplates"] = _templates(integration["requestTemplates"])
    if integration.get("requestParameters"):
        ik["requestParameters"] = dict(integration["requestParameters"])
    if integration.get("passthroughBehavior"):
        ik["passthroughBehavior"] = str(integration["passthroughBehavior"]).upper()
    if integration.get("timeoutInMillis") is not None:
        ik["timeoutInMillis"] = int(integration["timeoutInMillis"])
    if integration.get("cacheKeyParameters"):
        ik["cacheKeyParameters"] = list(integration["cacheKeyParameters"])
    client.put_integration(**ik)
    for pattern, resp in (integration.get("responses") or {}).items():
        ir: dict[str, Any] = {**ids, "statusCode": str(resp["statusCode"])}
        if pattern != "default":
            ir["selectionPattern"] = pattern
        if resp.get("responseTemplates"):
            ir["responseTemplates"] = _templates(resp["responseTemplates"])
        for key in ("responseParameters", "contentHandling"):
            if resp.get(key):
                ir[key] = resp[key]
        client.put_integration_response(**ir)


def _populate(client: Any, doc: dict[str, Any], api_id: str) -> None:
    """Everything after create_rest_api: models, authorizers, validators, resources, methods, gateway responses."""
    components = doc.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        try:
            client.create_model(restApiId=api_id, name=name, contentType="application/json", schema=json.dumps(schema))
        except client.exceptions.ConflictException:
            pass  # AWS pre-creates Empty and Error

    authorizer_ids: dict[str, str] = {}
    for name, scheme in (components.get("securitySchemes") or {}).items():
        ext = scheme.get("x-amazon-apigateway-authorizer")
        if not ext:
            continue
        kwargs: dict[str, Any] = {"restApiId": api_id, "name": name, "type": str(ext.get("type", "token")).upper()}
        for key in ("authorizerUri", "authorizerCredentials", "identitySource", "identityValidationExpression", "providerARNs"):
            if ext.get(key):
                kwargs[key] = ext[key]
        if "identitySource" not in kwargs and scheme.get("in") == "header" and scheme.get("name"):
            kwargs["identitySource"] = f"method.request.header.{scheme['name']}"
        if ext.get("authorizerResultTtlInSeconds") is not None:
            kwargs["authorizerResultTtlInSeconds"] = int(ext["authorizerResultTtlInSeconds"])
        authorizer_ids[name] = client.create_authorizer(**kwargs)["id"]

    validator_ids: dict[str, str] = {}
    for name, spec in (doc.get("x-amazon-apigateway-request-validators") or {}).items():
        validator_ids[name] = client.create_request_validator(
            restApiId=api_id,
            name=name,
            validateRequestBody=bool(spec.get("validateRequestBody")),
            validateRequestParameters=bool(spec.get("validateRequestParameters")),
        )["id"]

    known = {r["path"]: r["id"] for r in paginate(client, "get_resources", restApiId=api_id)}
    for path in sorted(doc["paths"]):
        item = doc["paths"][path]
        resource_id = ensure_resource(client, api_id, path, known)
        # Path variables of the template are always method parameters, listed or not.
        path_params = [
            {"name": part[1:-1].rstrip("+"), "in": "path", "required": True}
            for part in path.strip("/").split("/")
            if part.startswith("{") and part.endswith("}")
        ] + list(item.get("parameters") or [])
        for key, op in item.items():
            if key == ANY_METHOD:
                verb = "ANY"
            elif key.upper() in HTTP_METHODS and key.upper() != "ANY":
                verb = key.upper()
            else:
                continue
            _import_method(client, doc, api_id, resource_id, verb, op or {}, path_params, authorizer_ids, validator_ids)

    for response_type, spec in (doc.get("x-amazon-apigateway-gateway-responses") or {}).items():
        kwargs = {"restApiId": api_id, "responseType": response_type}
        for key in ("statusCode", "responseParameters", "responseTemplates"):
            if spec.get(key):
                kwargs[key] = str(spec[key]) if key == "statusCode" else spec[key]
        client.put_gateway_response(**kwargs)


def import_(client: Any, doc: dict[str, Any] | str) -> str:
    """Create a REST API from an OpenAPI 3 document with ordinary boto3 calls; returns its id.

    If any call fails midway the half-built API is deleted before the error is re-raised.
    """
    parsed = load_document(doc)
    api_id = _create_api(client, parsed)
    try:
        binary = parsed.get("x-amazon-apigateway-binary-media-types") or []
        present = client.get_rest_api(restApiId=api_id).get("binaryMediaTypes") or []
        missing = [t for t in binary if t not in present]
        if missing:  # moto ignores binaryMediaTypes on create
            add_binary_media_types(client, api_id, missing)
        _populate(client, parsed, api_id)
    except BaseException:
        with contextlib.suppress(Exception):
            client.delete_rest_api(restApiId=api_id)
        raise
    return api_id
