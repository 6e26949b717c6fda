"""Reading, validating, cleaning and pseudonymising data.

This is the only module in :mod:`helpers` that touches files. Everything it
returns is in the canonical schema of :mod:`helpers.schema`, and every problem
with an input file is raised as one error type, :class:`DataValidationError`,
whose message names the file, the column, what was expected and up to three
offending rows.

Examples
--------
>>> import pandas as pd
>>> tx = pd.DataFrame({
...     "order_id": ["1", "1", "C2", "3"],
...     "customer_id": ["a", "a", "b", None],
...     "order_date": pd.to_datetime(["2024-01-01"] * 4),
...     "quantity": [1, 1, -1, 2],
...     "unit_price": [10.0, 10.0, 10.0, 5.0],
... })
>>> clean, report = clean_transactions(tx)
>>> report.rows_in, report.rows_kept, report.dropped["missing_customer_id"]
(4, 1, 1)
>>> report.dropped["duplicate_row"]
1
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import hmac
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from helpers.schema import (
    PII_COLUMN_NAMES,
    SHOP_TABLES,
    TRANSACTION_ID_COLUMNS,
    TRANSACTION_NUMERIC,
    TRANSACTION_OPTIONAL,
    TRANSACTION_REQUIRED,
)

#: Key used when the caller gives none. It makes tokens stable across runs of
#: the suite; analysts working on real customer data should pass their own secret.
DEFAULT_PSEUDONYM_KEY = "online-customer-lab/default-key"

#: The UCI "Online Retail" export, mapped onto the canonical schema.
UCI_ONLINE_RETAIL_COLUMNS: dict[str, str] = {
    "order_id": "InvoiceNo",
    "product_id": "StockCode",
    "product_name": "Description",
    "quantity": "Quantity",
    "order_date": "InvoiceDate",
    "unit_price": "UnitPrice",
    "customer_id": "CustomerID",
    "country": "Country",
}
#: Formats tried, in order, for dates that are not ISO 8601.
#: The UCI spreadsheet writes ``12/1/2010 8:26`` (month first).
UCI_FALLBACK_DATE_FORMAT = "%m/%d/%Y %H:%M"

CLEANING_REASONS: tuple[str, ...] = (
    "missing_customer_id",
    "cancelled_order",
    "non_positive_price",
    "duplicate_row",
)
_REASON_TEXT = {
    "missing_customer_id": "no customer ID, so the line cannot be attributed to a customer",
    "cancelled_order": "cancellation (order ID starts with 'C') or quantity of zero or less",
    "non_positive_price": "unit price (or amount, when there is no price) of zero or less",
    "duplicate_row": "exact repeat of an earlier line",
}

PiiPolicy = Literal["drop", "pseudonymise", "keep"]


class DataValidationError(ValueError):
    """An input file does not fit what the suite expects.

    The message is written for people: it names the file, the column, what was
    expected and shows up to three offending rows.

    Examples
    --------
    >>> err = DataValidationError("sales.csv", "order_date", "dates like 2024-01-31", ["row 2: '31/02/2024'"])
    >>> print(err)  # doctest: +NORMALIZE_WHITESPACE
    sales.csv: column 'order_date': expected dates like 2024-01-31.
      e.g. row 2: '31/02/2024'
    """

    def __init__(
        self,
        file: str | Path | None,
        column: str | None,
        expected: str,
        examples: Sequence[str] = (),
    ) -> None:
        self.file = str(file) if file is not None else "<data frame>"
        self.column = column
        self.expected = expected
        self.examples = list(examples)[:3]
        where = f"column {column!r}: " if column else ""
        lines = [f"{self.file}: {where}expected {expected}."]
        lines += [f"  e.g. {example}" for example in self.examples]
        super().__init__("\n".join(lines))


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise :class:`DataValidationError` unless ``frame`` is a DataFrame with every column in ``columns``.

    The one column check every helpers module uses, so a missing column reads the same
    everywhere: which column, what needed it, and which columns the frame does have.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "orders")
    >>> try:
    ...     require_columns(pd.DataFrame({"a": [1]}), ["a", "amount"], "orders")
    ... except DataValidationError as err:
    ...     print(err)
    <data frame>: column 'amount': expected orders with the columns ['a', 'amount']; the frame has ['a'].
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataValidationError(None, None, f"a DataFrame of {what}, not {type(frame).__name__}")
    needed = list(columns)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataValidationError(
            frame.attrs.get("source"),
            missing[0],
            f"{what} with the columns {needed}; the frame has {list(frame.columns)[:15]}",
        )


# --------------------------------------------------------------------------- reading


def bundled_data_dir() -> Path:
    """The folder holding the bundled synthetic Hong Kong shop.

    Examples
    --------
    >>> (bundled_data_dir() / "transactions.csv.gz").name
    'transactions.csv.gz'
    """
    return Path(__file__).resolve().parent.parent / "data"


def _example_rows(frame: pd.DataFrame, mask: pd.Series, columns: Sequence[str]) -> list[str]:
    """Up to three offending rows, numbered as a spreadsheet user sees them (header = row 1)."""
    shown = [c for c in columns if c in frame.columns]
    rows = []
    for index, values in frame.loc[mask, shown].head(3).iterrows():
        # Spreadsheet row numbers: data starts on row 2 under the header.
        row_number = index + 2 if isinstance(index, (int, np.integer)) else index
        cells = ", ".join(f"{c}={v!r}" for c, v in values.items())
        rows.append(f"row {row_number}: {cells}")
    return rows


def _sniff_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """The first few kilobytes as text, and the encoding that decoded them."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(65536)
    except (OSError, EOFError) as exc:
        raise DataValidationError(path, None, "a readable file (it looks damaged or truncated)", [str(exc)]) from exc
    tried = [encoding] if encoding else ["utf-8-sig"]
    for candidate in tried:
        try:
            # A multi-byte character may be cut at the end of the sample.
            return head.decode(candidate, errors="strict" if len(head) < 65536 else "ignore"), candidate
        except UnicodeDecodeError as exc:
            bad = head[max(exc.start - 20, 0) : exc.end + 20]
            raise DataValidationError(
                path,
                None,
                "UTF-8 text; pass encoding='big5', 'cp1252' or 'latin-1' if the file was saved in another encoding",
                [f"bytes {bad!r} at position {exc.start}"],
            ) from exc
    raise AssertionError("unreachable")


