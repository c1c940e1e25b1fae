"""Hints and solutions on demand, so a learner working alone is never stuck for long.

Each notebook's exercises have a Markdown file in `labkit/exercises/solutions/` (package data). Under
each `## Exercise N: title` heading it has three parts: `### Hints` (a numbered list: a nudge, then a
pointer to the exact call, field or number), `### Solution` (the code and why it works) and
`### Trainer notes` (talking points and the usual mistakes), which nothing here ever shows.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from importlib import resources

__all__ = ["Exercise", "Hints", "hint", "solution", "notebooks", "notebook_name", "read_exercises", "parse", "owner",
           "show"]

SOLUTIONS_DIR = "solutions"
PARTS = ("Hints", "Solution", "Trainer notes")

# The exercise module each notebook imports as `exercises`, and the name of the Hints it holds.
OWNERS = {
    "00_start_here": ("basics", "HINTS_START_HERE"),
    "01_rest_api_basics": ("basics", "HINTS_REST_API_BASICS"),
    "02_integrations": ("integrations", "HINTS"),
    "03_stages_canaries_and_versioning": ("canary", "HINTS"),
    "04_endpoint_types": ("endpoints", "HINTS"),
    "05_throttling_and_usage_plans": ("throttling", "HINTS"),
    "06_caching": ("caching", "HINTS"),
    "07_errors_and_limits": ("errors", "HINTS"),
    "08_security": ("security", "HINTS"),
    "09_logging_monitoring_tracing": ("observability", "HINTS"),
    "10_design_studio": ("design", "HINTS"),
}

EXERCISE_HEADING = re.compile(r"^## Exercise (\d+): (.+)$")
PART_HEADING = re.compile(r"^### (.+?)\s*$")
LIST_ITEM = re.compile(r"^\d+\.\s+")


@dataclass(frozen=True)
class Exercise:
    """One exercise's hints (in the order to show them), solution and trainer notes, as Markdown."""

    number: int
    title: str
    hints: tuple[str, ...]
    solution: str
    trainer_notes: str


def notebooks() -> tuple[str, ...]:
    """The names of the notebooks that have exercises, e.g. '05_throttling_and_usage_plans'."""
    folder = resources.files(__package__) / SOLUTIONS_DIR
    return tuple(sorted(entry.name[:-3] for entry in folder.iterdir() if entry.name.endswith(".md")))


def notebook_name(notebook: str | int) -> str:
    """The full name of a notebook given as '05', 5 or '05_throttling_and_usage_plans'."""
    names = notebooks()
    if isinstance(notebook, int) and not isinstance(notebook, bool):
        key = f"{notebook:02d}"
    elif isinstance(notebook, str):
        key = notebook.strip().removesuffix(".ipynb")
    else:
        key = None
    for name in names:
        if key in (name, name[:2]):
            return name
    raise ValueError(f"notebook must be one of {', '.join(repr(n[:2]) for n in names)} (or a full name such as "
                     f"{names[0]!r}), got {notebook!r}")


def read_exercises(notebook: str | int) -> tuple[Exercise, ...]:
    """A notebook's exercises, read from its file in labkit/exercises/solutions/."""
    name = notebook_name(notebook)
    text = (resources.files(__package__) / SOLUTIONS_DIR / f"{name}.md").read_text(encoding="utf-8")
    return parse(text, source=f"{name}.md")


def parse(text: str, source: str = "<text>") -> tuple[Exercise, ...]:
    """Split a solutions file into exercises and each exercise into its three parts."""
    sections: list[tuple[int, str, dict[str, list[str]]]] = []
    part: list[str] | None = None
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        heading = None if in_code else EXERCISE_HEADING.match(line)
        sub = None if in_code or heading else PART_HEADING.match(line)
        if heading:
            sections.append((int(heading.group(1)), heading.group(2).strip(), {}))
            part = None
        elif sub and sections:
            if sub.group(1) not in PARTS:
                raise ValueError(f"{source}: exercise {sections[-1][0]} has a part {sub.group(1)!r}; "
                                 f"the parts are {', '.join(PARTS)}")
            part = sections[-1][2].setdefault(sub.group(1), [])
        elif part is not None:
            part.append(line)
    exercises = tuple(_exercise(number, title, parts, source) for number, title, parts in sections)
    if [e.number for e in exercises] != list(range(1, len(exercises) + 1)):
        raise ValueError(f"{source}: exercises should be numbered 1, 2, ... in order")
    return exercises


