"""Choices and tables for comparing municipalities and districts."""

from __future__ import annotations

import polars as pl

from ingest.schema import label_for_code
from metrics.catalogue import CATALOGUE, catalogue_ids
from metrics.protection import SUPPRESSION_THRESHOLD
from metrics.standing import standing_against_overall
from presentation.numbers import format_share, format_value, hidden_text

SHARE_METRICS: list[str] = [m.id for m in CATALOGUE.values() if m.kind == "share"]


#: Anonymous participants belong to no breakdown, so they have no column per unit.
def unit_metrics(period: bool) -> list[str]:
    """Every metric a unit has (anonymous participants belong to none): the period's
    figures over a period, the snapshot's otherwise."""
    return [m for m in catalogue_ids(period) if m != "participants_anonymous"]


UNIT_CHOICES: dict[str, str] = {"Kommun": "municipality", "Stadsdel": "district"}
FLAG_TEXT = {"above": "▲ över helheten", "below": "▼ under helheten", "within": "inom gränserna"}
STANDING_MARK = {"above": "▲ ", "below": "▼ "}
#: Cell backgrounds (light, so black text keeps a contrast far above 4.5:1).
STANDING_BACKGROUND = {"▲": "background-color: #d6eaf8", "▼": "background-color: #fde2c8"}


def metric_label(metric_id: str) -> str:
    return CATALOGUE[metric_id].label


def has_districts(cases: pl.LazyFrame) -> bool:
    return cases.select(pl.col("district").is_not_null().any()).collect().item()


def available_units(districts: bool) -> list[str]:
    return list(UNIT_CHOICES) if districts else ["Kommun"]


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"{format_share(low)} – {format_share(high)}"


def comparison_table(
    comparison: pl.DataFrame, unit_label: str, threshold: int = SUPPRESSION_THRESHOLD
) -> pl.DataFrame:
    """One row per unit: share, interval, numerator, n and how it stands against the whole."""
    rows = comparison.to_dicts()

    def hidden(r: dict) -> str:
        return hidden_text(r.get("hidden_reason"), threshold)

    return pl.DataFrame(
        {
            unit_label: [
                str(r["unit"]) if r["unit"] is not None else "Uppgift saknas" for r in rows
            ],
            "Andel": [hidden(r) if r["suppressed"] else format_share(r["value"]) for r in rows],
            "95 %-intervall": [_interval(r["ci_low"], r["ci_high"]) for r in rows],
            "Täljare": [hidden(r) if r["numerator"] is None else str(r["numerator"]) for r in rows],
            "n (nämnare)": [
                hidden(r) if r["denominator"] is None else str(r["denominator"]) for r in rows
            ],
            "Jämfört med helheten": [FLAG_TEXT.get(r["flag"] or "", "") for r in rows],
        },
        schema={
            c: pl.String
            for c in (
                unit_label,
                "Andel",
                "95 %-intervall",
                "Täljare",
                "n (nämnare)",
                "Jämfört med helheten",
            )
        },
    )


def _cell(row: dict, threshold: int) -> str:
    metric = CATALOGUE[row["metric"]]
    value = format_value(
        row["value"],
        metric.kind,
        suppressed=bool(row["suppressed"]),
        reason=row.get("hidden_reason"),
        threshold=threshold,
    )
    mark = STANDING_MARK.get(row.get("standing") or "", "")
    n = row["denominator"] if metric.kind != "count" else None
    basis = f" (n = {n})" if n is not None else ""
    return f"{mark}{value}{basis}"


def standing_table(
    by_unit: pl.DataFrame,
    overall: pl.DataFrame | None,
    unit: str,
    unit_label: str,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> pl.DataFrame:
    """Units as rows, metrics as columns; each cell the value, its n and ▲/▼ when it differs."""
    frame = (
        standing_against_overall(by_unit, overall, unit)
        if overall is not None
        else by_unit.with_columns(pl.lit(None, dtype=pl.String).alias("standing"))
    )
    cells = frame.with_columns(
        pl.Series("cell", [_cell(r, threshold) for r in frame.to_dicts()], pl.String),
        pl.col("metric").replace_strict({k: m.label for k, m in CATALOGUE.items()}).alias("label"),
        pl.col(unit)
        .map_elements(lambda v: label_for_code(unit, v), return_dtype=pl.String)
        .alias(unit_label),
    )
    order = [CATALOGUE[m].label for m in CATALOGUE if m in set(frame["metric"])]
    wide = cells.pivot(on="label", index=unit_label, values="cell")
    return wide.select(unit_label, *[c for c in order if c in wide.columns])


def standing_style(cell: object) -> str:
    """Pandas Styler function: background by the arrow the cell starts with."""
    text = str(cell or "")
    return STANDING_BACKGROUND.get(text[:1], "")
