"""Question kinds, outcomes and rendering for exercise notebooks.

An exercise module declares its questions as small classes; a notebook binds
its namespace once and calls ``q1.check()``, ``q1.hint()``, ``q1.solution()``.
Nothing here knows about retail: the data and the right answers come from the
exercise modules.

Examples
--------
>>> ex = Exercise("demo", version="1.0.0", loaders={"prices": lambda: [10.0, 30.0]})
>>> class MeanPrice(ValueQuestion):
...     var = "mean_price"
...     requirement = "105090L2.1.2"
...     hints = ["Add the prices, divide by how many there are."]
...     solution = CodeSolution("mean_price = sum(prices) / len(prices)")
...     def expected(self, ctx):
...         prices = ctx.data("prices")
...         return sum(prices) / len(prices)
>>> q1 = MeanPrice(ex, 1)
>>> q1.grade({"mean_price": ____})
Outcome(status='not_attempted', message='Replace `____` with your answer for `mean_price`, then run the cell again.')
>>> q1.grade({"mean_price": 25.0}).message
'`mean_price` is 25, off by 25.0% — too high.'
>>> q1.grade(q1.solution_namespace({"prices": [10.0, 30.0]})).status
'correct'
"""

from __future__ import annotations

import contextlib
import copy
import functools
import html
import importlib
import io
import pkgutil
import re
import sys
import warnings
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, Literal

from . import attempts, compare


# ---------------------------------------------------------------------------
# The placeholder


class _Placeholder:
    """The ``____`` a learner replaces with an answer; checking it means "not attempted"."""

    _instance: ClassVar[_Placeholder | None] = None

    def __new__(cls) -> _Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return (_Placeholder, ())


#: Placeholder answer: ``answer = ____`` in an untouched exercise cell.
____ = _Placeholder()


# ---------------------------------------------------------------------------
# Outcomes and rendering

Status = Literal["correct", "incorrect", "not_attempted", "error", "recorded"]
STATUSES: tuple[str, ...] = ("correct", "incorrect", "not_attempted", "error", "recorded")

# label, text colour, background colour
_LOOK: dict[str, tuple[str, str, str]] = {
    "correct": ("Correct", "#1b7f3b", "#e8f5ec"),
    "incorrect": ("Incorrect", "#b3261e", "#fdecea"),
    "not_attempted": ("Not attempted yet", "#5f6368", "#f1f3f4"),
    "error": ("Error", "#9a4a00", "#fff4e5"),
    "recorded": ("Recorded", "#1a5fb4", "#e8f0fe"),
    "hint": ("Hint", "#7a5c00", "#fff8e1"),
}


def _box_html(kind: str, title: str, message: str) -> str:
    _, colour, background = _LOOK[kind]
    # Backticks in messages mark code; show them as <code> like Markdown would.
    body = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(message))
    return (
        f'<div style="border-left:5px solid {colour};background:{background};'
        f'padding:6px 10px;margin:4px 0;color:#202124">'
        f'<strong style="color:{colour}">{html.escape(title)}:</strong> {body}</div>'
    )


