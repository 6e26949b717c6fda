"""BG/NBD and Gamma-Gamma (helpers/clv.py): hand-worked cases, the model's own definition, and CDNOW."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from helpers import clv, data
from helpers.clv import BGNBDFit, GammaGammaFit
from helpers.data import DataValidationError

# Fader, Hardie & Lee (2005), CDNOW 1/10 sample, 39-week calibration.
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.43
# Fader, Hardie & Lee, "RFM and CLV" / the Gamma-Gamma note: 946 repeat customers.
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
CDNOW_FIT = BGNBDFit(**PUBLISHED_BGNBD, log_likelihood=PUBLISHED_LL, n_customers=2357)


def tx_frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": [r[0] for r in rows], "order_date": pd.to_datetime([r[1] for r in rows], format="mixed"), "amount": [r[2] for r in rows]}
    )


# ---------------------------------------------------------------- customer summary


def test_summary_counts_purchase_days_and_mean_repeat_spend() -> None:
    tx = tx_frame([
        ("a", "2024-01-01 09:00", 10.0),
        ("a", "2024-01-01 17:00", 5.0),   # same day: one purchase of 15
        ("a", "2024-01-15", 30.0),
        ("a", "2024-01-29", 50.0),
        ("b", "2024-01-08", 20.0),
        ("c", "2024-02-20", 99.0),        # after the observation end: ignored
    ])
    s = clv.customer_summary(tx, observation_end="2024-02-12")
    # a: purchase days 01-01, 01-15, 01-29 -> frequency 2; recency 28 days = 4 weeks;
    #    T = 01-01 .. 02-12 = 42 days = 6 weeks; repeat spend (30 + 50) / 2 = 40.
    # b: one purchase -> frequency 0, recency 0, T = 01-08 .. 02-12 = 35 days = 5 weeks, spend 0.
    assert s.index.tolist() == ["a", "b"]
    assert s["frequency"].tolist() == [2, 0]
    assert s["recency_weeks"].tolist() == [4.0, 0.0]
    assert s["T_weeks"].tolist() == [6.0, 5.0]
    assert s["monetary_value"].tolist() == [40.0, 0.0]
    assert s["total_spend"].tolist() == [95.0, 20.0]


def test_summary_in_days_and_input_not_mutated() -> None:
    tx = tx_frame([("a", "2024-03-01", 1.0), ("a", "2024-03-04", 2.0)])
    before = tx.copy()
    s = clv.customer_summary(tx, time_unit="days")
    # default end = last order day 03-04: recency 3 days, T 3 days
    assert list(s.columns[:3]) == ["frequency", "recency_days", "T_days"]
    assert (s["recency_days"].iloc[0], s["T_days"].iloc[0]) == (3.0, 3.0)
    pd.testing.assert_frame_equal(tx, before)


def test_summary_names_the_missing_column() -> None:
    with pytest.raises(DataValidationError, match="amount"):
        clv.customer_summary(pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])}))


def test_calibration_holdout_keeps_only_calibration_customers() -> None:
    tx = tx_frame([
        ("a", "2024-01-01", 1.0), ("a", "2024-01-05", 1.0),
        ("a", "2024-01-20", 4.0), ("a", "2024-01-20", 6.0), ("a", "2024-01-25", 5.0),
        ("b", "2024-01-15", 9.0),  # first purchase in the holdout: not a calibration customer
    ])
    ch = clv.calibration_holdout_summary(tx, calibration_end="2024-01-10", holdout_end="2024-01-31", time_unit="days")
    # a: calibration days 01-01, 01-05 -> frequency 1; holdout days 01-20, 01-25 -> 2, spend 4+6+5 = 15
    assert ch.index.tolist() == ["a"]
    assert ch[["frequency", "frequency_holdout", "spend_holdout", "holdout_days"]].iloc[0].tolist() == [1, 2, 15.0, 21.0]


# ---------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ({"frequency": -1, "recency_weeks": 0.0, "T_weeks": 5.0}, "frequency"),
        ({"frequency": 1.5, "recency_weeks": 1.0, "T_weeks": 5.0}, "frequency"),
        ({"frequency": 2, "recency_weeks": 6.0, "T_weeks": 5.0}, "recency_weeks"),
        ({"frequency": 0, "recency_weeks": 2.0, "T_weeks": 5.0}, "recency_weeks"),
    ],
)
def test_bgnbd_rejects_impossible_summaries_by_column(row: dict, column: str) -> None:
    good = {"frequency": 1, "recency_weeks": 1.0, "T_weeks": 3.0}
    with pytest.raises(DataValidationError, match=column):
        clv.fit_bgnbd(pd.DataFrame([good, row]))


def test_summary_without_time_unit_columns_is_refused() -> None:
    with pytest.raises(DataValidationError, match="recency_weeks"):
        clv.fit_bgnbd(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))


def test_gamma_gamma_rejects_non_positive_spend_of_repeat_customers() -> None:
    s = pd.DataFrame({"frequency": [1, 2, 0], "monetary_value": [10.0, 0.0, 0.0]}, index=["a", "b", "c"])
    with pytest.raises(DataValidationError, match="monetary_value") as info:
        clv.fit_gamma_gamma(s)
    assert "customer b" in str(info.value)  # c has no repeat purchase, so its 0 is fine


def test_model_and_summary_time_units_must_agree() -> None:
    s = pd.DataFrame({"frequency": [1], "recency_days": [7.0], "T_days": [14.0]})
    with pytest.raises(ValueError, match="weeks"):
        clv.p_alive(CDNOW_FIT, s)


def test_bgnbd_needs_some_repeat_purchases() -> None:
    s = pd.DataFrame({"frequency": [0, 0], "recency_weeks": [0.0, 0.0], "T_weeks": [10.0, 20.0]})
    with pytest.raises(DataValidationError, match="repeat purchase"):
        clv.fit_bgnbd(s)


def test_fit_running_to_the_edge_is_not_called_converged(monkeypatch: pytest.MonkeyPatch) -> None:
    # An optimiser can report success with a parameter stuck on the edge of its range (log 12 ≈ 162,755):
    # that is not a maximum, and the fit must say so.
    def stuck_on_edge(fun, x0, **kwargs):
        x = np.array([np.log(0.2), np.log(4.0), clv.LOG_PARAM_BOUND, np.log(2.0)])
        return optimize.OptimizeResult(x=x, fun=fun(x), success=True, message="converged")

    monkeypatch.setattr(clv.optimize, "minimize", stuck_on_edge)
    s = pd.DataFrame({"frequency": [0, 1, 3], "recency_weeks": [0.0, 2.0, 9.0], "T_weeks": [10.0, 10.0, 10.0]})
    with pytest.warns(clv.ConvergenceWarning, match="a ran to the edge"):
        fit = clv.fit_bgnbd(s)
    assert fit.converged is False


def test_non_converged_fit_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def give_up(fun, x0, **kwargs):
        return optimize.OptimizeResult(x=np.asarray(x0), fun=fun(x0), success=False, message="iteration limit")

    monkeypatch.setattr(clv.optimize, "minimize", give_up)
    s = pd.DataFrame({"frequency": [0, 1, 3], "recency_weeks": [0.0, 2.0, 9.0], "T_weeks": [10.0, 10.0, 10.0]})
    with pytest.warns(clv.ConvergenceWarning, match="DID NOT CONVERGE"):
        fit = clv.fit_bgnbd(s)
    assert fit.converged is False and "iteration limit" in str(fit)


# ---------------------------------------------------------------- formulas, by hand and from the model definition


def test_p_alive_by_hand() -> None:
    s = pd.DataFrame({"frequency": [0, 2], "recency_weeks": [0.0, 30.43], "T_weeks": [38.86, 38.86]})
    # x=0: no purchase to drop out after -> 1.
    # x=2: odds of death = a/(b+x-1) * ((α+T)/(α+t_x))^(r+x)
    #      = 0.793/3.426 * (43.274/34.844)^2.243 = 0.23146 * 1.24194^2.243 = 0.23146 * 1.6258 = 0.37631
    #      P(alive) = 1/1.37631 = 0.72658
    assert clv.p_alive(CDNOW_FIT, s).tolist() == pytest.approx([1.0, 0.72658], abs=2e-4)


def test_expected_purchases_matches_published_cdnow_example() -> None:
    # FHL (2005) worked example: customer with x=2, t_x=30.43, T=38.86 expects 1.226 purchases in the next 39 weeks.
    s = pd.DataFrame({"frequency": [2], "recency_weeks": [30.43], "T_weeks": [38.86]})
    assert clv.expected_purchases(CDNOW_FIT, s, horizon_days=39 * 7).iloc[0] == pytest.approx(1.226, abs=0.001)


def _quadrature(n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes and weights over (λ, p) for the priors Gamma(r, α) × Beta(a, b).

    Generalised Gauss-Laguerre absorbs λ^(r-1) e^(-αλ) and Gauss-Jacobi absorbs p^(a-1) (1-p)^(b-1),
    so the integrands below are smooth and a tensor grid integrates them to many digits.
    """
    r, alpha, a, b = (PUBLISHED_BGNBD[k] for k in ("r", "alpha", "a", "b"))
    y, wy = special.roots_genlaguerre(n, r - 1)
    z, wz = special.roots_jacobi(n, b - 1, a - 1)  # weight (1-z)^(b-1) (1+z)^(a-1) on [-1, 1]
    lam, p = np.meshgrid(y / alpha, (1 + z) / 2, indexing="ij")
    return lam, p, np.outer(wy, wz)


