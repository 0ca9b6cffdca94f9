"""Benchmark: the whole metric catalogue by municipality, with intervals and suppression.

Run ``python -m benchmarks.metrics --rows 1000000 [--repeat 5] [--store-url URL]``; with a
store URL it also times loading the cases from ``store.Store`` (see :func:`store_timing`).
Prints rows, median seconds, rows/s and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from ingest.schema import (
    AGE_GROUPS,
    AID_END_CODES,
    DIAGNOSIS_CODES,
    EDUCATION_CODES,
    EXIT_CODES,
    EXIT_FIELDS,
    GENDER_CODES,
    INCOME_CODES,
    case_frame,
)
from metrics.catalogue import compute_metrics
from metrics.protection import audit_counts, protect_counts, protected_metrics
from metrics.selection import latest_snapshot

MUNICIPALITIES = Path(__file__).resolve().parent.parent / "data" / "kommuner.csv"


def _pick(
    rng: np.random.Generator, values: Sequence[str | None], n: int, missing: float = 0.0
) -> pl.Series:
    idx = rng.integers(0, len(values), n)
    out = pl.Series(list(values), dtype=pl.String).gather(idx)
    if missing:
        out = out.scatter(np.flatnonzero(rng.random(n) < missing), None)
    return out


def _yes_no(rng: np.random.Generator, n: int, p: float, missing: float = 0.1) -> pl.Series:
    values = rng.random(n) < p
    return pl.Series(values).scatter(np.flatnonzero(rng.random(n) < missing), None)


def synthetic_cases(rows: int, seed: int = 7) -> pl.DataFrame:
    """A demo-like canonical case frame of ``rows`` participations, built with numpy."""
    rng = np.random.default_rng(seed)
    kommuner = pl.read_csv(MUNICIPALITIES, schema_overrides={"kommunkod": pl.String})
    muni_idx = rng.integers(0, kommuner.height, rows)
    start = np.datetime64("2018-01-01") + rng.integers(0, 5 * 365, rows).astype("timedelta64[D]")
    days = rng.integers(30, 900, rows).astype("timedelta64[D]")
    end = np.where(rng.random(rows) < 0.6, start + days, np.datetime64("NaT"))
    age = rng.integers(18, 66, rows)
    frame = case_frame(
        {
            "case_id": pl.Series(np.arange(rows)).cast(pl.String),
            "project": _pick(rng, ["SAMRE", "Kaosam", "Rehabsteget", "SAMS"], rows),
            "municipality": kommuner["kommun"].gather(muni_idx),
            "municipality_code": kommuner["kommunkod"].gather(muni_idx),
            "district": _pick(rng, ["Norr", "Söder", None, None], rows),
            "gender": _pick(rng, GENDER_CODES[:2] * 10 + GENDER_CODES[2:], rows),
            "age": age,
            "age_group": pl.Series(
                np.asarray(AGE_GROUPS, dtype=object)[
                    np.clip((age - 15) // 10, 0, len(AGE_GROUPS) - 1)
                ]
            ),
            "born_abroad": _yes_no(rng, rows, 0.4),
            "education": _pick(rng, EDUCATION_CODES, rows, 0.1),
            "start_date": start,
            "end_date": end,
            "months_on_aid": pl.Series(rng.integers(0, 120, rows)).scatter(
                np.flatnonzero(rng.random(rows) < 0.1), None
            ),
            "diagnosis_group": _pick(rng, DIAGNOSIS_CODES, rows, 0.1),
            "sick_note": _yes_no(rng, rows, 0.7),
            "joint_plan": _yes_no(rng, rows, 0.9),
            "sip_meetings": rng.integers(0, 4, rows),
            "income_start": _pick(rng, INCOME_CODES, rows, 0.05),
            "active_start": _yes_no(rng, rows, 0.2),
            "step_start": rng.integers(1, 5, rows),
            "income_end": _pick(rng, INCOME_CODES, rows, 0.1),
            "aid_end": _pick(rng, AID_END_CODES, rows, 0.1),
            "active_end": _yes_no(rng, rows, 0.4),
            "step_end": rng.integers(1, 7, rows),
            "exit_reason": _pick(rng, EXIT_CODES, rows, 0.1),
            "anonymous": rng.random(rows) < 0.02,
        }
    )
    ended_expr = pl.col("end_date").is_not_null()
    return frame.with_columns(pl.when(ended_expr).then(pl.col(c)).alias(c) for c in EXIT_FIELDS)


def catalogue_by_municipality(cases: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """What the comparison page does: all metrics by municipality, protected for small numbers.

    Protection covers the linked set (the total and every single breakdown) with the
    LP-based cell suppression of ``metrics.protection``.
    """
    return protected_metrics(cases, by=["municipality"])


def catalogue_by_municipality_unprotected(cases: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return compute_metrics(cases, by=["municipality"])


def _peak_memory_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time(label: str, rows: int, repeat: int, run) -> None:
    seconds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - t0)
    median = statistics.median(seconds)
    print(
        f"{label}: rows {rows:,}  median {median:.3f} s  "
        f"(min {min(seconds):.3f}, max {max(seconds):.3f}, n={repeat})  "
        f"{rows / median:,.0f} rows/s  peak memory {_peak_memory_mb():,.0f} MB"
    )


def _small_cells(rows: int, repeat: int) -> None:
    """Protection where it has work to do: few rows over 290 municipalities."""
    cases = synthetic_cases(rows, seed=11)
    by = ["municipality"]
    _time(
        "small cells: catalogue by municipality, protected",
        rows,
        repeat,
        lambda: protected_metrics(cases, by=by),
    )
    _time(
        "small cells: by insats and municipality, protected",
        rows,
        repeat,
        lambda: protected_metrics(cases, by=["project", *by]),
    )
    _time(
        "small cells: unprotected",
        rows,
        repeat,
        lambda: compute_metrics(cases, by=by),
    )
    t0 = time.perf_counter()
    audit = audit_counts(cases, by)
    print(
        f"small cells: audit of {audit.hidden:,} hidden counts ({audit.small:,} small) in "
        f"{time.perf_counter() - t0:.2f} s: {audit.exposed} pinned within 1-4"
    )


# --- store timing ------------------------------------------------------------------------
def store_timing(store_url: str, rows: int = 1_000_000, repeat: int = 3) -> None:
    """Time loading all snapshots from a ``store.Store``, then the catalogue on the newest.

    An empty store is first filled with ``rows`` synthetic cases as one report month, so
    point this at a scratch database (e.g. ``sqlite:////tmp/bench.db``).
    """
    from store import Store  # here, so timing the metrics alone needs no database

    store = Store(store_url)
    try:
        if store.is_empty():
            t0 = time.perf_counter()
            store.save_snapshots(
                file_name="benchmark.csv",
                sha256=f"benchmark-{rows}",
                report_month="2024-06",
                cases=synthetic_cases(rows),
                imported_by="benchmark",
                replace=False,
            )
            print(f"store: saved {rows:,} rows in {time.perf_counter() - t0:.2f} s")
        height = store.load_snapshots().height
        _time("store load_snapshots", height, repeat, store.load_snapshots)
        _time(
            "store load + latest + catalogue by municipality",
            height,
            repeat,
            lambda: catalogue_by_municipality(latest_snapshot(store.load_snapshots())),
        )
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--small-rows",
        type=int,
        default=5_000,
        help="rows of the data set with many small cells (protection and audit)",
    )
    parser.add_argument(
        "--store-url", default=None, help="also time loading from this (scratch) store"
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    cases = synthetic_cases(args.rows)
    print(f"generated {cases.height:,} rows in {time.perf_counter() - t0:.2f} s")
    catalogue_by_municipality(cases)  # warm-up: thread pool, first allocations
    _time(
        "catalogue by municipality, protected",
        cases.height,
        args.repeat,
        lambda: catalogue_by_municipality(cases),
    )
    _time(
        "catalogue by municipality, unprotected",
        cases.height,
        args.repeat,
        lambda: catalogue_by_municipality_unprotected(cases),
    )
    _time(
        "protection alone (linked counts + LP)",
        cases.height,
        args.repeat,
        lambda: protect_counts(cases, ["municipality"]),
    )
    protected = protect_counts(cases, ["municipality"])
    print(
        f"linked cells {len(protected.values):,}, hidden {protected.hidden_count:,} "
        f"({sum(r == 'small' for r in protected.reasons.values()):,} small)"
    )
    _time("catalogue total", cases.height, args.repeat, lambda: compute_metrics(cases))
    _small_cells(args.small_rows, args.repeat)
    if args.store_url:
        store_timing(args.store_url, rows=args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
