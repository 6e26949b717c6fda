"""The report runner: ``python -m helpers.reports list | params | run``.

Most tests run against tiny notebooks written into a temporary folder (``--notebooks DIR``),
so they do not depend on the area notebooks; a few run the project's own notebooks.
Expected figures are worked out by hand from the six-line file below.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT
from helpers import reports
from helpers.nbbuild import code, md, notebook, write

# Six invoice lines. Cleaning keeps four: C4 is a cancellation, A5 has no customer.
#   C1: A1 2 x 10.0 = 20.0, A1 1 x 5.5 = 5.5, A3 1 x 100.0 = 100.0  -> 125.5
#   C2: A2 3 x 4.0 = 12.0                                           ->  12.0
#   revenue 125.5 + 12.0 = 137.5 over 2 customers
ORDERS_CSV = """order_id,customer_id,order_date,quantity,unit_price
A1,C1,2024-01-05,2,10.0
A1,C1,2024-01-05,1,5.5
A2,C2,2024-01-06,3,4.0
A3,C1,2024-02-01,1,100.0
C4,C2,2024-02-02,-1,4.0
A5,,2024-02-03,1,9.0
"""
RENAMED = {"order_id": "receipt_no", "customer_id": "member_no", "order_date": "paid_at",
           "quantity": "qty", "unit_price": "price"}
MAPPING_YAML = "columns: {" + ", ".join(f"{k}: {v}" for k, v in RENAMED.items()) + "}"

SUMMARY_PARAMETERS = '''# parameters
data_path: str = "orders.csv"   # a transactions file, or the bundled shop folder
columns: dict = {}              # column mapping for your own file: canonical name -> your column
top_n: int = 3                  # customers in the top table
min_share: float = 0.5          # a share between 0 and 1
include_all: bool = False       # keep every customer in the table
segments: list = ["all"]        # segments to show
as_of: str = ""                 # analysis date YYYY-MM-DD; empty = day after the last order
output_dir: str = "output"      # where tables and metrics.json are written'''

SUMMARY_SETUP = """from helpers import data
tx, cleaning = data.load_clean_transactions(data_path, columns or None)
spend = tx.groupby("customer_id", as_index=False)["amount"].sum()
print("SOURCE-MARKER-not-in-html", len(tx))"""

SUMMARY_OUTPUTS = """out = data.output_folder(output_dir)
data.write_csv(spend.sort_values("amount", ascending=False).head(top_n), out / "top_customers.csv")
kinds = {n: type(v).__name__ for n, v in dict(top_n=top_n, min_share=min_share, include_all=include_all,
         segments=segments, columns=columns, as_of=as_of).items()}
