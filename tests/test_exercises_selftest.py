"""Self-tests every exercise module gets, found automatically: each master solution passes its
own check, each placeholder (and a missing variable) says 'not attempted', and each question has
hints and a stored solution. Mistake-specific tests live in tests/test_exercises_<area>.py."""

from __future__ import annotations

from typing import Any

import pytest

from helpers.exercises import ____, questions
from helpers.exercises.engine import available_exercises, load_exercise

EXERCISES = available_exercises()
CASES = [(name, q) for name in EXERCISES for q in questions(name)]
_setup_cache: dict[str, dict[str, Any]] = {}


def setup_namespace(name: str) -> dict[str, Any]:
    """The exercise notebook's setup cell, run once per module (some fit models on load)."""
    if name not in _setup_cache:
        namespace: dict[str, Any] = {}
        exec(compile(load_exercise(name).EXERCISE.setup, "<setup>", "exec"), namespace)  # noqa: S102 - our own code
        _setup_cache[name] = namespace
    return _setup_cache[name]


def test_every_area_has_an_exercise_module() -> None:
    assert {"warm_up", "consumption", "retention", "prospecting", "compliance"} <= set(EXERCISES)


@pytest.mark.parametrize("name", EXERCISES)
def test_each_exercise_has_at_least_three_questions_with_hints_and_solutions(name: str) -> None:
    qs = questions(name)
    assert len(qs) >= (3 if name == "warm_up" else 6), name
    for q in qs:
        assert q.hints and q.master_solution is not None, q.name
        assert q.requirement, q.name


@pytest.mark.parametrize(("name", "q"), CASES, ids=[f"{n}-{q.name}" for n, q in CASES])
def test_master_solution_passes_its_own_check(name: str, q) -> None:
    outcome = q.grade(q.solution_namespace(setup_namespace(name)))
    assert outcome.status == "correct", outcome.message


@pytest.mark.parametrize(("name", "q"), CASES, ids=[f"{n}-{q.name}" for n, q in CASES])
def test_placeholder_and_missing_answer_are_not_attempted(name: str, q) -> None:
    assert q.grade({q.var: ____}).status == "not_attempted"
    assert q.grade({}).status == "not_attempted"
