"""How long the pages take to show, in the real app in headless Chromium, on two data sets.

    python -m benchmarks.filter_rerender [--repeat 3] [--large-db PATH]

Two stores are measured in the same run: the demo set, and a large one built here
(24 monthly snapshots growing to 100,000 participations, about 1,000,000 stored rows, in a
SQLite file in a temporary directory; ``--large-db`` keeps it in a file of your choosing and
reuses it when it is already there). For each store and each repetition the app is started
afresh; then every page is opened once (cold: its first run in that server), once more
(warm), and the municipality filter is toggled there twice (a filter change). Each time runs
from the request until the script run has finished and the charts are drawn. The server's
peak memory is the streamlit process's high-water RSS. Prints the medians side by side with
the targets for the large set: each time within 1.5 × the demo's + 0.5 s, memory ≤ 600 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
from playwright.sync_api import Page

from benchmarks.metrics import synthetic_cases
from tests import browser as harness

MONTHS = 24
FINAL_PARTICIPATIONS = 100_000
#: Snapshot i holds (i / MONTHS) ** GROWTH of the final participations: about 1,000,000 rows.
GROWTH = 1.4
#: A förbund covers a handful of municipalities (Sigtuna among them: the filter toggles it).
LARGE_MUNICIPALITIES = (
    "Sigtuna",
    "Sollentuna",
    "Upplands Väsby",
    "Vallentuna",
    "Järfälla",
    "Täby",
    "Upplands-Bro",
    "Knivsta",
)
FILTER_MUNICIPALITY = "Sigtuna"
MEMORY_TARGET_MB = 600.0
KINDS = ("cold", "warm", "filter")


def _month(index: int) -> str:
    """Report months ending 2024-06, ``index`` 0 being the first."""
    total = 2024 * 12 + 5 - (MONTHS - 1) + index
    return f"{total // 12}-{total % 12 + 1:02d}"


def large_cases() -> pl.DataFrame:
    """The synthetic case frame, moved into this förbund's municipalities."""
    cases = synthetic_cases(FINAL_PARTICIPATIONS)
    kommuner = pl.read_csv(harness.REPO_ROOT / "data" / "kommuner.csv", infer_schema=False)
    codes = dict(zip(kommuner["kommun"], kommuner["kommunkod"], strict=True))
    names = pl.Series(LARGE_MUNICIPALITIES)
    pick = (pl.int_range(pl.len()) * 7919 % len(LARGE_MUNICIPALITIES)).alias("pick")
    picked = cases.with_columns(pick).get_column("pick")
    municipality = names.gather(picked)
    return cases.with_columns(
        municipality.alias("municipality"),
        municipality.replace_strict(codes, return_dtype=pl.String).alias("municipality_code"),
    )


def build_large_store(url: str) -> int:
    """Fill an empty store with the growing monthly snapshots; returns the stored rows."""
    from store import Store

    cases = large_cases()
    store = Store(url)
    stored = 0
    try:
        if not store.is_empty():
            return sum(r.rows for r in store.history() if r.status == "current")
        for index in range(MONTHS):
            rows = round(FINAL_PARTICIPATIONS * ((index + 1) / MONTHS) ** GROWTH)
            month = _month(index)
            store.save_snapshots(
                file_name=f"stor-{month}.csv",
                sha256=f"benchmark-large-{month}",
                report_month=month,
                cases=cases.head(rows),
                imported_by="benchmark",
                replace=False,
            )
            stored += rows
    finally:
        store.close()
    return stored


def build_demo_store(url: str) -> None:
    from demo.load import load_demo_set
    from store import Store

    store = Store(url)
    try:
        if store.is_empty():
            load_demo_set(store)
    finally:
        store.close()


def _open(page: Page, url: str) -> float:
    """Open a page and return seconds until its run has finished and charts are drawn."""
    start = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=harness.PAGE_TIMEOUT_MS)
    harness.wait_for_app_idle(page, settle_ms=0)
    return time.perf_counter() - start


