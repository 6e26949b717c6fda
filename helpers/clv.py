"""Customer lifetime value: the BG/NBD and Gamma-Gamma models, fitted by maximum likelihood.

"Buy till you die" models answer two questions about each customer from nothing but
their purchase dates and amounts: *is this customer still active?* and *how much will
they buy next?*

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
  while alive, a customer buys at a Poisson rate λ (Gamma(r, α) across customers) and
  after each purchase drops out with probability p (Beta(a, b) across customers).
* **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999):
  the value of a customer's purchases varies around their own mean, which varies
  across customers; assumes spend per purchase is independent of purchase frequency.

Both are fitted by maximising the log-likelihood with :func:`scipy.optimize.minimize`
over the log of the parameters, computed in log space with ``gammaln``/``betaln`` and
vectorised over *distinct* customer summaries (customers with the same counts share
one likelihood term), so a fit takes well under a second even for millions of orders.

Time units. BTYD "recency" is the time from a customer's **first** to **last** purchase
(``recency_weeks``), not RFM recency (time since the last purchase, ``days_since_last``).
Every time column carries its unit; predictions take ``horizon_days`` and convert.

Examples
--------
>>> import pandas as pd
>>> tx = pd.DataFrame({
...     "customer_id": ["a", "a", "a", "b"],
...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
...     "amount": [10.0, 5.0, 30.0, 20.0]})
>>> customer_summary(tx, observation_end="2024-01-29")[["frequency", "recency_weeks", "T_weeks"]].to_dict("index")
{'a': {'frequency': 1, 'recency_weeks': 2.0, 'T_weeks': 4.0}, 'b': {'frequency': 0, 'recency_weeks': 0.0, 'T_weeks': 3.0}}
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from helpers.data import DataValidationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

TimeUnit = Literal["days", "weeks"]
#: Days per model time unit.
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0}

__all__ = [
    "CLV_EXPORT_COLUMNS",
    "BGNBDFit",
    "ConvergenceWarning",
    "GammaGammaFit",
    "IndependenceCheck",
    "calibration_holdout_summary",
    "clv_table",
    "clv_export",
    "customer_summary",
    "expected_purchases",
    "expected_purchases_new_customer",
    "expected_purchases_unconditional",
    "expected_spend",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "p_alive",
    "plot_calibration_holdout",
    "plot_p_alive",
    "purchases_by_frequency",
    "spend_frequency_independence",
]


#: Columns of :func:`clv_export` for a weekly summary: the header of an empty ``clv.csv`` when no model could be fitted.
CLV_EXPORT_COLUMNS: tuple[str, ...] = ("customer_id", "frequency", "recency_weeks", "T_weeks", "monetary_value", "first_purchase",
                                       "last_purchase", "total_spend", "p_alive", "expected_purchases", "expected_spend",
                                       "expected_value")


class ConvergenceWarning(UserWarning):
    """A maximum-likelihood fit stopped without converging; its parameters are not reliable."""


# --------------------------------------------------------------------------- summary


def _time_columns(summary: pd.DataFrame) -> tuple[str, str, TimeUnit]:
    for unit in ("weeks", "days"):
        if {f"recency_{unit}", f"T_{unit}"} <= set(summary.columns):
            return f"recency_{unit}", f"T_{unit}", unit  # type: ignore[return-value]
    raise DataValidationError(
        summary.attrs.get("source"),
        "recency_weeks",
        "a customer summary with 'frequency', 'recency_weeks' and 'T_weeks' (or '_days') columns; "
        "build it with clv.customer_summary",
    )


def customer_summary(
    transactions: pd.DataFrame,
    *,
    observation_end: str | pd.Timestamp | None = None,
    time_unit: TimeUnit = "weeks",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """One row per customer: repeat purchases, BTYD recency, age and mean repeat spend.

    A purchase is a customer-**day**: several orders or lines on the same day count once,
    with their amounts added, as in Fader, Hardie & Lee (2005). Orders after
    ``observation_end`` are ignored, so the same call builds a calibration summary.

    Parameters
    ----------
    transactions
        Order lines with ``customer_col``, ``date_col`` (datetime) and ``amount_col``. Not modified.
    observation_end
        Last day observed, **inclusive**; default the day of the last order.
        Age ``T`` is measured from the first purchase day to this day.
    time_unit
        ``"weeks"`` (as in the CDNOW papers) or ``"days"``; names the columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``, sorted, with ``frequency`` (repeat purchase days, int),
        ``recency_<unit>`` (first to last purchase), ``T_<unit>`` (first purchase to
        ``observation_end``), ``monetary_value`` (mean amount of the repeat purchase days;
        0 when there are none), ``first_purchase``, ``last_purchase``, ``total_spend``.

    Raises
    ------
    DataValidationError
        Missing column, dates that are not dates, no orders on or before ``observation_end``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]),
    ...     "amount": [10.0, 20.0, 40.0]})
    >>> row = customer_summary(tx, observation_end="2024-01-15", time_unit="days").iloc[0]
    >>> int(row["frequency"]), float(row["recency_days"]), float(row["T_days"]), float(row["monetary_value"])
    (2, 14.0, 14.0, 30.0)
    """
    source = transactions.attrs.get("source")
    for column in (customer_col, date_col, amount_col):
        if column not in transactions.columns:
            raise DataValidationError(source, column, f"a transactions frame with columns {customer_col!r}, {date_col!r} and {amount_col!r}")
    if time_unit not in DAYS_PER_UNIT:
        raise ValueError(f"time_unit must be 'weeks' or 'days', not {time_unit!r}")
    if not pd.api.types.is_datetime64_any_dtype(transactions[date_col]):
        raise DataValidationError(source, date_col, "datetime values (use data.load_transactions or pd.to_datetime)")
    days = transactions[date_col].dt.normalize()
    end = days.max() if observation_end is None else pd.Timestamp(observation_end).normalize()
    frame = pd.DataFrame({"customer_id": transactions[customer_col].to_numpy(), "day": days.to_numpy(),
                          "amount": transactions[amount_col].astype("float64").to_numpy()})
    frame = frame[frame["day"] <= end]
    if frame.empty:
        raise DataValidationError(source, date_col, f"at least one order on or before {end.date()}")
    purchases = frame.groupby(["customer_id", "day"], sort=True, observed=True)["amount"].sum().reset_index()
    per_customer = purchases.groupby("customer_id", sort=True, observed=True).agg(
        purchase_days=("day", "size"),
        first_purchase=("day", "first"),
        last_purchase=("day", "last"),
        total_spend=("amount", "sum"),
        first_day_spend=("amount", "first"),
    )
    unit_days = DAYS_PER_UNIT[time_unit]
    frequency = per_customer["purchase_days"] - 1
    repeat_spend = per_customer["total_spend"] - per_customer["first_day_spend"]
    out = pd.DataFrame(
        {
            "frequency": frequency.astype("int64"),
            f"recency_{time_unit}": (per_customer["last_purchase"] - per_customer["first_purchase"]).dt.days / unit_days,
            f"T_{time_unit}": (end - per_customer["first_purchase"]).dt.days / unit_days,
            "monetary_value": np.where(frequency > 0, repeat_spend / frequency.where(frequency > 0, 1), 0.0),
            "first_purchase": per_customer["first_purchase"],
            "last_purchase": per_customer["last_purchase"],
            "total_spend": per_customer["total_spend"],
        },
        index=per_customer.index.rename("customer_id"),
    )
    out.attrs = {"observation_end": str(end.date()), "time_unit": time_unit}
    return out


def calibration_holdout_summary(
    transactions: pd.DataFrame,
    *,
    calibration_end: str | pd.Timestamp,
    holdout_end: str | pd.Timestamp | None = None,
    time_unit: TimeUnit = "weeks",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Calibration summary plus what each calibration customer did in the holdout period.

    Only customers whose first purchase is in the calibration period are kept: the
    model says nothing about customers it has not met.

    Returns
    -------
    pandas.DataFrame
        :func:`customer_summary` columns for the calibration period, plus
        ``frequency_holdout`` (purchase days after ``calibration_end`` up to ``holdout_end``),
        ``holdout_<unit>`` (its length) and ``spend_holdout``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-20", "2024-01-25"]),
    ...     "amount": [1.0, 2.0, 3.0, 4.0]})
    >>> s = calibration_holdout_summary(tx, calibration_end="2024-01-10", holdout_end="2024-01-31", time_unit="days")
    >>> s[["frequency", "frequency_holdout", "holdout_days"]].to_dict("list")
    {'frequency': [1], 'frequency_holdout': [1], 'holdout_days': [21.0]}
    """
    calibration = customer_summary(
        transactions, observation_end=calibration_end, time_unit=time_unit,
        customer_col=customer_col, date_col=date_col, amount_col=amount_col,
    )
    cal_end = pd.Timestamp(calibration_end).normalize()
    days = transactions[date_col].dt.normalize()
    end = days.max() if holdout_end is None else pd.Timestamp(holdout_end).normalize()
    if end <= cal_end:
        raise ValueError(f"holdout_end ({end.date()}) must come after calibration_end ({cal_end.date()})")
    later = pd.DataFrame({"customer_id": transactions[customer_col].to_numpy(), "day": days.to_numpy(),
                          "amount": transactions[amount_col].astype("float64").to_numpy()})
    later = later[(later["day"] > cal_end) & (later["day"] <= end)]
    purchases = later.groupby(["customer_id", "day"], observed=True)["amount"].sum().reset_index()
    holdout = purchases.groupby("customer_id", observed=True).agg(frequency_holdout=("day", "size"), spend_holdout=("amount", "sum"))
    out = calibration.join(holdout, how="left")
    out["frequency_holdout"] = out["frequency_holdout"].fillna(0).astype("int64")
    out["spend_holdout"] = out["spend_holdout"].fillna(0.0)
    out[f"holdout_{time_unit}"] = (end - cal_end).days / DAYS_PER_UNIT[time_unit]
    out.attrs = {**calibration.attrs, "holdout_end": str(end.date())}
    return out


