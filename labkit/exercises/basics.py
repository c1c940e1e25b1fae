"""Self-checks for the exercises of 00_start_here and 01_rest_api_basics.

Each check takes the learner's answer (and the lab when it must call the API), prints
"✅ ..." when it is right or "❌ Not yet: <hint>" when it is wrong or still None, and returns
True or False (see `labkit.exercises.checks`). A wrong answer never raises: the stored notebooks run
with the exercises blank, showing the hint. This module serves two notebooks, so its `hint` and
`solution` name the notebook: `exercises.hint("01", 2)` (labkit/exercises/solutions/).
"""

from __future__ import annotations

import json
from typing import Any

from .checks import is_api_id, not_yet, ok, stage_get
from .reveal import Hints, hint, solution

__all__ = [
    "check_goodbye",
    "check_wrong_method",
    "check_integration_statuses",
    "check_qa_stage",
    "check_promoted",
    "HINTS_START_HERE",
    "HINTS_REST_API_BASICS",
    "hint",
    "solution",
]

# Help on demand for both notebooks: exercises.hint("00", N) (again for the next hint), exercises.solution("01", N).
HINTS_START_HERE = Hints("00_start_here", solution_call='exercises.solution("00", {exercise})')
HINTS_REST_API_BASICS = Hints("01_rest_api_basics", solution_call='exercises.solution("01", {exercise})')

# --- 00_start_here ----------------------------------------------------------------------------------

def check_goodbye(lab: Any, api_id: Any) -> bool:
    """00, exercise 1: GET /goodbye on stage `dev` answers 200 with {"message": "Goodbye"}."""
    if not is_api_id(api_id):
        return not_yet("pass the id of your API (a string such as api.id).")
    try:
        status, document, text = stage_get(lab, api_id, "dev", "/goodbye")
    except Exception as err:  # noqa: BLE001 - a failed call is a hint, not a crash
        return not_yet(f"calling GET /goodbye on stage dev failed ({type(err).__name__}: {err}).")
    if status == 403 and isinstance(document, dict) and document.get("message") == "Missing Authentication Token":
        return not_yet("GET /goodbye answers 403 Missing Authentication Token, so stage dev has no such method. "
                       "Add the /goodbye resource and a GET method with a MOCK integration, then deploy to dev "
                       "(nothing is live until it is deployed).")
    if status != 200:
        return not_yet(f"GET /goodbye answered {status}, expected 200. Does the MOCK integration's request "
                       "template say {\"statusCode\": 200}?")
    if document != {"message": "Goodbye"}:
        return not_yet(f"GET /goodbye answered {text!r}; the body should be the JSON {{\"message\": \"Goodbye\"}}. "
                       "Set it in the integration response's template (mock(body=...)).")
    return ok("GET /goodbye on dev answers 200 {\"message\": \"Goodbye\"}.")


def check_wrong_method(status: Any, error_type: Any) -> bool:
    """00, exercise 2: a method the resource does not have gives 403 MissingAuthenticationTokenException."""
    if status is None or error_type is None:
        return not_yet("call the API with a method /hello does not have (requests.post(...)) and fill in "
                       "its status code and its x-amzn-ErrorType header.")
    try:
        status_number = int(status)
    except (TypeError, ValueError):
        return not_yet(f"the status should be a number such as 200, got {status!r}.")
    if status_number in (404, 405):
        return not_yet(f"{status_number} is what many web servers answer, but REST APIs in API Gateway answer "
                       "an unknown path or method differently. Look at response.status_code.")
    if status_number != 403:
        return not_yet(f"{status_number} is not what API Gateway answers here. Look at response.status_code.")
    if str(error_type).strip() != "MissingAuthenticationTokenException":
        return not_yet(f"the status is right; the error type is not {error_type!r}. "
                       "Read response.headers['x-amzn-ErrorType'].")
    return ok("403 with x-amzn-ErrorType MissingAuthenticationTokenException: a method that does not exist "
              "is answered like a request without credentials.")


# --- 01_rest_api_basics -----------------------------------------------------------------------------

