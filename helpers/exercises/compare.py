"""Tolerant comparisons that explain a mismatch in the learner's own terms.

Every function returns a :class:`Comparison` ``(ok, message)``. A message names
the learner's variable and describes the learner's value (its type, size,
columns, the first row that differs, how far off a number is) but never
contains the expected value, so feedback cannot leak the answer.

Examples
--------
>>> compare_number(625.0, 500.0, name="avg_order_value_hkd")
Comparison(ok=False, message='`avg_order_value_hkd` is 625, off by 25.0% — too high.')
>>> compare_number(0.801, 0.8, name="share", abs_tol=0.005).ok
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Set
from typing import Any, NamedTuple

import numpy as np
import pandas as pd


class Comparison(NamedTuple):
    """Result of one comparison: ``ok`` and, when not ok, what is wrong."""

    ok: bool
    message: str = ""


_OK = Comparison(True, "")

#: How a dtype family is named in feedback, and how to convert into it.
_FAMILY_WORDS: dict[str, tuple[str, str]] = {
    "number": ("numbers", "`pd.to_numeric(...)` or `.astype(float)`"),
    "bool": ("True/False values", "a comparison such as `== 'yes'`"),
    "datetime": ("dates/times", "`pd.to_datetime(...)`"),
    "timedelta": ("durations", "`pd.to_timedelta(...)`"),
    "text": ("text", "`.astype(str)`"),
}

# Sentinel column that carries row labels when the index must match too.
_INDEX_COLUMN = "\x00index"


# ---------------------------------------------------------------------------
# Describing values


def describe_type(value: Any) -> str:
    """Name the kind of ``value`` the way a learner would.

    Examples
    --------
    >>> describe_type(3.5), describe_type(pd.DataFrame({"a": [1]})), describe_type("x")
    ('a number (float)', 'a DataFrame', 'text (str)')
    """
    if isinstance(value, (bool, np.bool_)):
        return "True/False (bool)"
    if isinstance(value, numbers.Integral):
        return "a whole number (int)"
    if isinstance(value, numbers.Real):
        return "a number (float)"
    if isinstance(value, str):
        return "text (str)"
    named = {
        pd.DataFrame: "a DataFrame",
        pd.Series: "a Series",
        pd.Index: "an Index",
        np.ndarray: "a NumPy array",
        list: "a list",
        tuple: "a tuple",
        set: "a set",
        frozenset: "a set",
        dict: "a dict",
    }
    for kind, words in named.items():
        if isinstance(value, kind):
            return words
    if value is None:
        return "None (did the last line of your code print instead of return?)"
    if callable(value):
        return "a function"
    return f"a {type(value).__name__}"


def format_value(value: Any) -> str:
    """Short, plain rendering of one learner value for a message.

    Examples
    --------
    >>> format_value(1234.5), format_value("web"), format_value(pd.Timestamp("2024-01-02"))
    ('1,234.5', "'web'", '2024-01-02')
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.6g}"
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame {value.shape[0]}×{value.shape[1]}>"
    if isinstance(value, pd.Series):
        return f"<Series of {len(value)}>"
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return "NaN"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _quote_list(items: Iterable[Any], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(format_value(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def close_to(answer: Any, value: float, *, abs_tol: float = 1e-9, rel_tol: float = 1e-9) -> bool:
    """True when ``answer`` is a number within tolerance of ``value`` (for ``diagnose`` hooks).

    Examples
    --------
    >>> close_to(2500.0, 2500), close_to("2500", 2500), close_to(None, 1)
    (True, False, False)
    """
    return _is_number(answer) and math.isclose(float(answer), float(value), rel_tol=rel_tol, abs_tol=abs_tol)


# ---------------------------------------------------------------------------
# Wrong type, with the classic mix-ups spelled out


def _mixup_hint(answer: Any, expected: Any) -> str:
    scalar_expected = _is_number(expected) or isinstance(expected, (str, bool, np.bool_))
    if scalar_expected and isinstance(answer, pd.Series):
        if len(answer) == 1:
            return " Take the single value out with `.item()`."
        return " It should be one value: aggregate the Series (e.g. `.sum()`, `.mean()`, `.max()`)."
    if scalar_expected and isinstance(answer, pd.DataFrame):
        if answer.shape == (1, 1):
            return " Take the single value out with `.iloc[0, 0]`."
        return " It should be one value: select a column and aggregate it."
    if _is_number(expected) and isinstance(answer, str):
        try:
            float(answer.replace(",", ""))
        except ValueError:
            return ""
        return " Remove the quotes so it is a number, not text."
    if isinstance(expected, (bool, np.bool_)) and isinstance(answer, str):
        return " Write True or False without quotes."
    if isinstance(expected, pd.Series) and isinstance(answer, pd.DataFrame):
        if answer.shape[1] == 1:
            return " It has one column: select it with single brackets, `df['column']`, or use `.squeeze()`."
        return " Select the one column you need with single brackets, `df['column']`."
    if isinstance(expected, pd.DataFrame) and isinstance(answer, pd.Series):
        return " Turn it into a table with `.reset_index()` (after a groupby) or `.to_frame()`."
    if isinstance(expected, (pd.Series, pd.DataFrame)) and isinstance(answer, (list, dict, np.ndarray)):
        kind = "Series" if isinstance(expected, pd.Series) else "DataFrame"
        return f" Wrap it with `pd.{kind}(...)`."
    return ""


def wrong_type(answer: Any, expected: Any, *, name: str) -> Comparison:
    """Message for an answer of the wrong kind, e.g. a DataFrame where a number is due.

    Examples
    --------
    >>> wrong_type(pd.Series([3.0]), 0.8, name="share").message
    '`share` should be a number (float); you gave a Series. Take the single value out with `.item()`.'
    """
    return Comparison(
        False,
        f"`{name}` should be {describe_type(expected)}; you gave {describe_type(answer)}."
        + _mixup_hint(answer, expected),
    )


# ---------------------------------------------------------------------------
# Scalars


def _how_far(answer: float, expected: float, *, abs_tol: float, rel_tol: float) -> str:
    direction = "too high" if answer > expected else "too low"
    if expected == 0:
        return f"it is {direction}."
    if answer * expected < 0:
        return "it has the wrong sign."
    tol = max(rel_tol, 1e-6)
    if math.isclose(answer / 100, expected, rel_tol=tol, abs_tol=abs_tol):
        return "it is 100 times too large: give a share between 0 and 1, not a percentage."
    if math.isclose(answer * 100, expected, rel_tol=tol, abs_tol=abs_tol):
        return "it is 100 times too small: give a percentage, not a share between 0 and 1."
    percent = abs(answer - expected) / abs(expected) * 100
    if percent < 0.05:
        return f"off by less than 0.1% — {direction}; check your rounding."
    return f"off by {percent:.1f}% — {direction}."


def compare_number(
    answer: Any, expected: float, *, name: str, abs_tol: float = 0.0, rel_tol: float = 1e-9
) -> Comparison:
    """Compare a number with absolute and relative tolerance.

    Parameters
    ----------
    answer, expected
        The learner's value and the right one. Integers and floats are interchangeable.
    name
        The learner's variable, used in the message.
    abs_tol, rel_tol
        Accepted difference, as in :func:`math.isclose`.

    Returns
    -------
    Comparison
        Says how far off (in percent) and in which direction, never the expected value.

    Examples
    --------
    >>> compare_number(80.0, 0.8, name="share").message
    '`share` is 80, it is 100 times too large: give a share between 0 and 1, not a percentage.'
    >>> compare_number(float("nan"), 1.0, name="x").message
    '`x` is NaN (not a number): look for missing values or a division by zero.'
    """
    if not _is_number(answer):
        return wrong_type(answer, expected, name=name)
    value = float(answer)
    if math.isnan(value):
        return Comparison(False, f"`{name}` is NaN (not a number): look for missing values or a division by zero.")
    if math.isinf(value):
        return Comparison(False, f"`{name}` is infinite: did you divide by zero?")
    if math.isclose(value, float(expected), rel_tol=rel_tol, abs_tol=abs_tol):
        return _OK
    far = _how_far(value, float(expected), abs_tol=abs_tol, rel_tol=rel_tol)
    return Comparison(False, f"`{name}` is {format_value(answer)}, {far}")


def _normalise_text(text: str, *, case_sensitive: bool) -> str:
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def compare_text(answer: Any, expected: str, *, name: str, case_sensitive: bool = False) -> Comparison:
    """Compare text, ignoring surrounding and repeated whitespace and (by default) case.

    Examples
    --------
    >>> compare_text("  E-Newsletter ", "e-newsletter", name="channel").ok
    True
    >>> compare_text("Email", "email", name="channel", case_sensitive=True).message
    "`channel` is 'Email': it differs only in upper/lower case."
    """
    if not isinstance(answer, str):
        return wrong_type(answer, expected, name=name)
    if _normalise_text(answer, case_sensitive=case_sensitive) == _normalise_text(expected, case_sensitive=case_sensitive):
        return _OK
    if _normalise_text(answer, case_sensitive=False) == _normalise_text(expected, case_sensitive=False):
        return Comparison(False, f"`{name}` is {format_value(answer)}: it differs only in upper/lower case.")
    return Comparison(False, f"`{name}` is {format_value(answer)}, which is not right.")


def compare_bool(answer: Any, expected: bool, *, name: str) -> Comparison:
    """Compare True/False answers; text such as ``"True"`` gets a specific hint.

    Examples
    --------
    >>> compare_bool("True", True, name="keep").message
    '`keep` should be True/False (bool); you gave text (str). Write True or False without quotes.'
    """
    if not isinstance(answer, (bool, np.bool_)):
        return wrong_type(answer, expected, name=name)
    if bool(answer) == bool(expected):
        return _OK
    return Comparison(False, f"`{name}` is {bool(answer)}, which is not right.")


def _scalars_equal(a: Any, e: Any, *, abs_tol: float, rel_tol: float) -> bool:
    if _is_number(a) and _is_number(e):
        return math.isclose(float(a), float(e), rel_tol=rel_tol, abs_tol=abs_tol) or (
            math.isnan(float(a)) and math.isnan(float(e))
        )
    try:
        return bool(a == e)
    except (TypeError, ValueError):
        return False


def compare_sequence(
    answer: Any,
    expected: Iterable[Any],
    *,
    name: str,
    ordered: bool = True,
    abs_tol: float = 0.0,
    rel_tol: float = 1e-9,
) -> Comparison:
    """Compare a list (or tuple, array, Series values); a set ``expected`` ignores order.

    Examples
    --------
    >>> compare_sequence(["C1", "C9"], {"C1", "C2"}, name="vip").message
    "`vip` has items that do not belong: 'C9'. It is also missing 1 item."
    >>> compare_sequence([1, 2, 4], [1, 2, 3], name="xs").message
    '`xs` has a wrong item at position 2 (counting from 0): 4.'
    """
    if not isinstance(answer, (list, tuple, set, frozenset, np.ndarray, pd.Series, pd.Index)):
        return wrong_type(answer, expected, name=name)
    items = list(answer)
    if isinstance(expected, Set) or not ordered:
        try:
            got, want = set(items), set(expected)
        except TypeError:
            return Comparison(False, f"`{name}` holds items that cannot be compared as a set (e.g. lists).")
        if got == want:
            return _OK
        parts = []
        extra = sorted(got - want, key=str)
        if extra:
            parts.append(f"`{name}` has items that do not belong: {_quote_list(extra)}.")
        missing = len(want - got)
        if missing:
            noun = "item" if missing == 1 else "items"
            parts.append(f"{'It is also' if parts else f'`{name}` is'} missing {missing} {noun}.")
        return Comparison(False, " ".join(parts))
    want = list(expected)
    if len(items) != len(want):
        how = "too many" if len(items) > len(want) else "too few"
        return Comparison(False, f"`{name}` has {len(items)} items — {how}.")
    for position, (a, e) in enumerate(zip(items, want)):
        if not _scalars_equal(a, e, abs_tol=abs_tol, rel_tol=rel_tol):
            return Comparison(
                False, f"`{name}` has a wrong item at position {position} (counting from 0): {format_value(a)}."
            )
    return _OK


# ---------------------------------------------------------------------------
# Series and DataFrames


def dtype_family(values: pd.Series) -> str:
    """Coarse kind of a column: number, bool, datetime, timedelta, text or empty.

    Object columns are classified by what they hold, so numbers stored as
    objects still count as numbers.

    Examples
    --------
    >>> dtype_family(pd.Series([1, 2])), dtype_family(pd.Series(["a"])), dtype_family(pd.Series([1.5], dtype=object))
    ('number', 'text', 'number')
    """
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if dtype == object:
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        if inferred in {"integer", "floating", "mixed-integer-float", "decimal"}:
            return "number"
        if inferred == "boolean":
            return "bool"
        if inferred in {"datetime", "datetime64", "date"}:
            return "datetime"
        if inferred == "empty":
            return "empty"
    return "text"


def _equal_mask(a: pd.Series, e: pd.Series, *, abs_tol: float, rel_tol: float) -> np.ndarray:
    """Element-wise equality of two equally long columns, NaN equal to NaN."""
    a = a.reset_index(drop=True)
    e = e.reset_index(drop=True)
    if dtype_family(a) in {"number", "bool"} and dtype_family(e) in {"number", "bool"}:
        av = a.to_numpy(dtype=float, na_value=np.nan)
        ev = e.to_numpy(dtype=float, na_value=np.nan)
        return np.isclose(av, ev, rtol=rel_tol, atol=abs_tol, equal_nan=True)
    both_missing = (a.isna() & e.isna()).to_numpy()
    try:
        same = a.eq(e).fillna(False).to_numpy(dtype=bool)
    except (TypeError, ValueError):
        # Mixed kinds (e.g. tz-aware vs naive dates) cannot be compared in one go.
        same = np.array(
            [_scalars_equal(x, y, abs_tol=abs_tol, rel_tol=rel_tol) for x, y in zip(a, e)], dtype=bool
        )
    return same | both_missing


def _sorted_positions(table: pd.DataFrame) -> np.ndarray:
    plain = table.reset_index(drop=True)
    by = list(plain.columns)
    try:
        return plain.sort_values(by=by, kind="mergesort", na_position="last").index.to_numpy()
    except TypeError:
        # Columns mixing kinds do not sort; their text form does, and consistently for both sides.
        return plain.sort_values(by=by, kind="mergesort", key=lambda s: s.astype(str)).index.to_numpy()


def _first_difference(
    got: pd.DataFrame, want: pd.DataFrame, *, abs_tol: float, rel_tol: float
) -> tuple[int, list[str]] | None:
    """Position of the first differing row and the columns that differ there."""
    masks = {c: _equal_mask(got[c], want[c], abs_tol=abs_tol, rel_tol=rel_tol) for c in want.columns}
    if not masks:
        return None
    all_equal = np.logical_and.reduce(list(masks.values()))
    bad = np.flatnonzero(~all_equal)
    if len(bad) == 0:
        return None
    row = int(bad[0])
    return row, [c for c, mask in masks.items() if not mask[row]]


def _column_words(column: str) -> str:
    return "the row label" if column == _INDEX_COLUMN else f"column {column!r}"


def _row_text(row: pd.Series) -> str:
    return ", ".join(
        f"{'index' if c == _INDEX_COLUMN else c}={format_value(v)}" for c, v in row.items()
    )


def _compare_tables(
    answer_table: pd.DataFrame,
    expected_table: pd.DataFrame,
    *,
    name: str,
    labels: pd.Index,
    ignore_order: bool,
    abs_tol: float,
    rel_tol: float,
    series: bool,
) -> Comparison:
    """Shared value check for Series (one column) and DataFrames, after shape checks."""
    got = answer_table.reset_index(drop=True)
    want = expected_table.reset_index(drop=True)
    positions = np.arange(len(got))
    if ignore_order:
        positions = _sorted_positions(got)
        got = got.iloc[positions].reset_index(drop=True)
        want = want.iloc[_sorted_positions(want)].reset_index(drop=True)
    found = _first_difference(got, want, abs_tol=abs_tol, rel_tol=rel_tol)
    if found is None:
        return _OK
    if not ignore_order:
        # Right rows in the wrong order deserve their own message.
        got_sorted = got.iloc[_sorted_positions(got)].reset_index(drop=True)
        want_sorted = want.iloc[_sorted_positions(want)].reset_index(drop=True)
        if _first_difference(got_sorted, want_sorted, abs_tol=abs_tol, rel_tol=rel_tol) is None:
            things = "values" if series else "rows"
            return Comparison(False, f"`{name}` has the right {things} but in the wrong order: sort it as asked.")
    row, columns = found
    label = labels[positions[row]]
    learner_row = answer_table.reset_index(drop=True).iloc[positions[row]]
    if series:
        if columns == [_INDEX_COLUMN]:
            return Comparison(False, f"`{name}` has a wrong label at position {positions[row]}: {format_value(label)}.")
        value = learner_row.drop(_INDEX_COLUMN, errors="ignore").iloc[0]
        where = f"label {format_value(label)}" if _INDEX_COLUMN in got.columns else f"position {positions[row]}"
        return Comparison(False, f"`{name}` has a wrong value at {where}: {format_value(value)}.")
    which = " and ".join(_column_words(c) for c in columns)
    return Comparison(
        False,
        f"The first row of `{name}` that differs is row {format_value(label)} ({which}): {_row_text(learner_row)}.",
    )


def _row_count(name: str, got: int, want: int, *, unit: str, row_rule: str) -> Comparison:
    how = "too many" if got > want else "too few"
    rule = f" It should have {row_rule}." if row_rule else ""
    noun = unit if got == 1 else unit + "s"
    return Comparison(False, f"`{name}` has {got} {noun} — {how}.{rule}")


def _dtype_and_nan_check(
    got: pd.DataFrame, want: pd.DataFrame, *, name: str, check_dtype: bool, series: bool
) -> Comparison:
    for column in want.columns:
        if column == _INDEX_COLUMN:
            continue
        where = "" if series else f" in column {column!r}"
        got_family, want_family = dtype_family(got[column]), dtype_family(want[column])
        if check_dtype and "empty" not in (got_family, want_family) and got_family != want_family:
            holds = _FAMILY_WORDS.get(got_family, (got_family, ""))[0]
            should, convert = _FAMILY_WORDS.get(want_family, (want_family, ""))
            subject = f"`{name}`" if series else f"Column {column!r} of `{name}`"
            return Comparison(False, f"{subject} holds {holds}; it should hold {should} (try {convert}).")
        missing = int(got[column].isna().sum())
        if missing and not want[column].isna().any():
            noun = "value" if missing == 1 else "values"
            return Comparison(False, f"`{name}` has {missing} missing {noun} (NaN){where}.")
    return _OK


def compare_series(
    answer: Any,
    expected: pd.Series,
    *,
    name: str,
    check_index: bool = True,
    ignore_order: bool = False,
    check_dtype: bool = True,
    abs_tol: float = 0.0,
    rel_tol: float = 1e-9,
    row_rule: str = "",
) -> Comparison:
    """Compare a Series: type, length, labels, dtype family, NaNs, then values.

    Parameters
    ----------
    check_index
        Labels (e.g. the groups of a ``groupby``) must match too.
    ignore_order
        Accept any order of the values (and labels).
    row_rule
        How many values there should be, in words ("one per channel"),
        used instead of the number when the length is wrong.

    Examples
    --------
    >>> want = pd.Series([10.0, 20.0], index=["email", "web"])
    >>> compare_series(pd.Series([10.0, 25.0], index=["email", "web"]), want, name="spend").message
    "`spend` has a wrong value at label 'web': 25."
    >>> compare_series(pd.Series([20.0, 10.0], index=["web", "email"]), want, name="spend", ignore_order=True).ok
    True
    """
    if not isinstance(answer, pd.Series):
        return wrong_type(answer, expected, name=name)
    if len(answer) != len(expected):
        return _row_count(name, len(answer), len(expected), unit="value", row_rule=row_rule)
    got = answer.reset_index(drop=True).to_frame("value")
    want = expected.reset_index(drop=True).to_frame("value")
    problem = _dtype_and_nan_check(got, want, name=name, check_dtype=check_dtype, series=True)
    if not problem.ok:
        return problem
    if check_index:
        if isinstance(answer.index, pd.RangeIndex) and not isinstance(expected.index, pd.RangeIndex):
            by = f" by {expected.index.name!r}" if expected.index.name else ""
            return Comparison(
                False,
                f"`{name}` is labelled 0, 1, 2, ...; it should be labelled{by}. "
                "Keep the groupby keys as the index (no `.reset_index(drop=True)`).",
            )
        got.insert(0, _INDEX_COLUMN, answer.index.to_numpy(dtype=object))
        want.insert(0, _INDEX_COLUMN, expected.index.to_numpy(dtype=object))
        if ignore_order:
            extra = [label for label in answer.index if label not in set(expected.index)]
            if extra:
                return Comparison(False, f"`{name}` has labels that do not belong: {_quote_list(extra)}.")
    return _compare_tables(
        got, want, name=name, labels=answer.index, ignore_order=ignore_order,
        abs_tol=abs_tol, rel_tol=rel_tol, series=True,
    )


def compare_frame(
    answer: Any,
    expected: pd.DataFrame,
    *,
    name: str,
    check_index: bool = False,
    ignore_order: bool = False,
    check_dtype: bool = True,
    extra_columns_ok: bool = False,
    abs_tol: float = 0.0,
    rel_tol: float = 1e-9,
    row_rule: str = "",
) -> Comparison:
    """Compare a DataFrame: type, columns, row count, dtype families, NaNs, then rows.

    Column order never matters. Messages name missing and extra columns, the
    row count (as too many/too few, plus ``row_rule`` in words), a column of
    the wrong kind, missing values, and finally the first differing row —
    showing the learner's row, not the expected one.

    Parameters
    ----------
    check_index
        Row labels must match too (otherwise the index is ignored).
    ignore_order
        Accept the rows in any order.
    check_dtype
        Each column must hold the same kind of values (numbers, text, dates...).
    extra_columns_ok
        Accept additional columns.
    abs_tol, rel_tol
        Tolerance for numeric columns.
    row_rule
        How many rows there should be, in words ("one row per customer").

    Examples
    --------
    >>> want = pd.DataFrame({"customer_id": ["C1", "C2"], "spend_hkd": [100.0, 250.0]})
    >>> got = pd.DataFrame({"customer_id": ["C1", "C2"], "spend_hkd": [100.0, 260.0]})
    >>> compare_frame(got, want, name="spend").message
    "The first row of `spend` that differs is row 1 (column 'spend_hkd'): customer_id='C2', spend_hkd=260."
    >>> compare_frame(got[["customer_id"]], want, name="spend").message
    "`spend` is missing columns: 'spend_hkd'."
    """
    if not isinstance(answer, pd.DataFrame):
        return wrong_type(answer, expected, name=name)
    wanted = [str(c) for c in expected.columns]
    have = [str(c) for c in answer.columns]
    missing = [c for c in wanted if c not in have]
    if missing:
        message = f"`{name}` is missing columns: {_quote_list(missing)}."
        index_names = [n for n in answer.index.names if n is not None]
        if set(missing) & set(index_names):
            message += " Some of them are in the index: add `.reset_index()`."
        return Comparison(False, message)
    # A learner who kept the labels as a column needs set_index, whatever else is wrong.
    set_index = (
        f" Use `.set_index({expected.index.name!r})`."
        if check_index and expected.index.name is not None and expected.index.name in have
        else ""
    )
    extra = [c for c in have if c not in wanted]
    if extra and not extra_columns_ok:
        return Comparison(
            False, f"`{name}` has extra columns: {_quote_list(extra)}. Keep only the columns asked for.{set_index}"
        )
    if len(answer) != len(expected):
        return _row_count(name, len(answer), len(expected), unit="row", row_rule=row_rule)
    got = answer.set_axis(have, axis=1)[wanted]
    want = expected.set_axis(wanted, axis=1)
    problem = _dtype_and_nan_check(got, want, name=name, check_dtype=check_dtype, series=False)
    if not problem.ok:
        return problem
    if check_index:
        got = got.reset_index(drop=True)
        want = want.reset_index(drop=True)
        got.insert(0, _INDEX_COLUMN, answer.index.to_numpy(dtype=object))
        want.insert(0, _INDEX_COLUMN, expected.index.to_numpy(dtype=object))
    result = _compare_tables(
        got, want, name=name, labels=answer.index, ignore_order=ignore_order,
        abs_tol=abs_tol, rel_tol=rel_tol, series=False,
    )
    return result if result.ok else Comparison(False, result.message + set_index)


# ---------------------------------------------------------------------------
# Dispatch


def compare_value(
    answer: Any,
    expected: Any,
    *,
    name: str,
    abs_tol: float = 0.0,
    rel_tol: float = 1e-9,
    case_sensitive: bool = False,
    ordered: bool = True,
    check_index: bool | None = None,
    ignore_order: bool = False,
    check_dtype: bool = True,
    extra_columns_ok: bool = False,
    row_rule: str = "",
) -> Comparison:
    """Pick the comparison that fits the type of ``expected``.

    ``check_index=None`` means: labels matter for a Series (a groupby result)
    but not for a DataFrame (a table whose index is an accident of how it was built).

    Examples
    --------
    >>> compare_value(3, 3.0, name="n").ok, compare_value(True, False, name="b").ok
    (True, False)
    """
    if isinstance(expected, pd.DataFrame):
        return compare_frame(
            answer, expected, name=name, check_index=bool(check_index), ignore_order=ignore_order,
            check_dtype=check_dtype, extra_columns_ok=extra_columns_ok, abs_tol=abs_tol, rel_tol=rel_tol,
            row_rule=row_rule,
        )
    if isinstance(expected, pd.Series):
        return compare_series(
            answer, expected, name=name, check_index=True if check_index is None else check_index,
            ignore_order=ignore_order, check_dtype=check_dtype, abs_tol=abs_tol, rel_tol=rel_tol,
            row_rule=row_rule,
        )
    if isinstance(expected, (bool, np.bool_)):
        return compare_bool(answer, bool(expected), name=name)
    if _is_number(expected):
        return compare_number(answer, expected, name=name, abs_tol=abs_tol, rel_tol=rel_tol)
    if isinstance(expected, str):
        return compare_text(answer, expected, name=name, case_sensitive=case_sensitive)
    if isinstance(expected, (list, tuple, set, frozenset, np.ndarray, pd.Index)):
        return compare_sequence(answer, expected, name=name, ordered=ordered, abs_tol=abs_tol, rel_tol=rel_tol)
    if type(answer) is not type(expected):
        return wrong_type(answer, expected, name=name)
    return _OK if _scalars_equal(answer, expected, abs_tol=abs_tol, rel_tol=rel_tol) else Comparison(
        False, f"`{name}` is {format_value(answer)}, which is not right."
    )


__all__ = [
    "Comparison",
    "close_to",
    "compare_bool",
    "compare_frame",
    "compare_number",
    "compare_sequence",
    "compare_series",
    "compare_text",
    "compare_value",
    "describe_type",
    "dtype_family",
    "format_value",
    "wrong_type",
]
