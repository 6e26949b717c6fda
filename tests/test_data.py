"""Loaders, validation errors, cleaning accounting and pseudonymisation (helpers/data.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from helpers import data
from helpers.data import DataValidationError, clean_transactions, load_transactions, pseudonymise

UCI_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def write(path: Path, text: str, *, gz: bool = False, encoding: str = "utf-8") -> Path:
    raw = text.encode(encoding)
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


# ---------------------------------------------------------------- layouts


def test_uci_layout_is_recognised_without_a_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path / "retail.csv.gz",
        UCI_HEADER
        + "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
        + "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527,United Kingdom\n",
        gz=True,
    )
    tx = load_transactions(path, pseudonymise_ids=False)
    assert list(tx.columns[:3]) == ["order_id", "customer_id", "order_date"]
    assert tx["customer_id"].tolist() == ["17850", "14527"]  # text, no trailing .0
    assert tx["amount"].tolist() == pytest.approx([6 * 2.55, -27.5])
    assert tx["order_date"].iloc[0] == pd.Timestamp("2010-12-01 08:26")
    assert tx["country"].iloc[0] == "United Kingdom"


def test_uci_spreadsheet_dates_month_first_are_read(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", UCI_HEADER + "1,A,x,1,12/1/2010 8:26,1.0,1,UK\n2,A,x,1,1/12/2011 17:05,1.0,1,UK\n")
    tx = load_transactions(path)
    assert tx["order_date"].tolist() == [pd.Timestamp("2010-12-01 08:26"), pd.Timestamp("2011-01-12 17:05")]


def test_cdnow_master_and_sample_layouts(tmp_path: Path) -> None:
    master = write(tmp_path / "m.txt", "customer_id  date number_of_cds  dollar_value\r\n 00001 19970101 1  11.77\r\n 00002 19970112 2  12.00\r\n")
    sample = write(tmp_path / "s.txt", " 00004  0001 19970101 2  29.33\r\n 00004  0001 19970118 2  29.73\r\n")
    tx = load_transactions(master, pseudonymise_ids=False)
    assert tx["customer_id"].tolist() == ["00001", "00002"]
    assert tx["order_date"].tolist() == [pd.Timestamp("1997-01-01"), pd.Timestamp("1997-01-12")]
    assert tx["quantity"].tolist() == [1, 2] and tx["amount"].tolist() == [11.77, 12.0]
    tx = load_transactions(sample, pseudonymise_ids=False)
    # The master ID (column 1) identifies the customer, not the sample's own numbering.
    assert tx["customer_id"].unique().tolist() == ["00004"]
    assert tx["order_id"].nunique() == 2


def test_any_layout_through_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "own.csv", "household_id;basket;day;qty;price\n0042;B1;2024-02-29;2;10,5\n".replace("10,5", "10.5"))
    tx = load_transactions(
        path,
        columns={"customer_id": "household_id", "order_id": "basket", "order_date": "day", "quantity": "qty", "unit_price": "price"},
        pseudonymise_ids=False,
    )
    assert tx.loc[0, "customer_id"] == "0042"  # leading zeros kept
    assert tx.loc[0, "amount"] == pytest.approx(21.0)


def test_excel_and_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"order_id": ["1", "2"], "customer_id": ["a", "b"], "order_date": ["2024-01-01", "2024-01-02"], "amount": [1.5, 2.5]}
    )
    frame.to_parquet(tmp_path / "t.parquet")
    with pd.ExcelWriter(tmp_path / "t.xlsx") as writer:
        pd.DataFrame().to_excel(writer, sheet_name="Cover", index=False)
        frame.to_excel(writer, sheet_name="Data", index=False)
    for name in ("t.parquet", "t.xlsx"):
        tx = load_transactions(tmp_path / name)
        assert tx["amount"].sum() == pytest.approx(4.0), name
        assert pd.api.types.is_datetime64_any_dtype(tx["order_date"]), name


def test_bundled_folder_loads(tmp_path: Path) -> None:
    tx = load_transactions(data.bundled_data_dir())
    assert len(tx) > 10_000
    assert tx["customer_id"].dropna().str.startswith("cus_").all()


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("content", "column", "fragment"),
    [
        ("", None, "empty"),
        ("order_id,customer_id,order_date,amount\n", None, "header only"),
        ("order_id,order_date,amount\n1,2024-01-01,5\n", "customer_id", "known layout"),
        ("order_id,customer_id,order_date,amount\n1,a,2024-01-01,5\n2,b,31/02/2024,5\n", "order_date", "row 3"),
        ("order_id,customer_id,order_date,amount\n1,a,2024-01-01,five\n", "amount", "five"),
        ("order_id,customer_id,order_date,quantity,unit_price\n1,a,2024-01-01,x,5\n", "quantity", "'x'"),
        ("order_id,customer_id,order_date\n1,a,2024-01-01\n", "amount", "quantity"),
    ],
    ids=["empty", "header-only", "missing-column", "bad-date", "text-amount", "text-quantity", "no-amount"],
)
def test_bad_input_names_file_column_and_example(tmp_path: Path, content: str, column: str | None, fragment: str) -> None:
    path = write(tmp_path / "bad.csv", content)
    with pytest.raises(DataValidationError) as caught:
        load_transactions(path)
    message = str(caught.value)
    assert "bad.csv" in message
    assert caught.value.column == column
    if column:
        assert repr(column) in message
    assert fragment in message


def test_missing_file_and_wrong_mapping(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="existing file"):
        load_transactions(tmp_path / "nope.csv")
    path = write(tmp_path / "own.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(DataValidationError, match="mapped column"):
        load_transactions(path, columns={"customer_id": "household"})


def test_truncated_gzip_and_foreign_encoding(tmp_path: Path) -> None:
    whole = gzip.compress(("order_id,customer_id,order_date,amount\n" + "1,a,2024-01-01,5\n" * 5000).encode())
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataValidationError, match="cut.csv.gz"):
        load_transactions(tmp_path / "cut.csv.gz")
    big5 = write(tmp_path / "big5.csv", "order_id,customer_id,order_date,amount,product_name\n1,a,2024-01-01,5,網購\n", encoding="big5")
    with pytest.raises(DataValidationError, match="encoding="):
        load_transactions(big5)
    tx = load_transactions(big5, encoding="big5")
    assert tx.loc[0, "product_name"] == "網購"


# ---------------------------------------------------------------- cleaning


def _dirty() -> pd.DataFrame:
    # 8 lines: 1 without customer, 2 cancellations (C prefix; quantity 0), 1 free line,
    # 1 exact duplicate of line 0, 3 good lines (0, 5, 7).
    return pd.DataFrame(
        {
            "order_id": ["1", "2", "C3", "4", "5", "6", "1", "7"],
            "customer_id": ["a", None, "b", "b", "c", "c", "a", "d"],
            "order_date": pd.to_datetime(["2024-01-01"] * 8),
            "quantity": [1, 1, -1, 0, 2, 1, 1, 3],
            "unit_price": [10.0, 10.0, 10.0, 10.0, 0.0, 4.0, 10.0, 2.0],
            "amount": [10.0, 10.0, -10.0, 0.0, 0.0, 4.0, 10.0, 6.0],
        }
    )


def test_cleaning_counts_each_reason_once_in_order() -> None:
    clean, report = clean_transactions(_dirty())
    assert report.dropped == {"missing_customer_id": 1, "cancelled_order": 2, "non_positive_price": 1, "duplicate_row": 1}
    assert report.rows_in == 8 and report.rows_kept == 3
    assert report.rows_in == report.rows_kept + report.rows_dropped
    assert clean["amount"].sum() == pytest.approx(10.0 + 4.0 + 6.0)


def test_a_line_failing_two_rules_counts_under_the_first() -> None:
    frame = _dirty().iloc[[2]].assign(customer_id=[None])  # cancelled AND no customer
    _, report = clean_transactions(frame)
    assert report.dropped["missing_customer_id"] == 1 and report.dropped["cancelled_order"] == 0


def test_cleaning_without_unit_price_uses_amount() -> None:
    frame = _dirty().drop(columns=["unit_price", "quantity"])
    _, report = clean_transactions(frame)
    # Without quantity only the C prefix marks a cancellation; amount <= 0 marks line 3 ("4") and 4 ("5").
    assert report.dropped == {"missing_customer_id": 1, "cancelled_order": 1, "non_positive_price": 2, "duplicate_row": 1}


def test_cleaning_does_not_mutate_and_renders() -> None:
    frame = _dirty()
    before = frame.copy()
    _, report = clean_transactions(frame)
    pd.testing.assert_frame_equal(frame, before)
    table = report.to_frame()
    assert table["rows"].sum() == report.rows_in
    assert "cancelled_order" in report._repr_html_()


def test_real_online_retail_file_reconciles(online_retail_path: Path) -> None:
    tx = load_transactions(online_retail_path)
    assert len(tx) == 541_909
    assert tx["amount"].sum() == pytest.approx(9_747_747.93, abs=0.01)
    clean, report = clean_transactions(tx)
    assert report.rows_in == report.rows_kept + report.rows_dropped
    # Figures from ../shared/data/README.md: 135,080 lines lack a customer; of the rest,
    # 8,905 are C-invoices (every negative quantity with a customer is a C-invoice).
    assert report.dropped["missing_customer_id"] == 135_080
    assert report.dropped["cancelled_order"] == 8_905
    non_cancelled_with_customer = 541_909 - 135_080 - 8_905
    assert non_cancelled_with_customer == 397_924
    # 40 zero-price lines carry a customer ID; the rest of the drops are exact duplicates.
    assert report.dropped["non_positive_price"] == 40
    assert report.rows_kept == 397_924 - 40 - report.dropped["duplicate_row"]
    assert 0 < report.dropped["duplicate_row"] <= 5_268


def test_real_cdnow_master_totals(cdnow_master_path: Path) -> None:
    tx = load_transactions(cdnow_master_path)
    assert len(tx) == 69_659
    assert tx["customer_id"].nunique() == 23_570
    assert tx["amount"].sum() == pytest.approx(2_500_315.63, abs=0.01)
    assert tx["quantity"].sum() == 167_881


# ---------------------------------------------------------------- privacy


def test_pseudonymise_is_stable_keyed_and_hides_input() -> None:
    frame = pd.DataFrame({"customer_id": ["17850", "17850", "12346", None]})
    one = pseudonymise(frame, ["customer_id"], key="secret-1")
    again = pseudonymise(frame, ["customer_id"], key="secret-1")
    other = pseudonymise(frame, ["customer_id"], key="secret-2")
    pd.testing.assert_frame_equal(one, again)
    assert one.loc[0, "customer_id"] == one.loc[1, "customer_id"] != one.loc[2, "customer_id"]
    assert one.loc[0, "customer_id"] != other.loc[0, "customer_id"]
    assert pd.isna(one.loc[3, "customer_id"])
    assert "17850" not in "".join(one["customer_id"].dropna())
    assert frame.loc[0, "customer_id"] == "17850"  # input untouched


def test_loader_drops_or_pseudonymises_pii_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pii.csv",
        "order_id,customer_id,order_date,amount,email,Phone,full_name\n1,a,2024-01-01,5,x@example.com,91234567,Chan Tai Man\n",
    )
    dropped = load_transactions(path)
    assert not {"email", "Phone", "full_name"} & set(dropped.columns)
    hidden = load_transactions(path, pii="pseudonymise")
    assert hidden.loc[0, "email"].startswith("cus_") and "example.com" not in hidden.to_csv()
    kept = load_transactions(path, pii="keep", pseudonymise_ids=False)
    assert kept.loc[0, "email"] == "x@example.com" and kept.loc[0, "customer_id"] == "a"


def test_shop_tables_join_after_pseudonymisation() -> None:
    customers = data.load_shop_table(data.bundled_data_dir(), "customers")
    tx = load_transactions(data.bundled_data_dir())
    known = tx["customer_id"].dropna().isin(customers["customer_id"])
    assert known.mean() > 0.99
    assert not {"full_name", "email", "phone"} & set(customers.columns)


def test_deterministic_csv_writer(tmp_path: Path) -> None:
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-01 10:00"]), "x": [0.1]})
    a = data.write_csv(frame, tmp_path / "a.csv.gz").read_bytes()
    b = data.write_csv(frame, tmp_path / "b.csv.gz").read_bytes()
    assert a == b
    assert gzip.decompress(a).decode() == "when,x\n2024-01-01 10:00:00,0.1\n"
