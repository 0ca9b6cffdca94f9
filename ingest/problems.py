"""What an import attempt reports back: problems that refuse a file, and the outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

#: How many row numbers and example values a problem carries; the rest is only counted.
MAX_ROWS = 10
MAX_EXAMPLES = 5

#: Column holding the row number as Excel shows it (header = row 1).
ROW_COLUMN = "__excel_row"


@dataclass
class Problem:
    """One broken rule, grouped over all rows (and one column) where it is broken."""

    rule: str
    message: str
    column: str | None = None
    count: int = 0
    rows: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


@dataclass
class ValidationOutcome:
    """Everything one file produced: the canonical cases, or the reasons it was refused."""

    file_name: str
    cases: pl.DataFrame | None
    problems: list[Problem]
    warnings: list[str]
    preview: pl.DataFrame
    rows_read: int
    #: The report month the dates were checked against (None: no month was known).
    checked_month: str | None = None

    @property
    def ok(self) -> bool:
        """A file is imported whole or not at all: any problem refuses it."""
        return not self.problems and self.cases is not None


def rows_and_examples(
    failing: pl.DataFrame, value_column: str | None, mask: Callable[[str], str]
) -> tuple[int, list[int], list[str]]:
    """Count, first row numbers and first distinct (masked) values of failing rows.

    ``failing`` holds ``ROW_COLUMN`` and, when given, ``value_column`` with the raw text.
    """
    ordered = failing.sort(ROW_COLUMN)
    rows = ordered.get_column(ROW_COLUMN).head(MAX_ROWS).to_list()
    examples: list[str] = []
    if value_column is not None:
        values = ordered.get_column(value_column).drop_nulls().unique(maintain_order=True)
        examples = [mask(str(v)) for v in values.head(MAX_EXAMPLES).to_list()]
    return ordered.height, [int(r) for r in rows], examples
