"""Start the app with its demo data and save a full-page PNG of every page, to look at.

    python scripts/screenshots.py             # artifacts/screenshots/<sida>.png
    python scripts/screenshots.py --meeting   # artifacts/screenshots/meeting/<sida>.png

Uses the same start-up and "page has finished" logic as the browser test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import browser as harness


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Starta Lägesbild med demodata och spara en skärmbild av varje sida."
    )
    parser.add_argument(
        "--meeting",
        action="store_true",
        help=f"mötesläge: sidorna öppnas med ?{harness.MEETING_QUERY}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="katalog för bilderna (standard: artifacts/screenshots, i mötesläge "
        "artifacts/screenshots/meeting)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="databas att visa (standard: en ny tom SQLite-databas, som fylls med demodata)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not harness.CHROMIUM_PATH.exists():
        print(f"Kan inte ta skärmbilder: {harness.CHROMIUM_PATH} saknas.", file=sys.stderr)
        return 2
    out_dir = args.out or (
        harness.SCREENSHOT_DIR / "meeting" if args.meeting else harness.SCREENSHOT_DIR
    )
    query = harness.MEETING_QUERY if args.meeting else ""
    # Pictures of pages that no longer exist would mislead whoever looks at the folder.
    for old_png in out_dir.glob("*.png"):
        old_png.unlink()

    problems = 0
    with harness.running_app(database_url=args.database_url) as app, harness.chromium() as browser:
        page = harness.new_page(browser)
        # Pages are found in the normal view: meeting mode may hide the navigation.
        harness.open_app_page(page, app.base_url + "/")
        nav_pages = harness.discover_pages(page)
        if not nav_pages:
            print("Hittade inga sidlänkar i navigeringen.", file=sys.stderr)
            return 1
        for nav_page in nav_pages:
            harness.open_app_page(page, harness.with_query(nav_page.url, query))
            path = harness.save_screenshot(page, nav_page.slug, out_dir)
            errors = harness.error_messages(page)
            empty_charts = harness.chart_trace_counts(page).count(0)
            note = ""
            if errors or empty_charts:
                problems += 1
                note = f"  ({len(errors)} felrutor, {empty_charts} tomma diagram)"
            print(f"{nav_page.label:<24} {path}{note}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
