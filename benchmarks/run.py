"""Benchmarks: the suite's helpers against textbook pandas, lifetimes and DuckDB.

``make bench`` runs this in ``.venv-bench``. For each file (UCI Online Retail, synthetic 1M
and 10M lines) each approach runs in its own process (``benchmarks/worker.py``); their
results are compared (same customers, same totals) BEFORE any time is compared, then a
ratio table is printed and ``benchmarks/results.json`` written. See benchmarks/README.md.

    .venv-bench/bin/python benchmarks/run.py [--skip-10m] [--datasets uci synthetic_1m] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(PROJECT))

import make_data  # noqa: E402

SHARED = Path(os.environ.get("OCLAB_SHARED_DATA", PROJECT.parent / "shared" / "data"))
APPROACHES = ("helpers", "pandas", "lifetimes", "duckdb")
STEPS = ("load_clean", "rfm", "cohort", "pareto", "btyd_summary")
PIPELINE = ("load_clean", "rfm", "cohort", "pareto")
TARGETS = {"pandas_speedup_min": 5.0, "duckdb_ratio_max": 1.5, "peak_10m_bytes_max": 4 * 2**30}


def datasets(cache: Path, names: list[str]) -> dict[str, tuple[Path, str]]:
    out = {}
    for name in names:
        if name == "uci":
            path = SHARED / "online_retail.csv.gz"
            if not path.exists():
                print(f"skip uci: {path} not found (../shared/data sits beside the project)")
                continue
            out[name] = (path, "uci")
        elif name == "synthetic_1m":
            out[name] = (make_data.synthetic_1m(cache), "canonical")
        elif name == "synthetic_10m":
            out[name] = (make_data.synthetic_10m(cache), "canonical")
    return out


def run_worker(approach: str, path: Path, layout: str, out: Path, timeout: float) -> dict:
    began = time.perf_counter()
    cmd = [sys.executable, str(HERE / "worker.py"), approach, str(path), layout, str(out)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        progress = out / "progress.json"
        done_steps = json.loads(progress.read_text())["steps"] if progress.exists() else {}
        return {"approach": approach, "error": f"timed out after {timeout:.0f} s", "timed_out_after": timeout,
                "steps_done": done_steps}
    if done.returncode != 0:
        return {"approach": approach, "error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    result = json.loads((out / "result.json").read_text())
    result["process_seconds"] = time.perf_counter() - began
    return result


# --------------------------------------------------------------------------- agreement


def _tokens(raw: pd.Series) -> pd.Series:
    """Raw customer IDs as the helpers' pseudonymised tokens (ID canonicalised as the loader does)."""
    from helpers.data import pseudonym

    text = raw.astype(str).str.strip().str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    uniques = text.unique()
    mapping = dict(zip(uniques, (pseudonym(u) for u in uniques)))
    return text.map(mapping)


def _keyed(frame: pd.DataFrame, keys: str) -> pd.DataFrame:
    frame = frame.copy()
    if keys == "raw":
        frame["customer_id"] = _tokens(frame["customer_id"])
    frame["customer_id"] = frame["customer_id"].astype(str)
    return frame.set_index("customer_id").sort_index()


def _compare_frames(ref: pd.DataFrame, other: pd.DataFrame, exact: list[str], close: list[str]) -> str | None:
    if len(ref) != len(other) or not ref.index.equals(other.index):
        missing = ref.index.difference(other.index)
        extra = other.index.difference(ref.index)
        return f"{len(ref):,} vs {len(other):,} rows; {len(missing)} missing, {len(extra)} extra"
    for column in exact:
        differ = ref[column].to_numpy(dtype="float64") != other[column].to_numpy(dtype="float64")
        if differ.any():
            return f"{column} differs on {int(differ.sum())} rows, e.g. {ref.index[differ][0]}"
    for column in close:
        a, b = ref[column].to_numpy(dtype="float64"), other[column].to_numpy(dtype="float64")
        if not np.allclose(a, b, rtol=1e-7, atol=1e-6):
            return f"{column} differs (max abs diff {np.max(np.abs(a - b)):.6g})"
    return None


