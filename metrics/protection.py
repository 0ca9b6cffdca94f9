"""The one path from a selection of cases to protected metric frames.

Every page, download, meeting pack, goal and ``cli.py kpis`` gets its metrics here, so the
protection of small numbers is decided once per selection and is the same wherever a
number is shown.

What is protected together (the *linked set*): the counts behind the whole catalogue
(participants, ongoing, ended, the four outcomes, every numerator and denominator, the
n of each median) for the total, for each single breakdown field, and for the combination
asked for. Relations among them: a total is the sum of its breakdown's groups; participants
are ongoing plus ended; ended are the four outcomes; a numerator is at most its
denominator, a denominator at most the participants or the ended; in a breakdown by kön,
the women of group K are its participants. :mod:`metrics.disclosure` hides the small counts
and as few others as needed so that none can be pinned within 1 to threshold - 1. The
total and the single fields are protected first and then held fixed, so a breakdown by two
fields never changes what the single breakdowns show.

A metric is hidden when any count its value rests on is hidden; its denominator goes only
when the denominator itself is hidden. Each hidden row says why in ``hidden_reason``:
``small`` (a count from 1 to threshold - 1), ``filter`` (the selection leaves out 1 to
threshold - 1 of what the unfiltered view shows) or ``linked`` (hidden so that another
hidden count cannot be worked out; it may be large).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ingest.schema import REPORT_MONTH_FIELD
from metrics.catalogue import (
    CATALOGUE,
    compute_metrics,
    count_flags,
    count_tables,
    counts_anonymous,
    is_period_view,
    metric_counts,
    metrics_from_counts,
    numerator_only_counts,
)
from metrics.disclosure import LinkedCells, Protection, ProtectionTooCostly, exposed, protect
from metrics.flows import ACTIVE_LABELS, MISSING
from metrics.outcomes import OUTCOME_LABELS, OUTCOMES

#: Counts from 1 to this minus one are hidden (the one setting; 0 or 1 turns it off).
SUPPRESSION_THRESHOLD = 5

#: Every single breakdown a view can show of one selection (the report month aside: each
#: month is its own selection).
LINKED_FIELDS: tuple[str, ...] = (
    "project",
    "municipality",
    "district",
    "gender",
    "age_group",
    "born_abroad",
)

#: A combination of fields (``--by kommun kon``) where more than this share of the groups
#: have fewer participants than the threshold is hidden whole: it would be mostly hidden
#: anyway, and protecting it cell by cell takes minutes.
SPARSE_SHARE = 0.5
#: At most this many linear programs protect the combination tables; past it they are
#: hidden whole (a count, so the same data always gives the same result).
COMBINATION_PROGRAMS = 1_000

REASON_SMALL = "small"
REASON_FILTER = "filter"
REASON_LINKED = "linked"

_PARTS_OF_PERSON = ("_ongoing", "_ended")
_PARTS_OF_ENDED = tuple(f"_{o}" for o in OUTCOMES)
#: (smaller, larger) pairs that hold in every group.
_AT_MOST: tuple[tuple[str, str], ...] = (
    ("_women", "_gender_known"),
    ("_abroad", "_abroad_known"),
    ("_plan", "_plan_known"),
    ("_sip", "_sip_known"),
    ("_gender_known", "_person"),
    ("_abroad_known", "_person"),
    ("_plan_known", "_person"),
    ("_sip_known", "_person"),
    ("_months_known", "_person"),
    ("_both_active", "_ended"),
    ("_active_start", "_both_active"),
    ("_active_end", "_both_active"),
    ("_both_steps", "_ended"),
    ("_step_up", "_both_steps"),
    ("_work_or_studies", "_self_sufficient"),
    ("_new", "_person"),
)

#: Shares of a breakdown field's own value: their complement is a group of that field.
_FIELD_SHARES: tuple[tuple[str, str], ...] = (
    ("_women", "_gender_known"),
    ("_abroad", "_abroad_known"),
)

Table = tuple[str, ...]
CellKey = tuple[Table, tuple, str]


@dataclass(frozen=True)
class ProtectedCounts:
    """The linked counts of one selection and which of them are hidden, and why."""

    threshold: int
    reasons: dict[CellKey, str]
    values: dict[CellKey, int]

    def reason(self, table: Sequence[str], key: Sequence, count: str) -> str | None:
        return self.reasons.get((tuple(table), tuple(key), count))

    @property
    def hidden_count(self) -> int:
        return len(self.reasons)

    def any_filter_hidden(self) -> bool:
        return REASON_FILTER in self.reasons.values()


def linked_tables(by: Sequence[str] = ()) -> tuple[list[Table], list[Table]]:
    """The tables protected together: (the base set, the extra combinations for ``by``)."""
    base: list[Table] = [(), *[(f,) for f in LINKED_FIELDS]]
    fields = [f for f in by if f != REPORT_MONTH_FIELD]
    extra: list[Table] = []
    for size in range(2, len(fields) + 1):
        for combo in itertools.combinations(fields, size):
            extra.append(tuple(combo))
    return base, extra


class _Builder:
    """Cells and relations of a set of count tables, in the order the tables are added.

    The cells and their values are made at once; the relations among them only when
    ``cells`` is first asked for, since a selection without any small count needs none.
    """

    def __init__(self) -> None:
        self._cells = LinkedCells()
        self._unlinked: list[tuple[Table, list[tuple[dict, dict[str, int]]], list[str]]] = []
        self.ids: dict[CellKey, int] = {}
        self.tables: dict[Table, pl.DataFrame] = {}
        self.counts = list(count_flags())

    @property
    def values(self) -> list[int]:
        return self._cells.values

    @property
    def cells(self) -> LinkedCells:
        """The cells with every relation among the tables added so far."""
        while self._unlinked:
            self._link(*self._unlinked.pop(0))
        return self._cells

    def add_table(self, table: Table, frame: pl.DataFrame) -> None:
        self.tables[table] = frame
        # A count the table does not carry (new in the period, outside a period) is no cell.
        carried = [c for c in self.counts if c in frame.columns]
        counts = [*carried, *(["_anonymous"] if counts_anonymous(table) else [])]
        cells, ids = self._cells, self.ids
        rows = []
        for row in frame.iter_rows(named=True):
            key = tuple(row[f] for f in table)
            here = {}
            for count in counts:
                cell = cells.add(row[count])
                ids[(table, key, count)] = cell
                here[count] = cell
            # A share of a breakdown field also tells the field's other groups (3 men
            # beside 10 of 13 women), which a breakdown by that field shows as cells.
            for num, den in _FIELD_SHARES:
                rest = cells.add(row[den] - row[num])
                ids[(table, key, f"{num}/{den}")] = rest
                here[f"{num}/{den}"] = rest
            rows.append((row, here))
        self._unlinked.append((table, rows, counts))

    def _link(
        self, table: Table, rows: list[tuple[dict, dict[str, int]]], counts: list[str]
    ) -> None:
        cells = self._cells
        for row, here in rows:
            cells.equal(
                {here["_person"]: 1.0, **{here[p]: -1.0 for p in _PARTS_OF_PERSON}},
            )
            cells.equal({here["_ended"]: 1.0, **{here[p]: -1.0 for p in _PARTS_OF_ENDED}})
            for smaller, larger in _AT_MOST:
                if smaller in here and larger in here:
                    cells.at_most(here[smaller], here[larger])
            for num, den in _FIELD_SHARES:
                cells.equal({here[den]: 1.0, here[num]: -1.0, here[f"{num}/{den}"]: -1.0})
            self._identities(table, row, here)
        for field in table:
            parent = tuple(f for f in table if f != field)
            if parent in self.tables:
                self._additivity(parent, table, counts)

    def _identities(self, table: Table, row: dict, here: dict[str, int]) -> None:
        """What a breakdown's own field says about the group's counts."""
        cells = self.cells
        for field, flag, known, code in (
            ("gender", "_women", "_gender_known", "K"),
            ("born_abroad", "_abroad", "_abroad_known", True),
        ):
            if field not in table:
                continue
            value = row[field]
            for count, holds in ((flag, value == code), (known, value is not None)):
                if holds:
                    cells.equal({here[count]: 1.0, here["_person"]: -1.0})
                else:
                    cells.equal({here[count]: 1.0})

    def _additivity(self, parent: Table, child: Table, counts: list[str]) -> None:
        shared = [c for c in counts if c != "_anonymous" or counts_anonymous(parent)]
        groups: dict[tuple, list[tuple]] = {}
        for row in self.tables[child].iter_rows(named=True):
            key = tuple(row[f] for f in child)
            parent_key = tuple(row[f] for f in parent)
            groups.setdefault(parent_key, []).append(key)
        for parent_key, keys in groups.items():
            for count in shared:
                top = self.ids.get((parent, parent_key, count))
                found = [self.ids.get((child, k, count)) for k in keys]
                parts = [p for p in found if p is not None]
                if top is None or len(parts) < len(found):
                    continue
                self.cells.equal({top: 1.0, **{p: -1.0 for p in parts}})


def _not_shown(builder: _Builder, hidden: set[int]) -> set[int]:
    """Counts no visible metric shows: a numerator whose every share is hidden."""
    if not hidden:
        return set()
    uses: dict[str, list[tuple[str, ...]]] = {}
    for metric in CATALOGUE:
        rests_on = metric_counts(metric)[2]
        for count in rests_on:
            uses.setdefault(count, []).append(rests_on)
    only_numerators = numerator_only_counts()
    extra: set[int] = set()
    changed = True
    while changed:
        changed = False
        for (table, key, count), cell in builder.ids.items():
            if count not in only_numerators or cell in hidden or cell in extra:
                continue
            every_use_hidden = all(
                any(
                    (other := builder.ids.get((table, key, c))) is not None
                    and (other in hidden or other in extra)
                    for c in rests_on
                )
                for rests_on in uses[count]
            )
            if every_use_hidden:
                extra.add(cell)
                changed = True
    return extra


def _small_groups(
    builder: _Builder, threshold: int, tables: Sequence[Table] | None = None
) -> list[list[int]]:
    """The cells of each group with fewer participants than the threshold."""
    values = builder.values
    groups: dict[tuple, list[int]] = {}
    for (table, key, _), cell in builder.ids.items():
        if tables is None or table in tables:
            groups.setdefault((table, key), []).append(cell)
    return [
        cells
        for (table, key), cells in groups.items()
        if 1 <= values[builder.ids[(table, key, "_person")]] < threshold
    ]


def _windows(
    builder: _Builder,
    threshold: int,
    cell_keys: Sequence[CellKey],
    reference: dict[CellKey, int] | None,
) -> tuple[dict[int, list[tuple[int, int]]], dict[int, str]]:
    windows: dict[int, list[tuple[int, int]]] = {}
    reasons: dict[int, str] = {}
    values = builder.values
    for key in cell_keys:
        cell = builder.ids[key]
        value = values[cell]
        if 1 <= value < threshold:
            windows.setdefault(cell, []).append((1, threshold - 1))
            reasons[cell] = REASON_SMALL
        if reference is not None and key in reference:
            left_out = reference[key] - value
            if 1 <= left_out < threshold:
                windows.setdefault(cell, []).append(
                    (reference[key] - threshold + 1, reference[key] - 1)
                )
                reasons.setdefault(cell, REASON_FILTER)
    return windows, reasons


def protect_counts(
    cases: pl.LazyFrame | pl.DataFrame,
    by: Sequence[str] = (),
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    reference: pl.LazyFrame | pl.DataFrame | None = None,
) -> ProtectedCounts:
    """Protect the linked counts of one selection (one state of the data, not months).

    ``reference`` is the same view without the user's filters: a count that leaves out
    1 to threshold - 1 of the reference's is hidden too.
    """
    base, extra = linked_tables(by)
    tables = [*base, *extra]
    counted = dict(zip(tables, count_tables(cases, tables), strict=True))
    ref_counted = (
        dict(zip(tables, count_tables(reference, tables), strict=True))
        if reference is not None
        else None
    )
    return _protect_tables(counted, ref_counted, by, threshold)


def _mostly_small(counts: pl.DataFrame, threshold: int) -> bool:
    """More than ``SPARSE_SHARE`` of the table's groups have 1 to threshold - 1
    participants."""
    groups = counts.filter(pl.col("_person") > 0).height
    small = counts.filter(pl.col("_person").is_between(1, threshold - 1)).height
    return groups > 0 and small > SPARSE_SHARE * groups


def _reference_values(tables: dict[Table, pl.DataFrame]) -> dict[CellKey, int]:
    builder = _Builder()
    for table, frame in tables.items():
        builder.add_table(table, frame)
    return {k: builder.values[i] for k, i in builder.ids.items()}


def _protect_tables(
    counted: dict[Table, pl.DataFrame],
    ref_counted: dict[Table, pl.DataFrame] | None,
    by: Sequence[str],
    threshold: int,
) -> ProtectedCounts:
    """Protect counts already made: the linked tables of one selection (and its reference)."""
    base, extra = linked_tables(by)
    builder = _Builder()
    for table in base:
        builder.add_table(table, counted[table])
    base_keys = list(builder.ids)
    ref_values = _reference_values(ref_counted) if ref_counted is not None else None
    windows, reasons = _windows(builder, threshold, base_keys, ref_values)
    result = (
        protect(builder.cells, windows, batches=_small_groups(builder, threshold))
        if windows
        else Protection(frozenset(), frozenset())
    )
    hidden = set(result.hidden)
    hidden |= _not_shown(builder, hidden)
    result = Protection(result.primary, frozenset(hidden - result.primary), result.unprotected)
    if extra:
        for table in extra:
            builder.add_table(table, counted[table])
        extra_keys = [k for k in builder.ids if k[0] in extra]
        extra_windows, extra_reasons = _windows(builder, threshold, extra_keys, ref_values)
        reasons.update(extra_reasons)
        primary = result.primary | frozenset(extra_windows)
        combined = None
        if not windows and not extra_windows:
            combined = Protection(frozenset(), frozenset(hidden))
        elif not any(_mostly_small(counted[t], threshold) for t in extra):
            with contextlib.suppress(ProtectionTooCostly):
                combined = protect(
                    builder.cells,
                    {**windows, **extra_windows},
                    frozen=[builder.ids[k] for k in base_keys],
                    already_hidden=hidden,
                    batches=_small_groups(builder, threshold, extra),
                    budget=COMBINATION_PROGRAMS,
                )
        if combined is None:
            # The combination is hidden whole: it then tells nothing beyond the single
            # breakdowns, which stay as protected above.
            hidden |= {builder.ids[k] for k in extra_keys}
            unprotected = result.unprotected
        else:
            hidden = set(combined.hidden) | _not_shown(builder, set(combined.hidden))
            unprotected = combined.unprotected
        result = Protection(primary, frozenset(hidden - primary), unprotected)
    values = builder.values
    by_cell = {i: k for k, i in builder.ids.items()}
    if result.unprotected:
        # No change could free these: hide their whole tables rather than show a way in.
        tables_out = {by_cell[c][0] for c in result.unprotected}
        whole = {i for k, i in builder.ids.items() if k[0] in tables_out}
        result = Protection(result.primary, frozenset(result.secondary | whole - result.primary))
    return ProtectedCounts(
        threshold=threshold,
        reasons={by_cell[c]: reasons.get(c, REASON_LINKED) for c in result.hidden},
        values={k: values[i] for k, i in builder.ids.items()},
    )


_PRIORITY = {REASON_SMALL: 0, REASON_FILTER: 1, REASON_LINKED: 2}


@functools.cache
def _metric_parts() -> pl.DataFrame:
    """Per catalogue metric, each count its value rests on (the denominator among them)."""
    rows = [
        (metric, count, count == den)
        for metric in CATALOGUE
        for _, den, rests_on in [metric_counts(metric)]
        for count in rests_on
    ]
    return pl.DataFrame(
        rows,
        schema={"metric": pl.String, "__count": pl.String, "__is_den": pl.Boolean},
        orient="row",
    )


def _hide_rows(
    frame: pl.DataFrame, by: Sequence[str], protected: ProtectedCounts, table: Table
) -> pl.DataFrame:
    """Apply the protected counts to a long metric frame of one table.

    A metric is hidden when any count its value rests on is hidden (the most telling
    reason wins: small, then filter, then linked); its denominator only when that count
    is hidden itself.
    """
    hidden_cells = [
        (*key, count, _PRIORITY[reason])
        for (in_table, key, count), reason in protected.reasons.items()
        if in_table == table
    ]
    schema: dict[str, pl.DataType] = {f: frame.schema[f] for f in by}
    schema.update({"__count": pl.String(), "__priority": pl.Int8()})
    cells = pl.DataFrame(hidden_cells, schema=schema, orient="row")
    per_row = (
        frame.select(*by, "metric")
        .with_row_index("__row")
        .join(_metric_parts(), on="metric")
        .join(cells, on=[*by, "__count"], how="left", nulls_equal=True)
        .group_by("__row")
        .agg(
            pl.col("__priority").min().alias("__priority"),
            (pl.col("__priority").is_not_null() & pl.col("__is_den")).any().alias("__den_hidden"),
        )
    )
    names = pl.DataFrame(
        {"__priority": list(_PRIORITY.values()), "hidden_reason": list(_PRIORITY)},
        schema={"__priority": pl.Int8, "hidden_reason": pl.String},
    )
    marks = (
        frame.with_row_index("__row")
        .join(per_row, on="__row", how="left")
        .join(names, on="__priority", how="left")
        .sort("__row")
    )
    hidden = marks["hidden_reason"].is_not_null()
    return frame.with_columns(
        *[
            pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("value", "numerator", "ci_low", "ci_high")
        ],
        pl.when(marks["__den_hidden"].fill_null(False))
        .then(None)
        .otherwise(pl.col("denominator"))
        .alias("denominator"),
        hidden.alias("suppressed"),
        marks["hidden_reason"],
    )


def protected_metrics(
    cases: pl.LazyFrame | pl.DataFrame,
    metrics: Sequence[str] | None = None,
    by: Sequence[str] = (),
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    reference: pl.LazyFrame | pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Catalogue metrics of a selection with small numbers protected across linked cells.

    The frame is :func:`metrics.catalogue.compute_metrics`' plus ``hidden_reason``. With
    ``report_month`` in ``by`` every month is protected as its own selection (it is one
    state of the data, as the overview shows it for that month). ``threshold`` 0 or 1
    turns protection off: every number is exactly the computed one.

    The metrics are read off the same count tables the protection works on, so the cases
    are passed over once (twice with a reference), whatever the number of linked tables.
    """
    by = list(by)
    if threshold <= 1:
        frame = compute_metrics(cases, metrics=metrics, by=by)
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias("hidden_reason"))
    split = REPORT_MONTH_FIELD if REPORT_MONTH_FIELD in by else None
    table = tuple(f for f in by if f != REPORT_MONTH_FIELD)
    base, extra = linked_tables(by)
    tables = [*base, *extra]
    counted = count_tables(cases, tables, split=split, medians_for=table)
    by_table = dict(zip(tables, counted, strict=True))
    frame = metrics_from_counts(by_table[table], metrics, by, period=is_period_view(cases))
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias("hidden_reason"))
    ref_table = (
        dict(zip(tables, count_tables(reference, tables, split=split), strict=True))
        if reference is not None
        else None
    )
    if split is None:
        protected = _protect_tables(by_table, ref_table, by, threshold)
        return _hide_rows(frame, by, protected, table)
    parts = []
    for (value,), rows in frame.group_by([split], maintain_order=True):
        protected = _protect_tables(
            _month(by_table, value),
            _month(ref_table, value) if ref_table is not None else None,
            table,
            threshold,
        )
        parts.append(
            _hide_rows(rows.drop(split), list(table), protected, table).with_columns(
                pl.lit(value).alias(split)
            )
        )
    out = pl.concat(parts, how="vertical_relaxed")
    return out.select([*frame.columns, "hidden_reason"]).sort(
        by, nulls_last=True, maintain_order=True
    )


