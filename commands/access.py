"""``cli.py audit`` and ``cli.py purge``, and who the command line acts as.

The command line acts as the OS user with every role, unless ``LAGESBILD_CLI_ROLES``
lists fewer (see ``access.identity.cli_user``). Every command checks its role, reading
ones included: reading needs the viewer role.

``purge`` deletes for good, so without ``--yes`` it only says what would go (exit 1,
nothing changed); with ``--yes`` it deletes and prints what it removed.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from access.identity import cli_user
from access.roles import AccessDenied, Action, AuditLog, User, require
from commandline import EXIT_OK, EXIT_REFUSED, open_store


def cli_actor(args: argparse.Namespace | None = None) -> User:
    """The command's user (``cli_user()``); no argument can rename it."""
    return cli_user()


def require_reader(store: AuditLog, command: str) -> User:
    """Reading commands need the viewer role (or more); a refusal is logged."""
    return require(cli_actor(), Action.VIEW, store, command)


def refused(exc: AccessDenied) -> int:
    print(str(exc), file=sys.stderr)
    return EXIT_REFUSED


def day(value: str) -> date:
    """argparse type for a date written ÅÅÅÅ-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ogiltigt datum '{value}', ange ÅÅÅÅ-MM-DD") from None


def cmd_audit(args: argparse.Namespace) -> int:
    from access.audit import audit_frame, read_audit

    store = open_store()
    try:
        entries = read_audit(store, cli_actor(args), args.since, target="audit")
    except AccessDenied as exc:
        return refused(exc)
    if args.format == "json":
        rows = [{**e, "at": e["at"].isoformat()} for e in entries]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        print("Loggen har inga poster" + (f" från {args.since}." if args.since else "."))
        return EXIT_OK
    frame = audit_frame(entries)
    for row in frame.iter_rows(named=True):
        print(
            f"{row['Tid']}  {row['Vem'][:30]:30}  {row['Åtgärd']:18}  {row['Gäller']}"
            + (f"  {row['Detaljer']}" if row["Detaljer"] else "")
        )
    return EXIT_OK


def cmd_purge(args: argparse.Namespace) -> int:
    from imports.service import purge, purge_plan

    store = open_store()
    user = cli_actor(args)
    try:
        if not args.yes:
            print(f"Gallras: {purge_plan(store, user, args.project, args.before).describe()}")
            print("Inget har raderats. Kör igen med --yes för att radera för gott.")
            return EXIT_REFUSED
        plan = purge(store, user, args.project, args.before)
    except AccessDenied as exc:
        return refused(exc)
    if plan.is_empty:
        print(plan.describe())
        return EXIT_OK
    print(f"Gallrat: {plan.describe()}")
    return EXIT_OK


def add_access_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``audit`` and ``purge`` on the top-level command parser."""
    audit = subparsers.add_parser("audit", help="visa loggen: vem gjorde vad och när")
    audit.add_argument("--since", type=day, metavar="ÅÅÅÅ-MM-DD", help="poster från denna dag")
    audit.add_argument("--format", choices=("table", "json"), default="table")
    audit.set_defaults(handler=cmd_audit)

    purge = subparsers.add_parser(
        "purge", help="gallra: radera en insats ögonblicksbilder och målhistorik före ett datum"
    )
    purge.add_argument("--project", required=True, help="insatsen")
    purge.add_argument(
        "--before", required=True, type=day, metavar="ÅÅÅÅ-MM-DD", help="gallra allt före"
    )
    purge.add_argument("--yes", action="store_true", help="radera utan fler frågor")
    purge.set_defaults(handler=cmd_purge)
