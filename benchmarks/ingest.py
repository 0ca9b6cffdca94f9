"""Benchmark the import path: read + validate, + store on SQLite, and loading back.

    python -m benchmarks.ingest --rows 1000000 [--repeat 3]

Writes a demo-like export (Swedish headers, ``;``, UTF-8 with BOM) of N rows, then runs each
step in a fresh subprocess and prints rows, seconds, rows/s and the subprocess's peak
resident memory (VmHWM, which sees the Rust and C allocations tracemalloc does not). Also
CPU seconds, which say more than wall time on a busy machine. Medians over ``--repeat``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from ingest import schema

MUNICIPALITIES = Path(__file__).resolve().parents[1] / "data" / "kommuner.csv"
PROJECTS = ("SAMRE", "Kaosam", "Rehabsteget")
REPORT_MONTH = "2019-03"


def demo_export(rows: int, seed: int = 2019) -> pl.DataFrame:
    """A vectorised, demo-like case export with the canonical Swedish headers."""
    rng = np.random.default_rng(seed)
    municipalities = pl.read_csv(MUNICIPALITIES, schema_overrides={"kommunkod": pl.String})
    chosen = municipalities.get_column("kommun").head(26).to_numpy()

    def pick(values: tuple[str, ...] | np.ndarray, p: list[float] | None = None) -> np.ndarray:
        return rng.choice(np.asarray(values, dtype=object), size=rows, p=p)

    def yes_no(share: float) -> np.ndarray:
        return np.where(rng.random(rows) < share, "Ja", "Nej")

    start = np.datetime64("2016-01-01") + rng.integers(0, 1150, rows).astype("timedelta64[D]")
    end = start + rng.integers(20, 800, rows).astype("timedelta64[D]")
    # A participation that ends after the report month is still ongoing in that export.
    ended = (rng.random(rows) < 0.7) & (end <= np.datetime64("2019-03-31"))
    step_start = rng.integers(1, 5, rows)
    step_end = np.minimum(6, step_start + rng.integers(-1, 3, rows).clip(0))

    frame = schema.export_frame(
        {
            "deltagare_id": [f"LB{i:07d}" for i in range(rows)],
            "insats": pick(PROJECTS, [0.5, 0.3, 0.2]),
            "kommun": pick(chosen),
            "kon": pick(schema.GENDER_CODES, [0.58, 0.40, 0.02]),
            "alder": rng.integers(18, 65, rows),
            "utrikes_fodd": yes_no(0.45),
            "utbildning": pick(schema.EDUCATION_CODES),
            "startdatum": start.astype(str),
            "manader_bistand": rng.integers(0, 240, rows),
            "diagnos": pick(schema.DIAGNOSIS_CODES),
            "lakarintyg": yes_no(0.6),
            "planering": yes_no(0.9),
            "sip": rng.integers(0, 6, rows),
            "forsorjning_start": pick(("ekonomiskt_bistand", "sjukpenning", "ingen")),
            "aktivitet_start": yes_no(0.15),
            "steg_start": step_start,
            "slutdatum": end.astype(str),
            "forsorjning_slut": pick(schema.INCOME_CODES),
            "bistand_slut": pick(schema.AID_END_CODES),
            "aktivitet_slut": yes_no(0.4),
            "steg_slut": step_end,
            "avslutsorsak": pick(schema.EXIT_CODES[:-1]),
            "anonym": np.full(rows, "Nej"),
        }
    )
    # Ongoing participations have no end date and no exit fields.
    end = ("end_date", *schema.EXIT_FIELDS)
    exit_fields = [schema.FIELDS_BY_NAME[name].header for name in end]
    ongoing = pl.Series(~ended)
    return frame.with_columns(
        pl.when(ongoing).then(None).otherwise(pl.col(c)).alias(c) for c in exit_fields
    )


def write_export(rows: int, directory: Path) -> Path:
    path = directory / f"export_{rows}_{REPORT_MONTH}.csv"
    with path.open("wb") as out:
        out.write(b"\xef\xbb\xbf")  # Excel writes UTF-8 with a BOM
        demo_export(rows).write_csv(out, separator=";")
    return path


# -- one step per subprocess -------------------------------------------------------------


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; ``ru_maxrss`` would carry over the
    parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _step(name: str, export: Path, url: str) -> dict[str, float]:
    from access.roles import system_user
    from ingest import read_and_validate
    from store import Store
    from store.importer import import_export

    data = export.read_bytes()
    result: dict[str, float] = {"baseline_mb": _peak_mb()}
    cpu_before = _cpu_seconds()
    if name == "validate":
        started = time.perf_counter()
        validation = read_and_validate(data, export.name)
        result["seconds"] = time.perf_counter() - started
        if not validation.ok:
            raise SystemExit("Benchmarkfilen avvisades: " + validation.problems[0].message)
    elif name == "store":
        store = Store(url)  # a fresh file: opening it (migrations) is not timed
        marks: dict[str, float] = {}

        def progress(_fraction: float, step: str) -> None:
            marks.setdefault(step, time.perf_counter())

        started = time.perf_counter()
        outcome = import_export(
            store, data, export.name, actor=system_user("benchmark"), progress=progress
        )
        finished = time.perf_counter()
        if outcome.status != "imported":
            raise SystemExit(f"Importen lyckades inte: {outcome.message}")
        result["seconds"] = finished - started
        result["store_seconds"] = finished - marks["Sparar"]
    elif name == "load":
        store = Store(url)
        started = time.perf_counter()
        frame = store.load_snapshots()
        result["seconds"] = time.perf_counter() - started
        assert frame.schema == pl.Schema(schema.SNAPSHOT_DTYPES)
        result["rows"] = frame.height
    result["peak_mb"] = _peak_mb()
    result["cpu_seconds"] = _cpu_seconds() - cpu_before
    return result


def _run_step(name: str, export: Path, url: str) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest", "--step", name, str(export), url],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--step", nargs=3, metavar=("STEP", "EXPORT", "URL"), help="internal")
    args = parser.parse_args(argv)
    if args.step:
        name, export, url = args.step
        print(json.dumps(_step(name, Path(export), url)))
        return

    with tempfile.TemporaryDirectory(prefix="lagesbild-bench-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        export = write_export(args.rows, directory)
        size_mb = export.stat().st_size / 1e6
        print(
            f"Export: {args.rows:,} rader, {size_mb:.0f} MB, "
            f"skapad på {time.perf_counter() - started:.1f} s"
        )
        runs: dict[str, list[dict[str, float]]] = {"validate": [], "store": [], "load": []}
        for attempt in range(args.repeat):
            url = f"sqlite:///{directory / f'bench_{attempt}.db'}"
            for name in runs:
                runs[name].append(_run_step(name, export, url))
        labels = {
            "validate": "(a) läs + validera",
            "store": "(b) läs + validera + spara (SQLite, ny fil)",
            "load": "(c) läs in aktuella ögonblicksbilder",
        }
        print(f"Median av {args.repeat} körningar, {args.rows:,} rader")
        print(f"{'steg':<46}{'sekunder':>10}{'rader/s':>12}{'CPU s':>8}{'topp RSS MB':>13}")
        for name, results in runs.items():
            seconds = statistics.median(r["seconds"] for r in results)
            cpu = statistics.median(r["cpu_seconds"] for r in results)
            peak = statistics.median(r["peak_mb"] for r in results)
            print(
                f"{labels[name]:<46}{seconds:>10.2f}{args.rows / seconds:>12,.0f}"
                f"{cpu:>8.2f}{peak:>13,.0f}"
            )
            if name == "store":
                store_only = statistics.median(r["store_seconds"] for r in results)
                print(
                    f"{'    varav spara':<46}{store_only:>10.2f}"
                    f"{args.rows / store_only:>12,.0f}{'':>13}"
                )
        baseline = statistics.median(r["baseline_mb"] for r in runs["validate"])
        print(f"(RSS före steget, med bibliotek och exportfilen inlästa: {baseline:,.0f} MB)")


if __name__ == "__main__":
    main()
