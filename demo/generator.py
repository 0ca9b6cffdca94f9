"""Fictitious demo data: two years of monthly case exports from one samordningsförbund.

The förbund, its projects and its people are invented. The shares (diagnoses, time on aid,
gender, outcomes, activity by municipality) follow the final reports the product is built
from (SAMRE, Kaosam, Rehabsteget, SAMS), so the dashboard shows something realistic: more
women than men, most participants long on social assistance, a third of exits in each
outcome family, and one municipality clearly behind the others on activity at exit.

Key shares are drawn as exact quotas (then shuffled) rather than independent coin flips, so
every seed gives a data set with the intended profile; the randomness is in who gets what.

Run ``python -m demo.generator OUT_DIR`` to write the 24 monthly export files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from ingest.schema import (
    AGE_GROUPS,
    AID_END_CODES,
    CASE_COLUMNS,
    CODE_LABELS,
    DIAGNOSIS_CODES,
    EDUCATION_CODES,
    EXIT_CODES,
    EXIT_FIELDS,
    FIELDS,
    FIELDS_BY_NAME,
    GENDER_CODES,
    INCOME_CODES,
    MUNICIPALITY_CODE_FIELD,
    case_frame,
)

DEMO_SEED: int = 20181001
DEMO_FORBUND: str = "Samordningsförbundet Exempelbygden (fiktiva data)"
DEMO_FILE_PREFIX: str = "exempelbygden"
DEMO_SHEET: str = "Deltagare"

#: The months the demo förbund reported, oldest first.
REPORT_MONTHS: tuple[str, ...] = tuple(f"{y}-{m:02d}" for y in (2018, 2019) for m in range(1, 13))

MUNICIPALITIES: tuple[str, ...] = ("Sollentuna", "Upplands Väsby", "Sigtuna")
PROJECTS: tuple[str, ...] = ("Brobygget", "Vägval")

_DEFAULT_PARTICIPATIONS = 400
_MUNICIPALITY_SHARES = (0.40, 0.30, 0.30)
# SAMRE: Sollentuna 14 % -> 38 %, Upplands Väsby 7 % -> 48 %, Sigtuna no real change.
_ACTIVE_START_SHARES = (0.15, 0.09, 0.12)
_ACTIVE_END_SHARES = (0.45, 0.52, 0.22)
# Outcome families among ended participations, per municipality:
# self-sufficient, sick/activity compensation, continued aid, unknown.
_OUTCOME_SHARES = (
    (0.36, 0.30, 0.30, 0.04),
    (0.36, 0.30, 0.30, 0.04),
    (0.27, 0.33, 0.36, 0.04),
)
_SELF, _SICK, _AID, _UNKNOWN = range(4)
# How the self-sufficient got there, per municipality: work, studies, other income.
_ROUTE_SHARES = ((0.40, 0.20, 0.40), (0.40, 0.20, 0.40), (0.25, 0.10, 0.65))
_AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 60), (61, 66))
_AGE_BAND_SHARES = (0.05, 0.13, 0.25, 0.30, 0.17, 0.10)
# Lower bounds of every age group but the first ("25-34" -> 25, "65+" -> 65).
_AGE_GROUP_LOWER = tuple(int(group.split("-")[0].rstrip("+")) for group in AGE_GROUPS[1:])

_DEMO_LAST_DAY = date(2019, 12, 31)
_SECOND_PROJECT_FIRST_MONTH = 8  # Vägval starts in September 2018 (month index from 2018-01)
_LAST_INTAKE_MONTH = 22  # no new participants in the final month (2019-12)

_KOMMUNER_CSV = Path(__file__).resolve().parents[1] / "data" / "kommuner.csv"


# --------------------------------------------------------------------------- helpers


def _quota(rng: np.random.Generator, n: int, shares: Sequence[float] | np.ndarray) -> np.ndarray:
    """Category indices with counts as close to ``shares * n`` as integers allow, shuffled."""
    p = np.asarray(shares, dtype=float)
    raw = p / p.sum() * n
    counts = np.floor(raw).astype(np.int64)
    rest = n - int(counts.sum())
    if rest:
        counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    out = np.repeat(np.arange(len(p)), counts)
    rng.shuffle(out)
    return out


def _quota_by_group(
    rng: np.random.Generator,
    groups: np.ndarray,
    shares_by_group: Sequence[Sequence[float]],
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Like ``_quota`` but separately within each group; -1 for rows outside ``rows``."""
    out = np.full(groups.shape[0], -1, dtype=np.int64)
    selected = np.ones(groups.shape[0], dtype=bool) if rows is None else rows
    for g, shares in enumerate(shares_by_group):
        idx = np.flatnonzero(selected & (groups == g))
        out[idx] = _quota(rng, idx.size, shares)
    return out