def _script_finished(page: Page) -> None:
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
            ?.getAttribute("data-test-script-state") === "notRunning" """,
        timeout=harness.PAGE_TIMEOUT_MS,
    )


def _first_number(page: Page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text()


def _toggle_municipality(page: Page, name: str) -> float:
    """Pick (or remove) one municipality and return seconds until the new view is there."""
    before = _first_number(page) if page.locator('[data-testid="stMetricValue"]').count() else ""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1)
    selected = name in box.inner_text()
    box.locator("input").focus()
    start = time.perf_counter()
    if selected:
        page.keyboard.press("Backspace")  # removes the chosen municipality
    else:
        page.keyboard.type(name)
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_timeout(50)
    _script_finished(page)
    if before:
        page.wait_for_function(
            """(old) => document.querySelector('[data-testid="stMetricValue"]')
                ?.innerText !== old""",
            arg=before,
            timeout=harness.PAGE_TIMEOUT_MS,
        )
    harness.wait_for_app_idle(page, settle_ms=0)
    return time.perf_counter() - start


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(database_url: str, repeat: int) -> tuple[dict[str, dict[str, list[float]]], float]:
    """Times per page label and kind over ``repeat`` fresh servers, and the peak RSS (MB)."""
    times: dict[str, dict[str, list[float]]] = {}
    peak = 0.0
    for _ in range(repeat):
        with (
            harness.running_app(database_url=database_url) as app,
            harness.chromium() as browser,
        ):
            page = harness.new_page(browser)
            first = _open(page, app.base_url + "/")
            pages = harness.discover_pages(page)
            for nav in pages:
                record = times.setdefault(nav.label, {kind: [] for kind in KINDS})
                is_start = nav.url.rstrip("/") == app.base_url
                record["cold"].append(first if is_start else _open(page, nav.url))
            for nav in pages:
                times[nav.label]["warm"].append(_open(page, nav.url))
            for nav in pages:
                _open(page, nav.url)
                for _ in range(2):
                    times[nav.label]["filter"].append(
                        _toggle_municipality(page, FILTER_MUNICIPALITY)
                    )
            peak = max(peak, _peak_rss_mb(app.pid))
    return times, peak


def report(
    demo: dict[str, dict[str, list[float]]],
    large: dict[str, dict[str, list[float]]],
    demo_mb: float,
    large_mb: float,
) -> bool:
    """Print the medians side by side with the targets; True when every target is met."""
    print(f"{'sida':14} {'mätning':8} {'demo s':>7} {'stor s':>7} {'mål s':>7}  ")
    all_met = True
    for label, kinds in demo.items():
        for kind in KINDS:
            d = statistics.median(kinds[kind])
            big = large.get(label, {}).get(kind)
            if not big:
                print(f"{label:14} {kind:8} {d:7.2f} {'–':>7}")
                continue
            b = statistics.median(big)
            target = 1.5 * d + 0.5
            met = b <= target
            all_met &= met
            print(f"{label:14} {kind:8} {d:7.2f} {b:7.2f} {target:7.2f}  {'ok' if met else 'MISS'}")
    met = large_mb <= MEMORY_TARGET_MB
    all_met &= met
    print(
        f"serverminne (topp-RSS): demo {demo_mb:.0f} MB, stor {large_mb:.0f} MB, "
        f"mål ≤ {MEMORY_TARGET_MB:.0f} MB  {'ok' if met else 'MISS'}"
    )
    return all_met


@contextlib.contextmanager
def _stores(large_db: Path | None) -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="lagesbild-bench-") as tmp:
        demo_url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        large_url = f"sqlite:///{large_db or Path(tmp) / 'large.db'}"
        build_demo_store(demo_url)
        t0 = time.perf_counter()
        rows = build_large_store(large_url)
        print(f"stort lager: {rows:,} rader i {MONTHS} månader ({time.perf_counter() - t0:.0f} s)")
        yield demo_url, large_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large-db", type=Path, help="SQLite file for the large store (kept)")
    args = parser.parse_args(argv)
    with _stores(args.large_db) as (demo_url, large_url):
        demo, demo_mb = measure(demo_url, args.repeat)
        large, large_mb = measure(large_url, args.repeat)
    report(demo, large, demo_mb, large_mb)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
