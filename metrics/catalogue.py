"""The metric catalogue: one definition of every metric, and one pass that computes them all.

Every page, goal, export and ``cli.py kpis`` reads its metrics from here, so a number
means the same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from ingest.schema import BREAKDOWN_FIELDS
from metrics.intervals import wilson_interval
from metrics.outcomes import (
    OUTCOMES,
    is_ended,
    is_excluded,
    outcome_conditions,
    work_or_studies_condition,
)
from metrics.period import PERIOD_FIRST, with_period_column

MetricKind = Literal["count", "share", "median", "difference"]


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One metric as users see it (Swedish label, one-sentence definition, the names of its
    numerator and denominator) and the counts it is computed from.

    Exactly one computation part is given, the one its ``kind`` names. Parts name per-row
    flags (see :func:`count_flags`), summed per group:

    - ``count``: the flag counted;
    - ``share``: (numerator flag, denominator flag);
    - ``median``: the column whose median is taken (``_days``: days in the insats);
    - ``difference``: (end flag, start flag, denominator flag), in percentage points.
    """

    id: str
    label: str
    definition: str
    kind: MetricKind
    unit: str
    numerator: str = ""
    denominator: str = ""
    count: str | None = None
    share: tuple[str, str] | None = None
    median: str | None = None
    difference: tuple[str, str, str] | None = None
    #: A figure of a period (:mod:`metrics.period`): computed over a period view only.
    period: bool = False

    def __post_init__(self) -> None:
        parts = {
            "count": self.count,
            "share": self.share,
            "median": self.median,
            "difference": self.difference,
        }
        given = [kind for kind, part in parts.items() if part is not None]
        if given != [self.kind]:
            raise ValueError(
                f"Måttet {self.id} av typen {self.kind} ska ha just delen {self.kind}= "
                f"(angivna: {', '.join(given) or 'inga'})"
            )


_ENDED_BOTH_ACTIVE = "Avslutade deltagare med känd aktivitet både vid start och avslut"

