"""Checks for ``exercises/02_retention_tactics.ipynb``: tell which retention tactic really worked.

Ten questions: an e-mail funnel rate, a significance decision against a holdout,
the segment a campaign does not move, coupon ROI, the referral scheme's viral
coefficient, P(alive) and expected value from a buy-till-you-die model, which
tactic should get the next budget, what a member/non-member gap can prove, and a
welcome offer's take-up. Expected answers are computed on first use,
through :mod:`helpers.retention` and :mod:`helpers.clv`, from the bundled shop or
from the small CLV case that ships with this module.

Examples
--------
>>> from helpers.exercises import questions
>>> [(q.name, q.requirement) for q in questions("retention")][:2]
[('q1', '105090L2.1.3'), ('q2', '105090L2.2.2')]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers import clv, data, retention
from helpers.exercises.compare import close_to
from helpers.exercises.engine import ChoiceQuestion, CodeSolution, Exercise, ValueQuestion

__version__ = "1.0.0"

#: Gross margin used for coupon ROI in question 4 (share of revenue kept after the cost of goods).
GROSS_MARGIN = 0.35


def clv_case() -> pd.DataFrame:
    """Three customers' purchase histories in weeks (questions 6 and 7).

    ``frequency`` = repeat purchase days, ``recency_weeks`` = first to last purchase,
    ``T_weeks`` = first purchase to today, ``monetary_value`` = mean HK$ per repeat purchase.

    Examples
    --------
    >>> clv_case().loc["B", ["frequency", "recency_weeks", "T_weeks"]].tolist()
    [6.0, 8.0, 40.0]
    """
    return pd.DataFrame(
        {"frequency": [6, 6, 0], "recency_weeks": [38.0, 8.0, 0.0], "T_weeks": [40.0, 40.0, 40.0],
         "monetary_value": [420.0, 380.0, 0.0]},
        index=pd.Index(["A", "B", "C"], name="customer_id"),
    )


def case_models() -> tuple[clv.BGNBDFit, clv.GammaGammaFit]:
    """BG/NBD and Gamma-Gamma models to read the case with (the published CDNOW fits, spend rescaled to HK$).

    Examples
    --------
    >>> bg, gg = case_models()
    >>> (bg.r, bg.alpha, bg.a, bg.b), gg.q
    ((0.243, 4.414, 0.793, 2.426), 3.74)
    """
    bgnbd = clv.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.43, n_customers=2357)
    gamma_gamma = clv.GammaGammaFit(p=6.25, q=3.74, gamma=120.0, log_likelihood=0.0, n_customers=946)
    return bgnbd, gamma_gamma


def _table(name: str) -> pd.DataFrame:
    return data.load_shop_table(data.bundled_data_dir(), name)


def _channels() -> pd.DataFrame:
    coupon_campaign = _table("coupons")["campaign_id"].unique().tolist()
    return retention.channel_comparison(_table("campaign_sends"), _table("campaigns"), exclude_campaigns=coupon_campaign)


def _uplift() -> pd.DataFrame:
    sends, campaigns, coupons = _table("campaign_sends"), _table("campaigns"), _table("coupons")
    tx, _ = data.load_clean_transactions()
    sends = sends[~sends["campaign_id"].isin(coupons["campaign_id"].unique())]
    sends = sends.assign(segment=retention.segment_at_send(sends, campaigns, tx).to_numpy(),
                         converted=sends["converted_at"].notna().astype(int))
    return retention.lift_by_segment(sends, segment_col="segment", group_col="group", treatment="treatment",
                                     control="control", outcome="converted")


EXERCISE = Exercise(
    name="retention",
    version=__version__,
    setup=(
        "from helpers import clv, data, retention\n"
        "from helpers.exercises.retention import GROSS_MARGIN, case_models, clv_case\n"
        "shop = data.load_shop(data.bundled_data_dir(), ['campaigns', 'campaign_sends', 'coupons', 'referrals', 'customers', 'welcome_offers'])\n"
        "campaigns, sends, coupons, referrals, customers, welcome = (shop[t] for t in ['campaigns', 'campaign_sends', 'coupons', 'referrals', 'customers', 'welcome_offers'])\n"
        "case = clv_case()\n"
        "bgnbd, gamma_gamma = case_models()"
    ),
    loaders={
        "campaigns": lambda: _table("campaigns"),
        "sends": lambda: _table("campaign_sends"),
        "coupons": lambda: _table("coupons"),
        "referrals": lambda: _table("referrals"),
        "customers": lambda: _table("customers"),
        "channels": _channels,
        "uplift": _uplift,
        "case": clv_case,
        "welcome": lambda: _table("welcome_offers"),
    },
)


class EmailOpenRate(ValueQuestion):
    var = "email_open_rate"
    requirement = "105090L2.1.3"
    tolerance = 0.0005
    hints = [
        "Open rate = messages opened ÷ messages **delivered**, for the e-mail channel. The holdout (`group == 'control'`) "
        "was never sent anything, so leave it out.",
        "Filter `sends` to `channel == 'email'`, `group == 'treatment'` and `delivered`; then take the share with an "
        "`opened_at` date. `retention.campaign_funnel(sends)` gives every channel's `open_rate`.",
    ]
    solution = CodeSolution(
        "email = sends[(sends['channel'] == 'email') & (sends['group'] == 'treatment') & sends['delivered']]\n"
        "email_open_rate = email['opened_at'].notna().mean()"
    )
    explanation = "The CRM records every step, so each channel's weak point — delivery, opening or clicking — is visible."

    def expected(self, ctx: Exercise) -> float:
        funnel = retention.campaign_funnel(ctx.data("sends"))
        return float(funnel.set_index("channel").loc["email", "open_rate"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        sends = ctx.data("sends")
        email = sends[sends["channel"] == "email"]
        treated = email[email["group"] == "treatment"]
        if close_to(answer, treated["opened_at"].notna().mean(), abs_tol=0.0005):
            return "That divides by every message sent; undelivered messages cannot be opened — divide by delivered ones."
        if close_to(answer, email["opened_at"].notna().mean(), abs_tol=0.0005):
            return "That includes the holdout group, which was never sent a message."
        if close_to(answer, treated["clicked_at"].notna().sum() / treated["delivered"].sum(), abs_tol=0.0005):
            return "That counts clicks; the question asks for opens."
        return None


class ForumVerdict(ChoiceQuestion):
    var = "forum_verdict"
    requirement = "105090L2.2.2"
    options = ("significant lift", "not significant")
    hints = [
        "A campaign 'worked' only if its treated customers converted more than its holdout — by more than luck allows.",
        "`retention.channel_comparison(sends, campaigns)` compares every channel with its holdouts; look at the "
        "forum's `p_value` (significant when below 0.05).",
    ]
    solution = CodeSolution(
        "channels = retention.channel_comparison(sends, campaigns)\n"
        "forum_verdict = 'significant lift' if channels.set_index('channel').loc['forum', 'significant'] else 'not significant'"
    )
    explanation = "A positive estimate is not a win: without significance the honest report is 'no evidence of an effect'."

    def expected(self, ctx: Exercise) -> str:
        forum = ctx.data("channels").set_index("channel").loc["forum"]
        return "significant lift" if bool(forum["significant"]) else "not significant"

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        forum = ctx.data("channels").set_index("channel").loc["forum"]
        if self._normalise(answer) == "significant lift" and not bool(forum["significant"]):
            return ("The forum's estimated lift is above zero, but is its p-value below 0.05? "
                    "Also check you compared with the holdout, not with zero conversions.")
        if self._normalise(answer) == "not significant" and bool(forum["significant"]):
            return "Look again at the forum's p-value against the 0.05 level."
        return None


class SegmentNotMoved(ChoiceQuestion):
    var = "segment_not_moved"
    requirement = "105090L2.2.2"
    options = retention.SEGMENTS
    hints = [
        "Compare treatment and holdout *within* each segment: `active_high`, `active`, `lapsed` "
        "(from each customer's orders before the send).",
        "`retention.lift_by_segment(...)` on the sends with a `segment` column; the segment whose lift is not "
        "significant is the one campaigns do not move.",
    ]
    solution = CodeSolution(
        "tx, _ = data.load_clean_transactions()\n"
        "regular = sends[~sends['campaign_id'].isin(coupons['campaign_id'].unique())]\n"
        "regular = regular.assign(segment=retention.segment_at_send(regular, campaigns, tx).to_numpy(),\n"
        "                         converted=regular['converted_at'].notna().astype(int))\n"
        "uplift = retention.lift_by_segment(regular, segment_col='segment', group_col='group', treatment='treatment',\n"
        "                                   control='control', outcome='converted')\n"
        "segment_not_moved = uplift.sort_values(['significant', 'lift_abs']).iloc[0]['segment']"
    )
    explanation = "Lapsed customers need a different tactic (a win-back offer), not more of the same messages."

    def expected(self, ctx: Exercise) -> str:
        uplift = ctx.data("uplift")
        return str(uplift.sort_values(["significant", "lift_abs"], kind="stable").iloc[0]["segment"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        uplift = ctx.data("uplift").set_index("segment")
        choice = self._normalise(answer)
        if choice in uplift.index and bool(uplift.loc[choice, "significant"]):
            return f"Campaigns do move `{choice}` customers: their lift over the holdout is significant."
        return None


class CouponRoi(ValueQuestion):
    var = "coupon50_roi"
    requirement = "105090L2.1.4"
    tolerance = 0.01
    hints = [
        "ROI = (incremental revenue × gross margin − discount cost) ÷ discount cost. Incremental revenue is what the "
        "coupon arm spent **beyond** the control arm, per customer, times the arm's customers.",
        f"`retention.coupon_economics(coupons, gross_margin=GROSS_MARGIN)` (GROSS_MARGIN = {GROSS_MARGIN}) has a `roi` "
        "column; take the row of the HK$50 coupon (`value_hkd == 50`).",
    ]
    solution = CodeSolution(
        "economics = retention.coupon_economics(coupons, gross_margin=GROSS_MARGIN)\n"
        "coupon50_roi = float(economics.set_index('value_hkd').loc[50, 'roi'])"
    )
    explanation = "Much of a coupon's cost goes to customers who would have bought anyway; only the control arm reveals it."

    def expected(self, ctx: Exercise) -> float:
        economics = retention.coupon_economics(ctx.data("coupons"), gross_margin=GROSS_MARGIN)
        return float(economics.set_index("value_hkd").loc[50, "roi"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        coupons = ctx.data("coupons")
        arm = coupons[coupons["value_hkd"] == 50]
        cost = float(arm["redeemed_at"].notna().sum() * 50)
        revenue = float(arm["revenue_in_window_hkd"].sum())
        incremental = float(retention.coupon_economics(coupons, gross_margin=GROSS_MARGIN).set_index("value_hkd").loc[50, "incremental_revenue_hkd"])
        if close_to(answer, (revenue * GROSS_MARGIN - cost) / cost, abs_tol=0.01):
            return "That credits the coupon with all of the arm's revenue; subtract what the control arm would have spent anyway."
        if close_to(answer, (incremental - cost) / cost, abs_tol=0.01):
            return "That treats revenue as profit; multiply the incremental revenue by the gross margin first."
        if close_to(answer, incremental / cost, abs_tol=0.01):
            return "That is incremental revenue per HK$ of discount, not ROI: apply the margin and subtract the cost."
        return None


class ViralCoefficient(ValueQuestion):
    var = "viral_coefficient"
    requirement = "105090L2.2.3"
    tolerance = 0.001
    hints = [
        "The viral coefficient k = invitations per existing customer × share of invitations that led to a sign-up.",
        "That is sign-ups ÷ customers: count the `referrals` rows with a `signed_up_at` date and divide by "
        "`len(customers)`. `retention.referral_summary(referrals, customers=len(customers))` gives it too.",
    ]
    solution = CodeSolution("viral_coefficient = referrals['signed_up_at'].notna().sum() / len(customers)")
    explanation = "k is well below 1: referrals add customers steadily, but the scheme cannot grow the base on its own."

    def expected(self, ctx: Exercise) -> float:
        summary = retention.referral_summary(ctx.data("referrals"), customers=len(ctx.data("customers")))
        return float(summary.set_index("channel").loc["all", "viral_coefficient"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        referrals, customers = ctx.data("referrals"), ctx.data("customers")
        if close_to(answer, referrals["first_order_at"].notna().sum() / len(customers), abs_tol=0.001):
            return "That counts referred customers who ordered; k counts sign-ups."
        if close_to(answer, referrals["signed_up_at"].notna().sum() / referrals["referrer_id"].nunique(), abs_tol=0.001):
            return "That divides by the customers who referred someone; k divides by all existing customers."
        if close_to(answer, len(referrals) / len(customers), abs_tol=0.001):
            return "That is invitations per customer; multiply by the share of invitations that led to a sign-up."
        if close_to(answer, referrals["signed_up_at"].notna().mean(), abs_tol=0.001):
            return "That is the sign-up rate of invitations; multiply by invitations per customer."
        return None


class PAliveB(ValueQuestion):
    var = "p_alive_b"
    requirement = "107188L5.1.2"
    tolerance = 0.005
    hints = [
        "Customer B bought 6 more times, but the last purchase was 32 weeks ago: a frequent buyer who has gone quiet.",
        "`clv.p_alive(bgnbd, case)` gives every customer's P(alive); take the value for `'B'`. "
        "In `case`, `recency_weeks` is the time from the first to the last purchase.",
    ]
    solution = CodeSolution("p_alive_b = float(clv.p_alive(bgnbd, case).loc['B'])")
    explanation = "Same number of purchases as A, but a long silence: B has most likely stopped buying."

    def expected(self, ctx: Exercise) -> float:
        bgnbd, _ = case_models()
        return float(clv.p_alive(bgnbd, ctx.data("case")).loc["B"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        bgnbd, _ = case_models()
        case = ctx.data("case")
        p = float(clv.p_alive(bgnbd, case).loc["B"])
        swapped = case.assign(recency_weeks=(case["T_weeks"] - case["recency_weeks"]).where(case["frequency"] > 0, 0.0))
        if close_to(answer, 1 - p, abs_tol=0.005):
            return "That is the probability that B has dropped out; the question asks for still active."
        if close_to(answer, float(clv.p_alive(bgnbd, swapped).loc["B"]), abs_tol=0.005):
            return ("That uses weeks *since* the last purchase as recency; in this model recency is the time from "
                    "the first to the last purchase.")
        if close_to(answer, float(clv.p_alive(bgnbd, case).loc["A"]), abs_tol=0.005):
            return "That is customer A's value."
        return None


class ExpectedValueA(ValueQuestion):
    var = "value_a_hkd"
    requirement = "107188L5.1.2"
    rel_tolerance = 0.01
    hints = [
        "Expected value = expected purchases in the next year × expected spend per purchase (Gamma-Gamma).",
        "`clv.clv_table(bgnbd, gamma_gamma, case, horizon_days=365)` has an `expected_value` column; take `'A'`. "
        "Mind the unit: `horizon_days` is in days.",
    ]
    solution = CodeSolution("value_a_hkd = float(clv.clv_table(bgnbd, gamma_gamma, case, horizon_days=365).loc['A', 'expected_value'])")
    explanation = "A's value is what the shop risks losing if A lapses: the 80/20 principle applied to the future, not the past."

    def expected(self, ctx: Exercise) -> float:
        bgnbd, gamma_gamma = case_models()
        return float(clv.clv_table(bgnbd, gamma_gamma, ctx.data("case"), horizon_days=365).loc["A", "expected_value"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        bgnbd, gamma_gamma = case_models()
        case = ctx.data("case")
        a = case.loc["A"]
        if close_to(answer, float(clv.clv_table(bgnbd, gamma_gamma, case, horizon_days=52).loc["A", "expected_value"]), rel_tol=0.01):
            return "That predicts 52 days ahead: `horizon_days` counts days, so a year is 365."
        if close_to(answer, float(clv.expected_purchases(bgnbd, case, horizon_days=365).loc["A"] * a["monetary_value"]), rel_tol=0.01):
            return "That uses A's own past mean spend; the Gamma-Gamma model's expected spend shrinks it towards the average."
        if close_to(answer, float(clv.expected_purchases(bgnbd, case, horizon_days=365).loc["A"]), rel_tol=0.01):
            return "That is the number of purchases; multiply by the expected spend per purchase."
        if close_to(answer, a["frequency"] * a["monetary_value"], rel_tol=0.01):
            return "That is what A spent on repeat purchases in the past, not what A is expected to spend next year."
        return None


class NextBudget(ChoiceQuestion):
    var = "next_budget"
    requirement = "105090L2.2.2"
    options = (*retention.CHANNELS, "HK$50 coupon", "HK$100 coupon")
    hints = [
        "Rank tactics by **incremental** revenue (treatment minus holdout) per HK$ spent, and only trust tactics whose "
        "lift is significant.",
        "`retention.rank_tactics(channels, economics)` with `channels = retention.channel_comparison(sends, campaigns, "
        "exclude_campaigns=coupons['campaign_id'].unique())` and `economics = retention.coupon_economics(coupons)`; "
        "take the top row's `tactic`.",
    ]
    solution = CodeSolution(
        "channels = retention.channel_comparison(sends, campaigns, exclude_campaigns=coupons['campaign_id'].unique())\n"
        "economics = retention.coupon_economics(coupons, gross_margin=GROSS_MARGIN)\n"
        "next_budget = retention.rank_tactics(channels, economics)['tactic'].iloc[0]"
    )
    explanation = "Measured incremental return, not raw conversions or opens, is what a budget should follow."

    def expected(self, ctx: Exercise) -> str:
        economics = retention.coupon_economics(ctx.data("coupons"), gross_margin=GROSS_MARGIN)
        return str(retention.rank_tactics(ctx.data("channels"), economics)["tactic"].iloc[0])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        choice = self._normalise(answer)
        channels = ctx.data("channels").set_index("channel")
        funnel = retention.campaign_funnel(ctx.data("sends")).set_index("channel")
        if choice in channels.index and not bool(channels.loc[choice, "significant"]):
            return f"`{choice}` did not beat its holdout significantly: its return may be luck."
        if choice == funnel["conversion_rate"].idxmax() or choice == funnel["open_rate"].idxmax():
            return "Raw conversion and open rates include customers who would have bought anyway; rank by incremental revenue per HK$."
        if choice in ("HK$50 coupon", "HK$100 coupon"):
            return "The coupon works, but compare its incremental revenue per HK$ with the best channel's."
        return None


class LoyaltyCausation(ChoiceQuestion):
    var = "programme_caused_gap"
    requirement = "105090L2.1.4"
    options = ("yes", "no")
    hints = [
        "Who decides to join the loyalty programme? Would those customers have bought often anyway?",
        "Members and non-members were not assigned at random. Only a randomised test — e.g. inviting a random half "
        "of customers — measures what the programme itself causes.",
    ]
    solution = CodeSolution('programme_caused_gap = "no"')
    explanation = ("Keen buyers join more often, so the member/non-member gap mixes the programme's effect with who joins "
                   "(self-selection). The bundled shop plants a true effect far smaller than the raw gap.")

    def expected(self, ctx: Exercise) -> str:
        return "no"

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if self._normalise(answer) == "yes":
            return "Members chose to join; would the customers who join have bought more often even without the programme?"
        return None


class WelcomeTakeUp(ValueQuestion):
    var = "hk100_take_up"
    requirement = "105090L2.1.5"
    tolerance = 0.0005
    hints = [
        "Take-up = new members who used their welcome offer ÷ new members who were given it.",
        "In `welcome`, keep the rows whose `offer` starts with 'HK$100' and take the share with a `taken_up_at` date; "
        "`retention.welcome_offer_summary(welcome, tx)` has a `take_up_rate` column.",
    ]
    solution = CodeSolution(
        "hk100 = welcome[welcome['offer'].str.startswith('HK$100')]\n"
        "hk100_take_up = hk100['taken_up_at'].notna().mean()"
    )
    explanation = "The biggest offer is taken up most; whether it builds a habit is a separate question (the 90-day repeat rate)."

    def expected(self, ctx: Exercise) -> float:
        welcome = ctx.data("welcome")
        hk100 = welcome[welcome["offer"].str.startswith("HK$100")]
        return float(hk100["taken_up_at"].notna().sum() / len(hk100))

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        welcome = ctx.data("welcome")
        hk100 = welcome[welcome["offer"].str.startswith("HK$100")]
        if close_to(answer, welcome["taken_up_at"].notna().mean(), abs_tol=0.0005):
            return "That is the take-up of all three offers together; keep only the HK$100 offer."
        if close_to(answer, hk100["taken_up_at"].notna().sum() / welcome["taken_up_at"].notna().sum(), abs_tol=0.0005):
            return "That is the HK$100 offer's share of all take-ups; divide by the members who were given it."
        return None


q1 = EmailOpenRate(EXERCISE, 1)
q2 = ForumVerdict(EXERCISE, 2)
q3 = SegmentNotMoved(EXERCISE, 3)
q4 = CouponRoi(EXERCISE, 4)
q5 = ViralCoefficient(EXERCISE, 5)
q6 = PAliveB(EXERCISE, 6)
q7 = ExpectedValueA(EXERCISE, 7)
q8 = NextBudget(EXERCISE, 8)
q9 = LoyaltyCausation(EXERCISE, 9)
q10 = WelcomeTakeUp(EXERCISE, 10)

__all__ = ["EXERCISE", "GROSS_MARGIN", "case_models", "clv_case", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10"]