def _model_by_integration(x: int, t_x: float, age: float, t: float) -> tuple[float, float]:
    """P(alive) and E[purchases in (T, T+t]] by integrating the model's definition over λ and p.

    Given λ and p: P(data, alive) = (1-p)^x λ^x e^(-λT); P(data, died after last purchase) =
    p (1-p)^(x-1) λ^x e^(-λ t_x) for x > 0; an alive customer makes (1/p)(1 - e^(-λ p t)) purchases in t.
    """
    lam, p, w = _quadrature()
    alive = (1 - p) ** x * lam**x * np.exp(-lam * age)
    dead = p * (1 - p) ** (x - 1) * lam**x * np.exp(-lam * t_x) if x > 0 else np.zeros_like(lam)
    future = alive * (1 - np.exp(-lam * p * t)) / p
    a_mass, d_mass, f_mass = (float((w * v).sum()) for v in (alive, dead, future))
    return a_mass / (a_mass + d_mass), f_mass / (a_mass + d_mass)


@pytest.mark.parametrize(("x", "t_x", "age"), [(0, 0.0, 30.0), (3, 10.0, 35.0), (8, 37.0, 38.0)])
def test_closed_forms_agree_with_the_model_definition(x: int, t_x: float, age: float) -> None:
    want_alive, want_purchases = _model_by_integration(x, t_x, age, t=20.0)
    s = pd.DataFrame({"frequency": [x], "recency_weeks": [t_x], "T_weeks": [age]})
    assert clv.p_alive(CDNOW_FIT, s).iloc[0] == pytest.approx(want_alive, rel=1e-5)
    assert clv.expected_purchases(CDNOW_FIT, s, horizon_days=140).iloc[0] == pytest.approx(want_purchases, rel=1e-5)


