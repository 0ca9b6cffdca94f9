"""The demo data set: 24 monthly exports of a fictitious förbund that look and behave real."""

from __future__ import annotations

import calendar
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from demo import generator
from demo.generator import (
    DEMO_SEED,
    REPORT_MONTHS,
    demo_cases,
    demo_export_frame,
    demo_snapshot,
    write_demo_exports,
)
from ingest.schema import AGE_GROUPS, CASE_DTYPES, CODE_LABELS, FIELDS, FIELDS_BY_NAME

YES, NO = CODE_LABELS["yesno"]["true"], CODE_LABELS["yesno"]["false"]
HEADERS = [f.header for f in FIELDS]
END_HEADERS = [
    FIELDS_BY_NAME[name].header
    for name in ("end_date", "income_end", "aid_end", "active_end", "step_end", "exit_reason")
]
KOMMUN_CODES = dict(
    pl.read_csv(
        Path(__file__).resolve().parents[1] / "data" / "kommuner.csv",
        schema_overrides={"kommunkod": pl.String},
    )
    .select("kommun", "kommunkod")
    .iter_rows()
)
KOMMUNER = set(KOMMUN_CODES)
SEEDS = [DEMO_SEED, 1, 2]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def cases() -> pl.DataFrame:
    return demo_cases()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_demo_exports(tmp_path_factory.mktemp("demo"))


