"""CreateResource, UpdateResource and DeleteResource against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`,
class TestApiGatewayApiResource (each test names its test and key; the calls are in `test_apigateway_api.py`).
Ids are placeholders in the recording (`<id:1>`); the tests compare how they relate (parentId -> id).
"""

from __future__ import annotations


import pytest
from answers import refusal as refused, body as shown

UNKNOWN = (404, "NotFoundException", "Invalid Resource identifier specified")


@pytest.fixture
def apigw(lab):
    return lab.client("apigateway")


@pytest.fixture
def api(apigw) -> tuple[str, str]:
    """(API id, root resource id) of a new API."""
    created = apigw.create_rest_api(name="resources", description="testing resource behaviour")
    return created["id"], created["rootResourceId"]


def _paths(apigw, api_id: str) -> list[str]:
    return sorted(item["path"] for item in apigw.get_resources(restApiId=api_id)["items"])


def replace(path: str, value: str) -> list[dict[str, str]]:
    return [{"op": "replace", "path": path, "value": value}]


# --- update ---------------------------------------------------------------------------------------------------

def test_update_path_part_renames_the_resource_and_its_children_follow(apigw, api):
    """test_resource_lifecycle "update-path-part", "get-resp-after-update-path-part"."""
    api_id, root = api
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="subpets")
    expected = {"id": pets, "parentId": root, "path": "/dogs", "pathPart": "dogs"}
    assert shown(apigw.update_resource(restApiId=api_id, resourceId=pets,
                                       patchOperations=replace("/pathPart", "dogs"))) == expected
    assert shown(apigw.get_resource(restApiId=api_id, resourceId=pets)) == expected
    assert _paths(apigw, api_id) == ["/", "/dogs", "/dogs/subpets"]


def test_update_resource_behaviour(apigw, api):
    """test_update_resource_behaviour: every key, in the recorded order."""
    api_id, root = api
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]

    def update(resource_id: str, operations: list[dict[str, str]]) -> tuple[int, str, str]:
        return refused(apigw.update_resource, restApiId=api_id, resourceId=resource_id, patchOperations=operations)

    assert update("fake-resource", replace("/pathPart", "dogs")) == UNKNOWN  # "nonexistent-resource"
    assert update(pets, replace("/invalid", "dogs")) == (400, "BadRequestException", (
        "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]"))
    assert update(pets, replace("/parentId", "fake-parent-id")) == UNKNOWN  # "invalid-parent-id"
    subpets = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="subpets")["id"]
    child = apigw.create_resource(restApiId=api_id, parentId=subpets, pathPart="pets")
    assert child["path"] == "/pets/subpets/pets"  # "create-subresource-child"
    same_name = (409, "ConflictException", "Another resource with the same parent already has this name: pets")
    assert update(child["id"], replace("/parentId", root)) == same_name  # "existing-future-sibling-path"
    apigw.delete_resource(restApiId=api_id, resourceId=child["id"])
    assert update(pets, replace("/parentId", subpets)) == (
        400, "BadRequestException", "Resources cannot be cyclical.")  # "update-parent-id-to-subresource-id"
    moved = apigw.update_resource(restApiId=api_id, resourceId=subpets, patchOperations=replace("/parentId", root))
    assert shown(moved) == {"id": subpets, "parentId": root, "path": "/subpets", "pathPart": "subpets"}
    assert update(subpets, replace("/pathPart", "pets")) == same_name  # "update-path-already-exists"
    apigw.delete_resource(restApiId=api_id, resourceId=pets)
    assert _paths(apigw, api_id) == ["/", "/subpets"]  # "resources-after-deletion": the moved child stays
    for op in ("remove", "add"):  # "remove-unsupported", "add-unsupported"
        operation = {"op": op, "path": "/pathPart", **({"value": "added-pets"} if op == "add" else {})}
        assert update(subpets, [operation]) == (400, "BadRequestException", (
            f"Invalid patch path  '/pathPart' specified for op '{op}'. Please choose supported operations"))