_METRICS: tuple[Metric, ...] = (
    Metric(
        id="participants",
        label="Deltagare",
        definition=(
            "Antal deltagaruppdrag (en person i en insats), utan felregistreringar och anonyma."
        ),
        numerator="Deltagare",
        kind="count",
        unit="antal",
        count="_person",
    ),
    Metric(
        id="participants_anonymous",
        label="Anonyma deltagare",
        definition=(
            "Antal deltagare registrerade utan personuppgifter; de räknas men ingår i ingen "
            "uppdelning."
        ),
        numerator="Anonyma deltagare",
        kind="count",
        unit="antal",
        count="_anonymous",
    ),
    Metric(
        id="participants_ongoing",
        label="Pågående deltagare",
        definition="Antal deltagare utan slutdatum.",
        numerator="Pågående deltagare",
        kind="count",
        unit="antal",
        count="_ongoing",
    ),
    Metric(
        id="participants_ended",
        label="Avslutade deltagare",
        definition="Antal deltagare med slutdatum.",
        numerator="Avslutade deltagare",
        kind="count",
        unit="antal",
        count="_ended",
    ),
    Metric(
        id="share_women",
        label="Andel kvinnor",
        definition="Andel kvinnor bland deltagare med känt kön.",
        numerator="Kvinnor",
        denominator="Deltagare med känt kön",
        kind="share",
        unit="andel",
        share=("_women", "_gender_known"),
    ),
    Metric(
        id="share_born_abroad",
        label="Andel utrikes födda",
        definition="Andel utrikes födda bland deltagare där uppgiften är känd.",
        numerator="Utrikes födda",
        denominator="Deltagare med känd uppgift om födelseland",
        kind="share",
        unit="andel",
        share=("_abroad", "_abroad_known"),
    ),
    Metric(
        id="median_months_on_aid",
        label="Månader med bistånd före start (median)",
        definition="Medianen av antalet månader med ekonomiskt bistånd före start.",
        denominator="Deltagare med känt antal månader",
        kind="median",
        unit="månader",
        median="months_on_aid",
    ),
    Metric(
        id="median_days_in_project",
        label="Dagar i insatsen (median)",
        definition=(
            "Medianen av antalet dagar från startdatum till slutdatum för avslutade deltagare."
        ),
        denominator="Avslutade deltagare",
        kind="median",
        unit="dagar",
        median="_days",
    ),
    Metric(
        id="share_joint_plan",
        label="Andel med gemensam planering",
        definition=(
            "Andel deltagare med gemensam planering (även SIP-plan) bland dem där uppgiften "
            "är känd."
        ),
        numerator="Deltagare med gemensam planering",
        denominator="Deltagare med känd uppgift om planering",
        kind="share",
        unit="andel",
        share=("_plan", "_plan_known"),
    ),
    Metric(
        id="share_with_sip",
        label="Andel med SIP-möte",
        definition="Andel deltagare med minst ett SIP-möte bland dem med känt antal möten.",
        numerator="Deltagare med minst ett SIP-möte",
        denominator="Deltagare med känt antal SIP-möten",
        kind="share",
        unit="andel",
        share=("_sip", "_sip_known"),
    ),
    Metric(
        id="share_active_start",
        label="I aktivitet vid start",
        definition=(
            "Andel i aktivitet vid start bland avslutade med känd aktivitet vid både start "
            "och avslut."
        ),
        numerator="I aktivitet vid start",
        denominator=_ENDED_BOTH_ACTIVE,
        kind="share",
        unit="andel",
        share=("_active_start", "_both_active"),
    ),
    Metric(
        id="share_active_end",
        label="I aktivitet vid avslut",
        definition=(
            "Andel i aktivitet vid avslut bland avslutade med känd aktivitet vid både start "
            "och avslut."
        ),
        numerator="I aktivitet vid avslut",
        denominator=_ENDED_BOTH_ACTIVE,
        kind="share",
        unit="andel",
        share=("_active_end", "_both_active"),
    ),
    Metric(
        id="activity_change_pp",
        label="Förändring av andel i aktivitet",
        definition=(
            "Andel i aktivitet vid avslut minus andel i aktivitet vid start, i "
            "procentenheter, bland avslutade med båda uppgifterna kända."
        ),
        denominator=_ENDED_BOTH_ACTIVE,
        kind="difference",
        unit="procentenheter",
        difference=("_active_end", "_active_start", "_both_active"),
    ),
    Metric(
        id="share_step_up",
        label="Andel som gått upp minst ett steg",
        definition=(
            "Andel avslutade med högre steg vid avslut än vid start, bland avslutade med "
            "båda stegen kända."
        ),
        numerator="Avslutade med högre steg vid avslut",
        denominator="Avslutade deltagare med känt steg vid både start och avslut",
        kind="share",
        unit="andel",
        share=("_step_up", "_both_steps"),
    ),
    Metric(
        id="outcome_self_sufficient",
        label="Självförsörjande",
        definition=(
            "Andel av avslutade som lämnade utan ekonomiskt bistånd och inte till sjuk- eller "
            "aktivitetsersättning."
        ),
        numerator="Självförsörjande vid avslut",
        denominator="Avslutade deltagare",
        kind="share",
        unit="andel",
        share=("_self_sufficient", "_ended"),
    ),
    Metric(
        id="outcome_sick_compensation",
        label="Sjuk- eller aktivitetsersättning",
        definition=(
            "Andel av avslutade som lämnade till sjuk- eller aktivitetsersättning, med eller "
            "utan kompletterande bistånd."
        ),
        numerator="Avslutade till sjuk- eller aktivitetsersättning",
        denominator="Avslutade deltagare",
        kind="share",
        unit="andel",
        share=("_sick_compensation", "_ended"),
    ),
    Metric(
        id="outcome_continued_aid",
        label="Fortsatt ekonomiskt bistånd",
        definition=(
            "Andel av avslutade som har helt eller delvis ekonomiskt bistånd vid avslut, utan "
            "sjuk- eller aktivitetsersättning."
        ),
        numerator="Avslutade med fortsatt bistånd",
        denominator="Avslutade deltagare",
        kind="share",
        unit="andel",
        share=("_continued_aid", "_ended"),
    ),
    Metric(
        id="outcome_unknown",
        label="Okänt utfall",
        definition="Andel av avslutade där försörjningen vid avslut inte går att avgöra.",
        numerator="Avslutade med okänt utfall",
        denominator="Avslutade deltagare",
        kind="share",
        unit="andel",
        share=("_unknown", "_ended"),
    ),
    Metric(
        id="share_exit_work_or_studies",
        label="Till arbete eller studier",
        definition="Andel av avslutade som blev självförsörjande genom arbete eller studier.",
        numerator="Självförsörjande genom arbete eller studier",
        denominator="Avslutade deltagare",
        kind="share",
        unit="andel",
        share=("_work_or_studies", "_ended"),
    ),
    Metric(
        id="period_participants",
        label="Deltagare under perioden",
        definition=(
            "Antal deltagare som var inskrivna någon gång under perioden: startade senast "
            "periodens sista dag och hade inte avslutats före dess första dag."
        ),
        numerator="Deltagare under perioden",
        kind="count",
        unit="antal",
        count="_person",
        period=True,
    ),
    Metric(
        id="period_new",
        label="Nya under perioden",
        definition="Antal deltagare som startade under perioden.",
        numerator="Nya deltagare under perioden",
        kind="count",
        unit="antal",
        count="_new",
        period=True,
    ),
    Metric(
        id="period_ended",
        label="Avslutade under perioden",
        definition=(
            "Antal deltagare som avslutades under perioden; utfallen för en period gäller dem."
        ),
        numerator="Avslutade under perioden",
        kind="count",
        unit="antal",
        count="_ended",
        period=True,
    ),
)

