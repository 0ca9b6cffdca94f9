"""Cost per participant, per ended participant and per self-sufficient outcome, per insats
and calendar year.

The cost of an insats for a year is its recorded outcome (*utfall*), or its budget while no
outcome is recorded; every row says which (``cost_source``). The counts it is divided by
are the year's, taken as every period figure takes them: from each insats's newest
snapshot (up to a report month), seen over the year (:func:`metrics.period.period_view`):

- participants during the year (the catalogue's ``participants`` on the year's view);
- participants who ended during the year (``participants_ended``);
- those of them who left self-sufficient (the numerator of ``outcome_self_sufficient``).

The counts go through the same protection as every other figure
(:func:`metrics.protection.protected_metrics`). A cost whose count is hidden is hidden too,
for the same reason: the cost is shown beside the amount it was divided from, so showing
it would give the count away (amount / cost = n).

Pure: takes the snapshots and a small frame of budgets, returns a small frame; no store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from ingest.schema import REPORT_MONTH_FIELD
from metrics.catalogue import CATALOGUE, Metric
from metrics.period import Period
from metrics.protection import SUPPRESSION_THRESHOLD, protected_metrics
from metrics.selection import Selection, select_cases

CostSource = Literal["utfall", "budget"]
SOURCE_OUTCOME: CostSource = "utfall"
SOURCE_BUDGET: CostSource = "budget"
SOURCE_LABELS: dict[str, str] = {SOURCE_OUTCOME: "utfall", SOURCE_BUDGET: "budget"}

#: Said wherever the cost per self-sufficient outcome is shown.
SELF_SUFFICIENT_NOTE = (
    "Kostnad per självförsörjande är ingen kostnads-nyttoberäkning: den säger inte vad "
    "insatsen har sparat."
)


@dataclass(frozen=True, kw_only=True)
class CostMetric:
    """A cost metric as users see it, and the catalogue count it divides the cost by.

    ``count_metric`` is a catalogue metric computed on the year's view; ``count_column``
    says which of its columns is the count (``value`` for a count, ``numerator`` for the
    numerator of a share).
    """

    id: str
    label: str
    definition: str
    numerator: str
    denominator: str
    count_metric: str
    count_column: Literal["value", "numerator"]
    #: How the denominator reads next to a cost: "per deltagare (n = 175)".
    per: str
    kind: str = "cost"
    unit: str = "kr"


_COST = "Insatsens kostnad för året: utfallet, eller budgeten så länge inget utfall är registrerat"

_COST_METRICS: tuple[CostMetric, ...] = (
    CostMetric(
        id="cost_per_participant",
        label="Kostnad per deltagare",
        definition=(
            "Insatsens kostnad för året delad med antalet deltagare under året (utan "
            "felregistreringar och anonyma)."
        ),
        numerator=_COST,
        denominator="Deltagare under året",
        count_metric="period_participants",
        count_column="value",
        per="per deltagare",
    ),
    CostMetric(
        id="cost_per_ended",
        label="Kostnad per avslutad deltagare",
        definition=(
            "Insatsens kostnad för året delad med antalet deltagare som avslutades under året."
        ),
        numerator=_COST,
        denominator="Deltagare som avslutades under året",
        count_metric="period_ended",
        count_column="value",
        per="per avslutad",
    ),
    CostMetric(
        id="cost_per_self_sufficient",
        label="Kostnad per självförsörjande",
        definition=(
            "Insatsens kostnad för året delad med antalet som avslutades under året och då "
            "var självförsörjande. " + SELF_SUFFICIENT_NOTE
        ),
        numerator=_COST,
        denominator="Självförsörjande bland dem som avslutades under året",
        count_metric="outcome_self_sufficient",
        count_column="numerator",
        per="per självförsörjande",
    ),
)

COST_METRICS: dict[str, CostMetric] = {m.id: m for m in _COST_METRICS}

#: The small frame of budgets the computation takes: one row per insats and year, amounts
#: in whole kronor (null: not recorded).
BUDGET_SCHEMA: dict[str, pl.DataType] = {
    "project": pl.String(),
    "year": pl.Int64(),
    "budget_sek": pl.Int64(),
    "outcome_sek": pl.Int64(),
}

#: The result: the catalogue's long shape (numerator = the cost in kronor, denominator =
#: the count), with the year, the amounts and which of them the cost is.
COST_SCHEMA: dict[str, pl.DataType] = {
    "project": pl.String(),
    "year": pl.Int64(),
    "metric": pl.String(),
    "value": pl.Float64(),
    "numerator": pl.Int64(),
    "denominator": pl.Int64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "suppressed": pl.Boolean(),
    "hidden_reason": pl.String(),
    "cost_source": pl.String(),
    "budget_sek": pl.Int64(),
    "outcome_sek": pl.Int64(),
    "report_month": pl.String(),
    "has_data": pl.Boolean(),
}


def is_cost_metric(metric_id: str | None) -> bool:
    return metric_id in COST_METRICS


def any_metric(metric_id: str) -> Metric | CostMetric:
    """The definition of any metric a goal, page or command can name: a catalogue metric
    or a cost metric (``KeyError`` for neither)."""
    found = CATALOGUE.get(metric_id) or COST_METRICS.get(metric_id)
    if found is None:
        raise KeyError(metric_id)
    return found


def is_known_metric(metric_id: str | None) -> bool:
    return metric_id in CATALOGUE or metric_id in COST_METRICS


def budget_frame(rows: Iterable[Mapping[str, Any]] | pl.DataFrame) -> pl.DataFrame:
    """Budgets as the frame :func:`cost_figures` takes (rows with project, year, budget_sek,
    outcome_sek; other keys are ignored)."""
    if isinstance(rows, pl.DataFrame):
        return rows.select(pl.col(name).cast(dtype) for name, dtype in BUDGET_SCHEMA.items())
    records = [{name: row.get(name) for name in BUDGET_SCHEMA} for row in rows]
    return pl.DataFrame(records, schema=BUDGET_SCHEMA, orient="row")


def year_cases(
    snapshots: pl.LazyFrame | pl.DataFrame, year: int, as_of: str | None = None
) -> pl.LazyFrame:
    """The year's cases, as every period figure takes them (:mod:`metrics.period`): each
    insats's newest snapshot up to the report month ``as_of`` (None: its newest), seen over
    the year. A snapshot from before the year tells nothing of it; one from within the year
    tells it up to its own month.
    """
    return select_cases(snapshots, Selection(report_month=as_of, period=Period.year(year)))


def cost_source(budget_sek: int | None, outcome_sek: int | None) -> CostSource | None:
    """Which amount the cost is: the outcome when recorded, else the budget."""
    if outcome_sek is not None:
        return SOURCE_OUTCOME
    if budget_sek is not None:
        return SOURCE_BUDGET
    return None


def _counts(cases: pl.LazyFrame, threshold: int) -> pl.DataFrame:
    """Per insats: each cost metric's protected count and why it is hidden."""
    wanted = list(dict.fromkeys(m.count_metric for m in _COST_METRICS))
    figures = protected_metrics(cases, metrics=wanted, by=["project"], threshold=threshold)
    parts = []
    for metric in _COST_METRICS:
        rows = figures.filter(pl.col("metric") == metric.count_metric)
        parts.append(
            rows.select(
                "project",
                pl.lit(metric.id).alias("metric"),
                pl.col(metric.count_column).cast(pl.Int64).alias("denominator"),
                "hidden_reason",
            )
        )
    return pl.concat(parts, how="vertical")


