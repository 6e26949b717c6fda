"""Unit tests for helpers.consumption, on small frames worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import consumption as c


def _tx(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"], format="ISO8601")
    return frame


@pytest.fixture
def shop() -> pd.DataFrame:
    """Five customers, eleven orders (o1 has two lines), analysis date 2024-04-01.

    a: 2024-02-01 50, 2024-03-01 50, 2024-03-31 60+40   -> recency 1,   3 orders, 200
    b: 2024-01-10 30, 2024-03-25 30                     -> recency 7,   2 orders,  60
    c: 2024-01-01 500                                   -> recency 91 (31 Jan + 29 Feb + 31 Mar), 1 order, 500
    d: 2023-12-01/05/10/20, 10 each                     -> recency 103 (12 days to 1 Jan + 91), 4 orders, 40
    e: 2024-03-30 5                                     -> recency 2,   1 order,    5
    """
    return _tx([
        ("o1", "a", "2024-03-31 10:00", 60.0), ("o1", "a", "2024-03-31 10:00", 40.0),
        ("o2", "a", "2024-03-01", 50.0), ("o3", "a", "2024-02-01", 50.0),
        ("o4", "b", "2024-03-25", 30.0), ("o5", "b", "2024-01-10", 30.0),
        ("o6", "c", "2024-01-01", 500.0),
        ("o7", "d", "2023-12-01", 10.0), ("o8", "d", "2023-12-05", 10.0),
        ("o9", "d", "2023-12-10", 10.0), ("o10", "d", "2023-12-20", 10.0),
        ("o11", "e", "2024-03-30", 5.0),
    ])


# --------------------------------------------------------------------------- RFM


def test_rfm_recency_frequency_monetary_by_hand(shop: pd.DataFrame) -> None:
    rfm = c.rfm_table(shop, as_of="2024-04-01").set_index("customer_id")
    assert rfm["recency_days"].to_dict() == {"a": 1, "b": 7, "c": 91, "d": 103, "e": 2}
    assert rfm["frequency_orders"].to_dict() == {"a": 3, "b": 2, "c": 1, "d": 4, "e": 1}
    assert rfm["monetary_hkd"].to_dict() == {"a": 200.0, "b": 60.0, "c": 500.0, "d": 40.0, "e": 5.0}
    assert rfm.loc["a", "avg_order_hkd"] == pytest.approx(200 / 3)


def test_rfm_scores_and_segments_by_hand(shop: pd.DataFrame) -> None:
    # n = 5, score = 1 + floor(5 * worse / 5) = 1 + number of customers strictly worse.
    # R (fewer days better): a 1 -> 4 worse -> 5; e 2 -> 4; b 7 -> 3; c 91 -> 2; d 103 -> 1.
    # F: a 3 beats b, c, e -> 4; b 2 beats c, e -> 3; c, e 1 -> 1; d 4 -> 5.
    # M: a 200 beats b, d, e -> 4; b 60 -> 3; c 500 -> 5; d 40 beats e -> 2; e -> 1.
    rfm = c.rfm_table(shop, as_of="2024-04-01").set_index("customer_id")
    assert rfm["rfm_code"].to_dict() == {"a": "544", "b": "333", "c": "215", "d": "152", "e": "411"}
    # Rules: a R5 F4 Champions; b R3 F3 Loyal; c R2 F1 Hibernating; d R1 F5 Can't lose; e R4 F1 New.
    assert rfm["segment"].to_dict() == {
        "a": "Champions", "b": "Loyal", "c": "Hibernating", "d": "Can't lose", "e": "New",
    }


def test_rfm_default_as_of_is_day_after_last_order(shop: pd.DataFrame) -> None:
    # Last order 2024-03-31 10:00 -> as_of 2024-04-01, same as the explicit date.
    assert c.rfm_table(shop)["recency_days"].tolist() == c.rfm_table(shop, as_of="2024-04-01")["recency_days"].tolist()
    assert c.rfm_table(shop, as_of="")["recency_days"].tolist() == [1, 7, 91, 103, 2]


def test_rfm_ignores_orders_on_or_after_as_of(shop: pd.DataFrame) -> None:
    # as_of 2024-03-26: a's o1 (31 Mar) and e's only order (30 Mar) are later.
    # a: last order 1 Mar -> 25 days, 2 orders, 100; e disappears.
    rfm = c.rfm_table(shop, as_of="2024-03-26").set_index("customer_id")
    assert "e" not in rfm.index
    assert (rfm.loc["a", "recency_days"], rfm.loc["a", "frequency_orders"], rfm.loc["a", "monetary_hkd"]) == (25, 2, 100.0)


def test_rfm_does_not_mutate_input(shop: pd.DataFrame) -> None:
    before = shop.copy()
    c.rfm_table(shop)
    pd.testing.assert_frame_equal(shop, before)


def test_rfm_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="customer_id"):
        c.rfm_table(pd.DataFrame({"order_id": ["1"], "order_date": pd.to_datetime(["2024-01-01"]), "amount": [1.0]}))


def test_quintile_score_keeps_ties_together() -> None:
    # Nine customers with 2 orders (nobody below them -> 1), one with 9 (9 below -> 1 + floor(4.5) = 5).
    scores = c.quintile_score(pd.Series([2] * 9 + [9]))
    assert scores.tolist() == [1] * 9 + [5]


def test_rules_cover_every_cell_and_gaps_are_rejected(shop: pd.DataFrame) -> None:
    rules = c.rfm_segment_rules()
    assert {"Champions", "Loyal", "Potential loyalist", "New", "At risk", "Can't lose", "Hibernating", "Lost"} <= set(
        rules["segment"]
    )
    with pytest.raises(ValueError, match="R=1, F=1"):
        c.rfm_table(shop, rules=rules.loc[rules["segment"] != "Lost"])


def test_segment_summary_shares(shop: pd.DataFrame) -> None:
    summary = c.segment_summary(c.rfm_table(shop)).set_index("segment")
    # Champions = a alone: 1 of 5 customers, 200 of 805 revenue.
    assert summary.loc["Champions", "customer_share"] == pytest.approx(0.2)
    assert summary.loc["Champions", "revenue_share"] == pytest.approx(200 / 805)
    assert summary.loc["At risk", "customers"] == 0
    assert summary["customers"].sum() == 5


# --------------------------------------------------------------------------- cohorts


@pytest.fixture
def cohort_tx() -> pd.DataFrame:
    """a: Jan, Feb, Apr; b: Jan; c: Feb, Feb, Mar; d: Feb (all 2024)."""
    return _tx([
        ("1", "a", "2024-01-05", 1.0), ("2", "a", "2024-02-07", 1.0), ("3", "a", "2024-04-01", 1.0),
        ("4", "b", "2024-01-20", 1.0),
        ("5", "c", "2024-02-01", 1.0), ("6", "c", "2024-02-20", 1.0), ("7", "c", "2024-03-03", 1.0),
        ("8", "d", "2024-02-28", 1.0),
    ])


def test_cohort_retention_months_by_hand(cohort_tx: pd.DataFrame) -> None:
    long = c.cohort_retention(cohort_tx)
    # Jan cohort {a, b}: month 0 both, month 1 a, month 2 nobody, month 3 a (April = last month).
    # Feb cohort {c, d}: month 0 both, month 1 c (March), month 2 nobody (April).
    got = list(long[["cohort", "periods_since_first", "customers", "cohort_size"]].itertuples(index=False, name=None))
    assert got == [
        ("2024-01", 0, 2, 2), ("2024-01", 1, 1, 2), ("2024-01", 2, 0, 2), ("2024-01", 3, 1, 2),
        ("2024-02", 0, 2, 2), ("2024-02", 1, 1, 2), ("2024-02", 2, 0, 2),
    ]
    assert long["retention_rate"].tolist() == [1.0, 0.5, 0.0, 0.5, 1.0, 0.5, 0.0]


def test_cohort_matrix_leaves_unobserved_cells_empty(cohort_tx: pd.DataFrame) -> None:
    matrix = c.cohort_matrix(c.cohort_retention(cohort_tx))
    assert matrix.loc["2024-01"].tolist() == [1.0, 0.5, 0.0, 0.5]
    assert matrix.loc["2024-02", 2] == 0.0 and math.isnan(matrix.loc["2024-02", 3])


def test_cohort_retention_quarters_and_weeks(cohort_tx: pd.DataFrame) -> None:
    quarters = c.cohort_retention(cohort_tx, period="Q")
    # Everyone starts in Q1 (4 customers); only a orders in Q2 -> 1/4.
    assert quarters[["cohort", "customers"]].values.tolist() == [["2024-Q1", 4], ["2024-Q1", 1]]
    assert quarters["retention_rate"].tolist() == [1.0, 0.25]
    weeks = c.cohort_retention(cohort_tx, period="W")
    # 2024-01-05 is a Friday: its week starts Monday 2024-01-01.
    assert weeks["cohort"].iloc[0] == "2024-01-01"
    with pytest.raises(ValueError, match="period"):
        c.cohort_retention(cohort_tx, period="Y")


def test_first_cohort_figures(cohort_tx: pd.DataFrame) -> None:
    figures = c.first_cohort_figures(c.cohort_retention(cohort_tx))
    assert figures == {"label": "2024-01", "size": 2, "retention": {"1": 0.5, "2": 0.0, "3": 0.5}}


# --------------------------------------------------------------------------- 80/20


def test_pareto_curve_and_top_share(shop: pd.DataFrame) -> None:
    curve = c.pareto_curve(shop)
    # Spend: c 500, a 200, b 60, d 40, e 5 = 805.
    assert curve["customer_id"].tolist() == ["c", "a", "b", "d", "e"]
    assert curve["cumulative_revenue_share"].tolist() == pytest.approx([500 / 805, 700 / 805, 760 / 805, 800 / 805, 1.0])
    # Top 20% of 5 customers = 1 customer (c): 500 / 805; top 40% = 2: 700 / 805.
    assert c.top_share(curve) == pytest.approx(500 / 805)
    assert c.top_share(curve, top=0.4) == pytest.approx(700 / 805)
    # The same curve from the RFM table (one row per customer).
    assert c.top_share(c.pareto_curve(c.rfm_table(shop))) == pytest.approx(500 / 805)
    with pytest.raises(ValueError):
        c.top_share(curve, top=1.5)


def test_top_share_rounds_group_size_up() -> None:
    # 6 customers: top 20% = ceil(1.2) = 2 customers: (60 + 20) / 100.
    curve = c.pareto_curve(pd.DataFrame({"customer_id": list("abcdef"), "amount": [60.0, 20.0, 8.0, 6.0, 4.0, 2.0]}))
    assert c.top_share(curve) == pytest.approx(0.8)


# --------------------------------------------------------------------------- time patterns


def test_hour_weekday_counts_orders_not_lines() -> None:
    tx = _tx([
        ("1", "a", "2024-01-01 09:15", 1.0), ("1", "a", "2024-01-01 09:15", 1.0),  # Monday 9h, one order
        ("2", "b", "2024-01-06 21:59", 1.0),  # Saturday 21h
        ("3", "c", "2024-01-13 21:00", 1.0),  # Saturday 21h
    ])
    matrix = c.hour_weekday_orders(tx)
    assert matrix.shape == (7, 24)
    assert (matrix.loc["Mon", 9], matrix.loc["Sat", 21], int(matrix.to_numpy().sum())) == (1, 2, 3)
    assert c.peak_slot(matrix) == {"weekday": "Sat", "hour": 21, "orders": 2, "share": pytest.approx(2 / 3)}


def test_dates_without_time_of_day_are_detected(shop: pd.DataFrame) -> None:
    dates_only = shop.assign(order_date=shop["order_date"].dt.normalize())
    assert not c.has_time_of_day(dates_only)
    assert c.hour_weekday_orders(dates_only).empty
    assert c.peak_slot(c.hour_weekday_orders(dates_only)) == {}
    assert c.data_gaps(dates_only)["time_of_day"] != ""
    assert c.has_time_of_day(shop)  # o1 is at 10:00


def test_monthly_trend_by_hand(shop: pd.DataFrame) -> None:
    trend = c.monthly_trend(shop).set_index("month")
    # Dec: d 4 orders 40; Jan: b 30 + c 500; Feb: a 50; Mar: a 100 + a 50 + b 30 + e 5 = 185, 4 orders, 3 customers.
    assert trend["revenue_hkd"].tolist() == [40.0, 530.0, 50.0, 185.0]
    assert trend.loc["2024-03-01", ["orders", "customers"]].tolist() == [4, 3]
    # Data runs 1 Dec to 31 Mar: both end months are complete.
    assert trend["complete"].all()
    partial = c.monthly_trend(shop.iloc[:-1].loc[shop["order_date"] < "2024-03-31"])
    assert not partial["complete"].iloc[-1]  # last order 30 Mar: March only partly covered


def test_season_events_known_dates() -> None:
    events = c.season_events("2025-01-01", "2026-12-31")
    assert events["Lunar New Year 2025"] == pd.Timestamp("2025-01-29")
    assert events["Lunar New Year 2026"] == pd.Timestamp("2026-02-17")
    assert events["11.11 2025"] == pd.Timestamp("2025-11-11")
    assert events["Christmas 2026"] == pd.Timestamp("2026-12-25")
    # Outside the range: nothing.
    assert "Christmas 2025" not in c.season_events("2025-01-01", "2025-12-24")


def test_inter_purchase_days_by_hand(shop: pd.DataFrame) -> None:
    gaps = c.inter_purchase_days(shop)
    # a: 1 Feb -> 1 Mar 29 (leap year), 1 Mar -> 31 Mar 30; b: 10 Jan -> 25 Mar = 21 + 29 + 25 = 75;
    # d: 4, 5, 10; c and e have one order.
    assert sorted(gaps.tolist()) == [4, 5, 10, 29, 30, 75]
    summary = c.inter_purchase_summary(gaps)
    assert summary["median_days"] == pytest.approx((10 + 29) / 2)
    assert summary["repeat_gaps"] == 6


# --------------------------------------------------------------------------- baskets


@pytest.fixture
def baskets() -> pd.DataFrame:
    """o1 tea cup milk (+postage); o2 tea cup (+postage); o3 tea tea; o4 cup milk (+postage); o5 pen."""
    rows = [
        ("o1", "TEA"), ("o1", "CUP"), ("o1", "MILK"), ("o1", "POST"),
        ("o2", "tea"), ("o2", "CUP"), ("o2", "POST"),
        ("o3", "TEA"), ("o3", "TEA"),
        ("o4", "CUP"), ("o4", "MILK"), ("o4", "POST"),
        ("o5", "PEN"),
    ]
    return pd.DataFrame(rows, columns=["order_id", "product_id"])


def test_product_pairs_by_hand(baskets: pd.DataFrame) -> None:
    pairs = c.product_pairs(baskets, min_support=0.4).set_index(["product_a", "product_b"])
    # 5 orders. TEA in 3 (o2's "tea" is the same product), CUP 3, MILK 2, PEN 1; POST excluded.
    # CUP-MILK in o1, o4: support 2/5; conf CUP->MILK 0.4/0.6, MILK->CUP 0.4/0.4; lift 0.4/(0.6*0.4).
    # CUP-TEA in o1, o2: support 2/5; conf 0.4/0.6 both ways; lift 0.4/(0.6*0.6).
    # MILK-TEA only in o1: below 2 orders.
    assert list(pairs.index) == [("CUP", "MILK"), ("CUP", "TEA")]
    assert pairs.loc[("CUP", "MILK")].tolist() == pytest.approx([2, 0.4, 2 / 3, 1.0, 0.4 / 0.24])
    assert pairs.loc[("CUP", "TEA")].tolist() == pytest.approx([2, 0.4, 2 / 3, 2 / 3, 0.4 / 0.36])


def test_product_pairs_agree_with_mlxtend(baskets: pd.DataFrame) -> None:
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    ours = c.product_pairs(baskets, min_support=0.4, exclude=()).set_index(["product_a", "product_b"])
    products = baskets["product_id"].str.upper()
    onehot = pd.crosstab(baskets["order_id"], products).gt(0)
    rules = association_rules(fpgrowth(onehot, min_support=0.4, use_colnames=True, max_len=2), metric="lift",
                              min_threshold=0)
    rules = rules.assign(a=rules["antecedents"].map(min), b=rules["consequents"].map(min))
    rules = rules.loc[rules["a"] < rules["b"]].set_index(["a", "b"]).rename_axis(["product_a", "product_b"])
    assert sorted(ours.index) == sorted(rules.index)  # POST pairs included here, since exclude=()
    joined = ours.join(rules[["support", "confidence", "lift"]].add_suffix("_mlxtend"))
    assert np.allclose(joined["support"], joined["support_mlxtend"])
    assert np.allclose(joined["confidence_a_to_b"], joined["confidence_mlxtend"])
    assert np.allclose(joined["lift"], joined["lift_mlxtend"])


def test_product_pairs_without_products_is_empty(shop: pd.DataFrame) -> None:
    assert c.product_pairs(shop).empty
    assert c.data_gaps(shop)["baskets"] != ""


def test_name_products_uses_most_common_name() -> None:
    tx = pd.DataFrame({"product_id": ["A", "a", "A", "B"], "product_name": ["Tea", "Tea", "TEA", "Cup"]})
    named = c.name_products(pd.DataFrame({"product_a": ["A"], "product_b": ["B"]}), tx)
    assert named[["name_a", "name_b"]].iloc[0].tolist() == ["Tea", "Cup"]


# --------------------------------------------------------------------------- factors


@pytest.fixture
def factor_tx() -> pd.DataFrame:
    tx = _tx([("1", "a", "2024-01-01", 100.0), ("2", "a", "2024-01-02", 50.0),
              ("3", "b", "2024-01-03", 30.0), ("4", "c", "2024-01-04", 20.0)])
    return tx.assign(device=["app", "app", "web", "web"])


def test_spend_by_order_level_factor(factor_tx: pd.DataFrame) -> None:
    out = c.spend_by(factor_tx, "device").set_index("device")
    # app: a, 2 orders, 150 -> 150 per customer, 2 orders each, 75 per order, 150/200 of revenue.
    # web: b and c, 2 orders, 50 -> 25 per customer, 1 order each, 25 per order.
    assert out.loc["app", ["customers", "orders", "revenue_hkd"]].tolist() == [1, 2, 150.0]
    assert out.loc["app", ["spend_per_customer_hkd", "orders_per_customer", "avg_order_hkd", "revenue_share"]].tolist() == [
        150.0, 2.0, 75.0, 0.75]
    assert out.loc["web", ["spend_per_customer_hkd", "orders_per_customer"]].tolist() == [25.0, 1.0]
    assert out.index.tolist() == ["app", "web"]  # highest spend per customer first


def test_spend_by_customer_attribute_joins_customers(factor_tx: pd.DataFrame) -> None:
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "membership_tier": ["Gold", "Gold", None]})
    out = c.spend_by(factor_tx, "membership_tier", customers=customers).set_index("membership_tier")
    # Gold: a 150 + b 30 = 180 over 2 customers = 90; c has no tier -> "(unknown)" 20.
    assert out.loc["Gold", "spend_per_customer_hkd"] == 90.0
    assert out.loc["(unknown)", "revenue_hkd"] == 20.0
    assert c.spend_by(factor_tx, "age_band").empty  # neither frame has it


def test_factor_table_and_spread() -> None:
    levels = pd.DataFrame({
        "factor": ["device", "device", "tier", "tier", "tier"],
        "level": ["app", "web", "Gold", "none", "(unknown)"],
        "customers": [40, 60, 25, 75, 500],
        "spend_per_customer_hkd": [300.0, 150.0, 900.0, 100.0, 1.0],
    })
    spread = c.factor_spread(levels)
    # tier: 900 / 100 = 9 ("(unknown)" ignored); device: 300 / 150 = 2.
    assert spread[["factor", "best_level", "worst_level", "ratio"]].values.tolist() == [
        ["tier", "Gold", "none", 9.0], ["device", "app", "web", 2.0]]


def test_discount_response_by_hand() -> None:
    sessions = pd.DataFrame({
        "discount_pct": [0, 0, 0, 5, 10, 10, 30, 30],
        "purchased": [True, False, False, True, True, False, True, True],
        "order_value_hkd": [300.0, 0.0, 0.0, 200.0, 150.0, 0.0, 100.0, 120.0],
    })
    out = c.discount_response(sessions).set_index("discount_band")
    # none: 1 of 3 bought, 300 -> 100 per session; 1-9%: 1/1, 200; 10-19%: 1/2, 150 -> 75; 30%+: 2/2, 110 avg.
    assert out.index.tolist() == ["none", "1-9%", "10-19%", "30%+"]
    assert out["conversion_rate"].tolist() == pytest.approx([1 / 3, 1.0, 0.5, 1.0])
    assert out["avg_order_hkd"].tolist() == pytest.approx([300.0, 200.0, 150.0, 110.0])
    assert out["revenue_per_session_hkd"].tolist() == pytest.approx([100.0, 200.0, 75.0, 110.0])


@pytest.fixture
def sessions() -> pd.DataFrame:
    return pd.DataFrame({
        "landing_page": ["home", "home", "home", "blog", "blog"],
        "pages_viewed": [1, 4, 2, 1, 1],
        "bounced": [True, False, False, True, True],
        "added_to_cart": [False, True, False, False, False],
        "purchased": [False, True, False, False, False],
    })


def test_site_funnel_by_hand(sessions: pd.DataFrame) -> None:
    funnel = c.site_funnel(sessions)
    # 5 landed, 2 viewed 2+ pages, 1 cart, 1 purchase.
    assert funnel["sessions"].tolist() == [5, 2, 1, 1]
    assert funnel["share_of_previous"].tolist() == pytest.approx([1.0, 0.4, 0.5, 1.0])


def test_landing_page_performance_by_hand(sessions: pd.DataFrame) -> None:
    pages = c.landing_page_performance(sessions, min_sessions=1).set_index("landing_page")
    # blog: 2 of 2 bounced; home: 1 of 3 bounced, pages (1+4+2)/3, 1 of 3 bought.
    assert pages.index.tolist() == ["blog", "home"]
    assert pages.loc["home", ["bounce_rate", "mean_pages_viewed", "purchase_rate"]].tolist() == pytest.approx(
        [1 / 3, 7 / 3, 1 / 3])
    assert c.landing_page_performance(sessions, min_sessions=3).index.tolist() == [0]  # only home has 3


def test_promotion_response_by_hand() -> None:
    tx = _tx([("1", "a", "2024-01-01", 50.0), ("1", "a", "2024-01-01", 50.0), ("2", "b", "2024-01-02", 40.0),
              ("3", "c", "2024-01-03", 60.0), ("4", "a", "2024-01-04", 30.0)])
    tx["promotion_id"] = ["P1", None, None, None, "P2"]
    out = c.promotion_response(tx).set_index("promotion")
    # Order 1 counts as P1 (one of its lines is); orders 2 and 3 average 50; P2: order 4, 30.
    assert out.index.tolist() == ["no promotion", "P1", "P2"]
    assert out["orders"].tolist() == [2, 1, 1]
    assert out["avg_order_hkd"].tolist() == [50.0, 100.0, 30.0]
    assert out["order_share"].tolist() == [0.5, 0.25, 0.25]
    assert c.promotion_response(tx.drop(columns="promotion_id")).empty


# --------------------------------------------------------------------------- strategy


def _suggest(tx: pd.DataFrame) -> pd.DataFrame:
    rfm = c.rfm_table(tx)
    return c.strategy_suggestions(
        segments=c.segment_summary(rfm),
        top20_share=c.top_share(c.pareto_curve(rfm)),
        inter_purchase=c.inter_purchase_summary(c.inter_purchase_days(tx)),
    )


def test_strategy_suggestions_follow_the_data(shop: pd.DataFrame) -> None:
    # Shop 1 (the fixture): c alone brings 500 of 805 (62%) -> concentrated revenue, VIP advice.
    concentrated = _suggest(shop)
    # Shop 2: ten customers, one order of 10 each on different days -> top 20% bring 20%.
    even = _tx([(f"o{i}", f"k{i}", f"2024-01-{i + 1:02d}", 10.0) for i in range(10)])
    spread = _suggest(even)
    top1 = concentrated.set_index("area").loc["80/20 focus"]
    top2 = spread.set_index("area").loc["80/20 focus"]
    assert top1["figure"] == pytest.approx(round(500 / 805, 4)) and "62%" in top1["evidence"]
    assert top2["figure"] == pytest.approx(0.2) and "20%" in top2["evidence"]
    assert "VIP service" in top1["suggestion"] and "spread widely" in top2["suggestion"]
    # Shop 1 has a "Can't lose" customer (d) -> a win-back row; shop 2 has none at risk.
    assert "retention" in set(concentrated["area"]) and "retention" not in set(spread["area"])
    assert set(concentrated.columns) == {"area", "suggestion", "evidence", "figure"}


def test_strategy_suggestions_use_optional_tables(sessions: pd.DataFrame) -> None:
    segments = pd.DataFrame({"segment": ["Champions"], "customers": [3], "customer_share": [1.0],
                             "revenue_share": [1.0]})
    pages = c.landing_page_performance(sessions, min_sessions=1)
    out = c.strategy_suggestions(segments=segments, top20_share=0.5, landing_pages=pages,
                                 peak={"weekday": "Fri", "hour": 21, "orders": 9, "share": 0.3})
    website = out.loc[out["area"] == "website design and structure"].iloc[0]
    assert "'blog'" in website["suggestion"] and "100%" in website["evidence"]
    assert out["suggestion"].str.contains("Fri 21:00").any()


# --------------------------------------------------------------------------- report helpers


def test_first_cohort_figures_marks_unobserved_periods(cohort_tx: pd.DataFrame) -> None:
    # Data ends in April: the Jan cohort is observed to month 3, so asking for month 4 gives None, not 0.
    figures = c.first_cohort_figures(c.cohort_retention(cohort_tx), periods=(1, 4))
    assert figures["retention"] == {"1": 0.5, "4": None}


def test_peak_month_prefers_complete_months() -> None:
    trend = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"]),
                          "revenue_hkd": [20.0, 60.0, 40.0, 500.0], "complete": [True, True, True, False]})
    best = c.peak_month(trend)
    # April is partial and ignored; Feb 60 against the median of 20, 60, 40 = 40 -> 1.5.
    assert (best["month"], best["vs_median"], best["complete_months"]) == (pd.Timestamp("2025-02-01"), 1.5, 3)


def test_report_metrics_by_hand(shop: pd.DataFrame) -> None:
    from helpers.data import clean_transactions

    clean, report = clean_transactions(shop)
    rfm = c.rfm_table(clean)
    metrics = c.report_metrics(report, rfm, c.cohort_retention(clean), c.pareto_curve(rfm))
    # o1's two lines differ in amount (60 and 40), so none of the 12 lines is dropped.
    assert metrics["rows_in"] == 12 and metrics["rows_kept"] == 12 and sum(metrics["dropped"].values()) == 0
    # 11 orders, 805 revenue, top 20% = c alone: 500 / 805.
    assert (metrics["customers"], metrics["orders"], metrics["revenue"]) == (5, 11, 805.0)
    assert metrics["top20_revenue_share"] == pytest.approx(500 / 805, abs=1e-6)
    # First cohort: December 2023 = d alone; d never orders again (Jan, Feb, Mar: 0).
    assert metrics["first_cohort"] == {"label": "2023-12", "size": 1}
    assert metrics["first_cohort_retention"] == {"1": 0.0, "2": 0.0, "3": 0.0}
    assert metrics["segments"]["Champions"] == 1


def test_rfm_for_export_refuses_raw_keys(shop: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="pseudonymised"):
        c.rfm_for_export(c.rfm_table(shop))  # keys "a".."e" are not cus_ tokens
    tokens = c.rfm_table(shop.assign(customer_id="cus_" + shop["customer_id"].map(lambda k: k * 16)))
    assert c.rfm_for_export(tokens)["monetary_hkd"].tolist() == [200.0, 60.0, 500.0, 40.0, 5.0]


def test_cohort_explorer_redraws_without_error(cohort_tx: pd.DataFrame) -> None:
    widget = c.cohort_explorer(cohort_tx)
    toggle = widget.children[0]
    assert toggle.value == "M" and [v for _, v in toggle.options] == ["M", "Q", "W"]
    toggle.value = "Q"  # triggers a redraw into the widget's output area
    toggle.value = "W"


def test_strategy_promotion_advice_depends_on_order_size() -> None:
    segments = pd.DataFrame({"segment": ["Champions"], "customers": [3], "customer_share": [1.0],
                             "revenue_share": [1.0]})

    def advice(avg_promo: float) -> str:
        promotions = pd.DataFrame({"promotion": ["no promotion", "P1"], "orders": [8, 2], "order_share": [0.8, 0.2],
                                   "avg_order_hkd": [100.0, avg_promo]})
        out = c.strategy_suggestions(segments=segments, top20_share=0.5, promotions=promotions)
        return out.loc[out["evidence"].str.contains("promotion"), "suggestion"].iloc[0]

    # P1 orders 120 vs 100 = +20% -> repeat; 102 = +2% -> hardly matters; 80 = -20% -> rethink.
    assert advice(120.0).startswith("Repeat promotion 'P1'")
    assert advice(102.0).startswith("Promotions hardly change order size")
    assert advice(80.0).startswith("Rethink")


def test_functions_accept_an_order_table_in_place_of_lines(shop: pd.DataFrame) -> None:
    orders = c.order_table(shop)
    assert len(orders) == 11 and orders.loc[orders["order_id"] == "o1", "amount_hkd"].item() == 100.0
    pd.testing.assert_frame_equal(c.order_table(orders), orders)
    pd.testing.assert_frame_equal(c.rfm_table(orders), c.rfm_table(shop))
    pd.testing.assert_frame_equal(c.cohort_retention(orders), c.cohort_retention(shop))
    pd.testing.assert_frame_equal(c.monthly_trend(orders), c.monthly_trend(shop))
    pd.testing.assert_frame_equal(c.hour_weekday_orders(orders), c.hour_weekday_orders(shop))
    pd.testing.assert_series_equal(c.inter_purchase_days(orders), c.inter_purchase_days(shop))
    pd.testing.assert_frame_equal(c.pareto_curve(orders), c.pareto_curve(shop))
    # spend_by adds a column to its own copy, never to the caller's order table.
    c.spend_by(orders.assign(device="app"), "device")
    assert "device" not in orders.columns
