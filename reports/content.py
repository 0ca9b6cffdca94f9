"""What goes into the meeting pack (Mötesunderlag) for one project and report month.

Everything is gathered here, from the store, the metrics and the goals, into plain data:
Swedish text already formatted and small counts already hidden. The HTML and PDF renderers
only lay it out, so both show exactly the same figures, and tests can check the figures
without reading a PDF.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import polars as pl
from babel.dates import format_date

from charts.comparison import dumbbell, interval_bars
from charts.flows import OUTCOME_NODE_COLOURS, sankey
from charts.outcome_bars import outcome_bars
from charts.palette import goal_status_style
from charts.trends import trend_lines
from goals.model import STYLE_IDS
from goals.records import GoalStatus
from goals.scorecard import Scorecard, build_scorecard, scorecard_months
from goals.service import get_goal, goal_history, goal_statuses, list_goals, status_months
from goals.text import target_text
from ingest.schema import REPORT_MONTH_FIELD
from metrics.catalogue import CATALOGUE, Metric
from metrics.costs import COST_METRICS
from metrics.figures import (
    comparison_figures,
    detail_figures,
    metric_figures,
    selection_protection,
)
from metrics.flows import income_to_outcome, outcome_breakdown
from metrics.outcomes import OUTCOMES
from metrics.period import Period
from metrics.protection import (
    SUPPRESSION_THRESHOLD,
    ProtectedCounts,
    flow_sums,
    outcome_route_sums,
    protection_explanation,
)
from metrics.quality import completeness, missing_months
from metrics.selection import Selection, select_cases, snapshot_as_of
from presentation.comparison import comparison_table, standing_table
from presentation.key_numbers import basis_text
from presentation.numbers import (
    format_n,
    format_share,
    format_value,
    hidden_text,
    shown_or_hidden,
)
from presentation.outcomes import flow_table
from presentation.overview import (
    OVERVIEW_METRICS,
    ended_count,
    outcome_table,
    participants_sentence,
)
from presentation.quality import TOTAL_METRICS, protect_quality_counts
from presentation.trends import trend_table
from store import Store

if TYPE_CHECKING:
    from reports.costs import CostSection

#: The municipality comparison and the dumbbell look at activity, as the Kommuner page does.
COMPARISON_METRIC = "share_active_end"
TREND_METRICS: tuple[str, ...] = ("participants", "share_active_end")
#: At most this many month labels on a trend's axis.
TICKS_SHOWN = 8
#: A field filled in for fewer than this share of participations is a data-quality note.
COMPLETENESS_LOW = 0.9
#: How many of the least complete fields the pack lists even when none is low.
COMPLETENESS_SHOWN = 5
#: Names the förbund on the cover of a real (not demo) pack.
FORBUND_ENV = "LAGESBILD_FORBUND"
TIMEZONE = ZoneInfo("Europe/Stockholm")

DEMO_NOTICE = (
    "Uppgifterna i detta underlag är fiktiva: ett demodata som visar hur Lägesbild fungerar. "
    "Inga verkliga deltagare finns i dem."
)


class ReportUnavailable(LookupError):
    """No pack can be made (unknown project, no data up to the month); message in Swedish."""


@dataclass(frozen=True)
class Table:
    """A table as shown: header and text cells. ``count_columns`` hold participant counts."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    count_columns: tuple[str, ...] = ()

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, count_columns: Iterable[str] = ()) -> Table:
        text = frame.select(pl.all().cast(pl.String).fill_null(""))
        return cls(tuple(frame.columns), tuple(text.iter_rows()), tuple(count_columns))

    def column(self, name: str) -> list[str]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Chart:
    """A figure with its text alternative and the table holding the same figures."""

    key: str
    title: str
    figure: go.Figure | None  # None when every value is hidden or missing: table only
    alt: str
    table: Table
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyNumber:
    """One key number: the metrics layer's row (after suppression) and its text."""

    metric: str
    label: str
    value: str
    basis: str
    row: dict[str, Any]


@dataclass(frozen=True)
class GoalLine:
    """One goal as the board reads it: status as colour, symbol and word, and its figures."""

    id: str
    period: str
    title: str
    status: str
    symbol: str
    word: str
    colour: str
    text_colour: str
    value: str
    target: str
    n: str
    comment: str
    metric: str | None
    record: GoalStatus


