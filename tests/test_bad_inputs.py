"""The loader on the bad-input corpus (tests/bad_inputs/make_corpus.py).

For every messy export: either it loads correctly and the cleaning report accounts
for every data line, or it raises DataValidationError naming the file, the column
(when one is to blame) and an example row. Nothing else is allowed: no bare
traceback from pandas, no silently shorter or silently wrong result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bad_inputs.make_corpus import Case, Fails, Loads, cases, data_lines, write_corpus
from helpers.data import DataValidationError, clean_transactions, load_transactions

CASES = cases()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_corpus(tmp_path_factory.mktemp("bad_inputs"))


def test_corpus_covers_every_case_of_the_issue() -> None:
    names = {case.name for case in CASES}
    required = {
        "empty", "header_only", "missing_required_column", "renamed_columns_no_mapping",
        "date_day_first", "date_month_names", "date_excel_serial", "text_in_quantity",
        "latin1_encoding", "big5_encoding", "utf8_bom", "repeated_header_mid_file",
        "semicolon_delimiter", "huge_quantities", "negative_prices", "formula_in_customer_name",
        "truncated_gzip", "excel_data_on_second_sheet",
    }
    assert required <= names, required - names
    assert len(names) == len(CASES), "case names must be unique"


@pytest.mark.parametrize("case", [c for c in CASES if isinstance(c.expect, Fails)], ids=lambda c: c.name)
def test_bad_file_raises_named_error(case: Case, corpus: dict[str, Path]) -> None:
    expect = case.expect
    assert isinstance(expect, Fails)
    with pytest.raises(DataValidationError) as caught:
        load_transactions(corpus[case.name], **expect.options)
    error = caught.value
    message = str(error)
    assert case.filename in message, message
    assert error.column == expect.column, message
    if expect.column:
        assert repr(expect.column) in message, message
    assert expect.example in message, message
    # One short message for people, not a pandas dump.
    assert "Traceback" not in message and len(message) < 1200


@pytest.mark.parametrize("case", [c for c in CASES if isinstance(c.expect, Loads)], ids=lambda c: c.name)
def test_messy_file_loads_and_every_line_is_accounted_for(case: Case, corpus: dict[str, Path]) -> None:
    expect = case.expect
    assert isinstance(expect, Loads)
    raw = load_transactions(corpus[case.name], **expect.options)
    counted = data_lines(case)
    if counted is not None:  # counted with the csv module, independently of pandas
        assert counted == expect.rows
    assert len(raw) == expect.rows, "no line may be lost while reading"
    clean, report = clean_transactions(raw)
    assert report.rows_in == expect.rows
    assert report.rows_in == report.rows_kept + report.rows_dropped == len(clean) + sum(report.dropped.values())
    for reason, count in report.dropped.items():
        assert count == expect.dropped.get(reason, 0), (reason, report.dropped)
    assert np.isfinite(raw["amount"].to_numpy()).all()
    assert pd.api.types.is_datetime64_any_dtype(raw["order_date"])
    for position, column, value in expect.values:
        got = raw[column].iloc[position]
        if isinstance(value, float):
            assert got == pytest.approx(value, rel=1e-12), (column, got)
        else:
            assert got == value, (column, got)


def test_personal_data_column_with_a_formula_is_dropped_by_default(corpus: dict[str, Path]) -> None:
    tx = load_transactions(corpus["formula_in_customer_name"])
    assert "customer_name" not in tx.columns
    assert not tx.astype("string").apply(lambda col: col.str.contains("HYPERLINK", na=False)).any().any()


def test_repeated_header_error_points_at_the_pasted_header(corpus: dict[str, Path]) -> None:
    with pytest.raises(DataValidationError) as caught:
        load_transactions(corpus["repeated_header_mid_file"])
    # Row 4 of the spreadsheet is the second header line: the user can find and delete it.
    assert "row 4: order_date='order_date'" in str(caught.value)


def test_decimal_comma_never_becomes_a_hundred_times_larger(tmp_path: Path) -> None:
    # In a comma-separated file a quoted "120,50" is ambiguous: refuse it rather than read 12050.
    path = tmp_path / "quoted_comma.csv"
    path.write_text('order_id,customer_id,order_date,amount\n1,a,2024-01-01,"120,50"\n2,b,2024-01-02,"1,200.50"\n')
    with pytest.raises(DataValidationError) as caught:
        load_transactions(path)
    assert caught.value.column == "amount" and "'120,50'" in str(caught.value)
    # "1,200.50" alone is an ordinary thousands separator.
    path.write_text('order_id,customer_id,order_date,amount\n2,b,2024-01-02,"1,200.50"\n')
    assert load_transactions(path)["amount"].tolist() == [1200.5]
