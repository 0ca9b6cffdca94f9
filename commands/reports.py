"""``cli.py report``: the meeting pack (Mötesunderlag) as a PDF or HTML file.

Exit codes as for the rest of the command line: 0 written, 1 refused (unknown project, no
data for the month), 2 usage error (the file name says neither .pdf nor .html).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from commandline import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, open_store, period, report_month

if TYPE_CHECKING:
    from reports.export import ReportFormat

FORMATS: dict[str, ReportFormat] = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        print(f"Ange en fil som slutar på .pdf eller .html, inte {out.name}.", file=sys.stderr)
        return EXIT_USAGE
    if not out.parent.is_dir():
        print(f"Mappen finns inte: {out.parent}", file=sys.stderr)
        return EXIT_USAGE

    from access.roles import AccessDenied
    from charts.browser import NO_BROWSER_TEXT, static_images_available
    from commands.access import cli_actor, refused
    from reports.content import ReportUnavailable

    if kind == "pdf" and not static_images_available():
        print(NO_BROWSER_TEXT, file=sys.stderr)
    from reports.export import export_report

    try:
        content, data = export_report(
            open_store(), args.project, args.month, kind, cli_actor(args), args.period
        )
    except AccessDenied as exc:
        return refused(exc)
    except ReportUnavailable as exc:
        print(f"{exc} Inget underlag skrevs.", file=sys.stderr)
        return EXIT_REFUSED
    out.write_bytes(data)
    print(f"Mötesunderlag för {content.project}, {content.month_text}, skrivet till {out}.")
    return EXIT_OK


def add_report_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``report`` on the top-level parser's subcommands."""
    report = subparsers.add_parser(
        "report", help="mötesunderlag för en insats och rapportmånad (PDF eller HTML)"
    )
    report.add_argument("--project", required=True, help="insatsen, som i exportens kolumn insats")
    report.add_argument(
        "--month", type=report_month, help="rapportmånad ÅÅÅÅ-MM (standard: den senaste)"
    )
    report.add_argument(
        "--period",
        type=period,
        help="målen månad för månad under perioden (2019, 2019H1, 2019Q3); standard: "
        "de senaste tolv månaderna",
    )
    report.add_argument("--out", required=True, metavar="FIL", help="FIL.pdf eller FIL.html")
    report.set_defaults(handler=cmd_report)