def agreement(results: dict[str, dict], folders: dict[str, Path]) -> dict[str, dict[str, str]]:
    """Per step and approach: 'ok' or what differs from the helpers."""
    checks: dict[str, dict[str, str]] = {step: {} for step in STEPS}
    ref = results.get("helpers", {})
    if "error" in ref or not ref:
        return {step: {"helpers": "no helpers result"} for step in STEPS}
    for approach, result in results.items():
        if approach == "helpers" or "error" in result:
            continue
        info, keys, folder = result["info"], result["info"]["keys"], folders[approach]
        if "load_clean" in result["steps"]:
            same = info["rows_kept"] == ref["info"]["rows_kept"] and np.isclose(
                info["amount_total"], ref["info"]["amount_total"], rtol=1e-9)
            checks["load_clean"][approach] = "ok" if same else (
                f"rows {info['rows_kept']:,} vs {ref['info']['rows_kept']:,}, "
                f"amount {info['amount_total']:,.2f} vs {ref['info']['amount_total']:,.2f}")
        for step, exact, close in (
            ("rfm", ["recency_days", "frequency_orders"], ["monetary"]),
            ("pareto", [], ["revenue"]),
            ("btyd_summary", ["frequency", "recency_days", "T_days"], ["monetary_value"]),
        ):
            if step not in result["steps"]:
                continue
            mine = _keyed(pd.read_parquet(folder / f"{step}.parquet"), keys)
            theirs = _keyed(pd.read_parquet(folders["helpers"] / f"{step}.parquet"), "pseudonymised")
            checks[step][approach] = _compare_frames(theirs, mine, exact, close) or "ok"
        if "cohort" in result["steps"]:
            mine = pd.read_parquet(folder / "cohort.parquet").astype({"cohort": str}).set_index(["cohort", "period"]).sort_index()
            theirs = pd.read_parquet(folders["helpers"] / "cohort.parquet").astype({"cohort": str}).set_index(["cohort", "period"]).sort_index()
            checks["cohort"][approach] = _compare_frames(theirs, mine, ["customers"], []) or "ok"
    return checks


# --------------------------------------------------------------------------- BG/NBD


def _median_time(func, repeats: int = 3):
    times, value = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - began)
    return statistics.median(times), value


def bgnbd_benchmark() -> list[dict]:
    from helpers import clv, data

    warnings.filterwarnings("ignore")
    from lifetimes import BetaGeoFitter

    problems = []
    sample = SHARED / "cdnow" / "cdnow_customers_summary_with_transactions.csv"
    if sample.exists():
        s = pd.read_csv(sample)
        problems.append(("CDNOW 1/10 sample, published summary (2,357 customers, weeks)",
                         pd.DataFrame({"frequency": s["x"], "recency_weeks": s["t_x"], "T_weeks": s["T"]})))
    master = SHARED / "cdnow" / "CDNOW_master.txt"
    if master.exists():
        tx = data.load_transactions(master)
        summary = clv.customer_summary(tx, observation_end="1997-09-30", time_unit="weeks")
        problems.append(("CDNOW master, calibration to 1997-09-30 (23,570 customers, weeks)",
                         summary[["frequency", "recency_weeks", "T_weeks"]].reset_index(drop=True)))
    rows = []
    for label, frame in problems:
        seconds_h, fit = _median_time(lambda: clv.fit_bgnbd(frame))

        def lifetimes_fit():
            f = BetaGeoFitter(penalizer_coef=0.0)
            f.fit(frame["frequency"], frame["recency_weeks"], frame["T_weeks"])
            return f

        seconds_l, lf = _median_time(lifetimes_fit)
        lp = lf.params_
        n = len(frame)
        # lifetimes reports its likelihood on rescaled time; evaluate its parameters on the same scale as ours.
        lifetimes_ll = float(np.sum(clv._bgnbd_log_likelihood(
            np.array([lp["r"], lp["alpha"], lp["a"], lp["b"]], dtype=float), frame["frequency"].to_numpy(float),
            frame["recency_weeks"].to_numpy(float), frame["T_weeks"].to_numpy(float))))
        rows.append({
            "problem": label, "customers": n,
            "helpers": {"seconds": seconds_h, **fit.params(), "log_likelihood": round(fit.log_likelihood, 2),
                        "converged": fit.converged},
            "lifetimes": {"seconds": seconds_l, **{k: round(float(lp[k]), 4) for k in ("r", "alpha", "a", "b")},
                          "log_likelihood": round(lifetimes_ll, 2)},
        })
    return rows


