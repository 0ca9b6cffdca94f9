"""How long a filter change takes to show on screen, in the real app in headless Chromium.

    python -m benchmarks.filter_rerender [--repeat 5]

Starts the app on the demo data, then on Översikt and on Kommuner toggles the municipality
filter back and forth and times each change from the click until the script run has
finished and the numbers changed. Prints each time and the median.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import Page

from tests import browser as harness


def _script_finished(page: Page) -> None:
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
            ?.getAttribute("data-test-script-state") === "notRunning" """,
        timeout=30_000,
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
            timeout=30_000,
        )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with harness.running_app() as app, harness.chromium() as browser:
        page = harness.new_page(browser)
        for path in ("/", "/kommuner"):
            harness.open_app_page(page, app.base_url + path)
            times = [_toggle_municipality(page, "Sigtuna") for _ in range(args.repeat * 2)]
            print(
                f"{path:10} filterbyten: {len(times)}, sekunder: "
                + ", ".join(f"{t:.2f}" for t in times)
                + f"; median {statistics.median(times):.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