def _validated_rfm(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, TimeUnit]:
    """frequency, recency, T as float arrays, after the checks the BG/NBD likelihood needs."""
    recency_col, age_col, unit = _time_columns(summary)
    source = summary.attrs.get("source")
    if "frequency" not in summary.columns:
        raise DataValidationError(source, "frequency", "a column of repeat purchase counts")
    if summary.empty:
        raise DataValidationError(source, "frequency", "at least one customer")
    x = summary["frequency"].to_numpy(dtype="float64")
    t_x = summary[recency_col].to_numpy(dtype="float64")
    age = summary[age_col].to_numpy(dtype="float64")
    checks = [
        ("frequency", ~np.isfinite(x) | (x < 0) | (x != np.round(x)), "whole numbers of repeat purchases, 0 or more"),
        (recency_col, ~np.isfinite(t_x) | (t_x < 0), "recency (first to last purchase) of 0 or more"),
        (age_col, ~np.isfinite(age) | (age <= 0) & (x > 0), "customer age T greater than 0"),
        (recency_col, t_x > age + 1e-9, f"recency no greater than age ({recency_col} ≤ {age_col})"),
        (recency_col, (x == 0) & (t_x > 0), "recency 0 for customers with no repeat purchase"),
    ]
    for column, bad, expected in checks:
        if bad.any():
            rows = summary.loc[bad, ["frequency", recency_col, age_col]].head(3)
            examples = [f"customer {i}: " + ", ".join(f"{c}={v}" for c, v in r.items()) for i, r in rows.iterrows()]
            raise DataValidationError(source, column, expected, examples)
    return x, t_x, age, unit