def month_end(report_month: str) -> date:
    year, month = map(int, report_month.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def outcome_family(frame: pl.DataFrame) -> pl.Series:
    """DOMAIN.md's outcome rules, written out independently of the generator."""
    return frame.select(
        pl.when(pl.col("exit_reason") == "felregistrering")
        .then(pl.lit("excluded"))
        .when(pl.col("income_end").is_in(["sjukersattning", "aktivitetsersattning"]))
        .then(pl.lit("sick_compensation"))
        .when(pl.col("aid_end") == "inget")
        .then(pl.lit("self_sufficient"))
        .when(pl.col("aid_end").is_in(["helt", "delvis"]))
        .then(pl.lit("continued_aid"))
        .otherwise(pl.lit("unknown"))
    ).to_series()


def export_rule_breaches(frame: pl.DataFrame) -> list[str]:
    """Every rule of the export format an export-form frame breaks (empty when valid)."""
    problems: list[str] = []
    if frame.columns != HEADERS:
        problems.append(f"headers {frame.columns}")
    for f in FIELDS:
        column = frame[f.header]
        filled = column.drop_nulls()
        if f.required and column.null_count():
            problems.append(f"{f.header}: {column.null_count()} empty required cells")
        if f.kind == "code":
            unknown = set(filled) - set(f.codes)
            if unknown:
                problems.append(f"{f.header}: unknown codes {unknown}")
        elif f.kind == "yesno":
            if set(filled) - {YES, NO}:
                problems.append(f"{f.header}: not Ja/Nej")
        elif f.kind == "integer":
            numbers = filled.cast(pl.Int64)
            if f.minimum is not None and (numbers < f.minimum).any():
                problems.append(f"{f.header}: below {f.minimum}")
            if f.maximum is not None and (numbers > f.maximum).any():
                problems.append(f"{f.header}: above {f.maximum}")
        elif f.kind == "date" and not filled.str.contains(ISO_DATE.pattern).all():
            problems.append(f"{f.header}: not ISO dates")
        if f.max_length and (filled.str.len_chars() > f.max_length).any():
            problems.append(f"{f.header}: longer than {f.max_length}")
    if set(frame["kommun"]) - KOMMUNER:
        problems.append(f"kommun: unknown {set(frame['kommun']) - KOMMUNER}")
    start = frame["startdatum"].str.to_date()
    end = frame["slutdatum"].str.to_date()
    if (end < start).any():
        problems.append("slutdatum before startdatum")
    if frame.select("insats", "deltagare_id", "startdatum").is_duplicated().any():
        problems.append("duplicate (insats, deltagare_id, startdatum)")
    ages = frame.filter(pl.col("aldersgrupp").is_not_null() & pl.col("alder").is_not_null())
    age = pl.col("alder").cast(pl.Int64)
    group_index = pl.sum_horizontal((age >= lower).cast(pl.Int64) for lower in (25, 35, 45, 55, 65))
    derived = ages.select(group_index.replace_strict(dict(enumerate(AGE_GROUPS)))).to_series()
    if (derived != ages["aldersgrupp"]).any():
        problems.append("aldersgrupp does not match alder")
    ongoing = frame.filter(pl.col("slutdatum").is_null())
    if ongoing.select(pl.any_horizontal(pl.col(END_HEADERS).is_not_null())).to_series().any():
        problems.append("end fields on an ongoing participation")
    anonymous = frame.filter(pl.col("anonym") == YES)
    optional = [f.header for f in FIELDS if not f.required and f.header != "anonym"]
    if anonymous.select(pl.any_horizontal(pl.col(optional).is_not_null())).to_series().any():
        problems.append("anonymous participant with optional fields")
    problems.extend(personal_data_breaches(frame))
    return problems


def personal_data_breaches(frame: pl.DataFrame) -> list[str]:
    looks_personal = re.compile(
        r"^\d{6}(\d{2})?[-+]?\d{4}$"  # personal identity / coordination number
        r"|@"  # e-mail
        r"|^\+?\d[\d\s-]{6,}$"  # phone number
    )
    return [
        f"{column}: {value!r} looks like personal data"
        for column in frame.columns
        for value in frame[column].drop_nulls().unique()
        if not ISO_DATE.match(str(value)) and looks_personal.search(str(value))
    ]


def read_export(path: Path) -> pl.DataFrame:
    """Read a demo file back as text, the way a user's file arrives."""
    if path.suffix == ".xlsx":
        frame = pl.read_excel(path, sheet_name="Deltagare")
        return frame.with_columns(
            pl.col(pl.Date).dt.strftime("%Y-%m-%d"), pl.all().exclude(pl.Date).cast(pl.String)
        ).select(HEADERS)
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        text = raw[3:].decode("utf-8")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
    separator = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    return pl.read_csv(text.encode(), separator=separator, infer_schema=False)


# --------------------------------------------------------------------------- files


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = write_demo_exports(tmp_path / "a")
    second = write_demo_exports(tmp_path / "b")
    other = write_demo_exports(tmp_path / "c", seed=DEMO_SEED + 1)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert any(a.read_bytes() != c.read_bytes() for a, c in zip(first, other, strict=True))


def _report_month(path: Path) -> str:
    found = re.search(r"\d{4}-\d{2}", path.name)
    assert found is not None, f"{path.name} names no report month"
    return found.group(0)


def test_24_files_one_per_report_month(exports: list[Path]) -> None:
    assert len(exports) == 24
    months = [_report_month(p) for p in exports]
    assert months == [f"{y}-{m:02d}" for y in (2018, 2019) for m in range(1, 13)]
    assert all(p.exists() and p.stat().st_size > 0 for p in exports)


def test_files_come_in_the_formats_users_send(exports: list[Path]) -> None:
    xlsx = [p for p in exports if p.suffix == ".xlsx"]
    assert xlsx
    sheet = pl.read_excel(xlsx[0], sheet_name="Deltagare")
    assert sheet["startdatum"].dtype == pl.Date  # real date cells, not text

    csvs = [p.read_bytes() for p in exports if p.suffix == ".csv"]
    cp1252 = [raw for raw in csvs if not raw.startswith(b"\xef\xbb\xbf") and not _is_utf8(raw)]
    assert cp1252, "no Windows-1252 file"
    assert any("Väsby" in raw.decode("cp1252") for raw in cp1252)
    assert all(raw.decode("cp1252").splitlines()[0].count(";") == 24 for raw in cp1252)
    assert any(raw.startswith(b"\xef\xbb\xbf") for raw in csvs), "no UTF-8 file with BOM"
    utf8 = [raw.decode("utf-8") for raw in csvs if _is_utf8(raw)]
    assert any(text.splitlines()[0].count(",") == 24 for text in utf8)
    assert any(text.splitlines()[0].count(";") == 24 for text in utf8)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_every_file_holds_its_snapshot_and_obeys_the_format(
    exports: list[Path], cases: pl.DataFrame
) -> None:
    left_to_derive = 0
    for path, month in zip(exports, REPORT_MONTHS, strict=True):
        read = read_export(path)
        expected = demo_snapshot(cases, month)
        assert export_rule_breaches(read) == [], path.name
        if read["aldersgrupp"].null_count() == read.height:
            left_to_derive += 1
            expected = expected.with_columns(pl.lit(None, dtype=pl.String).alias("aldersgrupp"))
        # A blank anonym cell means Nej in the format; some files leave it blank.
        read = read.with_columns(pl.col("anonym").fill_null(NO))
        assert read.equals(expected), path.name
    assert left_to_derive >= 2, "some files should leave aldersgrupp to be derived from alder"


# --------------------------------------------------------------------------- snapshots


def test_snapshots_grow_month_by_month_and_show_exits_only_once_they_happen(
    cases: pl.DataFrame,
) -> None:
    key = ["insats", "deltagare_id", "startdatum"]
    previous: pl.DataFrame | None = None
    for month in REPORT_MONTHS:
        snapshot = demo_snapshot(cases, month)
        last_day = month_end(month)
        assert export_rule_breaches(snapshot) == [], month
        assert (snapshot["startdatum"].str.to_date() <= last_day).all()
        assert (snapshot["slutdatum"].str.to_date().drop_nulls() <= last_day).all()
        ended_later = cases.filter(
            (pl.col("start_date") <= last_day) & (pl.col("end_date") > last_day)
        )
        shown = snapshot.join(
            ended_later.select(
                pl.col("project").alias("insats"),
                pl.col("case_id").alias("deltagare_id"),
                pl.col("start_date").dt.strftime("%Y-%m-%d").alias("startdatum"),
            ),
            on=key,
        )
        assert shown.height == ended_later.height
        assert shown.select(pl.col(END_HEADERS).null_count()).row(0) == (shown.height,) * 6
        if previous is not None:
            assert snapshot.height >= previous.height
            assert previous.select(key).join(snapshot, on=key, how="anti").is_empty()
            # What was reported as ended stays ended, with the same end fields.
            ended_before = previous.filter(pl.col("slutdatum").is_not_null())
            assert ended_before.join(snapshot, on=HEADERS, how="anti", nulls_equal=True).is_empty()
        previous = snapshot
    assert previous is not None and previous.height == cases.height


# --------------------------------------------------------------------------- content


def test_cases_are_canonical_and_fictitious(cases: pl.DataFrame) -> None:
    assert cases.schema == pl.Schema(CASE_DTYPES)
    assert 350 <= cases.height <= 450
    assert cases["case_id"].str.contains(r"^EB-\d{4}$").all()
    assert set(cases["municipality"]) == {"Sollentuna", "Upplands Väsby", "Sigtuna"}
    assert len(set(cases["project"])) == 2
    codes = cases["municipality"].replace_strict(KOMMUN_CODES)
    assert (codes == cases["municipality_code"]).all()
    assert cases["age"].drop_nulls().is_between(18, 66).all()
    assert (cases["end_date"] >= cases["start_date"]).all()
    assert (cases["end_date"].drop_nulls() <= date(2019, 12, 31)).all()
    twice = cases.group_by("case_id").agg(pl.col("start_date").n_unique().alias("starts"))
    assert twice.filter(pl.col("starts") >= 2).height >= 3, "some people take part twice"
    assert personal_data_breaches(cases.select(pl.all().cast(pl.String))) == []


def test_a_person_with_two_participations_stays_the_same_person(cases: pl.DataFrame) -> None:
    repeated = cases.filter(pl.col("case_id").is_duplicated()).sort("case_id", "start_date")
    assert repeated.height > 0
    per_person = repeated.group_by("case_id").agg(
        pl.col("gender", "municipality", "born_abroad").n_unique(),
        pl.col("start_date").first().alias("first_start"),
        pl.col("end_date").first().alias("first_end"),
        pl.col("start_date").last().alias("second_start"),
    )
    assert (per_person["gender"] == 1).all() and (per_person["municipality"] == 1).all()
    assert (per_person["first_end"] < per_person["second_start"]).all()


def test_end_fields_are_consistent_with_the_exit(cases: pl.DataFrame) -> None:
    ended = cases.filter(pl.col("end_date").is_not_null())
    ongoing = cases.filter(pl.col("end_date").is_null())
    end_columns = ["income_end", "aid_end", "active_end", "step_end", "exit_reason"]
    assert ongoing.select(pl.col(end_columns).null_count()).row(0) == (ongoing.height,) * 5
    work = ended.filter(pl.col("exit_reason") == "arbete")
    assert work.height > 0
    assert (work["income_end"] == "lon").all() and (work["aid_end"] == "inget").all()
    studies = ended.filter(pl.col("exit_reason") == "studier")
    assert (studies["income_end"] == "studiemedel").all()
    assert (studies["aid_end"] == "inget").all()
    compensation = ended.filter(pl.col("exit_reason") == "ersattning")
    assert compensation["income_end"].is_in(["sjukersattning", "aktivitetsersattning"]).all()
    assert (ended.filter(pl.col("income_end") == "aktivitetsersattning")["age"] < 30).all()
    in_work_or_studies = ended.filter(pl.col("exit_reason").is_in(["arbete", "studier"]))
    assert (in_work_or_studies["step_end"] == 6).all()
    assert in_work_or_studies["active_end"].all()


def test_misregistrations_and_anonymous_participants(cases: pl.DataFrame) -> None:
    mistakes = cases.filter(pl.col("exit_reason") == "felregistrering")
    assert 2 <= mistakes.height <= 3
    assert (
        mistakes.select("income_end", "aid_end", "step_end").null_count().row(0)
        == (mistakes.height,) * 3
    )
    anonymous = cases.filter(pl.col("anonymous"))
    assert 0.01 <= anonymous.height / cases.height <= 0.03
    required = {f.name for f in FIELDS if f.required} | {"municipality_code", "anonymous"}
    optional = [c for c in cases.columns if c not in required]
    assert anonymous.select(pl.col(optional).null_count()).row(0) == (anonymous.height,) * len(
        optional
    )


def _described(cases: pl.DataFrame) -> pl.DataFrame:
    """Participants who are described: not anonymous, not registered by mistake."""
    return cases.filter(
        ~pl.col("anonymous") & (pl.col("exit_reason").fill_null("") != "felregistrering")
    )


def _share(frame: pl.DataFrame, condition: pl.Expr, known: pl.Expr) -> float:
    return frame.filter(known).select(condition.mean()).item()


def _mean(series: pl.Series) -> float:
    """The mean of a numeric or true/false column; an empty column fails the test."""
    value = series.mean()
    assert isinstance(value, int | float), f"{series.name} has no mean"
    return float(value)


@pytest.mark.parametrize("seed", SEEDS)
def test_who_the_participants_are(seed: int) -> None:
    people = _described(demo_cases(seed=seed))
    diagnosis = pl.col("diagnosis_group")
    assert 0.38 <= _share(people, diagnosis == "psykiatrisk", diagnosis.is_not_null()) <= 0.53
    aid = pl.col("months_on_aid")
    assert 0.65 <= _share(people, aid >= 24, aid.is_not_null()) <= 0.70
    gender = people["gender"].value_counts(normalize=True)
    women = dict(zip(gender["gender"], gender["proportion"], strict=True))
    assert 0.55 <= women["K"] <= 0.65 and 0.35 <= women["M"] <= 0.45 and 0 < women["X"] < 0.04
    abroad = pl.col("born_abroad")
    assert 0.50 <= _share(people, abroad, abroad.is_not_null()) <= 0.60
    age = pl.col("age")
    assert _share(people, age.is_between(35, 60), age.is_not_null()) >= 0.6
    plan = pl.col("joint_plan")
    assert 0.75 <= _share(people, plan, plan.is_not_null()) < 1
    sip = pl.col("sip_meetings")
    assert 0.10 <= _share(people, sip >= 1, sip.is_not_null()) <= 0.50
    education = pl.col("education")
    unknown = education.is_null() | (education == "okand")
    assert 0.05 <= _share(people, unknown, pl.lit(True)) <= 0.10


@pytest.mark.parametrize("seed", SEEDS)
def test_movement_on_the_ladder_and_into_activity(seed: int) -> None:
    people = _described(demo_cases(seed=seed))
    step = pl.col("step_start")
    assert _share(people, step <= 2, step.is_not_null()) >= 0.8
    ended = people.filter(pl.col("end_date").is_not_null())
    steps = ended.filter(pl.col("step_start").is_not_null() & pl.col("step_end").is_not_null())
    up = _mean(steps["step_end"] > steps["step_start"])
    same = _mean(steps["step_end"] == steps["step_start"])
    down = _mean(steps["step_end"] < steps["step_start"])
    assert up >= 0.35 and same >= 0.1 and 0 < down <= 0.10

    both = ended.filter(pl.col("active_start").is_not_null() & pl.col("active_end").is_not_null())
    assert 0.10 <= _mean(both["active_start"]) <= 0.20
    assert 0.35 <= _mean(both["active_end"]) <= 0.50
    by_municipality = both.group_by("municipality").agg(pl.col("active_end").mean())
    shares = sorted(by_municipality["active_end"])
    assert shares[1] - shares[0] >= 0.15, "one municipality clearly behind on activity at exit"


@pytest.mark.parametrize("seed", SEEDS)
def test_outcomes_split_in_thirds_with_a_few_unknown(seed: int) -> None:
    cases = demo_cases(seed=seed)
    ended = cases.filter(pl.col("end_date").is_not_null())
    family = outcome_family(ended).filter(outcome_family(ended) != "excluded")
    shares = family.value_counts(normalize=True)
    share = dict(zip(shares[shares.columns[0]], shares["proportion"], strict=True))
    for name in ("self_sufficient", "sick_compensation", "continued_aid"):
        assert 0.25 <= share[name] <= 0.42, name
    assert 0 < share["unknown"] <= 0.08
    sick = ended.filter(outcome_family(ended) == "sick_compensation")
    with_aid = _mean(sick["aid_end"].is_in(["helt", "delvis"]))
    assert 0.2 <= with_aid <= 0.8, "part of those on compensation keep complementary aid"
    assert 0.4 <= ended.height / cases.height <= 0.7


def test_intake_grows_over_the_two_years(cases: pl.DataFrame) -> None:
    per_year = cases.group_by(pl.col("start_date").dt.year()).len().sort("start_date")
    assert per_year["len"][1] > per_year["len"][0]
    assert demo_cases(n_participations=120).height == 120


# --------------------------------------------------------------------------- large frame


def test_large_export_frame_is_valid_and_keyed() -> None:
    frame = demo_export_frame(1000)
    assert frame.height == 1000
    assert frame.schema == pl.Schema(dict.fromkeys(HEADERS, pl.String))
    assert not frame.select("insats", "deltagare_id", "startdatum").is_duplicated().any()
    assert export_rule_breaches(frame) == []
    assert frame["slutdatum"].null_count() < frame.height  # both ended and ongoing
    assert frame["anonym"].eq(YES).any()
    assert demo_export_frame(1000).equals(frame)
    assert not demo_export_frame(1000, seed=2).equals(frame)


# --------------------------------------------------------------------------- command line


def test_command_line_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert generator.main([str(tmp_path / "ut")]) == 0
    written = sorted((tmp_path / "ut").iterdir())
    assert len(written) == 24
    printed = capsys.readouterr().out
    assert "24 filer" in printed
    assert all(p.name in printed for p in written)


# --------------------------------------------------------------------------- ingest


def test_every_demo_file_passes_validation(exports: list[Path]) -> None:
    import ingest

    read_and_validate = getattr(ingest, "read_and_validate", None)
    if read_and_validate is None:
        pytest.skip("ingest.read_and_validate is not available yet")
    for path in exports:
        outcome = read_and_validate(path.read_bytes(), path.name)
        assert outcome.ok, (path.name, outcome.problems)