def _month(tables: dict[Table, pl.DataFrame], month: str) -> dict[Table, pl.DataFrame]:
    """One month's rows of count tables split by report month."""
    return {
        t: f.filter(pl.col(REPORT_MONTH_FIELD) == month).drop(REPORT_MONTH_FIELD)
        for t, f in tables.items()
    }


def hidden_metric(
    metric: str, key: Sequence, protected: ProtectedCounts, table: Table
) -> str | None:
    """Why a metric of one group is hidden (``None``: shown)."""
    if metric not in CATALOGUE:
        raise ValueError(f"Okänt mått: {metric}")
    reasons = [protected.reason(table, key, c) for c in metric_counts(metric)[2]]
    found = [r for r in reasons if r is not None]
    if not found:
        return None
    for reason in (REASON_SMALL, REASON_FILTER, REASON_LINKED):
        if reason in found:
            return reason
    return found[0]


#: A sum a detail table shares with the linked set: (count in the total table, rows of the
#: detail table that add up to it).
DetailSum = tuple[str, pl.Expr]


def protect_detail(
    frame: pl.DataFrame,
    sums: Sequence[DetailSum],
    protected: ProtectedCounts,
    *,
    count: str = "count",
) -> pl.DataFrame:
    """Protect a table of counts (flows, outcome routes, a step grid) within the linked set.

    Its rows add up to counts the linked set already shows or hides (``sums``); those stay
    as they are, and the rows are protected like any other cells: small ones hidden, and
    others as needed so that none can be pinned. Adds ``suppressed`` and ``hidden_reason``;
    a hidden row's count becomes null.
    """
    threshold = protected.threshold
    if frame.height == 0 or threshold <= 1:
        return frame.with_columns(
            pl.lit(False).alias("suppressed"), pl.lit(None, dtype=pl.String).alias("hidden_reason")
        )
    cells = LinkedCells()
    rows = [cells.add(v or 0) for v in frame[count].to_list()]
    frozen, already = [], []
    # A count the linked set hides must not come back as the sum of its rows here: its
    # rows are hidden with it, for the same reason.
    forced: dict[int, str] = {}
    for name, members in sums:
        total_key: CellKey = ((), (), name)
        if total_key not in protected.values:
            continue
        total = cells.add(protected.values[total_key])
        frozen.append(total)
        chosen = frame.with_columns(members.fill_null(False).alias("__in"))["__in"].to_list()
        parts = [rows[i] for i, keep in enumerate(chosen) if keep]
        cells.equal({total: 1.0, **{p: -1.0 for p in parts}})
        if reason := protected.reasons.get(total_key):
            already.append(total)
            for part in parts:
                forced.setdefault(part, reason)
    windows = {c: [(1, threshold - 1)] for c in rows if 1 <= cells.values[c] < threshold}
    result = protect(cells, windows, frozen=frozen, already_hidden=[*already, *forced])
    if result.unprotected:
        # No change could free them: show none of the rows rather than a way in.
        forced.update((c, REASON_LINKED) for c in rows if c not in forced)
        result = Protection(result.primary, frozenset(rows) - result.primary)
    reasons = [
        (REASON_SMALL if c in windows else forced.get(c, REASON_LINKED))
        if c in result.hidden
        else None
        for c in rows
    ]
    hidden = pl.Series("suppressed", [r is not None for r in reasons], dtype=pl.Boolean)
    return frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col(count)).alias(count),
        hidden,
        pl.Series("hidden_reason", reasons, dtype=pl.String),
    )


