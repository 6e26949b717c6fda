"""Retention tactics (helpers/retention.py): hand-worked small cases, and the Hillstrom e-mail test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import retention
from helpers.data import DataValidationError

T0 = pd.Timestamp("2025-06-01 10:00")
NAT = pd.NaT


# ---------------------------------------------------------------- statistics


def test_proportion_test_by_hand() -> None:
    r = retention.proportion_test(120, 1000, 80, 1000)
    # rates 0.12 and 0.08; pooled rate 0.10; se = sqrt(0.1 · 0.9 · (1/1000 + 1/1000)) = 0.0134164
    # z = 0.04 / 0.0134164 = 2.9814; two-sided p = 2 · (1 − Φ(2.9814)) = 0.00287
    assert (r["rate_treatment"], r["rate_control"]) == (0.12, 0.08)
    assert r["lift_abs"] == pytest.approx(0.04)
    assert r["lift_rel"] == pytest.approx(0.5)  # 0.04 / 0.08
    assert r["p_value"] == pytest.approx(0.00287, abs=5e-5)
    assert r["lift_ci_low"] < 0.04 < r["lift_ci_high"] and r["lift_ci_low"] > 0
    assert r["significant"] is True and r["verdict"] == "significant lift"
    # relative lift +50%; its interval excludes 0 like the absolute one, and is wider on the upper side (ratio scale)
    assert r["lift_rel_ci_low"] > 0 and r["lift_rel_ci_high"] - 0.5 > 0.5 - r["lift_rel_ci_low"]


def test_proportion_test_says_not_significant_plainly() -> None:
    r = retention.proportion_test(55, 1000, 40, 1000)
    # pooled 0.0475; se = sqrt(0.0475 · 0.9525 · 0.002) = 0.009512; z = 0.015 / 0.009512 = 1.577; p = 0.115
    assert r["p_value"] == pytest.approx(0.115, abs=0.001)
    assert r["significant"] is False and r["verdict"].startswith("not significant")
    assert r["lift_ci_low"] < 0 < r["lift_ci_high"]


def test_proportion_test_with_no_conversions_is_no_evidence() -> None:
    r = retention.proportion_test(0, 50, 0, 50)
    assert r["p_value"] == 1.0 and r["significant"] is False


def test_proportion_test_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="control"):
        retention.proportion_test(1, 10, 11, 10)
    with pytest.raises(ValueError, match="empty"):
        retention.proportion_test(0, 0, 1, 10)


def test_welch_test_by_hand() -> None:
    r = retention.mean_test([10.0, 12.0, 14.0, 16.0], [1.0, 2.0, 3.0, 4.0])
    # means 13 and 2.5 -> lift 10.5; sample variances 20/3 and 5/3; se = sqrt(20/12 + 5/12) = 1.44338
    # Welch df = (25/12)^2 / ((5/3)^2/3 + (5/12)^2/3) = 4.34028 / 0.98380 = 4.41176
    se, df = np.sqrt(25 / 12), (25 / 12) ** 2 / ((5 / 3) ** 2 / 3 + (5 / 12) ** 2 / 3)
    assert df == pytest.approx(4.41176, abs=1e-4)
    assert r["lift_abs"] == 10.5
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(10.5 / se, df), rel=1e-6)
    half = stats.t.ppf(0.975, df) * se
    assert (r["lift_ci_low"], r["lift_ci_high"]) == pytest.approx((10.5 - half, 10.5 + half))
    assert r["significant"] is True
    # relative lift 10.5 / 2.5 = 4.2; delta method se² = (20/3)/(4·2.5²) + 13²·(5/3)/(4·2.5⁴)
    #   = 0.266667 + 1.802667 = 2.069333 -> se 1.43852; 95%: 4.2 ± 1.95996 · 1.43852 = (1.3805, 7.0195)
    assert r["lift_rel"] == pytest.approx(4.2)
    assert (r["lift_rel_ci_low"], r["lift_rel_ci_high"]) == pytest.approx((1.3805, 7.0195), abs=1e-3)


def test_experiment_table_picks_the_test_by_outcome_type() -> None:
    df = pd.DataFrame({"arm": ["t"] * 4 + ["c"] * 4, "bought": [1, 1, 0, 1, 0, 1, 0, 0],
                       "spend": [5.0, 7.0, 0.0, 6.0, 0.0, 4.0, 0.0, 0.0]})
    out = retention.experiment_table(df, group_col="arm", treatment="t", control="c", outcomes=["bought", "spend"])
    assert out["test"].tolist() == ["two-proportion z", "Welch t"]
    # bought: 3/4 vs 1/4 -> +0.5; spend: 18/4 − 4/4 = 4.5 − 1.0 = 3.5
    assert out["lift_abs"].tolist() == pytest.approx([0.5, 3.5])
    assert not out["significant"].any()  # four customers per arm prove nothing


def test_experiment_table_names_a_missing_arm() -> None:
    df = pd.DataFrame({"arm": ["t", "t"], "bought": [1, 0]})
    with pytest.raises(DataValidationError, match="'c'"):
        retention.experiment_table(df, group_col="arm", treatment="t", control="c", outcomes=["bought"])


def test_sample_size_and_mde_by_hand() -> None:
    # Cohen's h = 2·asin(√0.12) − 2·asin(√0.10) = 0.70748 − 0.64350 = 0.06398
    # n per arm = (1/1 + 1) · ((z_0.975 + z_0.8) / h)^2 = 2 · (2.80159 / 0.06398)^2 = 3834.9 -> 3835
    h = 2 * np.arcsin(np.sqrt(0.12)) - 2 * np.arcsin(np.sqrt(0.10))
    assert h == pytest.approx(0.06398, abs=1e-5)
    assert retention.sample_size_per_arm(0.10, 0.02) == 3835
    # With 3835 per arm the smallest detectable lift over 10% is (back to) 2 points.
    assert retention.minimum_detectable_effect(0.10, 3835, 3835) == pytest.approx(0.02, abs=1e-4)
    # Smaller groups can only detect larger effects.
    assert retention.minimum_detectable_effect(0.10, 500, 500) > 0.05


def test_lift_by_segment_adjusts_for_many_segments() -> None:
    df = pd.DataFrame({"seg": ["a"] * 8 + ["b"] * 8, "arm": (["t"] * 4 + ["c"] * 4) * 2,
                       "bought": [1, 1, 1, 1, 0, 0, 0, 0] + [1, 0, 0, 0, 1, 0, 0, 0]})
    out = retention.lift_by_segment(df, segment_col="seg", group_col="arm", treatment="t", control="c", outcome="bought")
    # a: 4/4 vs 0/4, pooled 0.5, se = sqrt(0.25 · 0.5) = 0.35355, z = 2.828, p = 0.00468; Holm: 2 · 0.00468 = 0.00935
    # b: 1/4 vs 1/4, p = 1 -> adjusted 1
    assert out["p_value"].tolist() == pytest.approx([0.00468, 1.0], abs=1e-4)
    assert out["p_value_adjusted"].tolist() == pytest.approx([0.00935, 1.0], abs=2e-4)
    assert out["significant"].tolist() == [True, False]


# ---------------------------------------------------------------- Hillstrom


def hillstrom_raw(segment: list[str]) -> pd.DataFrame:
    n = len(segment)
    return pd.DataFrame({"recency": [1] * n, "history_segment": ["1) $0 - $100"] * n, "history": [50.0] * n,
                         "mens": [1] * n, "womens": [0] * n, "zip_code": ["Surburban"] * n, "newbie": [0] * n,
                         "channel": ["Web"] * n, "segment": segment, "visit": [1] * n, "conversion": [0] * n,
                         "spend": [0.0] * n})


def test_hillstrom_loader_keeps_identical_rows_and_refuses_unknown_arms() -> None:
    raw = hillstrom_raw(["Mens E-Mail", "Mens E-Mail", "No E-Mail"])
    exp = retention.hillstrom_experiment(raw)
    assert exp["arm"].tolist() == ["mens_email", "mens_email", "no_email"]  # identical rows are different customers
    assert exp["zip_code"].iloc[0] == "Surburban"
    with pytest.raises(DataValidationError, match="segment"):
        retention.hillstrom_experiment(hillstrom_raw(["Kids E-Mail"]))
    with pytest.raises(DataValidationError, match="spend"):
        retention.hillstrom_experiment(raw.drop(columns="spend"))


def test_hillstrom_reproduces_the_published_arm_means_and_lifts(hillstrom_path: Path) -> None:
    exp = retention.hillstrom_experiment(pd.read_csv(hillstrom_path))
    assert len(exp) == 64_000
    means = exp.groupby("arm")[["visit", "conversion", "spend_usd"]].mean()
    # Reference means (shared/data/README.md): visit, conversion, spend per arm.
    published = {"mens_email": (0.18276, 0.01253, 1.42262), "womens_email": (0.15140, 0.00884, 1.07720),
                 "no_email": (0.10617, 0.00573, 0.65279)}
    for arm, values in published.items():
        assert means.loc[arm].tolist() == pytest.approx(values, abs=5e-6), arm
    arms = retention.hillstrom_arms(exp).set_index(["arm", "outcome"])
    # Lifts over No E-Mail are differences of the published means.
    assert arms.loc[("mens_email", "visit"), "lift_abs"] == pytest.approx(0.18276 - 0.10617, abs=1e-5)
    assert arms.loc[("womens_email", "visit"), "lift_abs"] == pytest.approx(0.15140 - 0.10617, abs=1e-5)
    assert arms.loc[("mens_email", "spend_usd"), "lift_abs"] == pytest.approx(1.42262 - 0.65279, abs=1e-4)
    # Both e-mails raise visits beyond doubt (z ≈ 21 and 14: p far below 1e-10).
    assert arms.loc[("mens_email", "visit"), "p_value"] < 1e-10
    assert arms.loc[("womens_email", "visit"), "p_value"] < 1e-10
    assert arms.loc[("mens_email", "visit"), "significant"] and arms.loc[("womens_email", "visit"), "significant"]
    assert arms.loc[("mens_email", "conversion"), "test"] == "two-proportion z"
    assert arms.loc[("mens_email", "spend_usd"), "test"] == "Welch t"


# ---------------------------------------------------------------- campaigns


def sends_frame() -> pd.DataFrame:
    # C1 (email): 4 treated, 2 holdout; C2 (email): 2 treated, 4 holdout; C3 (forum): 2 treated, 2 holdout
    rows = [
        # campaign, group, delivered, opened, clicked, converted, revenue, unsubscribed
        ("C1", "treatment", True, True, True, True, 100.0, False),
        ("C1", "treatment", True, True, False, True, 100.0, False),
        ("C1", "treatment", True, False, False, False, 0.0, True),
        ("C1", "treatment", False, False, False, False, 0.0, False),
        ("C1", "control", False, False, False, False, 0.0, False),
        ("C1", "control", False, False, False, False, 0.0, False),
        ("C2", "treatment", True, True, True, True, 200.0, False),
        ("C2", "treatment", True, False, False, False, 0.0, False),
        ("C2", "control", False, False, False, True, 200.0, False),
        ("C2", "control", False, False, False, False, 0.0, False),
        ("C2", "control", False, False, False, False, 0.0, False),
        ("C2", "control", False, False, False, False, 0.0, False),
        ("C3", "treatment", True, True, False, True, 50.0, False),
        ("C3", "treatment", True, False, False, False, 0.0, False),
        ("C3", "control", False, False, False, True, 50.0, False),
        ("C3", "control", False, False, False, False, 0.0, False),
    ]
    f = pd.DataFrame(rows, columns=["campaign_id", "group", "delivered", "opened", "clicked", "converted", "revenue_hkd", "unsub"])
    channel = f["campaign_id"].map({"C1": "email", "C2": "email", "C3": "forum"})
    return pd.DataFrame({
        "campaign_id": f["campaign_id"], "customer_id": [f"u{i}" for i in range(len(f))], "group": f["group"],
        "channel": channel, "delivered": f["delivered"],
        "opened_at": f["opened"].map({True: T0, False: NAT}), "clicked_at": f["clicked"].map({True: T0, False: NAT}),
        "converted_at": f["converted"].map({True: T0, False: NAT}), "revenue_hkd": f["revenue_hkd"],
        "unsubscribed_at": f["unsub"].map({True: T0, False: NAT}),
    })


CAMPAIGNS = pd.DataFrame({"campaign_id": ["C1", "C2", "C3"], "channel": ["email", "email", "forum"],
                          "sent_at": [T0] * 3, "cost_hkd": [40.0, 20.0, 10.0]})


def test_campaign_funnel_by_channel() -> None:
    f = retention.campaign_funnel(sends_frame(), CAMPAIGNS).set_index("channel")
    # email treated: 6 sent, 5 delivered, 3 opened, 2 clicked, 3 converted, revenue 400, 1 unsubscribed
    e = f.loc["email"]
    assert [e[c] for c in ("sent", "delivered", "opened", "clicked", "converted", "unsubscribed")] == [6, 5, 3, 2, 3, 1]
    assert e["revenue_hkd"] == 400.0 and e["cost_hkd"] == 60.0
    assert (e["open_rate"], e["click_rate"], e["conversion_rate"], e["unsubscribe_rate"]) == pytest.approx((3 / 5, 2 / 3, 3 / 5, 1 / 5))
    assert f.index.tolist() == ["email", "forum"]  # the unit's channel order
    per_campaign = retention.campaign_funnel(sends_frame(), CAMPAIGNS, by=("channel", "campaign_id")).set_index("campaign_id")
    # C1: 4 sent, 3 delivered, 2 converted, cost 40; C2: 2 sent, 2 delivered, 1 converted, cost 20
    assert per_campaign.loc[["C1", "C2"], ["sent", "delivered", "converted", "cost_hkd"]].values.tolist() == [[4, 3, 2, 40.0], [2, 2, 1, 20.0]]


def test_campaign_funnel_requires_its_columns() -> None:
    with pytest.raises(DataValidationError, match="clicked_at"):
        retention.campaign_funnel(sends_frame().drop(columns="clicked_at"))


def test_campaign_experiments_incremental_revenue_per_hkd() -> None:
    out = retention.campaign_experiments(sends_frame(), CAMPAIGNS).set_index("campaign_id")
    # C1: conversion 2/4 vs 0/2 -> +0.5; revenue/customer 50 vs 0 -> incremental 50 · 4 = 200; per HK$ 200/40 = 5
    # C2: 1/2 vs 1/4 -> +0.25; revenue 100 vs 50 -> 50 · 2 = 100; per HK$ 100/20 = 5
    assert out.loc["C1", "lift_abs"] == pytest.approx(0.5) and out.loc["C2", "lift_abs"] == pytest.approx(0.25)
    assert out.loc[["C1", "C2"], "incremental_revenue_hkd"].tolist() == pytest.approx([200.0, 100.0])
    assert out.loc[["C1", "C2"], "incremental_revenue_per_hkd"].tolist() == pytest.approx([5.0, 5.0])
    assert not out["significant"].any()


def test_channel_comparison_adds_up_campaigns_against_their_own_holdouts() -> None:
    ch = retention.channel_comparison(sends_frame(), CAMPAIGNS).set_index("channel")
    # email: incremental conversions 0.5·4 + 0.25·2 = 2.5 over 6 sends = 0.41667
    # (pooling the arms instead would give 3/6 − 1/6 = 0.333 · 6 = 2: campaigns with different holdout shares must not be pooled)
    assert ch.loc["email", "incremental_conversions"] == pytest.approx(2.5)
    assert ch.loc["email", "incremental_conversion_rate"] == pytest.approx(2.5 / 6)
    # revenue 200 + 100 = 300 on cost 60 -> 5 per HK$; forum: (25 − 25) · 2 = 0
    assert ch.loc["email", "incremental_revenue_hkd"] == pytest.approx(300.0)
    assert ch.loc["email", "incremental_revenue_per_hkd"] == pytest.approx(5.0)
    assert ch.loc["forum", "incremental_revenue_hkd"] == pytest.approx(0.0)
    assert ch["verdict"].str.startswith("not significant").all()
    # The coupon test (or any campaign) can be analysed separately.
    assert retention.channel_comparison(sends_frame(), CAMPAIGNS, exclude_campaigns=["C3"])["channel"].tolist() == ["email"]


def test_shop_as_of_drops_later_rows_and_unfinished_campaigns() -> None:
    camp = pd.DataFrame({"campaign_id": ["C1", "C2", "C3"], "sent_at": pd.to_datetime(["2025-01-01", "2025-01-20", "2025-03-01"])})
    sends = pd.DataFrame({"campaign_id": ["C1", "C2", "C3"], "customer_id": ["a", "b", "c"]})
    loyalty = pd.DataFrame({"customer_id": ["a", "a"], "snapshot_date": pd.to_datetime(["2025-01-31", "2025-02-28"])})
    view = retention.shop_as_of({"campaigns": camp, "campaign_sends": sends, "loyalty": loyalty}, "2025-02-01")
    # as of 1 Feb: C1's 14-day window closed on 15 Jan; C2's closes on 3 Feb (unfinished); C3 is in the future;
    # the 28 Feb snapshot is in the future
    assert view["campaigns"]["campaign_id"].tolist() == ["C1"]
    assert view["campaign_sends"]["customer_id"].tolist() == ["a"]
    assert view["loyalty"]["snapshot_date"].tolist() == [pd.Timestamp("2025-01-31")]


def test_shop_as_of_can_leave_out_tables_with_nothing_before_the_date() -> None:
    camp = pd.DataFrame({"campaign_id": ["C1"], "sent_at": pd.to_datetime(["2025-01-25"])})
    sends = pd.DataFrame({"campaign_id": ["C1"], "customer_id": ["a"]})
    loyalty = pd.DataFrame({"customer_id": ["a"], "snapshot_date": pd.to_datetime(["2025-01-31"])})
    shop = {"campaigns": camp, "campaign_sends": sends, "loyalty": loyalty}
    # as of 1 Feb: C1's window closes on 8 Feb -> no campaign, hence no sends; the snapshot of 31 Jan stays
    assert set(retention.shop_as_of(shop, "2025-02-01")) == {"campaigns", "campaign_sends", "loyalty"}
    assert set(retention.shop_as_of(shop, "2025-02-01", drop_empty=True)) == {"loyalty"}


def test_segment_at_send_uses_history_strictly_before_the_send() -> None:
    camp = pd.DataFrame({"campaign_id": ["C1"], "sent_at": pd.to_datetime(["2025-06-01 10:00"])})
    sends = pd.DataFrame({"campaign_id": ["C1"] * 5, "customer_id": ["a", "b", "c", "d", "e"]})
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "b", "c", "d", "d"],
        "order_id": [str(i) for i in range(9)],
        "order_date": pd.to_datetime(format="mixed", arg=[
            "2024-09-01", "2025-02-01", "2025-05-01",   # a: 3 orders in the past year, last 31 days ago -> active_high
            "2024-05-01", "2025-01-01", "2025-04-10",   # b: only 2 in the year before; last 52 days ago -> active
            "2024-10-01",                               # c: last order 243 days ago -> lapsed
            "2025-06-01 10:00", "2025-06-02",           # d: orders at/after the send do not count -> lapsed
        ]),
    })
    assert retention.segment_at_send(sends, camp, tx).tolist() == ["active_high", "active", "lapsed", "lapsed", "lapsed"]


# ---------------------------------------------------------------- coupons


def test_coupon_economics_by_hand() -> None:
    groups = ["coupon"] * 6 + ["control"] * 4
    coupons = pd.DataFrame({
        "group": groups,
        "value_hkd": [50, 50, 50, 100, 100, 100, 0, 0, 0, 0],
        "redeemed_at": [T0, T0, NAT, T0, NAT, NAT, NAT, NAT, NAT, NAT],
        "purchased_in_window": [True, True, False, True, True, False, True, False, False, False],
        "revenue_in_window_hkd": [400.0, 350.0, 0.0, 600.0, 300.0, 0.0, 200.0, 0.0, 0.0, 0.0],
    })
    out = retention.coupon_economics(coupons, gross_margin=0.5).set_index("value_hkd")
    # control: 1/4 bought, revenue 200/4 = 50 per customer
    # HK$50 arm: 3 customers, 2 redeemed, 2 bought (2/3); revenue 750 -> 250 per customer
    #   incremental = (250 − 50) · 3 = 600; discount 2 · 50 = 100; cannibalised 0.25 / (2/3) = 0.375
    #   ROI = (600 · 0.5 − 100) / 100 = 2.0
    # HK$100 arm: 3 customers, 1 redeemed, 2 bought; revenue 900 -> 300 per customer
    #   incremental = (300 − 50) · 3 = 750; discount 100; ROI = (375 − 100) / 100 = 2.75
    assert out.loc[50, "redemption_rate"] == pytest.approx(2 / 3)
    assert out.loc[[50, 100], "incremental_revenue_hkd"].tolist() == pytest.approx([600.0, 750.0])
    assert out.loc[[50, 100], "discount_cost_hkd"].tolist() == [100, 100]
    assert out.loc[50, "cannibalised_share"] == pytest.approx(0.375)
    assert out.loc[50, "wasted_discount_hkd"] == pytest.approx(37.5)
    assert out.loc[50, "would_buy_anyway_rate"] == pytest.approx(0.25)  # redemption 2/3 × cannibalised 0.375
    assert out.loc[[50, 100], "roi"].tolist() == pytest.approx([2.0, 2.75])
    assert out.loc[50, "incremental_revenue_per_hkd"] == pytest.approx(6.0)
    assert out.loc[50, "arm"] == "HK$50 coupon"


def test_coupon_economics_needs_a_control_arm() -> None:
    coupons = pd.DataFrame({"group": ["coupon"], "value_hkd": [50], "redeemed_at": [T0], "purchased_in_window": [True],
                            "revenue_in_window_hkd": [300.0]})
    with pytest.raises(DataValidationError, match="group"):
        retention.coupon_economics(coupons)


def test_coupon_what_if_by_hand() -> None:
    r = retention.coupon_what_if(np.array([20.0, 100.0]), [0.05, 0.2], customers=500, would_buy_anyway_rate=0.1,
                                 average_order_hkd=300.0, gross_margin=0.4)
    # rows: (rate 0.05: HK$20, HK$100), (rate 0.2: HK$20, HK$100)
    # 5% redeem < 10% who would buy anyway: no extra orders, ROI −1 whatever the value
    # 20% redeem: 100 redemptions, 50 extra orders (0.1 · 500) · 300 = 15,000 revenue, margin 6,000
    #   HK$20: cost 2,000 -> ROI (6,000 − 2,000) / 2,000 = 2.0; HK$100: cost 10,000 -> −0.4
    assert r["redemption_rate"].tolist() == [0.05, 0.05, 0.2, 0.2]
    assert r["incremental_revenue_hkd"].tolist() == [0.0, 0.0, 15000.0, 15000.0]
    assert r["roi"].tolist() == pytest.approx([-1.0, -1.0, 2.0, -0.4])
    with pytest.raises(ValueError, match="would_buy_anyway_rate"):
        retention.coupon_what_if(50, 0.1, customers=10, would_buy_anyway_rate=1.5, average_order_hkd=100)


def test_coupon_assumptions_come_from_the_test() -> None:
    economics = pd.DataFrame({"customers": [100, 300], "would_buy_anyway_rate": [0.2, 0.1], "revenue_hkd": [3000.0, 5000.0],
                              "buyers": [10, 30]})
    a = retention.coupon_assumptions(economics, pd.DataFrame({"order_id": [], "amount": []}), gross_margin=0.4)
    # customers 400; would-buy-anyway (0.2·100 + 0.1·300) / 400 = 0.125; average order 8000 / 40 = 200
    assert a == {"customers": 400, "would_buy_anyway_rate": 0.125, "average_order_hkd": 200.0, "gross_margin": 0.4}


def test_coupon_widget_builds_headless() -> None:
    box = retention.coupon_what_if_widget(customers=100, would_buy_anyway_rate=0.1, average_order_hkd=300.0)
    assert len(box.children) == 2


# ---------------------------------------------------------------- loyalty


def test_tier_migration_only_counts_members_in_both_snapshots() -> None:
    loyalty = pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "c", "c", "d"],
        "snapshot_date": pd.to_datetime(["2025-03-31", "2025-06-30"] * 3 + ["2025-06-30"]),
        "tier": ["Silver", "Gold", "Silver", "Silver", "Gold", "Platinum", "Gold"],
    })
    m = retention.tier_migration(loyalty)
    # Silver: a -> Gold, b -> Silver = 1/2 each; Gold: c -> Platinum; Platinum row empty; d joined later
    assert m.loc["Silver"].tolist() == [0.5, 0.5, 0.0]
    assert m.loc["Gold"].tolist() == [0.0, 0.0, 1.0]
    assert m.loc["Platinum"].tolist() == [0.0, 0.0, 0.0]
    assert m.attrs["members"] == 3


def test_points_liability_uses_the_programme_redemption_history() -> None:
    loyalty = pd.DataFrame({"customer_id": ["a", "b", "a"], "tier": ["Gold", "Silver", "Silver"],
                            "snapshot_date": pd.to_datetime(["2025-06-30", "2025-06-30", "2025-03-31"]),
                            "points_earned": [1000, 1000, 2000], "points_redeemed": [500, 0, 500],
                            "points_balance": [5000, 1000, 4500]})
    out = retention.points_liability(loyalty, hkd_per_point=0.1).set_index("tier")
    # redemption history 1000 / 4000 = 0.25; latest balances 5000 (Gold) + 1000 (Silver) = 6000
    # liability 6000 · 0.1 · 0.25 = 150
    assert out.loc["total", "points_balance"] == 6000
    assert out.loc["total", "liability_hkd"] == pytest.approx(150.0)
    assert out.loc["Gold", "liability_hkd"] == pytest.approx(125.0)
    assert retention.points_liability(loyalty, hkd_per_point=0.1, redemption_rate=1.0).set_index("tier").loc["total", "liability_hkd"] == 600.0


def test_member_comparison_states_the_self_selection_caveat() -> None:
    cust = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "membership_tier": ["Gold", "Silver", "none", "none"]})
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "c"], "order_id": ["1", "1", "2", "3", "4", "5"],
                       "order_date": pd.to_datetime(["2025-01-01"] * 3 + ["2025-01-02", "2025-02-01", "2025-03-01"]),
                       "amount": [50.0, 50.0, 30.0, 10.0, 10.0, 10.0]})
    out = retention.member_comparison(cust, tx).set_index("group")
    # members a (1 order of 100, two lines) and b (1 order of 30): repeat 0/2, spend per buyer 65
    # non-members: c has 3 orders (repeat), d never bought -> buyers 1, repeat rate 1, orders per buyer 3
    assert out.loc["member", ["buyers", "repeat_rate", "spend_per_buyer_hkd"]].tolist() == [2, 0.0, 65.0]
    assert out.loc["non-member", ["customers", "buyers", "repeat_rate", "orders_per_buyer"]].tolist() == [2, 1, 1.0, 3.0]
    assert {"Silver", "Gold"} <= set(out.index)
    assert "not the programme's effect" in retention.member_comparison(cust, tx).attrs["caveat"]


# ---------------------------------------------------------------- referral and membership schemes


def test_referral_summary_by_hand() -> None:
    t = pd.Timestamp("2025-01-01")
    refs = pd.DataFrame({
        "referrer_id": ["a", "a", "a", "b", "c"],
        "referee_id": ["x", "y", None, "z", None],
        "channel": ["online", "online", "online", "offline", "offline"],
        "signed_up_at": [t, t, NAT, t, NAT],
        "processed_at": [t + pd.Timedelta(hours=1), t + pd.Timedelta(hours=3), NAT, t + pd.Timedelta(days=5), NAT],
        "first_order_at": [t, NAT, NAT, t, NAT],
        "reward_hkd": [50.0, 0.0, 0.0, 50.0, 0.0],
    })
    out = retention.referral_summary(refs, customers=20).set_index("channel")
    # all: 5 invitations from 3 referrers (5/3 each), 3 sign-ups (0.6), 2 first orders (0.4)
    # viral coefficient k = invitations per customer 5/20 × sign-up rate 0.6 = 0.15 sign-ups per customer
    assert out.loc["all", ["invitations", "referrers", "sign_ups", "first_orders"]].tolist() == [5, 3, 3, 2]
    assert out.loc["all", "invitations_per_referrer"] == pytest.approx(5 / 3)
    assert out.loc["all", "sign_up_rate"] == pytest.approx(0.6)
    assert out.loc["all", "referral_conversion"] == pytest.approx(0.4)
    assert out.loc["all", "viral_coefficient"] == pytest.approx(0.15)
    # processing: online median of 1 h and 3 h = 2 h; offline 5 days = 120 h
    assert out.loc["online", "median_processing_hours"] == pytest.approx(2.0)
    assert out.loc["offline", "median_processing_hours"] == pytest.approx(120.0)
    assert out.loc["all", "reward_cost_hkd"] == 100.0


def test_first_window_activity_excludes_unfinished_windows() -> None:
    tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "order_id": ["1", "2", "3", "4"],
                       "order_date": pd.to_datetime(["2025-01-01", "2025-03-31", "2025-04-01", "2025-05-01"]),
                       "amount": [10.0, 20.0, 40.0, 5.0]})
    out = retention.first_window_activity(tx, window_days=90, as_of="2025-06-01")
    # a: window 01-01 .. 03-31 (90 days, end exclusive at 04-01): orders 1 and 2 -> repeat, spend 30
    # b: first order 05-01, window ends 07-30 after as_of -> not eligible
    assert out.loc["a", ["orders_in_window", "spend_in_window_hkd"]].tolist() == [2, 30.0]
    assert out["eligible"].tolist() == [True, False]


def test_referred_vs_others_by_hand() -> None:
    cust = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "referred_by": ["b", None, "b", None]})
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d", "d"], "order_id": list("123456"),
                       "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01", "2025-01-05", "2025-01-01", "2025-01-20"]),
                       "amount": [100.0, 100.0, 50.0, 60.0, 30.0, 30.0]})
    out = retention.referred_vs_others(cust, tx, window_days=90, as_of="2025-12-31").set_index("group")
    # referred a (repeat, 200) and c (no repeat, 60): repeat 0.5, value 130; others b (50) and d (repeat, 60): 0.5, 55
    assert out.loc["referred", ["customers", "repeat_rate", "value_per_customer_hkd"]].tolist() == [2, 0.5, 130.0]
    assert out.loc["other", ["customers", "repeat_rate", "value_per_customer_hkd"]].tolist() == [2, 0.5, 55.0]


def test_welcome_offer_summary_by_hand() -> None:
    join = pd.Timestamp("2025-01-01")
    wo = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "join_date": [join] * 3 + [pd.Timestamp("2025-06-01")],
                       "offer": ["HK$50 off", "HK$50 off", "Free delivery", "Free delivery"],
                       "value_hkd": [50.0, 50.0, 30.0, 30.0], "taken_up_at": [join, join, NAT, NAT]})
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "a"], "order_id": list("123456"),
                       "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-02", "2025-01-03", "2025-03-01", "2025-05-01"]),
                       "amount": [100.0] * 6})
    out = retention.welcome_offer_summary(wo, tx, as_of="2025-07-01").set_index("offer")
    # HK$50 off: 2 members, both took it up (cost 100); a ordered twice within 90 days (05-01 is outside), b once -> 0.5
    # Free delivery: 2 members, none took it up; c repeated; d joined 06-01, window unfinished -> repeat 1/1
    assert out.loc["HK$50 off", ["members", "take_up_rate", "cost_hkd", "repeat_rate"]].tolist() == [2, 1.0, 100.0, 0.5]
    assert out.loc["Free delivery", ["take_up_rate", "cost_hkd", "repeat_rate"]].tolist() == [0.0, 0.0, 1.0]


# ---------------------------------------------------------------- win-back and ranking


def test_win_back_list_respects_consent_and_picks_channel() -> None:
    clv = pd.DataFrame({"total_spend": [900.0, 800.0, 700.0, 100.0], "p_alive": [0.2, 0.1, 0.3, 0.05],
                        "expected_value": [10.0, 5.0, 8.0, 1.0]}, index=pd.Index(["a", "b", "c", "d"], name="customer_id"))
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "dm_consent": [True, False, True, True],
                              "opt_out_date": [NAT, NAT, NAT, NAT], "consent_data_kinds": ["name;email", "name;email", "name;phone", "email"]})
    out = retention.win_back_list(clv, value_quantile=0.5, customers=customers)
    # spend median of (900, 800, 700, 100) is 750: a, b qualify; c (700) and d do not; b has no consent
    assert out["customer_id"].tolist() == ["a"]
    assert out["suggested_channel"].tolist() == ["email"]
    loose = retention.win_back_list(clv, value_quantile=0.25, customers=customers)
    # 25% quantile = 550: a, b, c qualify; b has no consent; c agreed to phone only -> SMS
    assert loose.set_index("customer_id")["suggested_channel"].to_dict() == {"a": "email", "c": "sms"}


def test_rank_tactics_puts_significant_tactics_first() -> None:
    channels = pd.DataFrame({"channel": ["email", "forum", "sms"], "incremental_revenue_hkd": [900.0, 500.0, 100.0],
                             "cost_hkd": [300.0, 50.0, 100.0], "incremental_revenue_per_hkd": [3.0, 10.0, 1.0],
                             "significant": [True, False, True]})
    coupons = pd.DataFrame({"arm": ["HK$50 coupon"], "incremental_revenue_hkd": [400.0], "discount_cost_hkd": [200.0],
                            "incremental_revenue_per_hkd": [2.0], "significant": [True], "revenue_p_value": [0.01]})
    out = retention.rank_tactics(channels, coupons)
    # forum's 10 per HK$ is not significant, so it ranks after every measured winner;
    # the coupon's revenue lift is significant (p 0.01), the channels' revenue significance is unknown -> after it
    assert out["tactic"].tolist() == ["HK$50 coupon", "email", "sms", "forum"]
    assert out["evidence"].tolist()[-1].startswith("not significant")
    assert out["evidence"].iloc[0] == "conversion and revenue lift significant"
    assert retention.rank_tactics().empty


# ---------------------------------------------------------------- the chapter as a report on a plain transactions file


def test_notebook_runs_on_uci_with_campaign_sections_skipped(online_retail_path: Path, tmp_path: Path) -> None:
    import json

    import papermill

    project = Path(__file__).resolve().parent.parent
    out = tmp_path / "report"
    papermill.execute_notebook(
        str(project / "notebooks" / "02_retention_tactics.ipynb"), str(tmp_path / "run.ipynb"),
        parameters={"data_path": str(online_retail_path), "output_dir": str(out)},
        cwd=str(project / "notebooks"), kernel_name="python3", progress_bar=False,
    )
    metrics = json.loads((out / "metrics.json").read_text())
    required = {"customers", "campaigns", "best_channel_by_conversion", "experiments", "bgnbd_params",
                "gamma_gamma_params", "expected_purchases_next_period", "at_risk_customers"}
    assert required <= set(metrics)
    # 4,338 customers with a non-cancelled order (shared/data/README.md: 4,339 among non-cancellation rows,
    # one of whom has only a zero-price line, which cleaning drops)
    assert metrics["customers"] == 4338
    assert metrics["campaigns"] == 0 and metrics["experiments"] == {} and metrics["best_channel_by_conversion"] is None
    assert metrics["bgnbd_converged"] is True and set(metrics["bgnbd_params"]) == {"r", "alpha", "a", "b"}
    text = (tmp_path / "run.ipynb").read_text()
    assert "needs the shop's campaigns" in text and "is skipped" in text
    clv_rows = (out / "clv.csv").read_text().splitlines()
    assert len(clv_rows) == 4338 + 1 and all(row.startswith("cus_") for row in clv_rows[1:])


# ---------------------------------------------------------------- is the history long enough for BG/NBD?


def _visits(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [c for c, _ in rows], "order_date": pd.to_datetime([d for _, d in rows])})


def test_history_check_counts_days_and_needs_twice_the_horizon_to_validate() -> None:
    tx = _visits(("a", "2024-01-01 10:00"), ("a", "2024-01-20 09:00"), ("b", "2024-01-25 18:30"))
    check = retention.history_check(tx, as_of="2024-02-01", horizon_days=20, min_repeat_customers=1)
    # days covered: 2024-01-01 up to (not including) 2024-02-01 = 31 days.
    # validation needs 2 × 20 = 40 > 31 -> no; the forecast needs 20 <= 31 and has 1 repeat customer (a) -> yes.
    assert (check.days_covered, check.customers, check.repeat_customers) == (31, 2, 1)
    assert (check.validate_days_needed, check.forecast_days_needed) == (40, 20)
    assert not check.can_validate and check.can_forecast
    message = check.validate_message
    # the largest horizon that would fit is 31 // 2 = 15 days
    assert "at least 40 days" in message and "covers 31 days (2024-01-01 to 2024-01-31)" in message
    assert "Set `horizon_days` to 15 or less" in message and "skipped" in message
    assert check.forecast_message() == ""


def test_history_check_boundary_is_exactly_twice_the_horizon() -> None:
    tx = _visits(("a", "2024-01-01 10:00"), ("a", "2024-01-05 10:00"))
    # horizon 15: 31 days >= 2 × 15 = 30; calibration ends 2024-02-01 − 16 days = 2024-01-16, a's two days are in it.
    ok = retention.history_check(tx, as_of="2024-02-01", horizon_days=15, min_repeat_customers=1)
    assert ok.can_validate and ok.calibration_repeat_customers == 1 and ok.validate_message == ""
    # horizon 16: 31 days < 32 -> skipped, and the message names 32
    short = retention.history_check(tx, as_of="2024-02-01", horizon_days=16, min_repeat_customers=1)
    assert not short.can_validate and "at least 32 days" in short.validate_message


def test_history_check_repeat_customers_in_the_calibration_part() -> None:
    tx = _visits(("a", "2024-01-01 10:00"), ("a", "2024-01-20 09:00"), ("b", "2024-01-25 18:30"))
    # horizon 15: calibration ends 2024-01-16, a has only 2024-01-01 there -> 0 repeat customers, days are enough (31 >= 30)
    none = retention.history_check(tx, as_of="2024-02-01", horizon_days=15, min_repeat_customers=1)
    assert none.calibration_repeat_customers == 0 and not none.can_validate
    assert "at least 1 customers with a repeat purchase in the first 16 days" in none.validate_message  # 31 − 15 = 16
    # horizon 10: calibration ends 2024-01-21, a has 01-01 and 01-20 -> 1 repeat customer
    assert retention.history_check(tx, as_of="2024-02-01", horizon_days=10, min_repeat_customers=1).can_validate


def test_history_check_ignores_later_orders_and_same_day_lines() -> None:
    # b's two lines on one day are one purchase day (not a repeat); c's order on the analysis date is not history
    tx = _visits(("a", "2024-01-01 10:00"), ("a", "2024-01-08 10:00"), ("b", "2024-01-03 09:00"),
                 ("b", "2024-01-03 17:00"), ("c", "2024-02-01 12:00"))
    check = retention.history_check(tx, as_of="2024-02-01", horizon_days=7)
    assert (check.customers, check.repeat_customers, check.days_covered) == (2, 1, 31)
    # default minimum of 20 repeat customers: 1 is too few, whatever the length
    assert not check.can_forecast
    assert "at least 20 customers with a repeat purchase" in check.forecast_message()
    assert "the data has 1 (of 2 customers)" in check.forecast_message()


def test_history_check_forecast_needs_the_horizon_and_a_converged_fit() -> None:
    from helpers.clv import BGNBDFit

    tx = _visits(("a", "2024-01-01 10:00"), ("a", "2024-01-20 09:00"))
    short = retention.history_check(tx, as_of="2024-02-01", horizon_days=90, min_repeat_customers=1)
    # 31 days < 90
    assert not short.can_forecast and not short.usable(None)
    assert "at least 90 days of history" in short.forecast_message() and "Set `horizon_days` to 31 or less" in short.forecast_message()
    enough = retention.history_check(tx, as_of="2024-02-01", horizon_days=30, min_repeat_customers=1)
    good = BGNBDFit(r=0.5, alpha=2.0, a=1.0, b=5.0, log_likelihood=-10.0, n_customers=1)
    stuck = BGNBDFit(r=0.5, alpha=2.0, a=1.0, b=5.0, log_likelihood=-10.0, n_customers=1, converged=False,
                     message="alpha ran to the edge of the search range")
    assert enough.usable(good) and enough.forecast_message(good) == ""
    assert not enough.usable(stuck) and not enough.usable(None)
    assert "did not converge (alpha ran to the edge of the search range)" in enough.forecast_message(stuck)


def test_history_check_empty_history_and_bad_input() -> None:
    tx = _visits(("a", "2024-03-01 10:00"))
    empty = retention.history_check(tx, as_of="2024-02-01", horizon_days=30)  # the only order is after the analysis date
    assert (empty.days_covered, empty.customers) == (0, 0) and not empty.can_validate and not empty.can_forecast
    assert "covers 0 days" in empty.validate_message and "Use a longer export" in empty.validate_message
    with pytest.raises(ValueError, match="horizon_days"):
        retention.history_check(tx, as_of="2024-02-01", horizon_days=0)
    with pytest.raises(DataValidationError, match="order_date"):
        retention.history_check(tx.drop(columns="order_date"), as_of="2024-02-01", horizon_days=30)


def test_retention_metrics_are_null_when_no_model_could_be_fitted() -> None:
    tx = _visits(("a", "2024-01-01 10:00"), ("a", "2024-01-20 09:00"))
    check = retention.history_check(tx, as_of="2024-02-01", horizon_days=90)
    metrics = retention.retention_metrics(customers=1, funnel=None, channels=None, coupons=None, bgnbd=None, gamma_gamma=None,
                                          clv=None, horizon_days=90, win_back=None, history=check)
    assert [metrics[k] for k in ("bgnbd_params", "bgnbd_converged", "gamma_gamma_params", "expected_purchases_next_period",
                                 "at_risk_customers", "win_back_customers")] == [None] * 6
    assert (metrics["history_days"], metrics["history_days_needed"], metrics["horizon_days"]) == (31, 90, 90)


def test_clv_export_columns_name_the_empty_clv_csv_header() -> None:
    from helpers import clv

    tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_date": pd.to_datetime(["2024-01-01 10:00", "2024-01-15 10:00", "2024-01-03 10:00"]),
                       "amount": [10.0, 20.0, 5.0]})
    summary = clv.customer_summary(tx, observation_end="2024-01-31")
    fit = clv.BGNBDFit(r=0.5, alpha=2.0, a=0.8, b=5.0, log_likelihood=-10.0, n_customers=2)
    assert tuple(clv.clv_export(clv.clv_table(fit, None, summary, horizon_days=30)).columns) == clv.CLV_EXPORT_COLUMNS
