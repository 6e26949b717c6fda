"""The attempt log: one JSON line per check, hint or solution view.

A notebook's events go to ``<exercise>.attempts.jsonl`` in the folder the
kernel runs in (Jupyter and papermill use the notebook's folder). Each line
says *what happened to which question*, never what was answered and never who
answered it::

    {"ts": "2024-05-02T03:04:05.678+00:00", "exercise": "warm_up", "exercise_version": "1.0.0",
     "notebook_version": "1.0.0", "question": 1, "requirement": "105090L2.1.2",
     "event": "check", "hint": null, "status": "incorrect"}

Set the environment variable ``OCLAB_ATTEMPT_LOG=off`` to write nothing.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> log = Path(tempfile.mkdtemp()) / "warm_up.attempts.jsonl"
>>> record = make_record(exercise="warm_up", exercise_version="1.0.0", question=1,
...                      requirement="105090L2.1.2", event="check", status="correct")
>>> append_event(log, record, enabled=True)
True
>>> read_attempts(log)[["question", "event", "status"]].to_dict("records")
[{'question': 1, 'event': 'check', 'status': 'correct'}]
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

#: Environment variable that switches logging off when set to ``off``.
LOG_ENV_VAR = "OCLAB_ATTEMPT_LOG"
EVENTS: tuple[str, ...] = ("check", "hint", "solution")
#: Fields of one record, in the order they are written and read back.
FIELDS: tuple[str, ...] = (
    "ts",
    "exercise",
    "exercise_version",
    "notebook_version",
    "question",
    "requirement",
    "event",
    "hint",
    "status",
)

Event = Literal["check", "hint", "solution"]


def default_log_path(exercise: str, folder: str | Path | None = None) -> Path:
    """``<folder>/<exercise>.attempts.jsonl``, with ``folder`` the working directory by default.

    Examples
    --------
    >>> default_log_path("warm_up", "/tmp").as_posix()
    '/tmp/warm_up.attempts.jsonl'
    """
    return Path(folder if folder is not None else Path.cwd()).absolute() / f"{exercise}.attempts.jsonl"


def logging_enabled() -> bool:
    """False when ``OCLAB_ATTEMPT_LOG`` is ``off`` (or ``0``, ``false``, ``no``).

    Examples
    --------
    >>> isinstance(logging_enabled(), bool)
    True
    """
    return os.environ.get(LOG_ENV_VAR, "").strip().lower() not in {"off", "0", "false", "no"}


def make_record(
    *,
    exercise: str,
    exercise_version: str,
    question: int,
    requirement: str,
    event: Event,
    hint: int | None = None,
    status: str | None = None,
    notebook_version: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One log record; only ids, counters and an outcome status — no answers, no names.

    Examples
    --------
    >>> r = make_record(exercise="warm_up", exercise_version="1.0.0", question=2,
    ...                 requirement="107188L5.1.2", event="hint", hint=1,
    ...                 now=datetime(2024, 1, 2, tzinfo=timezone.utc))
    >>> r["ts"], r["hint"], r["status"]
    ('2024-01-02T00:00:00.000+00:00', 1, None)
    """
    if event not in EVENTS:
        raise ValueError(f"event must be one of {EVENTS}, not {event!r}")
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "ts": moment.isoformat(timespec="milliseconds"),
        "exercise": exercise,
        "exercise_version": exercise_version,
        "notebook_version": notebook_version,
        "question": int(question),
        "requirement": requirement,
        "event": event,
        "hint": None if hint is None else int(hint),
        "status": status,
    }


def append_event(path: str | Path | None, record: Mapping[str, Any], *, enabled: bool | None = None) -> bool:
    """Append ``record`` as one JSON line; return whether anything was written.

    Nothing is written when ``path`` is None or logging is switched off
    (``enabled=None`` reads ``OCLAB_ATTEMPT_LOG``). OS errors propagate: the
    caller decides whether a failed log may interrupt the learner.

    Examples
    --------
    >>> append_event(None, {"event": "check"})
    False
    """
    if path is None or not (logging_enabled() if enabled is None else enabled):
        return False
    line = json.dumps({key: record.get(key) for key in FIELDS}, ensure_ascii=False)
    # One write call per line keeps concurrent appends from interleaving within a line.
    with open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")
    return True