# --------------------------------------------------------------------------- BG/NBD


@dataclass(frozen=True)
class BGNBDFit:
    """Fitted BG/NBD parameters; ``alpha`` is in the model's ``time_unit``.

    ``r``/``alpha``: Gamma heterogeneity of the purchase rate (mean rate r/α per time unit);
    ``a``/``b``: Beta heterogeneity of the drop-out probability after each purchase
    (mean a/(a+b)).
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int
    time_unit: TimeUnit = "weeks"
    converged: bool = True
    message: str = ""

    def params(self) -> dict[str, float]:
        """The four parameters, rounded for ``metrics.json``."""
        return {"r": round(self.r, 4), "alpha": round(self.alpha, 4), "a": round(self.a, 4), "b": round(self.b, 4)}

    def __str__(self) -> str:
        status = "converged" if self.converged else f"DID NOT CONVERGE ({self.message}) — do not rely on these numbers"
        return (f"BG/NBD on {self.n_customers:,} customers ({self.time_unit}): r={self.r:.3f}, alpha={self.alpha:.3f}, "
                f"a={self.a:.3f}, b={self.b:.3f}, log-likelihood {self.log_likelihood:,.2f}; {status}")


def _bgnbd_log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model (Fader, Hardie & Lee 2005, eq. 6)."""
    r, alpha, a, b = params
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    # Still alive at T: B(a, b+x)/B(a, b) · (α+T)^-(r+x)
    alive = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + age)
    # Dropped out just after the last purchase (only possible when x > 0).
    with np.errstate(invalid="ignore", divide="ignore"):
        dropped = special.betaln(a + 1, b + np.maximum(x, 1) - 1) - special.betaln(a, b) - (r + x) * np.log(alpha + t_x)
    dropped = np.where(x > 0, dropped, -np.inf)
    return common + np.logaddexp(alive, dropped)


def _distinct_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct value combinations and how many customers share each (likelihood weights)."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype("float64")