def outcome_route_sums() -> list[DetailSum]:
    """How the outcome breakdown (outcome, route, complementary aid) adds up."""
    outcome = pl.col("outcome")
    return [
        ("_ended", pl.lit(True)),
        *[(f"_{o}", outcome == o) for o in OUTCOMES],
        (
            "_work_or_studies",
            (outcome == "self_sufficient") & pl.col("outcome_detail").is_in(["work", "studies"]),
        ),
    ]


def flow_sums(flow: str) -> list[DetailSum]:
    """How the rows of a flow (source -> target counts of ended participants) add up."""
    source, target = pl.col("source"), pl.col("target")
    known = ~source.str.ends_with(MISSING) & ~target.str.ends_with(MISSING)
    sums: list[DetailSum] = [("_ended", pl.lit(True))]
    if flow == "income_to_outcome":
        sums += [(f"_{o}", target == OUTCOME_LABELS[o]) for o in OUTCOMES]
    elif flow == "step_to_step":
        step = r"(\d)"
        start = source.str.extract(step).cast(pl.Int64)
        end = target.str.extract(step).cast(pl.Int64)
        sums += [("_both_steps", known), ("_step_up", known & (end > start))]
    elif flow == "activity_to_activity":
        active = ACTIVE_LABELS[True]
        sums += [
            ("_both_active", known),
            ("_active_start", known & source.str.ends_with(" " + active)),
            ("_active_end", known & target.str.ends_with(" " + active)),
        ]
    return sums


