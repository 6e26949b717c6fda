"""Mistake tests of helpers/exercises/prospecting.py: typical mistakes fail with their own message, and no
message gives the answer away (solutions and placeholders: tests/test_exercises_selftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import prospecting
from helpers.exercises import questions
from helpers.exercises import prospecting as ex

from exercise_checks import fails_with

QUESTIONS = questions("prospecting")


def test_at_least_six_questions_each_tagged_with_a_unit_107188L5_requirement():
    assert len(QUESTIONS) >= 6
    assert all(q.requirement.startswith("107188L5.") for q in QUESTIONS)
    assert {q.requirement for q in QUESTIONS} >= {
        "107188L5.1.1", "107188L5.1.2", "107188L5.2.1", "107188L5.2.2", "107188L5.2.3", "107188L5.2.4",
        "107188L5.2.5", "107188L5.2.6", "107188L5.3.1"}  # every requirement of the unit


def _hidden(message, value, digits=0):
    """The expected value does not appear in the message (as printed with thousands separators or not)."""
    for text in {f"{value:,.{digits}f}", f"{value:.{digits}f}"}:
        assert text not in message, message


def _comparison():
    return prospecting.method_comparison(ex.EXERCISE.data("leads"))


def test_q1_lead_value_mistakes():
    row = _comparison().loc["referral"]
    # value per lead = conversion rate x value per converted lead
    assert ex.q1.expected_answer() == pytest.approx(row["conversion_rate"] * row["value_per_customer_hkd"])
    message = fails_with(ex.q1, row["value_per_customer_hkd"], "chance of converting")
    _hidden(message, ex.q1.expected_answer())
    fails_with(ex.q1, row["conversion_rate"], "only the chance")
    fails_with(ex.q1, row["value_hkd"], "divide by the number of leads")


def test_q2_cpa_mistakes():
    leads = ex.EXERCISE.data("leads")
    own = leads[leads["method"] == "influencer"]
    converted = own["converted_at"].notna()
    assert ex.q2.expected_answer() == pytest.approx(own["cost_hkd"].sum() / converted.sum())
    message = fails_with(ex.q2, own["cost_hkd"].mean(), "cost per lead")
    _hidden(message, ex.q2.expected_answer())
    fails_with(ex.q2, own.loc[converted, "cost_hkd"].mean(), "unconverted ones were paid for")


def test_q3_cycle_time_mistakes():
    cycles = prospecting.cycle_times(ex.EXERCISE.data("leads"))
    email = cycles.loc[cycles["method"] == "email_promotion", "cycle_days"]
    assert ex.q3.expected_answer() == pytest.approx(email.median())
    assert ex.q3.expected_answer() > _comparison().drop("email_promotion")["median_cycle_days"].max()  # slowest
    message = fails_with(ex.q3, email.mean(), "median")
    _hidden(message, ex.q3.expected_answer(), 1)
    fails_with(ex.q3, email.median() * 24, "hours")
    fails_with(ex.q3, cycles["cycle_days"].median(), "only e-mail")


def test_q4_keywords_to_pause_mistakes():
    perf = prospecting.keyword_performance(ex.EXERCISE.data("ads"))
    expected = ex.q4.expected_answer()
    assert sorted(perf.loc[(perf["roas"] < 1) & (perf["clicks"] >= 100), "keyword"]) == expected
    assert {"free", "cheap", "best deals", "shopping"} <= set(expected)  # the planted wasteful broad keywords
    # typical mistake: pause every broad-match keyword, including ones that pay back
    broad = sorted(perf.loc[perf["match_type"] == "broad", "keyword"])
    message = fails_with(ex.q4, broad, "returns at least HK$1")
    assert not any(f"'{k}'" in message for k in expected)
    # typical mistake: only the keywords that returned almost nothing
    worst = sorted(perf.loc[perf["roas"] < 0.5, "keyword"])
    assert set(worst) < set(expected)
    fails_with(ex.q4, worst, "other keywords also return less")
    assert ex.q4.grade({ex.q4.var: list(reversed(expected))}).status == "correct"  # order does not matter


def test_q5_saving_mistakes():
    plan = prospecting.keyword_decisions(prospecting.keyword_performance(ex.EXERCISE.data("ads")))
    paused = plan[plan["action"] == "pause"]
    assert ex.q5.expected_answer() == pytest.approx(paused["cost_hkd"].sum())
    message = fails_with(ex.q5, paused["revenue_hkd"].sum(), "revenue")
    _hidden(message, ex.q5.expected_answer())
    fails_with(ex.q5, paused["cost_hkd"].sum() - paused["revenue_hkd"].sum(), "nets off")
    fails_with(ex.q5, plan["cost_hkd"].sum(), "whole ad spend")


def test_q6_gains_reading_mistakes():
    gains = ex.EXERCISE.data("gains")
    assert ex.q6.expected_answer() == pytest.approx(gains["conversions"].iloc[:2].sum() / gains["conversions"].sum())
    assert ex.q6.expected_answer() > 0.4  # the score is much better than random (0.2)
    message = fails_with(ex.q6, gains.loc[1, "cum_conversion_share"], "top 10%")
    _hidden(message, ex.q6.expected_answer(), 2)
    fails_with(ex.q6, gains.loc[2, "conversions"] / gains["conversions"].sum(), "group 2 alone")
    fails_with(ex.q6, 100 * gains.loc[2, "cum_conversion_share"], "not a percentage")


def test_q7_offer_mistakes():
    assert ex.q7.expected_answer() == "trial"
    fails_with(ex.q7, "VIP", "rarely does")
    fails_with(ex.q7, "nurture", "worth a lot")
    fails_with(ex.q7, "bundle", "already high")
    assert ex.q7.grade({ex.q7.var: " Trial "}).status == "correct"


def test_q8_market_sizing_mistakes():
    stats = ex.EXERCISE.data("stats")
    population = prospecting.market_stat(stats, "population", district="Sha Tin")
    incidence = prospecting.market_stat(stats, "online_shopping_incidence")
    spend = prospecting.market_stat(stats, "online_spend_per_shopper")
    # 688 200 residents x 0.431 x HK$10 000 = HK$2 966 142 000
    assert (population, incidence, spend) == (688_200, 0.431, 10_000)
    assert ex.q8.expected_answer() == pytest.approx(2_966_142_000)
    message = fails_with(ex.q8, population * 43.1 * spend, "share (0.431)")
    _hidden(message, ex.q8.expected_answer())
    fails_with(ex.q8, population * 0.358 * spend, "2018")
    fails_with(ex.q8, population * incidence, "number of online shoppers")
    fails_with(ex.q8, 7_413_070 * incidence * spend, "whole of Hong Kong")


def test_q9_privacy_mistakes():
    leads = ex.EXERCISE.data("leads")
    unlawful = int((~leads["lawful_source"]).sum())
    no_consent = int((~leads["consent_recorded"]).sum())
    both = int((~leads["lawful_source"] & ~leads["consent_recorded"]).sum())
    assert ex.q9.expected_answer() == unlawful + no_consent - both
    message = fails_with(ex.q9, unlawful, "without recorded consent must go too")
    _hidden(message, ex.q9.expected_answer())
    fails_with(ex.q9, no_consent, "unlawful source must go too")
    if both:
        fails_with(ex.q9, unlawful + no_consent, "count each lead once")


def test_q10_referral_hours_mistakes():
    table = prospecting.referral_processing(ex.EXERCISE.data("referrals"))
    expected = ex.q10.expected_answer()
    assert expected == pytest.approx(table.loc["online", "median_processing_hours"])
    assert expected < table.loc["offline", "median_processing_hours"] / 10  # online is far faster
    message = fails_with(ex.q10, table.loc["online", "mean_processing_hours"], "median")
    _hidden(message, expected, 1)
    fails_with(ex.q10, expected / 24, "days")
    fails_with(ex.q10, table.loc["offline", "median_processing_hours"], "offline")


def test_q11_video_platform_mistakes():
    funnel = prospecting.video_funnel(ex.EXERCISE.data("videos"), by="platform")
    expected = ex.q11.expected_answer()
    assert expected == (funnel["cost_hkd"] / funnel["signups"]).idxmin()
    biggest_budget = funnel["cost_hkd"].idxmax()
    if biggest_budget != expected:
        message = fails_with(ex.q11, biggest_budget, "biggest video budget")
        assert expected not in message
    others = [p for p in funnel.index if p not in {expected, biggest_budget}]
    message = fails_with(ex.q11, others[-1], "per sign-up")
    assert expected not in message
    fails_with(ex.q11, "Myspace", "not a platform")
    assert ex.q11.grade({ex.q11.var: expected.upper()}).status == "correct"  # case does not matter


def test_exercise_notebook_imports_every_question_and_has_no_solutions():
    nb = json.loads((Path(__file__).resolve().parent.parent / "exercises" / "03_prospect_methods.ipynb").read_text())
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert 'bind(globals(), exercise="prospecting", version="1.0.0")' in source
    assert f'version="{ex.__version__}"' in source
    for q in QUESTIONS:
        assert f"{q.var} = ____" in source and f"{q.name}.check()" in source and f"# {q.name}.hint()" in source
        assert q.master_solution.code.splitlines()[-1] not in source  # solutions live in the module only
    assert np.all([c.get("execution_count") is None for c in nb["cells"] if c["cell_type"] == "code"])