def cost_figures(
    snapshots: pl.LazyFrame | pl.DataFrame,
    budgets: pl.DataFrame | Iterable[Mapping[str, Any]],
    year: int,
    *,
    as_of: str | None = None,
    metrics: Sequence[str] | None = None,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> pl.DataFrame:
    """The cost metrics of ``year`` for each insats with a budget or outcome for it.

    ``snapshots`` may hold every month of every insats (each insats's newest snapshot up to
    ``as_of`` is taken, see :func:`year_cases`). One row per (insats, metric), in
    :data:`COST_SCHEMA`; ``value`` is kronor per person, ``numerator`` the cost and
    ``denominator`` the count.

    - A hidden count (``hidden_reason`` small, filter or linked) hides the cost and the
      count; the amounts stay, they are not about people.
    - A count of zero gives no cost (null), never a made-up one.
    - An insats with a budget but no cases in the year has ``has_data`` false and no cost.
    """
    wanted = list(COST_METRICS) if metrics is None else list(dict.fromkeys(metrics))
    unknown = [m for m in wanted if m not in COST_METRICS]
    if unknown:
        raise ValueError(f"Okänt kostnadsmått: {', '.join(unknown)}")
    plan = budget_frame(budgets).filter(pl.col("year") == year).unique("project", keep="last")
    if plan.height == 0 or not wanted:
        return pl.DataFrame(schema=COST_SCHEMA)
    # Every insats's cases, not only those with a budget: the counts are protected as the
    # förbund's, the same whichever insatser have a budget recorded.
    cases = year_cases(snapshots, year, as_of)
    month = (
        pl.col(REPORT_MONTH_FIELD).max()
        if REPORT_MONTH_FIELD in cases.collect_schema().names()
        else pl.lit(None, dtype=pl.String).first()
    )
    months = cases.group_by("project").agg(month.alias("report_month")).collect()
    counts = _counts(cases, threshold).filter(pl.col("metric").is_in(wanted))
    metric_order = pl.Enum(wanted)
    grid = plan.join(pl.DataFrame({"metric": wanted}), how="cross")
    cost = pl.coalesce("outcome_sek", "budget_sek")
    joined = (
        grid.join(counts, on=["project", "metric"], how="left")
        .join(months, on="project", how="left")
        .with_columns(
            cost.alias("numerator"),
            pl.col("project").is_in(months["project"].to_list()).alias("has_data"),
            pl.when(pl.col("outcome_sek").is_not_null())
            .then(pl.lit(SOURCE_OUTCOME))
            .when(pl.col("budget_sek").is_not_null())
            .then(pl.lit(SOURCE_BUDGET))
            .alias("cost_source"),
        )
    )
    hidden = pl.col("hidden_reason").is_not_null()
    n = pl.col("denominator")
    out = joined.with_columns(
        pl.when(hidden | (n <= 0) | n.is_null())
        .then(None)
        .otherwise(pl.col("numerator").cast(pl.Float64) / n)
        .alias("value"),
        pl.when(hidden).then(None).otherwise(n).alias("denominator"),
        hidden.alias("suppressed"),
        pl.lit(None, dtype=pl.Float64).alias("ci_low"),
        pl.lit(None, dtype=pl.Float64).alias("ci_high"),
    )
    return (
        out.with_columns(pl.col("metric").cast(metric_order).alias("__order"))
        .sort("project", "__order")
        .select([pl.col(name).cast(dtype) for name, dtype in COST_SCHEMA.items()])
    )
