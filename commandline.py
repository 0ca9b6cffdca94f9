"""What every command of `cli.py` shares: exit codes, the Swedish parser, month arguments."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from metrics.period import Period
    from store import Store

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2

MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class SwedishArgumentParser(argparse.ArgumentParser):
    """argparse that exits with our usage code and speaks Swedish in its own errors."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"Fel i kommandot: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def report_month(value: str) -> str:
    """argparse type for `--month`: a report month written ÅÅÅÅ-MM."""
    if not MONTH_PATTERN.match(value):
        raise argparse.ArgumentTypeError(f"ogiltig månad '{value}', ange ÅÅÅÅ-MM")
    return value


def period(value: str) -> Period:
    """argparse type for `--period`: 2019, 2019H1, 2019Q3 or 2019-02-01..2019-05-31."""
    from metrics.period import parse_period

    try:
        return parse_period(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def open_store() -> Store:
    """The store the command line works on (DATABASE_URL, else the SQLite file)."""
    from store import Store

    return Store()


def run_command(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command; when the database refuses (locked, read-only, disk full, out of
    reach) print the store's Swedish message instead of a traceback and exit 1.

    Every command (those of ``access``, ``goals`` and ``reports`` too) is dispatched
    through here, so none of them needs its own handling. Nothing is half-written: each
    write is one transaction, rolled back when it fails.
    """
    import sqlalchemy as sa

    from store.database import database_url
    from store.errors import store_unavailable, where_text
    from store.records import StoreError

    try:
        return handler(args)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:
        mapped = store_unavailable(exc, where_text(sa.make_url(database_url())))
        if mapped is None:
            raise
        print(str(mapped), file=sys.stderr)
        return EXIT_REFUSED
