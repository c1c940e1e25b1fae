"""Operations moto 5.2 lacks outright: client certificates, SDKs, usage, imports, updates (issue 15).

Each behaviour cites AWS's doc (no LocalStack recording covers these operations).

What this module restores:
- GenerateClientCertificate (201) / GetClientCertificate(s) / UpdateClientCertificate (`/description`) /
  DeleteClientCertificate (202); an unknown id → 404 NotFoundException; the PEM is a fixed-format
  self-made string (simplification) (https://docs.aws.amazon.com/apigateway/latest/api/API_GenerateClientCertificate.html)
- GetSdkTypes / GetSdkType: AWS's six SDK types with their configuration properties
  (https://docs.aws.amazon.com/apigateway/latest/api/API_GetSdk.html, "parameters")
- GetSdk → 400 BadRequestException: the kit does not generate SDKs (kit simplification)
- UpdateUsage: `replace /remaining` sets a key's remaining quota in the GetUsage ledger
  (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateUsage.html)
- UpdateDomainName (`/certificateName`, `/certificateArn`, `/regionalCertificateName`,
  `/regionalCertificateArn`, `/securityPolicy`) (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateDomainName.html)
- ImportApiKeys: the developer guide's CSV file (Name/Key/Description/Enabled/UsagePlanIds)
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-file-format.html)
- GetModelTemplate: a mapping-template skeleton from the model's schema (layout is the kit's)
  (https://docs.aws.amazon.com/apigateway/latest/api/API_GetModelTemplate.html)
- Domain name access associations: Create (201) / GetAll / Delete (202) / Reject (202), one account
  (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDomainNameAccessAssociation.html)
- TestInvokeAuthorizer: 404s for an unknown API/authorizer, else a readable 400 (kit simplification)
  (https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeAuthorizer.html)
- moto's URL table learns the paths of these operations and of documentation.py's
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import hashlib
import io
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from moto.apigateway.exceptions import BadRequestException, ConflictException
from moto.apigateway.models import APIGatewayBackend
from moto.apigateway.utils import create_id

from ..hooks import record_usage, usage_rows
from ..shared import PATCH_LOCK, USAGE_ATTR, Wrap
from .documentation import Missing

CERTIFICATES_ATTR = "_labkit_client_certificates"  # on moto's APIGatewayBackend: {id: certificate}
ASSOCIATIONS_ATTR = "_labkit_domain_access_associations"  # on moto's APIGatewayBackend: {arn: association}

URL_PATTERNS = (
    "{0}/clientcertificates/?$",
    "{0}/clientcertificates/(?P<certificate_id>[^/]+)/?$",
    "{0}/sdktypes/?$",
    "{0}/domainnameaccessassociations/?$",
    "{0}/domainnameaccessassociations/(?P<association_arn>.+)$",
    "{0}/rejectdomainnameaccessassociations/?$",
    "{0}/sdktypes/(?P<sdk_type>[^/]+)/?$",
    "{0}/restapis/(?P<function_id>[^/]+)/stages/(?P<stage_name>[^/]+)/sdks/(?P<sdk_type>[^/]+)/?$",
    "{0}/usageplans/(?P<usage_plan_id>[^/]+)/keys/(?P<api_key_id>[^/]+)/usage/?$",
    "{0}/restapis/(?P<function_id>[^/]+)/models/(?P<model_name>[^/]+)/default_template/?$",
)

# The configuration properties each SDK type takes, from AWS's API reference (GetSdk "parameters":
# https://docs.aws.amazon.com/apigateway/latest/api/API_GetSdk.html and the developer guide's
# https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-generate-sdk-cli.html).
_SDK_PROPERTIES: dict[str, tuple[str, str, list[tuple[str, str, bool]]]] = {
    "javascript": ("JavaScript", "API Gateway JavaScript SDK", []),
    "android": ("Android", "API Gateway Android SDK", [
        ("groupId", "The group ID of the generated Android SDK", True),
        ("invokerPackage", "The package name of the generated Android SDK", True),
        ("artifactId", "The artifact ID of the generated Android SDK", True),
        ("artifactVersion", "The version of the generated Android SDK", True)]),
    "objectivec": ("iOS (Objective-C)", "API Gateway iOS (Objective-C) SDK", [
        ("classPrefix", "The prefix of the generated class names", True)]),
    "swift": ("iOS (Swift)", "API Gateway iOS (Swift) SDK", [
        ("classPrefix", "The prefix of the generated class names", True)]),
    "java": ("Java", "API Gateway Java SDK", [
        ("serviceName", "The name of the generated Java SDK service", True),
        ("javaPackageName", "The package name of the generated Java SDK", True),
        ("javaGroupId", "The group ID of the generated Java SDK", False),
        ("javaArtifactId", "The artifact ID of the generated Java SDK", False),
        ("javaArtifactVersion", "The version of the generated Java SDK", False),
        ("javaBuildSystem", "The build system of the generated Java SDK (maven or gradle)", False)]),
    "ruby": ("Ruby", "API Gateway Ruby SDK", [
        ("service.name", "The name of the generated Ruby SDK service", True),
        ("ruby.gem-name", "The name of the generated Ruby gem", False),
        ("ruby.gem-version", "The version of the generated Ruby gem", False)]),
}


def _path_parts(response: Any) -> list[str]:
    return response.path.split("?")[0].strip("/").split("/")


def _json(status: int, body: Any) -> Any:
    return status, {"status": status}, json.dumps(body)


def _patch_operations(response: Any, allowed: dict[str, str]) -> list[tuple[str, Any]]:
    """(attribute, value) for each `replace` op on an allowed path; AWS's BadRequestException otherwise."""
    found = []
    for op in response._get_param("patchOperations") or []:
        path = op.get("path")
        if op.get("op") != "replace" or path not in allowed:
            # Same shape as AWS's recorded patch errors (test_apigateway_api.snapshot.json,
            # TestApiGatewayApiDocumentationPart::test_invalid_update_documentation_part).
            raise BadRequestException(f"Invalid patch path  '{path}' specified for op '{op.get('op')}'. "
                                      f"Must be one of: [{', '.join(allowed)}]")
        found.append((allowed[path], op.get("value")))
    return found


