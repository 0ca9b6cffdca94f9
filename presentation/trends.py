"""The trend page's choices and its table alternative."""

from __future__ import annotations

import polars as pl

from ingest.schema import label_for_code
from metrics.catalogue import CATALOGUE
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.key_numbers import basis_text
from presentation.numbers import format_value

GROUP_CHOICES: dict[str, str | None] = {
    "Totalt": None,
    "Per kommun": "municipality",
    "Per insats": "project",
    "Per kön": "gender",
}


def trend_table(
    trend: pl.DataFrame,
    metric_id: str,
    group: str | None,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> pl.DataFrame:
    """One row per month (and group): the value as shown and, for a share, its basis."""
    metric = CATALOGUE[metric_id]
    rows = trend.to_dicts()
    columns: dict[str, list[str]] = {"Månad": [r["report_month"] for r in rows]}
    if group:
        columns["Grupp"] = [label_for_code(group, r[group]) for r in rows]
    columns[metric.label] = [
        format_value(
            r["value"],
            metric.kind,
            suppressed=bool(r["suppressed"]),
            reason=r.get("hidden_reason"),
            threshold=threshold,
        )
        for r in rows
    ]
    if metric.kind != "count":
        columns["Underlag"] = [basis_text(r, metric.kind, threshold) for r in rows]
    return pl.DataFrame(columns, schema={k: pl.String for k in columns})