data.write_metrics({"customers": int(tx["customer_id"].nunique()), "revenue_hkd": round(float(tx["amount"].sum()), 2),
                    "lines_kept": cleaning.rows_kept, "as_of": as_of, "types": kinds}, out / "metrics.json")"""


def _fixture_notebooks(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write(notebook([md("# A start page\n\nWelcome to the suite. Nothing to report here."),
                    code('# parameters\noutput_dir: str = "output"  # unused', tags=["parameters"]),
                    code("print('hello')")]),
          folder / "00_intro.ipynb")
    write(notebook([md("# Orders summary\n\nWho spent what. A *small* report for the tests.\n\nData: a tiny file."),
                    code(SUMMARY_PARAMETERS, tags=["parameters"]),
                    code(SUMMARY_SETUP),
                    md("## Spend\n\nThe top customers."),
                    code(SUMMARY_OUTPUTS)]),
          folder / "01_orders_summary.ipynb")
    write(notebook([md("# Always fails\n\nA report that stops half-way."),
                    code('# parameters\ndata_path: str = "orders.csv"  # a transactions file\n'
                         'output_dir: str = "output"  # where outputs go', tags=["parameters"]),
                    code("from helpers import data\n"
                         "data.write_metrics({'half_done': 1}, data.output_folder(output_dir) / 'metrics.json')"),
                    code("share = 1\ntotal = share / 0\nprint(total)")]),
          folder / "02_always_fails.ipynb")
    (folder / "scratch.ipynb").write_text("not a report: no number in front", encoding="utf-8")
    return folder


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    return _fixture_notebooks(tmp_path / "nb")


@pytest.fixture
def orders_file(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV, encoding="utf-8")
    return path


def run_cli(*argv: str) -> int:
    return reports.main(list(argv))


# --------------------------------------------------------------------------- list and params


def test_discovers_numbered_notebooks_with_title_and_first_sentence(fixture_dir: Path) -> None:
    areas = reports.discover_areas(fixture_dir)
    assert [a.name for a in areas] == ["intro", "orders_summary", "always_fails"]
    summary = areas[1]
    assert (summary.number, summary.short, summary.title) == ("01", "orders", "Orders summary")
    assert summary.summary == "Who spent what."
    assert areas[0].is_start_page and not summary.is_start_page


def test_new_notebook_is_picked_up_without_code_changes(fixture_dir: Path) -> None:
    write(notebook([md("# Basket sizes\n\nHow big baskets are.")]), fixture_dir / "07_basket_sizes.ipynb")
    assert "basket_sizes" in [a.name for a in reports.discover_areas(fixture_dir)]


def test_list_shows_names_titles_and_what_each_covers(fixture_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_cli("list", "--notebooks", str(fixture_dir)) == 0
    out = capsys.readouterr().out
    assert "orders_summary  (also: orders, 01)" in out
    assert "Orders summary" in out and "Who spent what." in out
    assert "intro  (also: intro, 00)   [start page: not part of 'run all']" in out
    assert "scratch" not in out


def test_list_on_the_project_notebooks_gives_every_notebook_a_title(capsys: pytest.CaptureFixture) -> None:
    assert run_cli("list") == 0
    out = capsys.readouterr().out
    areas = reports.discover_areas(PROJECT / "notebooks")
    assert areas, "no notebooks found"
    for area in areas:
        assert area.name in out and area.title in out
        assert area.title != area.stem, f"{area.path.name} has no '#' title"
    assert "Online Customer Lab — start here" in out


def test_select_by_name_first_word_number_and_file_stem(fixture_dir: Path) -> None:
    areas = reports.discover_areas(fixture_dir)
    for selector in ["orders_summary", "orders", "01", "01_orders_summary", "01_orders_summary.ipynb", "Orders"]:
        assert [a.name for a in reports.select_areas([selector], areas)] == ["orders_summary"]
    # 'all' is every report notebook from 01 up; the 00 start page runs only by name.
    assert [a.name for a in reports.select_areas(["all"], areas)] == ["orders_summary", "always_fails"]
    assert [a.name for a in reports.select_areas(["intro"], areas)] == ["intro"]


def test_unknown_and_ambiguous_names_are_refused(fixture_dir: Path) -> None:
    areas = reports.discover_areas(fixture_dir)
    with pytest.raises(reports.ParameterError, match="unknown report 'retention'. Valid names: all, intro, orders_summary"):
        reports.select_areas(["retention"], areas)
    write(notebook([md("# Orders by day")]), fixture_dir / "05_orders_by_day.ipynb")
    with pytest.raises(reports.ParameterError, match="ambiguous: it could be orders_summary, orders_by_day"):
        reports.select_areas(["orders"], reports.discover_areas(fixture_dir))


def test_params_shows_type_default_and_help(fixture_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_cli("params", "orders", "--notebooks", str(fixture_dir)) == 0
    out = capsys.readouterr().out
    assert '  data_path: str = "orders.csv"\n      a transactions file, or the bundled shop folder' in out
    assert "  top_n: int = 3\n      customers in the top table" in out
    assert "  include_all: bool = False" in out
    # papermill alone drops a line whose help text holds '=': the runner must still list it.
    assert '  as_of: str = ""\n      analysis date YYYY-MM-DD; empty = day after the last order' in out
    assert '  segments: list = ["all"]' in out
    assert "  output_dir: str = \"output\"  (set by the runner: choose the folder with --out)" in out


def test_params_of_the_real_start_page(capsys: pytest.CaptureFixture) -> None:
    assert run_cli("params", "start") == 0
    out = capsys.readouterr().out
    assert '  data_path: str = "../data"\n      a transactions file, or the bundled shop folder' in out


# --------------------------------------------------------------------------- conversion and validation


@pytest.mark.parametrize(
    ("text", "type_name", "expected"),
    [
        ("2024-01-31", "str", "2024-01-31"),
        ("yes", "str", "yes"),
        ("010", "int", 10),  # YAML 1.1 would read 010 as octal 8
        ("-3", "int", -3),
        ("0.25", "float", 0.25),
        ("7", "float", 7.0),
        ("True", "bool", True),
        ("off", "bool", False),
        ("[30, 60, 90]", "list", [30, 60, 90]),
        ("[2024-01-01]", "list", ["2024-01-01"]),
        ("{customer_id: household_id}", "dict", {"customer_id": "household_id"}),
        ("", "dict", {}),
    ],
)
def test_values_are_converted_to_the_declared_type(text: str, type_name: str, expected: object) -> None:
    value = reports.convert_value(text, type_name, name="x")
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "type_name", "message"),
    [
        ("ten", "int", "x: expected a whole number (int), got 'ten'"),
        ("2.5", "int", "x: expected a whole number (int), got '2.5'"),
        ("a lot", "float", "x: expected a number (float), got 'a lot'"),
        ("maybe", "bool", "x: expected true or false (bool), got 'maybe'"),
        ("household_id", "dict", "x: expected a dict such as {key: value}, got 'household_id'"),
        ("{a: 1}", "list", "x: expected a list such as [a, b], got '{a: 1}'"),
    ],
)
def test_values_that_do_not_fit_the_type_are_refused(text: str, type_name: str, message: str) -> None:
    with pytest.raises(reports.ParameterError) as caught:
        reports.convert_value(text, type_name, name="x")
    assert str(caught.value) == message


def _plan(fixture_dir: Path, orders_file: Path, **given: object) -> reports.Plan:
    areas = reports.select_areas(["orders"], reports.discover_areas(fixture_dir))
    values = reports.gather_values(data=str(orders_file), **given)
    return reports.plan_runs(areas, values, caller_cwd=orders_file.parent)[0]


def test_yaml_dates_and_words_stay_text_for_str_parameters(fixture_dir: Path, orders_file: Path) -> None:
    plan = _plan(fixture_dir, orders_file, yaml_texts=["{as_of: 2024-01-31, top_n: 010, include_all: yes}"])
    assert plan.inject["as_of"] == "2024-01-31"
    assert plan.inject["top_n"] == 10 and plan.inject["include_all"] is True


def test_column_mapping_passes_through_yaml(fixture_dir: Path, orders_file: Path) -> None:
    plan = _plan(fixture_dir, orders_file, yaml_texts=[MAPPING_YAML])
    assert plan.inject["columns"] == RENAMED


def test_later_sources_win_file_then_yaml_then_p(fixture_dir: Path, orders_file: Path, tmp_path: Path) -> None:
    params_file = tmp_path / "params.yaml"
    params_file.write_text("top_n: 5\nmin_share: 0.1\nas_of: 2024-03-01\n", encoding="utf-8")
    plan = _plan(fixture_dir, orders_file, yaml_files=[str(params_file)], yaml_texts=["top_n: 6\nmin_share: 0.2"],
                 pairs=[["top_n", "7"]])
    assert (plan.inject["top_n"], plan.inject["min_share"], plan.inject["as_of"]) == (7, 0.2, "2024-03-01")


def test_relative_data_path_means_the_callers_folder(fixture_dir: Path, orders_file: Path) -> None:
    areas = reports.select_areas(["orders"], reports.discover_areas(fixture_dir))
    plan = reports.plan_runs(areas, reports.gather_values(data="orders.csv"), caller_cwd=orders_file.parent)[0]
    # The notebook runs in the notebooks folder, so it must receive an absolute path.
    assert plan.inject["data_path"] == str(orders_file.resolve())
    assert plan.input_files == [orders_file.resolve()]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["-p", "top_m", "3"], "orders_summary: unknown parameter 'top_m' (from -p top_m); did you mean 'top_n'?"),
        (["-p", "top_n", "three"], "orders_summary: top_n: expected a whole number (int), got 'three' (from -p top_n)"),
        (["-y", "as_of: [2024]"], "orders_summary: as_of: expected a single str value, got [2024] (from -y)"),
        (["-y", "columns: customer_id"], "orders_summary: columns: expected a dict such as {key: value}, got 'customer_id'"),
        (["-p", "output_dir", "elsewhere"], "'output_dir' is set by the runner (from -p output_dir); choose the report folder with --out"),
        (["--data", "no_such_file.csv"], "orders_summary: data_path: no such file or folder: no_such_file.csv (looked for "),
        (["-y", "top_n: [1"], "-y: not valid YAML"),
        (["-f", "missing.yaml"], "-f missing.yaml: no such parameters file"),
    ],
)
def test_invalid_parameters_stop_before_anything_runs(
    fixture_dir: Path, orders_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture, extra: list[str], problem: str,
) -> None:
    monkeypatch.chdir(orders_file.parent)
    out = tmp_path / "out"
    code_ = run_cli("run", "orders", "--notebooks", str(fixture_dir), "--data", "orders.csv", "--out", str(out),
                    "--no-progress", *extra)
    err = capsys.readouterr().err
    assert code_ == 2
    assert problem in err
    if "YAML" not in problem and "parameters file" not in problem:
        # The message lists what is valid, with types and help text.
        assert "Valid parameters of orders_summary:" in err
        assert "  top_n: int = 3\n      customers in the top table" in err
    assert not out.exists(), "nothing may be written when validation fails"


def test_a_data_folder_must_hold_the_transactions_file(fixture_dir: Path, tmp_path: Path) -> None:
    areas = reports.select_areas(["orders"], reports.discover_areas(fixture_dir))
    empty = tmp_path / "june"
    empty.mkdir()
    with pytest.raises(reports.ParameterError, match="the folder .*june has no transactions.csv.gz"):
        reports.plan_runs(areas, reports.gather_values(data=str(empty)), caller_cwd=tmp_path)


def test_run_all_refuses_a_name_no_notebook_declares_but_accepts_one_some_declare(
    fixture_dir: Path, orders_file: Path, capsys: pytest.CaptureFixture
) -> None:
    areas = reports.select_areas(["all"], reports.discover_areas(fixture_dir))
    plans = reports.plan_runs(areas, reports.gather_values(data=str(orders_file), pairs=[["top_n", "2"]]),
                              caller_cwd=orders_file.parent)
    assert [p.inject.get("top_n") for p in plans] == [2, None]
    assert [p.ignored for p in plans] == [[], ["top_n"]]  # `run` prints a note for these
    with pytest.raises(reports.ParameterError, match="unknown parameter 'topn' .*no selected notebook declares it"):
        reports.plan_runs(areas, reports.gather_values(pairs=[["topn", "2"]]), caller_cwd=orders_file.parent)


def test_unknown_report_bad_timeout_and_bad_out_exit_2(
    fixture_dir: Path, orders_file: Path, capsys: pytest.CaptureFixture
) -> None:
    assert run_cli("run", "nosuch", "--notebooks", str(fixture_dir)) == 2
    assert "unknown report 'nosuch'" in capsys.readouterr().err
    assert run_cli("run", "orders", "--timeout", "-1", "--notebooks", str(fixture_dir)) == 2
    assert "expected a positive number of seconds" in capsys.readouterr().err
    a_file = fixture_dir / "scratch.ipynb"
    assert run_cli("run", "orders", "--out", str(a_file), "--data", str(orders_file), "--notebooks", str(fixture_dir)) == 2
    assert "cannot create the report folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- running (fixture notebooks)


@pytest.fixture(scope="module")
def run_all(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One ``run all`` over the fixture notebooks (one report passes, one fails), then a rerun of the passing one."""
    root = tmp_path_factory.mktemp("run_all")
    notebooks = _fixture_notebooks(root / "nb")
    (root / "orders.csv").write_text(ORDERS_CSV, encoding="utf-8")
    out = root / "reports"
    args = ["--notebooks", str(notebooks), "--out", "reports", "--data", "orders.csv", "--no-progress",
            "-y", "as_of: 2024-01-31", "-p", "top_n", "2", "-p", "segments", "[north, south]"]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # --data and --out are relative to the caller's folder
        with contextlib.redirect_stderr(io.StringIO()) as err:
            code_ = run_cli("run", "all", *args)
        first = {p.name: p.read_bytes() for p in (out / "orders_summary").iterdir()}
        with contextlib.redirect_stderr(io.StringIO()):
            rerun_code = run_cli("run", "orders", *args)
    second = {p.name: p.read_bytes() for p in (out / "orders_summary").iterdir()}
    return {"root": root, "out": out, "code": code_, "err": err.getvalue(), "first": first, "second": second,
            "rerun_code": rerun_code}