def test_unconditional_expectation_agrees_with_the_model_definition() -> None:
    # E[X(t)] = ∫∫ (1/p)(1 - e^(-λpt)) g(λ) f(p): by quadrature, independent of the 2F1 closed form.
    lam, p, w = _quadrature()
    t = 39.0
    want = float((w * (1 - np.exp(-lam * p * t)) / p).sum() / w.sum())
    assert clv.expected_purchases_unconditional(CDNOW_FIT, horizon_days=t * 7) == pytest.approx(want, rel=1e-5)
    assert clv.expected_purchases_new_customer(CDNOW_FIT, horizon_days=t * 7) == pytest.approx(1 + want, rel=1e-5)


def test_expected_spend_by_hand() -> None:
    fit = GammaGammaFit(p=2.0, q=3.0, gamma=10.0, log_likelihood=0.0, n_customers=1)
    s = pd.DataFrame({"frequency": [0, 1, 4], "monetary_value": [0.0, 50.0, 20.0]})
    # x=0: population mean p·γ/(q-1) = 2·10/2 = 10
    # x=1, m=50: (10 + 50)·2 / (2 + 2) = 30
    # x=4, m=20: (10 + 80)·2 / (8 + 2) = 18
    assert clv.expected_spend(fit, s).tolist() == pytest.approx([10.0, 30.0, 18.0])


def test_clv_table_value_is_purchases_times_spend_without_discounting() -> None:
    gg = GammaGammaFit(p=2.0, q=3.0, gamma=10.0, log_likelihood=0.0, n_customers=1)
    s = pd.DataFrame({"frequency": [4, 0], "recency_weeks": [20.0, 0.0], "T_weeks": [22.0, 30.0],
                      "monetary_value": [20.0, 0.0]}, index=pd.Index(["a", "b"], name="customer_id"))
    t = clv.clv_table(CDNOW_FIT, gg, s, horizon_days=180)
    # expected spend 18 (a) and 10 (b), as in test_expected_spend_by_hand; value = E[purchases] × spend
    assert (t["expected_value"] / t["expected_purchases"]).loc[["a", "b"]].tolist() == pytest.approx([18.0, 10.0])
    assert t.index[0] == "a" and t["expected_value"].is_monotonic_decreasing
    discounted = clv.clv_table(CDNOW_FIT, gg, s, horizon_days=180, discount_rate_annual=0.10)
    assert (discounted["expected_value"] < t["expected_value"]).all()


