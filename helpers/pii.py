"""Find, mask and redact Hong Kong personal data in tables, text and report files.

General PII scanners know nothing of Hong Kong: they have no HKID entity and no
Hong Kong phone numbering. This module has both, tuned to cut false positives:

* **email** — ``name@domain.tld``.
* **phone** — 8 digits starting 2, 3, 5, 6, 7 or 9 (fixed, mobile and
  paging/IP numbers), optionally ``+852`` / ``852`` in front and one space or
  hyphen after the fourth digit. Eight-digit runs that read as a calendar date
  ``YYYYMMDD`` between 1990 and 2039 are not reported, nor digits that are part
  of a decimal number or of a longer code (``ORD-23456789``).
* **hkid** — one or two capital letters, six digits and a check character, with
  or without brackets, reported **only when the check digit is valid**. Without
  brackets, six digits starting ``00`` are taken for a zero-padded record key
  (``S0000012``), not an HKID.
  The rule (Immigration Department scheme, as described e.g. in HKEAA's ICT
  curriculum material): letters count A=10 … Z=35, a missing first letter
  counts 36 (a space); weights 9, 8, 7, 6, 5, 4, 3, 2 on the eight positions
  of the padded prefix and digits; the check character (0–9, or A for 10)
  makes the weighted sum divisible by 11. ``A123456(3)``: 36·9 + 10·8 + 1·7 +
  2·6 + 3·5 + 4·4 + 5·3 + 6·2 = 481, and 481 + 3 = 484 = 44 · 11.
* **name** — names are not guessed from capitalised words (that misfires on
  product names and plain numbers). They are found through *known* name
  columns (:data:`helpers.schema.PII_COLUMN_NAMES`), through a list of known
  names the caller passes (e.g. the customer table's ``full_name``) and through
  an honorific followed by a capitalised word (``Ms Chan``). "Dr" and
  possessives are not used, because product names carry them (UCI Online
  Retail sells "Dr. Jam's Arouzer Stress Ball").

Findings never contain the raw value: each shows its kind, where it is and a
masked form (``c***@***.hk``, ``******78``, ``A******(*)``, ``C*** T*** M***``).

:func:`scan_paths` is the one function here that touches files: it *reads*
report outputs (HTML, CSV, CSV.gz, JSON, ipynb, Markdown, text) so that other
areas can sweep their output folders; it never writes.

Examples
--------
>>> import pandas as pd
>>> notes = pd.Series(["call 9123 4567 or mail chan.tm@example.com", "HKID A123456(3)", "order 20240115"])
>>> find_pii(notes)[["row", "kind", "masked"]].values.tolist()
[[0, 'email', 'c***@***.com'], [0, 'phone', '******67'], [1, 'hkid', 'A******(*)']]
>>> redact_text(notes).tolist()
['call [PHONE] or mail [EMAIL]', 'HKID [HKID]', 'order 20240115']
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.schema import PII_COLUMN_NAMES

#: Kinds of personal data the scanner knows, in the order findings are listed.
PII_KINDS: tuple[str, ...] = ("email", "phone", "hkid", "name")

#: Legal basis cited for personal data found where it should not be.
PII_LEGAL_BASIS = "PDPO Cap. 486 Sch. 1 DPP1(1)(c), DPP4(1)"

#: Columns every findings table of this module has.
PII_FINDING_COLUMNS: tuple[str, ...] = (
    "rule", "legal_basis", "record", "kind", "file", "where", "masked", "detail", "fix",
)

EMAIL_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9][A-Za-z0-9.\-]*\.[A-Za-z]{2,}"
# Not part of a longer code, a decimal number, a date-like digit run or a notebook cell id
# (nbconvert writes ids="cell-id=…", notebooks "id": "…").
PHONE_PATTERN = (
    r"(?<![\w\-/.])(?<!cell-id=)(?<!\"id\": \")"
    r"(?:\+?852[\s\-]?)?[235679]\d{3}[\s\-]?\d{4}(?![\w\-]|\.\d)"
)
# Bracketed check digit always; without brackets, zero-padded record keys such as S0000012 are left out.
HKID_PATTERN = (
    r"(?<![A-Za-z0-9])[A-Z]{1,2}(?:\d{6}\s?\([0-9A]\)|(?!00)\d{6}[0-9A])(?![A-Za-z0-9])"
)
# "Dr" and possessives are left out: they are mostly brands ("Dr. Jam's Stress Ball", "Mrs Beeton's").
HONORIFIC_PATTERN = r"\b(?:Mr|Mrs|Ms|Miss|Mdm)\.?\s+[A-Z][a-z]+(?:[\s\-][A-Z][a-z]+)*\b(?!['’]s\b)"
_DATE_LIKE = re.compile(r"^(?:19[9]\d|20[0-3]\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")

#: A fake service note for demonstrations: every kind of personal data the scanner knows, plus a
#: date-like order number that must survive redaction. Notebooks show it only masked or redacted.
SAMPLE_NOTE = ("Ms Chan (HKID A123456(3)) asked us to call 9123 4567 about order 20240115; "
               "reply to chan.tm@example.com")

_RULES = {
    "email": "pii_email",
    "phone": "pii_phone",
    "hkid": "pii_hkid",
    "name": "pii_name",
}
_FIX = {
    "email": "Remove the address or replace it by the customer's pseudonymised key (data.pseudonymise).",
    "phone": "Remove the number or replace it by the customer's pseudonymised key (data.pseudonymise).",
    "hkid": "Do not keep HKID numbers in marketing data (PCPD Code of Practice on the ID Card Number); delete it.",
    "name": "Refer to the customer by the pseudonymised key, never by name.",
}
_TEXT_SUFFIXES = (".html", ".htm", ".csv", ".csv.gz", ".tsv", ".json", ".ipynb", ".md", ".txt", ".txt.gz", ".json.gz")


# --------------------------------------------------------------------------- HKID


def _hkid_values(normalised: pd.Series) -> np.ndarray:
    """Character values of 9-character HKIDs (space-padded prefix): space 36, A–Z 10–35, digits 0–9."""
    if normalised.empty:
        return np.zeros((0, 9), dtype=np.int64)
    codes = np.frombuffer("".join(normalised.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 9)
    codes = codes.astype(np.int64)
    values = np.where(codes == 32, 36, np.where(codes >= 65, codes - 55, codes - 48))
    return values


def _normalise_hkid(texts: pd.Series) -> pd.Series:
    """``'A123456(3)'`` → ``' A1234563'``; anything not HKID-shaped → missing."""
    text = texts.astype("string").str.upper().str.replace(r"[\s()]", "", regex=True)
    shaped = text.str.fullmatch(r"[A-Z]{1,2}\d{6}[0-9A]").fillna(False).astype(bool)
    return text.where(shaped).str.pad(9, side="left", fillchar=" ")


def hkid_is_valid(values: pd.Series | Sequence[str] | str) -> pd.Series | bool:
    """Whether HKID numbers have a valid check digit (vectorised).

    Parameters
    ----------
    values
        One HKID or a sequence of them, in any common layout: ``A123456(3)``,
        ``A1234563``, ``AB 987654 (2)``. Case and spaces are ignored.

    Returns
    -------
    bool or pandas.Series of bool
        ``False`` for anything that is not HKID-shaped.

    Examples
    --------
    >>> hkid_is_valid("A123456(3)"), hkid_is_valid("A123456(4)")
    (True, False)
    >>> hkid_is_valid(["AB123456(9)", "D288754(2)", "not an id"]).tolist()
    [True, True, False]
    """
    scalar = isinstance(values, str)
    series = pd.Series([values] if scalar else list(values) if not isinstance(values, pd.Series) else values)
    normalised = _normalise_hkid(series)
    ok = pd.Series(False, index=series.index)
    shaped = normalised.notna()
    if shaped.any():
        digits = _hkid_values(normalised[shaped])
        weights = np.array([9, 8, 7, 6, 5, 4, 3, 2, 1])
        ok.loc[shaped] = (digits @ weights) % 11 == 0
    return bool(ok.iloc[0]) if scalar else ok


def hkid_check_digit(prefix_and_digits: str) -> str:
    """The check character (``0``–``9`` or ``A``) for an HKID without it.

    Parameters
    ----------
    prefix_and_digits
        One or two letters and six digits, e.g. ``"A123456"``.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        The text is not one or two letters followed by six digits.

    Examples
    --------
    >>> hkid_check_digit("A123456"), hkid_check_digit("AB123456")
    ('3', '9')
    """
    text = prefix_and_digits.upper().replace(" ", "")
    if not re.fullmatch(r"[A-Z]{1,2}\d{6}", text):
        raise ValueError(f"an HKID prefix is one or two letters and six digits, not {prefix_and_digits!r}")
    values = _hkid_values(pd.Series([text.rjust(8) + "0"]))[0, :8]
    remainder = int(values @ np.array([9, 8, 7, 6, 5, 4, 3, 2])) % 11
    check = (11 - remainder) % 11
    return "A" if check == 10 else str(check)


# --------------------------------------------------------------------------- masking


def mask_values(values: pd.Series, kind: str) -> pd.Series:
    """Masked forms that show the kind of value but not the value.

    Parameters
    ----------
    values
        Raw values of one kind.
    kind
        One of :data:`PII_KINDS`.

    Returns
    -------
    pandas.Series of str

    Raises
    ------
    ValueError
        Unknown kind.

    Examples
    --------
    >>> mask_values(pd.Series(["chan.tm@mail.example.hk"]), "email").tolist()
    ['c***@***.hk']
    >>> mask_values(pd.Series(["+852 9123 4567"]), "phone").tolist()
    ['******67']
    >>> mask_values(pd.Series(["Chan Tai Man"]), "name").tolist()
    ['C*** T*** M***']
    """
    text = values.astype("string")
    if kind == "email":
        return text.str.replace(r"^(.)[^@]*@.*?(\.[A-Za-z]{2,})$", r"\1***@***\2", regex=True)
    if kind == "phone":
        return "******" + text.str.replace(r"\D", "", regex=True).str[-2:]
    if kind == "hkid":
        return text.str.strip().str[0] + "******(*)"
    if kind == "name":
        return text.str.replace(r"(\w)[\w'\-.]*", r"\1***", regex=True)
    raise ValueError(f"kind must be one of {PII_KINDS}, not {kind!r}")


# --------------------------------------------------------------------------- finding


def _names_pattern(known_names: Iterable[str]) -> str | None:
    names = sorted({str(n).strip() for n in known_names if isinstance(n, str) and len(str(n).strip()) >= 4},
                   key=len, reverse=True)
    if not names:
        return None
    return r"(?<![\w])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])"


def find_pii(
    texts: pd.Series,
    *,
    kinds: Sequence[str] = PII_KINDS,
    known_names: Iterable[str] = (),
) -> pd.DataFrame:
    """Every email, HK phone number, valid HKID and name found in a column of text.

    Parameters
    ----------
    texts
        Free text, one value per row; missing values are skipped. Not modified.
    kinds
        Which kinds to look for (default all of :data:`PII_KINDS`).
    known_names
        Full names to look for as whole words (e.g. the customer table's names).
        Without them, names are found only after an honorific (``Ms Chan``).

    Returns
    -------
    pandas.DataFrame
        ``row`` (the label in ``texts``), ``kind``, ``masked`` — one row per
        match, ordered by row then kind. The raw value is never returned.

    Examples
    --------
    >>> find_pii(pd.Series(["Dear Ms Wong, your ID B123456(?)"]))[["kind", "masked"]].values.tolist()
    [['name', 'M*** W***']]
    >>> len(find_pii(pd.Series(["product 53120000.5", "ref ORD-23456789", "2024-01-05"])))
    0
    """
    unknown = [k for k in kinds if k not in PII_KINDS]
    if unknown:
        raise ValueError(f"kinds must be among {PII_KINDS}; got {unknown}")
    text = texts.astype("string").dropna()
    parts = []
    patterns = {"email": EMAIL_PATTERN, "phone": PHONE_PATTERN, "hkid": HKID_PATTERN}
    names = _names_pattern(known_names)
    name_patterns = [HONORIFIC_PATTERN] + ([names] if names else [])
    for kind in kinds:
        regexes = name_patterns if kind == "name" else [patterns[kind]]
        for regex in regexes:
            found = text.str.extractall(f"(?P<value>{regex})")
            if found.empty:
                continue
            found = found.reset_index(level="match")
            values = found["value"].astype("string")
            keep = pd.Series(True, index=found.index)
            if kind == "phone":
                keep = ~values.str.fullmatch(_DATE_LIKE.pattern).fillna(False).astype(bool)
            if kind == "hkid":
                keep = hkid_is_valid(values).to_numpy()
            found = found.loc[keep]
            parts.append(pd.DataFrame({
                "row": found.index,
                "kind": kind,
                "order": PII_KINDS.index(kind),
                "match": found["match"].to_numpy(),
                "masked": mask_values(found["value"], kind).to_numpy(),
            }))
    if not parts:
        return pd.DataFrame({"row": pd.Series([], dtype=object), "kind": pd.Series([], dtype="string"),
                             "masked": pd.Series([], dtype="string")})
    out = pd.concat(parts, ignore_index=True)
    if "name" in kinds:
        # An honorific match and a known-name match can cover the same words.
        out = out.drop_duplicates(subset=["row", "kind", "masked"])
    out = out.sort_values(["row", "order", "match"], kind="stable")
    return out[["row", "kind", "masked"]].reset_index(drop=True)


def redact_text(
    texts: pd.Series,
    *,
    kinds: Sequence[str] = PII_KINDS,
    known_names: Iterable[str] = (),
) -> pd.Series:
    """Replace personal data in text by ``[EMAIL]``, ``[PHONE]``, ``[HKID]`` and ``[NAME]``.

    HKID-shaped values are redacted whatever their check digit: when removing,
    a false positive costs nothing. Date-like digit runs are left alone.

    Parameters
    ----------
    texts
        Free text; not modified.
    kinds
        Which kinds to redact (default all).
    known_names
        Full names to redact wherever they appear as whole words.

    Returns
    -------
    pandas.Series of str

    Examples
    --------
    >>> redact_text(pd.Series(["Mr Lee (6123-4567) wrote", None])).tolist()
    ['[NAME] ([PHONE]) wrote', <NA>]
    """
    out = texts.astype("string")
    if "email" in kinds:
        out = out.str.replace(EMAIL_PATTERN, "[EMAIL]", regex=True)
    if "hkid" in kinds:
        out = out.str.replace(HKID_PATTERN, "[HKID]", regex=True)
    if "phone" in kinds:
        phone = r"(?!(?:19[9]\d|20[0-3]\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d))" + PHONE_PATTERN
        out = out.str.replace(phone, "[PHONE]", regex=True)
    if "name" in kinds:
        names = _names_pattern(known_names)
        if names:
            out = out.str.replace(names, "[NAME]", regex=True)
        out = out.str.replace(HONORIFIC_PATTERN, "[NAME]", regex=True)
    return out


def _findings_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Attach rule, legal basis, detail and fix to raw matches (columns kind, file, where, masked)."""
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype="string") for c in PII_FINDING_COLUMNS})
    out = rows.copy()
    out["rule"] = out["kind"].map(_RULES)
    out["legal_basis"] = PII_LEGAL_BASIS
    out["record"] = out["file"].astype("string") + " " + out["where"].astype("string")
    out["detail"] = out["kind"].astype("string") + " found: " + out["masked"].astype("string")
    out["fix"] = out["kind"].map(_FIX)
    return out[list(PII_FINDING_COLUMNS)].reset_index(drop=True)


