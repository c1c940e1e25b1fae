"""Self-checks for the exercises of 02_integrations.

Each check prints ✅ or a ❌ hint and returns True or False, never raises (see
`labkit.exercises.checks`). `hint(N)` and `solution(N)` reveal help for exercise N
(labkit/exercises/solutions/02_integrations.md).
"""

from __future__ import annotations

import json
from typing import Any

from ..gateway.templates import render
from .checks import REQUEST_TIMEOUT_S, not_yet, ok
from .reveal import Hints

__all__ = ["CHOICES", "check_greeting_template", "check_integration_choices", "check_feedback_queue",
           "HINTS", "hint", "solution"]

# Help on demand: exercises.hint(N) (call again for the next hint) and exercises.solution(N).
HINTS = Hints("02_integrations")
hint = HINTS.hint
solution = HINTS.solution

# Exercise 1: {"first": ..., "last": ...} and ?lang= become {"fullName": "first last", "lang": ...}.
SAMPLES = ({"first": "Ada", "last": "Lovelace"}, "fr"), ({"first": 'Grace "Amazing"', "last": "Hopper"}, "en")

# Exercise 2: which integration type fits each need.
CHOICES = {
    "queue_orders": ("AWS", "putting a message on a queue needs no code: an AWS service integration (SQS)."),
    "legacy_http_unchanged": ("HTTP_PROXY", "an HTTP backend that should see requests as they are: HTTP_PROXY."),
    "stub_while_backend_written": ("MOCK", "API Gateway can answer by itself while the backend does not "
                                           "exist: MOCK."),
    "python_logic_full_request": ("AWS_PROXY", "code that needs the whole request (headers, path, query): a "
                                               "Lambda proxy integration, AWS_PROXY."),
    "rename_fields_for_old_backend": ("HTTP", "reshaping a request for an HTTP backend needs mapping "
                                              "templates: HTTP (non-proxy)."),
}
TYPES = ("MOCK", "HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY")


def check_greeting_template(template: Any) -> bool:
    """A request template that maps {"first": "Ada", "last": "Lovelace"} with ?lang=fr to
    {"fullName": "Ada Lovelace", "lang": "fr"}, and stays valid JSON when a name holds a quote."""
    if not isinstance(template, str) or not template.strip():
        return not_yet("write the template as a string, e.g. '{\"fullName\": \"...\", \"lang\": \"...\"}' "
                       "using $input.path('$.first') and $input.params('lang').")
    for body, lang in SAMPLES:
        try:
            out = render(template, body=json.dumps(body), params={"path": {}, "querystring": {"lang": lang},
                                                                  "header": {}},
                         context={}, stage_variables={})
        except Exception as err:  # noqa: BLE001 - a broken template is a hint, not a crash
            return not_yet(f"the template does not render ({type(err).__name__}: {err}).")
        try:
            document = json.loads(out)
        except ValueError:
            if '"' in body["first"]:
                return not_yet(f"with the name {body['first']!r} the result is not JSON: {out!r}. Wrap the "
                               "values in $util.escapeJavaScript(...) so quotes are escaped.")
            return not_yet(f"the result is not JSON: {out!r}. Check the quotes around each value.")
        want = {"fullName": f"{body['first']} {body['last']}", "lang": lang}
        if document != want:
            return not_yet(f"for {json.dumps(body)} and ?lang={lang} the template gives {document!r}, not "
                           f"{want!r}.")
    return ok("both samples map right, the one with quotes in the name too.")


def check_integration_choices(answers: Any) -> bool:
    """`answers` maps each key of CHOICES to an integration type (MOCK, HTTP, HTTP_PROXY, AWS, AWS_PROXY)."""
    if not isinstance(answers, dict) or any(not answers.get(k) for k in CHOICES):
        return not_yet(f"fill in an integration type for each of {', '.join(CHOICES)}.")
    for key, (want, why) in CHOICES.items():
        given = str(answers[key]).strip().upper()
        if given not in TYPES:
            return not_yet(f"{key}: {answers[key]!r} is not an integration type; use one of {', '.join(TYPES)}.")
        if given != want:
            return not_yet(f"{key} is not {given}. Think again: {why.split(':')[0]}.")
    return ok("all five right. " + " ".join(f"{k}: {v[0]}." for k, v in CHOICES.items()))


def check_feedback_queue(lab: Any, api_id: Any, stage: str = "dev", queue: str = "feedback") -> bool:
    """POST /feedback with a JSON body answers 200 and the body lands, unchanged, in SQS queue `feedback`."""
    import requests

    if not isinstance(api_id, str) or not api_id:
        return not_yet("pass the id of the API that has POST /feedback (store_api.id).")
    sqs = lab.client("sqs")
    try:
        queue_url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    except Exception:  # noqa: BLE001
        return not_yet(f"there is no queue named {queue!r}: create it with sqs.create_queue(QueueName='{queue}').")
    note = {"text": "great workshop", "stars": 5}
    try:
        r = requests.post(lab.stage_url(api_id, stage) + "/feedback", json=note, timeout=REQUEST_TIMEOUT_S)
    except Exception as err:  # noqa: BLE001
        return not_yet(f"POST /feedback failed ({type(err).__name__}: {err}).")
    if r.status_code == 403:
        return not_yet("POST /feedback answers 403: add the resource and method, then deploy to dev.")
    if r.status_code != 200:
        return not_yet(f"POST /feedback answered {r.status_code}: {r.text[:160]}")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    bodies = []
    for message in messages:
        try:
            bodies.append(json.loads(message["Body"]))
        except ValueError:
            bodies.append(message["Body"])
    if note not in bodies:
        if not messages:
            return not_yet("the API answered 200 but no message reached the queue: does the URI name "
                           f"sqs:path/<account>/{queue}?")
        return not_yet(f"a message arrived, but its body is {bodies[0]!r}, not the JSON sent: use "
                       "MessageBody=$util.urlEncode($input.body) with the form-encoded Content-Type.")
    return ok(f"the feedback reached queue {queue!r} unchanged, without a line of function code.")