#: Search range of every log-parameter; a fit that ends on its edge has not found a maximum.
LOG_PARAM_BOUND = 12.0


def _edge_message(result: optimize.OptimizeResult, names: tuple[str, ...]) -> str:
    """Names the parameters that ran to the edge of the search range (the data cannot pin them down)."""
    at_edge = [name for name, value in zip(names, result.x) if abs(value) >= LOG_PARAM_BOUND - 1e-3]
    return (f"{', '.join(at_edge)} ran to the edge of the search range: the data cannot pin "
            f"{'it' if len(at_edge) == 1 else 'them'} down") if at_edge else ""


def _maximise(neg_ll, n_params: int, initial: np.ndarray | None) -> optimize.OptimizeResult:
    """Minimise a negative log-likelihood over log-parameters (keeps every parameter positive)."""
    start = np.log(initial) if initial is not None else np.zeros(n_params)
    result = optimize.minimize(neg_ll, start, method="L-BFGS-B", bounds=[(-LOG_PARAM_BOUND, LOG_PARAM_BOUND)] * n_params)
    if not result.success:
        # A derivative-free polish often gets past a rough patch of the surface.
        retry = optimize.minimize(neg_ll, result.x, method="Nelder-Mead",
                                  options={"maxiter": 4000, "xatol": 1e-8, "fatol": 1e-8})
        if retry.success or retry.fun < result.fun:
            result = retry
    return result


def fit_bgnbd(summary: pd.DataFrame, *, initial: dict[str, float] | None = None) -> BGNBDFit:
    """Fit the BG/NBD model by maximum likelihood.

    Parameters
    ----------
    summary
        From :func:`customer_summary`: ``frequency``, ``recency_weeks``/``T_weeks`` (or ``_days``).
    initial
        Optional starting values ``{"r", "alpha", "a", "b"}``; default all 1.

    Returns
    -------
    BGNBDFit
        Parameters, maximised log-likelihood and whether the optimiser converged. When it
        did not, ``converged`` is False and a :class:`ConvergenceWarning` is issued.

    Raises
    ------
    DataValidationError
        Negative or fractional frequency, recency above age, recency > 0 with no repeat purchase.

    Examples
    --------
    >>> s = pd.DataFrame({"frequency": [0, 1, 2, 0, 4, 1], "recency_weeks": [0, 5, 20, 0, 30, 2.0],
    ...                   "T_weeks": [30, 30, 35, 20, 38, 10.0]})
    >>> fit = fit_bgnbd(s)
    >>> fit.converged, fit.n_customers, fit.time_unit
    (True, 6, 'weeks')
    """
    x, t_x, age, unit = _validated_rfm(summary)
    if not (x > 0).any():
        raise DataValidationError(summary.attrs.get("source"), "frequency",
                                  "at least one customer with a repeat purchase; with none the model has nothing to learn from")
    (ux, ut, uT), weights = _distinct_rows(x, t_x, age)

    def neg_ll(log_params: np.ndarray) -> float:
        return -float(np.dot(weights, _bgnbd_log_likelihood(np.exp(log_params), ux, ut, uT)))

    start = None if initial is None else np.array([initial[k] for k in ("r", "alpha", "a", "b")], dtype="float64")
    result = _maximise(neg_ll, 4, start)
    r, alpha, a, b = np.exp(result.x)
    edge = _edge_message(result, ("r", "alpha", "a", "b"))
    converged = bool(result.success and np.isfinite(result.fun)) and not edge
    fit = BGNBDFit(float(r), float(alpha), float(a), float(b), -float(result.fun), len(x), unit,
                   converged, "" if converged else (edge or str(result.message)))
    if not converged:
        warnings.warn(str(fit), ConvergenceWarning, stacklevel=2)
    return fit


