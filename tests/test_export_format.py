"""The export format is declared once, in ``ingest.schema.FIELDS``: every structure that
knows the columns (dtypes, validation, store, breakdowns, demo and benchmark frames) must
say what the declarations say, so no hand-kept list can drift from them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from ingest import read_and_validate, schema
from ingest.validation import CaseRows
from store.tables import ROW_NUMBER, cases

#: What each kind of field is held as, in a frame and in the database.
KIND_DTYPES = {
    "text": pl.String(),
    "code": pl.String(),
    "integer": pl.Int64(),
    "date": pl.Date(),
    "yesno": pl.Boolean(),
}
KIND_SQL_TYPES = {
    "text": sa.String,
    "code": sa.String,
    "integer": sa.BigInteger,
    "date": sa.Date,
    "yesno": sa.Boolean,
}


def declared_columns() -> list[str]:
    """Every field, with the column validation adds after the municipality."""
    columns = []
    for f in schema.FIELDS:
        columns.append(f.name)
        if f.name == "municipality":
            columns.append(schema.MUNICIPALITY_CODE_FIELD)
    return columns


def test_case_dtypes_follow_the_fields() -> None:
    assert list(schema.CASE_DTYPES) == declared_columns()
    for f in schema.FIELDS:
        assert schema.CASE_DTYPES[f.name] == KIND_DTYPES[f.kind], f.name
    assert schema.CASE_DTYPES[schema.MUNICIPALITY_CODE_FIELD] == pl.String()
    assert list(schema.SNAPSHOT_DTYPES) == [*declared_columns(), "report_month", "import_id"]


def test_the_validation_schema_has_one_column_per_field_with_its_rules() -> None:
    columns = CaseRows.columns()
    assert list(columns) == ["excel_row", *declared_columns(), "report_month_end"]
    for f in schema.FIELDS:
        column = columns[f.name]
        assert column.dtype == KIND_DTYPES[f.kind], f.name
        assert column.nullable is (not f.required and f.name != "anonymous"), f.name
    assert set(CaseRows._schema_validation_rules()) >= {
        "end_not_before_start",
        "age_group_matches_age",
    }


def test_the_validation_schema_refuses_an_unknown_code_in_every_coded_field() -> None:
    valid = schema.case_frame(
        {
            "case_id": ["D1"],
            "project": ["SAMRE"],
            "municipality": ["Sigtuna"],
            "gender": ["K"],
            "start_date": [date(2024, 1, 1)],
            "anonymous": [False],
        }
    ).with_columns(excel_row=pl.lit(2, pl.Int64), report_month_end=pl.lit(None, pl.Date))
    assert CaseRows.filter(valid.select(CaseRows.column_names()))[0].height == 1
    for f in schema.FIELDS:
        if f.kind != "code":
            continue
        for value, valid_rows in (("nonsense", 0), (f.codes[-1], 1)):
            row = valid.with_columns(pl.lit(value).alias(f.name)).select(CaseRows.column_names())
            good, failure = CaseRows.filter(row, cast=True)
            assert good.height == valid_rows, (f.name, value)
            assert (f"{f.name}|check" in failure.counts()) is (valid_rows == 0), f.name


def test_the_store_has_one_column_per_field() -> None:
    assert [c.name for c in cases.columns] == ["import_id", ROW_NUMBER, *declared_columns()]
    for f in schema.FIELDS:
        column = cases.c[f.name]
        assert isinstance(column.type, KIND_SQL_TYPES[f.kind]), f.name
        assert column.nullable is (not f.required and f.name != "anonymous"), f.name


def test_breakdowns_are_the_fields_declared_as_breakdowns() -> None:
    declared = {f.header: f.name for f in (*schema.FIELDS, schema.REPORT_MONTH) if f.breakdown}
    assert declared == schema.BREAKDOWN_FIELDS
    assert set(schema.BREAKDOWN_FIELDS.values()) <= set(schema.SNAPSHOT_DTYPES)
    assert {name: header for header, name in declared.items()} == schema.BREAKDOWN_HEADERS


def test_exit_fields_are_the_fields_declared_at_exit() -> None:
    assert tuple(f.name for f in schema.FIELDS if f.at_exit) == schema.EXIT_FIELDS
    assert all(f.name.endswith(("_end", "_reason")) for f in schema.FIELDS if f.at_exit)


def test_case_frame_fills_what_is_optional_and_refuses_what_is_unknown_or_missing() -> None:
    frame = schema.case_frame(
        {
            "case_id": ["D1"],
            "project": ["SAMRE"],
            "municipality": ["Sigtuna"],
            "gender": ["K"],
            "start_date": [date(2024, 1, 1)],
            "anonymous": [False],
        }
    )
    assert frame.schema == pl.Schema(schema.CASE_DTYPES)
    assert frame.row(0, named=True)["end_date"] is None
    with pytest.raises(ValueError, match="nonsense"):
        schema.case_frame({**frame.to_dict(), "nonsense": [1]})
    with pytest.raises(ValueError, match="anonymous"):
        schema.case_frame(frame.drop("anonymous"))


def test_export_frame_orders_columns_as_the_format_and_refuses_unknown_headers() -> None:
    frame = schema.export_frame(
        {"rapportmanad": ["2024-01"], "anonym": ["Nej"], **{f.header: ["x"] for f in schema.FIELDS}}
    )
    assert frame.columns == [*(f.header for f in schema.FIELDS), "rapportmanad"]
    with pytest.raises(ValueError, match="namn"):
        schema.export_frame({**frame.to_dict(), "namn": ["Anna"]})
    with pytest.raises(ValueError, match="kon"):
        schema.export_frame(frame.drop("kon"))


def test_demo_frames_follow_the_fields() -> None:
    from demo.generator import demo_cases, demo_snapshot

    demo = demo_cases(100)
    assert demo.schema == pl.Schema(schema.CASE_DTYPES)
    assert demo_snapshot(demo, "2019-12").columns == [f.header for f in schema.FIELDS]


def test_benchmark_frames_follow_the_fields(tmp_path: Path) -> None:
    from benchmarks.ingest import demo_export
    from benchmarks.metrics import synthetic_cases
    from benchmarks.read_validate import write_demo_export

    assert synthetic_cases(200).schema == pl.Schema(schema.CASE_DTYPES)
    export = tmp_path / "export_2019-03.csv"
    demo_export(300).write_csv(export, separator=";")
    for path in (export, write_demo_export(tmp_path / "large.csv", 300)):
        outcome = read_and_validate(path, month="2019-03")
        assert outcome.ok, [p.message for p in outcome.problems]
        assert outcome.rows_read == 300
