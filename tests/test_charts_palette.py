"""Colours: readable contrast, and every goal status told by symbol and word too."""

from __future__ import annotations

import pytest

from charts.palette import (
    GOAL_STATUS_STYLES,
    NEUTRAL_DARK,
    NEUTRAL_MID,
    OKABE_ITO,
    OUTCOME_COLOURS,
    PRIMARY,
    SERIES_COLOURS,
    SERIES_SYMBOLS,
    contrast_ratio,
    goal_status_style,
    hex_to_rgba,
    series_style,
)


def test_contrast_ratio_known_values() -> None:
    assert contrast_ratio("#000000") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    # WCAG's reference: #767676 is the lightest grey that passes 4.5:1 on white.
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777") < 4.5


@pytest.mark.parametrize("status", list(GOAL_STATUS_STYLES))
def test_goal_status_text_is_readable(status: str) -> None:
    style = GOAL_STATUS_STYLES[status]
    assert contrast_ratio(style.text_colour) >= 4.5
    assert contrast_ratio(style.on_colour, style.colour) >= 4.5


def test_goal_statuses_pair_colour_with_symbol_and_word() -> None:
    badges = {s: style.badge for s, style in GOAL_STATUS_STYLES.items()}
    assert badges == {
        "met": "✔ Uppfyllt",
        "partly_met": "◐ Delvis uppfyllt",
        "not_met": "✖ Ej uppfyllt",
        "not_assessed": "○ Ej bedömt",
        "removed": "— Utgått",
    }
    symbols = [style.symbol for style in GOAL_STATUS_STYLES.values()]
    assert len(set(symbols)) == len(symbols)


def test_unknown_goal_status_names_itself() -> None:
    with pytest.raises(KeyError, match="okänd målstatus"):
        goal_status_style("grön")


def test_text_colours_reach_aa_on_white() -> None:
    for colour in (NEUTRAL_DARK, NEUTRAL_MID, PRIMARY):
        assert contrast_ratio(colour) >= 4.5


def test_palette_is_okabe_ito() -> None:
    assert set(SERIES_COLOURS) == set(OKABE_ITO.values())
    assert set(OUTCOME_COLOURS) >= {
        "self_sufficient",
        "sick_compensation",
        "continued_aid",
        "unknown",
    }
    ended = ("self_sufficient", "sick_compensation", "continued_aid")
    outcome = [OUTCOME_COLOURS[k] for k in ended]
    assert len(set(outcome)) == 3


def test_series_differ_by_symbol_as_well_as_colour() -> None:
    styles = [series_style(i) for i in range(len(SERIES_SYMBOLS))]
    assert len({s[0] for s in styles}) == len(styles)
    assert len({s[1] for s in styles}) == len(styles)
    assert series_style(len(SERIES_COLOURS))[:2] == series_style(0)[:2]


def test_hex_to_rgba() -> None:
    assert hex_to_rgba("#0072B2", 0.35) == "rgba(0, 114, 178, 0.35)"
    with pytest.raises(ValueError):
        hex_to_rgba("blue", 1)
