"""The exercise engine: placeholders, feedback per kind, hints, solutions, logging, versions.

Expected values are worked out by hand on the tiny tables below, never copied
from the engine's output.
"""

from __future__ import annotations

import json
import types
import warnings

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
import yaml
from nbclient import NotebookClient

from helpers.exercises import (
    ChartQuestion,
    ChoiceQuestion,
    CodeSolution,
    DiscussionQuestion,
    Exercise,
    ExerciseVersionWarning,
    FrameQuestion,
    FunctionQuestion,
    Outcome,
    TextSolution,
    UnknownRequirementError,
    ValueQuestion,
    ____,
    bind,
    questions,
    read_attempts,
    solution_viewed_before_correct,
)
from helpers.exercises import warm_up
from helpers.exercises.attempts import FIELDS, LOG_ENV_VAR

from conftest import PROJECT
NOTEBOOK = PROJECT / "exercises" / "00_warm_up.ipynb"

# Four orders from three customers. Spend per customer: A = 100 + 60 = 160, B = 40, C = 300;
# total 500, so the top customer's share is 300 / 500 = 0.6.
TINY = pd.DataFrame({"customer_id": ["A", "B", "A", "C"], "amount_hkd": [100.0, 40.0, 60.0, 300.0]})
SPEND = pd.DataFrame({"customer_id": ["A", "B", "C"], "spend_hkd": [160.0, 40.0, 300.0]})

EX = Exercise("engine_test", "0.1", loaders={"orders": lambda: TINY.copy()})


class TopShare(ValueQuestion):
    var = "top_share"
    requirement = "107188L5.1.2"
    hints = ["Add up per customer.", "Divide the biggest by the total."]
    solution = CodeSolution("s = orders.groupby('customer_id')['amount_hkd'].sum()\ntop_share = s.max() / s.sum()")
    tolerance = 0.005

    def expected(self, ctx):
        s = ctx.data("orders").groupby("customer_id")["amount_hkd"].sum()
        return s.max() / s.sum()


class SpendTable(FrameQuestion):
    var = "spend"
    requirement = "105090L2.1.2"
    solution = CodeSolution(
        "spend = orders.groupby('customer_id', as_index=False)['amount_hkd'].sum()"
        ".rename(columns={'amount_hkd': 'spend_hkd'})"
    )
    row_rule = "one row per customer"

    def expected(self, ctx):
        orders = ctx.data("orders")
        return (
            orders.groupby("customer_id", as_index=False)["amount_hkd"].sum().rename(columns={"amount_hkd": "spend_hkd"})
        )


class SpendSeries(FrameQuestion):
    var = "spend_by_customer"
    requirement = "105090L2.1.2"
    solution = CodeSolution("spend_by_customer = orders.groupby('customer_id')['amount_hkd'].sum()")

    def expected(self, ctx):
        return ctx.data("orders").groupby("customer_id")["amount_hkd"].sum()


class Discount(FunctionQuestion):
    var = "apply_discount"
    requirement = "105090L2.2.3"
    solution = CodeSolution("def apply_discount(price, rate):\n    return price * (1 - rate)")
    cases = [(100.0, 0.1), (80.0, 0.25)]  # 90 and 60

    def expected(self, ctx):
        return lambda price, rate: price * (1 - rate)


class Channel(ChoiceQuestion):
    var = "best_channel"
    requirement = "105090L2.2.2"
    options = ("email", "search ads", "print")
    solution = CodeSolution("best_channel = 'email'")

    def expected(self, ctx):
        return "email"


class SpendChart(ChartQuestion):
    var = "ax"
    requirement = "105090L2.1.2"
    kind = "bar"
    solution = CodeSolution("ax = SPEND.plot.bar(x='customer_id', y='spend_hkd', title='C spends most')")

    def expected(self, ctx):
        return ctx.data("orders")["customer_id"].nunique()  # one bar per customer: 3


class WhyConsent(DiscussionQuestion):
    var = "why_consent"
    requirement = "105090L2.3.1"
    solution = TextSolution("Direct marketing needs the customer's consent.")


share_q = TopShare(EX, 1)
table_q = SpendTable(EX, 2)
series_q = SpendSeries(EX, 3)
func_q = Discount(EX, 4)
choice_q = Channel(EX, 5)
chart_q = SpendChart(EX, 6)
talk_q = WhyConsent(EX, 7)
ALL = [share_q, table_q, series_q, func_q, choice_q, chart_q, talk_q]