def _model_arrays(fit: BGNBDFit, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, t_x, age, unit = _validated_rfm(summary)
    if unit != fit.time_unit:
        raise ValueError(f"the model was fitted in {fit.time_unit} but the summary is in {unit}; rebuild it with time_unit={fit.time_unit!r}")
    return x, t_x, age


def _log_odds_dead(fit: BGNBDFit, x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
    """log[ a/(b+x-1) · ((α+T)/(α+t_x))^(r+x) ] for x > 0; -inf (surely alive) for x = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (np.log(fit.a) - np.log(fit.b + x - 1)
                 + (fit.r + x) * (np.log(fit.alpha + age) - np.log(fit.alpha + t_x)))
    return np.where(x > 0, value, -np.inf)


def p_alive(fit: BGNBDFit, summary: pd.DataFrame) -> pd.Series:
    """Probability that each customer is still active at the end of the observation period.

    A customer with no repeat purchase has P(alive) = 1 under BG/NBD (drop-out happens
    only right after a purchase); a frequent buyer who has gone quiet scores low.

    Examples
    --------
    >>> fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, n_customers=1)
    >>> s = pd.DataFrame({"frequency": [0, 5, 5], "recency_weeks": [0.0, 36.0, 6.0], "T_weeks": [38.0, 38.0, 38.0]})
    >>> p_alive(fit, s).round(2).tolist()
    [1.0, 0.86, 0.01]
    """
    x, t_x, age = _model_arrays(fit, summary)
    return pd.Series(1.0 / (1.0 + np.exp(_log_odds_dead(fit, x, t_x, age))), index=summary.index, name="p_alive")


def _horizon_units(fit: BGNBDFit, horizon_days: float) -> float:
    if not np.isfinite(horizon_days) or horizon_days <= 0:
        raise ValueError(f"horizon_days must be a positive number of days, not {horizon_days!r}")
    return float(horizon_days) / DAYS_PER_UNIT[fit.time_unit]


def expected_purchases(fit: BGNBDFit, summary: pd.DataFrame, *, horizon_days: float) -> pd.Series:
    """Expected purchase days of each customer in the next ``horizon_days`` (FHL 2005, eq. 10).

    Examples
    --------
    >>> fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, n_customers=1)
    >>> s = pd.DataFrame({"frequency": [2, 2], "recency_weeks": [30.43, 5.0], "T_weeks": [38.86, 38.86]})
    >>> expected_purchases(fit, s, horizon_days=273).round(2).tolist()
    [1.23, 0.21]
    """
    x, t_x, age = _model_arrays(fit, summary)
    t = _horizon_units(fit, horizon_days)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + age + t))
    growth = (a + b + x - 1) / (a - 1) * (1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyp)
    values = growth / (1 + np.exp(_log_odds_dead(fit, x, t_x, age)))
    return pd.Series(values, index=summary.index, name=f"expected_purchases_{int(horizon_days)}d")


def expected_purchases_unconditional(fit: BGNBDFit, *, horizon_days: float | np.ndarray) -> np.ndarray:
    """E[X(t)]: repeat purchase days a randomly chosen *new* customer makes in ``t`` after the first.

    Examples
    --------
    >>> fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, n_customers=1)
    >>> float(expected_purchases_unconditional(fit, horizon_days=7 * 39).round(3))
    1.197
    """
    t = np.asarray(horizon_days, dtype="float64") / DAYS_PER_UNIT[fit.time_unit]
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)


def expected_purchases_new_customer(fit: BGNBDFit, *, horizon_days: float) -> float:
    """Expected purchase days of a customer acquired today over ``horizon_days``, first purchase included.

    This is what a lead is worth in purchases if it converts (prospecting reuses it).

    Examples
    --------
    >>> fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, n_customers=1)
    >>> round(expected_purchases_new_customer(fit, horizon_days=7 * 39), 3)
    2.197
    """
    _horizon_units(fit, horizon_days)
    return 1.0 + float(expected_purchases_unconditional(fit, horizon_days=horizon_days))


def purchases_by_frequency(fit: BGNBDFit, calibration_holdout: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases, by calibration frequency (the standard check).

    Parameters
    ----------
    calibration_holdout
        From :func:`calibration_holdout_summary`.
    max_frequency
        Customers with this many or more calibration repeat purchases are pooled in one group.

    Returns
    -------
    pandas.DataFrame
        ``frequency_calibration`` (0 … max, the last meaning "max or more"), ``customers``,
        ``actual_holdout``, ``predicted_holdout`` (mean purchase days per customer).

    Examples
    --------
    >>> fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, n_customers=1)
    >>> ch = pd.DataFrame({"frequency": [0, 0, 1], "recency_weeks": [0, 0, 10.0], "T_weeks": [20, 30, 30.0],
    ...     "frequency_holdout": [0, 1, 2], "holdout_weeks": [10.0, 10.0, 10.0]})
    >>> purchases_by_frequency(fit, ch)[["frequency_calibration", "customers", "actual_holdout"]].to_dict("list")
    {'frequency_calibration': [0, 1], 'customers': [2, 1], 'actual_holdout': [0.5, 2.0]}
    """
    unit = fit.time_unit
    holdout_col = f"holdout_{unit}"
    if holdout_col not in calibration_holdout.columns or "frequency_holdout" not in calibration_holdout.columns:
        raise DataValidationError(calibration_holdout.attrs.get("source"), holdout_col, "a frame from clv.calibration_holdout_summary")
    horizon = float(calibration_holdout[holdout_col].iloc[0]) * DAYS_PER_UNIT[unit]
    predicted = expected_purchases(fit, calibration_holdout, horizon_days=horizon)
    groups = calibration_holdout["frequency"].clip(upper=max_frequency).astype("int64").rename("frequency_calibration")
    table = pd.DataFrame({"actual_holdout": calibration_holdout["frequency_holdout"].astype("float64"),
                          "predicted_holdout": predicted.to_numpy()}, index=calibration_holdout.index)
    out = table.groupby(groups.to_numpy()).agg(customers=("actual_holdout", "size"), actual_holdout=("actual_holdout", "mean"),
                                                predicted_holdout=("predicted_holdout", "mean"))
    return out.rename_axis("frequency_calibration").reset_index()


