"""A plain-text Swedish report of one import attempt, for the command line."""

from __future__ import annotations

from ingest.problems import ValidationOutcome


def format_report(outcome: ValidationOutcome) -> str:
    """File name, accepted or refused, and each problem with its rule, column, rows, examples."""
    lines = [f"Fil: {outcome.file_name}"]
    if outcome.ok:
        lines.append(f"Resultat: godkänd ({outcome.rows_read} datarader lästa).")
    else:
        count = len(outcome.problems)
        lines.append(f"Resultat: avvisad – {count} problem, inget har sparats.")
    for number, problem in enumerate(outcome.problems, start=1):
        lines.append(f"{number}. [{problem.rule}] {problem.message}")
        details = []
        if problem.column is not None:
            details.append(f"kolumn: {problem.column}")
        if problem.count:
            details.append(f"antal rader: {problem.count}")
        if problem.rows:
            more = " …" if problem.count > len(problem.rows) else ""
            details.append("rad: " + ", ".join(str(r) for r in problem.rows) + more)
        if details:
            lines.append("   " + "; ".join(details))
        if problem.examples:
            lines.append("   exempel: " + ", ".join(f"'{e}'" for e in problem.examples))
    if outcome.warnings:
        lines.append("Varningar:")
        lines.extend(f"- {w}" for w in outcome.warnings)
    return "\n".join(lines)
