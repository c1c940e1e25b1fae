"""Hints and solutions on demand (issue 17): every exercise of every notebook has at least two hints and a
solution; hints come one more per call; a solution never shows the trainer notes; bad arguments name the
allowed values; and the solutions shown pass their checks."""

from __future__ import annotations

import copy
import importlib
import re
from pathlib import Path

import nbformat
import pytest

import labkit.exercises
from labkit.exercises import reveal
from labkit.exercises import throttling
from labkit.sim import ExponentialBackoff

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
HEADING = re.compile(r"^### Exercise (\d+): (.+)$", re.M)
IMPORT = re.compile(r"^from labkit\.exercises import (\w+) as exercises$", re.M)
STUCK_CALLS = re.compile(r"Stuck\?.*?`(exercises\.hint\([^`]*\))`.*?`(exercises\.solution\([^`]*\))`")
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def notebook_exercises(stem: str) -> list[tuple[int, str, str]]:
    """(number, title, markdown cell source) of each `### Exercise` heading in the stored notebook."""
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    found = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            found += [(int(n), title.strip(), cell.source) for n, title in HEADING.findall(cell.source)]
    return found


def exercise_module(stem: str):
    """The module the notebook imports as `exercises`."""
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    (name,) = {m for cell in notebook.cells if cell.cell_type == "code" for m in IMPORT.findall(cell.source)}
    return importlib.import_module(f"labkit.exercises.{name}")


@pytest.fixture
def fresh_owners():
    """The exercise modules' Hints start at the first hint, and are left that way."""
    for stem in reveal.notebooks():
        reveal.owner(stem).close()
    yield
    for stem in reveal.notebooks():
        reveal.owner(stem).close()


# --- content ----------------------------------------------------------------------------------------------

def test_every_notebook_with_exercises_has_a_file_and_an_owner():
    with_exercises = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if notebook_exercises(p.stem))
    assert list(reveal.notebooks()) == with_exercises
    assert sorted(reveal.OWNERS) == with_exercises


@pytest.mark.parametrize("stem", reveal.notebooks())
def test_every_exercise_has_two_hints_a_solution_and_trainer_notes(stem):
    in_notebook = notebook_exercises(stem)
    exercises = reveal.read_exercises(stem)
    assert [(e.number, e.title) for e in exercises] == [(n, title) for n, title, _ in in_notebook]
    for exercise in exercises:
        assert len(exercise.hints) >= 2 and all(len(h) > 40 for h in exercise.hints), exercise.number
        assert PYTHON_BLOCK.search(exercise.solution), f"exercise {exercise.number}: the solution shows code"
        assert exercise.trainer_notes


@pytest.mark.parametrize("stem", reveal.notebooks())
def test_the_owner_is_the_module_the_notebook_imports(stem):
    assert reveal.owner(stem) is getattr(exercise_module(stem), reveal.OWNERS[stem][1])
    assert reveal.owner(stem).notebook == stem


@pytest.mark.parametrize("stem", reveal.notebooks())
def test_each_exercise_cell_says_how_to_get_help_and_the_calls_work(stem, capsys, fresh_owners):
    namespace = {"exercises": exercise_module(stem)}
    for number, title, source in notebook_exercises(stem):
        calls = STUCK_CALLS.search(source)
        assert calls, f"exercise {number} of {stem} has no 'Stuck?' line"
        for call in calls.groups():
            eval(call, namespace)  # noqa: S307 - the notebook's own text, as a learner would run it
            assert f"Exercise {number}: {title}" in capsys.readouterr().out, call


# --- solution() never shows trainer notes ----------------------------------------------------------------

@pytest.mark.parametrize("stem", reveal.notebooks())
def test_a_solution_shows_the_code_and_no_trainer_notes(stem, capsys):
    for exercise in reveal.read_exercises(stem):
        labkit.exercises.solution(stem, exercise.number)
        out = capsys.readouterr().out
        assert exercise.solution in out
        assert exercise.trainer_notes not in out
        assert "Trainer notes" not in out and "Talking point" not in out and "usual" not in out.lower()


def test_parse_keeps_the_three_parts_apart_and_ignores_headings_in_code():
    text = ("# x\n\nintro\n\n## Exercise 1: one\n\n### Hints\n\n1. first nudge,\n   on two lines\n2. second\n\n"
            "### Solution\n\n```python\n## Exercise 9: not a heading\n### Trainer notes\nx = 1\n```\n\nwhy\n\n"
            "### Trainer notes\n\nsecret talking point\n")
    (exercise,) = reveal.parse(text)
    assert exercise.hints == ("first nudge, on two lines", "second")
    assert "x = 1" in exercise.solution and "why" in exercise.solution
    assert "secret" not in exercise.solution and exercise.trainer_notes == "secret talking point"


