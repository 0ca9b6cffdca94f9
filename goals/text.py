"""Goals in words: target, value and n as the board reads them (Swedish number format)."""

from __future__ import annotations

from goals.model import Goal
from goals.records import GoalFigures
from metrics.costs import any_metric
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.numbers import format_n, format_share, format_value


def threshold_number(metric: str, value: float) -> str:
    """A target or threshold in the metric's unit: ``0.3`` -> ``"30 %"``."""
    kind = any_metric(metric).kind
    if kind == "share":
        # Targets are round numbers: "30 %" reads better than "30,0 %".
        return format_share(value, decimals=0 if round(value * 100, 6).is_integer() else 1)
    return format_value(value, kind)


def target_text(goal: Goal) -> str:
    """``"minst 100 % (gult från 90 %)"``; for a manual goal an empty string."""
    if goal.kind != "measured" or goal.metric is None:
        return ""
    target, yellow = goal.target, goal.yellow
    if goal.direction == "within" and isinstance(target, tuple) and isinstance(yellow, tuple):
        return f"mellan {band_text(goal.metric, target)} (gult {band_text(goal.metric, yellow)})"
    assert isinstance(target, int | float) and isinstance(yellow, int | float)
    word = "minst" if goal.direction == "higher" else "högst"
    number = threshold_number
    return f"{word} {number(goal.metric, target)} (gult från {number(goal.metric, yellow)})"


def band_text(metric: str, band: tuple[float, float]) -> str:
    """A band of a ``within`` goal: ``"40 %–60 %"``."""
    return f"{threshold_number(metric, band[0])}–{threshold_number(metric, band[1])}"


def value_text(goal: Goal, record: GoalFigures, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """The value judged, with its basis: ``"87,6 % (204 av 233)"``; ``"–"`` without one."""
    if goal.metric is None:
        return ""
    metric = any_metric(goal.metric)
    if record.suppressed:
        return format_n(
            None,
            record.denominator,
            suppressed=True,
            threshold=threshold,
            reason=record.hidden_reason,
        )
    if record.value is None:
        return "ingen uppgift"
    shown = format_value(record.value, metric.kind)
    if metric.kind == "share":
        return f"{shown} ({format_n(record.numerator, record.denominator)})"
    if metric.kind in ("median", "difference", "cost") and record.denominator is not None:
        return f"{shown} (n = {record.denominator})"
    return shown


def filter_text(goal: Goal) -> str:
    """``"kommun: Sigtuna"``; empty when the goal covers the whole project."""
    return "; ".join(f"{header}: {', '.join(values)}" for header, values in goal.filters.items())