# --- client certificates ------------------------------------------------------------------------


def _pem(certificate_id: str) -> str:
    """A fixed-format PEM block (not a real X.509 certificate: the kit signs nothing)."""
    body = base64.b64encode(hashlib.sha256(certificate_id.encode()).digest() * 8).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----"


def _certificates(response: Any) -> dict[str, dict[str, Any]]:
    return response.backend.__dict__.setdefault(CERTIFICATES_ATTR, {})


def _certificate(response: Any) -> dict[str, Any]:
    found = _certificates(response).get(_path_parts(response)[1])
    if found is None:
        raise Missing("Invalid Client Certificate identifier specified")  # kit's wording
    return found


def generate_client_certificate(self: Any) -> Any:
    """GenerateClientCertificate: 201, valid one year. https://docs.aws.amazon.com/apigateway/latest/api/API_GenerateClientCertificate.html"""
    now = int(time.time())
    certificate_id = create_id()
    certificate = {"clientCertificateId": certificate_id, "pemEncodedCertificate": _pem(certificate_id),
                   "createdDate": now, "expirationDate": now + 365 * 24 * 3600}
    if self._get_param("description"):
        certificate["description"] = self._get_param("description")
    if self._get_param("tags"):
        certificate["tags"] = self._get_param("tags")
    with PATCH_LOCK:
        _certificates(self)[certificate_id] = certificate
    return _json(201, certificate)


def get_client_certificate(self: Any) -> Any:
    """GetClientCertificate. https://docs.aws.amazon.com/apigateway/latest/api/API_GetClientCertificate.html"""
    return _json(200, _certificate(self))


def get_client_certificates(self: Any) -> Any:
    """GetClientCertificates (one page). https://docs.aws.amazon.com/apigateway/latest/api/API_GetClientCertificates.html"""
    return _json(200, {"item": list(_certificates(self).values())})


def update_client_certificate(self: Any) -> Any:
    """UpdateClientCertificate: `replace /description`. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateClientCertificate.html"""
    certificate = _certificate(self)
    with PATCH_LOCK:
        for field, value in _patch_operations(self, {"/description": "description"}):
            certificate[field] = value
    return _json(200, certificate)


