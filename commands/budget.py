"""``cli.py budget ...``: budgets and outcomes as files, and the cost metrics on ``kpis``.

Exit codes as for the rest of the command line: 0 done, 1 refused (nothing changed),
2 usage error.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commandline import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, open_store

if TYPE_CHECKING:
    from metrics.period import Period
    from store import Store

#: Keys a cost record has beyond those of ``metrics.kpis.kpi_records``.
COST_RECORD_EXTRAS: tuple[str, ...] = (
    "year",
    "cost_source",
    "budget_sek",
    "outcome_sek",
    "report_month",
    "has_data",
)


def cmd_import(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from budgets.service import import_budgets, without_data
    from budgets.toml_io import BudgetDefinitionError, read_budgets
    from commands.access import cli_actor, refused

    path = Path(args.file)
    if not path.is_file():
        print(f"Filen finns inte: {path}", file=sys.stderr)
        return EXIT_USAGE
    store = open_store()
    try:
        counts = import_budgets(store, path, cli_actor(args))
    except AccessDenied as exc:
        return refused(exc)
    except BudgetDefinitionError as exc:
        print(f"Budgetposterna i {path.name} lästes inte in; inget har ändrats.", file=sys.stderr)
        for message in exc.messages:
            print(message, file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"Budgetposter inlästa från {path.name}: {counts['created']} nya, "
        f"{counts['updated']} ändrade, {counts['unchanged']} oförändrade."
    )
    for project in without_data(store, read_budgets(path)):
        print(f"Obs: det finns ingen inläst export för insatsen {project}.")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from budgets.service import export_budgets, list_budgets
    from commands.access import refused, require_reader

    store = open_store()
    try:
        require_reader(store, "budget export")
    except AccessDenied as exc:
        return refused(exc)
    if not list_budgets(store, args.project):
        which = f" för {args.project}" if args.project else ""
        print(f"Det finns inga budgetposter{which} att exportera.", file=sys.stderr)
        return EXIT_REFUSED
    text = export_budgets(store, args.project)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Budgetposterna är skrivna till {args.out}.")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def add_budget_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``budget import|export`` on the top-level command parser."""
    budget = subparsers.add_parser("budget", help="budget och utfall per insats och år")
    commands = budget.add_subparsers(dest="budget_command", parser_class=type(budget))
    commands.required = True

    imp = commands.add_parser(
        "import", help="läs in budget och utfall från en TOML-fil (administratör)"
    )
    imp.add_argument("file", help="budgetfilen (.toml)")
    imp.set_defaults(handler=cmd_import)

    exp = commands.add_parser("export", help="skriv budget och utfall som TOML")
    exp.add_argument("--project", help="bara denna insats")
    exp.add_argument("--out", metavar="FIL", help="skriv till en fil i stället för till skärmen")
    exp.set_defaults(handler=cmd_export)


# -- cost metrics on ``kpis`` ---------------------------------------------------------


def cost_records(
    store: Store,
    period: Period,
    project: str | None = None,
    metrics: list[str] | None = None,
    *,
    as_of: str | None = None,
    threshold: int | None = None,
) -> list[dict[str, Any]]:
    """The cost metrics of a year as ``kpi_records`` gives metrics: one object per (insats,
    metric) with the group (``{"insats": ...}``), value, numerator (the cost in kronor),
    denominator (the count) and why a hidden one is hidden; plus the year, which amount the
    cost is (``cost_source``: utfall or budget), both amounts and the snapshot month used.

    ``period`` must be a calendar year (``ValueError`` otherwise); the counts are those of
    each insats's newest export up to ``as_of`` (None: its newest), as every period figure.
    """
    from budgets.service import cost_figures_for
    from metrics.kpis import kpi_records
    from metrics.protection import SUPPRESSION_THRESHOLD

    if period.kind != "year":
        raise ValueError(
            f"Kostnadsmåtten gäller ett helt år, inte {period.label}: ange till exempel "
            f"--period {period.first.year}."
        )
    frame = cost_figures_for(
        store,
        period.first.year,
        as_of=as_of,
        metrics=metrics,
        threshold=SUPPRESSION_THRESHOLD if threshold is None else threshold,
    )
    if project is not None:
        frame = frame.filter(frame["project"] == project)
    records = kpi_records(frame, ["project"], period=period.code)
    for record, row in zip(records, frame.iter_rows(named=True), strict=True):
        record.update({key: row[key] for key in COST_RECORD_EXTRAS})
    return records


def _cost_csv(records: list[dict[str, Any]]) -> str:
    from exports.tables import neutralise_text
    from metrics.kpis import RECORD_FIELDS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["insats", "period", *RECORD_FIELDS, "hidden_reason", *COST_RECORD_EXTRAS]
    writer.writerow(header)
    for record in records:
        row = [record["group"]["insats"], record["period"], *(record[f] for f in RECORD_FIELDS)]
        row += [record["hidden_reason"], *(record[k] for k in COST_RECORD_EXTRAS)]
        writer.writerow(
            [
                ""
                if v is None
                else ("true" if v else "false")
                if isinstance(v, bool)
                else neutralise_text(v)
                if isinstance(v, str)
                else v
                for v in row
            ]
        )
    return out.getvalue()


def kpis_costs(args: argparse.Namespace, store: Store) -> int | None:
    """``kpis --metric cost_per_... --period ÅÅÅÅ``: the cost records, or ``None`` when the
    command asks for no cost metric (the catalogue's figures are printed as usual)."""
    from access.roles import AccessDenied, require_suppression
    from commands.access import cli_actor, refused
    from metrics.costs import COST_METRICS
    from metrics.period import parse_period
    from metrics.protection import SUPPRESSION_THRESHOLD

    wanted = list(getattr(args, "metric", None) or [])
    costs = [m for m in wanted if m in COST_METRICS]
    if not costs:
        return None
    if len(costs) != len(wanted):
        print(
            "Kostnadsmåtten (cost_per_...) tas ut för sig: ange dem utan andra mått.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not getattr(args, "period", None):
        print(
            "Kostnadsmåtten gäller ett år: ange --period ÅÅÅÅ, till exempel 2019.", file=sys.stderr
        )
        return EXIT_USAGE
    if [b for b in (args.by or []) if b not in ("insats", "project")]:
        print("Kostnadsmåtten visas per insats; de kan inte delas upp på annat.", file=sys.stderr)
        return EXIT_USAGE
    try:
        period = parse_period(args.period) if isinstance(args.period, str) else args.period
        require_suppression(cli_actor(args), args.suppress, SUPPRESSION_THRESHOLD, store, "kpis")
        records = cost_records(
            store, period, args.project, costs, as_of=args.month, threshold=args.suppress
        )
    except AccessDenied as exc:
        return refused(exc)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    if not records:
        which = f" för {args.project}" if args.project else ""
        print(
            f"Det finns ingen budget eller inget utfall{which} för {period.label}. "
            "Läs in dem med: python cli.py budget import FIL.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if args.format == "csv":
        sys.stdout.write(_cost_csv(records))
    else:
        print(json.dumps(records, ensure_ascii=False, indent=2))
    return EXIT_OK
