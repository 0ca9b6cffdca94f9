"""Data quality: how complete the exports are, where codes say "unknown", which months are missing.

Project leaders answer for data quality; these frames show them where to look.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ingest.schema import EXIT_FIELDS, FIELDS

#: End-of-participation fields are only expected once a participation has ended.
END_FIELDS: tuple[str, ...] = EXIT_FIELDS
_SKIP = {
    "case_id",
    "project",
    "municipality",
    "gender",
    "start_date",
    "anonymous",
    "end_date",
    "district",
    "age_group",
}
OPTIONAL_FIELDS: tuple[str, ...] = tuple(
    f.name for f in FIELDS if not f.required and f.name not in _SKIP
)
#: Coded fields whose code list has an explicit "unknown".
UNKNOWN_CODE_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if "okand" in f.codes)
_LABELS = {f.name: f.label for f in FIELDS}


def _described(cases: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Participations that are described: not anonymous, not registered by mistake."""
    return cases.lazy().filter(
        ~pl.col("anonymous") & (pl.col("exit_reason").fill_null("") != "felregistrering")
    )


def completeness(
    cases: pl.LazyFrame | pl.DataFrame, by: Sequence[str] = ("municipality",)
) -> pl.DataFrame:
    """Share of participations with each optional field filled in, per group.

    End fields are measured over ended participations only, the rest over all.
    Columns: the ``by`` columns, field, label, known, total, share.
    """
    described = _described(cases).with_columns(ended=pl.col("end_date").is_not_null())
    aggregations = []
    for name in OPTIONAL_FIELDS:
        if name in END_FIELDS:
            known = (pl.col("ended") & pl.col(name).is_not_null()).sum()
            total = pl.col("ended").sum()
        else:
            known, total = pl.col(name).is_not_null().sum(), pl.len()
        aggregations += [
            known.cast(pl.Int64).alias(f"{name}__known"),
            total.cast(pl.Int64).alias(f"{name}__total"),
        ]
    wide = (
        described.group_by(list(by)).agg(aggregations).collect()
        if by
        else (described.select(aggregations).collect())
    )
    long = wide.unpivot(index=list(by), variable_name="key", value_name="n").with_columns(
        pl.col("key").str.split("__").list.get(0).alias("field"),
        pl.col("key").str.split("__").list.get(1).alias("part"),
    )
    table = long.pivot(on="part", index=[*by, "field"], values="n").with_columns(
        pl.col("field").replace_strict(_LABELS, return_dtype=pl.String).alias("label"),
        pl.when(pl.col("total") > 0)
        .then(pl.col("known") / pl.col("total"))
        .otherwise(None)
        .alias("share"),
    )
    order = {name: i for i, name in enumerate(OPTIONAL_FIELDS)}
    return (
        table.with_columns(
            pl.col("field").replace_strict(order, return_dtype=pl.Int64).alias("_order")
        )
        .sort([*by, "_order"])
        .select([*by, "field", "label", "known", "total", "share"])
    )


def unknown_codes(
    cases: pl.LazyFrame | pl.DataFrame, by: Sequence[str] = ("municipality",)
) -> pl.DataFrame:
    """How often a coded field says "okand" (unknown), per group and field."""
    described = _described(cases)
    aggregations = [(pl.col(name) == "okand").sum().alias(name) for name in UNKNOWN_CODE_FIELDS] + [
        pl.len().alias("__total")
    ]
    wide = described.group_by(list(by)).agg(aggregations).collect()
    return (
        wide.unpivot(index=[*by, "__total"], variable_name="field", value_name="unknown")
        .rename({"__total": "total"})
        .with_columns(
            pl.col("field").replace_strict(_LABELS, return_dtype=pl.String).alias("label")
        )
        .sort([*by, "field"])
        .select([*by, "field", "label", "unknown", "total"])
    )


def _month_index(column: str) -> pl.Expr:
    year = pl.col(column).str.slice(0, 4).cast(pl.Int32)
    month = pl.col(column).str.slice(5, 2).cast(pl.Int32)
    return year * 12 + month - 1


def missing_months(imports: pl.DataFrame) -> pl.DataFrame:
    """Months between a project's first and newest upload that have no current snapshot.

    ``imports`` has at least project, report_month and status. Columns: project, month.
    """
    current = imports.filter(pl.col("status") == "current").select("project", "report_month")
    if current.height == 0:
        return pl.DataFrame(schema={"project": pl.String, "month": pl.String})
    spans = current.group_by("project").agg(
        _month_index("report_month").min().alias("first"),
        _month_index("report_month").max().alias("last"),
    )
    expected = spans.select(
        "project", pl.int_ranges("first", pl.col("last") + 1).alias("index")
    ).explode("index")
    have = current.select("project", _month_index("report_month").alias("index"))
    return (
        expected.join(have, on=["project", "index"], how="anti")
        .with_columns(
            pl.format(
                "{}-{}",
                (pl.col("index") // 12).cast(pl.String),
                ((pl.col("index") % 12) + 1).cast(pl.String).str.zfill(2),
            ).alias("month")
        )
        .sort("project", "index")
        .select("project", "month")
    )


def newest_uploads(imports: pl.DataFrame) -> pl.DataFrame:
    """Per project: the newest report month, when it was uploaded, and by whom."""
    current = imports.filter(pl.col("status") == "current")
    if current.height == 0:
        return pl.DataFrame(
            schema={
                "project": pl.String,
                "report_month": pl.String,
                "imported_at": pl.Datetime,
                "imported_by": pl.String,
            }
        )
    return (
        current.sort("report_month", "imported_at")
        .group_by("project")
        .agg(pl.all().last())
        .sort("project")
        .select("project", "report_month", "imported_at", "imported_by")
    )
