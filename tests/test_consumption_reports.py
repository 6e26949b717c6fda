"""The consumption chapter on the real UCI Online Retail file (541,909 lines).

Both tests read ../shared/data through the conftest fixtures and skip cleanly when it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from helpers import consumption, data

from conftest import PROJECT
NOTEBOOK = PROJECT / "notebooks" / "01_consumption_patterns.ipynb"


def test_notebook_on_uci_reconciles(online_retail_path: Path, tmp_path: Path) -> None:
    import papermill

    out_dir = tmp_path / "out"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "report.ipynb"),
        parameters={"data_path": str(online_retail_path), "output_dir": str(out_dir), "currency": "£"},
        cwd=str(NOTEBOOK.parent),
        kernel_name="python3",
        progress_bar=False,
    )
    metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["rows_in"] == 541_909
    assert metrics["rows_in"] == metrics["rows_kept"] + sum(metrics["dropped"].values())
    # Published figure: 135,080 lines without CustomerID (shared/data/README.md).
    assert metrics["dropped"]["missing_customer_id"] == 135_080
    assert {"customers", "orders", "revenue", "top20_revenue_share", "first_cohort", "first_cohort_retention"} <= set(metrics)
    assert metrics["first_cohort"]["label"] == "2010-12"
    assert set(metrics["first_cohort_retention"]) == {"1", "2", "3"}
    assert 0.5 < metrics["top20_revenue_share"] < 1
    rfm = pd.read_csv(out_dir / "rfm.csv", dtype={"customer_id": str})
    assert len(rfm) == metrics["customers"]
    # Only pseudonymised keys leave the notebook: no 5-digit UCI customer numbers.
    assert rfm["customer_id"].str.fullmatch(r"cus_[0-9a-f]{16}").all()
    cohorts = pd.read_csv(out_dir / "cohort_retention.csv")
    assert cohorts.loc[cohorts["periods_since_first"] == 0, "cohort_size"].sum() == metrics["customers"]


def test_rfm_on_uci_matches_plain_pandas(online_retail_path: Path) -> None:
    # Independent computation straight from the file, with the cleaning rules written out here:
    # keep lines with a CustomerID, not a cancellation ('C' invoice) and quantity > 0, price > 0, no exact repeats.
    raw = pd.read_csv(online_retail_path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    keep = (
        raw["CustomerID"].notna()
        & ~raw["InvoiceNo"].str.upper().str.startswith("C")
        & (raw["Quantity"] > 0)
        & (raw["UnitPrice"] > 0)
    )
    plain = raw.loc[keep].drop_duplicates()
    plain_customers = plain["CustomerID"].nunique()
    plain_revenue = (plain["Quantity"] * plain["UnitPrice"]).sum()
    plain_orders = plain.groupby("CustomerID")["InvoiceNo"].nunique()

    tx, _ = data.load_clean_transactions(online_retail_path)
    rfm = consumption.rfm_table(tx)
    assert len(rfm) == plain_customers
    assert round(rfm["monetary_hkd"].sum(), 2) == round(plain_revenue, 2)
    assert rfm["frequency_orders"].sum() == plain_orders.sum()
    assert sorted(rfm["frequency_orders"].tolist()) == sorted(plain_orders.tolist())


def test_cdnow_sections_without_data_are_detected(cdnow_master_path: Path) -> None:
    # CDNOW has dates without a time of day and no product, device or web-session data.
    tx, report = data.load_clean_transactions(cdnow_master_path)
    assert report.rows_in == 69_659
    gaps = consumption.data_gaps(tx)
    assert gaps["rfm"] == "" and gaps["cohorts"] == "" and gaps["pareto"] == ""
    assert "time of day" in gaps["time_of_day"]
    assert "product" in gaps["baskets"]
    assert gaps["factors"] != "" and gaps["web_sessions"] != "" and gaps["promotions"] != ""
    assert consumption.hour_weekday_orders(tx).empty and consumption.product_pairs(tx).empty
    # Every CDNOW customer made a first purchase in Q1 1997 (published). Cleaning drops $0 lines, so a customer
    # whose Q1 purchases were all $0 starts later: Q1 cohorts = customers with a positive Q1 purchase (plain pandas).
    raw = pd.read_csv(cdnow_master_path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    positive_q1 = raw.loc[(raw["dollar_value"] > 0) & (raw["date"] < "19970401"), "customer_id"].nunique()
    cohorts = consumption.cohort_retention(tx)
    sizes = cohorts.loc[cohorts["periods_since_first"] == 0].set_index("cohort")["cohort_size"]
    assert sizes.index[:3].tolist() == ["1997-01", "1997-02", "1997-03"]
    assert sizes.iloc[:3].sum() == positive_q1
