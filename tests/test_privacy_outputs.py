"""Nothing the compliance report writes may carry personal data.

The compliance notebook is run as a report (papermill) on the bundled shop; every file it writes, and the
HTML of the executed notebook, is scanned for e-mails, Hong Kong phone numbers, HKIDs and customer names.
A negative case plants personal data to prove the scanner would have found it, and a second run on a single
transactions file with a phone number typed into a product name proves that findings.csv shows it masked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest
from nbconvert import HTMLExporter

from helpers import data, pii

from conftest import PROJECT
NOTEBOOK = PROJECT / "notebooks" / "04_legal_compliance.ipynb"


def _run(tmp_path: Path, **parameters: object) -> Path:
    executed = tmp_path / "executed.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK), str(executed), parameters=parameters, cwd=str(PROJECT / "notebooks"),
        kernel_name="python3", progress_bar=False,
    )
    return executed


@pytest.fixture(scope="module")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compliance_report")
    executed = _run(folder, output_dir=str(folder / "output"), data_path=str(data.bundled_data_dir()))
    # The HTML a trainer would hand out, inputs included (stricter than the report runner's, which hides them).
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(str(executed), as_version=4))
    (folder / "report.html").write_text(html, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def real_customers() -> pd.DataFrame:
    return data.load_shop_table(data.bundled_data_dir(), "customers", pii="keep", pseudonymise_ids=False)


def test_report_writes_the_expected_files(report_run: Path):
    written = sorted(p.name for p in (report_run / "output").iterdir())
    assert written == ["findings.csv", "metrics.json", "summary.csv"]
    metrics = json.loads((report_run / "output" / "metrics.json").read_text())
    for key in ["sends_checked", "sends_without_valid_consent", "sends_after_opt_out", "unsubscribe_requests",
                "unsubscribe_late", "messages_missing_sender_info", "messages_missing_bilingual_unsubscribe",
                "pii_findings", "unlicensed_assets"]:
        assert isinstance(metrics[key], int), key
    assert metrics["sends_checked"] > 0 and metrics["unsubscribe_requests"] > 0


def test_every_output_file_and_the_html_are_free_of_personal_data(report_run: Path, real_customers: pd.DataFrame):
    names = real_customers["full_name"].dropna().tolist()
    found = pii.scan_paths([report_run / "output", report_run / "report.html", report_run / "executed.ipynb"],
                           known_names=names)
    assert found.empty, found[["file", "where", "kind", "masked"]].to_string()


def test_findings_csv_never_contains_the_customers_real_fake_pii(report_run: Path, real_customers: pd.DataFrame):
    text = (report_run / "output" / "findings.csv").read_text(encoding="utf-8")
    assert len(text.splitlines()) > 100  # the bundled shop has planted breaches: the file is not trivially empty
    emails = set(real_customers["email"].dropna())
    phones = set(real_customers["phone"].dropna())
    names = set(real_customers["full_name"].dropna())
    tokens = set(re.findall(r"[\w.+\-]+@[\w.\-]+", text))
    assert not tokens & emails
    digit_runs = set(re.findall(r"(?<!\w)\d{8}(?!\w)", text))
    assert not digit_runs & phones
    any_name = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?!\w)")
    assert any_name.search(text) is None
    header = text.splitlines()[0].split(",")
    assert header == ["rule", "legal_basis", "record", "customer_id", "detail", "fix"]


def test_scanner_finds_planted_personal_data(report_run: Path, real_customers: pd.DataFrame, tmp_path: Path):
    person = real_customers.iloc[0]
    leaked = tmp_path / "leaked"
    leaked.mkdir()
    findings = (report_run / "output" / "findings.csv").read_text(encoding="utf-8")
    planted = f'dm_no_consent,PDPO,SND999999,,"{person["full_name"]} {person["email"]} {person["phone"]} A123456(3)",fix\n'
    (leaked / "findings.csv").write_text(findings + planted, encoding="utf-8")
    html = (report_run / "report.html").read_text(encoding="utf-8")
    (leaked / "report.html").write_text(html.replace("</body>", f"<p>Call {person['phone'][:4]} "
                                                              f"{person['phone'][4:]}</p></body>"), encoding="utf-8")
    metrics = json.loads((report_run / "output" / "metrics.json").read_text())
    metrics["contact"] = person["email"]
    (leaked / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")

    found = pii.scan_paths(leaked, known_names=[person["full_name"]])
    got = sorted(zip(found["file"].str.rsplit("/", n=1).str[-1], found["kind"]))
    assert got == [("findings.csv", "email"), ("findings.csv", "hkid"), ("findings.csv", "name"),
                   ("findings.csv", "phone"), ("metrics.json", "email"), ("report.html", "phone")]
    shown = " ".join(found["masked"]) + " " + " ".join(found["detail"])
    assert person["email"] not in shown and person["phone"] not in shown and person["full_name"] not in shown


def test_single_transactions_file_skips_shop_checks_and_masks_pii(tmp_path: Path):
    sales = tmp_path / "sales.csv"
    sales.write_text(
        "order_id,customer_id,order_date,product_name,quantity,unit_price\n"
        "1,C1,2024-03-01,Silk scarf,1,100\n"
        "2,C2,2024-03-02,Gift card - call 6123 4567,1,50\n", encoding="utf-8")
    out = tmp_path / "output"
    executed = _run(tmp_path, data_path=str(sales), output_dir=str(out))
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["pii_findings"] == 1
    assert metrics["sends_checked"] is None and metrics["unsubscribe_late"] is None  # skipped, not "0 = pass"
    assert metrics["rules_skipped"] == 17  # every rule but the four PII kinds needs a shop table
    findings = (out / "findings.csv").read_text(encoding="utf-8")
    assert "6123 4567" not in findings and "******67" in findings
    assert pii.scan_paths(out).empty
    text = executed.read_text(encoding="utf-8")
    assert "could not run on this data" in text
