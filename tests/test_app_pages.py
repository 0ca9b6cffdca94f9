"""Every page through Streamlit's AppTest on the demo data, and its numbers against metrics."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics.catalogue import CATALOGUE, compute_metrics
from metrics.selection import Selection, apply_filters, latest_snapshot
from presentation.numbers import format_value
from store import Store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = [
    "views/utfall.py",
    "views/kommuner.py",
    "views/trender.py",
    "views/datakvalitet.py",
    "views/definitioner.py",
    "views/ladda_upp.py",
]


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'demo.db'}"
    return url


@pytest.fixture
def app(demo_database, monkeypatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", demo_database)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=120)


def _metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_loads_the_demo_and_shows_the_metrics_layers_numbers(app, demo_database):
    at = app.run()
    assert not at.exception
    assert any("fiktiva" in info.value for info in at.info)
    expected = compute_metrics(latest_snapshot(Store(demo_database).load_snapshots()))
    shown = _metric_values(at)
    for metric_id in ("participants", "participants_ongoing", "participants_ended"):
        row = expected.filter(pl.col("metric") == metric_id).row(0, named=True)
        label = CATALOGUE[metric_id].label
        assert shown[label] == format_value(row["value"], "count")
    start = expected.filter(pl.col("metric") == "share_active_start").row(0, named=True)
    assert shown[CATALOGUE["share_active_start"].label] == format_value(start["value"], "share")


def test_filters_change_the_numbers_and_live_in_the_url(app, demo_database):
    at = app.run()
    at.multiselect(key="filter_municipality").set_value(["Sigtuna"]).run()
    assert not at.exception
    assert at.query_params["kommun"] in ("Sigtuna", ["Sigtuna"])
    cases = apply_filters(
        latest_snapshot(Store(demo_database).load_snapshots()),
        Selection.of(municipality=["Sigtuna"]),
    )
    expected = compute_metrics(cases, ["participants"]).row(0, named=True)["value"]
    assert _metric_values(at)["Deltagare"] == format_value(expected, "count")


def test_the_overview_shows_what_the_one_figures_function_gives(app, demo_database):
    """A filtered page and metric_figures agree, hidden numbers included."""
    from metrics.figures import metric_figures

    app.query_params["kommun"] = ["Sollentuna"]
    app.query_params["kon"] = ["M"]
    at = app.run()
    assert not at.exception
    selection = Selection.of(municipality=["Sollentuna"], gender=["M"])
    metrics = ["participants", "participants_ongoing", "participants_ended"]
    expected = metric_figures(Store(demo_database).load_snapshots(), selection, metrics)
    shown = _metric_values(at)
    for row in expected.iter_rows(named=True):
        text = format_value(
            row["value"], "count", suppressed=row["suppressed"], reason=row["hidden_reason"]
        )
        assert shown[CATALOGUE[row["metric"]].label] == text


def test_a_copied_link_opens_the_same_view(app):
    app.query_params["kommun"] = ["Sollentuna"]
    app.query_params["kon"] = ["K"]
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="filter_municipality").value == ["Sollentuna"]
    assert at.multiselect(key="filter_gender").value == ["K"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_error(app, page):
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        assert figure["data"], f"{page}: a chart without traces"


def test_municipality_page_bars_equal_the_comparison(app, demo_database):
    from metrics.compare import compare_units

    at = app.run()
    at.switch_page("views/kommuner.py").run()
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = next(t for t in figure["data"] if t["type"] == "bar")
    cases = latest_snapshot(Store(demo_database).load_snapshots())
    expected = compare_units(cases, "share_active_end").sort("unit")
    shown = dict(zip(bars["y"], bars["x"], strict=True))
    for row in expected.iter_rows(named=True):
        label = next(k for k in shown if k.startswith(row["unit"]))
        assert shown[label] == pytest.approx(row["value"])


def test_a_filter_that_leaves_out_only_a_few_hides_the_counts_and_says_why(app, demo_database):
    """Otherwise the few left out are the difference to the unfiltered overview."""
    cases = latest_snapshot(Store(demo_database).load_snapshots()).collect()
    starts = cases.filter(~pl.col("anonymous"))["start_date"].unique().sort()
    # The first start dates, until 1-4 participants would be left out.
    first = next(
        d
        for d in starts
        if 1 <= cases.filter(~pl.col("anonymous"), pl.col("start_date") < d).height <= 4
    )
    app.query_params["start_fran"] = first.isoformat()
    at = app.run()
    assert not at.exception
    assert any("färre än 5 deltagare" in info.value for info in at.info)
    assert _metric_values(at)["Deltagare"] == "dold"


def test_a_period_chosen_in_the_sidebar_shows_the_periods_own_counts(app, demo_database):
    from metrics.figures import metric_figures
    from metrics.period import parse_period

    at = app.run()
    at.selectbox(key="filter_period").set_value("2019H1").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["period"] in ("2019H1", ["2019H1"])
    assert any("första halvåret 2019" in m.value for m in at.markdown)
    selection = Selection.of(period=parse_period("2019H1"))
    metrics = ["period_participants", "period_new", "period_ended"]
    expected = metric_figures(Store(demo_database).load_snapshots(), selection, metrics)
    shown = _metric_values(at)
    for row in expected.iter_rows(named=True):
        text = format_value(
            row["value"], "count", suppressed=row["suppressed"], reason=row["hidden_reason"]
        )
        assert shown[CATALOGUE[row["metric"]].label] == text
    assert "Deltagare" not in shown  # the snapshot's count is not mixed in
    headers = [h.value for h in at.subheader]
    assert "Underlag till årsrapport och Uppföljning Finsam, första halvåret 2019" in headers


def test_a_date_range_period_comes_from_a_copied_link(app):
    app.query_params["period"] = "2019-02-01..2019-05-31"
    at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="filter_period").value == "intervall"
    assert any("2019-02-01–2019-05-31" in m.value for m in at.markdown)


@pytest.mark.parametrize("page", PAGES[:4])
def test_every_page_renders_for_a_period(app, page):
    app.query_params["period"] = "2019"
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_overview_leads_with_what_changed(app, demo_database):
    from metrics.headlines import against_last_year
    from presentation.headlines import period_sentence

    at = app.run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert headers[0] == "Det här har hänt"
    texts = [m.value for m in at.markdown]
    expected = against_last_year(Store(demo_database).load_snapshots(), Selection())
    assert expected is not None
    assert any(period_sentence(expected).split(",")[0] in t for t in texts)
    assert any("bytt färg sedan förra månaden" in t for t in texts)
    assert any("95 %-gränserna" in t for t in texts)


def test_an_own_range_starts_as_the_year_so_far(app):
    at = app.run()
    at.selectbox(key="filter_period").set_value("intervall").run()
    assert not at.exception, [e.value for e in at.exception]
    first, last = at.date_input(key="filter_period_range").value
    assert (first.month, first.day) == (1, 1) and first.year == last.year
    assert at.query_params["period"] in (f"{first}..{last}", [f"{first}..{last}"])
