"""The annual-report table as it is downloaded: one row per insats, a column per count and
kön, hidden counts as "<5" or "dold"."""

from __future__ import annotations

import polars as pl

from metrics.annual import ANNUAL_METRICS, GENDERS, TOTAL
from metrics.catalogue import CATALOGUE
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.numbers import format_count, hidden_text

ANNUAL_TITLE = "Underlag till årsrapport och Uppföljning Finsam"
_WORDS = {"K": "kvinnor", "M": "män", "X": "annat eller okänt kön", TOTAL: "totalt"}


def _cell(row: dict | None, threshold: int) -> str:
    if row is None:
        return "0"
    if row["suppressed"]:
        return hidden_text(row["hidden_reason"], threshold)
    return format_count(row["value"])


def annual_table(figures: pl.DataFrame, threshold: int = SUPPRESSION_THRESHOLD) -> pl.DataFrame:
    """Per insats: each count of the period for women, men, other gender and in total."""
    found = {(r["project"], r["metric"], r["gender"]): r for r in figures.iter_rows(named=True)}
    rows = []
    for project in sorted({p for p, _, _ in found}):
        row: dict[str, str] = {"Insats": project}
        for metric in ANNUAL_METRICS:
            label = CATALOGUE[metric].label
            for gender in (*GENDERS, TOTAL):
                row[f"{label}, {_WORDS[gender]}"] = _cell(
                    found.get((project, metric, gender)), threshold
                )
        rows.append(row)
    return pl.DataFrame(rows)