def plot_calibration_holdout(by_frequency: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Actual vs predicted mean holdout purchases by calibration frequency; returns the Axes.

    Examples
    --------
    >>> table = pd.DataFrame({"frequency_calibration": [0, 1], "customers": [5, 2],
    ...     "actual_holdout": [0.2, 0.9], "predicted_holdout": [0.25, 0.8]})
    >>> len(plot_calibration_holdout(table).lines)
    2
    """
    import matplotlib.pyplot as plt

    from helpers.plots import PALETTE, finish

    if ax is None:
        _, ax = plt.subplots()
    labels = [str(v) for v in by_frequency["frequency_calibration"]]
    if len(labels):
        labels[-1] = labels[-1] + "+"
    positions = np.arange(len(labels))
    ax.plot(positions, by_frequency["actual_holdout"], marker="o", color=PALETTE[0], label="actual")
    ax.plot(positions, by_frequency["predicted_holdout"], marker="s", linestyle="--", color=PALETTE[1], label="BG/NBD prediction")
    ax.set_xticks(positions, labels)
    ax.legend()
    worst = (by_frequency["predicted_holdout"] - by_frequency["actual_holdout"]).abs().max() if len(by_frequency) else 0.0
    return finish(ax, title=f"Model tracks the holdout: largest gap {worst:.2f} purchases per customer",
                  xlabel="Repeat purchase days in calibration period", ylabel="Mean purchase days in holdout")


# --------------------------------------------------------------------------- Gamma-Gamma


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma spend parameters.

    Mean spend per purchase across customers is ``p·gamma/(q-1)`` (defined for q > 1).
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float
    n_customers: int
    converged: bool = True
    message: str = ""

    @property
    def population_mean_spend(self) -> float:
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")

    def params(self) -> dict[str, float]:
        """The three parameters, rounded for ``metrics.json``."""
        return {"p": round(self.p, 4), "q": round(self.q, 4), "gamma": round(self.gamma, 4)}

    def __str__(self) -> str:
        status = "converged" if self.converged else f"DID NOT CONVERGE ({self.message}) — do not rely on these numbers"
        return (f"Gamma-Gamma on {self.n_customers:,} repeat customers: p={self.p:.3f}, q={self.q:.3f}, "
                f"gamma={self.gamma:.3f}, log-likelihood {self.log_likelihood:,.2f}; {status}")


@dataclass(frozen=True)
class IndependenceCheck:
    """Pearson correlation of frequency and mean spend among repeat customers."""

    correlation: float
    p_value: float
    n_customers: int
    threshold: float
    independent: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "independent", bool(abs(self.correlation) < self.threshold))

    def __str__(self) -> str:
        verdict = ("weak, so Gamma-Gamma's independence assumption is reasonable" if self.independent
                   else "too strong: Gamma-Gamma's independence assumption does not hold, treat its values with care")
        return (f"Correlation of purchase frequency and mean spend over {self.n_customers:,} repeat customers: "
                f"{self.correlation:+.2f} — {verdict}")


def _repeat_customers(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    source = summary.attrs.get("source")
    for column in ("frequency", "monetary_value"):
        if column not in summary.columns:
            raise DataValidationError(source, column, "a customer summary from clv.customer_summary")
    repeat = summary["frequency"].to_numpy() > 0
    x = summary["frequency"].to_numpy(dtype="float64")[repeat]
    m = summary["monetary_value"].to_numpy(dtype="float64")[repeat]
    bad = ~np.isfinite(m) | (m <= 0)
    if bad.any():
        ids = summary.index[repeat][bad][:3]
        raise DataValidationError(source, "monetary_value", "a mean spend above 0 for every customer with repeat purchases "
                                  "(drop returns and free orders first)", [f"customer {i}" for i in ids])
    if len(x) < 2:
        raise DataValidationError(source, "frequency", "at least two customers with repeat purchases")
    return x, m


def spend_frequency_independence(summary: pd.DataFrame, *, threshold: float = 0.3) -> IndependenceCheck:
    """Check Gamma-Gamma's assumption that spend per purchase does not depend on frequency.

    Examples
    --------
    >>> s = pd.DataFrame({"frequency": [1, 2, 3, 4, 0], "monetary_value": [10.0, 20.0, 20.0, 10.0, 0.0]})
    >>> check = spend_frequency_independence(s)
    >>> # x deviations -1.5,-0.5,0.5,1.5 times spend deviations -5,5,5,-5 sum to 0
    >>> round(check.correlation, 2), check.independent, check.n_customers
    (0.0, True, 4)
    """
    x, m = _repeat_customers(summary)
    if np.ptp(x) == 0 or np.ptp(m) == 0:
        return IndependenceCheck(0.0, 1.0, len(x), threshold)
    result = stats.pearsonr(x, m)
    return IndependenceCheck(float(result.statistic), float(result.pvalue), len(x), threshold)


def _gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of the mean spend ``m`` over ``x`` purchases (FHL 2005, RFM & CLV)."""
    p, q, gamma = params
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(gamma)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(gamma + x * m))


