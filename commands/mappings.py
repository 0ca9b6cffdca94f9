"""``cli.py mapping ...`` and ``cli.py template``; the ``--mapping``/``--project`` options of
``cli.py import``.

Exit codes as for the rest of the command line: 0 done, 1 refused (nothing changed),
2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from commandline import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, open_store

if TYPE_CHECKING:
    from ingest.mapping import Mapping
    from store import Store


def _read_mapping_file(path: Path) -> tuple[Mapping | None, int | None]:
    from ingest.mapping import MappingError, parse_mapping

    if not path.is_file():
        print(f"Filen finns inte: {path}", file=sys.stderr)
        return None, EXIT_USAGE
    try:
        return parse_mapping(path.read_text(encoding="utf-8")), None
    except (MappingError, UnicodeDecodeError) as exc:
        messages = exc.messages if isinstance(exc, MappingError) else ["Filen är inte UTF-8."]
        print(f"Kopplingen i {path.name} lästes inte in; inget har ändrats.", file=sys.stderr)
        for message in messages:
            print(message, file=sys.stderr)
        return None, EXIT_REFUSED


def mapping_for_import(args: argparse.Namespace, store: Store) -> tuple[Mapping | None, int | None]:
    """The mapping ``cli.py import`` reads the file through, or the exit code to stop with."""
    if getattr(args, "mapping", None):
        return _read_mapping_file(Path(args.mapping))
    project = getattr(args, "mapping_project", None)
    if project:
        from mappings.service import latest_mapping

        stored = latest_mapping(store, project)
        if stored is None:
            print(
                f"Det finns ingen sparad koppling för insatsen {project}. Skapa en med "
                "'cli.py mapping suggest FIL --project ...' och 'cli.py mapping import'; "
                "inget har ändrats.",
                file=sys.stderr,
            )
            return None, EXIT_REFUSED
        print(f"Kopplingen för {project} (version {stored.version}) används.")
        return stored.mapping, None
    return None, None


def cmd_suggest(args: argparse.Namespace) -> int:
    from ingest.limits import FILE_LIMITS
    from ingest.reader import UnreadableFile, read_table
    from ingest.suggest import suggest_mapping

    path = Path(args.file)
    if not path.is_file():
        print(f"Filen finns inte: {path}", file=sys.stderr)
        return EXIT_USAGE
    base = None
    if args.project:
        from mappings.service import latest_mapping

        stored = latest_mapping(open_store(), args.project)
        base = stored.mapping if stored is not None else None
    try:
        table = read_table(
            path.read_bytes(), path.name, FILE_LIMITS, sheet=base.sheet if base else None
        )
    except UnreadableFile as exc:
        print(exc.problem.message, file=sys.stderr)
        return EXIT_REFUSED
    from ingest import guard
    from ingest.mapping import reheader

    suggestion = suggest_mapping(table, args.project, base)
    # A draft quotes the file's values: a file with personal data gets no draft at all.
    # The guard reads every row and column, under the header row the draft found.
    try:
        parts = [p for p in reheader(table, suggestion.mapping.header_row) if p is not None]
    except ValueError:
        parts = [table]
    problems = []
    for part in parts:
        problems += guard.check_headers(part.headers)
        written = dict(zip(part.value_columns, part.headers, strict=True))
        problems += guard.check_values(part.frame, written, part.distinct)
    if problems:
        print(f"Filen {path.name} avvisades; inget förslag skrevs:", file=sys.stderr)
        for problem in problems:
            where = f" (kolumn {problem.column}, rad {problem.rows[0]})" if problem.rows else ""
            print(f"{problem.message}{where}", file=sys.stderr)
        return EXIT_REFUSED
    print(
        "# Förslag till koppling för "
        f"{path.name}. Rader med kommentar är osäkra: kontrollera dem, spara filen och läs in\n"
        "# den med 'cli.py mapping import FIL.toml'.\n"
    )
    sys.stdout.write(suggestion.toml())
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import cli_actor, refused
    from mappings.service import save_mapping

    mapping, code = _read_mapping_file(Path(args.file))
    if mapping is None:
        return code or EXIT_REFUSED
    try:
        stored, changed = save_mapping(open_store(), mapping, cli_actor(args))
    except AccessDenied as exc:
        return refused(exc)
    if changed:
        print(f"Kopplingen för {mapping.project} sparad som version {stored.version}.")
    else:
        print(
            f"Kopplingen för {mapping.project} är oförändrad (version {stored.version}); "
            "inget sparades."
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from ingest.mapping import mapping_to_toml
    from mappings.service import latest_mapping

    stored = latest_mapping(open_store(), args.project)
    if stored is None:
        print(f"Det finns ingen sparad koppling för insatsen {args.project}.", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"# Koppling för {stored.mapping.project}, version {stored.version}, sparad "
        f"{stored.saved_at:%Y-%m-%d %H:%M} UTC av {stored.saved_by}.\n"
    )
    sys.stdout.write(mapping_to_toml(stored.mapping))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from mappings.service import list_mappings

    stored = list_mappings(open_store())
    if not stored:
        print("Inga sparade kopplingar ännu.")
        return EXIT_OK
    print(f"{'insats':24}  {'version':>7}  {'kolumner':>8}  {'sparad':16}  av")
    for s in stored:
        print(
            f"{s.mapping.project[:24]:24}  {s.version:>7}  {len(s.mapping.columns):>8}  "
            f"{s.saved_at:%Y-%m-%d %H:%M}  {s.saved_by}"
        )
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from mappings.template import build_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print("Mallen skrivs som .xlsx: ange t.ex. --out mall.xlsx.", file=sys.stderr)
        return EXIT_USAGE
    if not out.parent.is_dir():
        print(f"Mappen finns inte: {out.parent}", file=sys.stderr)
        return EXIT_USAGE
    out.write_bytes(build_template())
    print(f"Mallen skriven till {out}.")
    return EXIT_OK


def add_import_mapping_options(parser: argparse.ArgumentParser) -> None:
    """``--mapping FIL.toml`` or ``--project P`` on ``cli.py import``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--mapping", metavar="FIL.toml", help="läs filen genom denna koppling")
    group.add_argument(
        "--project",
        dest="mapping_project",
        metavar="INSATS",
        help="läs filen genom insatsens sparade koppling",
    )