@pytest.fixture(autouse=True)
def _run_in_tmp(tmp_path, monkeypatch) -> None:
    # A check without an explicit log path logs to the working directory: keep that out of the repo.
    monkeypatch.chdir(tmp_path)


def grade(q, answer):
    return q.grade({q.var: answer})


# ---------------------------------------------------------------------------
# Not attempted


@pytest.mark.parametrize("q", ALL, ids=lambda q: type(q).__name__)
def test_placeholder_and_missing_variable_are_not_attempted(q, capsys) -> None:
    assert grade(q, ____).status == "not_attempted"
    assert q.grade({}).status == "not_attempted"
    assert q.check({q.var: ____}) is None  # never raises
    assert "Not attempted yet" in capsys.readouterr().out


def test_check_reads_the_callers_globals(capsys, monkeypatch) -> None:
    monkeypatch.setenv(LOG_ENV_VAR, "off")
    globals()["top_share"] = 0.6
    try:
        share_q.check()
    finally:
        del globals()["top_share"]
    assert capsys.readouterr().out.startswith("Correct")


# ---------------------------------------------------------------------------
# Numbers


def test_number_right_and_tolerance_edges() -> None:
    for inside in (0.6, 0.6049, 0.5951, 3 / 5):
        assert grade(share_q, inside).status == "correct", inside
    for outside in (0.6051, 0.5949):
        assert grade(share_q, outside).status == "incorrect", outside


def test_number_off_by_names_direction_and_hides_the_expected_value() -> None:
    high = grade(share_q, 0.75).message  # (0.75 - 0.6) / 0.6 = 25%
    assert "`top_share`" in high and "25.0%" in high and "too high" in high
    low = grade(share_q, 0.45).message  # (0.6 - 0.45) / 0.6 = 25%
    assert "25.0%" in low and "too low" in low
    for message in (high, low):
        assert "0.6," not in message and "0.60" not in message and "300" not in message


def test_percentage_instead_of_share_gets_its_own_message() -> None:
    assert "100 times too large" in grade(share_q, 60.0).message


def test_wrong_type_names_both_types() -> None:
    message = grade(share_q, TINY).message
    assert "`top_share` should be a number (float); you gave a DataFrame" in message
    assert ".item()" in grade(share_q, pd.Series([0.6])).message
    assert "Remove the quotes" in grade(share_q, "0.6").message
    assert grade(share_q, float("nan")).message.startswith("`top_share` is NaN")


# ---------------------------------------------------------------------------
# DataFrames and Series


def test_frame_right_answer_passes_whatever_the_column_order_and_index() -> None:
    assert grade(table_q, SPEND).status == "correct"
    assert grade(table_q, SPEND[["spend_hkd", "customer_id"]].set_axis([7, 8, 9])).status == "correct"


def test_frame_missing_and_extra_columns() -> None:
    assert grade(table_q, SPEND[["customer_id"]]).message == "`spend` is missing columns: 'spend_hkd'."
    extra = grade(table_q, SPEND.assign(tmp=1)).message
    assert "extra columns: 'tmp'" in extra


def test_frame_row_count_uses_the_rule_not_the_number() -> None:
    message = grade(table_q, pd.concat([SPEND, SPEND.iloc[:1]])).message
    assert message == "`spend` has 4 rows — too many. It should have one row per customer."
    assert "too few" in grade(table_q, SPEND.iloc[:2]).message


def test_frame_dtype_and_nans() -> None:
    as_text = grade(table_q, SPEND.assign(spend_hkd=SPEND["spend_hkd"].astype(str))).message
    assert "Column 'spend_hkd' of `spend` holds text; it should hold numbers" in as_text
    with_nan = grade(table_q, SPEND.assign(spend_hkd=[160.0, None, 300.0])).message
    assert with_nan == "`spend` has 1 missing value (NaN) in column 'spend_hkd'."


def test_frame_first_differing_row_shows_the_learners_row_only() -> None:
    wrong = SPEND.assign(spend_hkd=[160.0, 40.0, 310.0])
    message = grade(table_q, wrong).message
    assert "row 2" in message and "'spend_hkd'" in message and "310" in message
    assert "300" not in message


def test_frame_wrong_order_and_order_insensitive_option() -> None:
    shuffled = SPEND.iloc[[2, 0, 1]]
    assert "wrong order" in grade(table_q, shuffled).message

    class AnyOrder(SpendTable):
        ignore_order = True

    assert grade(AnyOrder(EX, 20), shuffled).status == "correct"