def _looks_like_cdnow(first_line: str) -> bool:
    """CDNOW rows: customer id, (sample id), YYYYMMDD, count, dollars — whitespace separated."""
    parts = first_line.split()
    if first_line.strip().lower().startswith("customer_id") and len(parts) == 4:
        return True
    if len(parts) not in (4, 5) or "," in first_line or ";" in first_line:
        return False
    return all(re.fullmatch(r"\d+", p) for p in parts[:-1]) and re.fullmatch(r"-?\d+(\.\d+)?", parts[-1]) is not None


def _read_cdnow(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=r"\s+", header=None, dtype=str, comment=None)
    if raw.iloc[0, 0].lower() == "customer_id":
        raw = raw.iloc[1:].reset_index(drop=True)
    if raw.shape[1] == 5:  # the 1/10 sample: master id, sample id, date, cds, dollars
        raw = raw.drop(columns=1)
    raw.columns = ["customer_id", "order_date", "quantity", "amount"]
    # A CDNOW "order" is a customer-day: that is how repeat-buying models count purchases.
    raw["order_id"] = raw["customer_id"] + "-" + raw["order_date"]
    raw.attrs["date_format"] = "%Y%m%d"
    return raw


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get) if max(counts.values()) > 0 else ","


def _read_table_file(
    path: Path, encoding: str | None, sheet: str | int | None, columns: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Read CSV (optionally gzipped), Excel or Parquet, unvalidated.

    ID columns are read as text (so ``007`` keeps its zeros); numbers are parsed natively
    because reading everything as text costs seconds on a ten-million-line file.
    """
    name = path.name.lower()
    if name.endswith(".parquet") or name.endswith(".pq"):
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types for damaged files
            raise DataValidationError(path, None, "a readable Parquet file", [str(exc)]) from exc
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        try:
            sheets = pd.read_excel(path, sheet_name=sheet if sheet is not None else None, dtype=object)
        except (ValueError, OSError, zipfile.BadZipFile) as exc:
            raise DataValidationError(path, None, "a readable Excel workbook", [str(exc)]) from exc
        if isinstance(sheets, pd.DataFrame):
            return sheets
        # Exports often leave a cover sheet first: take the first sheet whose header fits a
        # known layout (or the mapping), else the first sheet that has data.
        with_data = [frame for frame in sheets.values() if not frame.dropna(how="all").empty]
        wanted = [set(columns.values())] if columns else [set(TRANSACTION_REQUIRED), set(UCI_ONLINE_RETAIL_COLUMNS.values())]
        for frame in with_data:
            if any(names <= set(frame.columns) for names in wanted):
                return frame
        if with_data:
            return with_data[0]
        raise DataValidationError(path, None, "at least one sheet with data rows; every sheet is empty")
    text, used_encoding = _sniff_text(path, encoding)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataValidationError(path, None, "a header row and data rows; the file is empty")
    if _looks_like_cdnow(lines[0]):
        return _read_cdnow(path)
    delimiter = _delimiter(lines[0])
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    id_names = {canon: canon for canon in TRANSACTION_ID_COLUMNS}
    id_names |= {c: u for c, u in UCI_ONLINE_RETAIL_COLUMNS.items() if c in TRANSACTION_ID_COLUMNS}
    text_columns = set(id_names.values()) | {u for c, u in (columns or {}).items() if c in TRANSACTION_ID_COLUMNS}
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            # Semicolon-separated exports come from locales that write 120,50 for 120.5.
            decimal="," if delimiter == ";" else ".",
            encoding=used_encoding,
            dtype={name: str for name in header if name in text_columns},
            keep_default_na=False,
            na_values=[""],
            compression="infer",
            # One pass over the file: chunked type guessing warns on mostly-empty columns such as coupon_id.
            low_memory=False,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise DataValidationError(path, None, "well-formed delimited text", [str(exc).splitlines()[0]]) from exc
    return frame


def _resolve_columns(
    frame: pd.DataFrame, path: Path | str, columns: Mapping[str, str] | None
) -> tuple[pd.DataFrame, bool]:
    """Rename the user's columns to canonical names; report whether it is the UCI layout."""
    if columns:
        missing = [user for user in columns.values() if user not in frame.columns]
        if missing:
            raise DataValidationError(
                path,
                missing[0],
                f"the mapped column to exist; the file has columns {list(frame.columns)}",
            )
        unknown = [c for c in columns if c not in TRANSACTION_REQUIRED + TRANSACTION_OPTIONAL]
        if unknown:
            raise DataValidationError(
                path,
                unknown[0],
                f"a canonical column name as mapping key, one of {list(TRANSACTION_REQUIRED + TRANSACTION_OPTIONAL)}",
            )
        return frame.rename(columns={user: canon for canon, user in columns.items()}), False
    if set(UCI_ONLINE_RETAIL_COLUMNS.values()) <= set(frame.columns):
        return frame.rename(columns={u: c for c, u in UCI_ONLINE_RETAIL_COLUMNS.items()}), True
    if set(TRANSACTION_REQUIRED) <= set(frame.columns):
        return frame, False
    missing = [c for c in TRANSACTION_REQUIRED if c not in frame.columns]
    raise DataValidationError(
        path,
        missing[0],
        "a known layout (canonical columns, UCI Online Retail or CDNOW); the file has columns "
        f"{list(frame.columns)[:12]}. Map your columns, e.g. columns={{'customer_id': 'your_column', ...}}",
    )


def _parse_dates(
    frame: pd.DataFrame, column: str, path: Path | str, fallback_formats: Sequence[str] = (), required: bool = True
) -> pd.Series:
    text = frame[column]
    if pd.api.types.is_datetime64_any_dtype(text):
        parsed = text
    else:
        text = text.astype("string").str.strip()
        # cache=False: pandas' cache of distinct values costs 3-6x the parse itself on Arrow strings.
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", cache=False)
        for fmt in fallback_formats:
            still = parsed.isna() & text.notna()
            if not still.any():
                break
            parsed = parsed.where(~still, pd.to_datetime(text.where(still), format=fmt, errors="coerce", cache=False))
        bad = parsed.isna() & text.notna() & (text != "")
        if bad.any():
            raise DataValidationError(
                path,
                column,
                f"dates such as 2024-01-31 or 2024-01-31 14:05 ({int(bad.sum()):,} rows could not be read; "
                "pass date_format='%d/%m/%Y' or similar for other layouts)",
                _example_rows(frame, bad, [column]),
            )
    if required and parsed.isna().any():
        raise DataValidationError(path, column, "a date on every row", _example_rows(frame, parsed.isna(), [column]))
    return parsed


def _parse_numbers(frame: pd.DataFrame, column: str, path: Path | str) -> pd.Series:
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
    else:
        # Thousands separators and currency signs are common in shop exports. A comma is
        # only a thousands separator in groups of three (1,234.50); "12,50" is not read as 1250.
        text = values.astype("string").str.replace(r"HK\$|[$£¥]", "", regex=True).str.strip()
        grouped = text.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?").fillna(False).astype(bool)
        text = text.where(~grouped, text.str.replace(",", "", regex=False))
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    # Infinity (e.g. 1e999) would poison every total downstream.
    bad = ~np.isfinite(numbers.to_numpy())
    bad = pd.Series(bad, index=numbers.index)
    if bad.any():
        raise DataValidationError(
            path,
            column,
            f"a finite number on every row ({int(bad.sum()):,} rows are empty, not numeric or infinite)",
            _example_rows(frame, bad, [column]),
        )
    return numbers


def _canonical_ids(values: pd.Series) -> pd.Series:
    """IDs as text without spreadsheet artefacts such as a trailing '.0'."""
    text = values.astype("string").str.strip()
    if text.str.endswith(".0").any():  # the regex is the slow part on millions of IDs: only when needed
        text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.mask(text == "")


def load_transactions(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    *,
    date_format: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    pii: PiiPolicy = "drop",
    pseudonymise_ids: bool = True,
    key: str | bytes | None = None,
) -> pd.DataFrame:
    """Read a transactions file into the canonical schema.

    Recognises, by their shape, the UCI "Online Retail" export and the CDNOW
    files; any other layout needs ``columns`` (canonical name → your column).
    ``path`` may also be a folder holding ``transactions.csv.gz`` (the bundled shop).

    Parameters
    ----------
    path
        CSV, CSV.gz, Excel (.xlsx) or Parquet file, or a folder with ``transactions.csv.gz``.
    columns
        Mapping from canonical names to the file's names, e.g. ``{"customer_id": "household_id"}``.
    date_format
        strptime format for ``order_date`` when it is not ISO 8601 (e.g. ``"%d/%m/%Y"``).
    encoding
        Text encoding of a CSV that is not UTF-8 (e.g. ``"big5"``).
    sheet
        Excel sheet; by default the first sheet that has data.
    pii
        What to do with name/email/phone columns: ``"drop"`` (default), ``"pseudonymise"`` or ``"keep"``.
    pseudonymise_ids
        Replace ``customer_id`` by a keyed-hash token (default ``True``).
    key
        Secret for the keyed hash; by default :data:`DEFAULT_PSEUDONYM_KEY`.

    Returns
    -------
    pandas.DataFrame
        ``order_id``, ``customer_id``, ``order_date`` (datetime64), ``amount`` (float, line revenue)
        and whichever optional canonical columns the file has; other columns are kept as they are.
        Rows are not cleaned: see :func:`clean_transactions`.

    Raises
    ------
    DataValidationError
        Missing file, unknown layout, missing required column, unreadable dates, non-numeric
        quantity or price, an empty file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "shop.csv").write_text("hh,day,basket,spend\\n7,2024-03-01,B1,120.5\\n")
    >>> tx = load_transactions(folder / "shop.csv",
    ...     columns={"customer_id": "hh", "order_date": "day", "order_id": "basket", "amount": "spend"},
    ...     pseudonymise_ids=False)
    >>> tx[["order_id", "customer_id", "amount"]].to_dict("records")
    [{'order_id': 'B1', 'customer_id': '7', 'amount': 120.5}]
    """
    path = Path(path)
    if path.is_dir():
        path = path / "transactions.csv.gz"
    if not path.exists():
        raise DataValidationError(path, None, "an existing file (check the path and the working folder)")
    frame = _read_table_file(path, encoding, sheet, columns)
    if frame.empty:
        raise DataValidationError(path, None, "data rows under the header; the file has a header only")
    cdnow_format = frame.attrs.get("date_format")
    frame, is_uci = _resolve_columns(frame, path, columns)

    out = frame.copy(deep=False)  # copy-on-write: columns are replaced, never written in place
    for column in TRANSACTION_ID_COLUMNS:
        if column in out.columns:
            out[column] = _canonical_ids(out[column])
    if out["order_id"].isna().any():
        raise DataValidationError(path, "order_id", "an order ID on every row", _example_rows(out, out["order_id"].isna(), ["order_id"]))
    fallbacks = [f for f in (date_format, cdnow_format) if f] or ([UCI_FALLBACK_DATE_FORMAT] if is_uci else [])
    out["order_date"] = _parse_dates(out, "order_date", path, fallbacks)
    for column in TRANSACTION_NUMERIC:
        if column in out.columns:
            out[column] = _parse_numbers(out, column, path)
    if "amount" not in out.columns:
        if not {"quantity", "unit_price"} <= set(out.columns):
            raise DataValidationError(
                path, "amount", "either an 'amount' column or both 'quantity' and 'unit_price'"
            )
        out["amount"] = out["quantity"] * out["unit_price"]
    out = _apply_pii_policy(out, pii, key)
    if pseudonymise_ids:
        out = pseudonymise(out, ["customer_id"], key=key)
    canonical = [c for c in TRANSACTION_REQUIRED + TRANSACTION_OPTIONAL if c in out.columns]
    extras = [c for c in out.columns if c not in canonical]
    out = out[canonical + extras]
    out.attrs = {"source": str(path)}
    return out


def _apply_pii_policy(frame: pd.DataFrame, pii: PiiPolicy, key: str | bytes | None) -> pd.DataFrame:
    pii_columns = [c for c in frame.columns if str(c).lower() in PII_COLUMN_NAMES]
    if not pii_columns or pii == "keep":
        return frame
    if pii == "drop":
        return frame.drop(columns=pii_columns)
    if pii == "pseudonymise":
        return pseudonymise(frame, pii_columns, key=key)
    raise ValueError(f"pii must be 'drop', 'pseudonymise' or 'keep', not {pii!r}")


def load_shop_table(
    data_dir: str | Path,
    name: str,
    *,
    pii: PiiPolicy = "drop",
    pseudonymise_ids: bool = True,
    key: str | bytes | None = None,
) -> pd.DataFrame:
    """Read one table of the bundled shop (or a folder laid out the same way).

    Date columns are parsed, booleans become ``bool``/``boolean``, customer keys are
    pseudonymised with the same key in every table so that tables still join, and
    name/email/phone columns are dropped unless ``pii`` says otherwise.

    Parameters
    ----------
    data_dir
        Folder with ``<name>.csv.gz`` files, e.g. :func:`bundled_data_dir`.
    name
        A table of :data:`helpers.schema.SHOP_TABLES`, e.g. ``"customers"``.

    Raises
    ------
    DataValidationError
        Unknown table, missing file, missing column, unreadable date or number.

    Examples
    --------
    >>> customers = load_shop_table(bundled_data_dir(), "customers")
    >>> "email" in customers.columns, bool(customers["customer_id"].str.startswith("cus_").all())
    (False, True)
    """
    if name not in SHOP_TABLES:
        raise DataValidationError(data_dir, None, f"a table named one of {sorted(SHOP_TABLES)}, not {name!r}")
    spec = SHOP_TABLES[name]
    path = Path(data_dir) / f"{name}.csv.gz"
    if not path.exists():
        raise DataValidationError(path, None, f"the {name} table of the shop (file not found)")
    if name == "transactions":
        return load_transactions(path, pii=pii, pseudonymise_ids=pseudonymise_ids, key=key)
    try:
        # Everything but the numeric columns as text: phone numbers and IDs must keep their digits.
        frame = pd.read_csv(
            path,
            dtype={c: str for c in spec.columns if c not in spec.numeric},
            keep_default_na=False,
            na_values=[""],
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise DataValidationError(path, None, f"a readable {name} table", [str(exc).splitlines()[0]]) from exc
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise DataValidationError(path, missing[0], f"the columns {list(spec.columns)}")
    for column in spec.dates:
        frame[column] = _parse_dates(frame, column, path, required=False)
    for column in spec.numeric:
        present = frame[column].notna()
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = present & numbers.isna()
        if bad.any():
            raise DataValidationError(path, column, "numbers", _example_rows(frame, bad, [column]))
        frame[column] = numbers
    for column in frame.columns:
        if frame[column].dtype != object and not pd.api.types.is_string_dtype(frame[column]):
            continue
        values = set(frame[column].dropna().unique())
        if values and values <= {"True", "False"}:
            mapped = frame[column].map({"True": True, "False": False})
            frame[column] = mapped.astype("bool") if mapped.notna().all() else mapped.astype("boolean")
    for column in spec.id_columns:
        frame[column] = _canonical_ids(frame[column])
    if pii != "keep":
        pii_columns = [c for c in spec.pii if c in frame.columns]
        frame = frame.drop(columns=pii_columns) if pii == "drop" else pseudonymise(frame, pii_columns, key=key)
    if pseudonymise_ids and spec.id_columns:
        frame = pseudonymise(frame, list(spec.id_columns), key=key)
    frame.attrs = {"source": str(path)}
    return frame


def available_shop_tables(data_path: str | Path) -> list[str]:
    """The shop tables present beside a data path (none when ``data_path`` is a single file).

    Area notebooks use it to run their campaign, lead or compliance sections only when the
    data has them, and to say so plainly when it does not (e.g. on the UCI Online Retail file).

    Examples
    --------
    >>> "campaign_sends" in available_shop_tables(bundled_data_dir())
    True
    >>> available_shop_tables(bundled_data_dir() / "transactions.csv.gz")
    []
    """
    folder = Path(data_path)
    if not folder.is_dir():
        return []
    return [name for name in SHOP_TABLES if (folder / f"{name}.csv.gz").exists()]


def load_shop(
    data_dir: str | Path | None = None,
    tables: Iterable[str] | None = None,
    **options: object,
) -> dict[str, pd.DataFrame]:
    """Read several tables of the bundled shop at once (all of them by default).

    Examples
    --------
    >>> shop = load_shop(tables=["products", "campaigns"])
    >>> sorted(shop)
    ['campaigns', 'products']
    """
    folder = Path(data_dir) if data_dir is not None else bundled_data_dir()
    names = list(tables) if tables is not None else list(SHOP_TABLES)
    return {name: load_shop_table(folder, name, **options) for name in names}


# --------------------------------------------------------------------------- cleaning


@dataclass(frozen=True)
class CleaningReport:
    """What :func:`clean_transactions` kept and dropped, reason by reason.

    ``rows_in == rows_kept + sum(dropped.values())`` always holds.
    """

    rows_in: int
    rows_kept: int
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def rows_dropped(self) -> int:
        return sum(self.dropped.values())

    def to_frame(self) -> pd.DataFrame:
        """One row per reason, with counts, shares of rows in and the reason in words."""
        rows = [
            {"step": reason, "rows": count, "share": count / self.rows_in if self.rows_in else 0.0, "why": _REASON_TEXT[reason]}
            for reason, count in self.dropped.items()
        ]
        rows.append({"step": "kept", "rows": self.rows_kept, "share": self.rows_kept / self.rows_in if self.rows_in else 0.0, "why": "clean lines used in the analysis"})
        return pd.DataFrame(rows)

    def as_dict(self) -> dict[str, object]:
        """Plain numbers for ``metrics.json``."""
        return {"rows_in": self.rows_in, "rows_kept": self.rows_kept, "dropped": dict(self.dropped)}

    def _repr_html_(self) -> str:
        table = self.to_frame().style.format({"rows": "{:,}", "share": "{:.1%}"}).hide(axis="index")
        return f"<b>Cleaning: {self.rows_in:,} lines in, {self.rows_kept:,} kept</b>" + table.to_html()

    def __str__(self) -> str:
        parts = ", ".join(f"{reason} {count:,}" for reason, count in self.dropped.items())
        return f"{self.rows_in:,} lines in, {self.rows_kept:,} kept; dropped: {parts}"


def _duplicated_rows(frame: pd.DataFrame, keep: pd.Series) -> pd.Series:
    """Lines among those marked ``keep`` that repeat an earlier kept line in every column.

    Same result as ``frame.loc[keep].duplicated(keep="first")`` (False elsewhere), but lean on
    millions of lines: each column is factorised in turn and folded into one integer key per
    line, so memory stays at a few integer arrays instead of a copy of the frame. The cleaning
    rules depend only on a line's values, so identical lines are kept or dropped together and
    duplicates can be found over all lines, then restricted to the kept ones.
    """
    key = np.zeros(len(frame), dtype=np.int64)
    bound = 1  # every key is below this (a Python int, so it cannot overflow)
    for column in frame.columns:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)  # missing = its own value
        width = len(uniques) + 1
        if bound * width >= 2**62:  # renumber the keys 0..k-1 first, so the fold stays within int64
            key, distinct = pd.factorize(key)
            bound = len(distinct)
        key = key * width + codes
        bound *= width
    repeat = pd.Series(key).duplicated(keep="first").to_numpy()
    return pd.Series(repeat & keep.to_numpy(dtype=bool), index=frame.index)


def clean_transactions(tx: pd.DataFrame) -> tuple[pd.DataFrame, CleaningReport]:
    """Drop lines that cannot be analysed, and account for every one of them.

    Rules, in this order, each line counted under the first rule it fails:

    1. ``missing_customer_id`` — no customer ID.
    2. ``cancelled_order`` — order ID starting with "C", or quantity ≤ 0.
    3. ``non_positive_price`` — unit price ≤ 0 (amount ≤ 0 when there is no unit price).
    4. ``duplicate_row`` — an exact repeat of an earlier line that survived rules 1–3.

    Parameters
    ----------
    tx
        Transactions in the canonical schema (see :func:`load_transactions`). Not modified.

    Returns
    -------
    (pandas.DataFrame, CleaningReport)
        The clean lines (original index kept) and the accounting.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "amount": [5.0, 0.0]})
    >>> print(clean_transactions(tx)[1])
    2 lines in, 1 kept; dropped: missing_customer_id 0, cancelled_order 0, non_positive_price 1, duplicate_row 0
    """
    missing = [c for c in TRANSACTION_REQUIRED if c not in tx.columns]
    if missing:
        raise DataValidationError(tx.attrs.get("source"), missing[0], "a canonical transactions frame (use load_transactions)")
    keep = pd.Series(True, index=tx.index)
    dropped: dict[str, int] = {}

    rules = {
        "missing_customer_id": tx["customer_id"].isna() | (tx["customer_id"].astype("string").str.strip() == ""),
        "cancelled_order": tx["order_id"].astype("string").str.upper().str.startswith("C", na=False)
        | (tx["quantity"] <= 0 if "quantity" in tx.columns else False),
        "non_positive_price": (tx["unit_price"] <= 0) if "unit_price" in tx.columns else (tx["amount"] <= 0),
    }
    for reason, fails in rules.items():
        hit = keep & pd.Series(fails, index=tx.index).fillna(False).astype(bool)
        dropped[reason] = int(hit.sum())
        keep &= ~hit
    duplicate = _duplicated_rows(tx, keep)
    dropped["duplicate_row"] = int(duplicate.sum())
    clean = tx.loc[keep & ~duplicate]  # a new frame (copy-on-write): tx is never changed
    clean.attrs = dict(tx.attrs)
    report = CleaningReport(rows_in=len(tx), rows_kept=len(clean), dropped=dropped)
    assert report.rows_in == report.rows_kept + report.rows_dropped  # the accounting identity
    return clean, report


def load_clean_transactions(
    path: str | Path | None = None, columns: Mapping[str, str] | None = None, **options: object
) -> tuple[pd.DataFrame, CleaningReport]:
    """:func:`load_transactions` then :func:`clean_transactions`; the bundled shop by default.

    Examples
    --------
    >>> tx, report = load_clean_transactions()
    >>> report.rows_in == report.rows_kept + report.rows_dropped
    True
    """
    raw = load_transactions(path if path is not None else bundled_data_dir(), columns, **options)
    return clean_transactions(raw)


# --------------------------------------------------------------------------- privacy


def pseudonym(value: object, key: str | bytes | None = None) -> str:
    """The keyed-hash (HMAC-SHA256) token of one value.

    Examples
    --------
    >>> pseudonym("C00001", key="k") == pseudonym("C00001", key="k")
    True
    >>> pseudonym("C00001", key="k").startswith("cus_")
    True
    """
    secret = (key if key is not None else DEFAULT_PSEUDONYM_KEY)
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return "cus_" + digest[:16]


def pseudonymise(
    df: pd.DataFrame, columns: Sequence[str], key: str | bytes | None = None
) -> pd.DataFrame:
    """Replace the values of ``columns`` by stable keyed-hash tokens.

    The same value with the same key always gives the same token, in every table,
    so joins still work; without the key the token cannot be turned back. Missing
    values stay missing. Each distinct value is hashed once, so this is fast on
    millions of rows.

    Parameters
    ----------
    df
        Any frame; not modified.
    columns
        Columns to pseudonymise.
    key
        Secret for the HMAC; by default :data:`DEFAULT_PSEUDONYM_KEY`.

    Examples
    --------
    >>> import pandas as pd
    >>> out = pseudonymise(pd.DataFrame({"email": ["a@example.com", None, "a@example.com"]}), ["email"], key="k")
    >>> bool(out["email"].iloc[0] == out["email"].iloc[2]), bool(out["email"].isna().iloc[1])
    (True, True)
    """
    out = df.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    for column in columns:
        if column not in out.columns:
            raise DataValidationError(df.attrs.get("source"), column, "a column to pseudonymise that exists")
        codes, uniques = pd.factorize(out[column], use_na_sentinel=True)
        tokens = np.array([pseudonym(v, key) for v in uniques] + [None], dtype=object)
        # Sentinel -1 (missing) picks the trailing None.
        out[column] = pd.array(tokens[codes], dtype="string")
    return out


# --------------------------------------------------------------------------- writing


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a CSV deterministically: same frame, same bytes (gzip without a timestamp).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> a = write_csv(pd.DataFrame({"x": [1.5]}), folder / "a.csv.gz").read_bytes()
    >>> a == write_csv(pd.DataFrame({"x": [1.5]}), folder / "b.csv.gz").read_bytes()
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S")
    data = text.encode("utf-8")
    if path.name.endswith(".gz"):
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
            handle.write(data)
        data = buffer.getvalue()
    path.write_bytes(data)
    return path


def write_metrics(metrics: Mapping[str, object], path: str | Path) -> Path:
    """Write ``metrics.json`` with sorted keys and plain numbers, so reruns are byte-identical.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> p = write_metrics({"b": np.int64(2), "a": 0.5}, pathlib.Path(tempfile.mkdtemp()) / "m.json")
    >>> json.loads(p.read_text())
    {'a': 0.5, 'b': 2}
    """
    import json

    def plain(value: object) -> object:
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, (pd.Timestamp,)):
            return value.isoformat()
        if isinstance(value, float) and not np.isfinite(value):
            return None
        return value

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plain(metrics), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def output_folder(output_dir: str | Path) -> Path:
    """Create (if needed) and return a report's output folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> output_folder(pathlib.Path(tempfile.mkdtemp()) / "out").is_dir()
    True
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_market_stats(path: str | Path | None = None) -> pd.DataFrame:
    """Read the table of Hong Kong government statistics (default: the bundled ``hk_market_stats.csv``).

    Every cell is returned as text, so that table ids and periods keep their form;
    :func:`helpers.prospecting.validate_market_stats` checks the citations and converts ``value``.

    Raises
    ------
    DataValidationError
        The file does not exist.

    Examples
    --------
    >>> "source" in load_market_stats().columns
    True
    """
    path = Path(path) if path else bundled_data_dir() / "hk_market_stats.csv"
    if not path.exists():
        raise DataValidationError(path, None, "the market statistics table (file not found)")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.attrs = {"source": str(path)}
    return frame
