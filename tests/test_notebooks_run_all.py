"""After Run All, a lab notebook's widget still answers: the notebook's last cell closes the lab the
widget was given, and moving a control afterwards must draw a new chart with no error (issue 17).

Each lab notebook is executed top to bottom in one kernel; then, in that kernel, one control of the
widget the notebook displayed is changed through the widget's own observer, as a learner's click would.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

# notebook -> (widget class, the statement a learner's click stands for)
LABS = {
    "05_throttling_and_usage_plans": ("ThrottlingLab", "view.rate.value = view.rate.value + 25"),
    "06_caching": ("CacheLab", "view.ttl.value = view.ttl.value + 30"),
    "07_errors_and_limits": ("ErrorLab", "view.case.value = [k for _, k in view.case.options if k != view.case.value][0]"),
    "08_security": ("AuthLab", "view.caller.value = [k for _, k in view.caller.options if k != view.caller.value][0]"),
}

PROBE = """
from labkit.widgets.base import LAB_CLOSED_NOTE
views = [v for v in Out.values() if type(v).__name__ == {cls!r}]
assert views, "the notebook displayed no {cls}"
view = views[-1]
assert lab.closed, "the notebook's last cell should have closed its lab"
before = view.outcome
{click}
assert view.outcome is not before, "the widget did not re-run"
assert view.summary.value.startswith(LAB_CLOSED_NOTE), view.summary.value
picture = getattr(view, "image", None)
assert picture is None or picture.value == view.outcome.svg and picture.value != before.svg
print("ok", view.summary.value[:80])
"""


@pytest.mark.parametrize("name", sorted(LABS))
def test_a_lab_widget_answers_after_run_all(name):
    path = NOTEBOOKS / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cls, click = LABS[name]
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE.format(cls=cls, click=click)))
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(str(error)[-3000:])
    outputs = notebook.cells[-1].outputs
    assert any("ok" in (out.get("text") or "") for out in outputs), outputs