def _is_key_column(column: str) -> bool:
    """Record keys (``order_id``, ``session_id``…) are system identifiers, not free text."""
    lowered = column.lower()
    return lowered == "id" or lowered.endswith("_id")


def _column_kind(column: str) -> str:
    """The kind of personal data a known personal-data column holds (address counts as name-like)."""
    lowered = column.lower()
    if "mail" in lowered:
        return "email"
    if lowered in {"phone", "phone_number", "mobile", "tel", "telephone"}:
        return "phone"
    return "hkid" if lowered == "hkid" else "name"


def scan_frame(
    frame: pd.DataFrame,
    *,
    name: str = "table",
    columns: Sequence[str] | None = None,
    known_names: Iterable[str] = (),
) -> pd.DataFrame:
    """Personal data in a table: known personal-data columns, and PII inside free text.

    A column named like a personal-data column (``email``, ``phone``,
    ``full_name`` … see :data:`helpers.schema.PII_COLUMN_NAMES`) gives one
    finding for the whole column, unless it holds only pseudonymised tokens
    (``cus_…``). Every other text column is scanned with :func:`find_pii`,
    each distinct value once; record-key columns (``id``, ``*_id``) are not
    free text and are skipped unless named in ``columns``.

    Parameters
    ----------
    frame
        Any table; not modified.
    name
        What to call the table in findings (shown in the ``file`` column).
    columns
        Text columns to scan; by default every string/object column.
    known_names
        Full names to look for in free text.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PII_FINDING_COLUMNS`; ``where`` is ``column 'x' row n``.

    Examples
    --------
    >>> notes = pd.DataFrame({"note": ["ok", "ring 5123 4567"], "email": ["a@b.hk", None]})
    >>> scan_frame(notes, name="crm")[["rule", "where", "masked"]].values.tolist()
    [['pii_email', "column 'email'", '1 values'], ['pii_phone', "column 'note' row 1", '******67']]
    """
    # A personal-data column that holds only pseudonymised tokens (cus_...) is already safe.
    known_columns = [c for c in frame.columns if str(c).lower() in PII_COLUMN_NAMES and frame[c].notna().any()
                     and not frame[c].dropna().astype("string").str.startswith("cus_").all()]
    column_rows = pd.DataFrame({
        "kind": [_column_kind(str(c)) for c in known_columns],
        "file": name,
        "where": [f"column {c!r}" for c in known_columns],
        "masked": [f"{int(frame[c].notna().sum())} values" for c in known_columns],
    })
    if columns is None:
        columns = [c for c in frame.columns
                   if c not in known_columns and not _is_key_column(str(c))
                   and (pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object)]
    names = list(known_names)
    cell_rows = []
    for column in columns:  # a handful of columns; each is scanned vectorised
        if column not in frame.columns:
            raise ValueError(f"column {column!r} is not in the table {name!r}")
        # Scan each distinct value once, then map matches back to the rows holding it.
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
        found = find_pii(pd.Series(uniques, dtype="string"), known_names=names)
        if found.empty:
            continue
        rows = pd.DataFrame({"position": np.arange(len(codes)), "row": codes}).merge(found, on="row")
        rows = rows.sort_values(["position", "kind"], kind="stable")
        labels = pd.Series(frame.index.to_numpy()[rows["position"].to_numpy()]).astype("string")
        cell_rows.append(pd.DataFrame({
            "kind": rows["kind"].to_numpy(),
            "file": name,
            "where": (f"column {column!r} row " + labels).to_numpy(),
            "masked": rows["masked"].to_numpy(),
        }))
    rows = pd.concat([column_rows, *cell_rows], ignore_index=True) if cell_rows or len(column_rows) else column_rows
    return _findings_frame(rows)