def _missing(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """A mask marking ``share`` of the rows as not filled in."""
    return _quota(rng, n, (1 - share, share)) == 1


def _codes(values: Sequence[object], idx: np.ndarray) -> pl.Series:
    """Gather ``values[idx]``; an index outside ``values`` (e.g. -1) means not filled in."""
    inside = (idx >= 0) & (idx < len(values))
    series = pl.Series(list(values)).gather(np.where(inside, idx, 0))
    return _nullify(series, ~inside)


def _nullify(values: pl.Series | np.ndarray, missing: np.ndarray) -> pl.Series:
    series = values if isinstance(values, pl.Series) else pl.Series(values)
    return series.scatter(np.flatnonzero(missing), None) if missing.any() else series


def _index(codes: Sequence[str], *names: str) -> np.ndarray:
    """Positions of ``names`` in a schema code list, so arrays can hold small integers."""
    return np.array([codes.index(name) for name in names], dtype=np.int64)


def _age_group_index(age: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(_AGE_GROUP_LOWER), age, side="right")


def _municipality_codes() -> dict[str, str]:
    """SCB codes of the demo municipalities, from the project's municipality list."""
    table = pl.read_csv(_KOMMUNER_CSV, schema_overrides={"kommunkod": pl.String})
    codes = dict(zip(table["kommun"], table["kommunkod"], strict=True))
    return {name: codes[name] for name in MUNICIPALITIES}


def _month_end(report_month: str) -> date:
    year, month = (int(part) for part in report_month.split("-"))
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


# --------------------------------------------------------------------------- case content


def _case_frame(
    rng: np.random.Generator,
    case_id: pl.Series,
    project: pl.Series,
    start: np.ndarray,
    end: np.ndarray,
    previous: np.ndarray,
) -> pl.DataFrame:
    """Draw everything but the identity and dates of each participation (canonical form).

    ``previous[i]`` is the row of the same person's earlier participation (or -1): that row's
    personal traits are carried over so a person stays the same person.
    """
    n = len(start)
    ended = ~np.isnat(end)

    # Who the participants are; an index one past the code list means "not filled in".
    municipality = _quota(rng, n, _MUNICIPALITY_SHARES)
    gender = _quota(rng, n, (0.59, 0.39, 0.02))  # GENDER_CODES: K, M, X
    born_abroad = _quota(rng, n, (0.44, 0.54, 0.02))  # Nej, Ja, missing
    education = _quota(rng, n, (0.38, 0.36, 0.18, 0.04, 0.04))  # EDUCATION_CODES, missing
    diagnosis = _quota(rng, n, (0.45, 0.15, 0.12, 0.23, 0.03, 0.02))  # DIAGNOSIS_CODES, missing
    band = _quota(rng, n, _AGE_BAND_SHARES)
    bounds = np.asarray(_AGE_BANDS)
    age = rng.integers(bounds[band, 0], bounds[band, 1] + 1)
    long_on_aid = _quota(rng, n, (0.325, 0.675)) == 1
    months_on_aid = np.where(
        long_on_aid,
        np.minimum(24 + np.round(rng.gamma(2.0, 22.0, n)).astype(np.int64), 600),
        rng.integers(0, 24, n),
    )

    linked = np.flatnonzero(previous >= 0)
    if linked.size:
        earlier = previous[linked]
        for trait in (municipality, gender, born_abroad, education, diagnosis):
            trait[linked] = trait[earlier]
        days_between = (start[linked] - start[earlier]).astype(np.int64)
        age[linked] = np.minimum(age[earlier] + days_between // 365, 66)
        months_on_aid[linked] = np.minimum(months_on_aid[earlier] + days_between // 30, 600)

    # The situation at start: activity means step 3 or higher on the ladder.
    active_start = _quota_by_group(rng, municipality, [(1 - s, s) for s in _ACTIVE_START_SHARES])
    active_start = active_start.astype(bool)
    u = rng.random(n)
    step_start = np.where(active_start, np.where(u < 0.75, 3, 4), np.where(u < 0.58, 1, 2))
    start_state_missing = _missing(rng, n, 0.02)

    # The situation at exit, for ended participations, consistent with DOMAIN's outcome rules.
    outcome = _quota_by_group(rng, municipality, _OUTCOME_SHARES, rows=ended)
    income_end = np.full(n, -1, dtype=np.int64)
    aid_end = np.full(n, -1, dtype=np.int64)
    exit_reason = np.full(n, -1, dtype=np.int64)
    helt, delvis, inget = _index(AID_END_CODES, "helt", "delvis", "inget")

    self_sufficient = outcome == _SELF
    # 0 work, 1 studies, 2 other income
    route = _quota_by_group(rng, municipality, _ROUTE_SHARES, self_sufficient)
    other_income = _index(INCOME_CODES, "a_kassa", "aktivitetsstod", "sjukpenning", "annan")[
        _quota(rng, n, (0.25, 0.25, 0.20, 0.30))
    ]
    other_exit = np.where(
        other_income == INCOME_CODES.index("annan"),
        _index(EXIT_CODES, "flyttat", "annat")[(u < 0.5).astype(np.int64)],
        np.where(
            other_income == INCOME_CODES.index("a_kassa"),
            EXIT_CODES.index("annat"),
            EXIT_CODES.index("annan_insats"),
        ),
    )
    route_income = np.append(_index(INCOME_CODES, "lon", "studiemedel"), -1)[np.clip(route, 0, 2)]
    route_exit = np.append(_index(EXIT_CODES, "arbete", "studier"), -1)[np.clip(route, 0, 2)]
    income_end = np.where(
        self_sufficient, np.where(route == 2, other_income, route_income), income_end
    )
    exit_reason = np.where(
        self_sufficient, np.where(route == 2, other_exit, route_exit), exit_reason
    )
    aid_end = np.where(self_sufficient, inget, aid_end)
    work_or_studies = self_sufficient & (route <= 1)

    sick = outcome == _SICK
    compensation = np.where(
        age < 30,
        INCOME_CODES.index("aktivitetsersattning"),
        INCOME_CODES.index("sjukersattning"),
    )
    income_end = np.where(sick, compensation, income_end)
    aid_end = np.where(
        sick, np.array([inget, delvis, helt])[_quota(rng, n, (0.5, 0.4, 0.1))], aid_end
    )
    exit_reason = np.where(sick, EXIT_CODES.index("ersattning"), exit_reason)

    continued = outcome == _AID
    income_end = np.where(continued, INCOME_CODES.index("ekonomiskt_bistand"), income_end)
    aid_end = np.where(continued, np.where(rng.random(n) < 0.7, helt, delvis), aid_end)
    aid_exits = _index(
        EXIT_CODES, "annan_insats", "avbrutet", "annat", "flyttat", "projektet_avslutat"
    )
    exit_reason = np.where(
        continued, aid_exits[_quota(rng, n, (0.35, 0.25, 0.20, 0.10, 0.10))], exit_reason
    )

    unknown = outcome == _UNKNOWN
    income_end = np.where(unknown & (rng.random(n) < 0.6), INCOME_CODES.index("okand"), income_end)
    unknown_exits = _index(EXIT_CODES, "avbrutet", "flyttat", "annat")
    exit_reason = np.where(unknown, unknown_exits[_quota(rng, n, (0.4, 0.3, 0.3))], exit_reason)

    # Activity at exit: an exact share of each municipality's ended participations. Work and
    # studies are activity, and those already active at start mostly stay active.
    active_end = np.zeros(n, dtype=bool)
    priority = 4.0 * work_or_studies + 2.0 * (active_start & (rng.random(n) < 0.85)) + u
    for m, share in enumerate(_ACTIVE_END_SHARES):
        rows = np.flatnonzero(ended & (municipality == m))
        wanted = max(round(share * rows.size), int(work_or_studies[rows].sum()))
        active_end[rows[np.argsort(-priority[rows], kind="stable")[:wanted]]] = True
    v = rng.random(n)
    # Those active at start rarely fall back a step while still active.
    step_when_active = np.maximum(np.where(v < 0.35, 3, np.where(v < 0.75, 4, 5)), step_start)
    step_when_passive = np.select(
        [step_start == 1, step_start == 2],
        [np.where(v < 0.55, 1, 2), np.where(v < 0.93, 2, 1)],
        default=2,
    )
    step_end = np.where(
        work_or_studies, 6, np.where(active_end, step_when_active, step_when_passive)
    )
    end_state_missing = (_missing(rng, n, 0.03) & ~work_or_studies) | ~ended

    codes = _municipality_codes()
    return case_frame(
        {
            "case_id": case_id,
            "project": project,
            "municipality": _codes(MUNICIPALITIES, municipality),
            MUNICIPALITY_CODE_FIELD: _codes([codes[name] for name in MUNICIPALITIES], municipality),
            "gender": _codes(GENDER_CODES, gender),
            "age": age,
            "age_group": _codes(AGE_GROUPS, _age_group_index(age)),
            "born_abroad": _codes((False, True), born_abroad),
            "education": _codes(EDUCATION_CODES, education),
            "start_date": start,
            "end_date": end,
            "months_on_aid": _nullify(months_on_aid, _missing(rng, n, 0.02)),
            "diagnosis_group": _codes(DIAGNOSIS_CODES, diagnosis),
            "sick_note": _nullify(rng.random(n) < 0.87, _missing(rng, n, 0.03)),
            "joint_plan": _nullify(rng.random(n) < 0.88, _missing(rng, n, 0.02)),
            "sip_meetings": _codes(
                range(6), _quota(rng, n, (0.62, 0.15, 0.10, 0.06, 0.04, 0.03, 0.03))
            ),
            "income_start": _codes(
                INCOME_CODES,
                _index(INCOME_CODES, "ekonomiskt_bistand", "ingen", "aktivitetsstod", "okand")[
                    _quota(rng, n, (0.92, 0.03, 0.02, 0.03))
                ],
            ),
            "active_start": _nullify(active_start, start_state_missing),
            "step_start": _nullify(step_start, start_state_missing),
            "income_end": _codes(INCOME_CODES, income_end),
            "aid_end": _codes(AID_END_CODES, aid_end),
            "active_end": _nullify(active_end, end_state_missing),
            "step_end": _nullify(step_end, end_state_missing),
            "exit_reason": _codes(EXIT_CODES, exit_reason),
            "anonymous": np.zeros(n, dtype=bool),
        }
    )


#: The end date and the fields describing the state at exit.
_END_FIELDS: tuple[str, ...] = ("end_date", *EXIT_FIELDS)
_KEPT_FOR_ANONYMOUS: frozenset[str] = frozenset(
    {f.name for f in FIELDS if f.required} | {MUNICIPALITY_CODE_FIELD, "anonymous"}
)


def _mark_misregistered(
    cases: pl.DataFrame, rows: np.ndarray, rng: np.random.Generator, last_day: date
) -> pl.DataFrame:
    """Turn ``rows`` into registrations made by mistake, closed within two weeks."""
    flag = pl.lit(pl.Series(rows))
    closed = pl.min_horizontal(
        pl.col("start_date") + pl.duration(days=pl.lit(pl.Series(rng.integers(0, 15, len(rows))))),
        pl.lit(last_day),
    )
    return cases.with_columns(
        pl.when(flag).then(closed).otherwise(pl.col("end_date")).alias("end_date"),
        pl.when(flag)
        .then(pl.lit("felregistrering"))
        .otherwise(pl.col("exit_reason"))
        .alias("exit_reason"),
        *(
            pl.when(flag).then(None).otherwise(pl.col(c)).alias(c)
            for c in _END_FIELDS
            if c not in ("end_date", "exit_reason")
        ),
    )


def _mark_anonymous(cases: pl.DataFrame, rows: np.ndarray) -> pl.DataFrame:
    """Anonymous participants carry only the required fields (DOMAIN: counted, not described)."""
    flag = pl.lit(pl.Series(rows))
    return cases.with_columns(
        *(
            pl.when(flag).then(None).otherwise(pl.col(c)).alias(c)
            for c in CASE_COLUMNS
            if c not in _KEPT_FOR_ANONYMOUS
        ),
        (pl.col("anonymous") | flag).alias("anonymous"),
    )


def _export_form(cases: pl.DataFrame) -> pl.DataFrame:
    """Canonical cases as a file carries them: Swedish headers, text values, ISO dates."""
    yes, no = CODE_LABELS["yesno"]["true"], CODE_LABELS["yesno"]["false"]
    columns = []
    for f in FIELDS:
        value = pl.col(f.name)
        if f.kind == "date":
            text = value.dt.strftime("%Y-%m-%d")
        elif f.kind == "yesno":
            text = pl.when(value).then(pl.lit(yes)).when(value.not_()).then(pl.lit(no))
        else:
            text = value.cast(pl.String)
        columns.append(text.cast(pl.String).alias(f.header))
    return cases.select(columns)


def _link_second_participations(
    rng: np.random.Generator, start: np.ndarray, end: np.ndarray, count: int
) -> np.ndarray:
    """Pick ``count`` later participations that belong to someone who took part before.

    The earlier participation has ended at least two weeks before the later one starts.
    """
    previous = np.full(start.shape[0], -1, dtype=np.int64)
    taken = np.zeros(start.shape[0], dtype=bool)
    done = 0
    for later in rng.permutation(start.shape[0]):
        if done == count:
            break
        if taken[later]:
            continue
        pool = np.flatnonzero(~taken & ~np.isnat(end) & (end + 14 < start[later]))
        if pool.size == 0:
            continue
        earlier = int(rng.choice(pool))
        previous[later] = earlier
        taken[[earlier, later]] = True
        done += 1
    return previous


def _person_ids(start: np.ndarray, previous: np.ndarray, prefix: str = "EB") -> pl.Series:
    """Pseudonymous ids numbered in order of each person's first start (``EB-0001``)."""
    n = len(start)
    person = np.where(previous >= 0, previous, np.arange(n))
    first_rows = np.flatnonzero(previous < 0)
    order = first_rows[np.argsort(start[first_rows], kind="stable")]
    number = np.empty(n, dtype=np.int64)
    number[order] = np.arange(1, order.size + 1)
    width = max(4, len(str(order.size)))
    digits = pl.Series(number[person]).cast(pl.String).str.zfill(width)
    return pl.select(pl.concat_str(pl.lit(f"{prefix}-"), pl.lit(digits))).to_series()


def _month_starts(first: str, last: str) -> np.ndarray:
    return np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)


def _draw_dates(
    rng: np.random.Generator, month_idx: np.ndarray, months: np.ndarray, last_day: date
) -> tuple[np.ndarray, np.ndarray]:
    """Start somewhere in the given month; stay a few months to two years; ongoing after
    ``last_day`` (an end date there has not happened yet)."""
    first_day = months[month_idx].astype("datetime64[D]")
    days_in_month = ((months[month_idx] + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    start = first_day + (rng.random(month_idx.size) * days_in_month).astype(np.int64)
    stay = np.clip(np.round(rng.lognormal(np.log(240), 0.55, month_idx.size)), 30, 720)
    end = start + stay.astype(np.int64)
    end = np.where(end > np.datetime64(last_day), np.datetime64("NaT", "D"), end)
    return start, end


# --------------------------------------------------------------------------- public API


def demo_cases(n_participations: int | None = None, seed: int = DEMO_SEED) -> pl.DataFrame:
    """The full life history of the demo förbund's participations, in canonical form.

    Columns and dtypes are ``ingest.schema.CASE_DTYPES``; end fields describe the state at
    exit, and participations still running at the end of 2019 have none.
    """
    n = _DEFAULT_PARTICIPATIONS if n_participations is None else n_participations
    rng = np.random.default_rng(seed)

    # Intake grows month by month; the second project starts in September 2018.
    months = _month_starts(REPORT_MONTHS[0], REPORT_MONTHS[_LAST_INTAKE_MONTH])
    m = np.arange(months.size)
    first_project = 10 + 0.4 * m
    second_project = np.where(m >= _SECOND_PROJECT_FIRST_MONTH, 6 + 0.5 * m, 0.0)
    cell = _quota(rng, n, np.concatenate([first_project, second_project]))
    project = _codes(PROJECTS, cell // months.size)
    start, end = _draw_dates(rng, cell % months.size, months, _DEMO_LAST_DAY)

    previous = _link_second_participations(rng, start, end, round(0.04 * n))
    cases = _case_frame(rng, _person_ids(start, previous), project, start, end, previous)

    # Mistakes and anonymous registrations only among people with a single participation.
    single = np.ones(n, dtype=bool)
    single[previous[previous >= 0]] = False
    single[previous >= 0] = False
    candidates = rng.permutation(np.flatnonzero(single))
    misregistered = np.zeros(n, dtype=bool)
    misregistered[candidates[: min(3, n // 50)]] = True
    anonymous = np.zeros(n, dtype=bool)
    first_anonymous = min(3, n // 50)
    anonymous[candidates[first_anonymous : first_anonymous + round(0.02 * n)]] = True

    cases = _mark_misregistered(cases, misregistered, rng, _DEMO_LAST_DAY)
    cases = _mark_anonymous(cases, anonymous)
    return cases.sort("start_date", "project", "case_id")


def demo_snapshot(cases: pl.DataFrame, report_month: str) -> pl.DataFrame:
    """The export as written at the end of ``report_month``, in file form (all text).

    Holds the participations started by then; end fields only for those ended by then.
    """
    month_end = _month_end(report_month)
    ended = pl.col("end_date").is_not_null() & (pl.col("end_date") <= month_end)
    snapshot = (
        cases.filter(pl.col("start_date") <= month_end)
        .with_columns(pl.when(ended).then(pl.col(c)).alias(c) for c in _END_FIELDS)
        .sort("start_date", "project", "case_id")
    )
    return _export_form(snapshot)


def demo_export_frame(n_rows: int, seed: int = 1) -> pl.DataFrame:
    """A large export in file form (Swedish headers, text values) for benchmarks.

    Built with whole-array operations, so a million rows take seconds. Keys
    ``(insats, deltagare_id, startdatum)`` are unique because every row is its own person.
    """
    rng = np.random.default_rng(seed)
    last_day = date(2024, 12, 31)
    months = _month_starts("2016-01", "2024-11")
    start, end = _draw_dates(rng, rng.integers(0, months.size, n_rows), months, last_day)
    previous = np.full(n_rows, -1, dtype=np.int64)
    project = _codes(PROJECTS, _quota(rng, n_rows, (0.6, 0.4)))
    cases = _case_frame(rng, _person_ids(start, previous), project, start, end, previous)
    anonymous = _missing(rng, n_rows, 0.02)
    misregistered = _missing(rng, n_rows, 0.001) & ~anonymous
    cases = _mark_misregistered(cases, misregistered, rng, last_day)
    return _export_form(_mark_anonymous(cases, anonymous))


# --------------------------------------------------------------------------- files

# How each month's file is written: the mix a förbund's spreadsheets really produce.
_XLSX_MONTHS = frozenset({"2018-06", "2019-06"})
_EXCEL_CSV_MONTHS = frozenset({"2018-03", "2018-09", "2019-03", "2019-09"})  # cp1252, ';'
_BOM_MONTHS = frozenset({"2018-12"})
_DATE_FIELDS = tuple(f.header for f in FIELDS if f.kind == "date")
_INTEGER_FIELDS = tuple(f.header for f in FIELDS if f.kind == "integer")


def _file_style(index: int, report_month: str) -> tuple[str, str, str, bool]:
    """(format, separator, encoding, with age group) for the file of one report month."""
    with_age_group = index % 3 != 1  # a third of the files leave aldersgrupp to be derived
    if report_month in _XLSX_MONTHS:
        return "xlsx", "", "", with_age_group
    if report_month in _EXCEL_CSV_MONTHS:
        return "csv", ";", "cp1252", with_age_group
    if report_month in _BOM_MONTHS:
        return "csv", ";", "utf-8-sig", with_age_group
    return "csv", ";" if index % 2 else ",", "utf-8", with_age_group


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    """One sheet ``Deltagare`` with real date and number cells, as Excel itself saves."""
    workbook = xlsxwriter.Workbook(str(path))
    # A fixed creation time keeps the file identical from run to run.
    workbook.set_properties({"title": DEMO_FORBUND, "created": datetime(2020, 1, 1)})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet(DEMO_SHEET)
    sheet.write_row(0, 0, frame.columns)
    for row_number, row in enumerate(frame.iter_rows(), start=1):
        for column, (header, value) in enumerate(zip(frame.columns, row, strict=True)):
            if value is None:
                continue
            if header in _DATE_FIELDS:
                sheet.write_datetime(row_number, column, datetime.fromisoformat(value), date_format)
            elif header in _INTEGER_FIELDS:
                sheet.write_number(row_number, column, int(value))
            else:
                sheet.write_string(row_number, column, value)
    workbook.close()


def write_demo_exports(directory: Path, seed: int = DEMO_SEED) -> list[Path]:
    """Write the 24 monthly exports (2018-01 .. 2019-12) into ``directory``.

    Mostly UTF-8 CSV (``,`` or ``;``, one with BOM), some Windows-1252 ``;`` files as Swedish
    Excel saves them, and XLSX. The same seed gives byte-identical files.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cases = demo_cases(seed=seed)
    anonymous_header = FIELDS_BY_NAME["anonymous"].header
    age_group_header = FIELDS_BY_NAME["age_group"].header
    no = CODE_LABELS["yesno"]["false"]
    written = []
    for index, report_month in enumerate(REPORT_MONTHS):
        frame = demo_snapshot(cases, report_month)
        kind, separator, encoding, with_age_group = _file_style(index, report_month)
        if not with_age_group:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(age_group_header))
        path = directory / f"{DEMO_FILE_PREFIX}_{report_month}.{kind}"
        if kind == "xlsx":
            _write_xlsx(frame, path)
        else:
            if encoding == "cp1252":
                # Hand-kept sheets often leave "Nej" blank; the format reads blank as Nej.
                frame = frame.with_columns(
                    pl.col(anonymous_header).replace(no, None).alias(anonymous_header)
                )
            line_end = "\r\n" if encoding != "utf-8" else "\n"
            text = frame.write_csv(separator=separator, line_terminator=line_end)
            path.write_bytes(text.encode(encoding))
        written.append(path)
    return written


def _describe(path: Path) -> str:
    kind = {"xlsx": "Excel"}.get(path.suffix.lstrip("."), "CSV")
    return f"{path} ({kind}, {path.stat().st_size} byte)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.generator",
        description=f"Skriv demodata: 24 månadsexporter från {DEMO_FORBUND}.",
    )
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="katalog att skriva till")
    parser.add_argument(
        "--seed", type=int, default=DEMO_SEED, help="slumpfrö (standard %(default)s)"
    )
    args = parser.parse_args(argv)
    paths = write_demo_exports(args.out_dir, seed=args.seed)
    print(f"{DEMO_FORBUND}: skrev {len(paths)} filer till {args.out_dir}")
    for path in paths:
        print(f"  {_describe(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
