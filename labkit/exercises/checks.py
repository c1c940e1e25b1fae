"""What every exercise check shares: the ✅ / ❌ printout and a GET through a lab's stage.

Each check takes the learner's answer (and the lab when it must call the API), prints
"✅ ..." when it is right or "❌ Not yet: <hint>" when it is wrong or still None, and returns
True or False. A wrong answer never raises: the stored notebooks run with the exercises blank,
showing the hint. Hints and solutions on demand: `labkit.exercises.reveal`.
"""

from __future__ import annotations

from typing import Any

import requests

REQUEST_TIMEOUT_S = 15


def ok(message: str) -> bool:
    """Print a right answer's ✅ line; True."""
    print(f"✅ {message}")
    return True


def not_yet(hint: str) -> bool:
    """Print a hint for a wrong or blank answer; False."""
    print(f"❌ Not yet: {hint}")
    return False


def stage_get(lab: Any, api_id: str, stage: str, path: str) -> tuple[int, Any, str]:
    """GET a path of a deployed stage through the lab; (status, JSON body or None, text)."""
    response = requests.get(lab.stage_url(api_id, stage) + path, timeout=REQUEST_TIMEOUT_S)
    try:
        document = response.json()
    except ValueError:
        document = None
    return response.status_code, document, response.text


def is_api_id(api_id: Any) -> bool:
    """The answer looks like an API id (a non-empty string)."""
    return isinstance(api_id, str) and bool(api_id)