def check_integration_statuses(http_status: Any, http_proxy_status: Any) -> bool:
    """01, exercise 1: GET /pets/9 (unknown pet) is 200 through HTTP, 404 through HTTP_PROXY."""
    if http_status is None or http_proxy_status is None:
        return not_yet("call GET /pets/9 (HTTP integration) and GET /store/pets/9 (HTTP_PROXY) and fill in "
                       "both status codes.")
    try:
        http_status, http_proxy_status = int(http_status), int(http_proxy_status)
    except (TypeError, ValueError):
        return not_yet("both answers should be status codes (numbers).")
    if http_proxy_status != 404:
        return not_yet(f"through HTTP_PROXY the client sees {http_proxy_status}? A proxy integration passes the "
                       "backend's status through unchanged; what did the backend answer for pet 9?")
    if http_status != 200:
        return not_yet(f"through the HTTP (non-proxy) integration the client sees {http_status}? Its only "
                       "integration response is the default one, and the default one answers 200 for every "
                       "backend status.")
    return ok("HTTP maps every backend status to its default 200 integration response unless a "
              "selectionPattern matches; HTTP_PROXY passes the 404 through.")


def check_qa_stage(lab: Any, api_id: Any) -> bool:
    """01, exercise 2: stage `qa` exists, has stage variable fn=greeter-dev, and answers from that function."""
    if not is_api_id(api_id):
        return not_yet("pass the id of the stage-variables API (greet_api.id).")
    client = lab.client("apigateway")
    try:
        stage = client.get_stage(restApiId=api_id, stageName="qa")
    except Exception:  # noqa: BLE001 - NotFoundException and friends
        return not_yet("there is no stage qa yet. Create it with create_stage(restApiId=..., stageName='qa', "
                       "deploymentId=..., variables={...}).")
    variables = stage.get("variables") or {}
    if variables.get("fn") != "greeter-dev":
        return not_yet(f"stage qa has variables {variables}; it needs fn = 'greeter-dev' so that "
                       "${stageVariables.fn} names the dev function.")
    try:
        status, document, text = stage_get(lab, api_id, "qa", "/greet")
    except Exception as err:  # noqa: BLE001
        return not_yet(f"calling GET /greet on stage qa failed ({type(err).__name__}: {err}).")
    if status != 200 or not isinstance(document, dict) or document.get("function") != "greeter-dev":
        return not_yet(f"GET /greet on qa answered {status} {text[:120]!r}. Is qa's deploymentId a deployment "
                       "that has the /greet method?")
    return ok("stage qa answers from greeter-dev: one deployment, and the stage variable chose the function.")


def check_promoted(lab: Any, api_id: Any) -> bool:
    """01, exercise 3: `prod` points at the deployment `dev` uses (moved there, not deployed again)."""
    if not is_api_id(api_id):
        return not_yet("pass the id of the API whose prod stage you promoted (release_api.id).")
    client = lab.client("apigateway")
    try:
        dev = client.get_stage(restApiId=api_id, stageName="dev")
        prod = client.get_stage(restApiId=api_id, stageName="prod")
    except Exception as err:  # noqa: BLE001 - NotFoundException and friends
        return not_yet(f"this API needs the stages dev and prod ({type(err).__name__}).")
    if prod.get("deploymentId") != dev.get("deploymentId"):
        return not_yet("prod still points at another deployment than dev. Move it with update_stage and "
                       "patchOperations=[{'op': 'replace', 'path': '/deploymentId', 'value': <dev's deploymentId>}]; "
                       "no new deployment is needed.")
    try:
        status, document, text = stage_get(lab, api_id, "prod", "/hello")
    except Exception as err:  # noqa: BLE001
        return not_yet(f"calling GET /hello on prod failed ({type(err).__name__}: {err}).")
    if status != 200:
        return not_yet(f"prod and dev share a deployment, but GET /hello on prod answers {status} {text[:80]!r}. "
                       "Was dev rolled back to the working deployment first?")
    return ok(f"prod now serves dev's deployment: GET /hello on prod answers 200 {json.dumps(document)}.")