@dataclass(frozen=True)
class ReportContent:
    """Everything the meeting pack shows, in the order it shows it."""

    project: str
    month: str
    month_text: str
    made: dt.date
    made_text: str
    forbund: str | None
    is_demo: bool
    participants_text: str
    key_numbers: tuple[KeyNumber, ...]
    goals: tuple[GoalLine, ...]
    outcomes: Chart | None
    flow: Chart | None
    comparison: Chart | None
    activity: Chart | None
    trends: tuple[Chart, ...]
    trend_table: Table | None
    quality_notes: tuple[str, ...]
    completeness: Table | None
    definitions: tuple[Metric, ...]
    threshold: int = SUPPRESSION_THRESHOLD
    demo_notice: str = field(default=DEMO_NOTICE)
    costs: CostSection | None = None
    #: The goals month by month (stored statuses), before the goal table; None: no goals.
    scorecard: Scorecard | None = None
    #: The period whose months the scorecard shows; None: the newest stored months.
    scorecard_period: Period | None = None

    @property
    def protection(self) -> tuple[str, ...]:
        return protection_explanation(self.threshold)

    @property
    def title(self) -> str:
        return f"Mötesunderlag {self.project}, {self.month_text}"

    def charts(self) -> list[Chart]:
        """Every chart section, drawn or not, in the pack's order."""
        single = [self.outcomes, self.flow, self.comparison, self.activity]
        return [c for c in single if c is not None] + list(self.trends)

    def figures(self) -> list[Chart]:
        """The charts that have a figure to draw."""
        return [c for c in self.charts() if c.figure is not None]

    def tables(self) -> list[Table]:
        """Every table in the pack, the chart tables included."""
        own = [self.key_number_table(), self.goal_table()]
        if self.scorecard is not None:
            own.append(self.scorecard_table())
        own += [t for t in (self.completeness, self.trend_table) if t is not None]
        if self.costs is not None and self.costs.table is not None:
            own.append(self.costs.table)
        return own + [c.table for c in self.charts()]

    def key_number_table(self) -> Table:
        rows = tuple((k.label, k.value, k.basis) for k in self.key_numbers)
        return Table(("Mått", "Värde", "Underlag"), rows, ("Värde", "Underlag"))

    @property
    def scorecard_value_column(self) -> str:
        return f"Värde {self.month}"

    @property
    def scorecard_span(self) -> str:
        """Which months the scorecard shows, in words."""
        if self.scorecard_period is not None:
            return f"rapportmånaderna under {self.scorecard_period.label}"
        months = len(self.scorecard.months) if self.scorecard is not None else 0
        return f"de senaste {months} rapportmånaderna med sparad status till och med {self.month}"

    def scorecard_table(self) -> Table:
        """The scorecard as text cells: symbol and word per month, "–" for none stored."""
        assert self.scorecard is not None
        frame = self.scorecard.table(self.scorecard_value_column).drop("Insats")
        return Table.from_frame(frame, [self.scorecard_value_column])

    def goal_table(self) -> Table:
        rows = tuple(
            (f"{g.symbol} {g.word}", g.title, g.value, g.target, g.n, g.comment) for g in self.goals
        )
        columns = ("Status", "Mål", "Värde", "Målvärde", "n", "Kommentar och beslut")
        return Table(columns, rows, ("n",))


# -- helpers ---------------------------------------------------------------------------


def month_text(month: str) -> str:
    """ "2019-03" -> "mars 2019"."""
    first = dt.date.fromisoformat(f"{month}-01")
    return format_date(first, "LLLL y", locale="sv_SE")


def date_text(day: dt.date) -> str:
    """ "2019-03-05" -> "5 mars 2019"."""
    return format_date(day, "d MMMM y", locale="sv_SE")


NOTHING_TO_DRAW = (
    "Diagrammet visas inte: underlaget är för litet för att visa något utan att röja "
    "enskilda deltagare. Tabellen visar det som kan visas."
)


def _shows_something(frame: pl.DataFrame, column: str) -> bool:
    """Whether any value would be drawn: not hidden, not missing, not zero."""
    if frame.height == 0:
        return False
    shown = pl.col(column).is_not_null() & (pl.col(column) != 0)
    if "suppressed" in frame.columns:
        shown = shown & ~pl.col("suppressed").fill_null(False)
    return frame.filter(shown).height > 0


