"""The notebooks' self-checks, hints and solutions, one module per notebook topic.

A notebook imports its module as `exercises` (`from labkit.exercises import caching as exercises`),
and `exercises.hint(N)` / `exercises.solution(N)` reveal help for its exercise N. `checks` holds what
every check shares; `reveal` reads the hints, solutions and trainer notes of
labkit/exercises/solutions/<notebook>.md. From anywhere: `labkit.exercises.hint("05", 2)`.
"""

from .reveal import hint, solution

__all__ = ["hint", "solution"]