# --------------------------------------------------------------------------- report


def _fmt_s(result: dict, step: str) -> str:
    if "error" in result:
        return "error"
    step_result = result["steps"].get(step)
    return f"{step_result['seconds']:.2f}" if step_result else "—"


def _seconds(result: dict, steps) -> float | None:
    if "error" in result or any(s not in result["steps"] for s in steps):
        return None
    return sum(result["steps"][s]["seconds"] for s in steps)


def _peak(result: dict, steps) -> int | None:
    if "error" in result:
        return None
    peaks = [result["steps"][s]["peak_rss_bytes"] for s in steps if s in result["steps"]]
    return max(peaks) if peaks else None


def table(all_results: dict) -> tuple[str, dict]:
    lines = []
    verdicts = {}
    header = (f"{'data':<14}{'step':<14}{'helpers s':>10}{'pandas s':>10}{'lifetm s':>10}{'duckdb s':>10}"
              f"{'pandas/helpers':>16}{'helpers/duckdb':>16}{'helpers MiB':>13}{'duckdb MiB':>12}{'pandas MiB':>12}")
    lines += [header, "-" * len(header)]
    for name, block in all_results.items():
        res = block["results"]
        for step in (*STEPS, "pipeline"):
            steps = PIPELINE if step == "pipeline" else (step,)
            secs = {a: _seconds(res.get(a, {"error": 1}), steps) for a in APPROACHES}
            peaks = {a: _peak(res.get(a, {"error": 1}), steps) for a in APPROACHES}
            h = secs["helpers"]
            comparator = secs["lifetimes"] if step == "btyd_summary" else secs["pandas"]
            speedup = comparator / h if comparator and h else None
            bound = ""
            pandas_res = res.get("pandas", {})
            if comparator is None and step != "btyd_summary" and "timed_out_after" in pandas_res and h:
                # Textbook pandas hit its time-box during the first step it did not finish.
                done = pandas_res.get("steps_done", {})
                spent = sum(v["seconds"] for v in done.values())
                running = next((s for s in PIPELINE if s not in done), None)
                if step == "pipeline":
                    speedup, bound = pandas_res["timed_out_after"] / h, ">="
                elif step == running:
                    speedup, bound = max(pandas_res["timed_out_after"] - spent, 0) / h, ">="
            vs_duck = h / secs["duckdb"] if h and secs["duckdb"] else None

            def cell(v, fmt):
                return format(v, fmt) if v is not None else "—"

            label = "pipeline*" if step == "pipeline" else step
            lines.append(
                f"{name:<14}{label:<14}{cell(h, '.2f'):>10}{cell(secs['pandas'], '.2f'):>10}"
                f"{cell(secs['lifetimes'], '.2f'):>10}{cell(secs['duckdb'], '.2f'):>10}"
                f"{bound + cell(speedup, '.1f') + ('x' if speedup else ''):>16}{cell(vs_duck, '.2f') + ('x' if vs_duck else ''):>16}"
                f"{cell(peaks['helpers'] and peaks['helpers'] / 2**20, '.0f'):>13}"
                f"{cell(peaks['duckdb'] and peaks['duckdb'] / 2**20, '.0f'):>12}"
                f"{cell(peaks['pandas'] and peaks['pandas'] / 2**20, '.0f'):>12}")
            verdicts[f"{name}/{step}"] = {"pandas_or_lifetimes_over_helpers": speedup, "lower_bound": bool(bound),
                                          "helpers_over_duckdb": vs_duck,
                                          "helpers_peak_bytes": peaks["helpers"]}
        lines.append("")
    lines.append("* pipeline = load_clean + rfm + cohort + pareto. btyd_summary's comparator column is lifetimes.")
    lines.append("  '>=' : textbook pandas hit its time-box; the ratio is a lower bound.")
    return "\n".join(lines), verdicts


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    versions = {}
    for package in ("pandas", "numpy", "pyarrow", "duckdb", "lifetimes", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem / 2**30, 1),
            "python": platform.python_version(), "versions": versions}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["uci", "synthetic_1m", "synthetic_10m"])
    parser.add_argument("--skip-10m", action="store_true",
                        help="leave out the 10M-line file (it takes about 6 of the ~8 minutes)")
    parser.add_argument("--pandas-timeout-10m", type=float, default=600,
                        help="seconds allowed to textbook pandas on the 10M file; its ratio is then a lower bound")
    parser.add_argument("--approaches", nargs="+", default=list(APPROACHES))
    parser.add_argument("--cache", type=Path, default=make_data.default_cache())
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per approach and file")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    names = [d for d in args.datasets if not (args.skip_10m and d == "synthetic_10m")]
    began = time.perf_counter()
    print(f"machine: {machine()['cores']} cores, {machine()['memory_gib']} GiB; preparing data in {args.cache}", flush=True)
    files = datasets(args.cache, names)
    all_results: dict[str, dict] = {}
    failed_agreement = []
    with tempfile.TemporaryDirectory(prefix="oclab-bench-") as tmp:
        for name, (path, layout) in files.items():
            results, folders = {}, {}
            for approach in args.approaches:
                folders[approach] = Path(tmp) / name / approach
                print(f"  {name:<14} {approach:<10}", end=" ", flush=True)
                timeout = args.pandas_timeout_10m if (approach == "pandas" and name == "synthetic_10m") else args.timeout
                results[approach] = run_worker(approach, path, layout, folders[approach], timeout)
                r = results[approach]
                print(r.get("error") or " ".join(f"{k}={v['seconds']:.2f}s/{v['peak_rss_bytes'] / 2**20:.0f}MiB"
                                                 for k, v in r["steps"].items()), flush=True)
            checks = agreement(results, folders)
            bad = {f"{step}/{a}": msg for step, per in checks.items() for a, msg in per.items() if msg != "ok"}
            if bad:
                failed_agreement.append(name)
                print(f"  {name}: RESULTS DISAGREE, times not compared: {bad}", flush=True)
            all_results[name] = {"file": str(path), "rows_in_file": None, "results": results, "agreement": checks}
    print("\nBG/NBD fit (median of 3)", flush=True)
    bgnbd = bgnbd_benchmark()
    for row in bgnbd:
        print(f"  {row['problem']}")
        for who in ("helpers", "lifetimes"):
            p = row[who]
            print(f"    {who:<10} {p['seconds']:.3f} s  r={p['r']:.4f} alpha={p['alpha']:.4f} a={p['a']:.4f} "
                  f"b={p['b']:.4f}  log-likelihood {p['log_likelihood']:,.2f}")
    comparable = {k: v for k, v in all_results.items() if k not in failed_agreement}
    text, verdicts = table(comparable)
    m = machine()
    print(f"\nRatios on this machine ({m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB); "
          "all approaches agreed on customers and totals before timing was compared\n")
    print(text)
    targets = {}
    for name in comparable:
        v = verdicts[f"{name}/pipeline"]
        targets[name] = {
            "helpers_at_least_5x_faster_than_pandas": bool(v["pandas_or_lifetimes_over_helpers"]
                                                           and v["pandas_or_lifetimes_over_helpers"] >= 5),
            "helpers_within_1_5x_of_duckdb": bool(v["helpers_over_duckdb"] and v["helpers_over_duckdb"] <= 1.5),
        }
        if name == "synthetic_10m":
            peak = max((_peak(all_results[name]["results"]["helpers"], STEPS) or 0), 0)
            targets[name]["helpers_10m_under_4_gib"] = bool(peak and peak < TARGETS["peak_10m_bytes_max"])
    print("\ntargets:", json.dumps(targets, indent=1))
    record = {"machine": m, "targets": TARGETS, "target_results": targets, "datasets": all_results,
              "bgnbd": bgnbd, "ratio_table": text, "verdicts": verdicts,
              "total_seconds": round(time.perf_counter() - began, 1), "disagreements": failed_agreement}
    args.out.write_text(json.dumps(record, indent=1, sort_keys=True, default=float) + "\n")
    print(f"\nwrote {args.out} in {record['total_seconds']:.0f} s")
    return 1 if failed_agreement else 0


if __name__ == "__main__":
    raise SystemExit(main())
