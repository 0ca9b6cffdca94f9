"""A goal's trend chart: line values, zone bands, decision markers, gaps; by inspecting the
figure, not its pixels."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go

from charts.goal_trend import (
    DECISION_TRACE,
    HIDDEN_TRACE,
    NO_METRIC_TEXT,
    DecisionMark,
    TrendPoint,
    ZoneBand,
    goal_trend,
    month_end,
)
from charts.palette import goal_status_style, hex_to_rgba

MONTHS = ["2019-01", "2019-02", "2019-03", "2019-04"]
ZONES = (
    ZoneBand("met", 1.0, None, "2019-01", "2019-02", "✔ Uppfyllt: minst 100 %"),
    ZoneBand("partly_met", 0.9, 1.0, "2019-01", "2019-02", "◐ Delvis uppfyllt: minst 90 %"),
    ZoneBand("met", 0.85, None, "2019-03", "2019-04", "✔ Uppfyllt: minst 85 %"),
    ZoneBand("partly_met", 0.8, 0.85, "2019-03", "2019-04", "◐ Delvis uppfyllt: minst 85 %"),
)


def _points(values, hidden=()) -> list[TrendPoint]:
    return [
        TrendPoint(
            month,
            None if month in hidden else value,
            f"<b>{month}</b>",
            hidden=month in hidden,
            hidden_reason="small" if month in hidden else None,
        )
        for month, value in zip(MONTHS, values, strict=True)
    ]


def _figure(points, zones=ZONES, decisions=(), **kwargs) -> go.Figure:
    return goal_trend(
        points,
        zones,
        decisions,
        value_label="Andel med gemensam planering",
        value_kind="share",
        title="Alla deltagare får en gemensam planering",
        **kwargs,
    )


def _trace(fig: go.Figure, name: str) -> go.Scatter:
    return next(t for t in fig.data if t.name == name)


def _notes(fig: go.Figure) -> str:
    return " ".join(a.text for a in fig.layout.annotations if a.name == "note")


def test_the_line_is_the_metric_per_month_at_each_months_end() -> None:
    fig = _figure(_points([1.0, 0.92, 0.88, 0.86]))
    line = _trace(fig, "Andel med gemensam planering")
    assert line.mode == "lines+markers"
    assert list(line.y) == [1.0, 0.92, 0.88, 0.86]
    assert list(line.x) == ["2019-01-31", "2019-02-28", "2019-03-31", "2019-04-30"]
    assert list(fig.layout.xaxis.ticktext) == ["jan. 2019", "feb. 2019", "mars 2019", "apr. 2019"]
    assert fig.layout.separators == ", "


def test_zones_are_light_bands_with_their_meaning_written_in_them() -> None:
    fig = _figure(_points([1.0, 0.92, 0.88, 0.86]))
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == 4
    top = fig.layout.yaxis.range[1]
    green_then, yellow_then, green_now, yellow_now = bands
    assert (green_then.y0, green_then.y1) == (1.0, top)
    assert (yellow_then.y0, yellow_then.y1) == (0.9, 1.0)
    assert (green_now.y0, yellow_now.y0, yellow_now.y1) == (0.85, 0.8, 0.85)
    # The bands step where the thresholds changed: between February's and March's points.
    assert green_then.x1 == green_now.x0
    assert date.fromisoformat(green_then.x1) > month_end("2019-02")
    assert date.fromisoformat(green_now.x0) < month_end("2019-03")
    assert green_then.fillcolor == hex_to_rgba(goal_status_style("met").colour, 0.2)
    assert yellow_then.fillcolor == hex_to_rgba(goal_status_style("partly_met").colour, 0.2)
    assert all(b.layer == "below" for b in bands)
    # Never colour alone: every band says what it is, with symbol and word.
    assert [b.label.text for b in bands] == [z.text for z in ZONES]


def test_a_band_open_downwards_reaches_the_axis_bottom() -> None:
    zones = (ZoneBand("met", None, 183, "2019-01", "2019-04", "✔ Uppfyllt: högst 183"),)
    fig = goal_trend(
        _points([150.0, 190.0, 200.0, 170.0]),
        zones,
        value_label="Dagar i insatsen (median)",
        value_kind="median",
        title="Högst ett halvår",
    )
    (band,) = [s for s in fig.layout.shapes if s.type == "rect"]
    assert (band.y0, band.y1) == (0.0, 183)
    assert fig.layout.yaxis.range[1] >= 200


def test_decisions_are_vertical_marks_with_a_short_label() -> None:
    decisions = (
        DecisionMark(date(2019, 2, 14), "Utgått", "Styrelsen strök <b>målet</b>."),
        DecisionMark(date(2019, 3, 10), "Ändrat", "Målvärde 100 % → 85 %"),
    )
    fig = _figure(_points([1.0, 0.92, 0.88, 0.86]), decisions=decisions)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert [(s.x0, s.x1, s.yref, s.y0, s.y1) for s in lines] == [
        ("2019-02-14", "2019-02-14", "paper", 0, 1),
        ("2019-03-10", "2019-03-10", "paper", 0, 1),
    ]
    marks = _trace(fig, DECISION_TRACE)
    assert list(marks.x) == ["2019-02-14", "2019-03-10"]
    assert list(marks.text) == ["Utgått", "Ändrat"]
    assert "Målvärde 100 % → 85 %" in marks.hovertext[1]
    # Text from a form is inert in the hover.
    assert "<b>målet</b>" not in marks.hovertext[0] and "&lt;b&gt;" in marks.hovertext[0]


def test_a_decision_outside_the_months_shown_is_named_in_a_note() -> None:
    later = DecisionMark(date(2026, 12, 1), "Ändrat", "Målvärde 100 % → 85 %")
    fig = _figure(_points([1.0, 0.92, 0.88, 0.86]), decisions=(later,))
    assert not [t for t in fig.data if t.name == DECISION_TRACE]
    assert not [s for s in fig.layout.shapes if s.type == "line"]
    assert "Beslut utanför de visade månaderna: Ändrat 2026-12-01." in _notes(fig)


def test_a_hidden_month_is_a_gap_with_its_reason_and_no_value() -> None:
    fig = _figure(_points([1.0, 0.75, 0.88, 0.86], hidden={"2019-02"}))
    line = _trace(fig, "Andel med gemensam planering")
    assert list(line.y) == [1.0, None, 0.88, 0.86]
    assert line.connectgaps is False
    marker = _trace(fig, HIDDEN_TRACE)
    assert list(marker.x) == ["2019-02-28"] and list(marker.text) == ["<5"]
    assert list(marker.y) == [fig.layout.yaxis.range[0]]
    assert "feb. 2019" in _notes(fig) and "<5" in _notes(fig)
    assert "0.75" not in json.dumps(fig.to_plotly_json(), default=str)


def test_a_value_flagged_hidden_is_not_drawn_even_when_given() -> None:
    points = [TrendPoint("2019-01", 0.75, "x", hidden=True, hidden_reason="linked")]
    fig = _figure(points, zones=())
    assert list(fig.data[0].y) == [None]
    assert list(_trace(fig, HIDDEN_TRACE).text) == ["dold"]


def test_a_goal_without_a_metric_has_no_line_and_says_so() -> None:
    fig = goal_trend([], value_label=None, value_kind=None, title="Avtal")
    assert not fig.data
    assert any(a.text == NO_METRIC_TEXT for a in fig.layout.annotations)


def test_meeting_mode_font_reaches_the_band_labels() -> None:
    fig = _figure(_points([1.0, 0.92, 0.88, 0.86]), font_size=20)
    assert fig.layout.font.size == 20
    assert all(s.label.font.size == 18 for s in fig.layout.shapes if s.type == "rect")
