"""Swedish number formatting: exact strings, since users compare them with their reports."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from presentation.numbers import (
    MISSING_TEXT,
    format_count,
    format_decimal,
    format_median,
    format_n,
    format_pp,
    format_share,
    format_value,
    suppressed_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.264, "26,4 %"),
        (0.2645, "26,5 %"),  # halves round away from zero, as in Excel
        (1.0, "100,0 %"),
        (0.0, "0,0 %"),
        (0.00049, "0,0 %"),
        (12.345, "1 234,5 %"),
    ],
)
def test_format_share(value: float, expected: str) -> None:
    assert format_share(value) == expected


def test_format_share_decimals() -> None:
    assert format_share(0.264, decimals=0) == "26 %"
    assert format_share(0.26449, decimals=2) == "26,45 %"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12345, "12 345"), (0, "0"), (999, "999"), (1234567, "1 234 567"), (-1200, "−1 200")],
)
def test_format_count(value: int, expected: str) -> None:
    assert format_count(value) == expected


def test_format_decimal() -> None:
    assert format_decimal(1234.56) == "1 234,6"
    assert format_decimal(2.25) == "2,3"
    assert format_decimal(-0.04) == "0,0"  # no "−0,0"
    assert format_decimal(3, decimals=2) == "3,00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.2, "+3,2 procentenheter"),
        (-3.25, "−3,3 procentenheter"),
        (0.0, "0,0 procentenheter"),
        (-0.04, "0,0 procentenheter"),
        (24.0, "+24,0 procentenheter"),
    ],
)
def test_format_pp(value: float, expected: str) -> None:
    assert format_pp(value) == expected


def test_format_median_drops_needless_decimals() -> None:
    assert format_median(14.5) == "14,5"
    assert format_median(120.0) == "120"
    assert format_median(1234.25) == "1 234,3"


def test_format_value_by_kind() -> None:
    assert format_value(0.264, "share") == "26,4 %"
    assert format_value(12345, "count") == "12 345"
    assert format_value(14.5, "median") == "14,5"
    assert format_value(3.2, "difference") == "+3,2 procentenheter"


def test_suppressed_value_reads_less_than_threshold_whatever_the_kind() -> None:
    for kind in ("share", "count", "median", "difference"):
        assert format_value(None, kind, suppressed=True) == "<5"
        assert format_value(0.5, kind, suppressed=True) == "<5"
    assert format_value(None, "count", suppressed=True, threshold=3) == "<3"
    assert suppressed_text() == "<5"


def test_missing_values_are_named_not_formatted_as_zero() -> None:
    assert format_share(None) == MISSING_TEXT
    assert format_count(None) == MISSING_TEXT
    assert format_value(math.nan, "share") == MISSING_TEXT


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="okänd måttyp"):
        format_value(1.0, "ratio")


def test_format_n() -> None:
    assert format_n(12, 44) == "12 av 44"
    assert format_n(1200, 4400) == "1 200 av 4 400"
    assert format_n(None, 44, suppressed=True) == "<5 av 44"
    assert format_n(44, None) == "n = 44"


def test_only_plain_spaces_are_used() -> None:
    # U+0020 everywhere: the same as Plotly's separators=", ", safe in every font and PDF.
    texts = [format_count(1234567), format_share(12.3456), format_pp(1234.5)]
    for text in texts:
        assert "\u00a0" not in text
        assert "\u202f" not in text


def _parse(text: str) -> float:
    return float(text.replace(" ", "").replace(",", ".").replace("−", "-"))


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_count_round_trip(value: int) -> None:
    text = format_count(value)
    assert int(_parse(text)) == value
    groups = text.lstrip("−").split(" ")
    assert all(len(g) == 3 for g in groups[1:])
    assert 1 <= len(groups[0]) <= 3


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_share_round_trip_within_rounding(value: float) -> None:
    text = format_share(value)
    assert text.endswith(" %")
    assert abs(_parse(text[:-2]) - value * 100) <= 0.05 + 1e-9


@given(st.floats(min_value=-100, max_value=100, allow_nan=False))
def test_pp_sign_matches_value(value: float) -> None:
    text = format_pp(value)
    number = _parse(text.removesuffix(" procentenheter").lstrip("+"))
    assert abs(number - value) <= 0.05 + 1e-9
    if number > 0:
        assert text.startswith("+")
    elif number < 0:
        assert text.startswith("−")
    else:
        assert text[0].isdigit()
