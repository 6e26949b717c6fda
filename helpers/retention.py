"""Retention tactics: which newsletter, e-mail, coupon, loyalty, referral or membership tactic kept customers.

Functions follow one rule: a tactic "worked" only when a randomised holdout says so.
Funnels describe what happened; experiments (treatment vs holdout) measure what the
tactic *caused*; observational comparisons (loyalty members vs others, referred vs
other customers) carry a self-selection caveat and are never ranked as measured effects.

Statistics come from scipy and statsmodels: two-proportion z-test
(:func:`statsmodels.stats.proportion.proportions_ztest`) with Newcombe intervals,
Welch's t-test (:func:`scipy.stats.ttest_ind`) for spend, power and sample size from
:mod:`statsmodels.stats.power`, Holm's correction when many segments are tested.

Money columns end in ``_hkd`` on the bundled shop; the Hillstrom experiment is in
US dollars (``spend_usd``).

Examples
--------
>>> import pandas as pd
>>> result = proportion_test(55, 1000, 40, 1000)  # 5.5% vs 4.0%: z = 0.015 / 0.0095 = 1.58
>>> round(result["lift_abs"], 3), result["significant"], result["verdict"]
(0.015, False, 'not significant: no evidence of an effect')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest

from helpers.clv import BGNBDFit, GammaGammaFit
from helpers.data import DataValidationError, require_columns

if TYPE_CHECKING:
    import ipywidgets as widgets
    from matplotlib.axes import Axes

#: Channels the unit names, in the order charts show them.
CHANNELS: tuple[str, ...] = ("newsletter", "email", "forum", "social", "sms")
#: Segments used for uplift, from purchase history at send time (see :func:`segment_at_send`).
SEGMENTS: tuple[str, ...] = ("active_high", "active", "lapsed")
#: What the metrics mean, for the verdict line under every experiment.
NOT_SIGNIFICANT = "not significant"

__all__ = [
    "CHANNELS",
    "SEGMENTS",
    "campaign_experiments",
    "campaign_funnel",
    "channel_comparison",
    "coupon_assumptions",
    "coupon_economics",
    "coupon_what_if",
    "coupon_what_if_widget",
    "experiment_table",
    "first_window_activity",
    "HistoryCheck",
    "hillstrom_arms",
    "history_check",
    "hillstrom_experiment",
    "lift_by_segment",
    "member_comparison",
    "mean_test",
    "minimum_detectable_effect",
    "plot_channel_lift",
    "plot_coupon_what_if",
    "plot_coupon_economics",
    "plot_funnel",
    "plot_mde",
    "plot_tactic_ranking",
    "plot_welcome_offers",
    "points_liability",
    "proportion_test",
    "rank_tactics",
    "retention_metrics",
    "referral_summary",
    "referred_vs_others",
    "sample_size_per_arm",
    "segment_at_send",
    "shop_as_of",
    "takeaway",
    "tier_migration",
    "welcome_offer_summary",
    "win_back_list",
]




def takeaway(text: str):
    """A bold takeaway line for a notebook: ``**Takeaway:** text``, with "$" escaped so "HK$" is not read as maths.

    An empty ``text`` gives an empty line (a skipped section has no takeaway).

    Examples
    --------
    >>> print(takeaway("email returns HK$50 per HK$1").data)
    **Takeaway:** email returns HK\\$50 per HK\\$1
    """
    from IPython.display import Markdown

    return Markdown(f"**Takeaway:** {text.replace('$', chr(92) + '$')}" if text else "")


CHANNEL_LABELS = {"newsletter": "Newsletter", "email": "E-mail", "forum": "Forum", "social": "Social", "sms": "SMS"}


def _verdict(significant: bool, lift: float) -> str:
    if not significant:
        return f"{NOT_SIGNIFICANT}: no evidence of an effect"
    return "significant lift" if lift > 0 else "significant drop"


# --------------------------------------------------------------------------- experiment statistics


def proportion_test(
    successes_treatment: int, n_treatment: int, successes_control: int, n_control: int, *, alpha: float = 0.05
) -> dict[str, float | bool | str]:
    """Two-proportion z-test of treatment vs control, with lift and its confidence interval.

    Parameters
    ----------
    successes_treatment, n_treatment, successes_control, n_control
        Converters and group sizes.
    alpha
        Significance level; the interval is at ``1 - alpha``.

    Returns
    -------
    dict
        ``rate_treatment``, ``rate_control``, ``lift_abs`` (difference of rates) with
        ``lift_ci_low``/``lift_ci_high`` (Newcombe), ``lift_rel`` (relative to control) with
        ``lift_rel_ci_low``/``lift_rel_ci_high`` (from the rate ratio's interval),
        ``p_value`` (pooled z-test, two-sided), ``significant`` and a plain ``verdict``.

    Raises
    ------
    ValueError
        Empty group, or more successes than customers.

    Examples
    --------
    >>> r = proportion_test(120, 1000, 80, 1000)
    >>> round(r["lift_abs"], 3), round(r["lift_rel"], 2), r["significant"]
    (0.04, 0.5, True)
    """
    for name, k, n in (("treatment", successes_treatment, n_treatment), ("control", successes_control, n_control)):
        if n <= 0:
            raise ValueError(f"the {name} group is empty: an experiment needs customers in both groups")
        if not 0 <= k <= n:
            raise ValueError(f"the {name} group has {k} successes out of {n} customers")
    rate_t, rate_c = successes_treatment / n_treatment, successes_control / n_control
    if successes_treatment + successes_control in (0, n_treatment + n_control):
        p_value = 1.0  # nobody (or everybody) converted: no evidence either way
    else:
        _, p_value = proportions_ztest([successes_treatment, successes_control], [n_treatment, n_control])
    low, high = confint_proportions_2indep(successes_treatment, n_treatment, successes_control, n_control,
                                           method="newcomb", compare="diff", alpha=alpha)
    significant = bool(p_value < alpha)
    lift = rate_t - rate_c
    if successes_control > 0 and successes_treatment > 0:
        # Interval of the rate ratio (log scale, Katz with 0.5 adjustment), shifted to a relative lift.
        ratio_low, ratio_high = confint_proportions_2indep(successes_treatment, n_treatment, successes_control, n_control,
                                                           method="log-adjusted", compare="ratio", alpha=alpha)
        rel_low, rel_high = float(ratio_low) - 1, float(ratio_high) - 1
    else:
        rel_low = rel_high = float("nan")
    return {
        "rate_treatment": rate_t, "rate_control": rate_c, "lift_abs": lift,
        "lift_ci_low": float(low), "lift_ci_high": float(high),
        "lift_rel": lift / rate_c if rate_c > 0 else float("nan"),
        "lift_rel_ci_low": rel_low, "lift_rel_ci_high": rel_high,
        "p_value": float(p_value), "significant": significant, "verdict": _verdict(significant, lift),
    }


def mean_test(treatment: Sequence[float] | np.ndarray, control: Sequence[float] | np.ndarray, *,
              alpha: float = 0.05) -> dict[str, float | bool | str]:
    """Welch's t-test of mean treatment vs control value (e.g. spend per customer), with its interval.

    Examples
    --------
    >>> r = mean_test([10.0, 12.0, 14.0, 16.0], [1.0, 2.0, 3.0, 4.0])
    >>> r["lift_abs"], r["significant"]
    (10.5, True)
    """
    t = np.asarray(treatment, dtype="float64")
    c = np.asarray(control, dtype="float64")
    if len(t) < 2 or len(c) < 2:
        raise ValueError("each group needs at least two customers for a Welch test")
    mean_t, mean_c = float(t.mean()), float(c.mean())
    lift = mean_t - mean_c
    if t.var() == 0 and c.var() == 0:
        p_value, low, high = (1.0 if lift == 0 else 0.0), lift, lift
    else:
        result = stats.ttest_ind(t, c, equal_var=False)
        interval = result.confidence_interval(confidence_level=1 - alpha)
        p_value, low, high = float(result.pvalue), float(interval.low), float(interval.high)
    significant = bool(p_value < alpha)
    if mean_c != 0:
        # Delta method for the ratio of means: se² = s_t²/(n_t·m_c²) + m_t²·s_c²/(n_c·m_c⁴).
        se_ratio = np.sqrt(t.var(ddof=1) / (len(t) * mean_c**2) + mean_t**2 * c.var(ddof=1) / (len(c) * mean_c**4))
        z = stats.norm.ppf(1 - alpha / 2)
        rel_low, rel_high = lift / mean_c - z * se_ratio, lift / mean_c + z * se_ratio
    else:
        rel_low = rel_high = float("nan")
    return {
        "mean_treatment": mean_t, "mean_control": mean_c, "lift_abs": lift, "lift_ci_low": low, "lift_ci_high": high,
        "lift_rel": lift / mean_c if mean_c != 0 else float("nan"),
        "lift_rel_ci_low": float(rel_low), "lift_rel_ci_high": float(rel_high),
        "p_value": p_value, "significant": significant, "verdict": _verdict(significant, lift),
    }


def experiment_table(
    frame: pd.DataFrame,
    *,
    group_col: str,
    treatment: str,
    control: str,
    outcomes: Sequence[str],
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Treatment vs holdout on several outcomes: z-test for 0/1 outcomes, Welch test for amounts.

    Returns
    -------
    pandas.DataFrame
        One row per outcome: ``outcome``, ``test`` ("two-proportion z" or "Welch t"),
        ``n_treatment``, ``n_control``, ``treatment``, ``control`` (rate or mean),
        ``lift_abs``, ``lift_ci_low``, ``lift_ci_high``, ``lift_rel``, ``p_value``,
        ``significant``, ``verdict``.

    Examples
    --------
    >>> df = pd.DataFrame({"arm": ["t"] * 4 + ["c"] * 4, "bought": [1, 1, 0, 1, 0, 1, 0, 0],
    ...                    "spend": [5.0, 7.0, 0.0, 6.0, 0.0, 4.0, 0.0, 0.0]})
    >>> experiment_table(df, group_col="arm", treatment="t", control="c", outcomes=["bought"])["verdict"].tolist()
    ['not significant: no evidence of an effect']
    """
    require_columns(frame, [group_col, *outcomes], "an experiment table")
    t = frame[frame[group_col] == treatment]
    c = frame[frame[group_col] == control]
    if t.empty or c.empty:
        raise DataValidationError(frame.attrs.get("source"), group_col,
                                  f"both {treatment!r} and {control!r} rows; found {sorted(frame[group_col].dropna().unique().tolist())}")
    rows = []
    for outcome in outcomes:
        values = pd.concat([t[outcome], c[outcome]])
        binary = values.dropna().isin([0, 1, True, False]).all()
        if binary:
            r = proportion_test(int(t[outcome].sum()), len(t), int(c[outcome].sum()), len(c), alpha=alpha)
            row = {"test": "two-proportion z", "treatment": r["rate_treatment"], "control": r["rate_control"]}
        else:
            r = mean_test(t[outcome].to_numpy(dtype="float64"), c[outcome].to_numpy(dtype="float64"), alpha=alpha)
            row = {"test": "Welch t", "treatment": r["mean_treatment"], "control": r["mean_control"]}
        rows.append({"outcome": outcome, **row, "n_treatment": len(t), "n_control": len(c),
                     **{k: r[k] for k in ("lift_abs", "lift_ci_low", "lift_ci_high", "lift_rel", "lift_rel_ci_low",
                                          "lift_rel_ci_high", "p_value", "significant", "verdict")}})
    columns = ["outcome", "test", "n_treatment", "n_control", "treatment", "control", "lift_abs", "lift_ci_low",
               "lift_ci_high", "lift_rel", "lift_rel_ci_low", "lift_rel_ci_high", "p_value", "significant", "verdict"]
    return pd.DataFrame(rows)[columns]


def sample_size_per_arm(baseline_rate: float, lift_abs: float, *, alpha: float = 0.05, power: float = 0.8,
                        ratio: float = 1.0) -> int:
    """Customers needed in the treatment arm to detect ``lift_abs`` over ``baseline_rate``.

    Uses Cohen's h with :class:`statsmodels.stats.power.NormalIndPower`; the control arm
    needs ``ratio`` times as many.

    Examples
    --------
    >>> sample_size_per_arm(0.10, 0.02)
    3835
    """
    if not 0 < baseline_rate < 1 or not 0 < baseline_rate + lift_abs < 1 or lift_abs == 0:
        raise ValueError("baseline_rate and baseline_rate + lift_abs must be between 0 and 1, and lift_abs not 0")
    effect = abs(proportion_effectsize(baseline_rate + lift_abs, baseline_rate))
    n = NormalIndPower().solve_power(effect_size=effect, alpha=alpha, power=power, ratio=ratio, alternative="two-sided")
    return int(np.ceil(n))


def minimum_detectable_effect(baseline_rate: float, n_treatment: int, n_control: int, *, alpha: float = 0.05,
                              power: float = 0.8) -> float:
    """Smallest absolute lift in a rate that groups of this size detect with the given power.

    Examples
    --------
    >>> round(minimum_detectable_effect(0.10, 3835, 3835), 3)
    0.02
    """
    if n_treatment <= 0 or n_control <= 0:
        raise ValueError("both groups need customers")
    if not 0 < baseline_rate < 1:
        raise ValueError("baseline_rate must be between 0 and 1")
    h = NormalIndPower().solve_power(nobs1=n_treatment, alpha=alpha, power=power, ratio=n_control / n_treatment,
                                     alternative="two-sided")
    # Cohen's h = 2·asin(√p1) − 2·asin(√p0): turn it back into a rate above the baseline.
    angle = min(2 * np.arcsin(np.sqrt(baseline_rate)) + float(h), np.pi)
    return float(np.sin(angle / 2) ** 2 - baseline_rate)


def lift_by_segment(
    frame: pd.DataFrame,
    *,
    segment_col: str,
    group_col: str,
    treatment: str,
    control: str,
    outcome: str,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Uplift: the treatment effect on ``outcome`` within each segment, Holm-adjusted across segments.

    Testing many segments finds "winners" by chance; ``p_value_adjusted`` (Holm) and
    ``significant`` (on the adjusted value) guard against it.

    Examples
    --------
    >>> df = pd.DataFrame({"seg": ["a"] * 8 + ["b"] * 8, "arm": (["t"] * 4 + ["c"] * 4) * 2,
    ...                    "bought": [1, 1, 1, 1, 0, 0, 0, 0] + [1, 0, 0, 0, 1, 0, 0, 0]})
    >>> out = lift_by_segment(df, segment_col="seg", group_col="arm", treatment="t", control="c", outcome="bought")
    >>> out[["segment", "lift_abs"]].to_dict("list")
    {'segment': ['a', 'b'], 'lift_abs': [1.0, 0.0]}
    """
    require_columns(frame, [segment_col, group_col, outcome], "an experiment table")
    rows = []
    for segment, part in frame.groupby(segment_col, sort=True, observed=True):  # a few segments, each vectorised
        if (part[group_col] == treatment).sum() == 0 or (part[group_col] == control).sum() == 0:
            continue
        table = experiment_table(part, group_col=group_col, treatment=treatment, control=control, outcomes=[outcome], alpha=alpha)
        rows.append(table.assign(segment=segment))
    if not rows:
        raise DataValidationError(frame.attrs.get("source"), segment_col, "at least one segment with both treatment and control rows")
    out = pd.concat(rows, ignore_index=True)
    out["p_value_adjusted"] = multipletests(out["p_value"], alpha=alpha, method="holm")[1]
    out["significant"] = out["p_value_adjusted"] < alpha
    out["verdict"] = [_verdict(s, lift) for s, lift in zip(out["significant"], out["lift_abs"])]
    first = ["segment", "outcome", "test", "n_treatment", "n_control", "treatment", "control", "lift_abs",
             "lift_ci_low", "lift_ci_high", "lift_rel", "lift_rel_ci_low", "lift_rel_ci_high", "p_value", "p_value_adjusted",
             "significant", "verdict"]
    return out[first]


# --------------------------------------------------------------------------- Hillstrom e-mail experiment

HILLSTROM_COLUMNS = ("recency", "history_segment", "history", "mens", "womens", "zip_code", "newbie", "channel",
                     "segment", "visit", "conversion", "spend")
HILLSTROM_ARMS = {"Mens E-Mail": "mens_email", "Womens E-Mail": "womens_email", "No E-Mail": "no_email"}


def hillstrom_experiment(raw: pd.DataFrame) -> pd.DataFrame:
    """The Hillstrom MineThatData e-mail test as an experiment table (one row per customer).

    Parameters
    ----------
    raw
        The CSV as read by ``pd.read_csv`` (columns as published). Not modified.

    Returns
    -------
    pandas.DataFrame
        ``arm`` (``mens_email``, ``womens_email``, ``no_email``), ``visit`` and ``conversion``
        (0/1), ``spend_usd``, and the pre-test covariates ``recency_months``, ``history_usd``,
        ``mens``, ``womens``, ``zip_code``, ``newbie``, ``channel``. Identical rows are kept:
        they are different customers.

    Raises
    ------
    DataValidationError
        A missing column, or an arm label other than the three published ones.

    Examples
    --------
    >>> raw = pd.DataFrame({"recency": [3], "history_segment": ["1) $0 - $100"], "history": [50.0], "mens": [1],
    ...     "womens": [0], "zip_code": ["Urban"], "newbie": [1], "channel": ["Web"], "segment": ["No E-Mail"],
    ...     "visit": [1], "conversion": [0], "spend": [0.0]})
    >>> hillstrom_experiment(raw)[["arm", "visit", "spend_usd"]].to_dict("records")
    [{'arm': 'no_email', 'visit': 1, 'spend_usd': 0.0}]
    """
    require_columns(raw, HILLSTROM_COLUMNS, "the Hillstrom e-mail test")
    unknown = ~raw["segment"].isin(list(HILLSTROM_ARMS))
    if unknown.any():
        raise DataValidationError(raw.attrs.get("source"), "segment", f"one of {list(HILLSTROM_ARMS)}",
                                  [f"row {i + 2}: {v!r}" for i, v in raw.loc[unknown, "segment"].head(3).items()])
    return pd.DataFrame({
        "arm": raw["segment"].map(HILLSTROM_ARMS).astype("string"),
        "visit": raw["visit"].astype("int64"),
        "conversion": raw["conversion"].astype("int64"),
        "spend_usd": raw["spend"].astype("float64"),
        "recency_months": raw["recency"].astype("int64"),
        "history_usd": raw["history"].astype("float64"),
        "mens": raw["mens"].astype("int64"),
        "womens": raw["womens"].astype("int64"),
        "zip_code": raw["zip_code"].astype("string"),
        "newbie": raw["newbie"].astype("int64"),
        "channel": raw["channel"].astype("string"),
    }, index=raw.index)


def hillstrom_arms(experiment: pd.DataFrame, *, control: str = "no_email", alpha: float = 0.05) -> pd.DataFrame:
    """Each e-mail arm against the no-e-mail holdout on visit, conversion and spend.

    Returns
    -------
    pandas.DataFrame
        :func:`experiment_table` rows with an ``arm`` column, one per arm × outcome.

    Examples
    --------
    >>> exp = pd.DataFrame({"arm": ["mens_email"] * 3 + ["no_email"] * 3, "visit": [1, 1, 0, 0, 0, 1],
    ...                     "conversion": [0] * 6, "spend_usd": [0.0] * 6})
    >>> hillstrom_arms(exp)[["arm", "outcome"]].values.tolist()[:2]
    [['mens_email', 'visit'], ['mens_email', 'conversion']]
    """
    require_columns(experiment, ["arm", "visit", "conversion", "spend_usd"], "a Hillstrom experiment table")
    tables = [
        experiment_table(experiment, group_col="arm", treatment=arm, control=control,
                         outcomes=["visit", "conversion", "spend_usd"], alpha=alpha).assign(arm=arm)
        for arm in sorted(set(experiment["arm"].dropna()) - {control})
    ]
    out = pd.concat(tables, ignore_index=True)
    return out[["arm", *[c for c in out.columns if c != "arm"]]]


# --------------------------------------------------------------------------- campaigns


def campaign_funnel(sends: pd.DataFrame, campaigns: pd.DataFrame | None = None, *,
                    by: Sequence[str] = ("channel",)) -> pd.DataFrame:
    """Delivered → opened → clicked → converted → revenue, per channel (or campaign), treatment arm only.

    Rates: ``delivery_rate`` = delivered / sent; ``open_rate`` = opened / delivered;
    ``click_rate`` = clicked / opened; ``conversion_rate`` = converted / delivered
    (any order in the conversion window — it includes customers who would have bought
    anyway, see :func:`campaign_experiments`); ``unsubscribe_rate`` = unsubscribed / delivered.

    Parameters
    ----------
    sends
        ``campaign_sends``: ``group``, ``channel``, ``campaign_id``, ``delivered``, ``opened_at``,
        ``clicked_at``, ``converted_at``, ``revenue_hkd``, ``unsubscribed_at``.
    campaigns
        Optional ``campaigns`` table: adds ``cost_hkd`` and ``campaign_name``.
    by
        Grouping columns, e.g. ``("channel",)`` or ``("channel", "campaign_id")``.

    Examples
    --------
    >>> t = pd.Timestamp("2025-01-01")
    >>> sends = pd.DataFrame({"campaign_id": ["C1"] * 4, "channel": ["email"] * 4, "group": ["treatment"] * 4,
    ...     "delivered": [True, True, True, False], "opened_at": [t, t, None, None], "clicked_at": [t, None, None, None],
    ...     "converted_at": [t, None, None, None], "revenue_hkd": [300.0, 0.0, 0.0, 0.0], "unsubscribed_at": [None, t, None, None]})
    >>> f = campaign_funnel(sends)
    >>> f[["sent", "delivered", "opened", "clicked", "converted", "open_rate", "unsubscribe_rate"]].round(3).to_dict("records")
    [{'sent': 4, 'delivered': 3, 'opened': 2, 'clicked': 1, 'converted': 1, 'open_rate': 0.667, 'unsubscribe_rate': 0.333}]
    """
    needed = ["group", "delivered", "opened_at", "clicked_at", "converted_at", "revenue_hkd", "unsubscribed_at", *by]
    require_columns(sends, needed, "campaign sends")
    treated = sends[sends["group"] == "treatment"]
    delivered = treated["delivered"].astype(bool)
    steps = pd.DataFrame({
        **{col: treated[col] for col in by},
        "sent": 1,
        "delivered": delivered.astype("int64"),
        "opened": (delivered & treated["opened_at"].notna()).astype("int64"),
        "clicked": (delivered & treated["clicked_at"].notna()).astype("int64"),
        "converted": (delivered & treated["converted_at"].notna()).astype("int64"),
        "revenue_hkd": treated["revenue_hkd"].where(delivered, 0.0),
        "unsubscribed": (delivered & treated["unsubscribed_at"].notna()).astype("int64"),
    })
    out = steps.groupby(list(by), sort=True, observed=True).sum().reset_index()
    out["delivery_rate"] = out["delivered"] / out["sent"]
    safe = lambda s: s.where(s > 0)  # noqa: E731 — a rate over zero is undefined, not zero
    out["open_rate"] = out["opened"] / safe(out["delivered"])
    out["click_rate"] = out["clicked"] / safe(out["opened"])
    out["conversion_rate"] = out["converted"] / safe(out["delivered"])
    out["unsubscribe_rate"] = out["unsubscribed"] / safe(out["delivered"])
    out["revenue_per_delivered_hkd"] = out["revenue_hkd"] / safe(out["delivered"])
    if campaigns is not None:
        require_columns(campaigns, ["campaign_id", "cost_hkd"], "campaigns")
        if "campaign_id" in by:
            extra = campaigns[["campaign_id", "cost_hkd", *(["campaign_name"] if "campaign_name" in campaigns else [])]]
            out = out.merge(extra, on="campaign_id", how="left")
        else:
            cost = sends[["campaign_id", *by]].drop_duplicates("campaign_id").merge(campaigns[["campaign_id", "cost_hkd"]], on="campaign_id")
            out = out.merge(cost.groupby(list(by), observed=True)["cost_hkd"].sum().reset_index(), on=list(by), how="left")
    if "channel" in by:
        order = {c: i for i, c in enumerate(CHANNELS)}
        out = out.sort_values(["channel"], key=lambda s: s.map(order).fillna(len(order)), kind="stable").reset_index(drop=True)
    return out


def segment_at_send(
    sends: pd.DataFrame,
    campaigns: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    active_days: int = 180,
    high_days: int = 60,
    high_orders_year: int = 3,
) -> pd.Series:
    """Each send's customer segment from purchase history **before** the send (so it cannot be caused by it).

    ``active_high``: last order ≤ ``high_days`` before the send and ≥ ``high_orders_year``
    orders in the year before; ``active``: last order ≤ ``active_days`` before; ``lapsed``:
    everyone else, including customers who never ordered.

    Returns
    -------
    pandas.Series
        Aligned with ``sends``, values from :data:`SEGMENTS`.

    Examples
    --------
    >>> camp = pd.DataFrame({"campaign_id": ["C1"], "sent_at": pd.to_datetime(["2025-06-01"])})
    >>> sends = pd.DataFrame({"campaign_id": ["C1"] * 3, "customer_id": ["a", "b", "c"]})
    >>> tx = pd.DataFrame({"customer_id": ["a"] * 3 + ["b"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2025-01-10", "2025-03-01", "2025-05-20", "2025-02-01"])})
    >>> segment_at_send(sends, camp, tx).tolist()
    ['active_high', 'active', 'lapsed']
    """
    require_columns(sends, ["campaign_id", "customer_id"], "campaign sends")
    require_columns(campaigns, ["campaign_id", "sent_at"], "campaigns")
    require_columns(transactions, ["customer_id", "order_id", "order_date"], "transactions")
    when = sends[["campaign_id", "customer_id"]].merge(campaigns[["campaign_id", "sent_at"]], on="campaign_id", how="left")
    when = when.assign(row=np.arange(len(when)))
    orders = (transactions.groupby(["customer_id", "order_id"], observed=True)["order_date"].min().reset_index()
              .sort_values(["order_date", "customer_id"], kind="stable"))
    orders["orders_so_far"] = orders.groupby("customer_id", observed=True).cumcount() + 1
    orders = orders.astype({"customer_id": "string"})
    probe = when.astype({"customer_id": "string"}).dropna(subset=["sent_at"]).sort_values("sent_at", kind="stable")

    def orders_before(moment: pd.Series) -> pd.DataFrame:
        left = probe.assign(moment=moment.loc[probe.index].to_numpy()).sort_values("moment", kind="stable")
        return pd.merge_asof(left, orders[["customer_id", "order_date", "orders_so_far"]], left_on="moment",
                             right_on="order_date", by="customer_id", allow_exact_matches=False, direction="backward")

    now = orders_before(probe["sent_at"]).set_index("row")
    year_ago = orders_before(probe["sent_at"] - pd.Timedelta(days=365)).set_index("row")
    days_since = (now["sent_at"] - now["order_date"]).dt.days
    orders_year = now["orders_so_far"].fillna(0) - year_ago["orders_so_far"].reindex(now.index).fillna(0)
    segment = np.where((days_since <= high_days) & (orders_year >= high_orders_year), "active_high",
                       np.where(days_since <= active_days, "active", "lapsed"))
    result = pd.Series("lapsed", index=when["row"], dtype="string")
    result.loc[now.index] = segment
    return pd.Series(result.sort_index().to_numpy(), index=sends.index, name="segment", dtype="string")


#: The date that places each side table's rows in time, for :func:`shop_as_of`.
EVENT_DATES: dict[str, str] = {
    "campaigns": "sent_at", "coupons": "issued_at", "loyalty": "snapshot_date", "referrals": "invited_at",
    "welcome_offers": "join_date", "customers": "join_date",
}


def shop_as_of(shop: Mapping[str, pd.DataFrame], as_of: str | pd.Timestamp, *,
               window_days: int = 14, drop_empty: bool = False) -> dict[str, pd.DataFrame]:
    """The shop's side tables as they stood on ``as_of``: nothing from that day or later.

    Campaigns (and their sends and coupons) are kept only when their ``window_days``
    conversion window had closed before ``as_of``, so no result is half-measured.
    With ``drop_empty``, a table left with no rows is left out, as if the shop did not
    have it yet (an early ``as_of`` or a short export), so sections that need it skip.

    Examples
    --------
    >>> camp = pd.DataFrame({"campaign_id": ["C1", "C2"], "sent_at": pd.to_datetime(["2025-01-01", "2025-01-25"])})
    >>> sends = pd.DataFrame({"campaign_id": ["C1", "C2", "C2"], "customer_id": ["a", "b", "c"]})
    >>> view = shop_as_of({"campaigns": camp, "campaign_sends": sends}, "2025-02-01")
    >>> view["campaigns"]["campaign_id"].tolist(), len(view["campaign_sends"])
    (['C1'], 1)
    """
    cutoff = pd.Timestamp(as_of)
    out: dict[str, pd.DataFrame] = {}
    for name, table in shop.items():  # a handful of tables
        column = EVENT_DATES.get(name)
        if column is None or column not in table.columns:
            out[name] = table
            continue
        limit = cutoff - pd.Timedelta(days=window_days) if name in ("campaigns", "coupons") else cutoff
        out[name] = table[table[column] < limit]
    if "campaign_sends" in out and "campaigns" in out:
        out["campaign_sends"] = out["campaign_sends"][out["campaign_sends"]["campaign_id"].isin(out["campaigns"]["campaign_id"])]
    if drop_empty:
        out = {name: table for name, table in out.items() if len(table)}
    return out


def _campaign_arms(sends: pd.DataFrame) -> pd.DataFrame:
    require_columns(sends, ["campaign_id", "group", "converted_at", "revenue_hkd"], "campaign sends")
    frame = pd.DataFrame({"campaign_id": sends["campaign_id"], "treated": sends["group"] == "treatment",
                          "converted": sends["converted_at"].notna().astype("int64"),
                          "revenue_hkd": sends["revenue_hkd"].astype("float64")})
    frame["revenue_sq"] = frame["revenue_hkd"] ** 2
    arms = frame.groupby(["campaign_id", "treated"], observed=True).agg(
        n=("converted", "size"), converted=("converted", "sum"), revenue=("revenue_hkd", "sum"), revenue_sq=("revenue_sq", "sum"))
    wide = arms.unstack("treated")
    wide.columns = [f"{name}_{'t' if treated else 'c'}" for name, treated in wide.columns]
    for col in ("n_t", "n_c", "converted_t", "converted_c", "revenue_t", "revenue_c", "revenue_sq_t", "revenue_sq_c"):
        if col not in wide.columns:
            wide[col] = 0.0
    return wide.fillna(0.0)


def _stratified(arms: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Incremental conversions and revenue summed over campaigns (each compared with its own holdout)."""
    a = arms[(arms["n_t"] > 1) & (arms["n_c"] > 1)]
    rate_t, rate_c = a["converted_t"] / a["n_t"], a["converted_c"] / a["n_c"]
    mean_t, mean_c = a["revenue_t"] / a["n_t"], a["revenue_c"] / a["n_c"]
    var_t = (a["revenue_sq_t"] - a["n_t"] * mean_t**2) / (a["n_t"] - 1)
    var_c = (a["revenue_sq_c"] - a["n_c"] * mean_c**2) / (a["n_c"] - 1)
    out = pd.DataFrame({
        "incremental_conversions": (rate_t - rate_c) * a["n_t"],
        "incremental_conversions_var": a["n_t"] ** 2 * (rate_t * (1 - rate_t) / a["n_t"] + rate_c * (1 - rate_c) / a["n_c"]),
        "incremental_revenue_hkd": (mean_t - mean_c) * a["n_t"],
        "incremental_revenue_var": a["n_t"] ** 2 * (var_t.clip(lower=0) / a["n_t"] + var_c.clip(lower=0) / a["n_c"]),
    })
    return out


def campaign_experiments(sends: pd.DataFrame, campaigns: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Every campaign against its randomised holdout: conversion lift, incremental revenue per HK$.

    Conversion is "any order in the window", measured the same way in both arms, so the
    holdout's rate is what would have happened anyway; the difference is what the campaign
    caused. Analysis is intention-to-treat (undelivered sends stay in the treatment arm).

    Returns
    -------
    pandas.DataFrame
        One row per campaign: ``campaign_id``, ``channel``, ``n_treatment``, ``n_control``,
        ``conversion_treatment``, ``conversion_control``, ``lift_abs`` (+ CI), ``p_value``
        (z-test), ``significant``, ``verdict``, ``revenue_lift_per_customer_hkd`` with
        ``revenue_p_value`` (Welch), ``incremental_revenue_hkd``, ``cost_hkd``,
        ``incremental_revenue_per_hkd``.

    Examples
    --------
    >>> t = pd.Timestamp("2025-01-02")
    >>> sends = pd.DataFrame({"campaign_id": ["C1"] * 6, "group": ["treatment"] * 4 + ["control"] * 2,
    ...     "converted_at": [t, t, None, None, t, None], "revenue_hkd": [100.0, 100.0, 0, 0, 100.0, 0]})
    >>> camp = pd.DataFrame({"campaign_id": ["C1"], "channel": ["email"], "cost_hkd": [50.0]})
    >>> r = campaign_experiments(sends, camp).iloc[0]
    >>> float(r["lift_abs"]), float(r["incremental_revenue_hkd"]), float(r["incremental_revenue_per_hkd"])
    (0.0, 0.0, 0.0)
    """
    require_columns(campaigns, ["campaign_id", "channel", "cost_hkd"], "campaigns")
    arms = _campaign_arms(sends)
    rows = []
    for campaign_id, a in arms.iterrows():  # one row per campaign (tens), not per customer
        if a["n_t"] < 2 or a["n_c"] < 2:
            continue
        conv = proportion_test(int(a["converted_t"]), int(a["n_t"]), int(a["converted_c"]), int(a["n_c"]), alpha=alpha)
        mean_t, mean_c = a["revenue_t"] / a["n_t"], a["revenue_c"] / a["n_c"]
        var_t = max(a["revenue_sq_t"] - a["n_t"] * mean_t**2, 0.0) / (a["n_t"] - 1)
        var_c = max(a["revenue_sq_c"] - a["n_c"] * mean_c**2, 0.0) / (a["n_c"] - 1)
        if var_t + var_c > 0:
            welch = stats.ttest_ind_from_stats(mean_t, np.sqrt(var_t), a["n_t"], mean_c, np.sqrt(var_c), a["n_c"], equal_var=False)
            revenue_p = float(welch.pvalue)
        else:
            revenue_p = 1.0
        rows.append({
            "campaign_id": campaign_id, "n_treatment": int(a["n_t"]), "n_control": int(a["n_c"]),
            "conversion_treatment": conv["rate_treatment"], "conversion_control": conv["rate_control"],
            "lift_abs": conv["lift_abs"], "lift_ci_low": conv["lift_ci_low"], "lift_ci_high": conv["lift_ci_high"],
            "lift_rel": conv["lift_rel"], "p_value": conv["p_value"], "significant": conv["significant"], "verdict": conv["verdict"],
            "revenue_lift_per_customer_hkd": mean_t - mean_c, "revenue_p_value": revenue_p,
            "incremental_revenue_hkd": (mean_t - mean_c) * a["n_t"],
        })
    out = pd.DataFrame(rows)
    keep = [c for c in ("campaign_id", "campaign_name", "channel", "cost_hkd") if c in campaigns.columns]
    out = out.merge(campaigns[keep], on="campaign_id", how="left")
    out["incremental_revenue_per_hkd"] = out["incremental_revenue_hkd"] / out["cost_hkd"].where(out["cost_hkd"] > 0)
    first = [c for c in keep if c != "cost_hkd"]
    return out[first + [c for c in out.columns if c not in first]].sort_values("campaign_id").reset_index(drop=True)


def channel_comparison(sends: pd.DataFrame, campaigns: pd.DataFrame, *, alpha: float = 0.05,
                       exclude_campaigns: Sequence[str] = ()) -> pd.DataFrame:
    """Funnel and measured effect per channel (newsletter, e-mail, forum, social, SMS).

    Each campaign is compared with its own holdout and the differences are added up per
    channel (a stratified estimate, so campaigns with different holdout shares do not bias
    it); the z-test on the summed incremental conversions gives the channel's p-value.

    Parameters
    ----------
    exclude_campaigns
        Campaigns analysed elsewhere (e.g. the e-coupon test), left out of the channel totals.

    Returns
    -------
    pandas.DataFrame
        :func:`campaign_funnel` columns per channel plus ``campaigns``, ``incremental_conversions``,
        ``incremental_conversion_rate`` (per treated customer) with ``p_value``, ``significant``,
        ``verdict``, ``incremental_revenue_hkd``, ``revenue_p_value``, ``cost_hkd`` and
        ``incremental_revenue_per_hkd``.

    Examples
    --------
    >>> t = pd.Timestamp("2025-01-02")
    >>> sends = pd.DataFrame({"campaign_id": ["C1"] * 6, "channel": ["sms"] * 6,
    ...     "group": ["treatment"] * 4 + ["control"] * 2, "delivered": [True] * 4 + [False] * 2,
    ...     "opened_at": [t] * 2 + [None] * 4, "clicked_at": [t] + [None] * 5, "converted_at": [t, t, t, None, None, None],
    ...     "revenue_hkd": [100.0, 100.0, 100.0, 0, 0, 0], "unsubscribed_at": [None] * 6})
    >>> camp = pd.DataFrame({"campaign_id": ["C1"], "channel": ["sms"], "cost_hkd": [60.0]})
    >>> row = channel_comparison(sends, camp).iloc[0]
    >>> float(row["incremental_revenue_hkd"]), float(row["incremental_revenue_per_hkd"])
    (300.0, 5.0)
    """
    kept = sends[~sends["campaign_id"].isin(list(exclude_campaigns))]
    camp = campaigns[~campaigns["campaign_id"].isin(list(exclude_campaigns))]
    funnel = campaign_funnel(kept, camp, by=("channel",))
    effects = _stratified(_campaign_arms(kept), alpha).join(camp.set_index("campaign_id")["channel"])
    per_channel = effects.groupby("channel", observed=True).agg(
        campaigns=("incremental_conversions", "size"),
        incremental_conversions=("incremental_conversions", "sum"),
        incremental_conversions_var=("incremental_conversions_var", "sum"),
        incremental_revenue_hkd=("incremental_revenue_hkd", "sum"),
        incremental_revenue_var=("incremental_revenue_var", "sum"))
    z_conv = per_channel["incremental_conversions"] / np.sqrt(per_channel["incremental_conversions_var"].where(lambda v: v > 0))
    z_rev = per_channel["incremental_revenue_hkd"] / np.sqrt(per_channel["incremental_revenue_var"].where(lambda v: v > 0))
    per_channel["p_value"] = pd.Series(2 * stats.norm.sf(np.abs(z_conv)), index=per_channel.index).fillna(1.0)
    per_channel["revenue_p_value"] = pd.Series(2 * stats.norm.sf(np.abs(z_rev)), index=per_channel.index).fillna(1.0)
    out = funnel.merge(per_channel.drop(columns=["incremental_conversions_var", "incremental_revenue_var"]).reset_index(),
                       on="channel", how="left")
    out["incremental_conversion_rate"] = out["incremental_conversions"] / out["sent"]
    out["significant"] = out["p_value"] < alpha
    out["verdict"] = [_verdict(s, lift) for s, lift in zip(out["significant"], out["incremental_conversions"])]
    out["incremental_revenue_per_hkd"] = out["incremental_revenue_hkd"] / out["cost_hkd"].where(out["cost_hkd"] > 0)
    return out


def plot_funnel(funnel: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Open, click, conversion and unsubscribe rates side by side for each channel; returns the Axes.

    Conversion is not a later step of clicking (customers also buy without clicking), so the
    rates are shown as bars over delivered (open, conversion, unsubscribe) and opened (click) messages.

    Examples
    --------
    >>> f = pd.DataFrame({"channel": ["email", "sms"], "open_rate": [0.3, 0.5], "click_rate": [0.2, 0.1],
    ...                   "conversion_rate": [0.18, 0.17], "unsubscribe_rate": [0.01, 0.02]})
    >>> len(plot_funnel(f).patches) >= 8
    True
    """
    import matplotlib.pyplot as plt

    from helpers.plots import PALETTE, finish

    if ax is None:
        _, ax = plt.subplots()
    rates = {"open_rate": "opened / delivered", "click_rate": "clicked / opened",
             "conversion_rate": "bought within window / delivered", "unsubscribe_rate": "unsubscribed / delivered"}
    positions = np.arange(len(funnel))
    width = 0.8 / len(rates)
    for i, (column, label) in enumerate(rates.items()):  # four rates
        ax.bar(positions + (i - 1.5) * width, funnel[column].fillna(0.0), width, label=label, color=PALETTE[i])
    ax.set_xticks(positions, [CHANNEL_LABELS.get(str(c), str(c)) for c in funnel["channel"]])
    ax.legend(fontsize=8)
    best = funnel.sort_values("conversion_rate", ascending=False, kind="stable").iloc[0]
    return finish(ax, title=f"{CHANNEL_LABELS.get(str(best['channel']), best['channel'])} has the highest raw conversion "
                  f"({best['conversion_rate']:.1%}) — before subtracting the holdout", xlabel="", ylabel="share of messages",
                  percent=True)


def plot_coupon_economics(economics: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Incremental revenue, discount cost and discount wasted on would-be buyers, per coupon arm.

    Examples
    --------
    >>> e = pd.DataFrame({"arm": ["HK$50 coupon"], "incremental_revenue_hkd": [900.0], "discount_cost_hkd": [100.0],
    ...                   "wasted_discount_hkd": [60.0], "roi": [2.15]})
    >>> len(plot_coupon_economics(e).patches)
    3
    """
    import matplotlib.pyplot as plt

    from helpers.plots import PALETTE, finish, plain_text

    if ax is None:
        _, ax = plt.subplots()
    parts = {"incremental_revenue_hkd": "incremental revenue", "discount_cost_hkd": "discount cost",
             "wasted_discount_hkd": "discount to would-be buyers"}
    positions = np.arange(len(economics))
    width = 0.8 / len(parts)
    for i, (column, label) in enumerate(parts.items()):  # three amounts
        ax.bar(positions + (i - 1) * width, economics[column], width, label=label, color=PALETTE[i])
    ax.set_xticks(positions, [plain_text(a) for a in economics["arm"]])
    ax.legend()
    best = economics.sort_values("roi", ascending=False, kind="stable").iloc[0]
    return finish(ax, title=plain_text(f"{best['arm']}: ROI {best['roi']:.1f}x its discount cost"), xlabel="",
                  ylabel="HK$ in the 14-day window", money=True)


def plot_welcome_offers(welcome: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Take-up and 90-day repeat rate of each welcome offer; returns the Axes.

    Examples
    --------
    >>> w = pd.DataFrame({"offer": ["HK$50 off HK$300"], "take_up_rate": [0.4], "repeat_rate": [0.6]})
    >>> print(plot_welcome_offers(w).get_yticklabels()[0].get_text())  # "$" escaped so it is not read as maths
    HK\\$50 off HK\\$300
    """
    import matplotlib.pyplot as plt

    from helpers.plots import PALETTE, finish, plain_text

    if ax is None:
        _, ax = plt.subplots()
    positions = np.arange(len(welcome))
    ax.barh(positions - 0.2, welcome["take_up_rate"], 0.4, label="took up the offer", color=PALETTE[0])
    ax.barh(positions + 0.2, welcome["repeat_rate"], 0.4, label="ordered twice within the window", color=PALETTE[1])
    ax.set_yticks(positions, [plain_text(o) for o in welcome["offer"]])
    ax.invert_yaxis()
    ax.legend(fontsize=8)
    top = welcome.sort_values("take_up_rate", ascending=False, kind="stable").iloc[0]
    return finish(ax, title=plain_text(f"'{top['offer']}' is taken up most ({top['take_up_rate']:.0%})"), xlabel="share of new members",
                  ylabel="", percent="x")


def plot_channel_lift(channels: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Incremental conversion per treated customer by channel, significant ones highlighted.

    Examples
    --------
    >>> c = pd.DataFrame({"channel": ["email", "forum"], "incremental_conversion_rate": [0.05, 0.001],
    ...                   "significant": [True, False]})
    >>> len(plot_channel_lift(c).patches)
    2
    """
    import matplotlib.pyplot as plt

    from helpers.plots import STATUS_COLOURS, finish

    if ax is None:
        _, ax = plt.subplots()
    colours = [STATUS_COLOURS["good"] if s else STATUS_COLOURS["neutral"] for s in channels["significant"]]
    ax.bar(channels["channel"].astype(str), channels["incremental_conversion_rate"], color=colours)
    ax.axhline(0, color="black", linewidth=0.8)
    winners = channels.loc[channels["significant"] & (channels["incremental_conversion_rate"] > 0), "channel"].tolist()
    title = (f"Only {', '.join(map(str, winners))} beat the holdout significantly" if winners
             else "No channel beat its holdout significantly")
    return finish(ax, title=title, xlabel="channel (grey = not significant)",
                  ylabel="extra conversions per customer sent", percent=True)


# --------------------------------------------------------------------------- e-coupons


def coupon_economics(coupons: pd.DataFrame, *, gross_margin: float = 0.35, alpha: float = 0.05) -> pd.DataFrame:
    """Economics of each coupon value against the no-coupon control arm.

    Per coupon arm: ``redemption_rate`` (redeemed / issued), ``purchase_rate`` vs control with
    its z-test, ``incremental_revenue_hkd`` = (revenue per customer − control's) × customers,
    ``discount_cost_hkd`` (face value of redeemed coupons), ``cannibalised_share`` (share of the
    arm's buyers who would have bought anyway = control purchase rate / arm purchase rate,
    capped at 1), ``wasted_discount_hkd`` (discount given to those would-have-bought customers),
    ``would_buy_anyway_rate`` (redemptions by would-be buyers per customer, for :func:`coupon_what_if`),
    and ``roi`` = (incremental revenue × ``gross_margin`` − discount cost) / discount cost.

    Parameters
    ----------
    coupons
        ``group`` ("coupon" / "control"), ``value_hkd``, ``redeemed_at``, ``purchased_in_window``,
        ``revenue_in_window_hkd``.
    gross_margin
        Share of revenue kept after the cost of goods.

    Examples
    --------
    >>> t = pd.Timestamp("2025-01-01")
    >>> c = pd.DataFrame({"group": ["coupon"] * 4 + ["control"] * 4, "value_hkd": [50] * 4 + [0] * 4,
    ...     "redeemed_at": [t, t, None, None] + [None] * 4, "purchased_in_window": [True, True, False, False, True, False, False, False],
    ...     "revenue_in_window_hkd": [400.0, 300.0, 0, 0, 300.0, 0, 0, 0]})
    >>> r = coupon_economics(c, gross_margin=0.5).iloc[0]
    >>> float(r["incremental_revenue_hkd"]), float(r["discount_cost_hkd"]), float(r["cannibalised_share"]), float(r["roi"])
    (400.0, 100.0, 0.5, 1.0)
    """
    require_columns(coupons, ["group", "value_hkd", "redeemed_at", "purchased_in_window", "revenue_in_window_hkd"], "coupons")
    if not 0 < gross_margin <= 1:
        raise ValueError(f"gross_margin must be a share between 0 and 1, not {gross_margin!r}")
    control = coupons[coupons["group"] == "control"]
    treated = coupons[coupons["group"] != "control"]
    if control.empty or treated.empty:
        raise DataValidationError(coupons.attrs.get("source"), "group", "both coupon and control rows")
    n_c = len(control)
    bought_c = int(control["purchased_in_window"].sum())
    revenue_c = float(control["revenue_in_window_hkd"].mean())
    frame = treated.assign(redeemed=treated["redeemed_at"].notna(), bought=treated["purchased_in_window"].astype(bool))
    arms = frame.groupby("value_hkd", observed=True).agg(
        customers=("redeemed", "size"), redeemed=("redeemed", "sum"), buyers=("bought", "sum"),
        revenue_hkd=("revenue_in_window_hkd", "sum")).reset_index()
    tests = [proportion_test(int(b), int(n), bought_c, n_c, alpha=alpha) for b, n in zip(arms["buyers"], arms["customers"])]
    arms["redemption_rate"] = arms["redeemed"] / arms["customers"]
    arms["purchase_rate"] = arms["buyers"] / arms["customers"]
    arms["purchase_rate_control"] = bought_c / n_c
    arms["lift_abs"] = [t["lift_abs"] for t in tests]
    arms["p_value"] = [t["p_value"] for t in tests]
    arms["significant"] = [t["significant"] for t in tests]
    arms["verdict"] = [t["verdict"] for t in tests]
    control_revenue = control["revenue_in_window_hkd"].to_numpy(dtype="float64")
    arms["revenue_p_value"] = [
        mean_test(frame.loc[frame["value_hkd"] == v, "revenue_in_window_hkd"].to_numpy(dtype="float64"), control_revenue,
                  alpha=alpha)["p_value"] if n > 1 else 1.0
        for v, n in zip(arms["value_hkd"], arms["customers"])
    ]
    arms["incremental_revenue_hkd"] = (arms["revenue_hkd"] / arms["customers"] - revenue_c) * arms["customers"]
    arms["discount_cost_hkd"] = arms["redeemed"] * arms["value_hkd"]
    arms["cannibalised_share"] = (arms["purchase_rate_control"] / arms["purchase_rate"].where(arms["purchase_rate"] > 0)).clip(upper=1.0)
    arms["wasted_discount_hkd"] = arms["discount_cost_hkd"] * arms["cannibalised_share"]
    arms["would_buy_anyway_rate"] = arms["redemption_rate"] * arms["cannibalised_share"]
    cost = arms["discount_cost_hkd"].where(arms["discount_cost_hkd"] > 0)
    arms["incremental_revenue_per_hkd"] = arms["incremental_revenue_hkd"] / cost
    arms["roi"] = (arms["incremental_revenue_hkd"] * gross_margin - arms["discount_cost_hkd"]) / cost
    arms.insert(0, "arm", [f"HK${v:g} coupon" for v in arms["value_hkd"]])
    return arms


def coupon_what_if(
    coupon_value_hkd: float | np.ndarray,
    redemption_rate: float | np.ndarray,
    *,
    customers: int,
    would_buy_anyway_rate: float,
    average_order_hkd: float,
    gross_margin: float = 0.35,
) -> pd.DataFrame:
    """Projected ROI of issuing a coupon, from assumptions (every combination of values and rates).

    Of ``customers`` who get the coupon, ``redemption_rate`` redeem it. The first
    ``would_buy_anyway_rate`` of them would have bought anyway (cannibalised: pure cost); only
    redemptions above that are extra orders of ``average_order_hkd``. Every redemption costs
    the coupon's value. ROI = (extra revenue × margin − discount cost) / discount cost, so a
    coupon redeemed mostly by would-be buyers loses money whatever its value.

    Examples
    --------
    >>> r = coupon_what_if(50, [0.05, 0.25], customers=1000, would_buy_anyway_rate=0.10, average_order_hkd=500,
    ...                    gross_margin=0.4)
    >>> r[["redemptions", "incremental_orders", "discount_cost_hkd", "roi"]].values.tolist()
    [[50.0, 0.0, 2500.0, -1.0], [250.0, 150.0, 12500.0, 1.4]]
    """
    if customers <= 0 or average_order_hkd <= 0:
        raise ValueError("customers and average_order_hkd must be positive")
    if not 0 <= would_buy_anyway_rate <= 1:
        raise ValueError("would_buy_anyway_rate must be between 0 and 1")
    value = np.atleast_1d(np.asarray(coupon_value_hkd, dtype="float64"))
    rate = np.atleast_1d(np.asarray(redemption_rate, dtype="float64"))
    if ((rate < 0) | (rate > 1)).any() or (value <= 0).any():
        raise ValueError("redemption_rate must be between 0 and 1 and coupon_value_hkd above 0")
    # Every combination of value and rate: one row per (rate, value) pair.
    value, rate = (grid.ravel() for grid in np.meshgrid(value, rate))
    redemptions = customers * rate
    extra_orders = customers * np.clip(rate - would_buy_anyway_rate, 0.0, None)
    revenue = extra_orders * average_order_hkd
    cost = redemptions * value
    with np.errstate(invalid="ignore", divide="ignore"):
        roi = np.where(cost > 0, (revenue * gross_margin - cost) / cost, np.nan)
    return pd.DataFrame({"coupon_value_hkd": value, "redemption_rate": rate, "redemptions": redemptions,
                         "incremental_orders": extra_orders, "incremental_revenue_hkd": revenue,
                         "discount_cost_hkd": cost, "roi": roi})


def coupon_assumptions(economics: pd.DataFrame | None, transactions: pd.DataFrame, *,
                       gross_margin: float = 0.35) -> dict[str, float]:
    """Inputs for :func:`coupon_what_if`: measured in a coupon test when there is one, else stated defaults.

    With ``economics`` (from :func:`coupon_economics`): the test's customers, the share who redeemed for an
    order they would have placed anyway, and the average order of the coupon arms' buyers. Without it:
    1,000 customers, 10% would-buy-anyway redemption (an assumption) and the average order in ``transactions``.

    Examples
    --------
    >>> tx = pd.DataFrame({"order_id": ["1", "1", "2"], "amount": [100.0, 50.0, 250.0]})
    >>> coupon_assumptions(None, tx)
    {'customers': 1000, 'would_buy_anyway_rate': 0.1, 'average_order_hkd': 200.0, 'gross_margin': 0.35}
    """
    if economics is not None and len(economics):
        customers = int(economics["customers"].sum())
        rate = float((economics["would_buy_anyway_rate"] * economics["customers"]).sum() / customers)
        average = float(economics["revenue_hkd"].sum() / max(int(economics["buyers"].sum()), 1))
        return {"customers": customers, "would_buy_anyway_rate": rate, "average_order_hkd": average, "gross_margin": gross_margin}
    require_columns(transactions, ["order_id", "amount"], "transactions")
    average = float(transactions.groupby("order_id", observed=True)["amount"].sum().mean())
    return {"customers": 1000, "would_buy_anyway_rate": 0.1, "average_order_hkd": average, "gross_margin": gross_margin}


def plot_coupon_what_if(projection: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Projected ROI against coupon value, one line per redemption rate; break-even marked.

    Examples
    --------
    >>> p = coupon_what_if(np.array([20.0, 50.0]), 0.1, customers=100, would_buy_anyway_rate=0.05, average_order_hkd=400)
    >>> len(plot_coupon_what_if(p).lines)
    2
    """
    import matplotlib.pyplot as plt

    from helpers.plots import STATUS_COLOURS, finish, plain_text

    if ax is None:
        _, ax = plt.subplots()
    for rate, part in projection.groupby("redemption_rate", sort=True):  # a few assumption lines
        ax.plot(part["coupon_value_hkd"], part["roi"], marker="o", label=f"{rate:.0%} redeem")
    ax.axhline(0, color=STATUS_COLOURS["bad"], linestyle="--", linewidth=1)
    ax.legend(title="assumption")
    profitable = projection.loc[projection["roi"] > 0, "coupon_value_hkd"]
    title = (plain_text(f"Coupons up to HK${profitable.max():,.0f} pay back at the best redemption assumed") if len(profitable)
             else "No coupon value pays back under these assumptions")
    return finish(ax, title=title, xlabel="coupon value (HK$)", ylabel="projected ROI (× discount cost)", percent=True)


def coupon_what_if_widget(*, customers: int, would_buy_anyway_rate: float, average_order_hkd: float,
                          gross_margin: float = 0.35, coupon_value_hkd: float = 50.0,
                          redemption_rate: float = 0.15) -> widgets.VBox:
    """Sliders for coupon value and expected redemption that redraw the projected ROI.

    Returns an ``ipywidgets`` box; in a headless run (papermill) it renders as nothing, so
    notebooks also draw :func:`plot_coupon_what_if` for the default assumptions.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    value = widgets.FloatSlider(value=coupon_value_hkd, min=10, max=200, step=10, description="Coupon HK$")
    rate = widgets.FloatSlider(value=redemption_rate, min=0.01, max=0.6, step=0.01, description="Redeem rate",
                               readout_format=".0%")
    output = widgets.Output()

    def redraw(_change: object = None) -> None:
        values = np.arange(10.0, 210.0, 10.0)
        projection = coupon_what_if(values, [rate.value], customers=customers, would_buy_anyway_rate=would_buy_anyway_rate,
                                    average_order_hkd=average_order_hkd, gross_margin=gross_margin)
        chosen = coupon_what_if(value.value, rate.value, customers=customers, would_buy_anyway_rate=would_buy_anyway_rate,
                                average_order_hkd=average_order_hkd, gross_margin=gross_margin).iloc[0]
        with output:
            output.clear_output(wait=True)
            ax = plot_coupon_what_if(projection)
            ax.scatter([chosen["coupon_value_hkd"]], [chosen["roi"]], s=80, zorder=3, color="black")
            ax.set_xlabel(f"coupon value (HK$) — chosen HK${chosen['coupon_value_hkd']:,.0f}: ROI {chosen['roi']:+.0%}")
            plt.show()

    value.observe(redraw, names="value")
    rate.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([value, rate]), output])


# --------------------------------------------------------------------------- loyalty programme


def tier_migration(loyalty: pd.DataFrame, *, start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None,
                   tiers: Sequence[str] = ("Silver", "Gold", "Platinum")) -> pd.DataFrame:
    """Share of members moving from each tier at ``start`` to each tier at ``end`` (rows sum to 1).

    Members must appear in both snapshots; defaults are the first and the last snapshot.

    Examples
    --------
    >>> loyalty = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c", "c"],
    ...     "snapshot_date": pd.to_datetime(["2025-03-31", "2025-06-30"] * 3),
    ...     "tier": ["Silver", "Gold", "Silver", "Silver", "Gold", "Gold"]})
    >>> tier_migration(loyalty).loc["Silver"].tolist()
    [0.5, 0.5, 0.0]
    """
    require_columns(loyalty, ["customer_id", "snapshot_date", "tier"], "loyalty snapshots")
    dates = loyalty["snapshot_date"]
    start = dates.min() if start is None else pd.Timestamp(start)
    end = dates.max() if end is None else pd.Timestamp(end)
    before = loyalty.loc[dates == start, ["customer_id", "tier"]]
    after = loyalty.loc[dates == end, ["customer_id", "tier"]]
    if before.empty or after.empty:
        raise DataValidationError(loyalty.attrs.get("source"), "snapshot_date", f"snapshots on {start.date()} and {end.date()}")
    pairs = before.merge(after, on="customer_id", suffixes=("_from", "_to"))
    counts = pd.crosstab(pairs["tier_from"].astype(str), pairs["tier_to"].astype(str))
    order = list(tiers)
    order += sorted((set(counts.index) | set(counts.columns)) - set(order))
    counts = counts.reindex(index=order, columns=order, fill_value=0)
    shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0.0)
    shares.index.name, shares.columns.name = f"tier on {start.date()}", f"tier on {end.date()}"
    shares.attrs = {"members": int(len(pairs))}
    return shares


def points_liability(loyalty: pd.DataFrame, *, hkd_per_point: float = 0.01,
                     redemption_rate: float | None = None) -> pd.DataFrame:
    """Outstanding points at the latest snapshot and what they may cost, by tier and in total.

    ``liability_hkd`` = points balance × ``hkd_per_point`` × expected redemption. Without a
    ``redemption_rate`` the programme's own history is used: points redeemed / points earned
    (a floor: points still outstanding may be redeemed later).

    Examples
    --------
    >>> loyalty = pd.DataFrame({"customer_id": ["a", "b"], "snapshot_date": pd.to_datetime(["2025-06-30"] * 2),
    ...     "tier": ["Gold", "Silver"], "points_earned": [1000, 1000], "points_redeemed": [500, 0],
    ...     "points_balance": [5000, 1000]})
    >>> points_liability(loyalty, hkd_per_point=0.1)[["tier", "points_balance", "liability_hkd"]].to_dict("list")
    {'tier': ['Silver', 'Gold', 'total'], 'points_balance': [1000, 5000, 6000], 'liability_hkd': [25.0, 125.0, 150.0]}
    """
    require_columns(loyalty, ["customer_id", "snapshot_date", "tier", "points_earned", "points_redeemed", "points_balance"], "loyalty snapshots")
    if hkd_per_point <= 0:
        raise ValueError("hkd_per_point must be above 0")
    if redemption_rate is None:
        earned = loyalty["points_earned"].sum()
        redemption_rate = float(loyalty["points_redeemed"].sum() / earned) if earned > 0 else 1.0
    latest = loyalty[loyalty["snapshot_date"] == loyalty["snapshot_date"].max()]
    by_tier = latest.groupby("tier", observed=True).agg(members=("customer_id", "nunique"), points_balance=("points_balance", "sum")).reset_index()
    rank = {t: i for i, t in enumerate(("Silver", "Gold", "Platinum"))}
    by_tier = by_tier.sort_values("tier", key=lambda s: s.map(rank).fillna(len(rank)), kind="stable")
    total = pd.DataFrame({"tier": ["total"], "members": [by_tier["members"].sum()], "points_balance": [by_tier["points_balance"].sum()]})
    out = pd.concat([by_tier, total], ignore_index=True)
    out["expected_redemption"] = redemption_rate
    out["liability_hkd"] = out["points_balance"] * hkd_per_point * redemption_rate
    return out


def _orders(transactions: pd.DataFrame) -> pd.DataFrame:
    require_columns(transactions, ["customer_id", "order_id", "order_date", "amount"], "transactions")
    return (transactions.groupby(["customer_id", "order_id"], observed=True)
            .agg(order_date=("order_date", "min"), amount=("amount", "sum")).reset_index())


def member_comparison(customers: pd.DataFrame, transactions: pd.DataFrame, *, member_col: str = "membership_tier",
                      non_member: str = "none") -> pd.DataFrame:
    """Repeat rate and spend of loyalty members vs non-members (observational: see the caveat).

    Caveat: customers choose to join, and frequent buyers join more often, so the gap
    mixes the programme's effect with who joins. Only a randomised test measures the effect.

    Returns
    -------
    pandas.DataFrame
        One row per group (``member``, ``non-member``) and per tier: ``customers``, ``buyers``,
        ``repeat_rate`` (share of buyers with 2+ orders), ``orders_per_buyer``,
        ``spend_per_buyer_hkd``, ``average_order_hkd``; ``attrs["caveat"]`` holds the caveat.

    Examples
    --------
    >>> cust = pd.DataFrame({"customer_id": ["a", "b", "c"], "membership_tier": ["Gold", "none", "none"]})
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-05", "2025-01-06"]),
    ...     "amount": [100.0, 300.0, 50.0, 150.0]})
    >>> out = member_comparison(cust, tx).set_index("group")
    >>> out.loc[["member", "non-member"], ["repeat_rate", "spend_per_buyer_hkd"]].values.tolist()
    [[1.0, 400.0], [0.0, 100.0]]
    """
    require_columns(customers, ["customer_id", member_col], "customers")
    orders = _orders(transactions)
    per_customer = orders.groupby("customer_id", observed=True).agg(orders=("order_id", "size"), spend=("amount", "sum"))
    frame = customers[["customer_id", member_col]].merge(per_customer, left_on="customer_id", right_index=True, how="left")
    frame["orders"] = frame["orders"].fillna(0)
    frame["spend"] = frame["spend"].fillna(0.0)
    frame["group"] = np.where(frame[member_col].astype(str) == non_member, "non-member", "member")

    def summarise(by: str) -> pd.DataFrame:
        g = frame.assign(buyer=frame["orders"] > 0, repeat=frame["orders"] > 1).groupby(by, observed=True)
        out = g.agg(customers=("customer_id", "size"), buyers=("buyer", "sum"), repeaters=("repeat", "sum"),
                    orders=("orders", "sum"), spend=("spend", "sum")).reset_index().rename(columns={by: "group"})
        out["repeat_rate"] = out["repeaters"] / out["buyers"].where(out["buyers"] > 0)
        out["orders_per_buyer"] = out["orders"] / out["buyers"].where(out["buyers"] > 0)
        out["spend_per_buyer_hkd"] = out["spend"] / out["buyers"].where(out["buyers"] > 0)
        out["average_order_hkd"] = out["spend"] / out["orders"].where(out["orders"] > 0)
        return out.drop(columns=["repeaters", "orders", "spend"])

    groups = summarise("group").sort_values("group", kind="stable")
    tiers = summarise(member_col)
    tiers = tiers[tiers["group"].astype(str) != non_member]
    rank = {t: i for i, t in enumerate(("Silver", "Gold", "Platinum"))}
    tiers = tiers.sort_values("group", key=lambda s: s.map(rank).fillna(len(rank)), kind="stable")
    out = pd.concat([groups, tiers], ignore_index=True)
    out.attrs = {"caveat": "Members chose to join, and keen buyers join more often: this gap is not the programme's effect."}
    return out


# --------------------------------------------------------------------------- referral and new-membership schemes


def first_window_activity(transactions: pd.DataFrame, *, window_days: int = 90,
                          as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Per customer: first order, whether they ordered again within ``window_days``, and their spend in it.

    ``eligible`` is False for customers whose first order is less than ``window_days`` before
    ``as_of`` (their window is not over, so they must not count as non-repeaters).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-02-15", "2025-01-03", "2025-06-20"]),
    ...     "amount": [100.0, 50.0, 80.0, 10.0]})
    >>> out = first_window_activity(tx, window_days=90, as_of="2025-07-01")
    >>> out[["repeat_in_window", "spend_in_window_hkd", "eligible"]].to_dict("list")
    {'repeat_in_window': [True, False, False], 'spend_in_window_hkd': [150.0, 80.0, 10.0], 'eligible': [True, True, False]}
    """
    orders = _orders(transactions).sort_values(["customer_id", "order_date"], kind="stable")
    first = orders.groupby("customer_id", observed=True)["order_date"].transform("min")
    in_window = orders["order_date"] < first + pd.Timedelta(days=window_days)
    orders = orders.assign(first_order=first, in_window=in_window)
    win = orders[orders["in_window"]]
    out = win.groupby("customer_id", observed=True).agg(first_order=("first_order", "first"), orders_in_window=("order_id", "size"),
                                                         spend_in_window_hkd=("amount", "sum"))
    end = orders["order_date"].max() if as_of is None else pd.Timestamp(as_of)
    out["repeat_in_window"] = out["orders_in_window"] > 1
    out["eligible"] = out["first_order"] + pd.Timedelta(days=window_days) <= end
    return out


def referral_summary(referrals: pd.DataFrame, *, customers: int | None = None) -> pd.DataFrame:
    """Referral scheme funnel by channel (online / offline) and overall.

    ``invitations``, ``referrers``, ``invitations_per_referrer``, ``sign_ups``, ``sign_up_rate``
    (sign-ups / invitations), ``first_orders``, ``referral_conversion`` (first orders /
    invitations), ``median_processing_hours`` (sign-up to processed), ``reward_cost_hkd``,
    and on the overall row the ``viral_coefficient`` k = invitations per customer × sign-up
    rate = new sign-ups each existing customer brings (needs ``customers``; k < 1 means the
    scheme adds customers but cannot grow the base on its own).

    Examples
    --------
    >>> t = pd.Timestamp("2025-01-01")
    >>> refs = pd.DataFrame({"referrer_id": ["a", "a", "b", "b"], "referee_id": ["x", None, "y", None],
    ...     "channel": ["online"] * 4, "signed_up_at": [t, None, t, None],
    ...     "processed_at": [t + pd.Timedelta(hours=2), None, t + pd.Timedelta(hours=4), None],
    ...     "first_order_at": [t, None, None, None], "reward_hkd": [50.0, 0, 0, 0]})
    >>> r = referral_summary(refs, customers=10).set_index("channel").loc["all"]
    >>> float(r["sign_up_rate"]), float(r["referral_conversion"]), float(r["median_processing_hours"]), float(r["viral_coefficient"])
    (0.5, 0.25, 3.0, 0.2)
    """
    require_columns(referrals, ["referrer_id", "referee_id", "channel", "signed_up_at", "processed_at", "first_order_at", "reward_hkd"], "referrals")
    frame = referrals.assign(
        signed=referrals["signed_up_at"].notna(),
        ordered=referrals["first_order_at"].notna(),
        processing_hours=(referrals["processed_at"] - referrals["signed_up_at"]).dt.total_seconds() / 3600,
    )

    def summarise(part: pd.DataFrame) -> dict[str, float]:
        return {"invitations": len(part), "referrers": part["referrer_id"].nunique(), "sign_ups": int(part["signed"].sum()),
                "first_orders": int(part["ordered"].sum()), "median_processing_hours": float(part["processing_hours"].median()),
                "reward_cost_hkd": float(part["reward_hkd"].sum())}

    rows = [{"channel": ch, **summarise(part)} for ch, part in frame.groupby("channel", sort=True, observed=True)]
    rows.append({"channel": "all", **summarise(frame)})
    out = pd.DataFrame(rows)
    out["invitations_per_referrer"] = out["invitations"] / out["referrers"]
    out["sign_up_rate"] = out["sign_ups"] / out["invitations"]
    out["referral_conversion"] = out["first_orders"] / out["invitations"]
    out["viral_coefficient"] = np.nan
    if customers:
        out.loc[out["channel"] == "all", "viral_coefficient"] = out["invitations"] / customers * out["sign_up_rate"]
    return out


def referred_vs_others(customers: pd.DataFrame, transactions: pd.DataFrame, *, window_days: int = 365,
                       as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Retention (repeat within ``window_days`` of the first order) and value of referred vs other customers.

    Only customers whose window is complete are compared. Observational: referred customers
    differ in who they are, not only in how they came.

    Examples
    --------
    >>> cust = pd.DataFrame({"customer_id": ["a", "b", "c"], "referred_by": ["b", None, None]})
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-01-02", "2025-01-03"]),
    ...     "amount": [100.0, 100.0, 60.0, 40.0]})
    >>> out = referred_vs_others(cust, tx, window_days=90, as_of="2025-12-31").set_index("group")
    >>> out[["customers", "repeat_rate", "value_per_customer_hkd"]].to_dict("index")["referred"]
    {'customers': 1, 'repeat_rate': 1.0, 'value_per_customer_hkd': 200.0}
    """
    require_columns(customers, ["customer_id", "referred_by"], "customers")
    activity = first_window_activity(transactions, window_days=window_days, as_of=as_of)
    activity = activity[activity["eligible"]]
    groups = customers.set_index("customer_id")["referred_by"].notna().map({True: "referred", False: "other"})
    frame = activity.join(groups.rename("group"), how="inner")
    out = frame.groupby("group", observed=True).agg(customers=("repeat_in_window", "size"), repeat_rate=("repeat_in_window", "mean"),
                                                    value_per_customer_hkd=("spend_in_window_hkd", "mean")).reset_index()
    out["window_days"] = window_days
    return out.sort_values("group", ascending=False, kind="stable").reset_index(drop=True)


def welcome_offer_summary(welcome_offers: pd.DataFrame, transactions: pd.DataFrame, *, window_days: int = 90,
                          as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """New-membership scheme: take-up of each welcome offer, its cost, and the ``window_days`` repeat rate.

    ``repeat_rate`` is the share of new members (joined at least ``window_days`` before
    ``as_of``) who placed 2+ orders within ``window_days`` of joining; ``repeat_rate_taken_up``
    is the same among members who used the offer.

    Examples
    --------
    >>> t = pd.Timestamp("2025-01-01")
    >>> wo = pd.DataFrame({"customer_id": ["a", "b"], "join_date": [t, t], "offer": ["HK$50 off"] * 2,
    ...     "value_hkd": [50.0, 50.0], "taken_up_at": [t, None]})
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-10"]), "amount": [100.0, 80.0, 60.0]})
    >>> welcome_offer_summary(wo, tx, as_of="2025-06-30")[["members", "take_up_rate", "cost_hkd", "repeat_rate"]].to_dict("records")
    [{'members': 2, 'take_up_rate': 0.5, 'cost_hkd': 50.0, 'repeat_rate': 0.5}]
    """
    require_columns(welcome_offers, ["customer_id", "join_date", "offer", "value_hkd", "taken_up_at"], "welcome offers")
    orders = _orders(transactions)
    end = orders["order_date"].max() if as_of is None else pd.Timestamp(as_of)
    joined = welcome_offers[["customer_id", "join_date"]]
    window = orders.merge(joined, on="customer_id", how="inner")
    in_window = (window["order_date"] >= window["join_date"]) & (window["order_date"] < window["join_date"] + pd.Timedelta(days=window_days))
    counts = window[in_window].groupby("customer_id", observed=True).size()
    frame = welcome_offers.assign(
        taken=welcome_offers["taken_up_at"].notna(),
        orders_in_window=welcome_offers["customer_id"].map(counts).fillna(0).to_numpy(),
        eligible=(welcome_offers["join_date"] + pd.Timedelta(days=window_days)) <= end,
    )
    frame["repeat"] = frame["orders_in_window"] >= 2
    frame["cost"] = np.where(frame["taken"], frame["value_hkd"], 0.0)
    done = frame[frame["eligible"]]
    out = frame.groupby("offer", observed=True).agg(members=("customer_id", "size"), taken_up=("taken", "sum"), cost_hkd=("cost", "sum"))
    out["take_up_rate"] = out["taken_up"] / out["members"]
    out["repeat_rate"] = done.groupby("offer", observed=True)["repeat"].mean()
    out["repeat_rate_taken_up"] = done[done["taken"]].groupby("offer", observed=True)["repeat"].mean()
    out["repeat_rate_not_taken_up"] = done[~done["taken"]].groupby("offer", observed=True)["repeat"].mean()
    out["window_days"] = window_days
    return out.reset_index().sort_values("take_up_rate", ascending=False, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- churn: win-back and ranking


@dataclass(frozen=True)
class HistoryCheck:
    """Whether a transactions history is long and wide enough for the BG/NBD sections.

    ``days_covered`` counts days from the first order's day up to (not including) the analysis
    date. The calibration/holdout check fits on all but the last ``horizon_days`` and compares
    with those days, so it needs ``2 × horizon_days`` (as much to fit on as to test against);
    the forecast predicts ``horizon_days`` ahead, so it needs at least ``horizon_days``.
    Either also needs ``min_repeat_customers`` customers with a repeat purchase (in the
    calibration part for the check): fewer cannot pin down four parameters.
    """

    days_covered: int
    first_day: str
    last_day: str
    horizon_days: int
    customers: int
    repeat_customers: int
    calibration_repeat_customers: int
    min_repeat_customers: int

    @property
    def validate_days_needed(self) -> int:
        return 2 * self.horizon_days

    @property
    def forecast_days_needed(self) -> int:
        return self.horizon_days

    @property
    def can_validate(self) -> bool:
        return (self.days_covered >= self.validate_days_needed
                and self.calibration_repeat_customers >= self.min_repeat_customers)

    @property
    def can_forecast(self) -> bool:
        return self.days_covered >= self.forecast_days_needed and self.repeat_customers >= self.min_repeat_customers

    def _span(self) -> str:
        return f"{self.days_covered:,} days ({self.first_day} to {self.last_day})" if self.days_covered else "0 days"

    @property
    def validate_message(self) -> str:
        """Why the calibration/holdout check is skipped (Markdown), or "" when it can run."""
        h = self.horizon_days
        if self.days_covered < self.validate_days_needed:
            advice = (f"Set `horizon_days` to {self.days_covered // 2} or less, or use a longer export."
                      if self.days_covered // 2 >= 1 else "Use a longer export.")
            return (f"*The calibration/holdout check needs at least {self.validate_days_needed:,} days of history "
                    f"({h:,} to fit on, then the last `horizon_days` = {h:,} to compare with); the data covers "
                    f"{self._span()}, so this check is skipped. {advice}*")
        if self.calibration_repeat_customers < self.min_repeat_customers:
            return (f"*The calibration/holdout check needs at least {self.min_repeat_customers} customers with a repeat "
                    f"purchase in the first {self.days_covered - h:,} days; the data has {self.calibration_repeat_customers:,}, "
                    f"so this check is skipped. Use an export with more customers or a longer period, or a smaller `horizon_days`.*")
        return ""

    def forecast_message(self, fit: BGNBDFit | None = None) -> str:
        """Why the P(alive), value and win-back sections are skipped (Markdown), or "" when ``fit`` is usable."""
        skipped = "P(alive), expected purchases and value, and the win-back list are skipped"
        if self.days_covered < self.forecast_days_needed:
            advice = (f"Set `horizon_days` to {self.days_covered:,} or less, or use a longer export."
                      if self.days_covered >= 1 else "Use a longer export.")
            return (f"*The forecast needs at least {self.forecast_days_needed:,} days of history to predict "
                    f"`horizon_days` = {self.horizon_days:,} days ahead; the data covers {self._span()}, so {skipped}. {advice}*")
        if self.repeat_customers < self.min_repeat_customers:
            return (f"*The BG/NBD model needs at least {self.min_repeat_customers} customers with a repeat purchase to "
                    f"estimate its four parameters; the data has {self.repeat_customers:,} (of {self.customers:,} customers), "
                    f"so {skipped}. Use an export with more customers or a longer period.*")
        if fit is not None and not fit.converged:
            return (f"*The BG/NBD fit did not converge ({fit.message}), so its numbers are not reliable and {skipped}. "
                    f"A longer export or more customers usually fixes this.*")
        return ""

    def usable(self, fit: BGNBDFit | None) -> bool:
        """True when the history is long enough and ``fit`` exists and converged."""
        return self.can_forecast and fit is not None and fit.converged


def history_check(
    transactions: pd.DataFrame,
    *,
    as_of: str | pd.Timestamp,
    horizon_days: int,
    min_repeat_customers: int = 20,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
) -> HistoryCheck:
    """How many days and repeat customers a history has, against what the BG/NBD sections need.

    Parameters
    ----------
    transactions
        Order lines before ``as_of`` (``customer_id``, ``order_date``).
    as_of
        Analysis date; the history runs from the first order's day up to the day before it.
    horizon_days
        Forecast horizon (the notebook parameter); the holdout is the last ``horizon_days``.
    min_repeat_customers
        Fewest customers with a purchase on two or more days for a fit.

    Returns
    -------
    HistoryCheck
        ``can_validate``/``can_forecast`` and a plain message naming the days covered, the days
        needed and the parameter to change.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01 10:00", "2024-01-20 09:00", "2024-01-25 18:30"])})
    >>> c = history_check(tx, as_of="2024-02-01", horizon_days=20, min_repeat_customers=1)
    >>> c.days_covered, c.can_validate, c.can_forecast  # 31 days: forecast needs 20, the check 40
    (31, False, True)
    """
    h = int(horizon_days)
    if h < 1:
        raise ValueError(f"horizon_days must be a whole number of days, 1 or more, not {horizon_days!r}")
    for column in (customer_col, date_col):
        if column not in transactions.columns:
            raise DataValidationError(transactions.attrs.get("source"), column, "a transactions frame with customer and order-date columns")
    end = pd.Timestamp(as_of).normalize()
    days = transactions[date_col].dt.normalize()
    keep = (days < end).to_numpy()
    visits = pd.DataFrame({"customer": transactions[customer_col].to_numpy()[keep], "day": days.to_numpy()[keep]}).drop_duplicates()
    if visits.empty:
        return HistoryCheck(0, "", "", h, 0, 0, 0, int(min_repeat_customers))
    first = visits["day"].min()
    calibration_end = end - pd.Timedelta(days=h + 1)
    per_customer = visits["customer"].value_counts()
    calibration = visits.loc[visits["day"] <= calibration_end, "customer"].value_counts()
    return HistoryCheck(
        days_covered=int((end - first).days),
        first_day=str(first.date()),
        last_day=str((end - pd.Timedelta(days=1)).date()),
        horizon_days=h,
        customers=int(len(per_customer)),
        repeat_customers=int((per_customer >= 2).sum()),
        calibration_repeat_customers=int((calibration >= 2).sum()),
        min_repeat_customers=int(min_repeat_customers),
    )


def win_back_list(
    clv: pd.DataFrame,
    *,
    value_quantile: float = 0.8,
    p_alive_below: float = 0.5,
    customers: pd.DataFrame | None = None,
    default_channel: str = "email",
    offer_high: str = "HK$100 off HK$500 e-coupon",
    offer_other: str = "HK$50 off HK$300 e-coupon",
) -> pd.DataFrame:
    """High past value, low P(alive): customers worth a win-back message, with channel and offer.

    Parameters
    ----------
    clv
        From :func:`helpers.clv.clv_table` (index ``customer_id``; ``total_spend``, ``p_alive``, ``expected_value``).
    value_quantile
        Customers whose past spend is at or above this quantile count as high value.
    customers
        Optional ``customers`` table: only customers with direct-marketing consent and no
        opt-out are kept (PDPO Part 6A), and the channel follows the data kinds they agreed to.
    default_channel
        Channel when nothing is known about consent (e.g. a plain transactions file).

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (pseudonymised as it came), ``total_spend``, ``p_alive``, ``expected_value``,
        ``suggested_channel``, ``suggested_offer``; highest past spend first.

    Examples
    --------
    >>> clv = pd.DataFrame({"total_spend": [900.0, 800.0, 100.0], "p_alive": [0.2, 0.9, 0.1],
    ...     "expected_value": [50.0, 400.0, 5.0]}, index=pd.Index(["a", "b", "c"], name="customer_id"))
    >>> win_back_list(clv, value_quantile=0.5)[["customer_id", "suggested_channel"]].values.tolist()
    [['a', 'email']]
    """
    require_columns(clv, ["total_spend", "p_alive", "expected_value"], "a CLV table")
    threshold = clv["total_spend"].quantile(value_quantile)
    pick = clv[(clv["total_spend"] >= threshold) & (clv["p_alive"] < p_alive_below)]
    out = pick[["total_spend", "p_alive", "expected_value"]].reset_index()
    out = out.rename(columns={out.columns[0]: "customer_id"})
    out["suggested_channel"] = default_channel
    if customers is not None:
        require_columns(customers, ["customer_id", "dm_consent", "opt_out_date", "consent_data_kinds"], "customers")
        info = customers.set_index("customer_id")
        consent = info.reindex(out["customer_id"])
        may_contact = consent["dm_consent"].fillna(False).astype(bool) & consent["opt_out_date"].isna()
        kinds = consent["consent_data_kinds"].fillna("").astype(str)
        channel = np.where(kinds.str.contains("email"), "email", np.where(kinds.str.contains("phone"), "sms", "social"))
        out["suggested_channel"] = channel
        out = out[may_contact.to_numpy()]
    top = out["total_spend"] >= out["total_spend"].median() if len(out) else out["total_spend"].astype(bool)
    out["suggested_offer"] = np.where(top, offer_high, offer_other)
    return out.sort_values(["total_spend"], ascending=False, kind="stable").reset_index(drop=True)


def rank_tactics(channels: pd.DataFrame | None = None, coupons: pd.DataFrame | None = None, *,
                 alpha: float = 0.05) -> pd.DataFrame:
    """Tactics ranked by measured incremental revenue per HK$ spent (randomised holdouts only).

    Order: tactics whose conversion lift is significant come first, and among them those
    whose revenue lift is significant too; within each group, by incremental revenue per
    HK$. A tactic without a significant effect stays in the list, marked, below the others:
    a lucky estimate must not top the list. Loyalty, referral and welcome offers have no
    randomised holdout here, so they are not ranked.

    Examples
    --------
    >>> ch = pd.DataFrame({"channel": ["email", "forum"], "incremental_revenue_hkd": [9000.0, 300.0],
    ...     "cost_hkd": [3000.0, 100.0], "incremental_revenue_per_hkd": [3.0, 3.0], "significant": [True, False],
    ...     "revenue_p_value": [0.01, 0.6]})
    >>> rank_tactics(ch)[["tactic", "rank", "evidence"]].values.tolist()
    [['email', 1, 'conversion and revenue lift significant'], ['forum', 2, 'not significant: no measured effect']]
    """
    columns = ["rank", "tactic", "kind", "incremental_revenue_hkd", "cost_hkd", "incremental_revenue_per_hkd",
               "significant", "revenue_significant", "evidence"]
    parts = []
    for frame, name_col, cost_col, kind in ((channels, "channel", "cost_hkd", "campaign channel"),
                                            (coupons, "arm", "discount_cost_hkd", "e-coupon")):
        if frame is None or not len(frame):
            continue
        revenue_p = frame["revenue_p_value"] if "revenue_p_value" in frame.columns else pd.Series(1.0, index=frame.index)
        parts.append(pd.DataFrame({"tactic": frame[name_col].astype(str), "kind": kind,
                                   "incremental_revenue_hkd": frame["incremental_revenue_hkd"], "cost_hkd": frame[cost_col],
                                   "incremental_revenue_per_hkd": frame["incremental_revenue_per_hkd"],
                                   "significant": frame["significant"].astype(bool),
                                   "revenue_significant": (revenue_p < alpha).to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["revenue_significant"] &= out["significant"]
    out["evidence"] = np.select(
        [out["revenue_significant"], out["significant"]],
        ["conversion and revenue lift significant", "conversion lift significant; revenue lift not significant (spend is noisy)"],
        f"{NOT_SIGNIFICANT}: no measured effect")
    out = out.sort_values(["significant", "revenue_significant", "incremental_revenue_per_hkd", "tactic"],
                          ascending=[False, False, False, True], na_position="last", kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[columns]


def plot_mde(baseline_rate: float, *, sizes: Sequence[int] = (250, 500, 1000, 2000, 5000, 10000, 20000),
             alpha: float = 0.05, power: float = 0.8, ax: Axes | None = None) -> Axes:
    """Smallest detectable lift against customers per arm (equal arms): why small tests prove little.

    Examples
    --------
    >>> len(plot_mde(0.15).lines)
    1
    """
    import matplotlib.pyplot as plt

    from helpers.plots import finish

    if ax is None:
        _, ax = plt.subplots()
    mde = [minimum_detectable_effect(baseline_rate, n, n, alpha=alpha, power=power) for n in sizes]  # a handful of sizes
    ax.plot(list(sizes), mde, marker="o")
    ax.set_xscale("log")
    reference = 1000 if 1000 in sizes else sizes[0]
    return finish(ax, title=f"From a {baseline_rate:.0%} baseline, {reference:,} per arm detect only "
                  f"+{mde[list(sizes).index(reference)] * 100:.1f} points",
                  xlabel="customers per arm (log scale)", ylabel="minimum detectable lift (percentage points)", percent=True)


def _sig(value: float, digits: int = 3) -> float:
    """A p-value to ``digits`` significant figures: tiny values stay visible instead of rounding to 0."""
    return float(f"{float(value):.{digits}g}")


def retention_metrics(
    *,
    customers: int,
    funnel: pd.DataFrame | None,
    channels: pd.DataFrame | None,
    coupons: pd.DataFrame | None,
    bgnbd: BGNBDFit | None,
    gamma_gamma: GammaGammaFit | None,
    clv: pd.DataFrame | None,
    horizon_days: int,
    p_alive_below: float = 0.5,
    win_back: pd.DataFrame | None = None,
    history: HistoryCheck | None = None,
) -> dict[str, object]:
    """The numbers ``metrics.json`` holds: plain, rounded, no personal data, no timestamps.

    What could not be computed is ``None`` (``null`` in JSON): no ``bgnbd`` fit (history too short
    or too few repeat customers), no ``clv`` table (no usable fit), no ``win_back`` list.
    ``history`` adds ``history_days`` and ``history_days_needed`` (for the forecast).

    Examples
    --------
    >>> from helpers.clv import BGNBDFit
    >>> bg = BGNBDFit(r=0.5, alpha=2.0, a=1.0, b=5.0, log_likelihood=-10.0, n_customers=2)
    >>> clv = pd.DataFrame({"p_alive": [0.9, 0.2], "expected_purchases": [1.25, 0.5]})
    >>> m = retention_metrics(customers=2, funnel=None, channels=None, coupons=None, bgnbd=bg, gamma_gamma=None,
    ...                       clv=clv, horizon_days=90)
    >>> m["at_risk_customers"], m["expected_purchases_next_period"], m["campaigns"], m["experiments"]
    (1, 1.75, 0, {})
    >>> m = retention_metrics(customers=2, funnel=None, channels=None, coupons=None, bgnbd=None, gamma_gamma=None,
    ...                       clv=None, horizon_days=90)
    >>> m["bgnbd_params"], m["bgnbd_converged"], m["expected_purchases_next_period"], m["at_risk_customers"]
    (None, None, None, None)
    """
    experiments: dict[str, dict[str, object]] = {}
    if channels is not None:
        for _, row in channels.iterrows():  # five channels
            experiments[f"channel:{row['channel']}"] = {"lift": round(float(row["incremental_conversion_rate"]), 5),
                                                        "p_value": _sig(row["p_value"]), "significant": bool(row["significant"])}
    if coupons is not None:
        for _, row in coupons.iterrows():  # one row per coupon value
            experiments[f"coupon:HK${row['value_hkd']:g}"] = {"lift": round(float(row["lift_abs"]), 5),
                                                               "p_value": _sig(row["p_value"]), "significant": bool(row["significant"])}
    best = None
    campaigns = 0
    if funnel is not None and len(funnel):
        best = str(funnel.sort_values("conversion_rate", ascending=False, kind="stable")["channel"].iloc[0])
    if channels is not None:
        campaigns = int(channels["campaigns"].sum())
    return {
        "customers": int(customers),
        "campaigns": campaigns + (1 if coupons is not None and len(coupons) else 0),
        "best_channel_by_conversion": best,
        "experiments": experiments,
        "bgnbd_params": bgnbd.params() if bgnbd is not None else None,
        "bgnbd_converged": bool(bgnbd.converged) if bgnbd is not None else None,
        "gamma_gamma_params": gamma_gamma.params() if gamma_gamma is not None else None,
        "horizon_days": int(horizon_days),
        "expected_purchases_next_period": round(float(clv["expected_purchases"].sum()), 2) if clv is not None else None,
        "at_risk_customers": int((clv["p_alive"] < p_alive_below).sum()) if clv is not None else None,
        "win_back_customers": int(len(win_back)) if win_back is not None else None,
        **({"history_days": history.days_covered, "history_days_needed": history.forecast_days_needed}
           if history is not None else {}),
    }


def plot_tactic_ranking(ranking: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars of incremental revenue per HK$, significant tactics in green.

    Examples
    --------
    >>> r = pd.DataFrame({"tactic": ["email", "forum"], "incremental_revenue_per_hkd": [3.0, 0.1], "significant": [True, False]})
    >>> len(plot_tactic_ranking(r).patches)
    2
    """
    import matplotlib.pyplot as plt

    from helpers.plots import STATUS_COLOURS, finish, plain_text

    if ax is None:
        _, ax = plt.subplots()
    colours = [STATUS_COLOURS["good"] if s else STATUS_COLOURS["neutral"] for s in ranking["significant"]]
    ax.barh([plain_text(t) for t in ranking["tactic"]], ranking["incremental_revenue_per_hkd"].fillna(0.0), color=colours)
    ax.invert_yaxis()
    ax.axvline(1.0, color=STATUS_COLOURS["bad"], linestyle="--", linewidth=1)
    best = ranking.iloc[0] if len(ranking) else None
    title = (plain_text(f"{best['tactic']} returns HK${best['incremental_revenue_per_hkd']:.2f} per HK$1 spent")
             if best is not None and bool(best["significant"]) else "No tactic showed a significant return")
    return finish(ax, title=title, xlabel="incremental revenue per HK$ spent (dashed = break-even on revenue)", ylabel="")