def test_exit_status_counts_failed_reports(run_all: dict) -> None:
    # One of the two reports failed: 10 + 1.
    assert run_all["code"] == 11
    assert run_all["rerun_code"] == 0


def test_successful_report_folder_holds_notebook_html_metrics_and_csv(run_all: dict) -> None:
    folder = run_all["out"] / "orders_summary"
    assert sorted(p.name for p in folder.iterdir()) == [
        "metrics.json", "report.html", "report.ipynb", "top_customers.csv"]
    metrics = json.loads((folder / "metrics.json").read_text())
    # Hand figures from ORDERS_CSV: 2 customers, HK$137.50, 4 lines kept.
    assert (metrics["customers"], metrics["revenue_hkd"], metrics["lines_kept"]) == (2, 137.5, 4)
    # Values reach the notebook with their declared types; the YAML date stays text.
    assert metrics["as_of"] == "2024-01-31"
    assert metrics["types"] == {"as_of": "str", "columns": "dict", "include_all": "bool", "min_share": "float",
                                "segments": "list", "top_n": "int"}
    top = (folder / "top_customers.csv").read_text().splitlines()
    assert len(top) == 3 and top[1].endswith(",125.5") and top[2].endswith(",12.0")  # top_n = 2
    assert top[1].startswith("cus_")  # pseudonymised keys, never the raw C1