CATALOGUE: dict[str, Metric] = {m.id: m for m in _METRICS}

#: The catalogue without a period: the state at a report month.
SNAPSHOT_METRICS: tuple[str, ...] = tuple(m.id for m in _METRICS if not m.period)
#: The catalogue over a period: its own counts first, then the rest over those in the period
#: (participants and ended are the period's own counts, so they are not repeated).
PERIOD_METRICS: tuple[str, ...] = (
    *(m.id for m in _METRICS if m.period),
    *(m for m in SNAPSHOT_METRICS if m not in ("participants", "participants_ended")),
)


def catalogue_ids(period: bool) -> tuple[str, ...]:
    """The metrics a view shows by default: over a period, or at a report month."""
    return PERIOD_METRICS if period else SNAPSHOT_METRICS


def is_period_view(cases: pl.LazyFrame | pl.DataFrame) -> bool:
    """Whether the cases are a period view (:func:`metrics.period.period_view`)."""
    return PERIOD_FIRST in cases.lazy().collect_schema().names()


#: Fields a metric can be broken down by (English field names).
BREAKDOWN_COLUMNS: tuple[str, ...] = tuple(BREAKDOWN_FIELDS.values())

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "metric": pl.String(),
    "value": pl.Float64(),
    "numerator": pl.Int64(),
    "denominator": pl.Int64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "suppressed": pl.Boolean(),
}


def _base_columns() -> dict[str, pl.Expr]:
    """Row inputs several flags share; computed once, before the flags."""
    ended = is_ended()
    return {
        "_ended": ended,
        "_both_active": ended
        & pl.col("active_start").is_not_null()
        & pl.col("active_end").is_not_null(),
        "_both_steps": ended
        & pl.col("step_start").is_not_null()
        & pl.col("step_end").is_not_null(),
        **{f"_{o}": cond for o, cond in outcome_conditions().items()},
    }


