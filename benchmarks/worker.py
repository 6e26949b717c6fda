"""One approach on one file, in its own process: time and peak memory of each step.

Run by ``benchmarks/run.py`` as ``python benchmarks/worker.py APPROACH FILE LAYOUT OUT_DIR``.
Writes ``OUT_DIR/result.json`` (per step: wall seconds, peak resident memory) and each
step's result as Parquet, which ``run.py`` compares across approaches before any time
is compared.

Peak memory is the process's resident set high-water mark (``VmHWM``), reset before each
step through ``/proc/self/clear_refs`` so that each step gets its own peak; it counts
everything the process holds (Python, pandas, DuckDB's native buffers, the data loaded
by earlier steps), which is what a user's machine has to provide. Where the reset is not
allowed, ``ru_maxrss`` (peak since start) is reported instead and marked as such.

Approaches:

* ``helpers``: ``data.load_clean_transactions``, ``consumption.rfm_table``,
  ``consumption.cohort_retention``, ``consumption.pareto_curve``, ``clv.customer_summary``.
* ``pandas``: what tutorials teach: ``read_csv``, boolean filters, ``drop_duplicates``, then
  ``groupby(customer).apply(...)`` per customer for RFM, cohort month and revenue.
* ``lifetimes``: ``lifetimes.utils.summary_data_from_transaction_data`` (frequency, recency,
  T, monetary value per customer) on the textbook-cleaned frame.
* ``duckdb``: SQL over the same file (``read_csv``), results fetched as pandas frames.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

LAYOUTS = {
    "uci": {"order_id": "InvoiceNo", "customer_id": "CustomerID", "order_date": "InvoiceDate",
            "quantity": "Quantity", "unit_price": "UnitPrice", "product_id": "StockCode"},
    "canonical": {"order_id": "order_id", "customer_id": "customer_id", "order_date": "order_date",
                  "quantity": "quantity", "unit_price": "unit_price", "product_id": "product_id"},
}


class Meter:
    """Wall time and peak RSS per step."""

    def __init__(self, progress: Path | None = None) -> None:
        self.steps: dict[str, dict[str, float | str]] = {}
        self.progress = progress
        self.resettable = self._reset()

    @staticmethod
    def _reset() -> bool:
        try:
            with open("/proc/self/clear_refs", "w") as handle:
                handle.write("5")
            return True
        except OSError:
            return False

    @staticmethod
    def _peak_bytes() -> int:
        try:
            with open("/proc/self/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def run(self, name: str, func, *args):
        self._reset()
        began = time.perf_counter()
        result = func(*args)
        seconds = time.perf_counter() - began
        self.steps[name] = {"seconds": seconds, "peak_rss_bytes": self._peak_bytes(),
                            "peak_kind": "step" if self.resettable else "since_start"}
        if self.progress is not None:  # steps done so far survive a time-out
            self.progress.write_text(json.dumps({"steps": self.steps}))
        return result


# --------------------------------------------------------------------------- helpers


def run_helpers(path: str, layout: str, out: Path, meter: Meter) -> dict:
    from helpers import clv, consumption, data

    tx, report = meter.run("load_clean", data.load_clean_transactions, path)
    info = {"rows_kept": int(report.rows_kept), "amount_total": float(tx["amount"].sum()), "keys": "pseudonymised"}
    rfm = meter.run("rfm", consumption.rfm_table, tx)
    rfm[["customer_id", "recency_days", "frequency_orders", "monetary_hkd"]].rename(
        columns={"monetary_hkd": "monetary"}).to_parquet(out / "rfm.parquet")
    cohorts = meter.run("cohort", consumption.cohort_retention, tx, "M")
    cohorts = cohorts.loc[cohorts["customers"] > 0, ["cohort", "periods_since_first", "customers"]]
    cohorts.rename(columns={"periods_since_first": "period"}).to_parquet(out / "cohort.parquet")
    curve = meter.run("pareto", consumption.pareto_curve, tx)
    curve[["customer_id", "revenue_hkd"]].rename(columns={"revenue_hkd": "revenue"}).to_parquet(out / "pareto.parquet")
    end = tx["order_date"].max().normalize()
    summary = meter.run("btyd_summary", lambda: clv.customer_summary(tx, observation_end=end, time_unit="days"))
    summary.reset_index()[["customer_id", "frequency", "recency_days", "T_days", "monetary_value"]].to_parquet(
        out / "btyd_summary.parquet")
    return info


# --------------------------------------------------------------------------- textbook pandas


def textbook_load_clean(path: str, layout: str) -> pd.DataFrame:
    names = LAYOUTS[layout]
    df = pd.read_csv(path)
    df = df.rename(columns={v: k for k, v in names.items()})
    df = df.dropna(subset=["customer_id"])
    df = df[~df["order_id"].astype(str).str.upper().str.startswith("C")]
    df = df[df["quantity"] > 0]
    df = df[df["unit_price"] > 0]
    df = df.drop_duplicates()
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["amount"] = df["quantity"] * df["unit_price"]
    return df


def textbook_rfm(df: pd.DataFrame) -> pd.DataFrame:
    as_of = df["order_date"].max().normalize() + pd.Timedelta(days=1)
    rfm = df.groupby("customer_id").apply(
        lambda g: pd.Series({
            "recency_days": (as_of - g["order_date"].max().normalize()).days,
            "frequency_orders": g["order_id"].nunique(),
            "monetary": g["amount"].sum(),
        })
    )
    return rfm.reset_index()


def textbook_cohort(df: pd.DataFrame) -> pd.DataFrame:
    month = df["order_date"].dt.to_period("M")
    first = df.groupby("customer_id").apply(lambda g: g["order_date"].min().to_period("M"))
    cohort = df["customer_id"].map(first)
    period = (month.dt.year - cohort.map(lambda p: p.year)) * 12 + (month.dt.month - cohort.map(lambda p: p.month))
    table = pd.DataFrame({"cohort": cohort.astype(str), "period": period, "customer_id": df["customer_id"]})
    return table.groupby(["cohort", "period"])["customer_id"].nunique().rename("customers").reset_index()


def textbook_pareto(df: pd.DataFrame) -> pd.DataFrame:
    revenue = df.groupby("customer_id").apply(lambda g: (g["quantity"] * g["unit_price"]).sum())
    revenue = revenue.sort_values(ascending=False)
    curve = pd.DataFrame({"customer_id": revenue.index, "revenue": revenue.to_numpy()})
    curve["cumulative_revenue_share"] = curve["revenue"].cumsum() / curve["revenue"].sum()
    return curve


def run_pandas(path: str, layout: str, out: Path, meter: Meter) -> dict:
    df = meter.run("load_clean", textbook_load_clean, path, layout)
    info = {"rows_kept": len(df), "amount_total": float(df["amount"].sum()), "keys": "raw"}
    rfm = meter.run("rfm", textbook_rfm, df)
    _raw_keys(rfm).to_parquet(out / "rfm.parquet")
    meter.run("cohort", textbook_cohort, df).to_parquet(out / "cohort.parquet")
    _raw_keys(meter.run("pareto", textbook_pareto, df)[["customer_id", "revenue"]]).to_parquet(out / "pareto.parquet")
    return info


def _raw_keys(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["customer_id"] = out["customer_id"].astype(str)
    return out


# --------------------------------------------------------------------------- lifetimes


def run_lifetimes(path: str, layout: str, out: Path, meter: Meter) -> dict:
    warnings.filterwarnings("ignore")
    from lifetimes.utils import summary_data_from_transaction_data

    df = textbook_load_clean(path, layout)  # lifetimes has no loader: not timed
    end = df["order_date"].max().normalize()
    summary = meter.run(
        "btyd_summary",
        lambda: summary_data_from_transaction_data(
            df, "customer_id", "order_date", monetary_value_col="amount", observation_period_end=end, freq="D"),
    )
    summary = summary.reset_index().rename(columns={"recency": "recency_days", "T": "T_days"})
    _raw_keys(summary[["customer_id", "frequency", "recency_days", "T_days", "monetary_value"]]).to_parquet(
        out / "btyd_summary.parquet")
    return {"keys": "raw"}


# --------------------------------------------------------------------------- DuckDB


def run_duckdb(path: str, layout: str, out: Path, meter: Meter) -> dict:
    import duckdb

    n = LAYOUTS[layout]
    con = duckdb.connect()
    ids = ", ".join(f"'{n[c]}': 'VARCHAR'" for c in ("order_id", "customer_id", "product_id"))

    def load_clean():
        # Same rules as the helpers: customer present, no cancellation, positive quantity and price,
        # exact duplicate lines once.
        con.execute(f"""
            CREATE TABLE clean AS SELECT DISTINCT * FROM read_csv('{path}', header = true, types = {{{ids}}})
            WHERE {n['customer_id']} IS NOT NULL AND trim({n['customer_id']}) <> ''
              AND NOT upper({n['order_id']}) LIKE 'C%' AND {n['quantity']} > 0 AND {n['unit_price']} > 0""")
        con.execute(f"""
            CREATE VIEW tx AS SELECT {n['order_id']} AS order_id, {n['customer_id']} AS customer_id,
              CAST({n['order_date']} AS TIMESTAMP) AS order_date,
              CAST({n['quantity']} AS DOUBLE) * CAST({n['unit_price']} AS DOUBLE) AS amount FROM clean""")
        return con.execute("SELECT count(*), sum(amount) FROM tx").fetchone()

    rows, total = meter.run("load_clean", load_clean)
    info = {"rows_kept": int(rows), "amount_total": float(total), "keys": "raw"}
    rfm = meter.run("rfm", lambda: con.execute("""
        WITH o AS (SELECT customer_id, order_id, min(order_date) AS d, sum(amount) AS amt FROM tx GROUP BY ALL),
             r AS (SELECT CAST(max(d) AS DATE) + 1 AS as_of FROM o)
        SELECT customer_id, date_diff('day', CAST(max(d) AS DATE), (SELECT as_of FROM r)) AS recency_days,
               count(*) AS frequency_orders, sum(amt) AS monetary
        FROM o GROUP BY customer_id ORDER BY customer_id""").df())
    rfm.to_parquet(out / "rfm.parquet")
    cohort = meter.run("cohort", lambda: con.execute("""
        WITH a AS (SELECT DISTINCT customer_id, date_trunc('month', order_date) AS m FROM tx),
             f AS (SELECT customer_id, min(m) AS c FROM a GROUP BY customer_id)
        SELECT strftime(c, '%Y-%m') AS cohort, date_diff('month', c, m) AS period, count(*) AS customers
        FROM a JOIN f USING (customer_id) GROUP BY ALL ORDER BY 1, 2""").df())
    cohort.to_parquet(out / "cohort.parquet")
    pareto = meter.run("pareto", lambda: con.execute("""
        WITH c AS (SELECT customer_id, sum(amount) AS revenue FROM tx GROUP BY customer_id)
        SELECT customer_id, revenue,
               sum(revenue) OVER (ORDER BY revenue DESC, customer_id ROWS UNBOUNDED PRECEDING) / sum(revenue) OVER ()
                 AS cumulative_revenue_share
        FROM c ORDER BY revenue DESC, customer_id""").df())
    pareto[["customer_id", "revenue"]].to_parquet(out / "pareto.parquet")
    btyd = meter.run("btyd_summary", lambda: con.execute("""
        WITH d AS (SELECT customer_id, CAST(order_date AS DATE) AS day, sum(amount) AS amt FROM tx GROUP BY ALL),
             e AS (SELECT max(day) AS last_day FROM d),
             p AS (SELECT customer_id, count(*) - 1 AS frequency, min(day) AS first_day, max(day) AS last_day,
                          sum(amt) AS total, arg_min(amt, day) AS first_amt FROM d GROUP BY customer_id)
        SELECT customer_id, frequency, date_diff('day', first_day, p.last_day) AS recency_days,
               date_diff('day', first_day, (SELECT last_day FROM e)) AS T_days,
               CASE WHEN frequency > 0 THEN (total - first_amt) / frequency ELSE 0 END AS monetary_value
        FROM p ORDER BY customer_id""").df())
    btyd.to_parquet(out / "btyd_summary.parquet")
    return info


APPROACHES = {"helpers": run_helpers, "pandas": run_pandas, "lifetimes": run_lifetimes, "duckdb": run_duckdb}


def main() -> None:
    approach, path, layout, out = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    out.mkdir(parents=True, exist_ok=True)
    meter = Meter(out / "progress.json")
    info = APPROACHES[approach](path, layout, out, meter)
    (out / "result.json").write_text(json.dumps({"approach": approach, "steps": meter.steps, "info": info}, indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