def test_series_dataframe_mixups_get_specific_hints() -> None:
    as_series = grade(table_q, SPEND["spend_hkd"]).message
    assert "you gave a Series" in as_series and ".reset_index()" in as_series
    one_column = grade(series_q, SPEND.set_index("customer_id")).message
    assert "you gave a DataFrame" in one_column and ".squeeze()" in one_column
    in_index = grade(table_q, SPEND.set_index("customer_id")).message
    assert "missing columns: 'customer_id'" in in_index and ".reset_index()" in in_index


def test_series_labels_and_values() -> None:
    right = pd.Series([160.0, 40.0, 300.0], index=pd.Index(["A", "B", "C"], name="customer_id"))
    assert grade(series_q, right).status == "correct"
    wrong = right.copy()
    wrong["B"] = 45.0
    message = grade(series_q, wrong).message
    assert message == "`spend_by_customer` has a wrong value at label 'B': 45." and "40" not in message
    assert "labelled 0, 1, 2" in grade(series_q, right.reset_index(drop=True)).message


# ---------------------------------------------------------------------------
# Functions, choices, charts, discussion


def test_function_question(capsys) -> None:
    def good(price, rate):
        print("learner output")  # must not reach the grader's output
        return price * (1 - rate)

    assert grade(func_q, good).status == "correct"
    assert capsys.readouterr().out == ""
    wrong = grade(func_q, lambda price, rate: price * rate)  # 100 * 0.1 = 10 instead of 90
    assert wrong.status == "incorrect" and "`apply_discount(100.0, 0.1)` is 10" in wrong.message
    assert "90" not in wrong.message
    crash = grade(func_q, lambda price, rate: price / 0)
    assert crash.status == "error" and "ZeroDivisionError" in crash.message
    assert "should be a function" in grade(func_q, 90.0).message


def test_choice_question() -> None:
    assert grade(choice_q, " Email ").status == "correct"
    wrong = grade(choice_q, "print")
    assert wrong.status == "incorrect" and "'print'" in wrong.message
    invalid = grade(choice_q, "tv")
    assert "should be one of 'email', 'search ads', 'print'" in invalid.message


def test_chart_question() -> None:
    fig, ax = plt.subplots()
    try:
        ax.bar(SPEND["customer_id"], SPEND["spend_hkd"])
        assert "no title" in grade(chart_q, ax).message
        ax.set_title("C spends most")
        assert grade(chart_q, ax).status == "correct"
        assert grade(chart_q, fig).status == "correct"
        _, two = plt.subplots()
        two.bar(["A", "B"], [1, 2])
        assert "2 bars — too few" in grade(chart_q, two).message
        _, line = plt.subplots()
        line.plot([1, 2, 3])
        assert "shows no bars" in grade(chart_q, line).message
        assert "should be a chart" in grade(chart_q, 3).message
    finally:
        plt.close("all")


def test_discussion_is_recorded_not_graded() -> None:
    assert grade(talk_q, "Ask for consent first.").status == "recorded"
    assert grade(talk_q, "   ").status == "not_attempted"
    assert grade(talk_q, 42).status == "incorrect"


def test_a_failing_checker_is_an_error_outcome_not_an_exception() -> None:
    class Broken(ValueQuestion):
        var = "x"
        requirement = "105090L2.1.2"
        solution = CodeSolution("x = 1")

        def expected(self, ctx):
            raise KeyError("no such column")

    assert grade(Broken(EX, 30), 1).status == "error"


# ---------------------------------------------------------------------------
# Hints, solutions, rendering


def test_hint_numbering(capsys) -> None:
    share_q.hint(namespace={})
    first = capsys.readouterr().out
    assert first.startswith("Hint 1 of 2: Add up per customer.") and "q1.hint(2)" in first
    share_q.hint(2, namespace={})
    second = capsys.readouterr().out
    assert second.startswith("Hint 2 of 2: Divide") and "next" not in second
    for bad in (0, 3):
        share_q.hint(bad, namespace={})
        assert "There are 2 hints" in capsys.readouterr().out
    table_q.hint(namespace={})
    assert "no hints" in capsys.readouterr().out


def test_solution_display(capsys) -> None:
    share_q.solution(namespace={})
    assert "top_share = s.max() / s.sum()" in capsys.readouterr().out
    bundle = share_q.master_solution.mimebundle()
    assert bundle["text/markdown"].startswith("**Solution:**\n\n```python\n")
    assert callable(share_q.solution)  # the declared solution did not hide the method


