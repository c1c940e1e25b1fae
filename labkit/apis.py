"""Builders for API Gateway REST APIs that read like a walk through the console.

Every builder is a thin layer over a plain boto3 ``apigateway`` client and returns what boto3
returns (ids and response dicts), so a learner can mix these helpers with raw boto3 calls freely.
The same code runs on moto in-process and on real AWS.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import apis_cors, openapi
from .api_calls import (HTTP_METHODS, add_binary_media_types, ensure_resource, lambda_uri, paginate, path_params,
                        split_path, strip_metadata)

__all__ = [
    "ENDPOINT_TYPES",
    "HTTP_METHODS",
    "AUTHORIZATION_TYPES",
    "Method",
    "Resource",
    "RestApi",
    "ensure_resource",
    "import_openapi",
    "lambda_uri",
    "validate_stage_name",
    "validate_stage_variables",
    "validate_timeout_ms",
    "enable_cors",
]

ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
AUTHORIZATION_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
API_KEY_SOURCES = ("HEADER", "AUTHORIZER")
PASSTHROUGH_BEHAVIORS = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")

# https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (timeoutInMillis)
TIMEOUT_MS_MIN, TIMEOUT_MS_MAX = 50, 29_000
# https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html (stageName, variables)
_STAGE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_STAGE_VAR_NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
_STAGE_VAR_VALUE_RE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]+$")
STAGE_VARS_MAX, STAGE_VAR_KEY_MAX, STAGE_VAR_VALUE_MAX = 100, 64, 512

# `{name}` placeholders in an integration URI, but not `${stageVariables.name}`.
_URI_PLACEHOLDER_RE = re.compile(r"(?<!\$)\{([A-Za-z0-9._-]+)\}")


def validate_timeout_ms(timeout_ms: int | None) -> None:
    """Reject an integration timeout outside what API Gateway accepts."""
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html
    if timeout_ms is None:
        return
    if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int) or not (
        TIMEOUT_MS_MIN <= timeout_ms <= TIMEOUT_MS_MAX
    ):
        raise ValueError(
            f"timeoutInMillis must be an integer between {TIMEOUT_MS_MIN} and {TIMEOUT_MS_MAX} "
            f"milliseconds, got {timeout_ms!r}"
        )


def validate_stage_name(stage: str) -> None:
    """Reject a stage name AWS would refuse (it becomes the first path segment of the invoke URL)."""
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html
    if not isinstance(stage, str) or not _STAGE_NAME_RE.match(stage):
        raise ValueError(
            "stageName must be 1-128 characters of letters, digits, '-' and '_', "
            f"got {stage!r}"
        )


def validate_stage_variables(variables: dict[str, str] | None) -> None:
    """Reject stage variables outside the documented name/value patterns and limits."""
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html (variables)
    if variables is None:
        return
    if not isinstance(variables, dict):
        raise ValueError(f"variables must be a dict of name -> value, got {type(variables).__name__}")
    if len(variables) > STAGE_VARS_MAX:
        raise ValueError(f"variables: at most {STAGE_VARS_MAX} stage variables per stage, got {len(variables)}")
    for name, value in variables.items():
        if not isinstance(name, str) or not _STAGE_VAR_NAME_RE.match(name) or len(name) > STAGE_VAR_KEY_MAX:
            raise ValueError(
                f"variables: name {name!r} must be 1-{STAGE_VAR_KEY_MAX} characters of [A-Za-z0-9_]"
            )
        if not isinstance(value, str) or not _STAGE_VAR_VALUE_RE.match(value) or len(value) > STAGE_VAR_VALUE_MAX:
            raise ValueError(
                f"variables: value of {name!r} must be 1-{STAGE_VAR_VALUE_MAX} characters of "
                f"[A-Za-z0-9-._~:/?#&=,], got {value!r}"
            )


def _validate_http_uri(uri: str) -> None:
    """HTTP integrations need a full http(s) URL; `${stageVariables.x}` may appear anywhere after the scheme."""
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (uri)
    if not isinstance(uri, str) or not re.match(r"^https?://\S+$", uri):
        raise ValueError(f"uri must be a full http:// or https:// URL, got {uri!r}")


@dataclass(frozen=True)


class Method:
    """One HTTP method on a resource; its builders add the integration (console: Integration request)."""

    resource: Resource
    http_method: str

    @property
    def api(self) -> RestApi:
        """The API this method belongs to."""
        return self.resource.api

    def _ids(self) -> dict[str, str]:
        return {"restApiId": self.api.id, "resourceId": self.resource.id, "httpMethod": self.http_method}

    def _path_mappings(self, uri: str) -> dict[str, str]:
        """Map `{name}` placeholders of a URI from the method's path parameters, as the console does."""
        params = set(path_params(self.resource.path))
        return {
            f"integration.request.path.{name}": f"method.request.path.{name}"
            for name in _URI_PLACEHOLDER_RE.findall(uri)
            if name in params
        }

    def response(
        self,
        status: int | str = 200,
        models: dict[str, str] | None = None,
        headers: dict[str, bool] | None = None,
    ) -> dict[str, Any]:
        """Declare a method response (console: Method response); `headers` maps header name -> required."""
        kwargs: dict[str, Any] = {**self._ids(), "statusCode": str(status)}
        if models:
            kwargs["responseModels"] = models
        if headers:
            kwargs["responseParameters"] = {f"method.response.header.{h}": bool(r) for h, r in headers.items()}
        return strip_metadata(self.api.client.put_method_response(**kwargs))

    def integration_response(
        self,
        status: int | str = 200,
        selection_pattern: str | None = None,
        templates: dict[str, str] | None = None,
        parameters: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Map a backend outcome to a method response (console: Integration response)."""
        kwargs: dict[str, Any] = {**self._ids(), "statusCode": str(status)}
        if selection_pattern is not None:
            kwargs["selectionPattern"] = selection_pattern
        if templates is not None:
            kwargs["responseTemplates"] = templates
        if parameters:
            kwargs["responseParameters"] = parameters
        return strip_metadata(self.api.client.put_integration_response(**kwargs))

    def mock(self, status: int = 200, body: str = '{"ok": true}', content_type: str = "application/json") -> dict[str, Any]:
        """MOCK integration: API Gateway answers `status` with `body` itself, no backend."""
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code between 100 and 599, got {status!r}")
        integration = strip_metadata(
            self.api.client.put_integration(
                **self._ids(),
                type="MOCK",
                requestTemplates={"application/json": json.dumps({"statusCode": status})},
                passthroughBehavior="WHEN_NO_MATCH",
            )
        )
        self.response(status, models={content_type: "Empty"})
        self.integration_response(status, templates={content_type: body})
        return integration

    def http(
        self,
        uri: str,
        http_method: str = "GET",
        request_templates: dict[str, str] | None = None,
        response_templates: dict[str, str] | None = None,
        timeout_ms: int | None = None,
        request_parameters: dict[str, str] | None = None,
        passthrough_behavior: str = "WHEN_NO_MATCH",
    ) -> dict[str, Any]:
        """HTTP (non-proxy) integration with a default 200 integration and method response."""
        # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html
        _validate_http_uri(uri)
        validate_timeout_ms(timeout_ms)
        if passthrough_behavior not in PASSTHROUGH_BEHAVIORS:
            raise ValueError(f"passthroughBehavior must be one of {PASSTHROUGH_BEHAVIORS}, got {passthrough_behavior!r}")
        kwargs: dict[str, Any] = {
            **self._ids(),
            "type": "HTTP",
            "integrationHttpMethod": _check_http_method(http_method, "http_method"),
            "uri": uri,
            "passthroughBehavior": passthrough_behavior,
        }
        params = {**self._path_mappings(uri), **(request_parameters or {})}
        if params:
            kwargs["requestParameters"] = params
        if request_templates:
            kwargs["requestTemplates"] = request_templates
        if timeout_ms is not None:
            kwargs["timeoutInMillis"] = timeout_ms
        integration = strip_metadata(self.api.client.put_integration(**kwargs))
        self.response(200, models={"application/json": "Empty"})
        self.integration_response(200, templates=response_templates)
        return integration

    def http_proxy(self, uri: str, http_method: str | None = None, timeout_ms: int | None = None) -> dict[str, Any]:
        """HTTP_PROXY integration: the request goes to `uri` as is and the response comes back as is."""
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html
        _validate_http_uri(uri)
        validate_timeout_ms(timeout_ms)
        kwargs: dict[str, Any] = {
            **self._ids(),
            "type": "HTTP_PROXY",
            "integrationHttpMethod": _check_http_method(http_method or self.http_method, "http_method"),
            "uri": uri,
            "passthroughBehavior": "WHEN_NO_MATCH",
        }
        params = self._path_mappings(uri)
        if params:
            kwargs["requestParameters"] = params
        if timeout_ms is not None:
            kwargs["timeoutInMillis"] = timeout_ms
        integration = strip_metadata(self.api.client.put_integration(**kwargs))
        self.response(200, models={"application/json": "Empty"})
        return integration

    def lambda_proxy(self, function_arn: str, timeout_ms: int | None = None) -> dict[str, Any]:
        """AWS_PROXY (Lambda proxy) integration; the function also needs an apigateway invoke permission on AWS."""
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
        if not isinstance(function_arn, str) or not function_arn.startswith("arn:"):
            raise ValueError(f"function_arn must be a Lambda function ARN (arn:aws:lambda:...), got {function_arn!r}")
        validate_timeout_ms(timeout_ms)
        kwargs: dict[str, Any] = {
            **self._ids(),
            "type": "AWS_PROXY",
            "integrationHttpMethod": "POST",  # Lambda is always invoked with POST
            "uri": lambda_uri(self.api.region, function_arn),
            "passthroughBehavior": "WHEN_NO_MATCH",
        }
        if timeout_ms is not None:
            kwargs["timeoutInMillis"] = timeout_ms
        integration = strip_metadata(self.api.client.put_integration(**kwargs))
        self.response(200, models={"application/json": "Empty"})
        return integration


def _check_http_method(method: str, name: str) -> str:
    """Upper-case and validate an HTTP method (moto accepts anything; AWS does not)."""
    upper = method.upper() if isinstance(method, str) else method
    if upper not in HTTP_METHODS:
        raise ValueError(f"{name} must be one of {', '.join(HTTP_METHODS)}, got {method!r}")
    return upper


@dataclass(frozen=True)
class Resource:
    """A resource (path) of a REST API; `method()` adds an HTTP method to it. `methods`: the ones it
    has (GetResources lists them, e.g. {"GET": {}}, as recorded on AWS in
    test_apigateway_import.snapshot.json, key "resources")."""

    id: str
    path: str
    api: RestApi = field(repr=False, compare=False)
    methods: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def path_params(self) -> list[str]:
        """Names of the path variables in this resource's path (`{proxy+}` gives `proxy`)."""
        return path_params(self.path)

    def method(
        self,
        http_method: str,
        authorization: str = "NONE",
        api_key_required: bool = False,
        request_parameters: dict[str, bool] | None = None,
        authorizer_id: str | None = None,
        authorization_scopes: list[str] | None = None,
        request_validator_id: str | None = None,
        request_models: dict[str, str] | None = None,
    ) -> Method:
        """put_method; path parameters of the resource are declared on the method as the console shows them."""
        # https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html
        verb = _check_http_method(http_method, "http_method")
        if authorization not in AUTHORIZATION_TYPES:
            raise ValueError(f"authorization must be one of {', '.join(AUTHORIZATION_TYPES)}, got {authorization!r}")
        if authorization in ("CUSTOM", "COGNITO_USER_POOLS") and not authorizer_id:
            raise ValueError(f"authorizer_id is required when authorization is {authorization}")
        # Declared up front: moto cannot update a method later (update_method is NotImplemented).
        params: dict[str, bool] = {f"method.request.path.{p}": True for p in self.path_params}
        params.update(request_parameters or {})
        kwargs: dict[str, Any] = {
            "restApiId": self.api.id,
            "resourceId": self.id,
            "httpMethod": verb,
            "authorizationType": authorization,
            "apiKeyRequired": bool(api_key_required),
        }
        if params:
            kwargs["requestParameters"] = params
        if authorizer_id:
            kwargs["authorizerId"] = authorizer_id
        if authorization_scopes:
            kwargs["authorizationScopes"] = list(authorization_scopes)
        if request_validator_id:
            kwargs["requestValidatorId"] = request_validator_id
        if request_models:
            kwargs["requestModels"] = request_models
        if verb in self.methods:
            # A re-run cell defines the method anew: AWS refuses a second PutMethod with 409 ConflictException
            # "Method already exists for this resource" (reproduced by the AWS CLI team,
            # https://github.com/aws/aws-cli/issues/3992); moto and LocalStack overwrite.
            self.api.client.delete_method(restApiId=self.api.id, resourceId=self.id, httpMethod=verb)
        self.api.client.put_method(**kwargs)
        self.methods.add(verb)
        return Method(self, verb)


class RestApi:
    """A REST API by id, with console-style helpers (resources, deploy, stages, export)."""

    def __init__(self, client: Any, api_id: str, root_id: str | None = None) -> None:
        self.client = client
        self.id = api_id
        self._root_id = root_id

    def __repr__(self) -> str:
        return f"RestApi(id={self.id!r})"

    @classmethod
    def create(
        cls,
        client: Any,
        name: str,
        endpoint_type: str = "REGIONAL",
        description: str | None = None,
        api_key_source: str = "HEADER",
        binary_media_types: list[str] | None = None,
        policy: str | dict[str, Any] | None = None,
    ) -> RestApi:
        """create_rest_api with the console's choices (endpoint type, API key source, binary types, policy).

        The kit's builder defaults to REGIONAL; AWS's own default (plain create_rest_api) is EDGE.
        https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-endpoint-types.html"""
        # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html
        if endpoint_type not in ENDPOINT_TYPES:
            raise ValueError(f"endpoint_type must be one of {', '.join(ENDPOINT_TYPES)}, got {endpoint_type!r}")
        if api_key_source not in API_KEY_SOURCES:
            raise ValueError(f"api_key_source must be one of {', '.join(API_KEY_SOURCES)}, got {api_key_source!r}")
        if not isinstance(name, str) or not name:
            raise ValueError("name must be a non-empty string")
        kwargs: dict[str, Any] = {
            "name": name,
            "endpointConfiguration": {"types": [endpoint_type]},
            "apiKeySource": api_key_source,
        }
        if description is not None:
            kwargs["description"] = description
        if binary_media_types:
            kwargs["binaryMediaTypes"] = list(binary_media_types)
        if policy is not None:
            kwargs["policy"] = policy if isinstance(policy, str) else json.dumps(policy)
        created = client.create_rest_api(**kwargs)
        api = cls(client, created["id"], created.get("rootResourceId"))
        missing = [t for t in binary_media_types or [] if t not in (created.get("binaryMediaTypes") or [])]
        if missing:  # moto ignores binaryMediaTypes on create
            try:
                api.add_binary_media_types(missing)
            except BaseException:
                api.delete()  # leave nothing half-configured behind
                raise
        return api

    @property
    def region(self) -> str:
        """The client's region, used for Lambda URIs and invoke URLs."""
        return self.client.meta.region_name

    @property
    def root_id(self) -> str:
        """Id of the `/` resource."""
        if self._root_id is None:
            self._root_id = self.describe().get("rootResourceId") or self.resources()["/"]
        return self._root_id

    def describe(self) -> dict[str, Any]:
        """get_rest_api without ResponseMetadata."""
        return strip_metadata(self.client.get_rest_api(restApiId=self.id))

    def add_binary_media_types(self, media_types: list[str]) -> dict[str, Any]:
        """Add binary media types (console: API settings > Binary media types)."""
        return add_binary_media_types(self.client, self.id, media_types)

    def resources(self) -> dict[str, str]:
        """Every resource path mapped to its id."""
        return {r["path"]: r["id"] for r in paginate(self.client, "get_resources", restApiId=self.id)}

    def resource(self, path: str) -> Resource:
        """The resource at `path`, creating missing parts (`{param}` and `{proxy+}` included)."""
        items = paginate(self.client, "get_resources", restApiId=self.id)
        known = {r["path"]: r["id"] for r in items}
        if "/" in known:
            self._root_id = known["/"]
        rid = ensure_resource(self.client, self.id, path, known)
        normalized = "/" + "/".join(split_path(path))
        methods = next((set(r.get("resourceMethods") or {}) for r in items if r["id"] == rid), set())
        return Resource(rid, normalized, self, methods)

    def deploy(
        self,
        stage: str,
        description: str = "",
        variables: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Snapshot the API into a new deployment and point `stage` at it (created if missing)."""
        # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
        validate_stage_name(stage)
        validate_stage_variables(variables)
        if self._stage_exists(stage):
            # moto replaces an existing stage on create_deployment(stageName=...) and wipes its settings;
            # deploying without a stage and then moving the stage keeps them (and is what AWS does anyway).
            deployment = strip_metadata(self.client.create_deployment(restApiId=self.id, description=description))
            ops = [{"op": "replace", "path": "/deploymentId", "value": deployment["id"]}]
            ops += [{"op": "replace", "path": f"/variables/{k}", "value": v} for k, v in (variables or {}).items()]
            self.client.update_stage(restApiId=self.id, stageName=stage, patchOperations=ops)
            return deployment
        kwargs: dict[str, Any] = {"restApiId": self.id, "stageName": stage, "description": description}
        if variables:
            kwargs["variables"] = dict(variables)
        return strip_metadata(self.client.create_deployment(**kwargs))

    def _stage_exists(self, stage: str) -> bool:
        return any(s["stageName"] == stage for s in self.stages())

    def stages(self) -> list[dict[str, Any]]:
        """Every stage of the API (get_stages items)."""
        return list(self.client.get_stages(restApiId=self.id).get("item", []))

    def stage(self, stage: str) -> dict[str, Any]:
        """get_stage without ResponseMetadata."""
        return strip_metadata(self.client.get_stage(restApiId=self.id, stageName=stage))

    def invoke_url(self, stage: str) -> str:
        """The default execute-api URL of a stage."""
        return f"https://{self.id}.execute-api.{self.region}.amazonaws.com/{stage}"

    def deployments(self) -> list[dict[str, Any]]:
        """Every deployment, newest first."""
        items = paginate(self.client, "get_deployments", restApiId=self.id)
        # createdDate has one-second resolution; on a tie the later-listed deployment counts as newer.
        def key(pair: tuple[int, dict[str, Any]]) -> tuple[float, int]:
            created = pair[1].get("createdDate")
            return (created.timestamp() if hasattr(created, "timestamp") else float(created or 0), pair[0])

        order = sorted(enumerate(items), key=key, reverse=True)
        return [d for _, d in order]

    def rollback(self, stage: str, deployment_id: str) -> dict[str, Any]:
        """Point `stage` back at an earlier deployment (console: Stage > Deployment history > Change)."""
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-deploy-api-with-console.html
        validate_stage_name(stage)
        # moto accepts any deploymentId here; AWS does not, so check first on both.
        if deployment_id not in {d["id"] for d in self.deployments()}:
            raise ValueError(f"deployment_id {deployment_id!r} is not a deployment of API {self.id}")
        return strip_metadata(
            self.client.update_stage(
                restApiId=self.id,
                stageName=stage,
                patchOperations=[{"op": "replace", "path": "/deploymentId", "value": deployment_id}],
            )
        )

    def set_stage_variables(self, stage: str, variables: dict[str, str | None]) -> dict[str, Any]:
        """Set stage variables on an existing stage; a value of None removes that variable."""
        # https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html
        validate_stage_name(stage)
        current = dict(self.stage(stage).get("variables") or {})
        merged = {**current, **{k: v for k, v in variables.items() if v is not None}}
        for k, v in variables.items():
            if v is None:
                merged.pop(k, None)
        validate_stage_variables(merged)
        # `replace` also creates a variable (moto has no `add` for variables).
        ops = [
            {"op": "remove", "path": f"/variables/{k}"} if v is None else {"op": "replace", "path": f"/variables/{k}", "value": v}
            for k, v in variables.items()
            if v is not None or k in current
        ]
        if not ops:
            return self.stage(stage)
        return strip_metadata(self.client.update_stage(restApiId=self.id, stageName=stage, patchOperations=ops))

    def delete(self) -> None:
        """Delete the whole API."""
        self.client.delete_rest_api(restApiId=self.id)

    def definition(self) -> dict[str, Any]:
        """Everything about the API in boto3 shapes (see labkit.openapi.definition_from_client)."""
        return openapi.definition_from_client(self.client, self.id)

    def export_openapi(self, stage: str | None = None) -> dict[str, Any]:
        """OpenAPI 3.0.1 with x-amazon-apigateway-* extensions, built by labkit from ordinary calls (any backend)."""
        return openapi.export(self.definition(), stage=stage)


def import_openapi(client: Any, doc: dict[str, Any] | str) -> RestApi:
    """Create a REST API from an OpenAPI 3 document through ordinary boto3 calls."""
    return RestApi(client, openapi.import_(client, doc))


def enable_cors(api_or_resource: RestApi | Resource, allow_origins: list[str] | tuple[str, ...] | str = ("*",),
                allow_methods: list[str] | None = None,
                allow_headers: list[str] | tuple[str, ...] = apis_cors.DEFAULT_CORS_HEADERS,
                max_age: int | None = None, allow_credentials: bool = False,
                gateway_responses: bool = True) -> dict[str, Any]:
    """The console's "Enable CORS": an OPTIONS MOCK method answering the Access-Control-* headers,
    Access-Control-Allow-Origin on the other methods' 200 responses and (optionally) on DEFAULT_4XX/5XX,
    on one resource or on every resource of an API that has methods. Redeploy afterwards.
    Details: labkit.apis_cors.enable_cors."""
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
    if isinstance(api_or_resource, RestApi):
        api, resource_id = api_or_resource, None
    elif isinstance(api_or_resource, Resource):
        api, resource_id = api_or_resource.api, api_or_resource.id
    else:
        raise ValueError(f"api_or_resource must be a labkit.apis.RestApi or Resource, got {api_or_resource!r}")
    return apis_cors.enable_cors(api.client, api.id, resource_id, allow_origins, allow_methods, allow_headers,
                                 max_age, allow_credentials, gateway_responses)