def _exercise(number: int, title: str, parts: dict[str, list[str]], source: str) -> Exercise:
    missing = [p for p in PARTS if not "\n".join(parts.get(p, [])).strip()]
    if missing:
        raise ValueError(f"{source}: exercise {number} has no {', '.join(missing)}")
    return Exercise(number, title, _list_items(parts["Hints"]), "\n".join(parts["Solution"]).strip(),
                    "\n".join(parts["Trainer notes"]).strip())


def _list_items(lines: list[str]) -> tuple[str, ...]:
    items: list[list[str]] = []
    for line in lines:
        if LIST_ITEM.match(line):
            items.append([LIST_ITEM.sub("", line)])
        elif items and line.strip():
            items[-1].append(line.strip())
    return tuple(" ".join(item) for item in items)


def show(markdown: str) -> None:
    """Render Markdown in a Jupyter kernel; print it anywhere else."""
    if _jupyter_kernel():
        from IPython.display import Markdown, display

        display(Markdown(markdown))
    else:
        print(markdown)


def _jupyter_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return hasattr(get_ipython(), "kernel")  # a terminal IPython has no kernel and cannot render Markdown


class Hints:
    """One notebook's hints and solutions, and how many hints of each exercise were shown so far."""

    def __init__(self, notebook: str | int, solution_call: str = "exercises.solution({exercise})") -> None:
        self.notebook = notebook_name(notebook)
        self.exercises = read_exercises(self.notebook)
        self.solution_call = solution_call
        self._shown: dict[int, int] = {}

    def exercise(self, number: int) -> Exercise:
        """The exercise numbered `number` (1-based); ValueError naming the numbers there are."""
        count = len(self.exercises)
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= count:
            raise ValueError(f"exercise must be a whole number from 1 to {count} ({self.notebook} has {count} "
                             f"exercises), got {number!r}")
        return self.exercises[number - 1]

    def next_hints(self, number: int) -> str:
        """The hints of an exercise up to one more than last time, as Markdown."""
        exercise = self.exercise(number)
        level = min(self._shown.get(number, 0) + 1, len(exercise.hints))
        self._shown[number] = level
        total = len(exercise.hints)
        lines = [f"**Exercise {number}: {exercise.title}**", ""]
        for index, text in enumerate(exercise.hints[:level], start=1):
            lines += [f"*Hint {index} of {total}:* {text}", ""]
        if level < total:
            lines.append("Call it again for the next hint.")
        else:
            lines.append(f"That was the last hint; `{self.solution_call.format(exercise=number)}` shows a solution.")
        return "\n".join(lines)

    def solution_text(self, number: int) -> str:
        """An exercise's solution (code and why) as Markdown, without the trainer notes."""
        exercise = self.exercise(number)
        return f"**Exercise {number}: {exercise.title}, a solution**\n\n{exercise.solution}"

    def hint(self, exercise: int) -> None:
        """Show the next hint for an exercise (1-based): a nudge first, then a more specific one."""
        show(self.next_hints(exercise))

    def solution(self, exercise: int) -> None:
        """Show a solution for an exercise (1-based): the code and why it works."""
        show(self.solution_text(exercise))

    def close(self) -> None:
        """Forget which hints were shown: the next hint() of each exercise starts again at the nudge."""
        self._shown.clear()


def owner(notebook: str | int) -> Hints:
    """The Hints that the notebook's exercise module holds (so both ways of asking share one count)."""
    module, attribute = OWNERS[notebook_name(notebook)]
    return getattr(importlib.import_module(f"{__package__}.{module}"), attribute)


def hint(notebook: str | int, exercise: int) -> None:
    """Show the next hint for an exercise of a notebook, e.g. hint("05", 2); call again for the next one."""
    owner(notebook).hint(exercise)


def solution(notebook: str | int, exercise: int) -> None:
    """Show a solution for an exercise of a notebook, e.g. solution("05", 2): the code and why it works."""
    owner(notebook).solution(exercise)