def minimise_frame(
    frame: pd.DataFrame,
    *,
    known_names: Iterable[str] = (),
    key: str | bytes | None = None,
) -> pd.DataFrame:
    """A copy fit to share: personal-data columns pseudonymised, free text redacted.

    Known personal-data columns (:data:`helpers.schema.PII_COLUMN_NAMES`) are
    replaced by keyed-hash tokens (:func:`helpers.data.pseudonymise`), so rows
    still join; every other text column except record keys is passed through
    :func:`redact_text`. Numbers and dates are kept.

    Parameters
    ----------
    frame
        Any table; not modified.
    known_names
        Full names to redact in free text.
    key
        Secret for the keyed hash (see :func:`helpers.data.pseudonymise`).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> crm = pd.DataFrame({"email": ["a@b.hk"], "note": ["call 9123 4567"], "order_id": ["O1"], "spend_hkd": [5.0]})
    >>> out = minimise_frame(crm, key="k")
    >>> out["email"].str.startswith("cus_").all(), out["note"].iloc[0], out["order_id"].iloc[0]
    (np.True_, 'call [PHONE]', 'O1')
    """
    from helpers.data import pseudonymise

    known_columns = [c for c in frame.columns if str(c).lower() in PII_COLUMN_NAMES]
    out = pseudonymise(frame, known_columns, key=key) if known_columns else frame.copy()
    names = list(known_names)
    for column in out.columns:  # a handful of columns, each redacted vectorised
        text_like = pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object
        if column in known_columns or _is_key_column(str(column)) or not text_like:
            continue
        out[column] = redact_text(out[column], known_names=names)
    return out


