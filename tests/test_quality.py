"""Data-quality frames: completeness, unknown codes, missing months, newest uploads."""

from datetime import date, datetime

import polars as pl

from ingest.schema import CASE_DTYPES
from metrics.quality import completeness, missing_months, newest_uploads, unknown_codes


def _cases(rows: list[dict]) -> pl.DataFrame:
    base = {"project": "P", "gender": "K", "start_date": date(2019, 1, 1), "anonymous": False}
    return pl.DataFrame([{**base, **row} for row in rows], schema=CASE_DTYPES)


def test_completeness_counts_end_fields_over_ended_only_and_skips_anonymous():
    cases = _cases(
        [
            {
                "case_id": "a",
                "municipality": "Sigtuna",
                "education": "gymnasial",
                "end_date": date(2019, 3, 1),
                "income_end": "lon",
            },
            {"case_id": "b", "municipality": "Sigtuna", "end_date": date(2019, 4, 1)},
            {"case_id": "c", "municipality": "Sigtuna"},
            {"case_id": "d", "municipality": "Sigtuna", "anonymous": True},
            {
                "case_id": "e",
                "municipality": "Sigtuna",
                "education": "okand",
                "exit_reason": "felregistrering",
                "end_date": date(2019, 2, 1),
            },
        ]
    )
    table = completeness(cases).filter(pl.col("field").is_in(["education", "income_end"]))
    rows = {r["field"]: r for r in table.iter_rows(named=True)}
    assert (rows["education"]["known"], rows["education"]["total"]) == (1, 3)
    assert (rows["income_end"]["known"], rows["income_end"]["total"]) == (1, 2)
    assert rows["income_end"]["share"] == 0.5
    assert rows["education"]["label"] == "Utbildning"


def test_unknown_codes_counts_okand_per_field():
    cases = _cases(
        [
            {"case_id": "a", "municipality": "Sigtuna", "education": "okand"},
            {
                "case_id": "b",
                "municipality": "Sigtuna",
                "education": "gymnasial",
                "diagnosis_group": "okand",
            },
            {"case_id": "c", "municipality": "Sollentuna", "education": "okand"},
        ]
    )
    table = unknown_codes(cases)
    sigtuna = table.filter(pl.col("municipality") == "Sigtuna")
    got = dict(zip(sigtuna["field"], sigtuna["unknown"], strict=True))
    assert got["education"] == 1 and got["diagnosis_group"] == 1 and got["income_end"] == 0
    assert sigtuna["total"].unique().to_list() == [2]


def test_missing_months_between_first_and_newest_upload_ignores_replaced():
    imports = pl.DataFrame(
        {
            "project": ["P", "P", "P", "Q"],
            "report_month": ["2018-11", "2019-02", "2018-12", "2019-01"],
            "status": ["current", "current", "replaced", "current"],
        }
    )
    missing = missing_months(imports)
    assert missing.to_dicts() == [
        {"project": "P", "month": "2018-12"},
        {"project": "P", "month": "2019-01"},
    ]


def test_newest_uploads_takes_each_projects_newest_month():
    imports = pl.DataFrame(
        {
            "project": ["P", "P", "Q"],
            "report_month": ["2019-01", "2019-02", "2019-01"],
            "status": ["current", "current", "current"],
            "imported_at": [datetime(2019, 2, 3), datetime(2019, 3, 4), datetime(2019, 2, 1)],
            "imported_by": ["a", "b", "c"],
        }
    )
    newest = newest_uploads(imports)
    assert newest["report_month"].to_list() == ["2019-02", "2019-01"]
    assert newest["imported_by"].to_list() == ["b", "c"]