def fit_gamma_gamma(summary: pd.DataFrame, *, initial: dict[str, float] | None = None) -> GammaGammaFit:
    """Fit the Gamma-Gamma spend model on customers with at least one repeat purchase.

    ``monetary_value`` must be the mean value of the *repeat* purchases (as built by
    :func:`customer_summary`). Check :func:`spend_frequency_independence` first.

    Raises
    ------
    DataValidationError
        Missing columns, a repeat customer with mean spend ≤ 0, fewer than two repeat customers.

    Examples
    --------
    >>> s = pd.DataFrame({"frequency": [1, 1, 2, 1, 3, 1, 2, 1, 0],
    ...                   "monetary_value": [10.0, 80.0, 20.0, 150.0, 30.0, 12.0, 90.0, 40.0, 0.0]})
    >>> fit = fit_gamma_gamma(s)
    >>> fit.n_customers, fit.converged
    (8, True)
    """
    x, m = _repeat_customers(summary)
    (ux, um), weights = _distinct_rows(x, m)

    def neg_ll(log_params: np.ndarray) -> float:
        return -float(np.dot(weights, _gamma_gamma_log_likelihood(np.exp(log_params), ux, um)))

    start = None if initial is None else np.array([initial[k] for k in ("p", "q", "gamma")], dtype="float64")
    result = _maximise(neg_ll, 3, start)
    p, q, gamma = np.exp(result.x)
    edge = _edge_message(result, ("p", "q", "gamma"))
    converged = bool(result.success and np.isfinite(result.fun)) and not edge
    fit = GammaGammaFit(float(p), float(q), float(gamma), -float(result.fun), len(x), converged,
                        "" if converged else (edge or str(result.message)))
    if not converged:
        warnings.warn(str(fit), ConvergenceWarning, stacklevel=2)
    return fit


def expected_spend(fit: GammaGammaFit, summary: pd.DataFrame) -> pd.Series:
    """Expected value of each customer's future purchases: their own mean shrunk towards the population's.

    E[M | x, m] = (γ + x·m)·p / (p·x + q − 1); customers with no repeat purchase get the
    population mean p·γ/(q − 1).

    Examples
    --------
    >>> fit = GammaGammaFit(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, n_customers=1)
    >>> s = pd.DataFrame({"frequency": [0, 1, 10], "monetary_value": [0.0, 100.0, 100.0]})
    >>> expected_spend(fit, s).round(2).tolist()
    [35.22, 80.26, 97.28]
    """
    x = summary["frequency"].to_numpy(dtype="float64")
    m = summary["monetary_value"].to_numpy(dtype="float64")
    if fit.q <= 1:
        raise ValueError(f"Gamma-Gamma q={fit.q:.3f} ≤ 1: the mean spend is undefined; the fit is not usable")
    values = (fit.gamma + x * m) * fit.p / (fit.p * x + fit.q - 1)
    return pd.Series(values, index=summary.index, name="expected_spend")


# --------------------------------------------------------------------------- per-customer table


