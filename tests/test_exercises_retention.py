"""Mistake tests of helpers/exercises/retention.py: typical mistakes fail with their own message, and no
message gives the answer away (solutions and placeholders: tests/test_exercises_selftest.py)."""

from __future__ import annotations

import pytest

from helpers import clv, retention
from helpers.exercises import questions
from helpers.exercises import retention as ex

from exercise_checks import fails_with

QUESTIONS = questions("retention")


def test_at_least_six_questions_each_tagged_with_a_known_requirement():
    assert len(QUESTIONS) >= 6
    assert {q.requirement for q in QUESTIONS} >= {"105090L2.1.3", "105090L2.1.4", "105090L2.1.5", "105090L2.2.2",
                                                  "105090L2.2.3", "107188L5.1.2"}
    assert all(q.hints and q.master_solution is not None for q in QUESTIONS)


def _no_leak(message: str, expected: float) -> None:
    for shown in (f"{expected:.3f}", f"{expected:.2f}", f"{expected:.1%}", f"{expected:.4f}"):
        assert shown not in message, message


def test_q1_open_rate_mistakes():
    sends = ex.EXERCISE.data("sends")
    email = sends[sends["channel"] == "email"]
    treated = email[email["group"] == "treatment"]
    expected = ex.q1.expected_answer()
    # opened ÷ delivered among treated e-mail sends
    assert expected == pytest.approx(treated["opened_at"].notna().sum() / treated["delivered"].sum())
    _no_leak(fails_with(ex.q1, float(treated["opened_at"].notna().mean()), "undelivered"), expected)
    fails_with(ex.q1, float(email["opened_at"].notna().mean()), "holdout")


def test_q2_forum_verdict_mistake():
    # The bundled shop plants no true forum effect (data/README.md): the honest verdict is "not significant".
    assert ex.q2.expected_answer() == "not significant"
    fails_with(ex.q2, "significant lift", "p-value")
    assert ex.q2.grade({ex.q2.var: "Not  Significant"}).status == "correct"


def test_q3_segment_mistake():
    # Planted: campaigns have zero true lift for lapsed customers.
    assert ex.q3.expected_answer() == "lapsed"
    fails_with(ex.q3, "active", "significant")
    fails_with(ex.q3, "active_high", "significant")


def test_q4_coupon_roi_mistakes():
    coupons = ex.EXERCISE.data("coupons")
    arm = coupons[coupons["value_hkd"] == 50]
    cost = arm["redeemed_at"].notna().sum() * 50
    economics = retention.coupon_economics(coupons, gross_margin=ex.GROSS_MARGIN).set_index("value_hkd")
    incremental = economics.loc[50, "incremental_revenue_hkd"]
    expected = ex.q4.expected_answer()
    assert expected == pytest.approx((incremental * 0.35 - cost) / cost)
    _no_leak(fails_with(ex.q4, (arm["revenue_in_window_hkd"].sum() * 0.35 - cost) / cost, "control arm"), expected)
    fails_with(ex.q4, (incremental - cost) / cost, "margin")


def test_q5_viral_coefficient_mistakes():
    referrals, customers = ex.EXERCISE.data("referrals"), ex.EXERCISE.data("customers")
    expected = ex.q5.expected_answer()
    assert expected == pytest.approx(referrals["signed_up_at"].notna().sum() / len(customers))
    _no_leak(fails_with(ex.q5, referrals["first_order_at"].notna().sum() / len(customers), "sign-ups"), expected)
    fails_with(ex.q5, referrals["signed_up_at"].notna().sum() / referrals["referrer_id"].nunique(), "all existing customers")
    fails_with(ex.q5, len(referrals) / len(customers), "invitations per customer")


def test_q6_p_alive_mistakes():
    bgnbd, _ = ex.case_models()
    case = ex.clv_case()
    # B: x=6, t_x=8, T=40: odds of death = a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)
    #    = 0.793/7.426 · (44.414/12.414)^6.243 = 0.10679 · 3.57774^6.243 = 0.10679 · 2861.6 = 305.6 -> P = 1/306.6 = 0.00326
    expected = ex.q6.expected_answer()
    assert expected == pytest.approx(0.00326, abs=5e-5)
    fails_with(ex.q6, 1 - expected, "dropped out")
    swapped = case.assign(recency_weeks=(case["T_weeks"] - case["recency_weeks"]).where(case["frequency"] > 0, 0.0))
    _no_leak(fails_with(ex.q6, float(clv.p_alive(bgnbd, swapped).loc["B"]), "first to the last"), expected)


def test_q7_expected_value_mistakes():
    bgnbd, gamma_gamma = ex.case_models()
    case = ex.clv_case()
    expected = ex.q7.expected_answer()
    purchases = float(clv.expected_purchases(bgnbd, case, horizon_days=365).loc["A"])
    # Gamma-Gamma spend for A: (γ + x·m)·p / (p·x + q − 1) = (120 + 6·420)·6.25 / (37.5 + 2.74) = 16500 / 40.24 = 410.04
    assert expected == pytest.approx(purchases * 410.04, rel=1e-4)
    fails_with(ex.q7, float(clv.clv_table(bgnbd, gamma_gamma, case, horizon_days=52).loc["A", "expected_value"]), "365")
    _no_leak(fails_with(ex.q7, purchases * 420.0, "shrinks"), expected)
    fails_with(ex.q7, 6 * 420.0, "past")


def test_q8_next_budget_mistakes():
    channels = ex.EXERCISE.data("channels").set_index("channel")
    assert ex.q8.expected_answer() == "email"
    assert not channels.loc["forum", "significant"]
    fails_with(ex.q8, "forum", "did not beat its holdout")
    fails_with(ex.q8, "HK$100 coupon", "incremental revenue per HK$")
    fails_with(ex.q8, "billboards", "should be one of")


def test_q9_loyalty_causation_mistake():
    assert ex.q9.expected_answer() == "no"
    fails_with(ex.q9, "yes", "chose to join")
    assert ex.q9.grade({ex.q9.var: False}).status == "correct"  # True/False are read as yes/no


def test_q10_welcome_take_up_mistakes():
    welcome = ex.EXERCISE.data("welcome")
    hk100 = welcome[welcome["offer"].str.startswith("HK$100")]
    expected = ex.q10.expected_answer()
    assert expected == pytest.approx(hk100["taken_up_at"].notna().mean())
    _no_leak(fails_with(ex.q10, float(welcome["taken_up_at"].notna().mean()), "all three offers"), expected)
    fails_with(ex.q10, hk100["taken_up_at"].notna().sum() / welcome["taken_up_at"].notna().sum(), "share of all take-ups")
