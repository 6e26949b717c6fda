"""Finding and valuing potential online customers (unit 107188L5).

What a lead is worth (P(convert) × expected first-year value), how the six
prospecting methods of the unit compare (referral, key-person influence, e-mail
promotion, social media with online video, search-engine keyword ads, market
research), keyword cut / bid-up decisions and the saving from pausing wasteful
keywords, video and influencer funnels, a transparent lead score with a gains
chart (the 80/20 principle), a segment → needs → offer table (the tailor-made
principle), market sizing from government statistics, the PDPO screen of
campaign lists, and a budget split derived from measured returns.

Column contracts follow :data:`helpers.schema.SHOP_TABLES` (``leads``,
``keyword_ads``, ``videos``, ``influencer_posts``, ``referrals``) and the
bundled statistics table ``data/hk_market_stats.csv`` (:data:`MARKET_STATS_COLUMNS`).

Examples
--------
>>> import pandas as pd
>>> leads = pd.DataFrame({
...     "method": ["referral", "referral", "email_promotion", "email_promotion"],
...     "cost_hkd": [20.0, 20.0, 4.0, 4.0],
...     "first_touch_at": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01"]),
...     "converted_at": pd.to_datetime(["2024-01-04", None, "2024-02-01", None]),
...     "first_year_value_hkd": [900.0, None, 300.0, None],
... })
>>> table = method_comparison(leads)
>>> table.loc["referral", ["conversion_rate", "cpa_hkd", "value_per_lead_hkd"]].tolist()
[0.5, 40.0, 450.0]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import plots
from helpers.data import DataValidationError, require_columns

__all__ = [
    "METHODS",
    "METHOD_LABELS",
    "MARKET_STATS_COLUMNS",
    "LeadScoreModel",
    "PrivacyScreen",
    "budget_allocator",
    "cycle_times",
    "district_population",
    "first_year_value",
    "first_year_value_bgnbd",
    "fit_lead_score",
    "gains_table",
    "influencer_summary",
    "keyword_decisions",
    "keyword_performance",
    "keyword_savings",
    "lead_value",
    "market_sensitivity",
    "market_size",
    "market_stat",
    "method_comparison",
    "plot_cycle_times",
    "plot_gains",
    "plot_keywords",
    "plot_value_distribution",
    "privacy_screen",
    "project_allocation",
    "recommend_budget",
    "referral_processing",
    "score_leads",
    "segment_offers",
    "skip_note",
    "summary_metrics",
    "time_split",
    "top_share",
    "validate_market_stats",
    "video_funnel",
]

#: The six prospecting methods of unit 107188L5, in the unit's order.
METHODS: tuple[str, ...] = (
    "referral", "influencer", "email_promotion", "social_video", "search_ad", "market_research",
)
#: Plain-English names for charts and tables.
METHOD_LABELS: dict[str, str] = {
    "referral": "Customer referral",
    "influencer": "Key persons (influencers)",
    "email_promotion": "E-mail promotion",
    "social_video": "Social media video",
    "search_ad": "Search keyword ads",
    "market_research": "Market research",
}
#: Columns of the bundled government-statistics table ``data/hk_market_stats.csv``.
MARKET_STATS_COLUMNS: tuple[str, ...] = (
    "figure", "district", "value", "unit", "period", "table_id", "source", "url", "status", "note",
)
#: Row label of territory-wide figures in the statistics table.
ALL_DISTRICTS = "Hong Kong (all districts)"

#: What a prospect interested in each product class typically needs to hear before buying online.
NEEDS: dict[str, str] = {
    "fashion": "new-season styles, size guidance, easy returns",
    "beauty": "skin-type advice and samples",
    "electronics": "spec comparison and local warranty",
    "home": "delivery and assembly for small flats",
    "food_gifts": "festive gift boxes delivered on time",
    "health": "ingredient information and refill subscriptions",
    "toys": "age-appropriate picks and gift wrapping",
}


# --------------------------------------------------------------------------- validation




def _converted(leads: pd.DataFrame) -> pd.Series:
    return leads["converted_at"].notna()


def _safe_div(numerator: pd.Series | float, denominator: pd.Series | float) -> pd.Series | float:
    """Division that gives NaN (not inf) where the denominator is 0."""
    if isinstance(denominator, pd.Series):
        return numerator / denominator.where(denominator != 0)
    return numerator / denominator if denominator else float("nan")


def _method_order(values: pd.Index) -> list[str]:
    present = [str(v) for v in values]
    return [m for m in METHODS if m in present] + sorted(v for v in present if v not in METHODS)


def skip_note(table: str, data_path: str = "") -> str:
    """The sentence a notebook shows when a section's table is not in the data.

    Examples
    --------
    >>> skip_note("leads", "online_retail.csv.gz")[:40]
    '*Skipped: this section needs the `leads`'
    """
    where = f" `{data_path}`" if data_path else " the data"
    return (f"*Skipped: this section needs the `{table}` table of the shop, and{where} does not have it "
            f"(a single transactions file has no {table}). Run the chapter on the bundled shop folder to see it.*")


# --------------------------------------------------------------------------- value of a lead


def first_year_value(transactions: pd.DataFrame, *, horizon_days: int = 365) -> pd.DataFrame:
    """Each customer's spend in the ``horizon_days`` after their first order.

    A simple, assumption-free estimate of what a new customer is worth in the first year:
    it is what past new customers actually spent. Only customers whose whole horizon lies
    inside the data (``full_horizon``) should be averaged.

    Parameters
    ----------
    transactions
        Order lines with ``customer_id``, ``order_date`` (datetime) and ``amount``. Not modified.
    horizon_days
        Length of the window that starts on the day of the first order (that day included).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``first_order_date``, ``first_year_value_hkd``, ``full_horizon``.

    Raises
    ------
    DataValidationError
        A column is missing.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2023-01-01", "2023-06-01", "2024-03-01", "2023-12-01"]),
    ...     "amount": [100.0, 50.0, 70.0, 30.0]})
    >>> first_year_value(tx)[["first_year_value_hkd", "full_horizon"]].values.tolist()
    [[150.0, True], [30.0, False]]
    """
    require_columns(transactions, ["customer_id", "order_date", "amount"], "transactions")
    if horizon_days <= 0:
        raise ValueError(f"horizon_days must be positive, not {horizon_days}")
    dates = pd.to_datetime(transactions["order_date"]).dt.normalize()
    first = dates.groupby(transactions["customer_id"]).transform("min")
    inside = dates < first + pd.Timedelta(days=horizon_days)
    amount = transactions["amount"].where(inside, 0.0)
    out = pd.DataFrame({"first_order_date": first, "first_year_value_hkd": amount}).groupby(
        transactions["customer_id"], sort=True
    ).agg(first_order_date=("first_order_date", "min"), first_year_value_hkd=("first_year_value_hkd", "sum"))
    out.index.name = "customer_id"
    last_day = dates.max()
    out["full_horizon"] = out["first_order_date"] + pd.Timedelta(days=horizon_days - 1) <= last_day
    return out


def first_year_value_bgnbd(transactions: pd.DataFrame, *, horizon_days: int = 365) -> float:
    """Expected first-year value of a *new* customer from the BG/NBD model of :mod:`helpers.clv`.

    Expected purchase days in the first ``horizon_days`` (first purchase included, from
    :func:`helpers.clv.expected_purchases_new_customer`) × the mean spend of a purchase day.
    It smooths the simple average of :func:`first_year_value` with a model of how often
    customers buy and when they stop.

    Raises
    ------
    DataValidationError
        A column is missing.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": list("aabbbccd"),
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-01-05", "2024-02-01",
    ...         "2024-05-01", "2024-02-10", "2024-06-01", "2024-03-03"]),
    ...     "amount": [100.0, 80.0, 50.0, 60.0, 40.0, 200.0, 100.0, 30.0]})
    >>> 0 < first_year_value_bgnbd(tx, horizon_days=180) < 1000
    True
    """
    from helpers import clv  # the retention area's lifetime-value models

    require_columns(transactions, ["customer_id", "order_date", "amount"], "transactions")
    summary = clv.customer_summary(transactions, time_unit="days")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = clv.fit_bgnbd(summary)
    days = transactions.assign(day=pd.to_datetime(transactions["order_date"]).dt.normalize())
    per_day = days.groupby(["customer_id", "day"])["amount"].sum()
    return float(clv.expected_purchases_new_customer(fit, horizon_days=horizon_days) * per_day.mean())


def plot_value_distribution(
    values: pd.Series, *, currency: str = "HK$", ax: plt.Axes | None = None, clip_quantile: float = 0.99
) -> plt.Axes:
    """Histogram of first-year values (HK$) with the mean and median marked.

    Values above the ``clip_quantile`` quantile are drawn in the last bar so a few very large
    customers do not squash the chart.

    Examples
    --------
    >>> ax = plot_value_distribution(pd.Series([100.0, 200.0, 300.0, 5000.0]))
    >>> ax.get_xlabel()
    'First-year spend per new customer (HK$)'
    """
    values = pd.Series(values, dtype=float).dropna()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    if values.empty:
        ax.set_title("No customers with a full first year in the data")
        return ax
    top = float(values.quantile(clip_quantile))
    ax.hist(values.clip(upper=top), bins=40, color=plots.PALETTE[0], alpha=0.8)
    mean, median = float(values.mean()), float(values.median())
    ax.axvline(mean, color=plots.PALETTE[1], lw=1.5, label=f"mean {currency}{mean:,.0f}")
    ax.axvline(median, color=plots.PALETTE[2], lw=1.5, ls="--", label=f"median {currency}{median:,.0f}")
    ax.legend(frameon=False)
    title = (f"A new customer spends {currency}{mean:,.0f} in the first year on average "
             f"(half spend under {currency}{median:,.0f})")
    return plots.finish(ax, title=plots.plain_text(title),
                        xlabel=f"First-year spend per new customer ({currency})", ylabel="Customers",
                        money="x" if currency == "HK$" else False)


def lead_value(
    leads: pd.DataFrame,
    *,
    p_convert: pd.Series | None = None,
    value_hkd: float | pd.Series | None = None,
) -> pd.DataFrame:
    """Expected value of each lead: P(convert) × expected first-year value if it converts.

    Parameters
    ----------
    leads
        The ``leads`` table (``method``, ``converted_at``, ``first_year_value_hkd``). Not modified.
    p_convert
        Probability of converting per lead (e.g. from :func:`score_leads`); default: the
        conversion rate of the lead's method.
    value_hkd
        First-year value of a converted lead: one number (e.g. the mean of
        :func:`first_year_value` over new customers), a Series by method, or the default —
        the mean first-year value of the method's converted leads.

    Returns
    -------
    pandas.DataFrame
        Same index as ``leads``: ``method``, ``p_convert``, ``value_if_converted_hkd``,
        ``expected_value_hkd``, and ``lead_id`` when present.

    Examples
    --------
    >>> leads = pd.DataFrame({"method": ["referral", "referral", "search_ad", "search_ad"],
    ...     "converted_at": pd.to_datetime(["2024-01-05", None, "2024-01-09", None]),
    ...     "first_year_value_hkd": [1000.0, None, 400.0, None]})
    >>> lead_value(leads)["expected_value_hkd"].tolist()
    [500.0, 500.0, 200.0, 200.0]
    >>> lead_value(leads, p_convert=pd.Series([0.9, 0.1, 0.5, 0.5]), value_hkd=600.0)["expected_value_hkd"].tolist()
    [540.0, 60.0, 300.0, 300.0]
    """
    require_columns(leads, ["method", "converted_at", "first_year_value_hkd"], "leads")
    converted = _converted(leads)
    if p_convert is None:
        p = converted.groupby(leads["method"]).transform("mean").astype(float)
    else:
        p = pd.Series(np.asarray(p_convert, dtype=float), index=leads.index)
    if value_hkd is None:
        mean_value = leads["first_year_value_hkd"].where(converted).fillna(0.0).where(converted)
        by_method = mean_value.groupby(leads["method"]).mean()
        v = leads["method"].map(by_method).astype(float).fillna(0.0)
    elif isinstance(value_hkd, pd.Series):
        v = leads["method"].map(value_hkd).astype(float)
    else:
        v = pd.Series(float(value_hkd), index=leads.index)
    out = pd.DataFrame({"method": leads["method"], "p_convert": p, "value_if_converted_hkd": v})
    out["expected_value_hkd"] = out["p_convert"] * out["value_if_converted_hkd"]
    if "lead_id" in leads.columns:
        out.insert(0, "lead_id", leads["lead_id"])
    return out


# --------------------------------------------------------------------------- methods


def cycle_times(leads: pd.DataFrame) -> pd.DataFrame:
    """Days from first touch to conversion, one row per converted lead.

    Examples
    --------
    >>> leads = pd.DataFrame({"method": ["email_promotion", "referral", "referral"],
    ...     "first_touch_at": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01"]),
    ...     "converted_at": pd.to_datetime(["2024-01-31", "2024-01-04", None])})
    >>> cycle_times(leads)["cycle_days"].tolist()
    [30.0, 3.0]
    """
    require_columns(leads, ["method", "first_touch_at", "converted_at"], "leads")
    done = leads.loc[_converted(leads), ["method", "first_touch_at", "converted_at"]]
    days = (done["converted_at"] - done["first_touch_at"]).dt.total_seconds() / 86_400
    return pd.DataFrame({"method": done["method"].astype(str), "cycle_days": days.astype(float)})


def method_comparison(leads: pd.DataFrame) -> pd.DataFrame:
    """Compare prospecting methods on leads, conversion, cost, cycle time and value.

    Parameters
    ----------
    leads
        The ``leads`` table: ``method``, ``cost_hkd``, ``first_touch_at``, ``converted_at``,
        ``first_year_value_hkd``. Not modified.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``method`` (the unit's order first): ``leads``, ``customers``,
        ``conversion_rate``, ``cost_hkd``, ``cost_per_lead_hkd``, ``cpa_hkd`` (cost per
        converted customer), ``median_cycle_days``, ``p90_cycle_days``, ``value_hkd``
        (first-year value of converted leads), ``value_per_customer_hkd``,
        ``value_per_lead_hkd`` (= conversion rate × value per customer: what a lead is worth)
        and ``return_per_hkd`` (value per HK$ spent). Ratios with a zero denominator are NaN.

    Raises
    ------
    DataValidationError
        A column is missing.

    Examples
    --------
    >>> leads = pd.DataFrame({"method": ["search_ad"] * 2, "cost_hkd": [30.0, 50.0],
    ...     "first_touch_at": pd.to_datetime(["2024-01-01"] * 2),
    ...     "converted_at": pd.to_datetime(["2024-01-07", None]), "first_year_value_hkd": [400.0, None]})
    >>> method_comparison(leads).loc["search_ad", ["cpa_hkd", "median_cycle_days", "return_per_hkd"]].tolist()
    [80.0, 6.0, 5.0]
    """
    require_columns(leads, ["method", "cost_hkd", "first_touch_at", "converted_at", "first_year_value_hkd"], "leads")
    converted = _converted(leads)
    frame = pd.DataFrame({
        "method": leads["method"].astype(str),
        "converted": converted,
        "cost_hkd": leads["cost_hkd"].astype(float),
        "value_hkd": leads["first_year_value_hkd"].where(converted, 0.0).fillna(0.0).astype(float),
    })
    out = frame.groupby("method").agg(
        leads=("converted", "size"), customers=("converted", "sum"), cost_hkd=("cost_hkd", "sum"),
        value_hkd=("value_hkd", "sum"),
    )
    cycles = cycle_times(leads).groupby("method")["cycle_days"]
    out["median_cycle_days"] = cycles.median()
    out["p90_cycle_days"] = cycles.quantile(0.9)
    out["customers"] = out["customers"].astype(int)
    out["conversion_rate"] = out["customers"] / out["leads"]
    out["cost_per_lead_hkd"] = out["cost_hkd"] / out["leads"]
    out["cpa_hkd"] = _safe_div(out["cost_hkd"], out["customers"])
    out["value_per_customer_hkd"] = _safe_div(out["value_hkd"], out["customers"])
    out["value_per_lead_hkd"] = out["value_hkd"] / out["leads"]
    out["return_per_hkd"] = _safe_div(out["value_hkd"], out["cost_hkd"])
    columns = ["leads", "customers", "conversion_rate", "cost_hkd", "cost_per_lead_hkd", "cpa_hkd",
               "median_cycle_days", "p90_cycle_days", "value_hkd", "value_per_customer_hkd",
               "value_per_lead_hkd", "return_per_hkd"]
    return out.loc[_method_order(out.index), columns]


def plot_cycle_times(leads: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Box plot of days to convert per method, slowest at the top; the title names the slowest.

    Examples
    --------
    >>> leads = pd.DataFrame({"method": ["email_promotion", "referral"],
    ...     "first_touch_at": pd.to_datetime(["2024-01-01"] * 2),
    ...     "converted_at": pd.to_datetime(["2024-01-31", "2024-01-04"])})
    >>> plot_cycle_times(leads).get_title()
    'E-mail promotion leads take longest to convert (median 30 days)'
    """
    cycles = cycle_times(leads)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    if cycles.empty:
        ax.set_title("No converted leads: no cycle times to show")
        return ax
    medians = cycles.groupby("method")["cycle_days"].median().sort_values(ascending=False)
    groups = [cycles.loc[cycles["method"] == m, "cycle_days"].to_numpy() for m in medians.index]
    ax.boxplot(groups, orientation="horizontal", tick_labels=[METHOD_LABELS.get(m, m) for m in medians.index],
               showfliers=False, patch_artist=True,
               boxprops={"facecolor": plots.PALETTE[0], "alpha": 0.35}, medianprops={"color": plots.PALETTE[1]})
    ax.invert_yaxis()
    slowest = medians.index[0]
    return plots.finish(
        ax, title=f"{METHOD_LABELS.get(slowest, slowest)} leads take longest to convert "
                  f"(median {medians.iloc[0]:.0f} days)",
        xlabel="Days from first touch to conversion", ylabel="",
    )


def referral_processing(referrals: pd.DataFrame) -> pd.DataFrame:
    """How long a referral sign-up waits to be processed, online vs offline.

    Processing time is ``processed_at - signed_up_at``; invitations never signed up are left
    out, sign-ups never processed are counted in ``not_processed``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``channel``: ``signups``, ``not_processed``, ``median_processing_hours``,
        ``mean_processing_hours``, ``p90_processing_hours``, ``within_24h_share``.

    Examples
    --------
    >>> refs = pd.DataFrame({"channel": ["online", "online", "offline", "offline"],
    ...     "signed_up_at": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 10:00",
    ...                                     "2024-01-01 00:00", "2024-01-01 00:00"]),
    ...     "processed_at": pd.to_datetime(["2024-01-01 12:00", "2024-01-02 14:00", "2024-01-04 00:00", None])})
    >>> table = referral_processing(refs)
    >>> table["not_processed"].to_dict(), table["median_processing_hours"].to_dict()
    ({'offline': 1, 'online': 0}, {'offline': 72.0, 'online': 3.0})
    """
    require_columns(referrals, ["channel", "signed_up_at", "processed_at"], "referrals")
    signed = referrals.loc[referrals["signed_up_at"].notna()]
    hours = (signed["processed_at"] - signed["signed_up_at"]).dt.total_seconds() / 3600
    frame = pd.DataFrame({"channel": signed["channel"].astype(str), "hours": hours.astype(float)})
    grouped = frame.groupby("channel")["hours"]
    out = pd.DataFrame({
        "signups": grouped.size(),
        "not_processed": grouped.apply(lambda s: int(s.isna().sum())),
        "median_processing_hours": grouped.median(),
        "mean_processing_hours": grouped.mean(),
        "p90_processing_hours": grouped.quantile(0.9),
        "within_24h_share": frame.assign(fast=frame["hours"] <= 24).groupby("channel")["fast"].mean(),
    })
    return out.sort_index()


# --------------------------------------------------------------------------- keyword ads


def keyword_performance(ads: pd.DataFrame) -> pd.DataFrame:
    """Search keyword ads: CTR, CPC, conversion rate, CPA and ROAS per keyword over the period.

    Returns
    -------
    pandas.DataFrame
        One row per keyword, best ROAS first: ``keyword``, ``match_type``, ``impressions``,
        ``clicks``, ``cost_hkd``, ``conversions``, ``revenue_hkd``, ``ctr`` (clicks /
        impressions), ``cpc_hkd`` (cost / clicks), ``conversion_rate`` (conversions / clicks),
        ``cpa_hkd`` (cost / conversions; NaN with none), ``roas`` (revenue / cost).

    Examples
    --------
    >>> ads = pd.DataFrame({"keyword": ["gift", "gift", "free"], "match_type": ["broad"] * 3,
    ...     "impressions": [1000, 1000, 5000], "clicks": [30, 20, 200], "cost_hkd": [60.0, 40.0, 400.0],
    ...     "conversions": [1, 1, 0], "revenue_hkd": [300.0, 200.0, 0.0]})
    >>> keyword_performance(ads).set_index("keyword").loc["gift", ["ctr", "cpc_hkd", "cpa_hkd", "roas"]].tolist()
    [0.025, 2.0, 50.0, 5.0]
    """
    require_columns(ads, ["keyword", "impressions", "clicks", "cost_hkd", "conversions", "revenue_hkd"], "keyword_ads")
    sums = ads.groupby("keyword", sort=True)[["impressions", "clicks", "cost_hkd", "conversions", "revenue_hkd"]].sum()
    if "match_type" in ads.columns:
        sums.insert(0, "match_type", ads.groupby("keyword", sort=True)["match_type"].first().astype(str))
    sums["ctr"] = _safe_div(sums["clicks"], sums["impressions"])
    sums["cpc_hkd"] = _safe_div(sums["cost_hkd"], sums["clicks"])
    sums["conversion_rate"] = _safe_div(sums["conversions"], sums["clicks"])
    sums["cpa_hkd"] = _safe_div(sums["cost_hkd"], sums["conversions"])
    sums["roas"] = _safe_div(sums["revenue_hkd"], sums["cost_hkd"])
    out = sums.reset_index().sort_values(["roas", "keyword"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def keyword_decisions(
    performance: pd.DataFrame,
    *,
    budget_hkd: float | None = None,
    pause_below_roas: float = 1.0,
    bid_up_from_roas: float = 3.0,
    min_clicks: int = 100,
) -> pd.DataFrame:
    """Which keywords to pause, keep or bid up, and how a budget is re-spread.

    Rules (in this order): fewer than ``min_clicks`` clicks → ``keep`` (too little data to
    judge); ROAS below ``pause_below_roas`` → ``pause`` (every HK$ returns less than a HK$);
    ROAS at least ``bid_up_from_roas`` → ``bid up``; otherwise ``keep``.

    The budget (default: what was spent) goes first to the kept and bid-up keywords at their
    current spend; what is left over is shared among the bid-up keywords in proportion to
    their current spend. If the budget is smaller than that, every remaining keyword is
    scaled down alike. Projected revenue assumes each keyword keeps its ROAS — optimistic for
    bid-ups, whose extra clicks are usually dearer.

    Returns
    -------
    pandas.DataFrame
        ``performance`` plus ``action``, ``proposed_cost_hkd`` and ``projected_revenue_hkd``.

    Examples
    --------
    >>> perf = pd.DataFrame({"keyword": ["a", "b", "c"], "clicks": [500, 500, 50],
    ...     "cost_hkd": [100.0, 200.0, 50.0], "revenue_hkd": [500.0, 100.0, 10.0]})
    >>> perf["roas"] = perf["revenue_hkd"] / perf["cost_hkd"]
    >>> keyword_decisions(perf)[["action", "proposed_cost_hkd"]].values.tolist()
    [['bid up', 300.0], ['pause', 0.0], ['keep', 50.0]]
    """
    require_columns(performance, ["keyword", "clicks", "cost_hkd", "roas"], "keyword performance")
    if pause_below_roas > bid_up_from_roas:
        raise ValueError("pause_below_roas must not exceed bid_up_from_roas")
    roas = performance["roas"].fillna(0.0)
    enough = performance["clicks"] >= min_clicks
    action = np.where(~enough, "keep", np.where(roas < pause_below_roas, "pause",
                                                np.where(roas >= bid_up_from_roas, "bid up", "keep")))
    out = performance.copy()
    out["action"] = pd.Series(action, index=out.index, dtype="string")
    cost = out["cost_hkd"].astype(float)
    budget = float(cost.sum()) if budget_hkd is None else float(budget_hkd)
    if budget < 0:
        raise ValueError(f"budget_hkd must be 0 or more, not {budget}")
    active = out["action"] != "pause"
    base = cost.where(active, 0.0)
    left = budget - float(base.sum())
    if left >= 0:
        bid_up = out["action"] == "bid up"
        weight = cost.where(bid_up, 0.0)
        extra = weight / weight.sum() * left if weight.sum() > 0 else weight * 0.0
        proposed = base + extra
    else:
        proposed = base * (budget / float(base.sum()))
    out["proposed_cost_hkd"] = proposed.astype(float)
    out["projected_revenue_hkd"] = out["proposed_cost_hkd"] * roas
    return out


def keyword_savings(decisions: pd.DataFrame) -> pd.DataFrame:
    """Before / after pausing the keywords marked ``pause``: the cost reduction the unit names.

    "After" drops the paused keywords and their conversions and revenue (a cautious reading:
    some of those searches would still reach the shop through other keywords).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``scenario`` (``before``, ``after pausing``): ``keywords``, ``cost_hkd``,
        ``conversions``, ``revenue_hkd``, ``cpa_hkd``, ``roas``. The saving is the
        difference in ``cost_hkd``.

    Examples
    --------
    >>> dec = pd.DataFrame({"keyword": ["a", "b"], "action": ["keep", "pause"], "cost_hkd": [100.0, 60.0],
    ...     "conversions": [4, 0], "revenue_hkd": [400.0, 0.0]})
    >>> table = keyword_savings(dec)
    >>> table["cost_hkd"].tolist(), table["cpa_hkd"].tolist()
    ([160.0, 100.0], [40.0, 25.0])
    """
    require_columns(decisions, ["keyword", "action", "cost_hkd", "conversions", "revenue_hkd"], "keyword decisions")
    kept = decisions.loc[decisions["action"] != "pause"]
    rows = []
    for frame in (decisions, kept):
        cost = float(frame["cost_hkd"].sum())
        conversions = float(frame["conversions"].sum())
        revenue = float(frame["revenue_hkd"].sum())
        rows.append({"keywords": len(frame), "cost_hkd": cost, "conversions": conversions, "revenue_hkd": revenue,
                     "cpa_hkd": _safe_div(cost, conversions), "roas": _safe_div(revenue, cost)})
    return pd.DataFrame(rows, index=pd.Index(["before", "after pausing"], name="scenario"))


def plot_keywords(decisions: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Spend vs return on ad spend per keyword, coloured by decision.

    Examples
    --------
    >>> dec = pd.DataFrame({"keyword": ["a", "b"], "action": ["bid up", "pause"], "cost_hkd": [100.0, 60.0],
    ...     "roas": [5.0, 0.1]})
    >>> plot_keywords(dec).get_xlabel()
    'Spend over the period (HK$)'
    """
    require_columns(decisions, ["keyword", "action", "cost_hkd", "roas"], "keyword decisions")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    colours = {"pause": plots.STATUS_COLOURS["bad"], "keep": plots.STATUS_COLOURS["neutral"],
               "bid up": plots.STATUS_COLOURS["good"]}
    for action, colour in colours.items():
        part = decisions.loc[decisions["action"] == action]
        ax.scatter(part["cost_hkd"], part["roas"], s=40, color=colour, label=action, alpha=0.85)
    ax.axhline(1.0, color="#495057", lw=0.8, ls="--")
    ax.legend(title="Decision", frameon=False)
    paused = decisions["action"] == "pause"
    total = decisions["cost_hkd"].sum()
    share = decisions.loc[paused, "cost_hkd"].sum() / total if total else 0.0
    ax.xaxis.set_major_locator(plt.MaxNLocator(5))
    title = (plots.plain_text(f"Keywords to pause took {share:.0%} of the spend and returned at most "
                              f"HK${decisions.loc[paused, 'roas'].max():.2f} per HK$") if paused.any()
             else "No keyword to pause")
    return plots.finish(ax, title=title, xlabel="Spend over the period (HK$)", ylabel="Revenue per HK$ spent (ROAS)",
                        money="x")


# --------------------------------------------------------------------------- video and influencers


def video_funnel(videos: pd.DataFrame, *, by: str = "video_id") -> pd.DataFrame:
    """Views → clicks → sign-ups per video (or per ``platform``), with cost per sign-up.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``: ``videos``, ``views``, ``clicks``, ``signups``, ``cost_hkd``,
        ``click_rate`` (clicks / views), ``signup_rate`` (sign-ups / clicks),
        ``signups_per_1000_views``, ``cost_per_signup_hkd``; for single videos also
        ``platform`` and ``title``. Sorted by cost per sign-up, cheapest first.

    Examples
    --------
    >>> vids = pd.DataFrame({"video_id": ["V1", "V2", "V3"], "platform": ["YouTube", "YouTube", "TikTok"],
    ...     "title": ["a", "b", "c"], "views": [10000, 5000, 2000], "clicks": [200, 50, 100],
    ...     "signups": [10, 2, 5], "cost_hkd": [5000.0, 3000.0, 1000.0]})
    >>> video_funnel(vids, by="platform")[["views", "signups", "cost_per_signup_hkd"]].values.tolist()
    [[2000.0, 5.0, 200.0], [15000.0, 12.0, 666.6666666666666]]
    """
    require_columns(videos, [by, "views", "clicks", "signups", "cost_hkd"], "videos")
    grouped = videos.groupby(by, sort=True)
    out = grouped[["views", "clicks", "signups", "cost_hkd"]].sum().astype(float)
    out.insert(0, "videos", grouped.size())
    if by == "video_id":
        for column in ("title", "platform"):
            if column in videos.columns:
                out.insert(0, column, grouped[column].first().astype(str))
    out["click_rate"] = _safe_div(out["clicks"], out["views"])
    out["signup_rate"] = _safe_div(out["signups"], out["clicks"])
    out["signups_per_1000_views"] = _safe_div(out["signups"] * 1000, out["views"])
    out["cost_per_signup_hkd"] = _safe_div(out["cost_hkd"], out["signups"])
    return out.sort_values("cost_per_signup_hkd", kind="stable", na_position="last")


def influencer_summary(posts: pd.DataFrame) -> pd.DataFrame:
    """Key-person reach, attributed sign-ups (direct and follow-on) and cost per sign-up.

    Follow-on sign-ups are people who joined through the network of someone the post
    brought in (the "accelerated" reach of a key person); ``followon_per_direct`` says how
    many each direct sign-up brought along.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``influencer``: ``posts``, ``followers`` (largest), ``reach``, ``clicks``,
        ``signups_direct``, ``signups_followon``, ``signups_total``, ``fee_hkd``,
        ``cost_per_signup_hkd`` (fee / all sign-ups), ``cost_per_direct_signup_hkd``,
        ``followon_per_direct``. Cheapest per sign-up first.

    Examples
    --------
    >>> posts = pd.DataFrame({"influencer": ["@a", "@a", "@b"], "followers": [1000, 1100, 5000],
    ...     "reach": [300, 400, 900], "clicks": [30, 40, 50], "signups_direct": [3, 5, 4],
    ...     "signups_followon": [4, 4, 0], "fee_hkd": [800.0, 800.0, 1000.0]})
    >>> influencer_summary(posts)[["signups_total", "cost_per_signup_hkd", "followon_per_direct"]].values.tolist()
    [[16.0, 100.0, 1.0], [4.0, 250.0, 0.0]]
    """
    require_columns(posts, ["influencer", "followers", "reach", "clicks", "signups_direct", "signups_followon", "fee_hkd"],
             "influencer_posts")
    grouped = posts.groupby("influencer", sort=True)
    out = grouped[["reach", "clicks", "signups_direct", "signups_followon", "fee_hkd"]].sum().astype(float)
    out.insert(0, "followers", grouped["followers"].max())
    out.insert(0, "posts", grouped.size())
    out["signups_total"] = out["signups_direct"] + out["signups_followon"]
    out["cost_per_signup_hkd"] = _safe_div(out["fee_hkd"], out["signups_total"])
    out["cost_per_direct_signup_hkd"] = _safe_div(out["fee_hkd"], out["signups_direct"])
    out["followon_per_direct"] = _safe_div(out["signups_followon"], out["signups_direct"])
    return out.sort_values("cost_per_signup_hkd", kind="stable", na_position="last")


# --------------------------------------------------------------------------- lead scoring (80/20)


@dataclass(frozen=True)
class LeadScoreModel:
    """A fitted logistic regression of conversion on lead attributes.

    ``coefficients`` has one row per term (``const``, numeric features, and one dummy per
    non-baseline level of each text feature): ``coef`` (log-odds), ``odds_ratio``,
    ``std_err`` and ``p_value``. ``levels`` lists each text feature's levels, the first
    being the baseline the dummies are compared with.
    """

    coefficients: pd.DataFrame
    numeric: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]
    n_leads: int
    converged: bool

    def _repr_html_(self) -> str:
        return self.coefficients.to_html(float_format=lambda x: f"{x:.3f}")


def _design(leads: pd.DataFrame, numeric: Sequence[str], levels: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    parts = {"const": np.ones(len(leads))}
    for column in numeric:
        parts[column] = leads[column].astype(float).to_numpy()
    for column, values in levels.items():
        text = leads[column].astype(str).to_numpy()
        for level in values[1:]:
            parts[f"{column}={level}"] = (text == level).astype(float)
    return pd.DataFrame(parts, index=leads.index)


def fit_lead_score(
    leads: pd.DataFrame,
    *,
    numeric: Sequence[str] = ("pages_viewed", "engaged"),
    categorical: Sequence[str] = ("method",),
) -> LeadScoreModel:
    """Fit a transparent lead score: logistic regression of "converted" on lead attributes.

    Numeric features enter as they are (True/False as 1/0); each text feature becomes one
    dummy per level, compared with its alphabetically first level. Fitted by maximum
    likelihood with :mod:`statsmodels`, so every coefficient comes with a standard error.

    Raises
    ------
    DataValidationError
        A column is missing.
    ValueError
        Fewer than two outcomes, or a feature separates converters perfectly.

    Examples
    --------
    >>> leads = pd.DataFrame({"pages_viewed": [1, 2, 3, 4, 5, 6, 7, 8, 2, 6],
    ...     "engaged": [False, False, True, False, True, True, True, True, True, False],
    ...     "method": ["email_promotion", "referral"] * 5,
    ...     "converted_at": pd.to_datetime([None, None, None, "2024-01-02", None, "2024-01-02",
    ...                                     "2024-01-02", "2024-01-02", "2024-01-02", None])})
    >>> model = fit_lead_score(leads)
    >>> list(model.coefficients.index)
    ['const', 'pages_viewed', 'engaged', 'method=referral']
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    require_columns(leads, [*numeric, *categorical, "converted_at"], "leads")
    levels = {c: tuple(sorted(leads[c].astype(str).unique())) for c in categorical}
    X = _design(leads, numeric, levels)
    y = _converted(leads).astype(float).to_numpy()
    if y.min() == y.max():
        raise ValueError("lead scoring needs both converted and unconverted leads; all leads have the same outcome")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence is reported in ``converged`` instead
            warnings.simplefilter("error", PerfectSeparationWarning)
            result = sm.Logit(y, X).fit(disp=0, maxiter=200)
    except (PerfectSeparationError, PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
        raise ValueError(f"the lead score cannot be fitted: a feature separates converted leads perfectly ({exc})") from exc
    coefficients = pd.DataFrame({
        "coef": result.params, "odds_ratio": np.exp(result.params), "std_err": result.bse, "p_value": result.pvalues,
    })
    coefficients.index.name = "term"
    return LeadScoreModel(coefficients=coefficients, numeric=tuple(numeric), levels=levels, n_leads=len(leads),
                          converged=bool(result.mle_retvals.get("converged", False)))


def score_leads(model: LeadScoreModel, leads: pd.DataFrame) -> pd.Series:
    """Probability that each lead converts, from a fitted :class:`LeadScoreModel`.

    Levels not seen when fitting count as the baseline level.

    Examples
    --------
    >>> model = LeadScoreModel(pd.DataFrame({"coef": [-2.0, 0.5]}, index=["const", "pages_viewed"]),
    ...     numeric=("pages_viewed",), levels={}, n_leads=0, converged=True)
    >>> score_leads(model, pd.DataFrame({"pages_viewed": [4, 0]})).round(3).tolist()
    [0.5, 0.119]
    """
    require_columns(leads, [*model.numeric, *model.levels], "leads")
    X = _design(leads, model.numeric, model.levels)
    logit = X[model.coefficients.index].to_numpy() @ model.coefficients["coef"].to_numpy()
    return pd.Series(1.0 / (1.0 + np.exp(-logit)), index=leads.index, name="p_convert")


def time_split(
    leads: pd.DataFrame, *, test_share: float = 0.3, date_col: str = "first_touch_at"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split leads in time: fit on the earlier ones, judge the score on the later ones.

    Examples
    --------
    >>> leads = pd.DataFrame({"first_touch_at": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01"])})
    >>> train, test = time_split(leads, test_share=1 / 3)
    >>> train.index.tolist(), test.index.tolist()
    ([1, 2], [0])
    """
    require_columns(leads, [date_col], "leads")
    if not 0 < test_share < 1:
        raise ValueError(f"test_share must be between 0 and 1, not {test_share}")
    ordered = leads.sort_values(date_col, kind="stable")
    cut = len(ordered) - int(round(test_share * len(ordered)))
    return ordered.iloc[:cut], ordered.iloc[cut:]


def _ranked(scores: pd.Series | np.ndarray, converted: pd.Series | np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, dtype=float)
    converted = np.asarray(converted, dtype=float)
    if scores.shape != converted.shape:
        raise ValueError(f"scores ({scores.size}) and converted ({converted.size}) must have the same length")
    order = np.argsort(-scores, kind="stable")
    return converted[order]


def gains_table(scores: pd.Series | np.ndarray, converted: pd.Series | np.ndarray, *, bins: int = 10) -> pd.DataFrame:
    """Cumulative gains and lift: leads ranked by score, cut into ``bins`` equal groups.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group`` (1 = highest scores): ``leads``, ``conversions``,
        ``conversion_rate``, ``cum_lead_share``, ``cum_conversion_share`` (the gains curve),
        ``lift`` (cumulative conversion share ÷ cumulative lead share; 1 = no better than random).

    Examples
    --------
    >>> gains = gains_table([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05], [1, 1, 0, 1, 0, 0, 0, 0, 0, 0], bins=5)
    >>> gains["cum_conversion_share"].round(3).tolist(), gains["lift"].round(2).tolist()[0]
    ([0.667, 1.0, 1.0, 1.0, 1.0], 3.33)
    """
    ranked = _ranked(scores, converted)
    n = ranked.size
    if n == 0:
        raise ValueError("no leads to rank")
    group = np.floor(np.arange(n) * bins / n).astype(int) + 1
    frame = pd.DataFrame({"group": group, "converted": ranked})
    out = frame.groupby("group").agg(leads=("converted", "size"), conversions=("converted", "sum"))
    out["conversion_rate"] = out["conversions"] / out["leads"]
    total = ranked.sum()
    out["cum_lead_share"] = out["leads"].cumsum() / n
    out["cum_conversion_share"] = out["conversions"].cumsum() / total if total else np.nan
    out["lift"] = out["cum_conversion_share"] / out["cum_lead_share"]
    return out


def top_share(scores: pd.Series | np.ndarray, converted: pd.Series | np.ndarray, *, top: float = 0.2) -> float:
    """Share of all conversions found among the top ``top`` share of leads by score.

    The top group has ``round(top × n)`` leads; ties keep the input order.

    Examples
    --------
    >>> top_share([0.9, 0.1, 0.8, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.05], [1, 0, 1, 1, 0, 0, 0, 0, 0, 1])
    0.5
    """
    if not 0 < top <= 1:
        raise ValueError(f"top must be a share between 0 and 1, not {top}")
    ranked = _ranked(scores, converted)
    total = ranked.sum()
    if total == 0:
        return float("nan")
    k = int(round(top * ranked.size))
    return float(ranked[:k].sum() / total)


def plot_gains(gains: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Cumulative gains chart with the random-targeting diagonal and the top-20% point.

    Examples
    --------
    >>> gains = gains_table([0.9, 0.8, 0.2, 0.1, 0.3], [1, 1, 0, 0, 0], bins=5)
    >>> plot_gains(gains).get_ylabel()
    'Share of all conversions'
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 5))
    x = np.concatenate([[0.0], gains["cum_lead_share"].to_numpy()])
    y = np.concatenate([[0.0], gains["cum_conversion_share"].to_numpy()])
    ax.plot(x, y, marker="o", color=plots.PALETTE[0], label="Scored leads, best first")
    ax.plot([0, 1], [0, 1], ls="--", color=plots.STATUS_COLOURS["neutral"], label="Random order")
    at20 = float(np.interp(0.2, x, y))
    ax.axvline(0.2, color=plots.PALETTE[1], lw=0.8)
    ax.annotate(f"top 20% → {at20:.0%}", (0.2, at20), xytext=(0.27, at20 - 0.12), color=plots.PALETTE[1],
                arrowprops={"arrowstyle": "->", "color": plots.PALETTE[1]})
    ax.legend(frameon=False, loc="lower right")
    plots.finish(ax, title=f"The top 20% of scored leads hold {at20:.0%} of conversions",
                 xlabel="Share of leads contacted (highest score first)", ylabel="Share of all conversions")
    plots.percent_axis(ax, "x")
    return plots.percent_axis(ax, "y")


# --------------------------------------------------------------------------- tailor-made offers


def segment_offers(
    leads: pd.DataFrame,
    *,
    by: Sequence[str] = ("age_band", "interest"),
    min_leads: int = 30,
    min_method_leads: int = 5,
) -> pd.DataFrame:
    """Segment → needs → offer: a tailor-made plan for each group of prospects, from the data.

    For each segment (default: age band × product interest) with at least ``min_leads``
    leads: conversion rate, value per converted customer, value per lead, the method that
    brings it the most first-year value per HK$ (``best_method``, among methods with at least
    ``min_method_leads`` of its leads; without ``cost_hkd``, the most value per lead), what its
    prospects need (from :data:`NEEDS` by interest) and an offer chosen by comparing the
    segment with all leads:

    - value and conversion both at or above average → ``VIP``: consultation + premium bundle;
    - value high, conversion low → ``trial``: samples / try before you buy, to lower the risk;
    - value low, conversion high → ``bundle``: buy-more-save, to raise the order value;
    - both low → ``nurture``: low-cost newsletter content, no paid push.

    ``priority`` is ``high`` for the top 20% of segments by value per lead (80/20).

    Examples
    --------
    >>> leads = pd.DataFrame({"age_band": ["25-34"] * 4 + ["55-64"] * 4, "interest": ["beauty"] * 8,
    ...     "method": ["referral", "referral", "email_promotion", "email_promotion"] * 2,
    ...     "converted_at": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-02", None,
    ...                                     None, None, "2024-01-02", None]),
    ...     "first_year_value_hkd": [900.0, 900.0, 900.0, None, None, None, 300.0, None]})
    >>> plan = segment_offers(leads, min_leads=2, min_method_leads=1)
    >>> plan[["conversion_rate", "best_method", "offer"]].values.tolist()[0]
    [0.75, 'referral', 'VIP: consultation + premium beauty bundle']
    """
    require_columns(leads, [*by, "method", "converted_at", "first_year_value_hkd"], "leads")
    converted = _converted(leads)
    keys = list(by)
    frame = leads[keys].astype(str)
    frame["_method"] = leads["method"].astype(str)
    frame["converted"] = converted
    frame["value"] = leads["first_year_value_hkd"].where(converted, 0.0).fillna(0.0).astype(float)
    seg = frame.groupby(keys).agg(leads=("converted", "size"), customers=("converted", "sum"),
                                  value_hkd=("value", "sum"))
    seg = seg.loc[seg["leads"] >= min_leads]
    seg["conversion_rate"] = seg["customers"] / seg["leads"]
    seg["value_per_customer_hkd"] = _safe_div(seg["value_hkd"], seg["customers"])
    seg["value_per_lead_hkd"] = seg["value_hkd"] / seg["leads"]
    frame["cost"] = leads["cost_hkd"].astype(float) if "cost_hkd" in leads.columns else 1.0
    by_method = frame.groupby([*keys, "_method"]).agg(n=("converted", "size"), value=("value", "sum"),
                                                      cost=("cost", "sum")).reset_index()
    by_method["rate"] = by_method["value"] / by_method["cost"].where(by_method["cost"] > 0)
    by_method = by_method.loc[by_method["n"] >= min_method_leads]
    by_method["order"] = by_method["_method"].map({m: i for i, m in enumerate(METHODS)}).fillna(len(METHODS))
    best = by_method.sort_values([*keys, "rate", "order"], ascending=[True] * len(keys) + [False, True],
                                 kind="stable").groupby(keys).head(1).set_index(keys)["_method"]
    seg["best_method"] = best.reindex(seg.index)
    overall_rate = float(converted.mean())
    overall_value = float(_safe_div(frame["value"].sum(), converted.sum()))
    interest = seg.index.get_level_values("interest") if "interest" in keys else pd.Index([""] * len(seg))
    seg["needs"] = [NEEDS.get(i, "ask: survey these prospects") for i in interest]
    high_value = seg["value_per_customer_hkd"].fillna(0.0) >= overall_value
    high_rate = seg["conversion_rate"] >= overall_rate
    label = [str(i).replace("_", " ") for i in interest]
    seg["offer"] = np.select(
        [high_value & high_rate, high_value & ~high_rate, ~high_value & high_rate],
        [[f"VIP: consultation + premium {x} bundle" for x in label],
         [f"trial: samples / try {x} before you buy" for x in label],
         [f"bundle: buy-more-save on {x}" for x in label]],
        default=[f"nurture: newsletter tips on {x}, no paid push" for x in label],
    )
    seg = seg.sort_values("value_per_lead_hkd", ascending=False, kind="stable")
    n_high = max(1, int(math.ceil(0.2 * len(seg)))) if len(seg) else 0
    seg["priority"] = ["high"] * n_high + ["normal"] * (len(seg) - n_high)
    return seg[["leads", "customers", "conversion_rate", "value_per_customer_hkd", "value_per_lead_hkd",
                "best_method", "needs", "offer", "priority"]]


# --------------------------------------------------------------------------- market consultation


def validate_market_stats(stats: pd.DataFrame) -> pd.DataFrame:
    """Check the government-statistics table: every row cited, every "verified" row traceable.

    Rules: all of :data:`MARKET_STATS_COLUMNS` present; ``value`` a number; ``source``
    never empty; ``status`` is ``verified`` or ``illustrative``; a ``verified`` row has a
    ``table_id`` or a ``url``.

    Returns
    -------
    pandas.DataFrame
        A copy with ``value`` as float and blank text cells as "".

    Raises
    ------
    DataValidationError
        The first rule broken, naming the column and up to three rows.

    Examples
    --------
    >>> row = {"figure": "population", "district": "Sha Tin", "value": 688200, "unit": "persons",
    ...        "period": "2021", "table_id": "", "source": "SWD", "url": "", "status": "verified", "note": ""}
    >>> validate_market_stats(pd.DataFrame([row]))
    Traceback (most recent call last):
    ...
    helpers.data.DataValidationError: <data frame>: column 'table_id': expected a table id or a url on every verified row.
      e.g. row 0: population Sha Tin
    """
    require_columns(stats, MARKET_STATS_COLUMNS, "market statistics")
    out = stats.copy()
    source = out.attrs.get("source")
    text_cols = [c for c in MARKET_STATS_COLUMNS if c != "value"]
    for column in text_cols:
        out[column] = out[column].astype("string").fillna("").str.strip()

    def rows(mask: pd.Series) -> list[str]:
        return [f"row {i}: {out.at[i, 'figure']} {out.at[i, 'district']}" for i in out.index[mask][:3]]

    value = pd.to_numeric(out["value"], errors="coerce")
    if value.isna().any():
        raise DataValidationError(source, "value", "a number on every row", rows(value.isna()))
    out["value"] = value.astype(float)
    no_source = out["source"] == ""
    if no_source.any():
        raise DataValidationError(source, "source", "a source (publisher and title) on every row", rows(no_source))
    bad_status = ~out["status"].isin(["verified", "illustrative"])
    if bad_status.any():
        raise DataValidationError(source, "status", "'verified' or 'illustrative'", rows(bad_status))
    untraceable = (out["status"] == "verified") & (out["table_id"] == "") & (out["url"] == "")
    if untraceable.any():
        raise DataValidationError(source, "table_id", "a table id or a url on every verified row", rows(untraceable))
    return out


def market_stat(stats: pd.DataFrame, figure: str, *, district: str = ALL_DISTRICTS, period: str | None = None) -> float:
    """One figure of the statistics table; the latest period when ``period`` is not given.

    Examples
    --------
    >>> stats = pd.DataFrame({"figure": ["x", "x"], "district": [ALL_DISTRICTS] * 2, "value": [1.0, 2.0],
    ...                       "period": ["2018", "2020"]})
    >>> market_stat(stats, "x"), market_stat(stats, "x", period="2018")
    (2.0, 1.0)
    """
    rows = stats.loc[(stats["figure"] == figure) & (stats["district"] == district)]
    if period is not None:
        rows = rows.loc[rows["period"].astype(str) == str(period)]
    if rows.empty:
        raise KeyError(f"no {figure!r} for {district!r}" + (f" in {period}" if period else "") + " in the table")
    return float(rows.sort_values("period", kind="stable")["value"].iloc[-1])


def district_population(stats: pd.DataFrame) -> pd.DataFrame:
    """District populations from the statistics table, with their status (verified / illustrative).

    Examples
    --------
    >>> stats = pd.DataFrame({"figure": ["population"] * 2, "district": [ALL_DISTRICTS, "Islands"],
    ...     "value": [7.4e6, 185000.0], "status": ["verified", "illustrative"]})
    >>> district_population(stats).to_dict("index")
    {'Islands': {'population': 185000.0, 'status': 'illustrative'}}
    """
    rows = stats.loc[(stats["figure"] == "population") & (stats["district"] != ALL_DISTRICTS)]
    out = rows.set_index("district")[["value", "status"]].rename(columns={"value": "population"})
    out.index.name = "district"
    return out.sort_values("population", ascending=False, kind="stable")


def market_size(populations: pd.DataFrame, *, incidence: float, spend_hkd: float) -> pd.DataFrame:
    """Online market by district: population × online-shopping incidence × annual spend per shopper.

    A first-order sizing for market consultation, not a forecast: the incidence published
    for persons aged 15 and over is applied to the whole population, which overstates the
    number of shoppers by the share of children.

    Returns
    -------
    pandas.DataFrame
        ``populations`` plus ``online_shoppers`` and ``market_hkd``.

    Examples
    --------
    >>> pops = pd.DataFrame({"population": [1000.0, 500.0]}, index=pd.Index(["A", "B"], name="district"))
    >>> market_size(pops, incidence=0.4, spend_hkd=100.0)["market_hkd"].tolist()
    [40000.0, 20000.0]
    """
    require_columns(populations, ["population"], "district population")
    if not 0 <= incidence <= 1:
        raise ValueError(f"incidence is a share between 0 and 1, not {incidence}")
    if spend_hkd < 0:
        raise ValueError(f"spend_hkd must be 0 or more, not {spend_hkd}")
    out = populations.copy()
    out["online_shoppers"] = out["population"].astype(float) * incidence
    out["market_hkd"] = out["online_shoppers"] * spend_hkd
    return out


def market_sensitivity(
    population: float, *, incidences: Sequence[float], spends_hkd: Sequence[float]
) -> pd.DataFrame:
    """Market size for every pair of incidence and spend: which assumption moves the answer most.

    Examples
    --------
    >>> market_sensitivity(1000, incidences=[0.3, 0.5], spends_hkd=[100, 200]).values.tolist()
    [[30000.0, 60000.0], [50000.0, 100000.0]]
    """
    inc = np.asarray(incidences, dtype=float)
    spend = np.asarray(spends_hkd, dtype=float)
    grid = float(population) * inc[:, None] * spend[None, :]
    return pd.DataFrame(grid, index=pd.Index(inc, name="incidence"), columns=pd.Index(spend, name="spend_hkd"))


# --------------------------------------------------------------------------- professionalism (PDPO)


@dataclass(frozen=True)
class PrivacyScreen:
    """Leads split into a campaign list and exclusions, with the reason for each exclusion."""

    campaign_list: pd.DataFrame
    excluded: pd.DataFrame
    counts: pd.DataFrame

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)


def privacy_screen(leads: pd.DataFrame) -> PrivacyScreen:
    """Keep only prospects collected lawfully and with direct-marketing consent recorded.

    Under the PDPO personal data must be collected by lawful and fair means (DPP1) and may be
    used in direct marketing only with the person's consent (Part 6A, s.35E). A lead with
    ``lawful_source`` False/missing is excluded as ``no lawful source``; otherwise one with
    ``consent_recorded`` False/missing as ``no consent recorded``.

    Returns
    -------
    PrivacyScreen
        ``campaign_list`` (leads that may be contacted), ``excluded`` (``lead_id`` or index,
        ``method``, ``reason``) and ``counts`` (excluded leads by method and reason).

    Examples
    --------
    >>> leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "method": ["email_promotion"] * 3,
    ...     "lawful_source": [True, False, True], "consent_recorded": [True, True, False]})
    >>> screen = privacy_screen(leads)
    >>> screen.campaign_list["lead_id"].tolist(), screen.excluded["reason"].tolist()
    (['L1'], ['no lawful source', 'no consent recorded'])
    """
    require_columns(leads, ["method", "lawful_source", "consent_recorded"], "leads")
    lawful = leads["lawful_source"].astype("boolean").fillna(False).astype(bool)
    consent = leads["consent_recorded"].astype("boolean").fillna(False).astype(bool)
    reason = pd.Series(np.where(~lawful, "no lawful source", np.where(~consent, "no consent recorded", "")),
                       index=leads.index)
    ok = reason == ""
    key = leads["lead_id"] if "lead_id" in leads.columns else pd.Series(leads.index, index=leads.index)
    excluded = pd.DataFrame({"lead_id": key[~ok], "method": leads.loc[~ok, "method"].astype(str),
                             "reason": reason[~ok]})
    counts = (excluded.groupby(["method", "reason"]).size().unstack("reason", fill_value=0)
              .reindex(columns=["no lawful source", "no consent recorded"], fill_value=0))
    counts = counts.reindex(_method_order(counts.index))
    counts["excluded"] = counts.sum(axis=1)
    return PrivacyScreen(campaign_list=leads.loc[ok].copy(), excluded=excluded.reset_index(drop=True), counts=counts)


# --------------------------------------------------------------------------- budget


def project_allocation(comparison: pd.DataFrame, budgets_hkd: Mapping[str, float]) -> pd.DataFrame:
    """What a budget per method buys at the measured cost per customer and return per HK$.

    Assumes each method keeps its measured CPA and return at the new spend (no saturation):
    fine for modest shifts, optimistic for large ones.

    Examples
    --------
    >>> comp = pd.DataFrame({"cpa_hkd": [100.0, 50.0], "return_per_hkd": [3.0, 1.0]},
    ...                     index=pd.Index(["referral", "search_ad"], name="method"))
    >>> project_allocation(comp, {"referral": 1000, "search_ad": 500})[["projected_customers",
    ...     "projected_value_hkd"]].values.tolist()
    [[10.0, 3000.0], [10.0, 500.0]]
    """
    require_columns(comparison, ["cpa_hkd", "return_per_hkd"], "method comparison")
    unknown = sorted(set(budgets_hkd) - set(comparison.index))
    if unknown:
        raise ValueError(f"no measured returns for method(s) {unknown}; known: {list(comparison.index)}")
    budget = pd.Series({m: float(budgets_hkd.get(m, 0.0)) for m in comparison.index}, name="budget_hkd")
    out = pd.DataFrame({"budget_hkd": budget})
    out.index.name = "method"
    out["projected_customers"] = (budget / comparison["cpa_hkd"]).fillna(0.0)
    out["projected_value_hkd"] = (budget * comparison["return_per_hkd"]).fillna(0.0)
    return out


def recommend_budget(comparison: pd.DataFrame, *, budget_hkd: float, min_share: float = 0.05) -> pd.DataFrame:
    """Split a budget across methods in proportion to their measured return per HK$.

    Each method first gets ``min_share`` of the budget (so every method keeps being measured);
    the rest is shared in proportion to ``return_per_hkd`` (methods returning nothing get only
    the floor). With no positive return anywhere the budget is split equally.

    Returns
    -------
    pandas.DataFrame
        Indexed by method: ``return_per_hkd``, ``share``, ``budget_hkd``,
        ``projected_customers``, ``projected_value_hkd``; largest budget first.

    Examples
    --------
    >>> comp = pd.DataFrame({"cpa_hkd": [100.0, 50.0], "return_per_hkd": [3.0, 1.0]},
    ...                     index=pd.Index(["referral", "search_ad"], name="method"))
    >>> recommend_budget(comp, budget_hkd=10_000, min_share=0.1)["budget_hkd"].round(2).tolist()
    [7000.0, 3000.0]
    """
    require_columns(comparison, ["cpa_hkd", "return_per_hkd"], "method comparison")
    if budget_hkd < 0:
        raise ValueError(f"budget_hkd must be 0 or more, not {budget_hkd}")
    k = len(comparison)
    if k == 0:
        raise ValueError("no methods to share the budget between")
    if not 0 <= min_share * k <= 1:
        raise ValueError(f"min_share × {k} methods must be between 0 and 1, not {min_share * k:g}")
    weight = comparison["return_per_hkd"].astype(float).clip(lower=0).fillna(0.0)
    if weight.sum() > 0:
        share = min_share + (1 - min_share * k) * weight / weight.sum()
    else:
        share = pd.Series(1.0 / k, index=comparison.index)
    out = pd.DataFrame({"return_per_hkd": comparison["return_per_hkd"], "share": share})
    out["budget_hkd"] = out["share"] * float(budget_hkd)
    projected = project_allocation(comparison, out["budget_hkd"].to_dict())
    out = out.join(projected[["projected_customers", "projected_value_hkd"]])
    out.index.name = "method"
    return out.sort_values("budget_hkd", ascending=False, kind="stable")


def budget_allocator(comparison: pd.DataFrame, *, budget_hkd: float, start: Mapping[str, float] | None = None):
    """An ipywidgets budget allocator: one slider per method → projected customers and value.

    Starts at ``start`` (e.g. the :func:`recommend_budget` split) or an equal split. Returns
    the widget; in a headless run (papermill) show the static :func:`project_allocation`
    table of the same starting point beside it.

    Examples
    --------
    >>> comp = pd.DataFrame({"cpa_hkd": [100.0], "return_per_hkd": [3.0]}, index=pd.Index(["referral"], name="method"))
    >>> box = budget_allocator(comp, budget_hkd=1000)
    >>> type(box).__name__, len(box.children)
    ('VBox', 3)
    """
    import ipywidgets as widgets

    methods = list(comparison.index)
    start = dict(start) if start is not None else {m: budget_hkd / len(methods) for m in methods}
    step = max(100.0, round(budget_hkd / 200, -2))
    sliders = {
        m: widgets.FloatSlider(value=round(float(start.get(m, 0.0)), -2), min=0.0, max=float(budget_hkd), step=step,
                               description=METHOD_LABELS.get(m, m), readout_format=",.0f",
                               style={"description_width": "190px"}, layout=widgets.Layout(width="560px"))
        for m in methods
    }
    summary = widgets.HTML()
    table = widgets.HTML()

    def update(_change: object = None) -> None:
        chosen = {m: s.value for m, s in sliders.items()}
        projected = project_allocation(comparison, chosen)
        spent = sum(chosen.values())
        over = " — <b>over budget</b>" if spent > budget_hkd + 1e-6 else ""
        summary.value = (f"Allocated HK${spent:,.0f} of HK${budget_hkd:,.0f}{over}: about "
                         f"{projected['projected_customers'].sum():,.0f} new customers worth "
                         f"HK${projected['projected_value_hkd'].sum():,.0f} in their first year.")
        table.value = projected.rename(index=METHOD_LABELS).to_html(float_format=lambda x: f"{x:,.0f}")

    for slider in sliders.values():
        slider.observe(update, names="value")
    update()
    return widgets.VBox([widgets.VBox(list(sliders.values())), summary, table])


# --------------------------------------------------------------------------- metrics


def summary_metrics(
    *,
    leads: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    top20_share: float | None = None,
    savings: pd.DataFrame | None = None,
    market_hkd: float | None = None,
    screen: PrivacyScreen | None = None,
    budget: pd.DataFrame | None = None,
    first_year_value_hkd: float | None = None,
) -> dict[str, object]:
    """The chapter's ``metrics.json``: plain numbers, no personal data; None for skipped sections.

    Examples
    --------
    >>> summary_metrics(market_hkd=1.5e9)["market_size_hkd"], summary_metrics()["leads"]
    (1500000000.0, None)
    """
    def number(value: object) -> float | None:
        return None if value is None or pd.isna(value) else round(float(value), 6)

    methods = None
    if comparison is not None:
        methods = {
            str(m): {"leads": int(row["leads"]), "conversion_rate": number(row["conversion_rate"]),
                     "cpa_hkd": number(row["cpa_hkd"]), "median_cycle_days": number(row["median_cycle_days"]),
                     "return_per_hkd": number(row["return_per_hkd"])}
            for m, row in comparison.iterrows()
        }
    saving = None
    if savings is not None:
        saving = number(savings["cost_hkd"].iloc[0] - savings["cost_hkd"].iloc[-1])
    return {
        "leads": None if leads is None else int(len(leads)),
        "methods": methods,
        "top20_conversion_share": number(top20_share),
        "keyword_savings_hkd": saving,
        "market_size_hkd": number(market_hkd),
        "leads_excluded_privacy": None if screen is None else int(screen.n_excluded),
        "recommended_budget_hkd": None if budget is None else {str(m): number(v) for m, v in
                                                               budget["budget_hkd"].items()},
        "new_customer_first_year_value_hkd": number(first_year_value_hkd),
    }
