"""The control plane as AWS answers it, one module per kind of resource (issue 15).

Each module has `OPERATIONS` (operations moto lacks, added to its response class), `URL_PATTERNS`
(paths moto's URL table lacks, where it has any), `wraps()` (moto functions it replaces) and `relied_on()` (moto
attributes it calls); `install()` and the patch-target check (`targets.py`) read them all from `MODULES`.
"""

from __future__ import annotations

from . import (
    api_models,
    authorizers,
    deployments,
    documentation,
    domains,
    exports,
    gateway_responses,
    imports,
    integrations,
    keys_plans,
    methods,
    misc_operations,
    resources,
    rest_apis,
    vpc_links,
)

MODULES = (rest_apis, resources, methods, integrations, api_models, authorizers, gateway_responses, deployments,
           keys_plans, domains, documentation, misc_operations, vpc_links, imports, exports)