def test_outcome_html_box_colours_and_escapes() -> None:
    box = Outcome("incorrect", "`x` is <b>").mimebundle()["text/html"]
    assert "#b3261e" in box and "<code>x</code>" in box and "&lt;b&gt;" in box
    assert "#1b7f3b" in Outcome("correct", "ok")._repr_html_()
    assert "#5f6368" in Outcome("not_attempted", "later")._repr_html_()
    with pytest.raises(ValueError):
        Outcome("passed", "no such status")


# ---------------------------------------------------------------------------
# Declaration: requirements, laziness, registry


def test_unknown_requirement_is_an_error_at_declaration() -> None:
    class Bad(ValueQuestion):
        var = "x"
        requirement = "105090L2.9.9"
        solution = CodeSolution("x = 1")

    with pytest.raises(UnknownRequirementError, match="105090L2.9.9"):
        Bad(EX, 40)


def test_warm_up_requirements_exist_in_competencies_yaml() -> None:
    ids = set(yaml.safe_load((PROJECT / "helpers" / "competencies.yaml").read_text())["requirements"])
    used = [q.requirement for q in questions(warm_up)]
    assert used == ["105090L2.1.2", "107188L5.1.2", "105090L2.3.2"]
    assert set(used) <= ids


def test_expected_is_lazy_and_cached() -> None:
    calls = []
    lazy = Exercise("lazy", "1", loaders={"orders": lambda: calls.append(1) or TINY.copy()})
    q = TopShare(lazy, 1)
    assert calls == []  # declaring a question loads nothing
    grade(q, 0.6)
    grade(q, 0.7)
    assert calls == [1]


def test_questions_lists_in_order_and_rejects_duplicate_numbers() -> None:
    assert [q.number for q in questions("warm_up")] == [1, 2, 3]
    module = types.ModuleType("dup")
    module.a, module.b = TopShare(EX, 50), TopShare(EX, 50)
    with pytest.raises(ValueError, match="number 50"):
        questions(module)


# ---------------------------------------------------------------------------
# The warm-up exercise


def test_warm_up_expected_answers_by_hand() -> None:
    # Orders 1200 + 150 + 800 + 100 + 250 = 2500 over 5 orders.
    assert warm_up.q1.expected_answer() == pytest.approx(500.0)
    # Customer C1 has 1200 + 800 = 2000 of 2500.
    assert warm_up.q2.expected_answer() == pytest.approx(0.8)
    assert warm_up.q3.expected_answer() == "no"


@pytest.mark.parametrize("q", questions(warm_up), ids=lambda q: q.name)
def test_warm_up_master_solutions_pass_and_placeholder_is_not_attempted(q) -> None:
    assert q.grade(q.solution_namespace()).status == "correct"
    assert q.grade({q.var: ____}).status == "not_attempted"
    assert q.hints, "every warm-up question has hints"


@pytest.mark.parametrize(
    ("q", "answer", "phrase"),
    [
        (warm_up.q1, 2500.0, "total revenue"),
        (warm_up.q1, 625.0, "per customer"),  # (2000 + 150 + 100 + 250) / 4 customers
        (warm_up.q2, 0.48, "largest single order"),  # 1200 / 2500
        (warm_up.q2, 80.0, "100 times too large"),
        (warm_up.q3, "yes", "not the best choice"),
    ],
)
def test_warm_up_typical_mistakes(q, answer, phrase) -> None:
    outcome = q.grade({q.var: answer})
    assert outcome.status == "incorrect" and phrase in outcome.message


# ---------------------------------------------------------------------------
# Binding and versions