def step_grid_sums() -> list[DetailSum]:
    """How the step grid (every start and exit step, both known) adds up."""
    return [
        ("_both_steps", pl.lit(True)),
        ("_step_up", pl.col("step_end") > pl.col("step_start")),
    ]


def protection_explanation(threshold: int = SUPPRESSION_THRESHOLD) -> tuple[str, ...]:
    """How small numbers are protected, in Swedish, for the Definitioner page and the pack."""
    small = threshold - 1
    return (
        f"Antal från 1 till {small} visas som ”<{threshold}”, och andelar, intervall och "
        "medianer som bygger på dem visas inte.",
        "Det räcker inte att dölja de små talen: de kan ofta räknas fram ur talen bredvid "
        "(avslutade = de fyra utfallen, deltagare = pågående + avslutade, en summa över "
        "kommunerna, kvinnor och män i en andel). Därför döljs också så få andra tal som "
        "möjligt, så att inget dolt litet tal kan räknas fram ur det som visas tillsammans: "
        "helheten, varje uppdelning för sig och kombinationen som visas. Sådana tal visas som "
        "”dold”. De kan vara stora; de är dolda bara för att skydda ett litet tal. Döljs ett "
        "tal döljs också nämnaren och det som räknas ur det.",
        "Metoden är cellundertryckning för länkade tabeller, som i τ-Argus: för varje dolt "
        "litet tal löses ett litet linjärt program som letar den billigaste ändringen av de "
        "dolda talen som håller alla summor och samband och för talet ut ur intervallet 1–"
        f"{small}. Nollor och små tal döljs hellre än stora. Samma prövning, med det minsta och "
        "största värde som går att räkna fram för varje dolt tal, körs i testerna. Samma "
        "uppgifter ger alltid samma dolda tal, så två visningar av dem kan inte läggas ihop "
        "för att räkna fram ett dolt tal.",
        "En kombination av uppdelningar (till exempel kommun och kön) där fler än hälften av "
        f"grupperna har färre än {threshold} deltagare visas inte alls: den vore ändå nästan "
        "helt dold. Uppdelningarna var för sig visas som vanligt.",
        "Filter kan kombineras fritt, och då kan man aldrig helt skydda mot att två urval "
        f"jämförs. Lämnar ett filtrerat urval ute 1–{small} deltagare jämfört med samma vy utan "
        "filter döljs talen (”dold”), med en mening som säger varför. Detsamma gäller två "
        "rapportmånader: skillnaden mellan deras antal deltagare är antalet nya. "
        "Mötesunderlaget, som lämnar förbundet, har bara fasta tabeller som klarar prövningen.",
    )


@dataclass(frozen=True)
class Audit:
    """What an attacker with every relation of the linked set can work out."""

    hidden: int
    small: int
    #: Hidden small counts pinned within 1 to threshold - 1 (must be 0).
    exposed: int


def audit_counts(
    cases: pl.LazyFrame | pl.DataFrame,
    by: Sequence[str] = (),
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> Audit:
    """Protect a selection's linked counts, then attack them with the same relations.

    For each hidden small count, the smallest and largest value consistent with every
    shown count is computed (:func:`metrics.disclosure.exposed`). The test suite has an
    independent attacker as well; this one is for benchmarks and spot checks.
    """
    base, extra = linked_tables(by)
    tables = [*base, *extra]
    counted = dict(zip(tables, count_tables(cases, tables), strict=True))
    protected = _protect_tables(counted, None, by, threshold)
    builder = _Builder()
    for table in tables:
        builder.add_table(table, counted[table])
    hidden = [builder.ids[k] for k in protected.reasons if k in builder.ids]
    small = {cell: [(1, threshold - 1)] for cell in hidden if 1 <= builder.values[cell] < threshold}
    return Audit(
        hidden=len(hidden),
        small=len(small),
        exposed=len(exposed(builder.cells, hidden, small)),
    )