def _scannable_lines(path: Path) -> list[tuple[str, str]]:
    """(where, text) pairs of a report file; images and scripts are left out."""
    name = path.name.lower()
    raw = gzip.open(path, "rb").read() if name.endswith(".gz") else path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        nb = json.loads(text)
        pieces = []
        for number, cell in enumerate(nb.get("cells", []), start=1):
            pieces.append((f"cell {number} source", "".join(cell.get("source", ""))))
            for output in cell.get("outputs", []):
                if "text" in output:
                    pieces.append((f"cell {number} output", "".join(output["text"])))
                for mime, value in output.get("data", {}).items():
                    if mime.startswith("text/") or mime == "application/json":
                        body = value if isinstance(value, str) else "".join(value) if isinstance(value, list) else json.dumps(value)
                        pieces.append((f"cell {number} output", body))
                if "traceback" in output:
                    pieces.append((f"cell {number} output", "\n".join(output["traceback"])))
        return pieces
    if name.endswith((".html", ".htm")):
        # Scripts, styles and embedded images are not report content; keep line numbers.
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", lambda m: "\n" * m.group(0).count("\n"), text)
        text = re.sub(r"data:[\w/+.\-]+;base64,[A-Za-z0-9+/=\s]+", "data:", text)
    return [(f"line {number}", line) for number, line in enumerate(text.splitlines(), start=1)]