def test_a_new_path_part_follows_the_create_rule(apigw, api):
    """A pathPart UpdateResource sets must be one CreateResource accepts (no recording: moto's wording), so the
    resource stays routable."""
    api_id, root = api
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    status, code, _ = refused(apigw.update_resource, restApiId=api_id, resourceId=pets,
                              patchOperations=replace("/pathPart", "my pets"))
    assert (status, code) == (400, "BadRequestException")
    assert _paths(apigw, api_id) == ["/", "/pets"]


def test_the_root_resource_keeps_its_path_part_and_parent(apigw, api):
    """test_update_resource_on_root "update-root-path-part", "update-root-parent"."""
    api_id, root = api
    assert refused(apigw.update_resource, restApiId=api_id, resourceId=root,
                   patchOperations=replace("/pathPart", "dogs")) == (
        400, "BadRequestException", "Root resource cannot update its pathPart.")
    assert refused(apigw.update_resource, restApiId=api_id, resourceId=root,
                   patchOperations=replace("/parentId", root)) == (
        400, "BadRequestException", "Root resource cannot update its parentId.")


# --- create and delete ----------------------------------------------------------------------------------------

def test_a_greedy_resource_has_no_child_and_no_variable_sibling(apigw, api):
    """test_create_proxy_resource_validation: "create-proxy-dynamic-sibling-resource",
    "create-proxy-static-child-resource", "create-proxy-dynamic-child-resource", "create-greedy-child-resource"."""
    api_id, root = api
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    assert proxy["path"] == "/{proxy+}" and proxy["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert refused(apigw.create_resource, restApiId=api_id, parentId=root, pathPart="{dynamic}") == (
        400, "BadRequestException",
        "A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed")
    for path_part in ("child", "{child}"):
        assert refused(apigw.create_resource, restApiId=api_id, parentId=proxy["id"], pathPart=path_part) == (
            400, "BadRequestException", "Cannot create a child of a resource with a greedy path variable: {proxy+}")
    parent = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="parent")["id"]
    greedy = apigw.create_resource(restApiId=api_id, parentId=parent, pathPart="{child+}")
    assert shown(greedy) == {"id": greedy["id"], "parentId": parent, "path": "/parent/{child+}", "pathPart": "{child+}"}
    assert _paths(apigw, api_id) == ["/", "/parent", "/parent/{child+}", "/{proxy+}"]


def test_static_siblings_of_a_proxy_are_allowed_and_a_variable_one_after_it_is_gone(apigw, api):
    """test_create_proxy_resource "all-resources", "create-proxy-sibling-dynamic-child-resource",
    "create-dynamic-child-proxy-resource"."""
    api_id, root = api

    def create(parent: str, path_part: str) -> str:
        return apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=path_part)["id"]

    create(root, "{proxy+}")
    parent = create(root, "parent")
    proxy_child = create(parent, "{proxy+}")
    create(create(parent, "child"), "{proxy+}")
    apigw.delete_resource(restApiId=api_id, resourceId=proxy_child)
    create(create(parent, "{child}"), "{proxy+}")
    assert _paths(apigw, api_id) == ["/", "/parent", "/parent/child", "/parent/child/{proxy+}", "/parent/{child}",
                                     "/parent/{child}/{proxy+}", "/{proxy+}"]  # "all-resources-2"


def test_create_under_an_unknown_parent_is_refused(apigw, api):
    """test_create_resource_parent_invalid "wrong-resource-parent-id"."""
    api_id, _ = api
    assert refused(apigw.create_resource, restApiId=api_id, parentId="fake-resource-id", pathPart="subpets") == UNKNOWN
    assert _paths(apigw, api_id) == ["/"]


def test_delete_answers_202_and_takes_the_children(apigw, api):
    """test_delete_resource "delete-resource" (202, no body), "get-resources", "delete-subresource"."""
    api_id, root = api
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    subpets = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="subpets")["id"]
    deleted = apigw.delete_resource(restApiId=api_id, resourceId=pets)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202 and shown(deleted) == {}
    assert [shown(item) for item in apigw.get_resources(restApiId=api_id)["items"]] == [{"id": root, "path": "/"}]
    assert refused(apigw.delete_resource, restApiId=api_id, resourceId=subpets) == UNKNOWN
