"""Figure builders: inspect traces and layout, not pixels."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from charts.comparison import dumbbell, funnel_plot, interval_bars
from charts.flows import sankey, step_matrix_heatmap
from charts.layout import EMPTY_TEXT
from charts.outcome_bars import outcome_bars
from charts.trends import trend_lines


def _comparison() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": ["Sigtuna", "Sollentuna", "Knivsta", "Upplands Väsby"],
            "numerator": [12, 33, None, 5],
            "denominator": [44, 80, 7, 40],
            "value": [12 / 44, 33 / 80, None, 5 / 40],
            "ci_low": [0.16, 0.31, None, 0.05],
            "ci_high": [0.42, 0.52, None, 0.26],
            "overall": [0.3] * 4,
            "lo95": [0.17, 0.2, 0.0, 0.17],
            "hi95": [0.44, 0.4, 0.6, 0.45],
            "lo998": [0.12, 0.16, 0.0, 0.13],
            "hi998": [0.5, 0.45, 0.7, 0.5],
            "flag": ["within", "above", "within", "below"],
            "suppressed": [False, False, True, False],
        }
    )


def _curve() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "n": [80, 5, 10, 20, 40, 120],  # unsorted on purpose
            "lo95": [0.2, 0.0, 0.07, 0.12, 0.17, 0.22],
            "hi95": [0.4, 0.7, 0.6, 0.5, 0.45, 0.38],
            "lo998": [0.16, 0.0, 0.02, 0.07, 0.13, 0.19],
            "hi998": [0.45, 0.85, 0.7, 0.58, 0.5, 0.42],
        }
    )


def _hover_of(trace: go.BaseTraceType) -> list[str]:
    return list(trace.hovertext)


def _note_texts(fig: go.Figure) -> str:
    return " ".join(a.text for a in fig.layout.annotations)


def _assert_swedish_base(fig: go.Figure) -> None:
    assert fig.layout.separators == ", "
    assert fig.layout.title.text


# interval bars ---------------------------------------------------------------------------


def test_interval_bars_values_labels_and_intervals() -> None:
    fig = interval_bars(_comparison(), "Kommun", "Andel till arbete")
    _assert_swedish_base(fig)
    bar = next(t for t in fig.data if t.type == "bar")
    assert bar.orientation == "h"
    assert list(bar.y) == [
        "Sigtuna (n = 44)",
        "Sollentuna (n = 80) ▲",
        "Knivsta (n = 7)",
        "Upplands Väsby (n = 40) ▼",
    ]
    assert list(bar.x) == pytest.approx([12 / 44, 33 / 80, None, 5 / 40], nan_ok=True)
    assert bar.error_x.array[0] == pytest.approx(0.42 - 12 / 44)
    assert bar.error_x.arrayminus[0] == pytest.approx(12 / 44 - 0.16)
    hover = _hover_of(bar)[0]
    assert "12 av 44" in hover
    assert "27,3 %" in hover
    assert "95 %-konfidensintervall: 16,0 % – 42,0 %" in hover
    # flagged units are hatched, not only coloured
    assert list(bar.marker.pattern.shape) == ["", "/", "", "/"]
    assert fig.layout.xaxis.title.text == "Andel till arbete"
    assert fig.layout.yaxis.title.text == "Kommun"
    assert "30 %" in fig.layout.xaxis.ticktext


def test_interval_bars_suppressed_unit_shows_less_than_five_and_no_bar() -> None:
    fig = interval_bars(_comparison(), "Kommun", "Andel till arbete")
    bar = next(t for t in fig.data if t.type == "bar")
    assert bar.x[2] is None
    assert bar.text[2] == ""
    assert bar.error_x.array[2] is None
    hidden = next(t for t in fig.data if t.type == "scatter" and t.mode == "text")
    assert list(hidden.y) == ["Knivsta (n = 7)"]
    assert list(hidden.text) == ["<5"]
    assert "<5" in _note_texts(fig)
    assert "Knivsta" in _note_texts(fig)


def test_interval_bars_overall_is_a_dashed_line() -> None:
    fig = interval_bars(_comparison(), "Kommun", "Andel till arbete")
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1
    assert lines[0].x0 == lines[0].x1 == pytest.approx(0.3)
    assert lines[0].line.dash == "dash"
    assert "Samtliga: 30,0 %" in _note_texts(fig)


def test_interval_bars_accepts_a_metric_frame() -> None:
    metric = pl.DataFrame(
        {
            "municipality": ["Sigtuna", "Knivsta"],
            "metric": ["share_joint_plan", "share_joint_plan"],
            "value": [0.5, None],
            "numerator": [22, None],
            "denominator": [44, 3],
            "ci_low": [0.36, None],
            "ci_high": [0.64, None],
            "suppressed": [False, True],
        }
    )
    fig = interval_bars(metric, "Kommun", "Andel med gemensam planering", overall=0.4)
    bar = fig.data[0]
    assert list(bar.y) == ["Sigtuna (n = 44)", "Knivsta (n = 3)"]
    assert list(bar.x) == [0.5, None]
    assert fig.layout.shapes[0].x0 == pytest.approx(0.4)


def test_interval_bars_refuses_mixed_metrics() -> None:
    mixed = pl.DataFrame({"municipality": ["A", "A"], "metric": ["x", "y"], "value": [0.1, 0.2]})
    with pytest.raises(ValueError, match="flera mått"):
        interval_bars(mixed, "Kommun", "Andel")


def test_interval_bars_count_kind_formats_counts() -> None:
    counts = pl.DataFrame(
        {"unit": ["Sigtuna"], "value": [1234.0], "numerator": [1234], "denominator": [None]}
    )
    fig = interval_bars(counts, "Kommun", "Antal deltagare", value_kind="count")
    assert fig.data[0].text[0] == "1 234"
    assert "n = 1 234" in fig.data[0].hovertext[0]


# funnel plot -----------------------------------------------------------------------------


def test_funnel_plot_limit_lines_follow_the_curve_sorted_by_n() -> None:
    fig = funnel_plot(_comparison(), _curve(), "Andel till arbete")
    _assert_swedish_base(fig)
    curve = _curve().sort("n")
    limits = {t.meta["limit"]: t for t in fig.data if t.meta}
    for column in ("lo95", "hi95", "lo998", "hi998"):
        assert list(limits[column].x) == curve["n"].to_list()
        assert list(limits[column].y) == curve[column].to_list()
    assert list(limits["overall"].y) == [0.3, 0.3]
    names = {t.name for t in fig.data if t.showlegend is not False}
    assert {"95 %-gräns", "99,8 %-gräns", "Samtliga (30,0 %)"} <= names
    assert limits["lo95"].line.dash != limits["lo998"].line.dash


def test_funnel_plot_marks_units_beyond_998_with_symbol_and_name() -> None:
    fig = funnel_plot(_comparison(), _curve(), "Andel till arbete")
    inside = next(t for t in fig.data if t.name == "Inom 99,8 %-gränsen")
    outside = next(t for t in fig.data if t.name == "Utanför 99,8 %-gränsen")
    # Upplands Väsby: 12,5 % below its 99,8 % limit of 13 %
    assert list(outside.x) == [40]
    assert list(outside.y) == pytest.approx([5 / 40])
    assert list(outside.text) == ["Upplands Väsby"]
    assert "text" in outside.mode
    assert outside.marker.symbol != inside.marker.symbol
    assert list(inside.x) == [44, 80]
    assert "12 av 44" in inside.hovertext[0]
    # Sollentuna is beyond 95 % but within 99,8 %
    assert "Utanför 95 %-gränsen men inom 99,8 %-gränsen" in inside.hovertext[1]
    assert fig.layout.xaxis.title.text == "Antal deltagare (n)"


def test_funnel_plot_does_not_plot_suppressed_units() -> None:
    fig = funnel_plot(_comparison(), _curve(), "Andel till arbete")
    plotted = [x for t in fig.data if t.name and "99,8 %-gränsen" in t.name for x in t.x]
    assert 7 not in plotted
    assert "Knivsta" in _note_texts(fig)


# sankey ----------------------------------------------------------------------------------


def test_sankey_nodes_links_and_shares() -> None:
    flows = pl.DataFrame(
        {
            "source": ["Sigtuna", "Sigtuna", "Sollentuna", "Sollentuna"],
            "target": ["Självförsörjande", "Fortsatt bistånd", "Självförsörjande", "Okänt"],
            "count": [12, 30, 20, None],
        }
    )
    fig = sankey(flows, "Från kommun till utfall")
    _assert_swedish_base(fig)
    trace = fig.data[0]
    assert trace.type == "sankey"
    labels = list(trace.node.label)
    # Sollentuna's flow to Okänt is hidden: its size is a least value, never a plain n.
    assert labels == [
        "Sigtuna (n = 42)",
        "Sollentuna (minst 20)",
        "Självförsörjande (n = 32)",
        "Fortsatt bistånd (n = 30)",
    ]
    assert list(trace.link.value) == [12, 30, 20]
    assert list(trace.link.source) == [0, 0, 1]
    assert list(trace.link.target) == [2, 3, 2]
    assert "12 deltagare (28,6 % av Sigtuna)" in trace.link.customdata[0]
    # 20 of Sollentuna's visible 20 would read 100 %: no share of a partly hidden group.
    assert "%" not in trace.link.customdata[2]
    assert "andelen visas inte" in trace.link.customdata[2]
    notes = _note_texts(fig)
    assert "Sollentuna → Okänt" in notes
    assert "”minst”" in notes


# step matrix -----------------------------------------------------------------------------


def test_step_matrix_heatmap_cells_and_diagonal() -> None:
    matrix = pl.DataFrame(
        {"step_start": [1, 1, 2, 3], "step_end": [1, 4, 2, 6], "count": [10, 7, None, 1234]}
    )
    fig = step_matrix_heatmap(matrix)
    _assert_swedish_base(fig)
    heat = fig.data[0]
    assert heat.type == "heatmap"
    assert len(heat.z) == 6 and all(len(row) == 6 for row in heat.z)
    assert heat.z[0][0] == 10
    assert heat.z[0][3] == 7
    assert heat.z[1][1] is None
    assert heat.z[2][5] == 1234
    assert heat.z[5][5] == 0
    assert heat.text[1][1] == "<5"
    assert heat.text[2][5] == "1 234"
    assert heat.x[0] == "1 Passiv" and heat.y[5] == "6 Arbete eller studier"
    assert "Oförändrat steg" in heat.customdata[0][0]
    assert "3 steg upp" in heat.customdata[0][3]
    assert "7 deltagare (41,2 % av dem som började på steg 1)" in heat.customdata[0][3]
    assert "oförändrat steg" in fig.layout.title.subtitle.text
    frames = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(s.x0 + s.x1) / 2 for s in frames] == [0, 1, 2, 3, 4, 5]
    assert [(s.y0 + s.y1) / 2 for s in frames] == [0, 1, 2, 3, 4, 5]


# dumbbell --------------------------------------------------------------------------------


def test_dumbbell_start_and_exit_markers() -> None:
    frame = pl.DataFrame(
        {
            "municipality": ["Sollentuna"] * 2 + ["Upplands Väsby"] * 2 + ["Knivsta"] * 2,
            "metric": ["share_active_start", "share_active_end"] * 3,
            "value": [0.14, 0.38, 0.07, 0.48, None, None],
            "numerator": [3, 8, 2, 14, None, None],
            "denominator": [21, 21, 29, 29, 6, 6],
            "suppressed": [False, False, False, False, True, True],
        }
    )
    fig = dumbbell(frame)
    _assert_swedish_base(fig)
    start = next(t for t in fig.data if t.name == "Vid start")
    end = next(t for t in fig.data if t.name == "Vid avslut")
    assert list(start.x) == [0.14, 0.07]
    assert list(end.x) == [0.38, 0.48]
    assert list(start.y) == ["Sollentuna (n = 21)", "Upplands Väsby (n = 29)"]
    assert start.marker.symbol != end.marker.symbol
    assert "+24,0 procentenheter" in start.hovertext[0]
    assert "3 av 21" in start.hovertext[0]
    line = next(t for t in fig.data if t.name == "Förändring")
    assert list(line.x)[:2] == [0.14, 0.38]
    hidden = next(t for t in fig.data if t.mode == "text")
    assert list(hidden.y) == ["Knivsta (n = 6)"] and list(hidden.text) == ["<5"]


def test_dumbbell_marks_a_unit_hidden_to_protect_another_as_dold() -> None:
    frame = pl.DataFrame(
        {
            "municipality": ["Sollentuna"] * 2 + ["Knivsta"] * 2 + ["Täby"] * 2,
            "metric": ["share_active_start", "share_active_end"] * 3,
            "value": [0.14, 0.38, None, None, None, None],
            "numerator": [3, 8, None, None, None, None],
            "denominator": [21, 21, None, None, None, None],
            "suppressed": [False, False, True, True, True, False],
            "hidden_reason": [None, None, "small", "small", "linked", None],
        }
    )
    fig = dumbbell(frame)
    hidden = next(t for t in fig.data if t.mode == "text")
    assert list(hidden.text) == ["<5", "dold"]
    notes = _note_texts(fig)
    assert "<5 = färre än 5 deltagare" in notes and "Gäller: Knivsta." in notes
    assert "dold = dolt för att inget litet tal ska kunna räknas fram" in notes
    assert "Gäller: Täby." in notes


# trend lines -----------------------------------------------------------------------------


def _trend() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "municipality": ["A", "A", "A", "B", "B", "B"],
            "report_month": ["2019-03", "2019-01", "2019-02", "2019-01", "2019-02", "2019-03"],
            "metric": ["share_joint_plan"] * 6,
            "value": [0.7, 0.5, 0.6, 0.3, None, 0.4],
            "numerator": [7, 5, 6, 3, None, 4],
            "denominator": [10] * 6,
            "ci_low": [0.4, 0.2, 0.3, 0.1, None, 0.15],
            "ci_high": [0.9, 0.8, 0.85, 0.6, None, 0.7],
            "suppressed": [False, False, False, False, True, False],
        }
    )


def test_trend_lines_one_line_per_group_sorted_by_month() -> None:
    fig = trend_lines(_trend(), "Andel med gemensam planering", "municipality")
    _assert_swedish_base(fig)
    a, b = fig.data
    assert (a.name, b.name) == ("A", "B")
    assert list(a.x) == ["2019-01", "2019-02", "2019-03"]
    assert list(a.y) == [0.5, 0.6, 0.7]
    assert "markers" in a.mode and "lines" in a.mode
    assert a.marker.symbol != b.marker.symbol
    assert list(a.error_y.array) == pytest.approx([0.3, 0.25, 0.2])
    assert "5 av 10" in a.hovertext[0]
    assert "jan. 2019" in a.hovertext[0]
    assert list(fig.layout.xaxis.ticktext) == ["jan. 2019", "feb. 2019", "mars 2019"]


def test_trend_lines_suppressed_month_breaks_the_line() -> None:
    fig = trend_lines(_trend(), "Andel med gemensam planering", "municipality")
    b = fig.data[1]
    assert list(b.y) == [0.3, None, 0.4]
    assert b.connectgaps is False
    assert "<5" in b.hovertext[1]
    assert "B feb. 2019" in _note_texts(fig)


def test_trend_lines_without_groups_draws_one_line() -> None:
    single = _trend().filter(pl.col("municipality") == "A").drop("municipality")
    fig = trend_lines(single, "Andel med gemensam planering")
    assert len(fig.data) == 1
    assert list(fig.data[0].y) == [0.5, 0.6, 0.7]


def test_trend_lines_group_codes_get_swedish_labels() -> None:
    frame = _trend().with_columns(
        pl.col("municipality").replace({"A": "K", "B": "M"}).alias("gender")
    )
    fig = trend_lines(frame.drop("municipality"), "Andel", "gender")
    assert [t.name for t in fig.data] == ["Kvinna", "Man"]


# outcome bars ----------------------------------------------------------------------------


def _outcomes() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "outcome": [
                "self_sufficient",
                "self_sufficient",
                "sick_compensation",
                "sick_compensation",
                "continued_aid",
                "unknown",
                "ongoing",
            ],
            "outcome_detail": ["work", "studies", None, None, None, None, None],
            "complementary_aid": [None, None, True, False, None, None, None],
            "count": [80, 35, 67, 59, 38, None, 50],
        }
    )


def test_outcome_bars_counts_and_shares_as_text() -> None:
    fig = outcome_bars(_outcomes())
    _assert_swedish_base(fig)
    bar = fig.data[0]
    assert list(bar.y) == [
        "Självförsörjande",
        "Sjuk- eller aktivitetsersättning",
        "Fortsatt ekonomiskt bistånd",
        "Okänt",
    ]
    assert list(bar.x) == [115, 126, 38, 0]  # hidden: no length, its marker drawn
    total = 115 + 126 + 38
    assert bar.text[0] == f"115 ({115 / total * 100:.1f} %)".replace(".", ",")
    assert bar.text[3] == "<5"
    assert "Pågående" not in list(bar.y)
    assert "279 avslutade" in _note_texts(fig)


def test_outcome_bars_share_of_given_total() -> None:
    fig = outcome_bars(_outcomes(), total=290)
    assert fig.data[0].text[2] == "38 (13,1 %)"


def test_outcome_bars_detail_stacks_sub_categories() -> None:
    fig = outcome_bars(_outcomes(), detail=True)
    assert fig.layout.barmode == "stack"
    by_name = {t.name: t for t in fig.data}
    assert by_name["Självförsörjande: Arbete"].x == (80,)
    assert by_name["Självförsörjande: Studier"].x == (35,)
    assert by_name["Sjuk- eller aktivitetsersättning: med kompletterande bistånd"].x == (67,)
    assert by_name["Okänt"].x == (None,)
    patterns = {t.marker.pattern.shape for t in fig.data if t.y[0] == "Självförsörjande"}
    assert len(patterns) == 2  # sub-categories differ by hatch, not colour alone
    assert "80 deltagare" in by_name["Självförsörjande: Arbete"].hovertext[0]


def test_outcome_bars_accepts_labels_as_parameters() -> None:
    fig = outcome_bars(_outcomes(), outcome_labels={"unknown": "Ej känt"})
    assert list(fig.data[0].y)[-1] == "Ej känt"


# shared ----------------------------------------------------------------------------------

EMPTY_CASES = [
    lambda: interval_bars(_comparison().clear(), "Kommun", "Andel"),
    lambda: funnel_plot(_comparison().clear(), _curve(), "Andel"),
    lambda: sankey(
        pl.DataFrame(schema={"source": pl.String, "target": pl.String, "count": pl.Int64}), "Flöden"
    ),
    lambda: step_matrix_heatmap(
        pl.DataFrame(schema={"step_start": pl.Int64, "step_end": pl.Int64, "count": pl.Int64})
    ),
    lambda: dumbbell(_trend().clear()),
    lambda: trend_lines(_trend().clear(), "Andel", "municipality"),
    lambda: outcome_bars(_outcomes().clear()),
    lambda: outcome_bars(_outcomes().filter(pl.col("outcome") == "ongoing")),
]


@pytest.mark.parametrize("build", EMPTY_CASES)
def test_empty_frame_gives_a_figure_that_says_so(build) -> None:
    fig = build()
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 0
    assert EMPTY_TEXT == "Inga uppgifter att visa för det här urvalet."
    assert [a.text for a in fig.layout.annotations] == [EMPTY_TEXT]
    assert fig.layout.title.text


def test_font_size_scales_the_layout() -> None:
    small = interval_bars(_comparison(), "Kommun", "Andel")
    large = interval_bars(_comparison(), "Kommun", "Andel", font_size=22)
    assert small.layout.font.size == 14
    assert large.layout.font.size == 22
    assert large.layout.height > small.layout.height


def test_lazy_frames_are_accepted() -> None:
    fig = interval_bars(_comparison().lazy(), "Kommun", "Andel")
    assert fig.data[0].x[0] == pytest.approx(12 / 44)


def test_sankey_takes_fixed_colours_for_named_nodes():

    flows = pl.DataFrame(
        {"source": ["Bistånd", "Bistånd"], "target": ["Självförsörjande", "Okänt"], "count": [8, 6]}
    )
    fig = sankey(flows, "Flöde", node_colours={"Självförsörjande": "#009E73"})
    labels = [label.split(" (")[0] for label in fig.data[0].node.label]
    colours = dict(zip(labels, fig.data[0].node.color, strict=True))
    assert colours["Självförsörjande"] == "#009E73"
    assert colours["Okänt"] != "#009E73"