def test_version_mismatch_warns_and_match_is_silent() -> None:
    with pytest.warns(ExerciseVersionWarning, match="version 0.0.1"):
        bind({}, "warm_up", version="0.0.1", log_path=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bind({}, "warm_up", version=warm_up.__version__, log_path=None)


def test_bind_unknown_exercise_lists_the_available_ones() -> None:
    with pytest.raises(ValueError, match="warm_up"):
        bind({}, "no_such_exercise")


# ---------------------------------------------------------------------------
# The attempt log


def test_log_records_check_hint_solution_without_answers(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(LOG_ENV_VAR, raising=False)
    log = tmp_path / "attempts.jsonl"
    ns: dict = {}
    bind(ns, "warm_up", version=warm_up.__version__, log_path=log)
    ns["avg_order_value_hkd"] = 123.0
    warm_up.q1.check(ns)
    warm_up.q1.hint(2, namespace=ns)
    warm_up.q1.solution(ns)
    warm_up.q1.check({**ns, **warm_up.q1.solution_namespace()})
    warm_up.q2.hint(namespace=ns)
    warm_up.q2.check({**ns, **warm_up.q2.solution_namespace()})

    text = log.read_text()
    assert "123" not in text
    assert all(set(json.loads(line)) == set(FIELDS) for line in text.splitlines())
    df = read_attempts(log)
    assert df["event"].tolist() == ["check", "hint", "solution", "check", "hint", "check"]
    assert df["status"].tolist()[::3] == ["incorrect", "correct"]
    assert df["hint"].tolist()[1] == 2 and df["question"].tolist() == [1, 1, 1, 1, 2, 2]
    assert set(df["exercise_version"]) == {warm_up.__version__}
    assert df["requirement"].tolist()[-1] == "107188L5.1.2"
    assert str(df["ts"].dt.tz) == "UTC"

    flags = solution_viewed_before_correct(df).set_index("question")
    assert flags.loc[1, "solution_viewed_before_correct"]
    assert not flags.loc[2, "solution_viewed_before_correct"]
    assert flags.loc[2, "hints_before_correct"] == 1


def test_log_default_path_none_and_env_switch(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(LOG_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    ns: dict = {"avg_order_value_hkd": ____}
    bind(ns, "warm_up")
    warm_up.q1.check(ns)
    assert len((tmp_path / "warm_up.attempts.jsonl").read_text().splitlines()) == 1

    quiet = tmp_path / "quiet"
    quiet.mkdir()
    monkeypatch.chdir(quiet)
    off: dict = {"avg_order_value_hkd": ____}
    bind(off, "warm_up", log_path=None)
    warm_up.q1.check(off)
    monkeypatch.setenv(LOG_ENV_VAR, "off")
    warm_up.q1.check({"avg_order_value_hkd": ____})
    assert list(quiet.iterdir()) == []


def test_invalid_hint_numbers_are_not_logged(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(LOG_ENV_VAR, raising=False)
    ns: dict = {}
    bind(ns, "warm_up", log_path=tmp_path / "log.jsonl")
    warm_up.q1.hint(9, namespace=ns)
    assert not (tmp_path / "log.jsonl").exists()


def test_corrupt_log_lines_are_skipped_and_counted(tmp_path) -> None:
    good = {"ts": "2024-01-01T00:00:00+00:00", "exercise": "warm_up", "question": 1, "event": "check",
            "status": "correct"}
    log = tmp_path / "warm_up.attempts.jsonl"
    log.write_text(
        json.dumps(good) + "\n{not json\n\n" + json.dumps({**good, "event": "peek"}) + "\n" + json.dumps(good) + "\n"
    )
    with pytest.warns(UserWarning, match="skipped 2 corrupt"):
        df = read_attempts(log)
    assert len(df) == 2 and df.attrs["skipped_lines"] == 2
    assert df["line"].tolist() == [1, 5]


# ---------------------------------------------------------------------------
# The warm-up notebook


def _code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_warm_up_notebook_follows_the_exercise_format() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    setup, *rest = _code_cells(nb)
    assert f'bind(globals(), exercise="warm_up", version="{warm_up.__version__}")' in setup
    # Master solutions run after EXERCISE.setup: it must define what the notebook's setup defines.
    notebook_ns: dict = {}
    exec(setup, notebook_ns)
    exercise_ns: dict = {}
    exec(warm_up.EXERCISE.setup, exercise_ns)
    for name, value in exercise_ns.items():
        if not name.startswith("__"):
            assert name in notebook_ns
            if isinstance(value, pd.DataFrame):
                pd.testing.assert_frame_equal(value, notebook_ns[name])
    for q, answer_cell, help_cell in zip(questions(warm_up), rest[::2], rest[1::2], strict=True):
        assert answer_cell.splitlines() == [f"{q.var} = ____", "", f"{q.name}.check()"]
        assert help_cell.splitlines() == [f"# {q.name}.hint()", f"# {q.name}.solution()"]


def test_untouched_warm_up_notebook_runs_and_says_not_attempted(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(LOG_ENV_VAR, raising=False)  # the kernel inherits this process's environment
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    plain = [o.get("data", {}).get("text/plain", "") for o in outputs]
    assert sum("Not attempted yet" in text for text in plain) == 3
    log = read_attempts(tmp_path / "warm_up.attempts.jsonl")
    assert log["status"].tolist() == ["not_attempted"] * 3 and log["question"].tolist() == [1, 2, 3]