def _show(bundle: Mapping[str, str]) -> None:
    """Display a MIME bundle in IPython/Jupyter/papermill, or print its text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python without IPython installed
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(dict(bundle), raw=True)
    else:
        print(bundle["text/plain"])


@dataclass(frozen=True)
class Outcome:
    """The result of grading one answer.

    Attributes
    ----------
    status
        ``correct``, ``incorrect``, ``not_attempted``, ``error`` (the answer's code
        or the checker raised) or ``recorded`` (free text, not auto-graded).
    message
        Feedback for the learner; it never contains the expected answer.

    Examples
    --------
    >>> print(Outcome("incorrect", "`x` is 3, off by 25.0% — too low."))
    Incorrect: `x` is 3, off by 25.0% — too low.
    >>> "#1b7f3b" in Outcome("correct", "`x` is right.")._repr_html_()
    True
    """

    status: Status
    message: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")

    @property
    def label(self) -> str:
        return _LOOK[self.status][0]

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"

    def _repr_html_(self) -> str:
        return _box_html(self.status, self.label, self.message)

    def mimebundle(self) -> dict[str, str]:
        """Plain-text and HTML forms, for :func:`IPython.display.display` with ``raw=True``."""
        return {"text/plain": str(self), "text/html": self._repr_html_()}


# ---------------------------------------------------------------------------
# Errors, warnings, the requirement registry


class UnknownRequirementError(ValueError):
    """A question names a requirement id that is not in ``helpers/competencies.yaml``."""


class ExerciseVersionWarning(UserWarning):
    """The notebook was written for another version of its exercise module."""


@functools.cache
def known_requirements() -> frozenset[str]:
    """Requirement ids of ``helpers/competencies.yaml`` (read once per process).

    Examples
    --------
    >>> "105090L2.1.2" in known_requirements()
    True
    """
    import yaml  # only needed here; keeps `import helpers.exercises` light

    text = (Path(__file__).resolve().parent.parent / "competencies.yaml").read_text(encoding="utf-8")
    return frozenset(str(key) for key in (yaml.safe_load(text) or {}).get("requirements", {}))


# ---------------------------------------------------------------------------
# Exercises, solutions, binding


@dataclass(frozen=True, eq=False)
class Exercise:
    """What questions of one exercise module share: name, version, setup code, data.

    Parameters
    ----------
    name
        Module name under :mod:`helpers.exercises` (``"warm_up"``); also names the log file.
    version
        The module's ``__version__``; notebooks state the version they were written for.
    setup
        The notebook's setup code minus ``bind`` (imports, loading data), run
        before a master solution in :meth:`Question.solution_namespace`.
    loaders
        Named zero-argument functions that return the data expected answers are
        computed from; :meth:`data` calls each at most once per process.

    Examples
    --------
    >>> ex = Exercise("demo", "1.0.0", loaders={"n": lambda: [1, 2]})
    >>> ex.data("n") is ex.data("n")
    True
    """

    name: str
    version: str
    setup: str = ""
    loaders: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    # The per-process cache of loaded data; shared by all questions, so treat as read-only.
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def data(self, key: str) -> Any:
        """The data set ``key``, loaded on first use and cached for this process."""
        if key not in self._cache:
            if key not in self.loaders:
                raise KeyError(f"exercise {self.name!r} has no data {key!r}; it has {sorted(self.loaders)}")
            self._cache[key] = self.loaders[key]()
        return self._cache[key]


@dataclass(frozen=True)
class CodeSolution:
    """A master solution as code; shown highlighted, and run by the self-tests.

    Examples
    --------
    >>> ns = {}
    >>> CodeSolution("x = 2 * 21").apply(ns, "x"); ns["x"]
    42
    """

    code: str

    def apply(self, namespace: MutableMapping[str, Any], var: str) -> None:
        exec(compile(self.code, "<solution>", "exec"), namespace)  # noqa: S102 - our own stored code

    def mimebundle(self) -> dict[str, str]:
        return {
            "text/plain": f"Solution:\n{self.code}",
            "text/markdown": f"**Solution:**\n\n```python\n{self.code}\n```",
        }


@dataclass(frozen=True)
class TextSolution:
    """A model answer in words, for discussion questions.

    Examples
    --------
    >>> ns = {}
    >>> TextSolution("Ask before you send.").apply(ns, "why"); ns["why"]
    'Ask before you send.'
    """

    text: str

    def apply(self, namespace: MutableMapping[str, Any], var: str) -> None:
        namespace[var] = self.text

    def mimebundle(self) -> dict[str, str]:
        return {"text/plain": f"Model answer:\n{self.text}", "text/markdown": f"**Model answer:**\n\n{self.text}"}


Solution = CodeSolution | TextSolution

#: Key under which :func:`bind` leaves its settings in the notebook's namespace.
BINDINGS_KEY = "__exercise_bindings__"
_DEFAULT_LOG = object()
_ENGINE_MODULES = frozenset({"engine", "compare", "attempts"})


@dataclass(frozen=True)
class Binding:
    """Settings :func:`bind` stores in a notebook namespace for one exercise."""

    exercise: str
    notebook_version: str | None
    log_path: Path | None


def available_exercises() -> list[str]:
    """Names of the exercise modules in :mod:`helpers.exercises`.

    Examples
    --------
    >>> "warm_up" in available_exercises()
    True
    """
    package = sys.modules[__package__]
    return sorted(
        m.name
        for m in pkgutil.iter_modules(package.__path__)
        if m.name not in _ENGINE_MODULES and not m.name.startswith("_")
    )


def load_exercise(name: str) -> ModuleType:
    """Import the exercise module ``helpers.exercises.<name>``.

    Raises
    ------
    ValueError
        When there is no such exercise; the message lists the ones there are.

    Examples
    --------
    >>> load_exercise("warm_up").__version__ != ""
    True
    """
    if name not in available_exercises():
        raise ValueError(f"no exercise {name!r}; available: {', '.join(available_exercises())}")
    return importlib.import_module(f"{__package__}.{name}")


def bind(
    namespace: MutableMapping[str, Any],
    exercise: str,
    *,
    version: str | None = None,
    log_path: str | Path | None | object = _DEFAULT_LOG,
) -> None:
    """Connect a notebook's namespace to an exercise: version check and log settings.

    Parameters
    ----------
    namespace
        The notebook's ``globals()``; ``check()`` reads answers from it.
    exercise
        Exercise module name, e.g. ``"warm_up"``.
    version
        The exercise version the notebook was written for. A different
        installed version triggers an :class:`ExerciseVersionWarning`.
    log_path
        Where attempts are logged: default ``<cwd>/<exercise>.attempts.jsonl``
        (the notebook's folder under Jupyter and papermill); ``None`` logs nothing.

    Examples
    --------
    >>> ns = {}
    >>> bind(ns, "warm_up", version=load_exercise("warm_up").__version__, log_path=None)
    >>> ns[BINDINGS_KEY]["warm_up"].log_path is None
    True
    """
    module = load_exercise(exercise)
    installed = str(getattr(module, "__version__", ""))
    if version is not None and str(version) != installed:
        warnings.warn(
            f"This notebook was written for exercise {exercise!r} version {version}, but the installed "
            f"checking code is version {installed}. Some checks may not match the questions: "
            "get the current notebook from your trainer.",
            ExerciseVersionWarning,
            stacklevel=2,
        )
    if log_path is _DEFAULT_LOG:
        path: Path | None = attempts.default_log_path(exercise)
    else:
        path = None if log_path is None else Path(log_path).absolute()  # type: ignore[arg-type]
    bindings = namespace.setdefault(BINDINGS_KEY, {})
    bindings[exercise] = Binding(exercise, None if version is None else str(version), path)


def questions(exercise: ModuleType | str) -> list[Question]:
    """All questions of an exercise module, ordered by number (for graders and self-tests).

    Raises
    ------
    ValueError
        When two questions share a number.

    Examples
    --------
    >>> [q.name for q in questions("warm_up")]
    ['q1', 'q2', 'q3']
    """
    module = load_exercise(exercise) if isinstance(exercise, str) else exercise
    found: dict[int, Question] = {}
    for value in vars(module).values():
        if not isinstance(value, Question) or found.get(value.number) is value:
            continue  # not a question, or the same question under a second name
        if value.number in found:
            raise ValueError(f"{module.__name__}: two questions are number {value.number}")
        found[value.number] = value
    return [found[n] for n in sorted(found)]


def _caller_namespace(depth: int) -> dict[str, Any]:
    # check()/hint()/solution() read the notebook's globals from the calling frame,
    # as a cell's code runs with the notebook namespace as its globals.
    return sys._getframe(depth + 1).f_globals


# ---------------------------------------------------------------------------
# Questions


class Question:
    """Base class of all question kinds.

    Subclasses declare class attributes and, for auto-graded kinds, ``expected``:

    - ``var``: the learner's variable (or function) name;
    - ``requirement``: a requirement id of ``helpers/competencies.yaml``;
    - ``hints``: list of hints, gentlest first;
    - ``solution``: a :class:`CodeSolution` or :class:`TextSolution` (stored as
      ``master_solution``, so that ``q.solution()`` stays the method that shows it);
    - ``explanation``: optional sentence shown with a correct answer.

    An instance is one numbered question of one :class:`Exercise`:
    ``q1 = MyQuestion(EXERCISE, 1)``. Declaring it checks the requirement id.
    """

    var: ClassVar[str] = ""
    requirement: ClassVar[str] = ""
    hints: ClassVar[Sequence[str]] = ()
    master_solution: ClassVar[Solution | None] = None
    explanation: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("solution")
        if isinstance(declared, (CodeSolution, TextSolution)):
            cls.master_solution = declared
            delattr(cls, "solution")

    def __init__(self, exercise: Exercise, number: int) -> None:
        if not self.var.isidentifier():
            raise ValueError(f"{type(self).__name__}.var must be a Python name, not {self.var!r}")
        if self.requirement not in known_requirements():
            raise UnknownRequirementError(
                f"{type(self).__name__}: requirement {self.requirement!r} is not an id in helpers/competencies.yaml"
            )
        if self.master_solution is None:
            raise ValueError(f"{type(self).__name__} declares no solution")
        self.exercise = exercise
        self.number = int(number)
        self._cache: dict[str, Any] = {}

    @property
    def name(self) -> str:
        """``q<number>``, the name notebooks import the question under."""
        return f"q{self.number}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.exercise.name}.{self.name} `{self.var}` ({self.requirement})>"

    # -- the right answer ---------------------------------------------------

    def expected(self, ctx: Exercise) -> Any:
        """The right answer, computed from ``ctx.data(...)``. Override in graded kinds."""
        raise NotImplementedError(f"{type(self).__name__} must define expected(self, ctx)")

    def expected_answer(self) -> Any:
        """:meth:`expected`, computed on first use and cached for the process."""
        if "expected" not in self._cache:
            self._cache["expected"] = self.expected(self.exercise)
        return self._cache["expected"]

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        """Override to recognise typical mistakes: return a specific message, or None."""
        return None

    # -- grading (pure) -------------------------------------------------------

    def grade(self, namespace: Mapping[str, Any]) -> Outcome:
        """Grade the answer held in ``namespace[self.var]``; no printing, no logging.

        Never raises: a placeholder or missing variable is ``not_attempted``, and
        an exception while checking is an ``error`` outcome.
        """
        if self.var not in namespace:
            return Outcome("not_attempted", f"`{self.var}` is not defined yet: run the cell that sets it, then check.")
        answer = namespace[self.var]
        if isinstance(answer, _Placeholder):
            return Outcome("not_attempted", f"Replace `____` with your answer for `{self.var}`, then run the cell again.")
        try:
            return self._grade_answer(answer)
        except Exception as exc:  # the grader must survive any answer
            return Outcome(
                "error",
                f"`{self.var}` could not be checked ({type(exc).__name__}: {str(exc)[:200]}). "
                "If your answer looks right, tell your trainer.",
            )

    def _compare(self, answer: Any, expected: Any) -> compare.Comparison:
        raise NotImplementedError

    def _grade_answer(self, answer: Any) -> Outcome:
        result = self._compare(answer, self.expected_answer())
        if result.ok:
            return self._correct()
        diagnosis = self.diagnose(answer, self.exercise)
        return Outcome("incorrect", f"{result.message} {diagnosis}" if diagnosis else result.message)

    def _correct(self) -> Outcome:
        return Outcome("correct", f"`{self.var}` is right. {self.explanation}".strip())

    # -- notebook-facing actions ----------------------------------------------

    def check(self, namespace: Mapping[str, Any] | None = None) -> None:
        """Grade the learner's answer, show the outcome and log the attempt."""
        namespace = _caller_namespace(1) if namespace is None else namespace
        outcome = self.grade(namespace)
        _show(outcome.mimebundle())
        self._log(namespace, "check", status=outcome.status)

    def hint(self, n: int = 1, namespace: Mapping[str, Any] | None = None) -> None:
        """Show hint ``n`` (1 = gentlest) and say how many there are."""
        namespace = _caller_namespace(1) if namespace is None else namespace
        total = len(self.hints)
        if total == 0:
            _show(self._hint_bundle("There are no hints for this question; "
                                    f"`{self.name}.solution()` shows a worked answer."))
            return
        if not isinstance(n, int) or not 1 <= n <= total:
            noun = "hint" if total == 1 else "hints"
            _show(self._hint_bundle(f"There {'is' if total == 1 else 'are'} {total} {noun}: "
                                    f"use `{self.name}.hint(1)` to `{self.name}.hint({total})`."))
            return
        more = f" (`{self.name}.hint({n + 1})` gives the next one.)" if n < total else ""
        _show(self._hint_bundle(f"{self.hints[n - 1]}{more}", title=f"Hint {n} of {total}"))
        self._log(namespace, "hint", hint=n)

    def solution(self, namespace: Mapping[str, Any] | None = None) -> None:
        """Show the master solution (viewing it is logged)."""
        namespace = _caller_namespace(1) if namespace is None else namespace
        assert self.master_solution is not None  # guaranteed by __init__
        _show(self.master_solution.mimebundle())
        self._log(namespace, "solution")

    def _hint_bundle(self, message: str, title: str = "Hint") -> dict[str, str]:
        return {"text/plain": f"{title}: {message}", "text/html": _box_html("hint", title, message)}

    def _log(self, namespace: Mapping[str, Any], event: attempts.Event, *, hint: int | None = None,
             status: str | None = None) -> None:
        binding = namespace.get(BINDINGS_KEY, {}).get(self.exercise.name)
        path = attempts.default_log_path(self.exercise.name) if binding is None else binding.log_path
        record = attempts.make_record(
            exercise=self.exercise.name, exercise_version=self.exercise.version,
            notebook_version=None if binding is None else binding.notebook_version,
            question=self.number, requirement=self.requirement, event=event, hint=hint, status=status,
        )
        try:
            attempts.append_event(path, record)
        except OSError as exc:
            # A read-only folder must not stop a learner from checking answers.
            warnings.warn(f"could not write the attempt log {path}: {exc}", stacklevel=3)

    # -- self-tests -----------------------------------------------------------

    def solution_namespace(self, base_ns: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A namespace in which the master solution has run.

        Starts from a copy of ``base_ns`` or, when it is None, from the exercise's
        ``setup`` code (the notebook's imports and data loading).
        """
        namespace: dict[str, Any] = dict(base_ns) if base_ns is not None else {}
        if base_ns is None and self.exercise.setup:
            exec(compile(self.exercise.setup, "<setup>", "exec"), namespace)  # noqa: S102 - our own stored code
        assert self.master_solution is not None
        self.master_solution.apply(namespace, self.var)
        return namespace


class ValueQuestion(Question):
    """Answer is a number, text, True/False or a list; numbers within ``tolerance`` pass.

    Attributes
    ----------
    tolerance, rel_tolerance
        Absolute and relative tolerance for numbers.
    case_sensitive
        Whether text must match in case (whitespace never matters).
    ordered
        Whether a list must be in order (a set expected answer never is).
    """

    tolerance: ClassVar[float] = 0.0
    rel_tolerance: ClassVar[float] = 1e-9
    case_sensitive: ClassVar[bool] = False
    ordered: ClassVar[bool] = True

    def _compare(self, answer: Any, expected: Any) -> compare.Comparison:
        return compare.compare_value(
            answer, expected, name=self.var, abs_tol=self.tolerance, rel_tol=self.rel_tolerance,
            case_sensitive=self.case_sensitive, ordered=self.ordered,
        )


class FrameQuestion(Question):
    """Answer is a DataFrame or a Series (whichever ``expected`` returns).

    Attributes
    ----------
    check_index
        Row labels must match; None = yes for a Series, no for a DataFrame.
    ignore_order
        Rows may come in any order.
    check_dtype
        Columns must hold the same kind of values (numbers, text, dates...).
    extra_columns_ok
        Additional columns are accepted.
    row_rule
        The right number of rows in words, e.g. ``"one row per customer"``.
    tolerance, rel_tolerance
        Tolerance for numeric columns.
    """

    check_index: ClassVar[bool | None] = None
    ignore_order: ClassVar[bool] = False
    check_dtype: ClassVar[bool] = True
    extra_columns_ok: ClassVar[bool] = False
    row_rule: ClassVar[str] = ""
    tolerance: ClassVar[float] = 0.0
    rel_tolerance: ClassVar[float] = 1e-9

    def _compare(self, answer: Any, expected: Any) -> compare.Comparison:
        return compare.compare_value(
            answer, expected, name=self.var, abs_tol=self.tolerance, rel_tol=self.rel_tolerance,
            check_index=self.check_index, ignore_order=self.ignore_order, check_dtype=self.check_dtype,
            extra_columns_ok=self.extra_columns_ok, row_rule=self.row_rule,
        )


def _short_repr(value: Any) -> str:
    if hasattr(value, "shape"):  # DataFrame, Series, array: the shape says enough
        return compare.format_value(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class FunctionQuestion(Question):
    """Answer is a function; it is called on ``cases`` and compared with a reference.

    ``expected(ctx)`` returns the reference function; ``cases`` lists argument
    tuples. Each call gets its own deep copy of the arguments, so a learner's
    function that modifies its input cannot change the reference's result.
    """

    cases: ClassVar[Sequence[tuple[Any, ...]]] = ()
    tolerance: ClassVar[float] = 0.0
    rel_tolerance: ClassVar[float] = 1e-9

    def _grade_answer(self, answer: Any) -> Outcome:
        if not callable(answer):
            return Outcome(
                "incorrect",
                f"`{self.var}` should be a function (`def {self.var}(...):`); you gave {compare.describe_type(answer)}.",
            )
        reference = self.expected_answer()
        for args in self.cases:
            call = f"{self.var}({', '.join(_short_repr(a) for a in args)})"
            want = reference(*copy.deepcopy(args))
            try:
                # A learner's print() must not leak into the grader's output.
                with contextlib.redirect_stdout(io.StringIO()):
                    got = answer(*copy.deepcopy(args))
            except Exception as exc:
                return Outcome("error", f"`{call}` raised {type(exc).__name__}: {str(exc)[:200]}")
            result = compare.compare_value(got, want, name=call, abs_tol=self.tolerance, rel_tol=self.rel_tolerance)
            if not result.ok:
                diagnosis = self.diagnose(answer, self.exercise)
                return Outcome("incorrect", f"{result.message} {diagnosis}" if diagnosis else result.message)
        return self._correct()


class ChoiceQuestion(Question):
    """Answer is one of ``options`` (text, case-insensitive); ``expected`` returns the right one.

    For yes/no options, True and False are accepted as "yes" and "no".
    """

    options: ClassVar[Sequence[str]] = ("yes", "no")

    def __init__(self, exercise: Exercise, number: int) -> None:
        super().__init__(exercise, number)
        if len(self.options) < 2:
            raise ValueError(f"{type(self).__name__} needs at least two options")

    def _normalise(self, answer: Any) -> str | None:
        lowered = {o.casefold(): o for o in self.options}
        if isinstance(answer, (bool,)) and set(lowered) == {"yes", "no"}:
            return lowered["yes" if answer else "no"]
        if isinstance(answer, str):
            return lowered.get(" ".join(answer.split()).casefold())
        return None

    def _compare(self, answer: Any, expected: Any) -> compare.Comparison:
        choice = self._normalise(answer)
        if choice is None:
            listed = ", ".join(repr(o) for o in self.options)
            return compare.Comparison(
                False, f"`{self.var}` should be one of {listed}; you gave {compare.format_value(answer)}."
            )
        right = self._normalise(expected)
        if right is None:
            raise ValueError(f"{type(self).__name__}.expected() returned {expected!r}, not one of {self.options}")
        if choice == right:
            return compare.Comparison(True)
        return compare.Comparison(False, f"`{self.var}` is {choice!r}, which is not the best choice here.")


class ChartQuestion(Question):
    """Answer is a matplotlib Axes (or Figure) of the right ``kind``, with a title.

    ``kind`` is ``"bar"`` (also histograms), ``"line"`` or ``"scatter"``;
    ``expected(ctx)`` may return the number of bars/lines/points, or None to
    skip that check.
    """

    kind: ClassVar[str] = "bar"
    title_required: ClassVar[bool] = True

    def expected(self, ctx: Exercise) -> int | None:
        return None

    def _marks(self, ax: Any) -> int:
        if self.kind == "bar":
            return len(ax.patches)
        if self.kind == "line":
            return len(ax.get_lines())
        if self.kind == "scatter":
            return sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets"))
        raise ValueError(f"{type(self).__name__}.kind must be bar, line or scatter, not {self.kind!r}")

    def _compare(self, answer: Any, expected: int | None) -> compare.Comparison:
        ax = answer.axes[0] if hasattr(answer, "axes") and isinstance(answer.axes, list) and answer.axes else answer
        if not hasattr(ax, "get_title"):
            return compare.Comparison(
                False,
                f"`{self.var}` should be a chart (the Axes a plot function returns); you gave "
                f"{compare.describe_type(answer)}.",
            )
        marks = self._marks(ax)
        unit = {"bar": "bars", "line": "lines", "scatter": "points"}[self.kind]
        if marks == 0:
            return compare.Comparison(False, f"`{self.var}` shows no {unit}: draw a {self.kind} chart.")
        if expected is not None and marks != expected:
            how = "too many" if marks > expected else "too few"
            return compare.Comparison(False, f"`{self.var}` shows {marks} {unit} — {how}.")
        if self.title_required and not ax.get_title().strip():
            return compare.Comparison(False, f"`{self.var}` has no title: give it one that states the finding.")
        return compare.Comparison(True)


class DiscussionQuestion(Question):
    """Answer is free text; any non-empty answer is ``recorded``, nothing is auto-graded."""

    def _grade_answer(self, answer: Any) -> Outcome:
        if not isinstance(answer, str):
            return Outcome(
                "incorrect",
                f"`{self.var}` should be text in quotes; you gave {compare.describe_type(answer)}.",
            )
        words = len(answer.split())
        if words == 0:
            return Outcome("not_attempted", f"`{self.var}` is empty: write your answer between the quotes.")
        return Outcome(
            "recorded",
            f"Thank you: your answer ({words} words) is noted. There is no automatic mark; "
            f"compare it with `{self.name}.solution()` or discuss it with your trainer.",
        )


__all__ = [
    "BINDINGS_KEY",
    "Binding",
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
    "STATUSES",
    "TextSolution",
    "UnknownRequirementError",
    "ValueQuestion",
    "____",
    "available_exercises",
    "bind",
    "known_requirements",
    "load_exercise",
    "questions",
]
