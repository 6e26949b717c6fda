"""Property tests (Hypothesis) on the core helpers: identities that must hold for ANY input.

Each property is one a user relies on without checking: every line is accounted for,
RFM and cohort totals add up to the cleaned data, tokens never leak the value they
hide, and working-day counts never go backwards. Example counts are bounded so the
file runs in a few seconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import compliance, consumption
from helpers.data import CLEANING_REASONS, clean_transactions, pseudonym, pseudonymise

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

order_ids = st.sampled_from(["1", "2", "3", "C3", "c4", "5", "O6", "7"])
customer_ids = st.one_of(st.none(), st.sampled_from(["", " ", "a", "b", "c", "d", "007"]))
quantities = st.integers(min_value=-3, max_value=4)
prices = st.sampled_from([-2.5, 0.0, 0.01, 1.0, 9.99, 120.0])
days = st.dates(min_value=dt.date(2023, 11, 1), max_value=dt.date(2024, 4, 30))


@st.composite
def transaction_frames(draw: st.DrawFn, min_size: int = 0) -> pd.DataFrame:
    rows = draw(st.lists(st.tuples(order_ids, customer_ids, days, quantities, prices), min_size=min_size, max_size=30))
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "quantity", "unit_price"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["quantity"] = frame["quantity"].astype("int64")
    frame["unit_price"] = frame["unit_price"].astype("float64")
    frame["amount"] = frame["quantity"] * frame["unit_price"]
    return frame


@FAST
@given(transaction_frames())
def test_every_line_in_is_kept_or_dropped_for_exactly_one_reason(tx: pd.DataFrame) -> None:
    before = tx.copy()
    clean, report = clean_transactions(tx)
    pd.testing.assert_frame_equal(tx, before)  # input not mutated
    assert report.rows_in == len(tx)
    assert report.rows_kept == len(clean)
    assert report.rows_in == report.rows_kept + report.rows_dropped
    assert set(report.dropped) == set(CLEANING_REASONS)
    assert all(count >= 0 for count in report.dropped.values())
    # What is kept obeys every rule, and is a subset of the input lines.
    assert clean.index.isin(tx.index).all()
    assert clean["customer_id"].notna().all() and (clean["customer_id"].str.strip() != "").all()
    assert not clean["order_id"].str.upper().str.startswith("C").any()
    assert (clean["quantity"] > 0).all() and (clean["unit_price"] > 0).all()
    assert not clean.duplicated().any()
    # Independently of the implementation: the kept lines are the distinct lines passing the rules.
    ok = (tx["customer_id"].notna() & (tx["customer_id"].str.strip() != "")
          & ~tx["order_id"].str.upper().str.startswith("C") & (tx["quantity"] > 0) & (tx["unit_price"] > 0))
    pd.testing.assert_frame_equal(clean, tx.loc[ok.fillna(False).astype(bool)].drop_duplicates())


def _clean_nonempty(tx: pd.DataFrame) -> pd.DataFrame:
    clean, _ = clean_transactions(tx)
    return clean


@FAST
@given(transaction_frames(min_size=1))
def test_rfm_totals_equal_the_cleaned_amounts(tx: pd.DataFrame) -> None:
    clean = _clean_nonempty(tx)
    if clean.empty:
        return
    rfm = consumption.rfm_table(clean)
    assert len(rfm) == clean["customer_id"].nunique()
    assert rfm["customer_id"].is_unique
    assert np.isclose(rfm["monetary_hkd"].sum(), clean["amount"].sum(), rtol=1e-12, atol=1e-9)
    assert rfm["frequency_orders"].sum() == len(clean[["customer_id", "order_id"]].drop_duplicates())
    assert (rfm["recency_days"] >= 1).all()  # as_of is the day after the last order
    assert rfm[["r_score", "f_score", "m_score"]].isin(range(1, 6)).all().all()
    curve = consumption.pareto_curve(clean)
    assert np.isclose(curve["revenue_hkd"].sum(), clean["amount"].sum())
    assert np.isclose(curve["cumulative_revenue_share"].iloc[-1], 1.0)
    assert curve["cumulative_revenue_share"].is_monotonic_increasing


@FAST
@given(transaction_frames(min_size=1), st.sampled_from(["M", "Q", "W"]))
def test_cohort_sizes_sum_to_the_number_of_customers(tx: pd.DataFrame, period: str) -> None:
    clean = _clean_nonempty(tx)
    if clean.empty:
        return
    cohorts = consumption.cohort_retention(clean, period=period)
    sizes = cohorts.groupby("cohort")["cohort_size"].agg(["min", "max"])
    assert (sizes["min"] == sizes["max"]).all()  # one size per cohort
    assert sizes["max"].sum() == clean["customer_id"].nunique()
    first = cohorts[cohorts["periods_since_first"] == 0]
    assert (first["customers"] == first["cohort_size"]).all()
    assert (cohorts["customers"] <= cohorts["cohort_size"]).all()
    assert cohorts["retention_rate"].between(0, 1).all()


keys = st.one_of(st.none(), st.text(min_size=1, max_size=12))
values = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-10**12, max_value=10**12),
    st.emails(),
    st.from_regex(r"[235679]\d{3} ?\d{4}", fullmatch=True),
)


@FAST
@given(values, keys)
def test_pseudonym_is_stable_and_never_the_input(value: object, key: str | None) -> None:
    token = pseudonym(value, key)
    assert token == pseudonym(value, key)
    assert token != str(value)
    assert pseudonym(token, key) != token  # pseudonymising twice does not give the token back
    assert token.startswith("cus_") and len(token) == 20


@FAST
@given(st.lists(st.one_of(st.none(), st.text(min_size=1, max_size=10)), min_size=1, max_size=25), keys)
def test_pseudonymise_keeps_joins_and_missing_values(column: list[str | None], key: str | None) -> None:
    frame = pd.DataFrame({"customer_id": pd.array(column, dtype="string")})
    out = pseudonymise(frame, ["customer_id"], key=key)
    again = pseudonymise(frame, ["customer_id"], key=key)
    pd.testing.assert_frame_equal(out, again)
    assert frame["customer_id"].tolist() == pd.array(column, dtype="string").tolist()  # not mutated
    assert (out["customer_id"].isna() == frame["customer_id"].isna()).all()
    known = frame["customer_id"].notna()
    assert not (out.loc[known, "customer_id"] == frame.loc[known, "customer_id"]).any()
    # Equal inputs, equal tokens; different inputs, different tokens (joins still work).
    pairs = pd.DataFrame({"raw": frame.loc[known, "customer_id"], "token": out.loc[known, "customer_id"]}).drop_duplicates()
    assert pairs["raw"].is_unique and pairs["token"].is_unique


dates = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2027, 12, 31))


@FAST
@given(dates, st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=60))
def test_working_days_are_monotone_in_the_end_date(start: dt.date, span: int, extra: int) -> None:
    end = start + dt.timedelta(days=span)
    later = end + dt.timedelta(days=extra)
    counted = compliance.working_days_between(start, end)
    counted_later = compliance.working_days_between(start, later)
    assert 0 <= counted <= counted_later
    # At most one working day per calendar day, and no more than five in any seven days.
    assert counted_later - counted <= extra
    assert counted_later - counted <= 5 * (extra // 7) + min(extra % 7, 5)
    # Adding a storm-warning day can only lower the count, by at most one.
    warned = compliance.working_days_between(start, later, warning_days=[later.isoformat()])
    assert counted_later - 1 <= warned <= counted_later


@FAST
@given(dates, st.integers(min_value=1, max_value=60))
def test_deadline_is_exactly_n_working_days_later(start: dt.date, n: int) -> None:
    deadline = compliance.working_day_deadline(start.isoformat(), n)
    assert compliance.working_days_between(start, deadline) == n
    assert compliance.working_days_between(start, deadline - pd.Timedelta(days=1)) == n - 1
    assert compliance.working_day_deadline(start.isoformat(), n + 1) > deadline


@FAST
@given(st.lists(st.lists(st.integers(min_value=0, max_value=40), min_size=18, max_size=18), min_size=1, max_size=40))
def test_duplicate_lines_found_exactly_even_when_keys_must_be_renumbered(rows: list[list[int]]) -> None:
    from helpers.data import _duplicated_rows

    # 18 columns of up to 41 values: the folded key would pass 2**62 without renumbering.
    frame = pd.DataFrame(rows, columns=[f"c{i}" for i in range(18)])
    frame = pd.concat([frame, frame.iloc[::2]], ignore_index=True)  # plant repeats
    keep = pd.Series(True, index=frame.index)
    pd.testing.assert_series_equal(_duplicated_rows(frame, keep), frame.duplicated(keep="first"), check_names=False)
