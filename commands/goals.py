"""``cli.py goals ...``: goals as files, and their status for scripts and reports.

Exit codes as for the rest of the command line: 0 done, 1 refused (nothing changed),
2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from commandline import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, open_store, report_month

if TYPE_CHECKING:
    from goals.records import GoalStatus
    from store import Store


def cmd_import(args: argparse.Namespace) -> int:
    from goals.service import import_goals
    from goals.toml_io import GoalDefinitionError

    path = Path(args.file)
    if not path.is_file():
        print(f"Filen finns inte: {path}", file=sys.stderr)
        return EXIT_USAGE
    from access.roles import AccessDenied
    from commands.access import cli_actor, refused

    try:
        counts = import_goals(open_store(), path, cli_actor(args))
    except AccessDenied as exc:
        return refused(exc)
    except GoalDefinitionError as exc:
        print(f"Målen i {path.name} lästes inte in; inget har ändrats.", file=sys.stderr)
        for message in exc.messages:
            print(message, file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"Mål inlästa från {path.name}: {counts['created']} nya, {counts['updated']} ändrade, "
        f"{counts['unchanged']} oförändrade."
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import refused, require_reader
    from goals.service import export_goals, list_goals

    store = open_store()
    try:
        require_reader(store, "goals export")
    except AccessDenied as exc:
        return refused(exc)
    if not list_goals(store, args.project):
        print("Det finns inga mål att exportera.", file=sys.stderr)
        return EXIT_REFUSED
    sys.stdout.write(export_goals(store, args.project))
    return EXIT_OK


def _table(records: list[GoalStatus], store: Store, threshold: int) -> str:
    from charts.palette import goal_status_style
    from goals.model import STYLE_IDS
    from goals.service import get_goal
    from goals.text import target_text, value_text

    lines = [
        f"{'status':18}  {'insats':12}  {'period':13}  {'månad':7}  {'värde':24}  mål [målvärde]"
    ]
    for record in records:
        goal = get_goal(store, record.id)
        badge = goal_status_style(STYLE_IDS[record.status]).badge
        value = (
            value_text(goal, record, threshold) if goal.kind == "measured" else "bedöms manuellt"
        )
        target = target_text(goal)
        lines.append(
            f"{badge:18}  {record.project[:12]:12}  {record.period[:13]:13}  "
            f"{record.month or '–':7}  {value[:24]:24}  {record.title}"
            + (f" [{target}]" if target else "")
        )
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied, require_suppression
    from commands.access import cli_actor, refused, require_reader
    from goals.service import SUPPRESSION_THRESHOLD, goal_statuses

    store = open_store()
    try:
        require_reader(store, "goals status")
        require_suppression(
            cli_actor(args), args.suppress, SUPPRESSION_THRESHOLD, store, "goals status"
        )
    except AccessDenied as exc:
        return refused(exc)
    records = goal_statuses(store, args.project, args.month, suppress=args.suppress)
    if args.format == "json":
        print(json.dumps([r.as_json() for r in records], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not records:
        print("Inga mål ännu.")
        return EXIT_OK
    print(_table(records, store, args.suppress))
    return EXIT_OK


def add_goal_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``goals import|export|status`` on the top-level command parser."""
    from metrics.protection import SUPPRESSION_THRESHOLD

    goals = subparsers.add_parser("goals", help="styrelsens mål: importera, exportera, status")
    commands = goals.add_subparsers(dest="goal_command", parser_class=type(goals))
    commands.required = True

    imp = commands.add_parser("import", help="läs in mål från en TOML-fil (skapa eller ändra)")
    imp.add_argument("file", help="målfilen (.toml)")
    imp.set_defaults(handler=cmd_import)

    exp = commands.add_parser("export", help="skriv alla mål som TOML")
    exp.add_argument("--project", help="bara denna insats")
    exp.set_defaults(handler=cmd_export)

    status = commands.add_parser("status", help="målens status i trafikljusmodellen")
    status.add_argument("--project", help="bara denna insats")
    status.add_argument("--month", type=report_month, help="läget vid denna rapportmånad (ÅÅÅÅ-MM)")
    status.add_argument("--format", choices=("json", "table"), default="table")
    status.add_argument(
        "--suppress",
        type=int,
        default=SUPPRESSION_THRESHOLD,
        metavar="N",
        help="dölj antal under N (0 = av)",
    )
    status.set_defaults(handler=cmd_status)
