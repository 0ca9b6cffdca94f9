"""The board's periods: a year, a half-year, a quarter or a date range, and the cases seen
over one.

A förbund reports per calendar year and half-year ("how many did the insats serve during
2019?"), while a snapshot tells the state on one report month. :func:`period_view` turns a
snapshot into the cases of a period, so the whole catalogue (and its protection) applies to
a period unchanged:

- a participation belongs to the period when it started on or before the period's last day
  and did not end before its first day;
- one that ended after the period's last day was still ongoing at the period's end, so it
  counts as ongoing and its exit fields are not known yet;
- ``period_first`` is kept on every row: a participation that started on or after it is
  new in the period.

The period's last day is never later than the end of the row's report month: a snapshot
cannot tell what happened after it was taken.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from ingest.schema import EXIT_FIELDS, REPORT_MONTH_FIELD

PeriodKind = Literal["year", "half", "quarter", "range"]

#: The column a period view adds: the period's first day (null: no period, all history).
PERIOD_FIRST = "period_first"

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})\s*H([12])$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})\s*[QK]([1-4])$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")

PERIOD_HELP = "2019 (år), 2019H1 (halvår), 2019Q3 (kvartal) eller 2019-02-01..2019-05-31"


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of days the board reports on, with the code it is written as."""

    first: date
    last: date
    kind: PeriodKind = "range"

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(
                f"Perioden slutar ({self.last.isoformat()}) före den börjar "
                f"({self.first.isoformat()})."
            )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        first_month = 1 if half == 1 else 7
        return cls(date(year, first_month, 1), _month_end(year, first_month + 5), "half")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first_month = 3 * (quarter - 1) + 1
        return cls(date(year, first_month, 1), _month_end(year, first_month + 2), "quarter")

    @property
    def code(self) -> str:
        """The period as it is written on the command line and in a page's address."""
        year = self.first.year
        if self.kind == "year":
            return str(year)
        if self.kind == "half":
            return f"{year}H{1 if self.first.month == 1 else 2}"
        if self.kind == "quarter":
            return f"{year}Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        """The period in Swedish, as a heading or a sentence says it."""
        year = self.first.year
        if self.kind == "year":
            return f"år {year}"
        if self.kind == "half":
            return f"{'första' if self.first.month == 1 else 'andra'} halvåret {year}"
        if self.kind == "quarter":
            return f"kvartal {(self.first.month - 1) // 3 + 1} {year}"
        return f"{self.first.isoformat()}–{self.last.isoformat()}"

    def months(self) -> list[str]:
        """The report months (ÅÅÅÅ-MM) the period touches, oldest first."""
        months = []
        year, month = self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def a_year_earlier(self) -> Period:
        """The same period one year before (29 February becomes the 28th)."""
        return Period(_year_before(self.first), _year_before(self.last), self.kind)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year_before(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def period_explanation() -> tuple[str, ...]:
    """How a period's figures are counted, for the Definitioner page and the pack."""
    return (
        "Välj en period (år, halvår, kvartal eller eget datumintervall) för att se vad som "
        "hände under den, i stället för läget vid en rapportmånad.",
        "Deltagare under perioden är de som startade senast periodens sista dag och inte "
        "hade avslutats före dess första dag. Nya startade under perioden; avslutade "
        "avslutades under den. Utfallen, tiden i insatsen och aktiviteten vid avslut gäller "
        "dem som avslutades under perioden.",
        "En deltagare som avslutades efter periodens slut räknas som pågående vid periodens "
        "slut. Siffrorna tas från varje insats senaste export (eller exporten för vald "
        "rapportmånad), eftersom den har de mest kompletta uppgifterna; en export kan inte "
        "berätta om tiden efter sin rapportmånad, så en period som inte är slut räknas till "
        "och med den.",
        "Periodens siffror skyddas för små tal precis som alla andra. Två perioder som "
        "skiljer sig lite (till exempel två egna datumintervall med en dags skillnad) kan "
        "däremot jämföras som två filtrerade urval: skillnaden mellan dem skyddas inte. "
        "Mötespaketet använder därför bara hela månader, kvartal, halvår och år.",
    )


def year_to_date(newest_month: str) -> Period:
    """January to the end of ``newest_month``: the period a board asks about by default."""
    year, month = (int(part) for part in newest_month.split("-"))
    if month == 12:
        return Period.year(year)
    return Period(date(year, 1, 1), _month_end(year, month))


def parse_period(text: str) -> Period:
    """A period from its code: ``2019``, ``2019H1``, ``2019Q3`` or ``2019-02-01..2019-05-31``.

    Raises ``ValueError`` with a Swedish message that shows the accepted forms.
    """
    value = text.strip()
    if match := _YEAR.match(value):
        return Period.year(int(match[1]))
    if match := _HALF.match(value):
        return Period.half(int(match[1]), int(match[2]))
    if match := _QUARTER.match(value):
        return Period.quarter(int(match[1]), int(match[2]))
    if match := _RANGE.match(value):
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError:
            raise ValueError(f"Ogiltigt datum i perioden {value!r}. Skriv {PERIOD_HELP}.") from None
        if last < first:
            raise ValueError(f"Perioden {value!r} slutar före den börjar. Skriv {PERIOD_HELP}.")
        return Period(first, last)
    raise ValueError(f"Okänd period {value!r}. Skriv {PERIOD_HELP}.")


def recent_periods(newest_month: str, years: int = 3) -> list[Period]:
    """The years, half-years and quarters a page offers, newest first, up to ``newest_month``.

    Periods that have begun by ``newest_month`` are offered, the current one too (it then
    covers the months so far).
    """
    newest_year, newest = (int(part) for part in newest_month.split("-"))
    offered: list[Period] = []
    for year in range(newest_year, newest_year - years, -1):
        offered.append(Period.year(year))
        offered.extend(Period.half(year, h) for h in (2, 1))
        offered.extend(Period.quarter(year, q) for q in (4, 3, 2, 1))
    last_start = date(newest_year, newest, 1)
    return [p for p in offered if p.first <= last_start]


def period_view(cases: pl.LazyFrame | pl.DataFrame, period: Period) -> pl.LazyFrame:
    """The cases of ``period``: those active during it, as they stood at its end.

    See the module's description. A row whose report month ends before the period begins
    belongs to no period figure: its snapshot cannot tell the period.
    """
    lf = cases.lazy()
    names = lf.collect_schema().names()
    last = pl.lit(period.last)
    if REPORT_MONTH_FIELD in names:
        month_end = pl.col(REPORT_MONTH_FIELD).str.to_date("%Y-%m").dt.month_end()
        last = pl.min_horizontal(last, month_end)
    start, end = pl.col("start_date"), pl.col("end_date")
    ends_later = (end > last).fill_null(False)
    return (
        lf.with_columns(last.alias("__period_last"))
        .filter(
            pl.col("__period_last") >= period.first,
            (start <= pl.col("__period_last")).fill_null(False),
            (end >= period.first) | end.is_null(),
        )
        .with_columns(
            *[
                pl.when(ends_later).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("end_date", *EXIT_FIELDS)
                if c in names
            ],
            pl.lit(period.first).alias(PERIOD_FIRST),
        )
        .drop("__period_last")
    )


def with_period_column(cases: pl.LazyFrame) -> pl.LazyFrame:
    """The cases with :data:`PERIOD_FIRST`, null when they are no period view."""
    if PERIOD_FIRST in cases.collect_schema().names():
        return cases
    return cases.with_columns(pl.lit(None, dtype=pl.Date).alias(PERIOD_FIRST))