def delete_client_certificate(self: Any) -> Any:
    """DeleteClientCertificate: 202. https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteClientCertificate.html"""
    certificate = _certificate(self)
    with PATCH_LOCK:
        _certificates(self).pop(certificate["clientCertificateId"], None)
    return 202, {"status": 202}, ""


# --- SDKs ---------------------------------------------------------------------------------------


def _sdk_type(name: str) -> dict[str, Any]:
    friendly, description, properties = _SDK_PROPERTIES[name]
    return {"id": name, "friendlyName": friendly, "description": description, "configurationProperties": [
        {"name": p, "friendlyName": p, "description": d, "required": r} for p, d, r in properties]}


def get_sdk_types(self: Any) -> Any:
    """GetSdkTypes. https://docs.aws.amazon.com/apigateway/latest/api/API_GetSdkTypes.html"""
    return _json(200, {"item": [_sdk_type(name) for name in _SDK_PROPERTIES]})


def get_sdk_type(self: Any) -> Any:
    """GetSdkType; an unknown id → 404. https://docs.aws.amazon.com/apigateway/latest/api/API_GetSdkType.html"""
    name = _path_parts(self)[1]
    if name not in _SDK_PROPERTIES:
        raise Missing("Invalid SDK type specified")  # kit's wording
    return _json(200, _sdk_type(name))


def get_sdk(self: Any) -> Any:
    """GetSdk: the kit cannot build client SDKs, so it says so (kit simplification; AWS answers a zip)."""
    parts = _path_parts(self)
    self.backend.get_stage(parts[1], parts[3])  # NotFoundException for an unknown API or stage, as AWS
    if parts[5] not in _SDK_PROPERTIES:
        raise BadRequestException(f"Invalid sdkType specified: {parts[5]}")  # kit's wording
    raise BadRequestException("GetSdk is not available in the API Gateway Lab Kit: it does not generate client "
                              "SDKs (a kit simplification). Export the API with get_export instead.")


# --- usage --------------------------------------------------------------------------------------


def update_usage(self: Any) -> Any:
    """UpdateUsage: `replace /remaining` sets today's remaining quota by adjusting today's count in the
    GetUsage ledger (the kit's simplification). https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateUsage.html"""
    parts = _path_parts(self)
    plan_id, key_id = parts[1], parts[3]
    plan = self.backend.get_usage_plan(plan_id)  # NotFoundException for an unknown plan
    if key_id not in self.backend.usage_plan_keys.get(plan_id, {}):
        raise Missing("Invalid API Key identifier specified")  # moto's/AWS's key wording
    if not (plan.quota or {}).get("limit"):
        raise BadRequestException("Usage plan has no quota to update")  # kit's wording
    today = _dt.datetime.now(_dt.timezone.utc).date()
    for _, value in _patch_operations(self, {"/remaining": "remaining"}):
        try:
            wanted = int(value)
        except (TypeError, ValueError):
            raise BadRequestException(f"Invalid remaining value: {value}") from None
        with PATCH_LOCK:  # read and write the ledger in one step
            ledger = getattr(plan, USAGE_ATTR, {}).get(key_id, {})
            remaining = usage_rows(plan, dict(ledger), today, today)[0][1] or 0
            record_usage(self.current_account, self.region, plan_id, key_id, today.isoformat(), remaining - wanted)
    with PATCH_LOCK:
        ledger = dict(getattr(plan, USAGE_ATTR, {}).get(key_id, {}))
    body = {"usagePlanId": plan_id, "startDate": today.isoformat(), "endDate": today.isoformat(),
            "values": {key_id: usage_rows(plan, ledger, today, today)}}
    return _json(200, body)


# --- domain names -------------------------------------------------------------------------------


_DOMAIN_PATHS = {"/certificateName": "certificate_name", "/certificateArn": "certificate_arn",
                 "/regionalCertificateName": "regional_certificate_name",
                 "/regionalCertificateArn": "regional_certificate_arn", "/securityPolicy": "security_policy"}


def update_domain_name(self: Any) -> Any:
    """UpdateDomainName. https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateDomainName.html"""
    domain = self.backend.get_domain_name(_path_parts(self)[1])  # NotFoundException
    with PATCH_LOCK:
        for field, value in _patch_operations(self, _DOMAIN_PATHS):
            setattr(domain, field, value)
    return _json(200, domain.to_json())