def add_mapping_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``mapping suggest|import|export|list`` and ``template``."""
    mapping = subparsers.add_parser(
        "mapping", help="kopplingar: en insats egna kalkylark till exportformatet"
    )
    commands = mapping.add_subparsers(dest="mapping_command", parser_class=type(mapping))
    commands.required = True

    suggest = commands.add_parser("suggest", help="föreslå en koppling för en fil (TOML)")
    suggest.add_argument("file", help="insatsens fil (CSV eller XLSX)")
    suggest.add_argument("--project", help="insatsen; utgår från dess sparade koppling")
    suggest.set_defaults(handler=cmd_suggest)

    imp = commands.add_parser("import", help="spara en koppling från en TOML-fil")
    imp.add_argument("file", help="kopplingen (.toml)")
    imp.set_defaults(handler=cmd_import)

    exp = commands.add_parser("export", help="skriv en insats sparade koppling som TOML")
    exp.add_argument("--project", required=True, help="insatsen")
    exp.set_defaults(handler=cmd_export)

    lst = commands.add_parser("list", help="lista sparade kopplingar")
    lst.set_defaults(handler=cmd_list)

    template = subparsers.add_parser(
        "template", help="skriv en Excel-mall i exportformatet, med listor och förklaringar"
    )
    template.add_argument("--out", required=True, metavar="FIL.xlsx", help="mallens fil")
    template.set_defaults(handler=cmd_template)