def scan_paths(
    paths: str | Path | Iterable[str | Path],
    *,
    known_names: Iterable[str] = (),
) -> pd.DataFrame:
    """Sweep report outputs (files or folders) for emails, HK phone numbers, valid HKIDs and names.

    Use it before handing reports out: every area's output folder should give
    an empty table. Folders are searched recursively for HTML, CSV(.gz), TSV,
    JSON, ipynb, Markdown and text files; other files are ignored. Notebooks are
    scanned cell by cell (sources and text outputs, not images); HTML without
    its scripts, styles and embedded images.

    Parameters
    ----------
    paths
        A file, a folder, or several of them.
    known_names
        Full names to look for (e.g. the bundled customers' names loaded with ``pii="keep"``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PII_FINDING_COLUMNS`: ``file``, ``where`` (``line 12`` or
        ``cell 3 output``), ``kind`` and ``masked``; never the raw value.

    Raises
    ------
    FileNotFoundError
        A path that does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "report.csv").write_text("customer,note\\ncus_1a,called 6123 4567\\n")
    >>> scan_paths(folder)[["where", "kind", "masked"]].values.tolist()
    [['line 2', 'phone', '******67']]
    """
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder to scan")
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        files += [p for p in candidates if p.is_file() and p.name.lower().endswith(_TEXT_SUFFIXES)]
    names = list(known_names)
    rows = []
    for file in files:  # per file, not per row: each file's lines are scanned vectorised
        pieces = _scannable_lines(file)
        if not pieces:
            continue
        texts = pd.Series([t for _, t in pieces], dtype="string")
        found = find_pii(texts, known_names=names)
        if found.empty:
            continue
        rows.append(pd.DataFrame({
            "kind": found["kind"].to_numpy(),
            "file": str(file),
            "where": [pieces[r][0] for r in found["row"]],
            "masked": found["masked"].to_numpy(),
        }))
    if not rows:
        return _findings_frame(pd.DataFrame())
    return _findings_frame(pd.concat(rows, ignore_index=True))