@pytest.mark.parametrize("broken, words", [
    ("## Exercise 1: a\n\n### Hints\n\n1. h\n\n### Solution\n\ns\n", "Trainer notes"),
    ("## Exercise 1: a\n\n### Hints\n\n1. h\n\n### Answer\n\ns\n", "'Answer'"),
    ("## Exercise 2: a\n\n### Hints\n\n1. h\n\n### Solution\n\ns\n\n### Trainer notes\n\nt\n", "numbered"),
])
def test_a_malformed_file_is_refused_with_what_is_wrong(broken, words):
    with pytest.raises(ValueError, match=words):
        reveal.parse(broken, source="x.md")


# --- progressive hints -----------------------------------------------------------------------------------

def test_hints_come_one_more_per_call_up_to_the_last():
    hints = reveal.Hints("05")
    first, second = reveal.read_exercises("05")[1].hints[:2]
    one = hints.next_hints(2)
    assert first in one and second not in one and "again" in one
    two = hints.next_hints(2)
    assert first in two and second in two and "`exercises.solution(2)`" in two
    assert hints.next_hints(2) == two  # after the last hint, the same hints again
    assert second not in hints.next_hints(1)  # each exercise counts on its own


def test_close_starts_the_hints_again_and_owners_do_not_share_counts():
    hints, other = reveal.Hints("05"), reveal.Hints("05")
    hints.next_hints(1)
    hints.next_hints(1)
    second = reveal.read_exercises("05")[0].hints[1]
    assert second not in other.next_hints(1)
    hints.close()
    assert second not in hints.next_hints(1)


def test_the_module_shortcut_and_the_package_function_share_one_count(capsys, fresh_owners):
    second = reveal.read_exercises("05")[0].hints[1]
    throttling.hint(1)
    assert second not in capsys.readouterr().out
    labkit.exercises.hint("05_throttling_and_usage_plans", 1)
    assert second in capsys.readouterr().out


def test_basics_serves_two_notebooks_by_name(capsys, fresh_owners):
    from labkit.exercises import basics

    basics.hint("01", 3)
    assert "Exercise 3: promote without redeploying" in capsys.readouterr().out
    basics.solution("00", 1)
    assert "Exercise 1: say goodbye" in capsys.readouterr().out


def test_in_jupyter_the_text_is_rendered_as_markdown(monkeypatch, capsys):
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: type("Kernel", (), {"kernel": object()})())
    monkeypatch.setattr(IPython.display, "display", shown.append)
    reveal.Hints("06").solution(1)
    assert isinstance(shown[0], IPython.display.Markdown) and "calls = 3" in shown[0].data
    assert capsys.readouterr().out == ""


# --- bad arguments ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("notebook", ["05", 5, "05_throttling_and_usage_plans", "05_throttling_and_usage_plans.ipynb"])
def test_a_notebook_by_number_or_name(notebook):
    assert reveal.notebook_name(notebook) == "05_throttling_and_usage_plans"


@pytest.mark.parametrize("notebook", ["99", "5x", None, 5.0, True, "throttling"])
def test_an_unknown_notebook_names_the_allowed_ones(notebook):
    with pytest.raises(ValueError, match=r"notebook must be one of '00', '01', .*'10'.*got"):
        labkit.exercises.hint(notebook, 1)


@pytest.mark.parametrize("exercise", [0, 4, -1, "1", 1.0, True, None])
def test_an_exercise_out_of_range_names_the_allowed_ones(exercise):
    with pytest.raises(ValueError, match=r"exercise must be a whole number from 1 to 3 \(05_throttling"):
        throttling.hint(exercise)
    with pytest.raises(ValueError, match="from 1 to 3"):
        labkit.exercises.solution("05", exercise)


def test_a_notebook_with_two_exercises_says_so():
    with pytest.raises(ValueError, match="from 1 to 2"):
        labkit.exercises.solution("00", 3)


# --- the solutions shown pass their checks ---------------------------------------------------------------

# Exercises whose solution's first code block runs on its own (the others build on the notebook's API).
SELF_CONTAINED = [("02", 1), ("02", 2), ("03", 3), ("04", 1), ("05", 1), ("05", 3), ("06", 1), ("06", 3), ("07", 1), ("07", 3),
                  ("08", 1), ("10", 1), ("10", 2), ("10", 3)]


@pytest.mark.parametrize("notebook, number", SELF_CONTAINED, ids=[f"{n}-{e}" for n, e in SELF_CONTAINED])
def test_a_solution_passes_its_check(notebook, number, lab, capsys):
    stem = reveal.notebook_name(notebook)
    code = PYTHON_BLOCK.search(reveal.read_exercises(stem)[number - 1].solution).group(1)
    namespace = {"exercises": exercise_module(stem), "lab": lab, "copy": copy,
                 "ExponentialBackoff": ExponentialBackoff}
    exec(code, namespace)  # noqa: S102 - the solution as a learner would paste it
    assert namespace["passed"] is True, capsys.readouterr().out