def clv_table(
    bgnbd: BGNBDFit,
    gamma_gamma: GammaGammaFit | None,
    summary: pd.DataFrame,
    *,
    horizon_days: float = 365,
    discount_rate_annual: float = 0.0,
    step_days: float = 30,
) -> pd.DataFrame:
    """Per-customer P(alive), expected purchases and expected value over ``horizon_days``.

    Value = Σ over steps of (expected purchases in the step) × expected spend,
    discounted at ``discount_rate_annual``. Without a Gamma-Gamma fit, each customer's
    own mean spend (or the overall mean for one-time buyers) is used.

    Returns
    -------
    pandas.DataFrame
        ``summary`` columns plus ``p_alive``, ``expected_purchases``, ``expected_spend``,
        ``expected_value`` (same currency as the amounts), sorted by ``expected_value`` descending.

    Examples
    --------
    >>> bg = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, n_customers=1)
    >>> gg = GammaGammaFit(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, n_customers=1)
    >>> s = pd.DataFrame({"frequency": [2, 0], "recency_weeks": [30.43, 0.0], "T_weeks": [38.86, 38.86],
    ...                   "monetary_value": [22.35, 0.0]}, index=pd.Index(["a", "b"], name="customer_id"))
    >>> t = clv_table(bg, gg, s, horizon_days=273)
    >>> t.index.tolist(), t["expected_purchases"].round(2).tolist()
    (['a', 'b'], [1.23, 0.2])
    """
    if discount_rate_annual < 0:
        raise ValueError(f"discount_rate_annual must be 0 or more, not {discount_rate_annual!r}")
    if gamma_gamma is not None:
        spend = expected_spend(gamma_gamma, summary)
    else:
        repeat = summary["frequency"] > 0
        fallback = float(summary.loc[repeat, "monetary_value"].mean()) if repeat.any() else 0.0
        spend = summary["monetary_value"].where(repeat, fallback).rename("expected_spend")
    purchases = expected_purchases(bgnbd, summary, horizon_days=horizon_days)
    # Discounting needs the timing of purchases: add the increments of E[purchases] step by step.
    edges = np.unique(np.append(np.arange(step_days, horizon_days, step_days), horizon_days))
    value = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    daily_rate = (1 + discount_rate_annual) ** (1 / 365.0)
    for edge in edges:  # a handful of time steps, each vectorised over all customers
        cumulative = expected_purchases(bgnbd, summary, horizon_days=float(edge)).to_numpy()
        value += (cumulative - previous) * spend.to_numpy() / daily_rate**edge
        previous = cumulative
    out = summary.copy()
    out["p_alive"] = p_alive(bgnbd, summary).to_numpy()
    out["expected_purchases"] = purchases.to_numpy()
    out["expected_spend"] = spend.to_numpy()
    out["expected_value"] = value
    out.attrs = {**summary.attrs, "horizon_days": horizon_days}
    return out.sort_values(["expected_value"], ascending=False, kind="stable")


def plot_p_alive(table: pd.DataFrame, *, threshold: float = 0.5, ax: Axes | None = None) -> Axes:
    """Histogram of P(alive) over customers, with the at-risk threshold marked; returns the Axes.

    Examples
    --------
    >>> t = pd.DataFrame({"p_alive": [0.05, 0.2, 0.9, 0.95, 1.0]})
    >>> plot_p_alive(t).get_title()
    '2 of 5 customers (40%) are probably slipping away (P(alive) < 50%)'
    """
    import matplotlib.pyplot as plt

    from helpers.plots import PALETTE, STATUS_COLOURS, finish

    if ax is None:
        _, ax = plt.subplots()
    values = table["p_alive"].to_numpy(dtype="float64")
    ax.hist(values, bins=np.linspace(0, 1, 21), color=PALETTE[0])
    ax.axvline(threshold, color=STATUS_COLOURS["bad"], linestyle="--", linewidth=1)
    at_risk = int((values < threshold).sum())
    share = at_risk / len(values) if len(values) else 0.0
    return finish(ax, title=f"{at_risk:,} of {len(values):,} customers ({share:.0%}) are probably slipping away (P(alive) < {threshold:.0%})",
                  xlabel="P(alive): probability the customer is still active", ylabel="customers", percent="x")


def clv_export(table: pd.DataFrame, *, decimals: int = 4) -> pd.DataFrame:
    """The per-customer CLV table ready for ``clv.csv``: one row per (pseudonymised) customer,
    numbers rounded so reruns give identical files, dates as ``YYYY-MM-DD``.

    Examples
    --------
    >>> t = pd.DataFrame({"p_alive": [0.123456], "first_purchase": pd.to_datetime(["2025-01-02"])},
    ...                  index=pd.Index(["cus_1"], name="customer_id"))
    >>> clv_export(t).to_dict("records")
    [{'customer_id': 'cus_1', 'p_alive': 0.1235, 'first_purchase': '2025-01-02'}]
    """
    out = table.reset_index()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(decimals)
    return out
