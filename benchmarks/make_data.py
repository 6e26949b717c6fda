"""Synthetic transaction files of 1M and 10M lines for the benchmarks.

* ``synthetic_1m.csv``: the project's generator (:func:`helpers.synth.generate_shop`, seed 406,
  40,000 customers over 24 months, ~1.13M lines with its planted dirty rows), first 1,000,000
  lines in time order.
* ``synthetic_10m.csv``: the generator cannot make 10M lines quickly (it also builds every other
  shop table, ~15 s per million lines and growing memory), so the 1M file is replicated ten
  times, vectorised, with new customer and order IDs (suffix ``-0`` … ``-9``; a cancellation's
  leading ``C`` is kept). Dates, products and amounts repeat, so per-customer figures repeat too:
  this measures scale, not new behaviour.

Files are written once into a cache folder (default ``$TMPDIR/oclab-bench``) and reused.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

COLUMNS = ["order_id", "customer_id", "order_date", "product_id", "product_name", "quantity", "unit_price",
           "district", "channel"]
ROWS_1M = 1_000_000
REPLICAS_10M = 10


def default_cache() -> Path:
    return Path(os.environ.get("OCLAB_BENCH_CACHE", Path(tempfile.gettempdir()) / "oclab-bench"))


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    tmp = path.with_suffix(".partial")
    pacsv.write_csv(table, tmp, pacsv.WriteOptions(quoting_style="needed"))
    tmp.replace(path)


def synthetic_1m_frame(cache: Path) -> pd.DataFrame:
    parquet = cache / "synthetic_1m.parquet"
    if parquet.exists():
        return pd.read_parquet(parquet)
    from helpers.synth import generate_shop

    tx = generate_shop(seed=406, n_customers=40_000, months=24)["transactions"]
    if len(tx) < ROWS_1M:
        raise RuntimeError(f"the generator made only {len(tx):,} lines; raise n_customers")
    tx = tx.loc[:, COLUMNS].head(ROWS_1M).reset_index(drop=True)
    cache.mkdir(parents=True, exist_ok=True)
    tx.to_parquet(parquet, index=False)
    return tx


def synthetic_1m(cache: Path) -> Path:
    path = cache / "synthetic_1m.csv"
    if not path.exists():
        _write_csv(synthetic_1m_frame(cache), path)
    return path


def synthetic_10m(cache: Path) -> Path:
    path = cache / "synthetic_10m.csv"
    if path.exists():
        return path
    base = synthetic_1m_frame(cache)
    parts = []
    for replica in range(REPLICAS_10M):
        part = base.copy()
        suffix = f"-{replica}"
        # Suffixes, not prefixes: a cancellation must still start with "C".
        part["order_id"] = part["order_id"] + suffix
        part["customer_id"] = part["customer_id"] + suffix  # missing stays missing
        parts.append(part)
    _write_csv(pd.concat(parts, ignore_index=True), path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--skip-10m", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    print(synthetic_1m(args.cache))
    if not args.skip_10m:
        print(synthetic_10m(args.cache))
    print(f"done in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
