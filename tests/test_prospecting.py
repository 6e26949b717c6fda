"""Hand-worked tests for helpers/prospecting.py: every expected value is worked out in a comment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import prospecting as P
from helpers.data import DataValidationError

ROOT = Path(__file__).resolve().parent.parent
T = pd.Timestamp


def _leads() -> pd.DataFrame:
    """Eight leads, three methods.

    referral: L1 converts after 2 days (value 1000), L2 after 4 days (value 600), L3 not; cost 20 each.
    email_promotion: L4 converts after 30 days (value 400), L5/L6 not; cost 4 each.
    search_ad: L7 converts after 6 days (value 0: bought nothing in year 1), L8 not; cost 50 each.
    """
    start = T("2024-01-01")
    return pd.DataFrame({
        "lead_id": [f"L{i}" for i in range(1, 9)],
        "method": ["referral"] * 3 + ["email_promotion"] * 3 + ["search_ad"] * 2,
        "cost_hkd": [20.0, 20.0, 20.0, 4.0, 4.0, 4.0, 50.0, 50.0],
        "first_touch_at": [start] * 8,
        "converted_at": [start + pd.Timedelta(days=2), start + pd.Timedelta(days=4), pd.NaT,
                         start + pd.Timedelta(days=30), pd.NaT, pd.NaT, start + pd.Timedelta(days=6), pd.NaT],
        "first_year_value_hkd": [1000.0, 600.0, np.nan, 400.0, np.nan, np.nan, 0.0, np.nan],
        "lawful_source": [True, True, False, True, True, True, True, pd.NA],
        "consent_recorded": [True, False, True, True, True, False, True, True],
    })


# --------------------------------------------------------------------------- method comparison


def test_method_comparison_by_hand():
    table = P.method_comparison(_leads())
    assert list(table.index) == ["referral", "email_promotion", "search_ad"]  # the unit's order
    ref = table.loc["referral"]
    # 3 leads, 2 customers: rate 2/3; cost 60 -> per lead 20, CPA 60/2 = 30
    assert (ref["leads"], ref["customers"]) == (3, 2)
    assert ref["conversion_rate"] == pytest.approx(2 / 3)
    assert ref["cost_per_lead_hkd"] == pytest.approx(20.0)
    assert ref["cpa_hkd"] == pytest.approx(30.0)
    # cycle days 2 and 4 -> median 3; value 1600 -> 800 per customer, 1600/3 per lead, 1600/60 per HK$
    assert ref["median_cycle_days"] == pytest.approx(3.0)
    assert ref["value_hkd"] == pytest.approx(1600.0)
    assert ref["value_per_customer_hkd"] == pytest.approx(800.0)
    assert ref["value_per_lead_hkd"] == pytest.approx(1600 / 3)
    assert ref["return_per_hkd"] == pytest.approx(1600 / 60)
    email = table.loc["email_promotion"]
    # 1 of 3 converts after 30 days; cost 12 -> CPA 12; value 400 -> return 400/12
    assert email["cpa_hkd"] == pytest.approx(12.0)
    assert email["median_cycle_days"] == pytest.approx(30.0)
    assert email["return_per_hkd"] == pytest.approx(400 / 12)
    # email is the slowest: the unit's "longer cycle time"
    assert table["median_cycle_days"].idxmax() == "email_promotion"
    search = table.loc["search_ad"]
    # cost 100, 1 customer -> CPA 100; a converted lead with value 0 still counts as a customer
    assert search["cpa_hkd"] == pytest.approx(100.0)
    assert search["value_hkd"] == 0.0


def test_method_comparison_without_customers_gives_nan_not_inf():
    leads = _leads().iloc[[2, 4]]  # one unconverted referral, one unconverted e-mail lead
    table = P.method_comparison(leads)
    assert table["customers"].tolist() == [0, 0]
    assert table["cpa_hkd"].isna().all() and table["median_cycle_days"].isna().all()


def test_method_comparison_names_missing_column():
    with pytest.raises(DataValidationError, match="cost_hkd"):
        P.method_comparison(_leads().drop(columns="cost_hkd"))


def test_inputs_are_not_mutated():
    leads = _leads()
    before = leads.copy()
    P.method_comparison(leads)
    P.lead_value(leads)
    P.privacy_screen(leads)
    P.segment_offers(leads, by=("method",), min_leads=1, min_method_leads=1)
    pd.testing.assert_frame_equal(leads, before)


# --------------------------------------------------------------------------- lead value


def test_lead_value_default_uses_method_rate_and_value():
    value = P.lead_value(_leads())
    # referral: P = 2/3, value if converted = (1000 + 600) / 2 = 800 -> 533.33 for every referral lead
    assert value.loc[0, "expected_value_hkd"] == pytest.approx(2 / 3 * 800)
    # e-mail: P = 1/3, value 400 -> 133.33
    assert value.loc[4, "expected_value_hkd"] == pytest.approx(400 / 3)
    # search ad: P = 1/2, value 0 -> 0
    assert value.loc[7, "expected_value_hkd"] == 0.0
    assert value["lead_id"].tolist()[:2] == ["L1", "L2"]


def test_lead_value_with_scores_and_one_value():
    p = pd.Series([0.5, 0.1, 0.2, 0.9, 0.0, 0.3, 0.25, 1.0])
    value = P.lead_value(_leads(), p_convert=p, value_hkd=2000.0)
    # 0.9 x 2000 = 1800; 0.25 x 2000 = 500
    assert value["expected_value_hkd"].iloc[3] == pytest.approx(1800.0)
    assert value["expected_value_hkd"].iloc[6] == pytest.approx(500.0)


def test_first_year_value_window_and_full_horizon():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b"],
        "order_date": pd.to_datetime(["2023-01-01", "2023-12-31", "2024-01-01", "2023-06-01", "2023-07-01"]),
        "amount": [100.0, 40.0, 999.0, 10.0, 20.0],
    })
    out = P.first_year_value(tx, horizon_days=365)
    # a: 1 Jan 2023 + 365 days = 1 Jan 2024 excluded -> 100 + 40 = 140; whole year inside (last day 1 Jan 2024)
    assert out.loc["a", "first_year_value_hkd"] == pytest.approx(140.0)
    assert bool(out.loc["a", "full_horizon"]) is True
    # b: 10 + 20 = 30; its year would end 31 May 2024, after the data ends -> not a full horizon
    assert out.loc["b", "first_year_value_hkd"] == pytest.approx(30.0)
    assert bool(out.loc["b", "full_horizon"]) is False


def test_first_year_value_bgnbd_reuses_the_clv_model():
    from helpers import clv

    rng = np.random.default_rng(3)
    n = 60
    first = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    repeat = first + pd.to_timedelta(rng.integers(5, 200, n), unit="D")
    tx = pd.DataFrame({"customer_id": np.r_[np.arange(n), np.arange(n)[: n // 2]].astype(str),
                       "order_date": np.r_[first, repeat[: n // 2]], "amount": 100.0})
    value = P.first_year_value_bgnbd(tx, horizon_days=365)
    fit = clv.fit_bgnbd(clv.customer_summary(tx, time_unit="days"))
    # every purchase day is HK$100, so the value is 100 x expected purchase days of a new customer
    assert value == pytest.approx(100 * clv.expected_purchases_new_customer(fit, horizon_days=365))
    assert 100 < value < 100 * 30


# --------------------------------------------------------------------------- cycle times and referrals


def test_cycle_times_and_plot_title():
    cycles = P.cycle_times(_leads())
    assert sorted(cycles["cycle_days"].tolist()) == [2.0, 4.0, 6.0, 30.0]
    ax = P.plot_cycle_times(_leads())
    assert ax.get_title() == "E-mail promotion leads take longest to convert (median 30 days)"


def test_referral_processing_online_faster():
    refs = pd.DataFrame({
        "channel": ["online", "online", "online", "offline", "offline", "offline"],
        "signed_up_at": pd.to_datetime(["2024-01-01 09:00"] * 5 + [None]),
        "processed_at": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 12:00", "2024-01-02 15:00",
                                        "2024-01-03 09:00", "2024-01-06 09:00", None]),
    })
    table = P.referral_processing(refs)
    # online: 1 h, 3 h, 30 h -> median 3, mean 34/3, 2 of 3 within 24 h
    assert table.loc["online", "median_processing_hours"] == pytest.approx(3.0)
    assert table.loc["online", "mean_processing_hours"] == pytest.approx(34 / 3)
    assert table.loc["online", "within_24h_share"] == pytest.approx(2 / 3)
    # offline: 48 h and 120 h -> median 84; the invitation never signed up is left out
    assert table.loc["offline", "signups"] == 2
    assert table.loc["offline", "median_processing_hours"] == pytest.approx(84.0)


# --------------------------------------------------------------------------- keyword ads


def _ads() -> pd.DataFrame:
    # two weeks of three keywords
    return pd.DataFrame({
        "week": pd.to_datetime(["2024-01-01", "2024-01-08"] * 3),
        "keyword": ["exact hk", "exact hk", "free", "free", "gift", "gift"],
        "match_type": ["exact", "exact", "broad", "broad", "broad", "broad"],
        "impressions": [1000, 1000, 10000, 10000, 2000, 2000],
        "clicks": [60, 40, 400, 400, 100, 100],
        "cost_hkd": [240.0, 160.0, 800.0, 800.0, 300.0, 300.0],
        "conversions": [3, 2, 1, 0, 2, 2],
        "revenue_hkd": [1500.0, 1000.0, 100.0, 0.0, 600.0, 600.0],
    })


def test_keyword_performance_by_hand():
    perf = P.keyword_performance(_ads()).set_index("keyword")
    hk = perf.loc["exact hk"]
    # impressions 2000, clicks 100, cost 400, conversions 5, revenue 2500
    # CTR 100/2000 = 0.05; CPC 400/100 = 4; CVR 5/100 = 0.05; CPA 400/5 = 80; ROAS 2500/400 = 6.25
    assert (hk["ctr"], hk["cpc_hkd"], hk["conversion_rate"], hk["cpa_hkd"], hk["roas"]) == pytest.approx(
        (0.05, 4.0, 0.05, 80.0, 6.25))
    free = perf.loc["free"]
    # cost 1600, 1 conversion, revenue 100 -> CPA 1600, ROAS 0.0625
    assert free["cpa_hkd"] == pytest.approx(1600.0) and free["roas"] == pytest.approx(0.0625)
    # gift: cost 600, revenue 1200 -> ROAS 2
    assert perf.loc["gift", "roas"] == pytest.approx(2.0)
    assert list(perf.index) == ["exact hk", "gift", "free"]  # best ROAS first


def test_keyword_decisions_and_savings_by_hand():
    dec = P.keyword_decisions(P.keyword_performance(_ads()), pause_below_roas=1.0, bid_up_from_roas=3.0,
                              min_clicks=50).set_index("keyword")
    assert dec["action"].to_dict() == {"exact hk": "bid up", "gift": "keep", "free": "pause"}
    # same budget as spent (400 + 600 + 1600 = 2600): gift keeps 600, "free" is freed, so the only
    # bid-up keyword gets 2600 - 600 = 2000; projected revenue 2000 x 6.25 = 12500
    assert dec.loc["exact hk", "proposed_cost_hkd"] == pytest.approx(2000.0)
    assert dec.loc["gift", "proposed_cost_hkd"] == pytest.approx(600.0)
    assert dec.loc["free", "proposed_cost_hkd"] == 0.0
    assert dec.loc["exact hk", "projected_revenue_hkd"] == pytest.approx(12500.0)
    savings = P.keyword_savings(dec.reset_index())
    # before: cost 2600, conversions 5 + 1 + 4 = 10, revenue 2500 + 100 + 1200 = 3800;
    # after pausing "free": cost 1000, conversions 9, revenue 3700
    assert savings.loc["before", "cost_hkd"] == pytest.approx(2600.0)
    assert savings.loc["after pausing", "cost_hkd"] == pytest.approx(1000.0)
    assert savings.loc["after pausing", "conversions"] == 9
    # CPA 2600/10 = 260 -> 1000/9 = 111.1; ROAS 3800/2600 = 1.46 -> 3700/1000 = 3.7
    assert savings["cpa_hkd"].tolist() == pytest.approx([260.0, 1000 / 9])
    assert savings["roas"].tolist() == pytest.approx([3800 / 2600, 3.7])
    assert P.summary_metrics(savings=savings)["keyword_savings_hkd"] == pytest.approx(1600.0)


def test_keyword_decisions_smaller_budget_scales_down_and_few_clicks_keep():
    perf = P.keyword_performance(_ads())
    dec = P.keyword_decisions(perf, budget_hkd=500.0, min_clicks=50).set_index("keyword")
    # kept spend 400 + 600 = 1000 > 500: both scaled by 0.5
    assert dec.loc["exact hk", "proposed_cost_hkd"] == pytest.approx(200.0)
    assert dec.loc["gift", "proposed_cost_hkd"] == pytest.approx(300.0)
    few = P.keyword_decisions(perf, min_clicks=1000).set_index("keyword")
    assert set(few["action"]) == {"keep"}  # nobody has 1000 clicks: too little data to judge
    with pytest.raises(ValueError, match="pause_below_roas"):
        P.keyword_decisions(perf, pause_below_roas=4, bid_up_from_roas=3)


# --------------------------------------------------------------------------- video and influencers


def test_video_funnel_per_video():
    vids = pd.DataFrame({"video_id": ["V1", "V2"], "platform": ["YouTube", "TikTok"], "title": ["a", "b"],
                         "views": [20000, 4000], "clicks": [400, 40], "signups": [20, 0],
                         "cost_hkd": [6000.0, 1000.0]})
    funnel = P.video_funnel(vids)
    # V1: click rate 400/20000 = 0.02, sign-up rate 20/400 = 0.05, 1 per 1000 views, HK$300 per sign-up
    v1 = funnel.loc["V1"]
    assert (v1["click_rate"], v1["signup_rate"], v1["signups_per_1000_views"], v1["cost_per_signup_hkd"]) == \
        pytest.approx((0.02, 0.05, 1.0, 300.0))
    assert np.isnan(funnel.loc["V2", "cost_per_signup_hkd"])  # no sign-ups: NaN, listed last
    assert list(funnel.index) == ["V1", "V2"] and funnel.loc["V2", "platform"] == "TikTok"


def test_influencer_summary_followon():
    posts = pd.DataFrame({"influencer": ["@x", "@x", "@y"], "followers": [10_000, 12_000, 3_000],
                          "reach": [2000, 3000, 900], "clicks": [60, 40, 30], "signups_direct": [6, 4, 3],
                          "signups_followon": [3, 2, 3], "fee_hkd": [1500.0, 1500.0, 600.0]})
    table = P.influencer_summary(posts)
    # @x: 10 direct + 5 follow-on = 15 sign-ups for HK$3000 -> 200 each; 300 per direct; 0.5 follow-on per direct
    x = table.loc["@x"]
    assert (x["posts"], x["followers"], x["signups_total"]) == (2, 12_000, 15)
    assert (x["cost_per_signup_hkd"], x["cost_per_direct_signup_hkd"], x["followon_per_direct"]) == \
        pytest.approx((200.0, 300.0, 0.5))
    # @y: 6 sign-ups for 600 -> 100 each: cheapest first
    assert list(table.index) == ["@y", "@x"]


# --------------------------------------------------------------------------- lead score and 80/20


def test_gains_and_top_share_by_hand():
    scores = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
    converted = [1, 0, 1, 0, 1, 0, 0, 0, 0, 1]
    # top 20% = the 2 best scores -> 1 of the 4 conversions
    assert P.top_share(scores, converted, top=0.2) == pytest.approx(0.25)
    assert P.top_share(scores, converted, top=0.5) == pytest.approx(0.75)  # 5 best hold 3 of 4
    gains = P.gains_table(scores, converted, bins=5)
    # groups of 2: conversions 1, 1, 1, 0, 1 -> cumulative 0.25, 0.5, 0.75, 0.75, 1.0
    assert gains["conversions"].tolist() == [1, 1, 1, 0, 1]
    assert gains["cum_conversion_share"].tolist() == pytest.approx([0.25, 0.5, 0.75, 0.75, 1.0])
    # lift of the first group: 0.25 / 0.2 = 1.25
    assert gains["lift"].iloc[0] == pytest.approx(1.25)


def test_top_share_ties_keep_input_order_and_length_check():
    assert P.top_share([0.5, 0.5, 0.5, 0.5, 0.5], [0, 1, 1, 1, 1], top=0.2) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="same length"):
        P.top_share([0.1, 0.2], [1])


def test_lead_score_recovers_known_coefficients():
    rng = np.random.default_rng(7)
    n = 4000
    pages = rng.integers(1, 12, n)
    method = rng.choice(["email_promotion", "referral"], n)
    # true model: logit = -3 + 0.3 pages + 1.5 [referral]
    logit = -3 + 0.3 * pages + 1.5 * (method == "referral")
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    leads = pd.DataFrame({"pages_viewed": pages, "method": method,
                          "converted_at": pd.to_datetime(np.where(converted, "2024-02-01", None))})
    model = P.fit_lead_score(leads, numeric=("pages_viewed",), categorical=("method",))
    coef = model.coefficients["coef"]
    assert list(coef.index) == ["const", "pages_viewed", "method=referral"]  # e-mail is the baseline
    assert coef["pages_viewed"] == pytest.approx(0.3, abs=0.06)
    assert coef["method=referral"] == pytest.approx(1.5, abs=0.25)
    assert model.coefficients.loc["method=referral", "odds_ratio"] == pytest.approx(np.exp(coef["method=referral"]))
    assert model.converged
    scores = P.score_leads(model, leads)
    assert P.top_share(scores, converted) > 0.3  # better than the 0.2 of random order


def test_score_leads_by_hand_and_unseen_level_is_baseline():
    model = P.LeadScoreModel(
        pd.DataFrame({"coef": [-1.0, 0.5, 2.0]}, index=["const", "pages_viewed", "method=referral"]),
        numeric=("pages_viewed",), levels={"method": ("email_promotion", "referral")}, n_leads=0, converged=True)
    leads = pd.DataFrame({"pages_viewed": [2, 0, 2], "method": ["email_promotion", "referral", "tv"]})
    # logits: -1 + 1 = 0 -> 0.5; -1 + 2 = 1 -> 0.731; "tv" is unseen -> baseline -> 0.5
    assert P.score_leads(model, leads).round(3).tolist() == [0.5, 0.731, 0.5]


def test_lead_score_refuses_single_outcome():
    leads = pd.DataFrame({"pages_viewed": [1, 2], "method": ["a", "b"], "converted_at": pd.to_datetime([None, None])})
    with pytest.raises(ValueError, match="same outcome"):
        P.fit_lead_score(leads, numeric=("pages_viewed",))


def test_time_split_is_by_date():
    leads = pd.DataFrame({"first_touch_at": pd.to_datetime(["2024-05-01", "2024-01-01", "2024-03-01", "2024-02-01"])})
    train, test = P.time_split(leads, test_share=0.25)
    assert train["first_touch_at"].max() < test["first_touch_at"].min()
    assert len(test) == 1 and test.index.tolist() == [0]


# --------------------------------------------------------------------------- tailor-made segments


def test_segment_offers_by_hand():
    leads = pd.DataFrame({
        "age_band": ["25-34"] * 4 + ["55-64"] * 4,
        "interest": ["beauty"] * 4 + ["home"] * 4,
        "method": ["referral", "referral", "email_promotion", "email_promotion"] * 2,
        "cost_hkd": [20.0, 20.0, 4.0, 4.0] * 2,
        "converted_at": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-02", None,
                                        None, None, "2024-01-02", None]),
        "first_year_value_hkd": [900.0, 900.0, 900.0, None, None, None, 300.0, None],
    })
    plan = P.segment_offers(leads, min_leads=4, min_method_leads=2)
    # overall: 4 of 8 convert (0.5), value 3000 / 4 customers = 750 per customer
    young = plan.loc[("25-34", "beauty")]
    # 3 of 4 (0.75 >= 0.5) worth 900 each (>= 750): VIP
    assert young["conversion_rate"] == pytest.approx(0.75)
    assert young["offer"] == "VIP: consultation + premium beauty bundle"
    # value per HK$: referral 1800 / 40 = 45, e-mail 900 / 8 = 112.5 -> e-mail
    assert young["best_method"] == "email_promotion"
    assert young["needs"] == P.NEEDS["beauty"]
    older = plan.loc[("55-64", "home")]
    # 1 of 4 (0.25 < 0.5) worth 300 (< 750): nurture
    assert older["offer"] == "nurture: newsletter tips on home, no paid push"
    # value per lead 2700/4 = 675 vs 300/4 = 75: young first, and the top 20% (1 of 2) is high priority
    assert plan["value_per_lead_hkd"].tolist() == pytest.approx([675.0, 75.0])
    assert plan["priority"].tolist() == ["high", "normal"]
    assert P.segment_offers(leads, min_leads=5).empty  # segments smaller than min_leads are left out


# --------------------------------------------------------------------------- market consultation


def _stats_row(**overrides) -> dict:
    row = {"figure": "population", "district": "Sha Tin", "value": 688200, "unit": "persons", "period": "2021",
           "table_id": "t", "source": "SWD", "url": "", "status": "verified", "note": ""}
    row.update(overrides)
    return row


def test_market_stats_validation_rules():
    ok = P.validate_market_stats(pd.DataFrame([_stats_row(), _stats_row(status="illustrative", table_id="")]))
    assert ok["value"].dtype == float
    with pytest.raises(DataValidationError, match="source"):
        P.validate_market_stats(pd.DataFrame([_stats_row(source="")]))
    with pytest.raises(DataValidationError, match="source"):
        P.validate_market_stats(pd.DataFrame([_stats_row(source=None)]))
    with pytest.raises(DataValidationError, match="table id or a url"):
        P.validate_market_stats(pd.DataFrame([_stats_row(table_id="", url="")]))
    with pytest.raises(DataValidationError, match="verified"):
        P.validate_market_stats(pd.DataFrame([_stats_row(status="guess")]))
    with pytest.raises(DataValidationError, match="number"):
        P.validate_market_stats(pd.DataFrame([_stats_row(value="about 700k")]))


def test_bundled_statistics_table_is_cited_and_consistent():
    stats = pd.read_csv(ROOT / "data" / "hk_market_stats.csv", dtype={"period": str}, keep_default_na=False)
    stats = P.validate_market_stats(stats)  # every row cited, every verified row traceable
    assert (stats["source"] != "").all()
    verified = stats.loc[stats["status"] == "verified"]
    assert ((verified["table_id"] != "") | (verified["url"] != "")).all()
    assert {"population", "online_shopping_incidence", "online_sales_value", "online_sales_share"} <= set(
        verified["figure"])
    # 2021 Population Census: 7 413 070 residents (C&SD press release of 28 Feb 2022)
    assert P.market_stat(stats, "population") == 7_413_070
    # THS Report No. 73: 43.1% of persons aged 15+ shopped online in 2020
    assert P.market_stat(stats, "online_shopping_incidence") == pytest.approx(0.431)
    pops = P.district_population(stats)
    assert len(pops) == 18
    # the 18 districts add up to the territory within 1% (some are illustrative, rounded figures)
    assert pops["population"].sum() == pytest.approx(7_413_070, rel=0.01)
    # online share = online value / total value in each month the C&SD released (to rounding)
    wide = stats.loc[stats["figure"].isin(["online_sales_value", "retail_sales_value", "online_sales_share"])]
    wide = wide.pivot(index="period", columns="figure", values="value")
    assert (wide["online_sales_value"] / wide["retail_sales_value"]).to_numpy() == pytest.approx(
        wide["online_sales_share"].to_numpy(), abs=0.004)


def test_market_size_and_sensitivity_by_hand():
    pops = pd.DataFrame({"population": [600_000.0, 200_000.0], "status": ["verified", "illustrative"]},
                        index=pd.Index(["Sha Tin", "Islands"], name="district"))
    sized = P.market_size(pops, incidence=0.4, spend_hkd=5000.0)
    # 600 000 x 0.4 = 240 000 shoppers x 5 000 = HK$1.2 bn; 200 000 x 0.4 x 5 000 = HK$0.4 bn
    assert sized["online_shoppers"].tolist() == [240_000.0, 80_000.0]
    assert sized["market_hkd"].sum() == pytest.approx(1.6e9)
    grid = P.market_sensitivity(800_000, incidences=[0.3, 0.5], spends_hkd=[4000, 6000])
    # 800 000 x 0.5 x 6 000 = 2.4 bn; x 0.3 x 4 000 = 0.96 bn
    assert grid.loc[0.5, 6000.0] == pytest.approx(2.4e9) and grid.loc[0.3, 4000.0] == pytest.approx(0.96e9)
    with pytest.raises(ValueError, match="share"):
        P.market_size(pops, incidence=43.1, spend_hkd=5000.0)  # a percentage, not a share


# --------------------------------------------------------------------------- PDPO screen


def test_privacy_screen_counts_and_excludes():
    screen = P.privacy_screen(_leads())
    # L3: no lawful source; L8: lawful source missing -> treated as not lawful;
    # L2 and L6: lawful but no consent recorded
    assert screen.excluded.set_index("lead_id")["reason"].to_dict() == {
        "L2": "no consent recorded", "L3": "no lawful source", "L6": "no consent recorded", "L8": "no lawful source"}
    assert screen.n_excluded == 4
    assert screen.campaign_list["lead_id"].tolist() == ["L1", "L4", "L5", "L7"]
    assert screen.counts.loc["referral", "excluded"] == 2
    assert screen.counts.loc["search_ad", "no lawful source"] == 1
    assert P.summary_metrics(screen=screen)["leads_excluded_privacy"] == 4


# --------------------------------------------------------------------------- budget


def _comparison(returns: dict[str, float], cpa: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"return_per_hkd": returns, "cpa_hkd": cpa}).rename_axis("method")


def test_recommend_budget_follows_measured_returns():
    a = _comparison({"referral": 6.0, "email_promotion": 3.0, "search_ad": 1.0},
                    {"referral": 50.0, "email_promotion": 20.0, "search_ad": 100.0})
    rec = P.recommend_budget(a, budget_hkd=100_000, min_share=0.1)
    # floor 10% each, 70% shared 6:3:1 -> referral 10% + 42% = 52%, e-mail 10% + 21% = 31%, search 10% + 7% = 17%
    assert rec["share"].to_dict() == pytest.approx({"referral": 0.52, "email_promotion": 0.31, "search_ad": 0.17})
    assert rec.index[0] == "referral"
    # referral: HK$52 000 / CPA 50 = 1 040 customers, worth 52 000 x 6 = 312 000
    assert rec.loc["referral", "projected_customers"] == pytest.approx(1040.0)
    assert rec.loc["referral", "projected_value_hkd"] == pytest.approx(312_000.0)
    assert rec["budget_hkd"].sum() == pytest.approx(100_000.0)
    # different data, different split: now search ads return most
    b = _comparison({"referral": 1.0, "email_promotion": 0.0, "search_ad": 4.0},
                    {"referral": 50.0, "email_promotion": 20.0, "search_ad": 100.0})
    rec_b = P.recommend_budget(b, budget_hkd=100_000, min_share=0.1)
    # 70% shared 1:0:4 -> search 10% + 56% = 66%, referral 10% + 14% = 24%, e-mail only the floor
    assert rec_b["share"].to_dict() == pytest.approx({"search_ad": 0.66, "referral": 0.24, "email_promotion": 0.10})
    assert rec_b.index[0] == "search_ad"


def test_recommend_budget_no_positive_return_splits_equally_and_checks_floor():
    c = _comparison({"referral": 0.0, "search_ad": np.nan}, {"referral": 50.0, "search_ad": np.nan})
    rec = P.recommend_budget(c, budget_hkd=1000)
    assert rec["budget_hkd"].tolist() == pytest.approx([500.0, 500.0])
    assert rec.loc["search_ad", "projected_customers"] == 0.0  # no measured CPA: no projection
    with pytest.raises(ValueError, match="min_share"):
        P.recommend_budget(c, budget_hkd=1000, min_share=0.6)


def test_project_allocation_and_allocator_widget():
    comp = _comparison({"referral": 5.0, "search_ad": 2.0}, {"referral": 25.0, "search_ad": 80.0})
    proj = P.project_allocation(comp, {"referral": 1000.0})
    # referral 1000 / 25 = 40 customers, 5 000 value; search ad gets nothing
    assert proj.loc["referral", "projected_customers"] == pytest.approx(40.0)
    assert proj.loc["search_ad", "budget_hkd"] == 0.0
    with pytest.raises(ValueError, match="tv"):
        P.project_allocation(comp, {"tv": 10.0})
    box = P.budget_allocator(comp, budget_hkd=2000, start={"referral": 1000.0, "search_ad": 1000.0})
    sliders, summary, _table = box.children
    assert "about 52 new customers" in summary.value  # 1000/25 + 1000/80 = 40 + 12.5
    sliders.children[1].value = 0.0  # move the search-ad slider: the projection follows
    assert "about 40 new customers" in summary.value


def test_summary_metrics_keys_and_plain_numbers():
    comp = P.method_comparison(_leads())
    metrics = P.summary_metrics(leads=_leads(), comparison=comp, top20_share=0.5, market_hkd=1e9)
    assert {"leads", "methods", "top20_conversion_share", "keyword_savings_hkd", "market_size_hkd"} <= set(metrics)
    assert metrics["leads"] == 8
    assert metrics["methods"]["referral"] == {"leads": 3, "conversion_rate": pytest.approx(2 / 3, abs=1e-6),
                                              "cpa_hkd": 30.0, "median_cycle_days": 3.0,
                                              "return_per_hkd": pytest.approx(1600 / 60, abs=1e-6)}
    assert metrics["keyword_savings_hkd"] is None  # a skipped section is null, never 0


# --------------------------------------------------------------------------- the chapter on a transactions-only file


def test_chapter_on_uci_file_skips_lead_sections_and_still_sizes_the_market(online_retail_path, tmp_path):
    import json

    import papermill

    out = tmp_path / "output"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "03_prospect_methods.ipynb"), str(tmp_path / "run.ipynb"),
        parameters={"data_path": str(online_retail_path), "currency": "£", "output_dir": str(out)},
        cwd=str(ROOT / "notebooks"), kernel_name="python3", progress_bar=False,
    )
    metrics = json.loads((out / "metrics.json").read_text())
    # sections that need leads / keyword ads are skipped (null), never reported as 0
    assert metrics["leads"] is None and metrics["methods"] is None and metrics["keyword_savings_hkd"] is None
    assert metrics["top20_conversion_share"] is None and metrics["recommended_budget_hkd"] is None
    # market sizing uses only the bundled statistics table: 18 districts x 0.431 x HK$10 000
    stats = P.validate_market_stats(pd.read_csv(ROOT / "data" / "hk_market_stats.csv", dtype=str, keep_default_na=False))
    expected = P.district_population(stats)["population"].sum() * 0.431 * 10_000
    assert metrics["market_size_hkd"] == pytest.approx(expected)
    # UCI customers do have a first year: the BG/NBD estimate is positive (in £ here)
    assert metrics["new_customer_first_year_value_hkd"] > 0
    text = (tmp_path / "run.ipynb").read_text()
    assert text.count("*Skipped: this section needs the `leads` table") >= 5
    assert not (out / "methods.csv").exists() and (out / "market.csv").exists()
