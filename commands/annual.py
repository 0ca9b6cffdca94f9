"""``cli.py annual``: Underlag till årsrapport och Uppföljning Finsam, as CSV or XLSX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commandline import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, open_store, period, report_month


def cmd_annual(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import refused, require_reader
    from exports.tables import to_csv_bytes, to_xlsx_bytes
    from metrics.annual import annual_figures
    from metrics.selection import Selection
    from presentation.annual import ANNUAL_TITLE, annual_table

    store = open_store()
    try:
        require_reader(store, "annual")
    except AccessDenied as exc:
        return refused(exc)
    out: Path | None = args.out
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
        print("Ange en fil som slutar på .csv eller .xlsx.", file=sys.stderr)
        return EXIT_USAGE
    snapshots = store.load_snapshots()
    selection = Selection.of(
        args.month, period=args.period, project=[args.project] if args.project else None
    )
    table = annual_table(annual_figures(snapshots, selection))
    if table.height == 0:
        print(f"Inga deltagare under {args.period.label} i de inlästa exporterna.", file=sys.stderr)
        return EXIT_REFUSED
    if out is None:
        sys.stdout.write(to_csv_bytes(table).decode("utf-8-sig"))
        return EXIT_OK
    xlsx = out.suffix.lower() == ".xlsx"
    out.write_bytes(to_xlsx_bytes(table, sheet=ANNUAL_TITLE) if xlsx else to_csv_bytes(table))
    print(f"{ANNUAL_TITLE}, {args.period.label}: {table.height} insatser till {out}.")
    return EXIT_OK


def add_annual_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``annual`` on the top-level command parser."""
    annual = subparsers.add_parser(
        "annual", help="underlag till årsrapport och Uppföljning Finsam (per insats och kön)"
    )
    annual.add_argument(
        "--period", type=period, required=True, help="2019, 2019H1, 2019Q3 eller ett intervall"
    )
    annual.add_argument("--project", help="bara denna insats")
    annual.add_argument(
        "--month", type=report_month, help="enligt exporten för denna rapportmånad (ÅÅÅÅ-MM)"
    )
    annual.add_argument("--out", type=Path, metavar="FIL", help="skriv till FIL (.csv eller .xlsx)")
    annual.set_defaults(handler=cmd_annual)
