"""Any canonical frame comes back from the store exactly as it went in."""

from __future__ import annotations

from datetime import date
from itertools import count

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from ingest import schema
from store import Store

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


def _value(name: str, dtype: pl.DataType) -> st.SearchStrategy:
    field = schema.FIELDS_BY_NAME.get(name)
    if dtype == pl.Boolean():
        base: st.SearchStrategy = st.booleans()
    elif dtype == pl.Date():
        base = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
    elif dtype == pl.Int64():
        low = field.minimum if field and field.minimum is not None else 0
        high = field.maximum if field and field.maximum is not None else 1000
        base = st.integers(min_value=low, max_value=high)
    elif field is not None and field.codes:
        base = st.sampled_from(field.codes)
    else:
        base = _TEXT
    required = name in {f.name for f in schema.FIELDS if f.required} or name == "anonymous"
    return base if required else st.none() | base


_ROW = st.fixed_dictionaries(
    {name: _value(name, dtype) for name, dtype in schema.CASE_DTYPES.items()}
)


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


@pytest.mark.slow
def test_any_canonical_frame_round_trips(store: Store) -> None:
    months = (f"{2000 + n // 12}-{n % 12 + 1:02d}" for n in count())

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(rows=st.lists(_ROW, min_size=1, max_size=30))
    def check(rows: list[dict]) -> None:
        frame = pl.DataFrame(rows, schema=schema.CASE_DTYPES)
        records = store.save_snapshots(
            file_name="egenskap.csv",
            sha256="x",
            report_month=next(months),
            cases=frame,
            imported_by="test",
            replace=False,
        )
        loaded = pl.concat([store.load_import(r.id) for r in records])
        assert loaded.schema == pl.Schema(schema.SNAPSHOT_DTYPES)
        assert_frame_equal(
            loaded.drop("report_month", "import_id"),
            frame,
            check_row_order=False,
        )

    check()