def test_html_has_outputs_but_no_code(run_all: dict) -> None:
    page = (run_all["out"] / "orders_summary" / "report.html").read_text()
    assert "Who spent what." in page  # markdown stays
    assert "SOURCE-MARKER-not-in-html 4" in page  # the printed output stays
    assert "load_clean_transactions" not in page  # the code does not
    assert "In&nbsp;[" not in page and "In [" not in page
    # A hand-out says what it was run on (the notebook's own text describes the bundled data).
    assert ('This report was run on <code>orders.csv</code> with as_of = "2024-01-31", top_n = 2, '
            'segments = ["north", "south"]; everything else at its default.') in page


def test_executed_notebook_names_its_final_folder_not_the_staging_one(run_all: dict) -> None:
    text = (run_all["out"] / "orders_summary" / "report.ipynb").read_text()
    assert str(run_all["out"] / "orders_summary") in text
    assert ".partial" not in text
    # Clock times live in run.json only.
    assert '"start_time"' not in text and '"end_time"' not in text
    assert not [p for p in run_all["out"].iterdir() if p.name.startswith(".")], "staging folders left behind"


def test_failed_report_leaves_no_report_folder_and_keeps_the_partial_notebook(run_all: dict) -> None:
    out = run_all["out"]
    assert not (out / "always_fails").exists()
    failed = out / "failed" / "always_fails"
    assert sorted(p.name for p in failed.iterdir()) == ["error.txt", "metrics.json", "report.ipynb"]
    partial = json.loads((failed / "report.ipynb").read_text())
    assert any(o.get("ename") == "ZeroDivisionError" for c in partial["cells"] for o in c.get("outputs", []))
    err = run_all["err"]
    assert "FAILED  always_fails" in err
    assert "note: always_fails has no parameter as_of, top_n, segments; it runs without it" in err
    assert "at this line:\n    total = share / 0" in err
    assert "ZeroDivisionError: division by zero" in err
    assert "failed/always_fails/report.ipynb" in err
    assert "total = share / 0" in (failed / "error.txt").read_text()


