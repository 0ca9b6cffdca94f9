"""Benchmark: read + guard + validate a large case export and print the figures.

python -m benchmarks.read_validate [rows] [--keep PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from ingest import read_and_validate, schema
from ingest.municipalities import register


def write_demo_export(path: Path, rows: int, seed: int = 1) -> Path:
    """A demo-like export as Swedish Excel writes it: ``;``, Swedish headers, every column."""
    rng = np.random.default_rng(seed)
    names = [m.name for m in register().by_code.values()][:40]
    day0 = np.datetime64(dt.date(2016, 1, 1))
    month_end = np.datetime64(dt.date(2019, 3, 31))  # the export's report month is 2019-03
    start_days = day0 + rng.integers(0, 1186, rows).astype("timedelta64[D]")
    end_days = start_days + rng.integers(30, 700, rows).astype("timedelta64[D]")
    start = pl.Series(start_days).cast(pl.String)
    end = pl.Series(end_days).cast(pl.String)
    # A participation that ends after the report month is still ongoing in that export.
    ended = (rng.random(rows) < 0.6) & (end_days <= month_end)

    def pick(codes: tuple[str, ...] | list[str]) -> pl.Series:
        return pl.Series(np.asarray(codes, dtype=object)[rng.integers(0, len(codes), rows)])

    def yes_no() -> pl.Series:
        return pick(["Ja", "Nej", ""])

    age = pl.Series(rng.integers(18, 65, rows))
    frame = schema.export_frame(
        {
            "deltagare_id": pl.Series([f"D{i:07d}" for i in range(rows)]),
            "insats": pick(["SAMRE", "Kaosam", "Rehabsteget", "SAMS"]),
            "kommun": pick(names),
            "stadsdel": pick(["", "", "Rinkeby", "Kista"]),
            "kon": pick(["K", "M", "Kvinna", "Man"]),
            "alder": age.cast(pl.String),
            "utrikes_fodd": yes_no(),
            "utbildning": pick(schema.EDUCATION_CODES),
            "startdatum": start,
            "slutdatum": pl.Series(np.where(ended, end.to_numpy(), "")),
            "manader_bistand": pl.Series(rng.integers(0, 120, rows)).cast(pl.String) + ",0",
            "diagnos": pick(schema.DIAGNOSIS_CODES),
            "lakarintyg": yes_no(),
            "planering": yes_no(),
            "sip": pl.Series(rng.integers(0, 5, rows)).cast(pl.String),
            "forsorjning_start": pick(schema.INCOME_CODES),
            "aktivitet_start": yes_no(),
            "steg_start": pl.Series(rng.integers(1, 4, rows)).cast(pl.String),
            "forsorjning_slut": pick(schema.INCOME_CODES),
            "bistand_slut": pick(schema.AID_END_CODES),
            "aktivitet_slut": yes_no(),
            "steg_slut": pl.Series(rng.integers(1, 7, rows)).cast(pl.String),
            "avslutsorsak": pick(schema.EXIT_CODES),
            "anonym": pick(["Nej", "Nej", "Nej", ""]),
            "rapportmanad": pl.Series(["2019-03"] * rows),
        }
    )
    frame.write_csv(path, separator=";")
    return path


def read_and_validate_benchmark(path: Path, runs: int = 3) -> dict[str, float]:
    """Time ``read_and_validate`` on ``path``: median wall and CPU seconds over ``runs``."""
    walls, cpus = [], []
    rows = 0
    for _ in range(runs):
        cpu_before = _cpu_seconds()
        began = time.perf_counter()
        outcome = read_and_validate(path)
        walls.append(time.perf_counter() - began)
        cpus.append(_cpu_seconds() - cpu_before)
        if not outcome.ok:
            raise SystemExit(f"benchmark file refused: {[p.rule for p in outcome.problems]}")
        rows = outcome.rows_read
    median = statistics.median(walls)
    return {
        "rows": rows,
        "seconds": median,
        "seconds_min": min(walls),
        "cpu_seconds": statistics.median(cpus),
        "rows_per_second": rows / median,
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="write the export here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "export_2019-03.csv"
        write_demo_export(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        figures = read_and_validate_benchmark(path, args.runs)
    print(f"rows            {figures['rows']:>12,}")
    print(f"file size MB    {size_mb:>12.1f}")
    print(f"seconds median  {figures['seconds']:>12.2f}  (fastest {figures['seconds_min']:.2f})")
    print(f"cpu seconds     {figures['cpu_seconds']:>12.2f}")
    print(f"rows/s          {figures['rows_per_second']:>12,.0f}")
    print(f"peak memory MB  {figures['peak_memory_mb']:>12.0f}")


if __name__ == "__main__":
    main()
