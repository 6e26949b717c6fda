"""Notebook 02 as a report on histories too short, too small or too regular for BG/NBD: it explains and goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from helpers import clv, data

from conftest import PROJECT
NOTEBOOK = PROJECT / "notebooks" / "02_retention_tactics.ipynb"
MODEL_KEYS = ("bgnbd_params", "bgnbd_converged", "gamma_gamma_params", "expected_purchases_next_period",
              "at_risk_customers", "win_back_customers")


def _run(csv: Path, tmp_path: Path, **parameters: str) -> tuple[dict, str, list[str]]:
    import papermill

    out = tmp_path / "report"
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "run.ipynb"),
                               parameters={"data_path": str(csv), "output_dir": str(out), **parameters},  # horizon_days keeps its default, 90
                               cwd=str(PROJECT / "notebooks"), kernel_name="python3", progress_bar=False)
    text = json.loads((tmp_path / "run.ipynb").read_text())
    shown = "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/markdown", ""))
                      for cell in text["cells"] for o in cell.get("outputs", []))
    return json.loads((out / "metrics.json").read_text()), shown, (out / "clv.csv").read_text().splitlines()


def test_one_month_export_skips_the_model_sections_and_still_writes_metrics(tmp_path: Path) -> None:
    tx = data.load_transactions(data.bundled_data_dir())
    first = tx["order_date"].min().normalize()
    month = tx[tx["order_date"] < first + pd.Timedelta(days=30)]  # 30 calendar days of orders
    csv = tmp_path / "one_month.csv"
    month.to_csv(csv, index=False)
    metrics, shown, clv_rows = _run(csv, tmp_path)
    days = (month["order_date"].max().normalize() + pd.Timedelta(days=1) - first).days  # analysis date = day after the last order
    assert days == 30 and metrics["history_days"] == 30 and metrics["history_days_needed"] == 90
    assert all(metrics[key] is None for key in MODEL_KEYS), {k: metrics[k] for k in MODEL_KEYS}
    assert metrics["customers"] == month["customer_id"].nunique() and metrics["horizon_days"] == 90
    # plain words: days covered, days needed, the parameter to change (30 // 2 = 15 for the check, 30 for the forecast)
    assert "needs at least 180 days of history" in shown and "Set `horizon_days` to 15 or less" in shown
    assert "needs at least 90 days of history" in shown and "Set `horizon_days` to 30 or less" in shown
    assert "covers 30 days" in shown
    assert clv_rows == [",".join(clv.CLV_EXPORT_COLUMNS)]


def test_a_fit_that_does_not_converge_is_explained_and_skipped(tmp_path: Path) -> None:
    # 40 customers who each buy every 7 days from their first order until the last week of the data: nobody
    # drops out and nobody varies, so the BG/NBD likelihood keeps rising towards the edge of the search range
    visits = [(f"C{c:03d}", pd.Timestamp("2025-01-01 10:00") + pd.Timedelta(days=c + 7 * k)) for c in range(40) for k in range(58)]
    visits = [(customer, day) for customer, day in visits if day < pd.Timestamp("2026-01-31")]
    tx = pd.DataFrame({"order_id": [f"O{i}" for i in range(len(visits))], "customer_id": [c for c, _ in visits],
                       "order_date": [d for _, d in visits], "product_id": "P1", "quantity": 1, "unit_price": 100.0, "amount": 100.0})
    csv = tmp_path / "regular.csv"
    tx.to_csv(csv, index=False)
    metrics, shown, clv_rows = _run(csv, tmp_path)
    assert metrics["bgnbd_converged"] is False and metrics["customers"] == 40
    assert all(metrics[key] is None for key in MODEL_KEYS if key not in ("bgnbd_params", "bgnbd_converged"))
    assert "fit did not converge" in shown and "ran to the edge of the search range" in shown
    assert clv_rows == [",".join(clv.CLV_EXPORT_COLUMNS)]


def test_bundled_shop_with_an_early_analysis_date_runs_every_section(tmp_path: Path) -> None:
    # as of 15 Dec 2024 the shop is 44 days old (first order 1 Nov 2024): a few campaigns have closed, the coupon test
    # and loyalty snapshots have not happened, no customer has a complete first year and no BG/NBD section can run
    metrics, shown, clv_rows = _run(data.bundled_data_dir(), tmp_path, as_of="2024-12-15")
    assert metrics["history_days"] == 44 and all(metrics[key] is None for key in MODEL_KEYS)
    assert metrics["campaigns"] >= 1 and all(not key.startswith("coupon:") for key in metrics["experiments"])
    assert "needs the shop's coupons table(s)" in shown and "needs the shop's loyalty and customers table(s)" in shown
    assert "Set `horizon_days` to 22 or less" in shown and "nan%" not in shown
    assert clv_rows == [",".join(clv.CLV_EXPORT_COLUMNS)]