def test_start_page_is_not_part_of_run_all(run_all: dict) -> None:
    assert not (run_all["out"] / "intro").exists()


def test_index_links_every_report_with_metrics_and_run_time(run_all: dict) -> None:
    page = (run_all["out"] / "index.html").read_text()
    assert '<a href="orders_summary/report.html">Orders summary</a>' in page
    assert "<dt>customers</dt><dd>2</dd>" in page and "<dt>revenue_hkd</dt><dd>137.50</dd>" in page
    assert '<a href="failed/always_fails/report.ipynb">partial notebook</a>' in page
    assert "ZeroDivisionError" in page
    record = json.loads((run_all["out"] / "run.json").read_text())
    assert f'{record["areas"]["orders_summary"]["seconds"]:.1f} s' in page


def test_run_json_records_parameters_versions_checksums_and_times(run_all: dict) -> None:
    record = json.loads((run_all["out"] / "run.json").read_text())
    orders = run_all["root"] / "orders.csv"
    entry = record["areas"]["orders_summary"]
    # The rerun of orders_summary alone keeps the record of the earlier failure, whose folder is still there.
    assert entry["status"] == "ok" and record["areas"]["always_fails"]["status"] == "failed"
    assert entry["parameters"]["data_path"] == str(orders)
    assert entry["parameters"]["top_n"] == 2 and entry["parameters"]["segments"] == ["north", "south"]
    assert entry["parameters"]["include_all"] is False  # defaults are recorded too
    assert entry["data"] == [{"path": str(orders), "bytes": len(ORDERS_CSV.encode()),
                              "sha256": hashlib.sha256(ORDERS_CSV.encode()).hexdigest()}]
    assert record["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert {"papermill", "nbconvert", "pandas", "numpy"} <= set(record["versions"])
    assert record["started"] <= entry["started"] <= entry["finished"] <= record["finished"]
    assert entry["notebook_sha256"] == hashlib.sha256(
        (run_all["root"] / "nb" / "01_orders_summary.ipynb").read_bytes()).hexdigest()


def test_reruns_give_byte_identical_csv_and_metrics(run_all: dict) -> None:
    for name in ["metrics.json", "top_customers.csv"]:
        assert run_all["first"][name] == run_all["second"][name], name
    record_text = (run_all["out"] / "run.json").read_text()
    started = json.loads(record_text)["started"][:10]
    for name in ["metrics.json", "top_customers.csv"]:
        assert started not in run_all["second"][name].decode(), f"{name} carries a timestamp"


def test_column_mapping_on_a_renamed_copy_gives_the_same_report(
    fixture_dir: Path, tmp_path: Path, run_all: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ORDERS_CSV.splitlines()
    header = ",".join(RENAMED[name] for name in lines[0].split(","))
    renamed = tmp_path / "my_export.csv.gz"
    renamed.write_bytes(gzip.compress("\n".join([header, *lines[1:]]).encode() + b"\n"))
    monkeypatch.chdir(tmp_path)
    code_ = run_cli("run", "orders", "--notebooks", str(fixture_dir), "--out", "mapped", "--data", renamed.name,
                    "-y", MAPPING_YAML, "-y", "as_of: 2024-01-31", "-p", "top_n", "2", "-p", "segments",
                    "[north, south]", "--no-progress")
    assert code_ == 0
    metrics = json.loads((tmp_path / "mapped" / "orders_summary" / "metrics.json").read_text())
    assert (metrics["customers"], metrics["revenue_hkd"], metrics["lines_kept"]) == (2, 137.5, 4)
    # Same shop under other column names: the same table, byte for byte.
    assert (tmp_path / "mapped" / "orders_summary" / "top_customers.csv").read_bytes() == \
        run_all["second"]["top_customers.csv"]


def test_a_cell_that_runs_too_long_fails_as_timed_out(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "nb"
    folder.mkdir()
    write(notebook([md("# Slow\n\nSleeps."), code('# parameters\noutput_dir: str = "output"  # out', tags=["parameters"]),
                    code("import time\ntime.sleep(60)")]), folder / "01_slow.ipynb")
    # With progress bars on, as in `make reports`.
    code_ = run_cli("run", "slow", "--notebooks", str(folder), "--out", str(tmp_path / "out"), "--timeout", "2")
    err = capsys.readouterr().err
    assert code_ == 11
    assert "stopped in code cell In [3], at this line:\n    import time …" in err
    assert "timed out: the cell ran longer than 2 s (raise --timeout S)" in err
    assert not (tmp_path / "out" / "slow").exists()
    assert (tmp_path / "out" / "failed" / "slow" / "report.ipynb").exists()


# --------------------------------------------------------------------------- the project's notebooks


def test_bad_data_fails_the_real_start_page_and_removes_an_earlier_report(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,customer_id,order_date,amount\n1,a,31/02/2024,10\n2,b,not a date,5\n", encoding="utf-8")
    out = tmp_path / "reports"
    earlier = out / "start_here"
    earlier.mkdir(parents=True)
    (earlier / "report.html").write_text("a report from last month", encoding="utf-8")
    code_ = run_cli("run", "start", "--data", str(bad), "--out", str(out), "--no-progress")
    err = capsys.readouterr().err
    assert code_ == 11
    assert not earlier.exists(), "a stale report must not sit where this run's report would be"
    assert (out / "failed" / "start_here" / "report.ipynb").exists()
    assert "tx, cleaning = data.load_clean_transactions(data_path)" in err
    assert "DataValidationError" in err and "order_date" in err
    assert json.loads((out / "run.json").read_text())["areas"]["start_here"]["status"] == "failed"


def test_start_page_on_the_bundled_data_reruns_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Servers and CI often set a non-interactive backend; the report must still carry its chart.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    earlier_failure = tmp_path / "first" / "failed" / "start_here"
    earlier_failure.mkdir(parents=True)
    (earlier_failure / "report.ipynb").write_text("{}", encoding="utf-8")
    for out in ["first", "second"]:
        assert run_cli("run", "start", "--out", str(tmp_path / out), "--no-progress") == 0
    first, second = tmp_path / "first" / "start_here", tmp_path / "second" / "start_here"
    assert not earlier_failure.exists(), "a success clears the failed/ folder of an earlier run"
    metrics = json.loads((first / "metrics.json").read_text())
    # Every line read is either kept or counted as dropped, and some are kept.
    assert metrics["lines_in"] >= metrics["lines_kept"] > 0 and metrics["customers"] > 0
    assert (first / "metrics.json").read_bytes() == (second / "metrics.json").read_bytes()
    assert "Step 1: what is in the data" in (first / "report.html").read_text()
    executed = json.loads((first / "report.ipynb").read_text())
    charts = [o for c in executed["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert charts, "the report drew no chart"
    # Cells papermill or the runner insert get fixed ids, so reruns match cell for cell.
    ids = [[cell["id"] for cell in json.loads((run / "report.ipynb").read_text())["cells"]] for run in (first, second)]
    assert ids[0] == ids[1] and "injected-parameters" in ids[0]
    record = json.loads((tmp_path / "first" / "run.json").read_text())
    bundled = {Path(entry["path"]).name for entry in record["areas"]["start_here"]["data"]}
    assert "transactions.csv.gz" in bundled  # every file of the bundled shop folder is checksummed


CONSUMPTION = PROJECT / "notebooks" / "01_consumption_patterns.ipynb"


def test_consumption_report_on_the_uci_online_retail_file(online_retail_path: Path, tmp_path: Path) -> None:
    if not CONSUMPTION.exists():
        pytest.fail(f"{CONSUMPTION.relative_to(PROJECT)} is missing: the consumption report cannot be run")
    code_ = run_cli("run", "consumption", "--data", str(online_retail_path), "-p", "currency", "£",
                    "--out", str(tmp_path / "uci"), "--no-progress")
    assert code_ == 0
    folder = tmp_path / "uci" / "consumption_patterns"
    assert {"report.ipynb", "report.html", "metrics.json"} <= {p.name for p in folder.iterdir()}
    assert list(folder.glob("*.csv*")), "the area's tables are copied along"
    metrics = json.loads((folder / "metrics.json").read_text())
    # Reference figures of ../shared/data/README.md: 541,909 lines, 135,080 without CustomerID,
    # 8,905 cancellation lines that do have one.
    assert metrics["rows_in"] == 541_909
    assert metrics["dropped"]["missing_customer_id"] == 135_080
    assert metrics["dropped"]["cancelled_order"] == 8_905
    # 4,339 customers have a non-cancelled line; one of them only has zero-price lines: 4,338 (Chen et al. 2012).
    assert metrics["customers"] == 4_338
    record = json.loads((tmp_path / "uci" / "run.json").read_text())
    # The checksum run.json records is the one published beside the file.
    published = dict(line.split()[::-1] for line in (online_retail_path.parent / "SHA256SUMS").read_text().splitlines()
                     if line.strip())
    assert record["areas"]["consumption_patterns"]["data"][0]["sha256"] == published["online_retail.csv.gz"]


def test_entry_point_runs_as_a_module() -> None:
    # The exit status reaches the shell.
    done = subprocess.run([sys.executable, "-m", "helpers.reports", "run", "start", "-p", "nope", "1"],
                          capture_output=True, text=True, cwd=PROJECT, timeout=120, check=False)
    assert done.returncode == 2
    assert "unknown parameter 'nope'" in done.stderr
    # The console script declared in pyproject.toml runs the same main().
    script = Path(sys.executable).parent / "oclab-report"
    done = subprocess.run([str(script), "list"], capture_output=True, text=True, cwd=PROJECT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "start_here  (also: start, 00)" in done.stdout
