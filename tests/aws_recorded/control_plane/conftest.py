"""Fixtures the control-plane recording tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(lab):
    """(client, api id, root resource id) of a fresh REST API, as the recordings start."""
    client = lab.client("apigateway")
    api_id = client.create_rest_api(name="recorded")["id"]
    root_id = client.get_resources(restApiId=api_id)["items"][0]["id"]
    return client, api_id, root_id
