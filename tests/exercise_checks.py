"""The assertion every exercise's mistake tests share: a typical mistake fails with its own message."""

from __future__ import annotations

from typing import Any

from helpers.exercises.engine import Question


def fails_with(q: Question, answer: Any, fragment: str) -> str:
    """Grade ``answer`` for ``q``; it must be incorrect with ``fragment`` in the feedback. Returns the message."""
    outcome = q.grade({q.var: answer})
    assert outcome.status == "incorrect", outcome.message
    assert fragment in outcome.message, outcome.message
    return outcome.message

