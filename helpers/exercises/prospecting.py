"""Checks for ``exercises/03_prospect_methods.ipynb``: finding and valuing potential online customers.

Eleven questions on the bundled shop and the bundled government-statistics table: the
value of a referral lead, the cost per customer from key persons, e-mail's cycle time,
which keywords to pause and what that saves, reading the 80/20 share off a gains table,
a tailor-made offer, sizing a district's online market, how many leads the PDPO screen
removes, online referral processing time and the cheapest video platform per sign-up.
Expected answers are computed on first use through :mod:`helpers.prospecting` from the
bundled data.

Examples
--------
>>> from helpers.exercises import questions
>>> [(q.name, q.requirement) for q in questions("prospecting")][:2]
[('q1', '107188L5.1.2'), ('q2', '107188L5.2.2')]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from helpers import data, prospecting
from helpers.exercises.compare import close_to
from helpers.exercises.engine import ChoiceQuestion, CodeSolution, Exercise, ValueQuestion

__version__ = "1.0.0"

#: The district sized in question 8 (its population row in the table is verified).
DISTRICT = "Sha Tin"


def _table(name: str) -> pd.DataFrame:
    return data.load_shop_table(data.bundled_data_dir(), name)


def lead_gains(leads: pd.DataFrame) -> pd.DataFrame:
    """The gains table of question 6: a lead score fitted on the earlier 70% of leads, ranked on the rest.

    Examples
    --------
    >>> gains = lead_gains(data.load_shop_table(data.bundled_data_dir(), "leads"))
    >>> list(gains.columns)[:2], len(gains)
    (['leads', 'conversions'], 10)
    """
    train, test = prospecting.time_split(leads, test_share=0.3)
    scores = prospecting.score_leads(prospecting.fit_lead_score(train), test)
    return prospecting.gains_table(scores, test["converted_at"].notna(), bins=10)


EXERCISE = Exercise(
    name="prospecting",
    version=__version__,
    setup=(
        "from helpers import data, prospecting\n"
        "from helpers.exercises.prospecting import lead_gains\n"
        "shop = data.load_shop(data.bundled_data_dir(), ['leads', 'keyword_ads', 'referrals', 'videos'])\n"
        "leads, ads, referrals, videos = shop['leads'], shop['keyword_ads'], shop['referrals'], shop['videos']\n"
        "stats = prospecting.validate_market_stats(data.load_market_stats())\n"
        "gains = lead_gains(leads)"
    ),
    loaders={
        "leads": lambda: _table("leads"),
        "ads": lambda: _table("keyword_ads"),
        "referrals": lambda: _table("referrals"),
        "videos": lambda: _table("videos"),
        "stats": lambda: prospecting.validate_market_stats(data.load_market_stats()),
        "gains": lambda: lead_gains(_table("leads")),
    },
)


def _comparison(ctx: Exercise) -> pd.DataFrame:
    return prospecting.method_comparison(ctx.data("leads"))


class ReferralLeadValue(ValueQuestion):
    var = "referral_lead_value_hkd"
    requirement = "107188L5.1.2"
    hints = [
        "The expected value of a lead is P(convert) × what a converted lead is worth in its first year.",
        "For referral leads: the share with a `converted_at` date, times the mean `first_year_value_hkd` of the "
        "converted ones. `prospecting.method_comparison(leads)` has it as `value_per_lead_hkd`.",
    ]
    solution = CodeSolution(
        'referral = leads[leads["method"] == "referral"]\n'
        'converted = referral["converted_at"].notna()\n'
        'referral_lead_value_hkd = converted.mean() * referral.loc[converted, "first_year_value_hkd"].mean()'
    )
    tolerance = 1.0  # within a dollar
    explanation = "That is the most it can be worth paying to find one more referral lead."

    def expected(self, ctx: Exercise) -> float:
        return float(_comparison(ctx).loc["referral", "value_per_lead_hkd"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        row = _comparison(ctx).loc["referral"]
        if close_to(answer, row["value_per_customer_hkd"], abs_tol=1.0):
            return "That is what a *converted* lead is worth: multiply by the chance of converting."
        if close_to(answer, row["value_hkd"], abs_tol=1.0):
            return "That is the value of all converted referral leads together: divide by the number of leads."
        if close_to(answer, row["conversion_rate"], abs_tol=1e-3):
            return "That is only the chance of converting: multiply it by the first-year value."
        return None


class InfluencerCpa(ValueQuestion):
    var = "influencer_cpa_hkd"
    requirement = "107188L5.2.2"
    hints = [
        "Cost per acquisition (CPA) = everything spent on a method's leads ÷ the customers they became.",
        "Add up `cost_hkd` of all influencer leads (converted or not) and divide by the number of influencer leads "
        "with a `converted_at` date.",
    ]
    solution = CodeSolution(
        'influencer = leads[leads["method"] == "influencer"]\n'
        'influencer_cpa_hkd = influencer["cost_hkd"].sum() / influencer["converted_at"].notna().sum()'
    )
    tolerance = 0.5
    explanation = "Compare it with what a customer is worth in the first year before booking more key persons."

    def expected(self, ctx: Exercise) -> float:
        return float(_comparison(ctx).loc["influencer", "cpa_hkd"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        leads = ctx.data("leads")
        own = leads.loc[leads["method"] == "influencer"]
        converted = own["converted_at"].notna()
        if close_to(answer, own["cost_hkd"].mean(), abs_tol=0.5):
            return "That is the cost per lead; CPA divides by the customers acquired, not by all leads."
        if close_to(answer, own.loc[converted, "cost_hkd"].mean(), abs_tol=0.5):
            return "You counted only the cost of leads that converted; the unconverted ones were paid for too."
        if close_to(answer, own["cost_hkd"].sum(), abs_tol=0.5):
            return "That is the total spent: divide by the number of customers it brought."
        return None


class EmailCycleDays(ValueQuestion):
    var = "email_median_cycle_days"
    requirement = "107188L5.2.3"
    hints = [
        "Cycle time = days from `first_touch_at` to `converted_at`, for converted leads only.",
        "Subtract the two dates for e-mail leads that converted, turn the difference into days "
        "(`.dt.total_seconds() / 86400`) and take the median.",
    ]
    solution = CodeSolution(
        'email = leads[(leads["method"] == "email_promotion") & leads["converted_at"].notna()]\n'
        'email_median_cycle_days = ((email["converted_at"] - email["first_touch_at"]).dt.total_seconds() / 86400).median()'
    )
    tolerance = 0.5  # half a day
    explanation = "E-mail is cheap and wide, but slow: plan it well before the season."

    def expected(self, ctx: Exercise) -> float:
        return float(_comparison(ctx).loc["email_promotion", "median_cycle_days"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        cycles = prospecting.cycle_times(ctx.data("leads"))
        email = cycles.loc[cycles["method"] == "email_promotion", "cycle_days"]
        if close_to(answer, email.mean(), abs_tol=0.5):
            return "That is the mean; a few very slow leads pull it up — the question asks for the median."
        if close_to(answer, email.median() * 24, rel_tol=0.01):
            return "That looks like hours: give the answer in days."
        if close_to(answer, cycles["cycle_days"].median(), abs_tol=0.5):
            return "That is the median of all methods together: keep only e-mail leads."
        return None


def _keyword_plan(ctx: Exercise) -> pd.DataFrame:
    return prospecting.keyword_decisions(prospecting.keyword_performance(ctx.data("ads")))


class KeywordsToPause(ValueQuestion):
    var = "keywords_to_pause"
    requirement = "107188L5.2.5"
    ordered = False
    hints = [
        "Pause a keyword when it returns less than HK$1 of revenue for each HK$1 spent (ROAS below 1) over the "
        "whole period, and has at least 100 clicks so the judgement rests on enough data.",
        "Add up `clicks`, `cost_hkd` and `revenue_hkd` per keyword (`ads.groupby('keyword')`), compute "
        "ROAS = revenue / cost, and list the keywords with ROAS < 1 and clicks ≥ 100. "
        "`prospecting.keyword_performance(ads)` does the adding up.",
    ]
    solution = CodeSolution(
        "perf = prospecting.keyword_performance(ads)\n"
        'keywords_to_pause = sorted(perf.loc[(perf["roas"] < 1) & (perf["clicks"] >= 100), "keyword"])'
    )
    explanation = "Each of these spends more than it brings back: pause it or add it as a negative keyword."

    def expected(self, ctx: Exercise) -> list[str]:
        plan = _keyword_plan(ctx)
        return sorted(plan.loc[plan["action"] == "pause", "keyword"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if not isinstance(answer, (list, tuple, set, pd.Series, pd.Index, np.ndarray)):
            return None
        perf = prospecting.keyword_performance(ctx.data("ads")).set_index("keyword")
        given = {str(k) for k in answer}
        unknown = sorted(given - set(perf.index))
        if unknown:
            return f"{unknown[0]!r} is not a keyword in `ads`."
        good = sorted(k for k in given if perf.loc[k, "roas"] >= 1)
        if good:
            return f"{good[0]!r} returns at least HK$1 per HK$ spent over the period: keep it."
        thin = sorted(k for k in given if perf.loc[k, "clicks"] < 100)
        if thin:
            return f"{thin[0]!r} has fewer than 100 clicks: too little data to judge, keep it for now."
        if given < set(self.expected_answer()):
            return ("These should all be paused, but other keywords also return less than HK$1 per HK$ — "
                    "some convert now and then and still cost more than they bring.")
        return None


class KeywordSaving(ValueQuestion):
    var = "keyword_saving_hkd"
    requirement = "107188L5.2.5"
    hints = [
        "Pausing a keyword saves what was spent on it.",
        "Add up `cost_hkd` of the keywords you would pause (the answer to the previous question) over the whole period.",
    ]
    solution = CodeSolution(
        "perf = prospecting.keyword_performance(ads)\n"
        'keyword_saving_hkd = perf.loc[(perf["roas"] < 1) & (perf["clicks"] >= 100), "cost_hkd"].sum()'
    )
    tolerance = 1.0
    explanation = "That is the cost reduction the unit speaks of — for only a few lost conversions."

    def expected(self, ctx: Exercise) -> float:
        savings = prospecting.keyword_savings(_keyword_plan(ctx))
        return float(savings["cost_hkd"].iloc[0] - savings["cost_hkd"].iloc[1])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        plan = _keyword_plan(ctx)
        paused = plan.loc[plan["action"] == "pause"]
        if close_to(answer, paused["revenue_hkd"].sum(), abs_tol=1.0):
            return "That is the revenue the paused keywords brought; the saving is what they cost."
        if close_to(answer, paused["cost_hkd"].sum() - paused["revenue_hkd"].sum(), abs_tol=1.0):
            return "That nets off the revenue lost; the question asks for the spend saved."
        if close_to(answer, plan["cost_hkd"].sum(), abs_tol=1.0):
            return "That is the whole ad spend; only the paused keywords' spend is saved."
        return None


class Top20Share(ValueQuestion):
    var = "top20_conversion_share"
    requirement = "107188L5.1.2"
    hints = [
        "The gains table ranks leads by score in 10 groups of equal size; group 1 holds the highest scores.",
        "The top 20% is groups 1 and 2 together: read `cum_conversion_share` in group 2 (a share between 0 and 1).",
    ]
    solution = CodeSolution('top20_conversion_share = gains.loc[2, "cum_conversion_share"]')
    tolerance = 0.005
    explanation = "Most conversions sit in a fifth of the leads: contact those first (the 80/20 principle)."

    def expected(self, ctx: Exercise) -> float:
        return float(ctx.data("gains").loc[2, "cum_conversion_share"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        gains = ctx.data("gains")
        total = gains["conversions"].sum()
        if close_to(answer, gains.loc[1, "cum_conversion_share"], abs_tol=0.005):
            return "That is the top 10% (group 1 only); the top 20% is groups 1 and 2."
        if close_to(answer, gains.loc[2, "conversions"] / total, abs_tol=0.005):
            return "That is group 2 alone; the top 20% adds group 1 to it (use the cumulative column)."
        if close_to(answer, gains.loc[2, "lift"], abs_tol=0.01):
            return "That is the lift (how many times better than random); the question asks for the share of conversions."
        if close_to(answer, 100 * gains.loc[2, "cum_conversion_share"], abs_tol=0.5):
            return "Give a share between 0 and 1, not a percentage."
        return None


class TailorMadeOffer(ChoiceQuestion):
    var = "offer_for_segment"
    requirement = "107188L5.1.1"
    options = ("VIP", "trial", "bundle", "nurture")
    hints = [
        "The customers of this segment are worth much more than average once they buy — but few of them buy.",
        "When value is high and conversion low, the job is to lower the risk of a first purchase: samples or "
        "try-before-you-buy (`prospecting.segment_offers` uses the same rule).",
    ]
    solution = CodeSolution('offer_for_segment = "trial"')
    explanation = "A trial lowers the barrier for prospects who would be valuable customers but hesitate."

    def expected(self, ctx: Exercise) -> str:
        # A high-value, low-conversion segment, classified with the helper's own rule.
        case = pd.DataFrame({
            "age_band": ["35-44"] * 10 + ["18-24"] * 10, "interest": ["toys"] * 10 + ["fashion"] * 10,
            "method": ["search_ad"] * 20,
            "converted_at": pd.to_datetime(["2024-01-02"] + [None] * 9 + ["2024-01-02"] * 5 + [None] * 5),
            "first_year_value_hkd": [30000.0] + [np.nan] * 9 + [2000.0] * 5 + [np.nan] * 5,
        })
        offer = prospecting.segment_offers(case, min_leads=10, min_method_leads=1).loc[("35-44", "toys"), "offer"]
        return offer.split(":")[0]

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        choice = self._normalise(answer)
        if choice == "VIP":
            return "VIP treatment suits segments that already convert well; this one rarely does."
        if choice == "nurture":
            return "Nurturing suits low-value segments; these customers are worth a lot once they buy."
        if choice == "bundle":
            return "Bundles raise small order values; here the order value is already high."
        return None


class DistrictMarket(ValueQuestion):
    var = "district_market_hkd"
    requirement = "107188L5.2.6"
    hints = [
        f"Market size = population × share shopping online × annual online spend per shopper. Take the "
        f"{DISTRICT} population, the 2020 online-shopping incidence and the spend per shopper from `stats`.",
        "`prospecting.market_stat(stats, 'population', district='Sha Tin')`, "
        "`prospecting.market_stat(stats, 'online_shopping_incidence')` (a share, e.g. 0.431) and "
        "`prospecting.market_stat(stats, 'online_spend_per_shopper')`.",
    ]
    solution = CodeSolution(
        f'district_market_hkd = (prospecting.market_stat(stats, "population", district="{DISTRICT}")\n'
        '                       * prospecting.market_stat(stats, "online_shopping_incidence")\n'
        '                       * prospecting.market_stat(stats, "online_spend_per_shopper"))'
    )
    rel_tolerance = 0.001
    explanation = ("The population and the incidence are verified C&SD figures; the spend per shopper is illustrative, "
                   "so treat the result as an order of magnitude.")

    def _parts(self, ctx: Exercise) -> tuple[float, float, float, float]:
        stats = ctx.data("stats")
        return (prospecting.market_stat(stats, "population", district=DISTRICT),
                prospecting.market_stat(stats, "online_shopping_incidence"),
                prospecting.market_stat(stats, "online_shopping_incidence", period="2018"),
                prospecting.market_stat(stats, "online_spend_per_shopper"))

    def expected(self, ctx: Exercise) -> float:
        population, incidence, _, spend = self._parts(ctx)
        return population * incidence * spend

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        population, incidence, incidence_2018, spend = self._parts(ctx)
        if close_to(answer, population * incidence * 100 * spend, rel_tol=0.001):
            return "The incidence is a share (0.431), not a percentage (43.1)."
        if close_to(answer, population * incidence_2018 * spend, rel_tol=0.001):
            return "That uses the 2018 incidence; take the latest survey (2020)."
        if close_to(answer, population * incidence, rel_tol=0.001):
            return "That is the number of online shoppers; multiply by what each spends in a year."
        if close_to(answer, prospecting.market_stat(ctx.data("stats"), "population") * incidence * spend, rel_tol=0.001):
            return f"That is the whole of Hong Kong; the question asks for {DISTRICT} only."
        return None


class LeadsExcluded(ValueQuestion):
    var = "leads_excluded"
    requirement = "107188L5.3.1"
    hints = [
        "A lead may go on a campaign list only if it came from a lawful source AND its direct-marketing consent is "
        "recorded (PDPO DPP1 and s.35E). Failing either rule excludes it.",
        "Count the leads where `lawful_source` is False or `consent_recorded` is False — each lead once, even when "
        "both fail. `prospecting.privacy_screen(leads).n_excluded` does the same.",
    ]
    solution = CodeSolution('leads_excluded = int((~leads["lawful_source"] | ~leads["consent_recorded"]).sum())')
    explanation = "Take them off every list, and go back to the source that supplied them."

    def expected(self, ctx: Exercise) -> int:
        return int(prospecting.privacy_screen(ctx.data("leads")).n_excluded)

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        leads = ctx.data("leads")
        unlawful = int((~leads["lawful_source"].astype(bool)).sum())
        no_consent = int((~leads["consent_recorded"].astype(bool)).sum())
        if close_to(answer, unlawful):
            return "You counted leads without a lawful source; leads without recorded consent must go too."
        if close_to(answer, no_consent):
            return "You counted leads without consent; leads from an unlawful source must go too."
        if close_to(answer, unlawful + no_consent):
            return "Some leads fail both rules: count each lead once."
        return None


class OnlineReferralHours(ValueQuestion):
    var = "online_referral_hours"
    requirement = "107188L5.2.1"
    hints = [
        "Processing time = `processed_at - signed_up_at`, for referrals that signed up; the `channel` column says "
        "whether the referral came through the online platform or the shop counter.",
        "Keep `channel == 'online'` rows with a `signed_up_at`, turn the time difference into hours "
        "(`.dt.total_seconds() / 3600`) and take the median. `prospecting.referral_processing(referrals)` does it.",
    ]
    solution = CodeSolution(
        'online = referrals[(referrals["channel"] == "online") & referrals["signed_up_at"].notna()]\n'
        'online_referral_hours = ((online["processed_at"] - online["signed_up_at"]).dt.total_seconds() / 3600).median()'
    )
    tolerance = 0.1
    explanation = "Compare it with the days an offline referral waits: the online platform shortens processing."

    def expected(self, ctx: Exercise) -> float:
        return float(prospecting.referral_processing(ctx.data("referrals")).loc["online", "median_processing_hours"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        table = prospecting.referral_processing(ctx.data("referrals"))
        refs = ctx.data("referrals")
        signed = refs[refs["signed_up_at"].notna()]
        all_hours = (signed["processed_at"] - signed["signed_up_at"]).dt.total_seconds() / 3600
        if close_to(answer, table.loc["online", "mean_processing_hours"], abs_tol=0.1):
            return "That is the mean; the question asks for the median."
        if close_to(answer, all_hours.median(), abs_tol=0.1):
            return "That mixes online and offline referrals: keep the online ones."
        if close_to(answer, table.loc["online", "median_processing_hours"] / 24, abs_tol=0.01):
            return "That looks like days: give the answer in hours."
        if close_to(answer, table.loc["offline", "median_processing_hours"], abs_tol=0.1):
            return "That is the offline channel (the shop counter)."
        return None


class CheapestVideoPlatform(ValueQuestion):
    var = "cheapest_video_platform"
    requirement = "107188L5.2.4"
    hints = [
        "Follow each platform's funnel to the end: what did its videos cost per sign-up they brought?",
        "Group `videos` by `platform`, add up `cost_hkd` and `signups`, divide, and name the platform with the "
        "lowest cost per sign-up. `prospecting.video_funnel(videos, by='platform')` does the adding up.",
    ]
    solution = CodeSolution(
        'per_platform = videos.groupby("platform")[["cost_hkd", "signups"]].sum()\n'
        'cheapest_video_platform = (per_platform["cost_hkd"] / per_platform["signups"]).idxmin()'
    )
    explanation = "Views alone do not pay: judge video by what each sign-up costs."

    def expected(self, ctx: Exercise) -> str:
        return str(prospecting.video_funnel(ctx.data("videos"), by="platform").index[0])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if not isinstance(answer, str):
            return None
        funnel = prospecting.video_funnel(ctx.data("videos"), by="platform")
        choice = answer.strip().casefold()
        names = {p.casefold(): p for p in funnel.index}
        if choice not in names:
            return f"{answer!r} is not a platform in `videos`; they are {sorted(funnel.index)}."
        platform = names[choice]
        if platform == funnel["cost_hkd"].idxmax():
            return "That platform had the biggest video budget (and the most videos), not the cheapest sign-ups."
        if platform == funnel["videos"].idxmax():
            return "That platform published the most videos; compare what each sign-up cost."
        if platform == funnel["views"].idxmax():
            return "That platform has the most views; follow the funnel to the cost per sign-up."
        return (f"{platform} paid HK${funnel.loc[platform, 'cost_per_signup_hkd']:,.0f} per sign-up; "
                "another platform paid less.")



q1 = ReferralLeadValue(EXERCISE, 1)
q2 = InfluencerCpa(EXERCISE, 2)
q3 = EmailCycleDays(EXERCISE, 3)
q4 = KeywordsToPause(EXERCISE, 4)
q5 = KeywordSaving(EXERCISE, 5)
q6 = Top20Share(EXERCISE, 6)
q7 = TailorMadeOffer(EXERCISE, 7)
q8 = DistrictMarket(EXERCISE, 8)
q9 = LeadsExcluded(EXERCISE, 9)
q10 = OnlineReferralHours(EXERCISE, 10)
q11 = CheapestVideoPlatform(EXERCISE, 11)

__all__ = ["DISTRICT", "EXERCISE", "lead_gains", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11"]
