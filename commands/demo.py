"""``cli.py demo``: load the fictitious demo set into an empty database, on request."""

from __future__ import annotations

import argparse
import sys

from commandline import EXIT_OK, EXIT_REFUSED, open_store


def cmd_demo(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import cli_actor, refused
    from demo.generator import DEMO_FORBUND
    from demo.load import DatabaseNotEmpty, load_demo_on_request

    store = open_store()
    try:
        outcomes = load_demo_on_request(store, cli_actor(args))
    except AccessDenied as exc:
        return refused(exc)
    except DatabaseNotEmpty as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    rows = sum(record.rows for outcome in outcomes for record in outcome.imports)
    print(
        f"Demodatat är inläst: {len(outcomes)} exporter från {DEMO_FORBUND}, "
        f"{rows} ärenderader, med målen och budgetarna."
    )
    return EXIT_OK


def add_demo_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``demo`` on the top-level command parser."""
    demo = subparsers.add_parser(
        "demo", help="läs in det fiktiva demodatat i en tom databas (administratör)"
    )
    demo.set_defaults(handler=cmd_demo)