# --- API key import -----------------------------------------------------------------------------


def _csv_rows(body: Any) -> list[dict[str, str]]:
    """The file's rows, column names lower-cased (AWS: names are not case sensitive, any order)."""
    text = body.decode() if isinstance(body, bytes) else str(body or "")
    rows = list(csv.DictReader(io.StringIO(text.strip()), skipinitialspace=True))
    if not rows or not {"name", "key"} <= {str(k).strip().lower() for k in rows[0]}:
        # AWS: "The imported file must contain the Name and Key columns"; the wording is the kit's.
        raise BadRequestException("Invalid API key file: it must have the Name and Key columns")
    return [{str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k is not None} for row in rows]


def import_api_keys(self: Any) -> Any:
    """ImportApiKeys from a CSV file as the developer guide describes
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-file-format.html): Enabled
    defaults to true; a Key seen before overwrites that key; UsagePlanIds (quoted, comma-separated)
    attaches the key. https://docs.aws.amazon.com/apigateway/latest/api/API_ImportApiKeys.html"""
    query = {k: v[0] for k, v in self.querystring.items() if v}
    if query.get("format", "csv").lower() != "csv":
        raise BadRequestException("Invalid format: only csv is supported")  # AWS's only ApiKeysFormat
    ids = []
    for row in _csv_rows(self.body):
        value, name = row.get("key", ""), row.get("name", "")
        if not 20 <= len(value) <= 128:
            raise BadRequestException("API Key value should be at least 20 characters")  # as CreateApiKey
        enabled = row.get("enabled", "").lower() != "false"
        existing = next((k for k in self.backend.get_api_keys() if k.value == value), None)
        if existing is None:
            key = self.backend.create_api_key({"name": name, "value": value, "enabled": enabled,
                                               "description": row.get("description", "")})
        else:
            key = existing
            with PATCH_LOCK:
                key.name, key.enabled, key.description = name, enabled, row.get("description", "")
        for plan_id in [p.strip() for p in row.get("usageplanids", "").strip("'\"").split(",") if p.strip()]:
            self.backend.get_usage_plan(plan_id)  # NotFoundException for an unknown plan
            if key.id not in self.backend.usage_plan_keys.get(plan_id, {}):
                self.backend.create_usage_plan_key(plan_id, {"keyId": key.id, "keyType": "API_KEY"})
        ids.append(key.id)
    return _json(201, {"ids": ids, "warnings": []})


# --- model templates ----------------------------------------------------------------------------


def _template_value(schema: dict[str, Any], path: str, indent: str) -> str:
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        inner = indent + "  "
        lines = [f'{inner}"{name}" : {_template_value(sub or {}, f"{path}.{name}", inner)}'
                 for name, sub in (schema.get("properties") or {}).items()]
        return "{\n" + ",\n".join(lines) + f"\n{indent}}}"
    if kind == "array":
        inner = indent + "  "
        body = _template_value(schema.get("items") or {}, "$elem", inner)
        return f"[\n#foreach($elem in {path})\n{inner}{body}#if($foreach.hasNext),#end\n#end\n{indent}]"
    if kind in ("number", "integer", "boolean"):
        return path
    return f'"{path}"'


def get_model_template(self: Any) -> Any:
    """GetModelTemplate: a mapping template skeleton from the model's JSON schema (the kit's layout,
    after the console's generated templates). https://docs.aws.amazon.com/apigateway/latest/api/API_GetModelTemplate.html"""
    parts = _path_parts(self)
    model = self.backend.get_model(parts[1], parts[3])  # NotFoundException for an unknown API or model
    try:
        schema = json.loads(model.schema) if isinstance(model.schema, str) else (model.schema or {})
    except ValueError:
        schema = {}
    value = "#set($inputRoot = $input.path('$'))\n" + _template_value(schema, "$inputRoot", "")
    return _json(200, {"value": value})


# --- domain name access associations (private custom domain names) -------------------------------


def _associations(response: Any) -> dict[str, dict[str, Any]]:
    return response.backend.__dict__.setdefault(ASSOCIATIONS_ATTR, {})