def test_independence_check_flags_strong_correlation() -> None:
    s = pd.DataFrame({"frequency": [1, 2, 3, 4], "monetary_value": [10.0, 20.0, 30.0, 40.0]})
    check = clv.spend_frequency_independence(s)
    # spend rises exactly with frequency: correlation 1
    assert check.correlation == pytest.approx(1.0) and check.independent is False
    assert "does not hold" in str(check)


def test_purchases_by_frequency_pools_the_top_group() -> None:
    ch = pd.DataFrame({"frequency": [0, 1, 5, 9], "recency_weeks": [0.0, 3.0, 20.0, 25.0], "T_weeks": [30.0] * 4,
                       "frequency_holdout": [0, 1, 3, 5], "holdout_weeks": [10.0] * 4})
    table = clv.purchases_by_frequency(CDNOW_FIT, ch, max_frequency=5)
    # 5 and 9 pool in "5+": mean holdout (3 + 5) / 2 = 4
    assert table["frequency_calibration"].tolist() == [0, 1, 5]
    assert table["customers"].tolist() == [1, 1, 2]
    assert table["actual_holdout"].tolist() == [0.0, 1.0, 4.0]


# ---------------------------------------------------------------- CDNOW reference (Fader, Hardie & Lee 2005)


def _published_summary(cdnow_sample_path: Path) -> pd.DataFrame:
    raw = pd.read_csv(cdnow_sample_path.parent / "cdnow_customers_summary_with_transactions.csv")
    return pd.DataFrame({"frequency": raw["x"], "recency_weeks": raw["t_x"], "T_weeks": raw["T"],
                         "monetary_value": raw["zbar"]}).set_index(raw["ID"].rename("customer_id"))


def test_cdnow_bgnbd_reproduces_published_parameters(cdnow_sample_path: Path) -> None:
    fit = clv.fit_bgnbd(_published_summary(cdnow_sample_path))
    assert fit.converged
    for name, published in PUBLISHED_BGNBD.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.01), name
    assert fit.log_likelihood == pytest.approx(PUBLISHED_LL, abs=0.05)


def test_cdnow_gamma_gamma_reproduces_published_parameters(cdnow_sample_path: Path) -> None:
    summary = _published_summary(cdnow_sample_path)
    assert clv.spend_frequency_independence(summary).independent  # checked before fitting, as the note does
    fit = clv.fit_gamma_gamma(summary)
    assert fit.converged and fit.n_customers == 946
    for name, published in PUBLISHED_GG.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.02), name


def test_cdnow_summary_built_from_transactions_matches_the_published_one(cdnow_sample_path: Path) -> None:
    tx = data.load_transactions(cdnow_sample_path, pseudonymise_ids=False)
    mine = clv.customer_summary(tx, observation_end="1997-09-30")
    # The summary file numbers customers 1..2357 (column 2 of the sample); the loader keeps the master ID.
    ids = pd.read_csv(cdnow_sample_path, sep=r"\s+", header=None, dtype=str).drop_duplicates(0).set_index(0)[1].astype(int)
    mine.index = mine.index.map(ids)
    published = _published_summary(cdnow_sample_path)
    mine = mine.loc[published.index]
    assert len(mine) == 2357 and int(mine["frequency"].sum()) == 2457
    assert (mine["frequency"] == published["frequency"]).all()
    for column in ("recency_weeks", "T_weeks", "monetary_value"):
        assert np.abs(mine[column] - published[column]).max() <= 0.005 + 1e-9, column  # the file rounds to 2 decimals
    fit = clv.fit_bgnbd(mine)
    for name, value in PUBLISHED_BGNBD.items():
        assert getattr(fit, name) == pytest.approx(value, rel=0.01), name


def test_cdnow_holdout_predictions_track_actuals(cdnow_sample_path: Path) -> None:
    tx = data.load_transactions(cdnow_sample_path, pseudonymise_ids=False)
    ch = clv.calibration_holdout_summary(tx, calibration_end="1997-09-30", holdout_end="1998-06-30")
    with warnings.catch_warnings():
        warnings.simplefilter("error", clv.ConvergenceWarning)
        fit = clv.fit_bgnbd(ch)
    table = clv.purchases_by_frequency(fit, ch)
    assert table["customers"].sum() == 2357 and ch["holdout_weeks"].iloc[0] == 39.0
    # Holdout weeks 40-78: 1,882 actual repeat purchase days; the model predicts about 1,650 (measured),
    # an under-forecast of ~12%. Guard the overall level and the ordering that the plot shows.
    predicted = (table["predicted_holdout"] * table["customers"]).sum()
    assert int(ch["frequency_holdout"].sum()) == 1882
    assert predicted == pytest.approx(1882, rel=0.15)
    assert table["predicted_holdout"].is_monotonic_increasing and table["actual_holdout"].iloc[-1] > 5
