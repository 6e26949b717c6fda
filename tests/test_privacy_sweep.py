"""Privacy sweep: every file the reports write is free of personal data.

Runs the report runner over all area notebooks on the bundled shop (what ``make reports``
does) into a temporary folder, then scans every output file (HTML, notebooks, CSV, JSON)
for e-mail addresses, Hong Kong phone numbers, valid HKIDs (``helpers.pii.scan_paths``)
AND, literally, for the bundled shop's own fake names, e-mail addresses and phone
numbers (loaded with ``pii="keep"``). Zero findings is the only pass.

This is the slowest test of the suite (about a minute and a half on 2 cores): it executes
every area notebook once.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import data, pii

from conftest import PROJECT
REPORTS_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def personal_data() -> dict[str, set[str]]:
    customers = data.load_shop_table(data.bundled_data_dir(), "customers", pii="keep", pseudonymise_ids=False)
    dnc = data.load_shop_table(data.bundled_data_dir(), "dnc_register", pii="keep", pseudonymise_ids=False)
    phones = pd.concat([customers["phone"], dnc["phone"]]).dropna().astype(str).str.replace(r"\D", "", regex=True)
    return {
        "names": set(customers["full_name"].dropna().astype(str)),
        "emails": set(customers["email"].dropna().astype(str).str.lower()),
        "phones": {p[-8:] for p in phones if len(p) >= 8},
    }


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("reports") / "reports"
    env = dict(os.environ, OCLAB_ATTEMPT_LOG="off", MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, "-m", "helpers.reports", "run", "all", "--out", str(out)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=REPORTS_TIMEOUT_S,
    )
    return out, done


def _text(path: Path) -> str:
    raw = gzip.open(path, "rb").read() if path.name.endswith(".gz") else path.read_bytes()
    return raw.decode("utf-8", errors="replace")


def _literal_hits(folder: Path, personal: dict[str, set[str]]) -> list[str]:
    """The bundled fake e-mails and phone numbers, matched literally in every non-image file."""
    hits = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix.lower() in {".png", ".jpg", ".jpeg", ".svg", ".pdf"}:
            continue
        text = _text(path)
        # Embedded images are base64: not text a reader sees, and full of accidental digit runs.
        text = re.sub(r"data:[\w/+.\-]+;base64,[A-Za-z0-9+/=\s\\n]+", "", text)
        emails = {m.lower() for m in re.findall(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", text)} & personal["emails"]
        digits = set(re.findall(r"(?<!\d)\d{4}[ \-]?\d{4}(?!\d)", text))
        phones = {d.replace(" ", "").replace("-", "") for d in digits} & personal["phones"]
        hits += [f"{path.relative_to(folder)}: email {e}" for e in sorted(emails)[:3]]
        hits += [f"{path.relative_to(folder)}: phone ****{p[-4:]}" for p in sorted(phones)[:3]]
    return hits


def test_reports_contain_no_personal_data(reports: tuple[Path, subprocess.CompletedProcess],
                                          personal_data: dict[str, set[str]]) -> None:
    out, done = reports
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "report.html" for p in files), f"no report written:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    findings = pii.scan_paths(out, known_names=personal_data["names"])
    shown = findings[["file", "where", "kind", "masked"]].head(15).to_string() if len(findings) else ""
    assert findings.empty, f"{len(findings)} personal-data findings in report outputs:\n{shown}"
    assert _literal_hits(out, personal_data) == []
    # Every report ran: a failed report would leave part of the outputs unswept.
    assert done.returncode == 0, f"report runner exit {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def test_the_sweep_would_catch_a_leak(reports: tuple[Path, subprocess.CompletedProcess],
                                      personal_data: dict[str, set[str]], tmp_path: Path) -> None:
    # A canary: one real-looking customer written into a copy of a report table must be found.
    out, _ = reports
    table = next(iter(sorted(out.rglob("*.csv"))), None)
    assert table is not None, "the reports wrote no CSV table to sweep"
    name = sorted(personal_data["names"])[0]
    email = sorted(personal_data["emails"])[0]
    phone = sorted(personal_data["phones"])[0]
    leaked = tmp_path / "leaked.csv"
    leaked.write_text(_text(table) + f"\n{name},{email},{phone[:4]} {phone[4:]}\n", encoding="utf-8")
    kinds = set(pii.scan_paths(leaked, known_names=personal_data["names"])["kind"])
    assert {"name", "email", "phone"} <= kinds
    assert len(_literal_hits(tmp_path, personal_data)) == 2
