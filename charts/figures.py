"""The figure builders pages call: one import for all charts.

Each builder is a pure function from a small metric frame to a Plotly figure with a Swedish
title, axis titles, Swedish number formats and a text note where colour alone would not do.
"""

from __future__ import annotations

from charts.comparison import dumbbell, funnel_plot, interval_bars
from charts.flows import sankey, step_matrix_heatmap
from charts.layout import EMPTY_TEXT, empty_figure
from charts.outcome_bars import outcome_bars
from charts.trends import trend_lines

__all__ = [
    "EMPTY_TEXT",
    "dumbbell",
    "empty_figure",
    "funnel_plot",
    "interval_bars",
    "outcome_bars",
    "sankey",
    "step_matrix_heatmap",
    "trend_lines",
]
