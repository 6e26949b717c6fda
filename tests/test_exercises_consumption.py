"""Mistake tests of helpers/exercises/consumption.py: typical mistakes fail with their own message, and no
message gives the answer away (solutions and placeholders: tests/test_exercises_selftest.py)."""

from __future__ import annotations

import pandas as pd

from helpers import consumption
from helpers.exercises import questions
from helpers.exercises import consumption as ex

from exercise_checks import fails_with

QUESTIONS = questions("consumption")


def _tx() -> pd.DataFrame:
    return ex.EXERCISE.data("tx")


def test_at_least_six_questions_each_tagged_with_a_unit_requirement() -> None:
    assert len(QUESTIONS) >= 6
    assert all(q.requirement.startswith(("105090L2.", "107188L5.")) for q in QUESTIONS)
    assert {q.requirement for q in QUESTIONS} >= {"105090L2.1.1", "105090L2.1.2", "105090L2.2.1", "107188L5.1.2"}


def test_as_of_is_the_day_after_the_last_bundled_order() -> None:
    last = _tx()["order_date"].max()
    assert pd.Timestamp(ex.AS_OF) == last.normalize() + pd.Timedelta(days=1)


def _no_leak(message: str, value: float) -> None:
    for text in (f"{value:.2f}", f"{value:.3f}", f"{value:.0%}", f"{value:.1%}"):
        assert text not in message, (text, message)


def test_q1_rfm_mistakes() -> None:
    tx = _tx()
    good = ex.q1.solution_namespace()["rfm"]
    # Counting lines instead of orders.
    lines = good.assign(frequency_orders=good["customer_id"].map(tx["customer_id"].value_counts()).astype("int64"))
    fails_with(ex.q1, lines, "distinct `order_id`")
    # Timestamps not normalised: the customer who ordered at 23:41 on the last day gets 0 days.
    last = tx.groupby("customer_id")["order_date"].max()
    raw_days = (pd.Timestamp(ex.AS_OF) - last).dt.days
    off = good.assign(recency_days=good["customer_id"].map(raw_days).astype("int64"))
    assert (off["recency_days"] != good["recency_days"]).any()
    fails_with(ex.q1, off, "`.dt.normalize()`")
    # Customers left in the index.
    fails_with(ex.q1, good.set_index("customer_id"), "reset_index")


def test_q2_champions_mistakes() -> None:
    expected = ex.q2.expected_answer()
    segments = consumption.segment_summary(consumption.rfm_table(_tx(), as_of=ex.AS_OF)).set_index("segment")
    message = fails_with(ex.q2, float(segments.loc["Champions", "customer_share"]), "share of *customers*")
    _no_leak(message, expected)
    fails_with(ex.q2, 100 * expected, "not a percentage")


def test_q3_cohort_mistakes() -> None:
    expected = ex.q3.expected_answer()
    cohorts = consumption.cohort_retention(_tx())
    first = cohorts.loc[cohorts["cohort"] == cohorts["cohort"].iloc[0]]
    returned = int(first.loc[first["periods_since_first"] == 1, "customers"].iloc[0])
    message = fails_with(ex.q3, returned, "number of customers")
    _no_leak(message, expected)
    fails_with(ex.q3, returned / _tx()["customer_id"].nunique(), "all customers")
    fails_with(ex.q3, 1.0, "Month 0")


def test_q4_top20_mistakes() -> None:
    expected = ex.q4.expected_answer()
    orders = consumption.order_table(_tx())["amount_hkd"].sort_values(ascending=False)
    by_orders = orders.head(-(-len(orders) // 5)).sum() / orders.sum()
    message = fails_with(ex.q4, by_orders, "*orders*")
    _no_leak(message, expected)
    fails_with(ex.q4, 0.8, "rule of thumb")


def test_q5_weekday_mistakes() -> None:
    expected = ex.q5.expected_answer()
    weekday = consumption.order_table(_tx())["order_date"].dt.day_name().value_counts()
    message = fails_with(ex.q5, weekday.idxmin(), "quietest")
    assert expected not in message
    other = next(d for d in ex.WEEKDAYS if d not in (expected, weekday.idxmin()))
    fails_with(ex.q5, other, "distinct orders")
    fails_with(ex.q5, "Funday", "should be one of")
    assert ex.q5.grade({ex.q5.var: expected.lower()}).status == "correct"


def test_q6_device_mistakes() -> None:
    expected = ex.q6.expected_answer()
    by_device = consumption.spend_by(_tx(), "device").set_index("device")
    most_orders = by_device["orders"].idxmax()
    assert most_orders != expected  # the planted trap: the biggest device group is not the most frequent buyer
    message = fails_with(ex.q6, most_orders, "most customers")
    assert expected not in message


def test_q7_winback_mistakes() -> None:
    expected = ex.q7.expected_answer()
    assert expected in ex.LAPSED_SEGMENTS
    message = fails_with(ex.q7, "Champions", "ordered recently")
    assert expected not in message
    other_lapsed = next(s for s in ex.LAPSED_SEGMENTS if s != expected)
    message = fails_with(ex.q7, other_lapsed, "another lapsed segment")
    assert expected not in message


def test_load_orders_is_a_copy() -> None:
    tx = ex.load_orders()
    tx["amount"] = 0.0
    assert ex.EXERCISE.data("tx")["amount"].sum() > 0


def test_q8_promotion_mistakes() -> None:
    expected = ex.q8.expected_answer()
    tx = _tx()
    message = fails_with(ex.q8, float(tx["promotion_id"].notna().mean()), "*lines*")
    _no_leak(message, expected)
    promotions = consumption.promotion_response(tx)
    promoted = promotions.loc[promotions["promotion"] != "no promotion"]
    fails_with(ex.q8, float(promoted["revenue_hkd"].sum() / promotions["revenue_hkd"].sum()), "*revenue*")
    fails_with(ex.q8, len(promoted), "number of promotions")
