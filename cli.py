"""Lägesbild on the command line: the same pipeline as the app, for scripts and scheduled jobs.

Exit codes: 0 done, 1 refused (nothing changed), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from commandline import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    SwedishArgumentParser,
    open_store,
    period,
    report_month,
    run_command,
)


def cmd_import(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import cli_actor, refused
    from ingest import format_report, mask_value
    from store.importer import import_export

    path = Path(args.file)
    if not path.is_file():
        print(f"Filen finns inte: {mask_value(str(path))}", file=sys.stderr)
        return EXIT_USAGE
    from commands.mappings import mapping_for_import

    store = open_store()
    mapping, code = mapping_for_import(args, store)
    if code is not None:
        return code
    try:
        outcome = import_export(
            store,
            path.read_bytes(),
            path.name,
            month=args.month,
            replace=args.replace,
            actor=cli_actor(args),
            new_project=args.ny_insats,
            mapping=mapping,
        )
    except AccessDenied as exc:
        return refused(exc)
    if outcome.status == "imported":
        for record in outcome.imports:
            print(
                f"Importerad: {record.project} {record.report_month}, {record.rows} rader "
                f"(import {record.id})."
            )
        return EXIT_OK
    if outcome.status == "duplicate":
        print(outcome.message)
        return EXIT_OK
    if outcome.status == "needs_confirmation":
        print(outcome.message)
        print("Kör igen med --replace för att ersätta.")
        return EXIT_REFUSED
    if outcome.status == "needs_new_project":
        print(outcome.message)
        print("Kör igen med --ny-insats om det är en ny insats.")
        return EXIT_REFUSED
    if outcome.validation is not None and not outcome.validation.ok:
        print(format_report(outcome.validation))
    else:
        print(outcome.message)
    return EXIT_REFUSED


def cmd_history(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import cli_actor, refused
    from imports.service import import_history

    try:
        records = import_history(open_store(), cli_actor(args))
    except AccessDenied as exc:
        return refused(exc)
    if args.format == "json":
        rows = [
            {
                "id": r.id,
                "file": r.file_name,
                "project": r.project,
                "month": r.report_month,
                "rows": r.rows,
                "status": r.status,
                "imported_at": r.imported_at.isoformat(),
            }
            for r in records
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not records:
        print("Inga importer ännu.")
        return EXIT_OK
    header = (
        f"{'id':>5}  {'månad':7}  {'insats':20}  {'rader':>7}  {'status':9}  {'importerad':16}  fil"
    )
    print(header)
    for r in records:
        status = "aktuell" if r.status == "current" else "ersatt"
        print(
            f"{r.id:>5}  {r.report_month:7}  {r.project[:20]:20}  {r.rows:>7}  {status:9}  "
            f"{r.imported_at:%Y-%m-%d %H:%M}  {r.file_name}"
        )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import cli_actor, refused
    from imports.service import restore_import
    from store import ImportNotFound

    try:
        record = restore_import(open_store(), cli_actor(args), args.import_id)
    except AccessDenied as exc:
        return refused(exc)
    except ImportNotFound:
        print(f"Det finns ingen import med id {args.import_id}.", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"Import {record.id} ({record.project} {record.report_month}, {record.file_name}) "
        "är nu den aktuella."
    )
    return EXIT_OK


def cmd_kpis(args: argparse.Namespace) -> int:
    import polars as pl

    from access.roles import AccessDenied, require_suppression
    from commands.access import cli_actor, refused, require_reader
    from ingest.schema import BREAKDOWN_FIELDS
    from metrics.catalogue import CATALOGUE, catalogue_ids
    from metrics.figures import metric_figures
    from metrics.kpis import kpi_csv, kpi_records
    from metrics.protection import SUPPRESSION_THRESHOLD
    from metrics.selection import Selection, apply_filters

    store = open_store()
    try:
        require_reader(store, "kpis")
    except AccessDenied as exc:
        return refused(exc)
    if args.list:
        from metrics.costs import COST_METRICS

        for metric in CATALOGUE.values():
            print(f"{metric.id}\t{metric.label}\t{metric.definition}")
        for cost in COST_METRICS.values():
            print(f"{cost.id}\t{cost.label}\t{cost.definition}")
        return EXIT_OK
    from commands.budget import kpis_costs

    if (code := kpis_costs(args, store)) is not None:
        return code
    by = []
    for name in args.by or []:
        field = BREAKDOWN_FIELDS.get(name) or (name if name in BREAKDOWN_FIELDS.values() else None)
        if field is None:
            allowed = ", ".join(BREAKDOWN_FIELDS)
            print(f"Okänd uppdelning '{name}'. Välj bland: {allowed}.", file=sys.stderr)
            return EXIT_USAGE
        by.append(field)
    metrics = list(dict.fromkeys(args.metric)) if args.metric else None
    unknown = [m for m in metrics or [] if m not in CATALOGUE]
    if unknown:
        print(
            f"Okänt mått: {', '.join(unknown)}. Se `kpis --list` för måttkatalogen.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    needs_period = [m for m in metrics or [] if CATALOGUE[m].period]
    if needs_period and args.period is None:
        print(
            f"Måttet {', '.join(needs_period)} gäller en period: ange --period, t.ex. "
            "--period 2019.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        require_suppression(cli_actor(args), args.suppress, SUPPRESSION_THRESHOLD, store, "kpis")
    except AccessDenied as exc:
        return refused(exc)
    # With --project the other projects are left out: the whole förbund is loaded, so the
    # figures are protected against the difference too (the reference is every project).
    snapshots = store.load_snapshots()
    selection = Selection.of(
        args.month, period=args.period, project=[args.project] if args.project else None
    )
    if apply_filters(snapshots, selection).select(pl.len()).collect().item() == 0:
        print(
            "Det finns inga inlästa exporter" + (f" för {args.project}." if args.project else "."),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    frame = metric_figures(
        snapshots,
        selection,
        metrics or list(catalogue_ids(args.period is not None)),
        by=by,
        over_months="report_month" in by,
        threshold=args.suppress,
    )
    fields = [f for f in by if f != "report_month"]
    shown = frame.filter(pl.col("metric") != "participants_anonymous")
    if len(fields) >= 2 and shown.height and shown["suppressed"].all():
        print(
            "Kombinationen av uppdelningar visas inte: för många av dess grupper har färre än "
            f"{args.suppress} deltagare. Be om en uppdelning i taget.",
            file=sys.stderr,
        )
    period_code = args.period.code if args.period is not None else None
    if args.format == "csv":
        sys.stdout.write(kpi_csv(frame, by, period=period_code))
    else:
        records = kpi_records(frame, by, period=period_code)
        print(json.dumps(records, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import cli_actor, refused
    from store.backup import POSTGRES_ADVICE, take_backup

    store = open_store()
    if store.backend != "sqlite":
        print(POSTGRES_ADVICE, file=sys.stderr)
        return EXIT_USAGE
    try:
        backup = take_backup(store, Path(args.out), cli_actor(args))
    except AccessDenied as exc:
        return refused(exc)
    print(
        f"Säkerhetskopia skriven till {backup.path} ({backup.size / 1_000_000:.1f} MB, "
        f"{backup.imports} importer, {backup.case_rows} ärenderader, "
        f"{backup.seconds:.1f} s)."
    )
    print(f"SHA-256: {backup.sha256} (sparad i {backup.checksum_path.name})")
    return EXIT_OK


def cmd_restore_backup(args: argparse.Namespace) -> int:
    from access.roles import AccessDenied
    from commands.access import cli_actor, refused
    from store.backup import POSTGRES_ADVICE, check_backup, restore_backup, safety_copy_path

    store = open_store()
    if store.backend != "sqlite":
        print(POSTGRES_ADVICE, file=sys.stderr)
        return EXIT_USAGE
    user = cli_actor(args)
    try:
        backup = check_backup(store, Path(args.file), user)
        print(
            f"Säkerhetskopian {backup.path.name} är hel (SHA-256 stämmer): {backup.imports} "
            f"importer, {backup.case_rows} ärenderader."
        )
        print(
            f"Databasen {store.where} ersätts med den. Det nuvarande innehållet sparas först i "
            f"{safety_copy_path(store).name}."
        )
        if not args.yes:
            if not sys.stdin.isatty():
                print("Inget har ändrats. Kör igen med --yes för att läsa tillbaka kopian.")
                return EXIT_REFUSED
            if input("Skriv ja för att fortsätta: ").strip().lower() != "ja":
                print("Avbrutet; inget har ändrats.")
                return EXIT_REFUSED
        safety = restore_backup(store, backup, user)
    except AccessDenied as exc:
        return refused(exc)
    print(f"Säkerhetskopian är tillbakaläst. Det tidigare innehållet finns i {safety}.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from metrics.protection import SUPPRESSION_THRESHOLD

    parser = SwedishArgumentParser(
        prog="cli.py", description="Lägesbild: import, nyckeltal och rapporter."
    )
    commands = parser.add_subparsers(dest="command", parser_class=SwedishArgumentParser)
    commands.required = True

    imp = commands.add_parser("import", help="importera en ärendeexport (CSV eller XLSX)")
    imp.add_argument("file", help="exportfilen")
    imp.add_argument("--month", type=report_month, help="rapportmånad ÅÅÅÅ-MM")
    imp.add_argument("--replace", action="store_true", help="ersätt en redan importerad månad")
    imp.add_argument(
        "--ny-insats",
        action="store_true",
        help="bekräfta att en insats vars namn liknar en känd insats är en ny insats",
    )
    from commands.mappings import add_import_mapping_options, add_mapping_commands

    add_import_mapping_options(imp)
    imp.set_defaults(handler=cmd_import)

    hist = commands.add_parser("history", help="lista importer")
    hist.add_argument("--format", choices=("table", "json"), default="table")
    hist.set_defaults(handler=cmd_history)

    restore = commands.add_parser("restore", help="gör en tidigare import aktuell igen")
    restore.add_argument("import_id", type=int)
    restore.set_defaults(handler=cmd_restore)

    kpis = commands.add_parser("kpis", help="nyckeltal ur måttkatalogen")
    kpis.add_argument("--project", help="bara denna insats")
    kpis.add_argument(
        "--by",
        nargs="+",
        metavar="FÄLT",
        help="uppdelning: kommun, stadsdel, kon, aldersgrupp, utrikes_fodd, insats, rapportmanad",
    )
    kpis.add_argument("--month", type=report_month, help="läget vid denna rapportmånad (ÅÅÅÅ-MM)")
    kpis.add_argument(
        "--period",
        type=period,
        help="siffror för en period: 2019, 2019H1, 2019Q3 eller 2019-02-01..2019-05-31",
    )
    kpis.add_argument("--metric", nargs="+", metavar="MÅTT", help="bara dessa mått (id)")
    kpis.add_argument(
        "--suppress",
        type=int,
        default=SUPPRESSION_THRESHOLD,
        metavar="N",
        help=f"dölj antal under N (0 = av; standard {SUPPRESSION_THRESHOLD})",
    )
    kpis.add_argument("--format", choices=("json", "csv"), default="json")
    kpis.add_argument("--list", action="store_true", help="lista måttkatalogen")
    kpis.set_defaults(handler=cmd_kpis)

    backup = commands.add_parser("backup", help="säkerhetskopiera databasen (SQLite)")
    backup.add_argument("--out", required=True, metavar="FIL", help="kopians filnamn")
    backup.set_defaults(handler=cmd_backup)

    restore_backup = commands.add_parser(
        "restore-backup", help="läs tillbaka en säkerhetskopia (ersätter databasens innehåll)"
    )
    restore_backup.add_argument("file", metavar="FIL", help="säkerhetskopian")
    restore_backup.add_argument("--yes", action="store_true", help="utan fråga")
    restore_backup.set_defaults(handler=cmd_restore_backup)

    from commands.goals import add_goal_commands

    add_goal_commands(commands)
    from commands.budget import add_budget_commands

    add_budget_commands(commands)
    from commands.access import add_access_commands

    add_access_commands(commands)
    from commands.reports import add_report_commands

    add_report_commands(commands)
    add_mapping_commands(commands)
    from commands.annual import add_annual_commands
    from commands.demo import add_demo_commands

    add_demo_commands(commands)
    add_annual_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