def _valid(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and record.get("event") in EVENTS
        and isinstance(record.get("question"), int)
        and not isinstance(record.get("question"), bool)
        and isinstance(record.get("exercise"), str)
        and isinstance(record.get("ts"), str)
    )


def read_attempts(path: str | Path) -> pd.DataFrame:
    """Read an attempt log into a DataFrame, skipping (and counting) corrupt lines.

    Parameters
    ----------
    path
        A ``*.attempts.jsonl`` file.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FIELDS` plus ``line`` (1-based line number in the file);
        ``ts`` is a UTC timestamp. ``df.attrs["skipped_lines"]`` holds the number
        of lines that were not valid records (a warning names them too).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.

    Examples
    --------
    >>> import tempfile
    >>> log = Path(tempfile.mkdtemp()) / "x.attempts.jsonl"
    >>> _ = log.write_text('{"ts": "2024-01-01T00:00:00+00:00", "exercise": "x", "question": 1, "event": "hint", "hint": 2}\\n')
    >>> df = read_attempts(log)
    >>> int(df.loc[0, "hint"]), df.attrs["skipped_lines"]
    (2, 0)
    """
    rows: list[dict[str, Any]] = []
    skipped: list[int] = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for number, line in enumerate(log, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if not _valid(record):
                skipped.append(number)
                continue
            rows.append({**{key: record.get(key) for key in FIELDS}, "line": number})
    frame = pd.DataFrame(rows, columns=[*FIELDS, "line"])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True, errors="coerce", format="ISO8601")
    for column in ("question", "hint", "line"):
        frame[column] = frame[column].astype("Int64")
    if skipped:
        shown = ", ".join(map(str, skipped[:5]))
        warnings.warn(f"{path}: skipped {len(skipped)} corrupt line(s) (line {shown})", stacklevel=2)
    frame.attrs["skipped_lines"] = len(skipped)
    return frame


def solution_viewed_before_correct(attempts: pd.DataFrame) -> pd.DataFrame:
    """Per question: was it answered correctly, and had the solution been viewed first?

    Parameters
    ----------
    attempts
        Output of :func:`read_attempts` (several logs may be concatenated).

    Returns
    -------
    pandas.DataFrame
        One row per ``(exercise, question)`` with ``requirement``, ``correct``
        (some check was correct), ``hints_before_correct`` (distinct hints viewed
        before the first correct check, or ever if never correct) and
        ``solution_viewed_before_correct``.

    Examples
    --------
    >>> log = pd.DataFrame({
    ...     "ts": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:01", "2024-01-01 10:02"], utc=True),
    ...     "exercise": "warm_up", "question": [1, 1, 2], "requirement": ["a", "a", "b"],
    ...     "event": ["solution", "check", "check"], "hint": None,
    ...     "status": [None, "correct", "correct"]})
    >>> solution_viewed_before_correct(log)[["question", "solution_viewed_before_correct"]].to_dict("records")
    [{'question': 1, 'solution_viewed_before_correct': True}, {'question': 2, 'solution_viewed_before_correct': False}]
    """
    order = [c for c in ("ts", "line") if c in attempts.columns]
    events = attempts.sort_values(order, kind="mergesort") if order else attempts
    rows = []
    for (exercise, question), group in events.groupby(["exercise", "question"], sort=True):
        correct = ((group["event"] == "check") & (group["status"] == "correct")).to_numpy()
        before = group.iloc[: int(np.argmax(correct))] if correct.any() else group
        rows.append(
            {
                "exercise": exercise,
                "question": int(question),
                "requirement": group["requirement"].dropna().iloc[-1] if group["requirement"].notna().any() else None,
                "correct": bool(correct.any()),
                "hints_before_correct": int(before.loc[before["event"] == "hint", "hint"].nunique()),
                "solution_viewed_before_correct": bool(correct.any() and (before["event"] == "solution").any()),
            }
        )
    columns = ["exercise", "question", "requirement", "correct", "hints_before_correct",
               "solution_viewed_before_correct"]
    return pd.DataFrame(rows, columns=columns)


__all__ = [
    "EVENTS",
    "FIELDS",
    "LOG_ENV_VAR",
    "append_event",
    "default_log_path",
    "logging_enabled",
    "make_record",
    "read_attempts",
    "solution_viewed_before_correct",
]