def _chart(
    key: str,
    title: str,
    figure: go.Figure,
    alt: str,
    table: Table,
    *notes: str,
    drawn: bool = True,
) -> Chart:
    """A chart whose footnotes move from the picture into text beside it.

    Plotly does not wrap annotation text, so a long note (the list of hidden flows) runs
    off the picture; as text it wraps, prints, and reaches a screen reader. A chart with
    nothing to draw (every value hidden) is left out and the text says why: an empty grid
    would read as zero.
    """
    if not drawn:
        return Chart(key, title, None, alt, table, (NOTHING_TO_DRAW,))
    lifted = [a.text for a in figure.layout.annotations if a.name == "note"]
    if lifted:
        font_size = figure.layout.font.size or 14
        room = round(font_size * 1.6) * len(lifted)
        figure.layout.annotations = [a for a in figure.layout.annotations if a.name != "note"]
        figure.update_layout(
            height=figure.layout.height - room, margin_b=figure.layout.margin.b - room
        )
    return Chart(key, title, figure, alt, table, (*notes, *lifted))


def _metric_rows(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {row["metric"]: row for row in frame.iter_rows(named=True)}


def _key_numbers(totals: pl.DataFrame, threshold: int) -> tuple[KeyNumber, ...]:
    rows = _metric_rows(totals)
    numbers = []
    for metric_id in OVERVIEW_METRICS:
        metric = CATALOGUE[metric_id]
        row = rows.get(metric_id, {"value": None, "suppressed": False})
        value = format_value(
            row.get("value"),
            metric.kind,
            suppressed=bool(row.get("suppressed")),
            threshold=threshold,
            reason=row.get("hidden_reason"),
        )
        basis = basis_text(row, metric.kind, threshold) if metric.kind != "count" else ""
        numbers.append(KeyNumber(metric_id, metric.label, value, basis, dict(row)))
    return tuple(numbers)


def _goal_line(store: Store, record: GoalStatus, threshold: int) -> GoalLine:
    style = goal_status_style(STYLE_IDS[record.status])
    goal = get_goal(store, record.id)
    metric = CATALOGUE.get(record.metric or "") or COST_METRICS.get(record.metric or "")
    suppressed = record.suppressed
    denominator = record.denominator
    if metric is None:
        value, n = "Bedöms manuellt", ""
        if record.assessed:
            value = f"Bedömt {record.assessed}"
    elif suppressed:
        # "dold" when hidden to protect another count: it may be large, so not "<5".
        value = hidden_text(record.hidden_reason, threshold)
        n = format_n(
            None, denominator, suppressed=True, reason=record.hidden_reason, threshold=threshold
        )
    elif record.value is None:
        value, n = "Ingen uppgift", ""
    else:
        value = format_value(record.value, metric.kind)
        if metric.kind == "share":
            n = format_n(record.numerator, denominator)
        else:
            n = "" if denominator is None else f"n = {format_value(denominator, 'count')}"
    comments = []
    if goal.filters:
        comments.append("; ".join(f"{k}: {', '.join(v)}" for k, v in goal.filters.items()))
    if record.comment:
        comments.append(record.comment)
    if record.removed:
        comments.append(f"Utgått {record.removed}. Beslut: {record.decision or '–'}")
    return GoalLine(
        id=record.id,
        period=record.period,
        title=record.title,
        status=record.status,
        symbol=style.symbol,
        word=style.word,
        colour=style.colour,
        text_colour=style.text_colour,
        value=value,
        target=target_text(goal),
        n=n,
        comment=" ".join(comments),
        metric=metric.id if metric else None,
        record=record,
    )


def _scorecard(
    store: Store,
    project: str,
    month: str,
    records: Sequence[GoalStatus],
    period: Period | None,
    threshold: int,
) -> Scorecard | None:
    """The project's goals month by month, as stored: the period's months, or the newest
    stored ones up to the pack's month; the last column is each goal's value that month."""
    if not records:
        return None
    stored = [m for m in status_months(store, project) if m <= month]
    months = scorecard_months(stored, None if period is None else period.months())
    history = goal_history(store, project, suppress=threshold, months=months)
    goals = list_goals(store, project)
    return build_scorecard(goals, {r.id: r for r in records}, history, months, threshold=threshold)


def _outcomes(
    snapshots: pl.DataFrame,
    selection: Selection,
    ended: int | None,
    threshold: int,
    protected: ProtectedCounts,
) -> Chart | None:
    breakdown = detail_figures(
        snapshots, selection, outcome_breakdown, outcome_route_sums(), protected=protected
    )
    if breakdown.height == 0:
        return None
    return _chart(
        "outcomes",
        "Utfall för avslutade deltagare",
        outcome_bars(breakdown, total=ended, threshold=threshold),
        "Stapeldiagram: antal och andel avslutade deltagare per utfall.",
        Table.from_frame(outcome_table(breakdown, ended, threshold), ["Antal"]),
        drawn=_shows_something(breakdown, "count"),
    )


def _flow(
    snapshots: pl.DataFrame, selection: Selection, threshold: int, protected: ProtectedCounts
) -> Chart | None:
    flows = detail_figures(
        snapshots,
        selection,
        income_to_outcome,
        flow_sums("income_to_outcome"),
        protected=protected,
    )
    if flows.height == 0:
        return None
    title = "Från försörjning vid start till utfall"
    return _chart(
        "flow",
        title,
        sankey(flows, title, node_colours=OUTCOME_NODE_COLOURS, threshold=threshold),
        "Flödesdiagram: försörjning vid start till utfall; tabellen har samma uppgifter.",
        Table.from_frame(flow_table(flows, threshold), ["Antal"]),
        drawn=_shows_something(flows, "count"),
    )


def _comparison(snapshots: pl.DataFrame, selection: Selection, threshold: int) -> Chart | None:
    label = CATALOGUE[COMPARISON_METRIC].label
    comparison = comparison_figures(
        snapshots, selection, COMPARISON_METRIC, "municipality", threshold=threshold
    )
    if comparison.height == 0 or not comparison["denominator"].drop_nulls().sum():
        return None
    return _chart(
        "comparison",
        f"{label} per kommun",
        interval_bars(comparison, "Kommun", label, threshold=threshold),
        f"Staplar med 95 %-intervall: {label.lower()} per kommun.",
        Table.from_frame(
            comparison_table(comparison, "Kommun", threshold), ["Täljare", "n (nämnare)"]
        ),
        "Antalen är små, så en skillnad på tio procentenheter kan vara slump. "
        "▲ eller ▼ vid en kommun betyder att den ligger utanför 99,8 %-gränsen i "
        "trattdiagrammet: skillnaden är större än slumpen förklarar.",
        drawn=_shows_something(comparison, "value"),
    )


def _activity(snapshots: pl.DataFrame, selection: Selection, threshold: int) -> Chart | None:
    by = ["municipality"]
    metrics = ["share_active_start", "share_active_end"]
    frame = metric_figures(snapshots, selection, metrics, by, threshold=threshold)
    if frame.height == 0 or not frame["denominator"].drop_nulls().sum():
        return None
    return _chart(
        "activity",
        "I aktivitet vid start och vid avslut per kommun",
        dumbbell(frame, unit_label="Kommun", unit_column="municipality", threshold=threshold),
        "Hantel per kommun: andel i aktivitet vid start (ring) och vid avslut (romb).",
        Table.from_frame(
            standing_table(frame, None, "municipality", "Kommun", threshold),
            [CATALOGUE[m].label for m in metrics],
        ),
        "Ringen är andelen vid start, romben andelen vid avslut; n är nämnaren.",
        drawn=_both_shown(frame, metrics),
    )


def _both_shown(frame: pl.DataFrame, metrics: Sequence[str]) -> bool:
    """Whether some municipality shows both ends of its dumbbell (it needs the two)."""
    shown = frame.filter(~pl.col("suppressed").fill_null(False) & pl.col("value").is_not_null())
    per_unit = shown.group_by("municipality").agg(pl.col("metric").n_unique().alias("n"))
    return per_unit.filter(pl.col("n") == len(metrics)).height > 0


def _trend(all_trends: pl.DataFrame, metric_id: str, threshold: int) -> Chart | None:
    metric = CATALOGUE[metric_id]
    frame = all_trends.filter(pl.col("metric") == metric_id)
    if frame.height == 0:
        return None
    figure = trend_lines(frame, metric.label, value_kind=metric.kind, threshold=threshold)
    # Two years of months do not fit as upright labels on paper: label every third month
    # (the hover and the table still give each one).
    ticks = figure.layout.xaxis
    if ticks.tickvals and len(ticks.tickvals) > TICKS_SHOWN:
        step = -(-len(ticks.tickvals) // TICKS_SHOWN)
        keep = slice(len(ticks.tickvals) - 1, None, -step)
        figure.update_xaxes(
            tickvals=list(ticks.tickvals)[keep][::-1],
            ticktext=list(ticks.ticktext)[keep][::-1],
            tickangle=0,
        )
    return _chart(
        f"trend_{metric_id}",
        f"{metric.label} per rapportmånad",
        figure,
        f"Linjediagram: {metric.label.lower()} per rapportmånad.",
        Table.from_frame(
            trend_table(frame, metric_id, None, threshold),
            [metric.label] if metric.kind == "count" else ["Underlag"],
        ),
        drawn=_shows_something(frame, "value"),
    )


def _trend_table(trends: Sequence[Chart]) -> Table | None:
    """The trend charts' tables side by side: one row per month for the whole section."""
    joined: pl.DataFrame | None = None
    counts: list[str] = []
    for chart in trends:
        table = chart.table
        label = table.columns[1]
        names = {c: f"Underlag, {label.lower()}" if c == "Underlag" else c for c in table.columns}
        frame = pl.DataFrame(
            [list(row) for row in table.rows],
            schema={names[c]: pl.String for c in table.columns},
            orient="row",
        )
        counts += [names[c] for c in table.count_columns]
        joined = (
            frame if joined is None else joined.join(frame, on="Månad", how="full", coalesce=True)
        )
    return None if joined is None else Table.from_frame(joined.sort("Månad"), counts)


def _quality(
    store: Store,
    project: str,
    month: str,
    cases: pl.LazyFrame,
    totals: pl.DataFrame,
    threshold: int,
) -> tuple[tuple[str, ...], Table | None]:
    notes: list[str] = []
    records = [r for r in store.history() if r.project == project and r.report_month <= month]
    imports = pl.DataFrame(
        {
            "project": [r.project for r in records],
            "report_month": [r.report_month for r in records],
            "status": [r.status for r in records],
        },
        schema={"project": pl.String, "report_month": pl.String, "status": pl.String},
    )
    missing = missing_months(imports)["month"].to_list()
    if missing:
        notes.append(
            f"{len(missing)} månader saknas mellan första och senaste uppladdningen: "
            f"{', '.join(missing)}. Trenderna har luckor där."
        )
    else:
        notes.append("Ingen månad saknas mellan första och senaste uppladdningen.")

    filled = completeness(cases, by=())
    if filled.height == 0:
        return tuple(notes), None
    protected = protect_quality_counts(filled, totals, [], count="known", threshold=threshold)
    reason = pl.col("hidden_reason")
    hidden = protected.with_columns(
        pl.when(reason.is_null()).then(pl.col("share")).alias("share")
    ).sort("share", nulls_last=True)
    low = hidden.filter(pl.col("share") < COMPLETENESS_LOW)
    if low.height:
        notes.append(
            "Uppgifter ifyllda för färre än "
            f"{format_share(COMPLETENESS_LOW, 0)} av deltagarna: "
            + ", ".join(low["label"].to_list())
            + ". Andelar som bygger på dem vilar på ett mindre underlag."
        )
    else:
        notes.append(
            f"Alla uppgifter är ifyllda för minst {format_share(COMPLETENESS_LOW, 0)} av "
            "deltagarna. Tabellen visar de minst ifyllda."
        )
    shown = hidden.head(max(COMPLETENESS_SHOWN, low.height))
    share_text = pl.col("share").map_elements(format_share, return_dtype=pl.String, skip_nulls=True)
    table = shown.select(
        pl.col("label").alias("Uppgift"),
        shown_or_hidden(share_text, reason, threshold).alias("Ifyllt"),
        shown_or_hidden(pl.col("known").cast(pl.String), reason, threshold).alias("Ifyllda"),
        shown_or_hidden(pl.col("total").cast(pl.String), pl.col("total_reason"), threshold).alias(
            "Underlag"
        ),
    )
    return tuple(notes), Table.from_frame(table, ["Ifyllda", "Underlag"])


def _definitions(metric_ids: Iterable[str]) -> tuple[Metric, ...]:
    wanted = set(metric_ids)
    return tuple(m for m in CATALOGUE.values() if m.id in wanted)


def _forbund(is_demo: bool) -> str | None:
    if is_demo:
        from demo.generator import DEMO_FORBUND

        return DEMO_FORBUND
    return os.environ.get(FORBUND_ENV) or None


def report_projects(store: Store) -> list[str]:
    """Projects with at least one current snapshot, for choosing a pack."""
    return sorted({r.project for r in store.history() if r.status == "current"})


def build_report(
    store: Store,
    project: str,
    month: str | None = None,
    *,
    made: dt.date | None = None,
    threshold: int = SUPPRESSION_THRESHOLD,
    period: Period | None = None,
) -> ReportContent:
    """Gather the meeting pack for ``project`` as of ``month`` (default: its newest month).

    The goals' scorecard shows the months of ``period``, or else the newest stored months
    up to ``month``. Raises ``ReportUnavailable`` when the project has no snapshot up to the
    month.
    """
    snapshots = store.load_snapshots(project=project)
    if snapshots.height == 0:
        known = ", ".join(report_projects(store)) or "inga"
        raise ReportUnavailable(
            f"Det finns inga inlästa exporter för {project}. Insatser: {known}."
        )
    months = snapshot_as_of(snapshots, month, all_months=True)
    newest = months.select(pl.col(REPORT_MONTH_FIELD).max()).collect().item()
    if newest is None:
        raise ReportUnavailable(
            f"Det finns ingen export för {project} till och med {month}; "
            f"den första är från {snapshots.select(pl.col(REPORT_MONTH_FIELD).min()).item()}."
        )
    month = month or newest
    # The whole insats as of the month, without filters: nothing to protect against.
    selection = Selection(report_month=month)
    cases = select_cases(snapshots, selection)

    # One protection for everything the pack shows of this month; each trend month is
    # protected as that month's own state.
    protected = selection_protection(snapshots, selection, threshold=threshold)
    totals = metric_figures(snapshots, selection, OVERVIEW_METRICS, threshold=threshold)
    records = goal_statuses(store, project, month, suppress=threshold)
    goals = tuple(_goal_line(store, r, threshold) for r in records)
    scorecard = _scorecard(store, project, month, records, period, threshold)
    all_trends = metric_figures(
        snapshots,
        selection,
        TREND_METRICS,
        [REPORT_MONTH_FIELD],
        over_months=True,
        threshold=threshold,
    )
    trends = tuple(
        chart for m in TREND_METRICS if (chart := _trend(all_trends, m, threshold)) is not None
    )
    quality_totals = metric_figures(snapshots, selection, TOTAL_METRICS, threshold=threshold)
    notes, filled = _quality(store, project, month, cases, quality_totals, threshold)
    comparison = _comparison(snapshots, selection, threshold)
    activity = _activity(snapshots, selection, threshold)
    outcomes = _outcomes(snapshots, selection, ended_count(totals), threshold, protected)

    shown: list[str] = [*OVERVIEW_METRICS, *TREND_METRICS]
    shown += [g.metric for g in goals if g.metric]
    if outcomes is not None:
        shown += [f"outcome_{o}" for o in OUTCOMES]
    if comparison is not None or activity is not None:
        shown += ["share_active_start", COMPARISON_METRIC]

    from reports.costs import cost_section

    costs = cost_section(store, project, month, threshold=threshold)
    if any(g.metric in COST_METRICS for g in goals) and not costs.definitions:
        # A goal on a cost is defined in the appendix even when the year has no entry.
        costs = dataclasses.replace(costs, definitions=tuple(COST_METRICS.values()))
    is_demo = store.has_demo_data()
    made = made or dt.datetime.now(TIMEZONE).date()
    return ReportContent(
        project=project,
        month=month,
        month_text=month_text(month),
        made=made,
        made_text=date_text(made),
        forbund=_forbund(is_demo),
        is_demo=is_demo,
        participants_text=participants_sentence(totals, threshold),
        key_numbers=_key_numbers(totals, threshold),
        goals=goals,
        outcomes=outcomes,
        flow=_flow(snapshots, selection, threshold, protected),
        comparison=comparison,
        activity=activity,
        trends=trends,
        trend_table=_trend_table(trends),
        quality_notes=notes,
        completeness=filled,
        definitions=_definitions(shown),
        threshold=threshold,
        costs=costs,
        scorecard=scorecard,
        scorecard_period=period,
    )


def small_counts(tables: Sequence[Table], threshold: int = SUPPRESSION_THRESHOLD) -> list[str]:
    """Cells of count columns that show a count from 1 to ``threshold - 1`` (should be none).

    A cell may be "12", "12 av 44" or "n = 12"; every whole number in it is checked.
    """
    found = []
    for table in tables:
        for name in table.count_columns:
            for cell in table.column(name):
                numbers = re.findall(r"(?<![\d,<])\d+(?![\d,])", cell.replace(" ", ""))
                if any(1 <= int(n) < threshold for n in numbers):
                    found.append(f"{name}: {cell}")
    return found
