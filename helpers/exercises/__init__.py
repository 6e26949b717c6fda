"""The exercise engine: ``q1.check()``, ``q1.hint()``, ``q1.solution()`` for exercise notebooks.

A notebook's setup cell binds its namespace and imports the questions::

    from helpers.exercises import ____, bind
    bind(globals(), exercise="warm_up", version="1.0.0")
    from helpers.exercises.warm_up import q1, q2, q3

Modules: :mod:`~helpers.exercises.engine` (question kinds, outcomes, rendering),
:mod:`~helpers.exercises.compare` (tolerant comparisons with feedback),
:mod:`~helpers.exercises.attempts` (the attempt log), and one module per
exercise notebook (e.g. :mod:`~helpers.exercises.warm_up`).

Examples
--------
>>> from helpers.exercises import ____, questions
>>> [q.grade({q.var: ____}).status for q in questions("warm_up")]
['not_attempted', 'not_attempted', 'not_attempted']
"""

from helpers.exercises.attempts import read_attempts, solution_viewed_before_correct
from helpers.exercises.engine import (
    ChartQuestion,
    ChoiceQuestion,
    CodeSolution,
    DiscussionQuestion,
    Exercise,
    ExerciseVersionWarning,
    FrameQuestion,
    FunctionQuestion,
    Outcome,
    Question,
    TextSolution,
    UnknownRequirementError,
    ValueQuestion,
    ____,
    available_exercises,
    bind,
    load_exercise,
    questions,
)

__all__ = [
    "ChartQuestion",
    "ChoiceQuestion",
    "CodeSolution",
    "DiscussionQuestion",
    "Exercise",
    "ExerciseVersionWarning",
    "FrameQuestion",
    "FunctionQuestion",
    "Outcome",
    "Question",
    "TextSolution",
    "UnknownRequirementError",
    "ValueQuestion",
    "____",
    "available_exercises",
    "bind",
    "load_exercise",
    "questions",
    "read_attempts",
    "solution_viewed_before_correct",
]