#: The count of participations that started in the period (period views only).
NEW_IN_PERIOD = "_new"


def _row_flags() -> dict[str, pl.Expr]:
    """Per-row Booleans; every numerator and denominator is the sum of one of them."""
    col = pl.col
    return {
        "_ended": col("_ended"),
        "_ongoing": ~col("_ended"),
        "_women": col("gender").eq_missing("K"),
        "_gender_known": col("gender").is_not_null(),
        "_abroad": col("born_abroad").fill_null(False),
        "_abroad_known": col("born_abroad").is_not_null(),
        "_plan": col("joint_plan").fill_null(False),
        "_plan_known": col("joint_plan").is_not_null(),
        "_sip": (col("sip_meetings") >= 1).fill_null(False),
        "_sip_known": col("sip_meetings").is_not_null(),
        "_both_active": col("_both_active"),
        "_active_start": col("_both_active") & col("active_start").fill_null(False),
        "_active_end": col("_both_active") & col("active_end").fill_null(False),
        "_both_steps": col("_both_steps"),
        "_step_up": col("_both_steps") & (col("step_end") > col("step_start")).fill_null(False),
        # Without a period every participation is new: the period is all history.
        NEW_IN_PERIOD: (col("start_date") >= col(PERIOD_FIRST)).fill_null(True),
        **{f"_{o}": col(f"_{o}") for o in OUTCOMES},
        "_work_or_studies": col("_self_sufficient") & work_or_studies_condition(),
    }


# The parts of each metric by id, read from the catalogue.
_COUNT_PARTS: dict[str, str] = {m.id: m.count for m in _METRICS if m.count is not None}
_SHARE_PARTS: dict[str, tuple[str, str]] = {m.id: m.share for m in _METRICS if m.share is not None}
_MEDIAN_PARTS: dict[str, str] = {m.id: m.median for m in _METRICS if m.median is not None}
_DIFFERENCE_PARTS: dict[str, tuple[str, str, str]] = {
    m.id: m.difference for m in _METRICS if m.difference is not None
}


#: Fields anonymous participations are counted by: they have an insats and a report month
#: but are described by nothing else.
ANONYMOUS_BREAKDOWNS: frozenset[str] = frozenset({"project", "report_month"})


def counts_anonymous(by: Sequence[str]) -> bool:
    """Whether a breakdown counts anonymous participations (the total, or per insats)."""
    return set(by) <= ANONYMOUS_BREAKDOWNS


def _median_input(column: str) -> pl.Expr:
    if column == "_days":
        return (pl.col("end_date") - pl.col("start_date")).dt.total_days()
    return pl.col(column)


#: The count behind each median's n (the rows it is taken over).
_MEDIAN_COUNTS: dict[str, str] = {"months_on_aid": "_months_known", "_days": "_ended"}
#: Every column a median is taken of.
_MEDIAN_COLUMNS: tuple[str, ...] = tuple(_MEDIAN_COUNTS)


