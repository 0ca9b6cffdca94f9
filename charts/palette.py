"""Colours that survive colour blindness, and the goal status shown with symbol and word.

The categorical colours are Okabe and Ito's palette (Color Universal Design). Colour never
carries meaning alone: every goal status has a symbol and a Swedish word, and charts use
marker shapes and text as well. Colours used for text on white reach the WCAG 2.1 AA
contrast of 4.5:1; ``contrast_ratio`` lets tests and pages check that.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Okabe-Ito, in the published order.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Order for series (lines, groups): strong, distinct colours first; yellow last, because
#: it nearly vanishes on white.
SERIES_COLOURS: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)

#: Marker shapes paired with the series colours, so series differ without colour too.
SERIES_SYMBOLS: tuple[str, ...] = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "cross",
    "triangle-down",
    "x",
    "star",
)
SERIES_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

#: Neutral colours for reference lines, limits and suppressed cells.
NEUTRAL_DARK = "#404040"  # 10.4:1 on white
NEUTRAL_MID = "#767676"  # 4.54:1 on white, the lightest grey allowed for text
NEUTRAL_LIGHT = "#D9D9D9"
PRIMARY = OKABE_ITO["blue"]  # 5.0:1 on white; white text on it 5.0:1

#: Outcome categories (ids from metrics.outcomes), plus ongoing participations.
OUTCOME_COLOURS: dict[str, str] = {
    "self_sufficient": OKABE_ITO["bluish_green"],
    "sick_compensation": OKABE_ITO["blue"],
    "continued_aid": OKABE_ITO["orange"],
    "unknown": "#999999",
    "ongoing": OKABE_ITO["sky_blue"],
}


@dataclass(frozen=True)
class GoalStatusStyle:
    """How one goal status looks: fill colour, text colour, symbol and word."""

    status: str
    word: str
    symbol: str
    colour: str  # fill for badges and markers
    text_colour: str  # for the word on white, contrast >= 4.5:1
    on_colour: str  # for text drawn on the fill, contrast >= 4.5:1

    @property
    def badge(self) -> str:
        """Symbol and word together, e.g. "✔ Uppfyllt"."""
        return f"{self.symbol} {self.word}"


#: The traffic-light model. Ids are the goal statuses used by the goals module.
GOAL_STATUS_STYLES: dict[str, GoalStatusStyle] = {
    "met": GoalStatusStyle("met", "Uppfyllt", "✔", "#009E73", "#00704F", "#000000"),
    "partly_met": GoalStatusStyle(
        "partly_met", "Delvis uppfyllt", "◐", "#F0E442", "#7A6A00", "#000000"
    ),
    "not_met": GoalStatusStyle("not_met", "Ej uppfyllt", "✖", "#D55E00", "#B34E00", "#000000"),
    "not_assessed": GoalStatusStyle(
        "not_assessed", "Ej bedömt", "○", "#BBBBBB", "#595959", "#000000"
    ),
    "removed": GoalStatusStyle("removed", "Utgått", "—", "#E0E0E0", "#595959", "#000000"),
}


def goal_status_style(status: str) -> GoalStatusStyle:
    """The style of a goal status; an unknown status raises ``KeyError`` naming it."""
    try:
        return GOAL_STATUS_STYLES[status]
    except KeyError:
        raise KeyError(f"okänd målstatus: {status!r}") from None


def series_style(index: int) -> tuple[str, str, str]:
    """Colour, marker symbol and line dash for the ``index``-th series (cycling)."""
    return (
        SERIES_COLOURS[index % len(SERIES_COLOURS)],
        SERIES_SYMBOLS[index % len(SERIES_SYMBOLS)],
        SERIES_DASHES[index % len(SERIES_DASHES)],
    )


def hex_to_rgba(colour: str, alpha: float) -> str:
    """``"#0072B2", 0.3`` -> ``"rgba(0, 114, 178, 0.3)"`` for translucent links and bands."""
    red, green, blue = _rgb(colour)
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"väntade en färg som #RRGGBB, fick {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio between two colours (1 to 21)."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
