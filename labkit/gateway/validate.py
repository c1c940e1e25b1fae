"""The request validation step: required parameters, then the body against its model (JSON Schema draft 4).

A method with a `requestValidatorId` is checked before the cache and the integration; a failure answers
400 BAD_REQUEST_PARAMETERS (`Missing required request parameters: [q1, q2]`) or BAD_REQUEST_BODY
(`Invalid request body`), with the detail in `$context.error.validationErrorString`.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html

The kit assumes (AWS does not document it): missing names are listed in the order of their sorted
`method.request.*` keys (header, path, querystring), as LocalStack lists them; an empty body is
validated as `{}`; the detail strings follow the wording of the JSON Schema library AWS's logs show
(`object has missing required properties (["name"])`) for the common keywords.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

from .http import Response
from .pipeline import Call, Next
from .responses import GatewayError
from .snapshot import Deployment

# The models every REST API has; moto does not create them.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
BUILT_IN_MODELS: dict[str, dict[str, Any]] = {
    "Empty": {"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"},
    "Error": {"$schema": "http://json-schema.org/draft-04/schema#", "title": "Error Schema", "type": "object",
              "properties": {"message": {"type": "string"}}},
}
_MODEL_REF_PREFIX = "https://apigateway.amazonaws.com/restapis/"
_CACHE_ATTR = "_labkit_body_validators"  # compiled validators, kept on the Deployment they belong to


class ValidationFailed(GatewayError):
    """A BAD_REQUEST_* gateway error that also carries `$context.error.validationErrorString`."""

    def __init__(self, response_type: str, message: str | None, detail: str, log: str) -> None:
        super().__init__(response_type, message, log=log)
        self.validation_error_string = detail


def validate(call: Call, next_step: Next) -> Response:
    """Run the method's request validator, if it has one, then pass the request on."""
    assert call.route is not None and call.snapshot is not None
    method = call.route.method
    validator_id = (method.get("requestValidatorId") or "").strip()
    if not validator_id:
        return next_step(call)
    validator = _request_validator(call.snapshot.deployment, validator_id)
    if validator is None:
        return next_step(call)  # a validator deleted after deployment: AWS documents nothing; skip it
    if validator.get("validateRequestParameters"):
        missing = missing_parameters(call)
        if missing:
            message = f"Missing required request parameters: [{', '.join(missing)}]"
            raise ValidationFailed("BAD_REQUEST_PARAMETERS", message, message,
                                   log=f"Request validation failed for request parameters: {message}")
    if validator.get("validateRequestBody"):
        _check_body(call, call.snapshot.deployment, method)
    return next_step(call)


def missing_parameters(call: Call) -> list[str]:
    """Names of required method request parameters that are absent or blank (AWS checks "included and not blank")."""
    assert call.route is not None
    req = call.request
    query = req.query_dict
    path = call.route.path_parameters
    missing = []
    for key, required in sorted((call.route.method.get("requestParameters") or {}).items()):
        if not required or not key.startswith("method.request."):
            continue
        location, _, name = key[len("method.request."):].partition(".")
        if location == "header":
            value = req.headers.get(name)
        elif location in ("querystring", "multivaluequerystring"):
            value = next((v for v in query.get(name, []) if v.strip()), None)
        elif location == "path":
            value = path.get(name)
        else:
            continue
        if value is None or not str(value).strip():
            missing.append(name)
    return missing


def _request_validator(deployment: Deployment, validator_id: str) -> dict[str, Any] | None:
    for validator in deployment.definition.get("requestValidators") or []:
        if validator.get("id") == validator_id:
            return validator
    return None


def _check_body(call: Call, deployment: Deployment, method: dict[str, Any]) -> None:
    """Validate the body against the model for its Content-Type, `$default` as fallback, else not at all."""
    # "If no matching content type is found, request validation is not performed." No Content-Type
    # counts as application/json. https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
    models = method.get("requestModels") or {}
    media = (call.request.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
    model_name = next((name for ct, name in models.items() if ct.lower() == media), None) or models.get("$default")
    if not model_name:
        return
    checker = _body_validator(deployment, model_name)
    if checker is None:
        raise GatewayError("API_CONFIGURATION_ERROR", log="Execution failed due to configuration error: "
                           f"Invalid model specified: {model_name}")
    text = call.request.body.decode("utf-8", "replace")
    try:
        document = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        problems = [f"Unable to parse JSON: {exc.args[0] if exc.args else exc}"]
    else:
        problems = [describe(error) for error in sorted(checker.iter_errors(document), key=lambda e: list(e.path))]
    if problems:
        detail = "[" + ", ".join(problems) + "]"
        raise ValidationFailed("BAD_REQUEST_BODY", None, detail,
                               log=f"Request body does not match model schema for content type {media}: {detail}")


def _body_validator(deployment: Deployment, model_name: str) -> jsonschema.Draft4Validator | None:
    """A compiled draft-4 validator for a model, `$ref`s to the API's other models resolved."""
    cache: dict[str, Any] = deployment.__dict__.setdefault(_CACHE_ATTR, {})
    if model_name in cache:
        return cache[model_name]
    schemas = dict(BUILT_IN_MODELS)
    for model in deployment.definition.get("models") or []:
        try:
            schemas[model["name"]] = json.loads(model.get("schema") or "{}")
        except (ValueError, KeyError):
            continue
    schema = schemas.get(model_name)
    checker = None
    if isinstance(schema, dict):
        def retrieve(uri: str) -> Resource:
            # https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
            name = uri.rstrip("/").rsplit("/", 1)[-1]
            if not uri.startswith(_MODEL_REF_PREFIX) or name not in schemas:
                raise NoSuchResource(ref=uri)
            return Resource.from_contents(schemas[name], default_specification=DRAFT4)

        checker = jsonschema.Draft4Validator(schema, registry=Registry(retrieve=retrieve))
    cache[model_name] = checker
    return checker


def describe(error: jsonschema.ValidationError) -> str:
    """One problem in the words of the JSON Schema library AWS's execution logs quote."""
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    prefix = f"{where.lstrip('.')}: " if where else ""
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "required" and isinstance(instance, dict):
        absent = [name for name in value if name not in instance]
        return f"{prefix}object has missing required properties ({json.dumps(absent)})"
    if keyword == "type":
        allowed = value if isinstance(value, list) else [value]
        return (f"{prefix}instance type ({_json_type(instance)}) does not match any allowed primitive type "
                f"(allowed: {json.dumps(allowed)})")
    if keyword == "enum":
        return f"{prefix}instance value ({json.dumps(instance)}) not found in enum (possible values: {json.dumps(value)})"
    return f"{prefix}{error.message}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