def metric_counts(metric: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The counts a metric shows: (numerator, denominator, all counts its value rests on).

    These are the cells small-number protection works on; a metric is hidden when any
    count its value rests on is hidden.
    """
    kind = CATALOGUE[metric].kind
    if kind == "count":
        count = _COUNT_PARTS[metric]
        return count, None, (count,)
    if kind == "share":
        num, den = _SHARE_PARTS[metric]
        return num, den, (num, den)
    if kind == "median":
        n = _MEDIAN_COUNTS[_MEDIAN_PARTS[metric]]
        return None, n, (n,)
    end, start, den = _DIFFERENCE_PARTS[metric]
    return None, den, (end, start, den)


def share_parts() -> tuple[tuple[str, str], ...]:
    """Every (numerator, denominator) pair of a share, each once."""
    return tuple(dict.fromkeys(_SHARE_PARTS.values()))


#: Counts shown only as the numerator of a share: hidden along with the share.
def numerator_only_counts() -> frozenset[str]:
    shown_alone = set(_COUNT_PARTS.values()) | {den for _, den in _SHARE_PARTS.values()}
    shown_alone |= {d for *_, d in _DIFFERENCE_PARTS.values()} | set(_MEDIAN_COUNTS.values())
    return frozenset(n for n, _ in _SHARE_PARTS.values()) - shown_alone


def count_flags() -> dict[str, pl.Expr]:
    """Every count the catalogue rests on, as a per-row Boolean over non-anonymous rows."""
    flags = _row_flags()
    return {
        "_person": pl.lit(True),
        **{name: flags[name] for name in sorted(flags)},
        "_months_known": pl.col("months_on_aid").is_not_null(),
    }


def count_tables(
    cases: pl.LazyFrame | pl.DataFrame,
    tables: Sequence[Sequence[str]],
    *,
    split: str | None = None,
    medians_for: Sequence[str] | None = None,
) -> list[pl.DataFrame]:
    """Per table, one row per group with every count of :func:`count_flags`.

    Felregistreringar are left out; anonymous participations count only in ``_anonymous``,
    and only in the tables that count them (:func:`counts_anonymous`). With ``split`` (the
    report month) every table is grouped by it first, so each month is counted in the same
    pass. The table ``medians_for`` also gets every median and its n
    (``<column>__median``, ``<column>__n``), so its catalogue metrics can be read off it
    (:func:`metrics_from_counts`).

    The row flags are computed once. The medians' table is summed from them directly; every
    other table is summed from one finer table over the fields of those tables.
    """
    groupings = [tuple(t) for t in tables]
    median_table = tuple(medians_for) if medians_for is not None else None
    keys = [split] if split else []
    fields = sorted({f for table in groupings for f in table})
    person = ~pl.col("anonymous").fill_null(False)
    # New in the period is a count of period views only: elsewhere it would repeat _person.
    period = is_period_view(cases)
    flags = {
        name: (expr & person)
        for name, expr in count_flags().items()
        if period or name != NEW_IN_PERIOD
    }
    flags["_anonymous"] = ~person
    names = list(flags)
    median_inputs = (
        [pl.when(person).then(_median_input(c)).alias(c) for c in _MEDIAN_COLUMNS]
        if median_table is not None
        else []
    )
    rows = (
        cases.lazy()
        .filter(~is_excluded())
        .with_columns(**_base_columns())
        .select(*keys, *fields, *[expr.alias(name) for name, expr in flags.items()], *median_inputs)
        .collect()
        .lazy()
    )
    sums = pl.col(names).sum().cast(pl.Int64)
    medians = [
        agg
        for c in _MEDIAN_COLUMNS
        for agg in (
            pl.col(c).median().cast(pl.Float64).alias(f"{c}__median"),
            pl.col(c).count().cast(pl.Int64).alias(f"{c}__n"),
        )
    ]

    def summed(source: pl.LazyFrame, table: tuple[str, ...], extra: list[pl.Expr]) -> pl.LazyFrame:
        by = [*keys, *table]
        return source.group_by(by).agg(sums, *extra) if by else source.select(sums, *extra)

    # Only the medians' table needs the case rows; every other table, the total too, is
    # summed from one finer table, which has far fewer rows than the cases.
    direct = {t for t in groupings if t == median_table}
    derived = [t for t in groupings if t not in direct]
    finest = tuple(sorted({f for t in derived for f in t}))
    queries: dict[tuple[str, ...], pl.LazyFrame] = {
        t: summed(rows, t, medians if t == median_table else []) for t in direct
    }
    if derived:
        fine = summed(rows, finest, []).collect().lazy()
        queries.update({t: summed(fine, t, []) for t in derived})
    frames = dict(zip(queries, pl.collect_all(list(queries.values())), strict=True))
    out = []
    for table in groupings:
        # Groups in a fixed order: protection decides ties by it, so the same data must
        # always give the same hidden cells (two different patterns could be combined).
        frame = frames[table].sort([*keys, *table], nulls_last=True)
        if not counts_anonymous(table):
            # A group of anonymous rows only is no group: they belong to no breakdown.
            frame = frame.filter(pl.col("_person") > 0).with_columns(
                pl.lit(0, dtype=pl.Int64).alias("_anonymous")
            )
        out.append(frame)
    return out


def metrics_from_counts(
    counts: pl.DataFrame, metrics: Sequence[str] | None, by: Sequence[str], *, period: bool = False
) -> pl.DataFrame:
    """The catalogue metrics of one table of :func:`count_tables` (with its medians).

    The same frame as :func:`compute_metrics` over the same cases and ``by``, read off
    counts already made instead of a second pass over the cases.
    """
    by = list(by)
    wanted = _check(metrics, by, period=period)
    if not wanted:
        return pl.DataFrame(schema={**counts.select(by).schema, **RESULT_SCHEMA})
    frame = pl.concat([_long(counts, by, m) for m in wanted], how="vertical")
    return frame.sort(by, nulls_last=True, maintain_order=True) if by else frame


def _check(metrics: Sequence[str] | None, by: Sequence[str], *, period: bool = False) -> list[str]:
    wanted = list(catalogue_ids(period)) if metrics is None else list(dict.fromkeys(metrics))
    unknown = [m for m in wanted if m not in CATALOGUE]
    if unknown:
        raise ValueError(f"Okänt mått: {', '.join(unknown)}")
    needs_period = [m for m in wanted if CATALOGUE[m].period and not period]
    if needs_period:
        raise ValueError(f"Måttet {', '.join(needs_period)} gäller en period: välj en period")
    bad = [b for b in by if b not in BREAKDOWN_COLUMNS]
    if bad:
        raise ValueError(f"Kan inte dela upp efter: {', '.join(bad)}")
    if len(set(by)) != len(by):
        raise ValueError("Samma uppdelning angiven flera gånger")
    return wanted


def _parts(wanted: list[str]) -> tuple[list[str], list[str]]:
    """Flags to sum and columns to take medians of, for the wanted metrics."""
    needed: set[str] = set()
    medians: set[str] = set()
    for m in wanted:
        if m in _COUNT_PARTS:
            needed.add(_COUNT_PARTS[m])
        elif m in _SHARE_PARTS:
            needed.update(_SHARE_PARTS[m])
        elif m in _MEDIAN_PARTS:
            medians.add(_MEDIAN_PARTS[m])
        else:
            needed.update(_DIFFERENCE_PARTS[m])
    return sorted(needed), sorted(medians)


def _wide(lf: pl.LazyFrame, wanted: list[str], by: list[str]) -> pl.DataFrame:
    """One row per group with every wanted numerator, denominator and median.

    The flags are materialised as plain Boolean columns first and then summed per group:
    Polars' fast path for grouped sums, one pass for the whole catalogue. In the total,
    anonymous rows stay in the frame but count only in ``_anonymous``.
    """
    total = counts_anonymous(by)
    needed, medians = _parts(wanted)
    flags = _row_flags()
    person = ~pl.col("anonymous").fill_null(False)
    selected: list[pl.Expr] = []
    for name in needed:
        if name == "_person":
            expr = person
        elif name == "_anonymous":
            expr = ~person if total else pl.lit(False)
        else:
            expr = flags[name] & person if total else flags[name]
        selected.append(expr.alias(name))
    for column in medians:
        selected.append(
            (pl.when(person).then(_median_input(column)) if total else _median_input(column)).alias(
                column
            )
        )
    aggs = [pl.col(needed).sum().cast(pl.Int64)] if needed else []
    for column in medians:
        aggs.append(pl.col(column).median().cast(pl.Float64).alias(f"{column}__median"))
        aggs.append(pl.col(column).count().cast(pl.Int64).alias(f"{column}__n"))
    base = _base_columns()
    rows = lf.with_columns(**base).select(*by, *selected)
    return (rows.group_by(by).agg(aggs) if by else rows.select(aggs)).collect()


def _long(wide: pl.DataFrame, by: list[str], metric: str) -> pl.DataFrame:
    """One metric's rows in the common long shape."""
    kind = CATALOGUE[metric].kind
    null_f = pl.lit(None, dtype=pl.Float64)
    null_i = pl.lit(None, dtype=pl.Int64)
    if kind == "count":
        num = pl.col(_COUNT_PARTS[metric])
        if metric == "participants_anonymous" and not counts_anonymous(by):
            num = null_i  # anonymous participants belong to no breakdown but their insats
        value, numerator, denominator, low, high = num.cast(pl.Float64), num, null_i, null_f, null_f
    elif kind == "share":
        num_name, den_name = _SHARE_PARTS[metric]
        num, den = pl.col(num_name), pl.col(den_name)
        value = pl.when(den > 0).then(num.cast(pl.Float64) / den)
        numerator, denominator = num, den
        low, high = wilson_interval(num, den)
    elif kind == "median":
        column = _MEDIAN_PARTS[metric]
        value = pl.col(f"{column}__median")
        numerator, denominator, low, high = null_i, pl.col(f"{column}__n"), null_f, null_f
    else:
        end, start, den_name = _DIFFERENCE_PARTS[metric]
        den = pl.col(den_name)
        value = pl.when(den > 0).then(
            (pl.col(end) - pl.col(start)).cast(pl.Float64) * 100.0 / den.cast(pl.Float64)
        )
        numerator, denominator, low, high = null_i, den, null_f, null_f
    return wide.select(
        *by,
        pl.lit(metric, dtype=pl.String).alias("metric"),
        value.cast(pl.Float64).alias("value"),
        numerator.cast(pl.Int64).alias("numerator"),
        denominator.cast(pl.Int64).alias("denominator"),
        low.cast(pl.Float64).alias("ci_low"),
        high.cast(pl.Float64).alias("ci_high"),
        pl.lit(False).alias("suppressed"),
    )


def compute_metrics(
    cases: pl.LazyFrame | pl.DataFrame,
    metrics: Sequence[str] | None = None,
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """Compute catalogue metrics, overall or broken down, as one long frame.

    Columns: the ``by`` columns, then ``metric, value, numerator, denominator, ci_low,
    ci_high, suppressed``. Shares are fractions with a Wilson interval, counts have
    value = numerator and no denominator, medians have the number of values as
    denominator, ``activity_change_pp`` is in percentage points. A group whose denominator
    is 0 gets a null value, never a made-up 0. Felregistreringar count nowhere; anonymous
    participations count only in ``participants_anonymous`` of the total and in no
    breakdown. One aggregation pass gives every numerator and denominator; the reshaping
    works on the small result. ``metrics`` None means :func:`catalogue_ids`: the period's
    figures over a period view, the snapshot's otherwise.
    """
    by = list(by)
    wanted = _check(metrics, by, period=is_period_view(cases))
    lf = with_period_column(cases.lazy()).filter(~is_excluded())
    if not wanted:
        schema = {**lf.select(by).collect_schema(), **RESULT_SCHEMA}
        return pl.DataFrame(schema=schema)
    if not counts_anonymous(by):
        lf = lf.filter(~pl.col("anonymous").fill_null(False))
    wide = _wide(lf, wanted, by)
    frame = pl.concat([_long(wide, by, m) for m in wanted], how="vertical")
    # Group-major order: each group's metrics together, in catalogue order.
    return frame.sort(by, nulls_last=True, maintain_order=True) if by else frame