def create_domain_name_access_association(self: Any) -> Any:
    """CreateDomainNameAccessAssociation (201); the ARN follows AWS's documented format
    arn:aws:apigateway:{region}:{account}:/domainnameaccessassociations/domainname/{name}+{id}/vpcesource/{vpce}
    (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDomainNameAccessAssociation.html,
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagement.html)."""
    domain_arn = self._get_param("domainNameArn") or ""
    source = self._get_param("accessAssociationSource") or ""
    if "/domainnames/" not in domain_arn or not source:
        raise BadRequestException("Invalid domainNameArn or accessAssociationSource")  # kit's wording
    domain = domain_arn.split("/domainnames/", 1)[1]
    arn = (f"arn:aws:apigateway:{self.region}:{self.current_account}:/domainnameaccessassociations/domainname/"
           f"{domain}/vpcesource/{source}")
    association = {"domainNameAccessAssociationArn": arn, "domainNameArn": domain_arn,
                   "accessAssociationSourceType": self._get_param("accessAssociationSourceType") or "VPCE",
                   "accessAssociationSource": source}
    if self._get_param("tags"):
        association["tags"] = self._get_param("tags")
    with PATCH_LOCK:
        if arn in _associations(self):
            raise ConflictException("Domain name access association already exists")  # kit's wording
        _associations(self)[arn] = association
    return _json(201, association)


def get_domain_name_access_associations(self: Any) -> Any:
    """GetDomainNameAccessAssociations: this account's (SELF, the default); the kit has no other
    accounts, so OTHER_ACCOUNTS is empty. https://docs.aws.amazon.com/apigateway/latest/api/API_GetDomainNameAccessAssociations.html"""
    query = {k: v[0] for k, v in self.querystring.items() if v}
    items = [] if query.get("resourceOwner") == "OTHER_ACCOUNTS" else list(_associations(self).values())
    return _json(200, {"item": items})


def _drop_association(response: Any, arn: str) -> Any:
    with PATCH_LOCK:
        if _associations(response).pop(arn, None) is None:
            raise Missing("Invalid domain name access association identifier specified")  # kit's wording
    return 202, {"status": 202}, ""


def delete_domain_name_access_association(self: Any) -> Any:
    """DeleteDomainNameAccessAssociation: 202. https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteDomainNameAccessAssociation.html"""
    encoded = self.path.split("?")[0].split("/domainnameaccessassociations/", 1)[1]
    return _drop_association(self, urllib.parse.unquote(encoded))


def reject_domain_name_access_association(self: Any) -> Any:
    """RejectDomainNameAccessAssociation: 202, the association is gone (the kit's one-account simplification).
    https://docs.aws.amazon.com/apigateway/latest/api/API_RejectDomainNameAccessAssociation.html"""
    query = {k: v[0] for k, v in self.querystring.items() if v}
    return _drop_association(self, query.get("domainNameAccessAssociationArn", ""))


# --- TestInvokeAuthorizer -----------------------------------------------------------------------


def test_invoke_authorizer(self: Any) -> Any:
    """TestInvokeAuthorizer: after AWS's 404s for an unknown API or authorizer, a 400 the learner can read:
    the kit runs authorizers only on real calls through a stage (kit simplification).
    https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeAuthorizer.html"""
    parts = _path_parts(self)
    self.backend.get_authorizer(parts[1], parts[3])  # NotFoundException for an unknown API or authorizer
    raise BadRequestException("TestInvokeAuthorizer is not available in the API Gateway Lab Kit (a kit "
                              "simplification): call a method that uses the authorizer through its stage URL "
                              "to see the authorizer run.")


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = (
    generate_client_certificate, get_client_certificate, get_client_certificates, update_client_certificate,
    delete_client_certificate, get_sdk_types, get_sdk_type, get_sdk, update_usage, update_domain_name,
    import_api_keys, get_model_template, create_domain_name_access_association,
    get_domain_name_access_associations, delete_domain_name_access_association,
    reject_domain_name_access_association, test_invoke_authorizer,
)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return []


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    return [(APIGatewayBackend, "get_usage_plan"), (APIGatewayBackend, "get_domain_name"),
            (APIGatewayBackend, "get_stage"), (APIGatewayBackend, "get_api_keys"), (APIGatewayBackend, "create_api_key"),
            (APIGatewayBackend, "create_usage_plan_key"), (APIGatewayBackend, "get_model"),
            (APIGatewayBackend, "get_authorizer")]
