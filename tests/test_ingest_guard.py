"""The personal-data guard: identity numbers, e-mail, phone numbers, columns, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest import format_report, mask_value, read_and_validate
from ingest.guard import find_personal_data

HEADER = "deltagare_id;insats;kommun;kon;startdatum;anteckning"


def kinds(value: str) -> set[str]:
    return {hit.kind for hit in find_personal_data(value)}


def check_digit(nine: str) -> str:
    """Luhn check digit, written out independently of the module under test."""
    digits = [int(c) for c in nine]
    doubled = [d * 2 if i % 2 == 0 else d for i, d in enumerate(digits)]
    total = sum(x - 9 if x > 9 else x for x in doubled)
    return str((10 - total % 10) % 10)


def with_check(yymmdd: str, serial: str) -> str:
    return yymmdd + serial + check_digit(yymmdd + serial)


def export(note: str, header: str = HEADER) -> bytes:
    return f"{header}\nD1;SAMRE;Sollentuna;K;2019-03-01;{note}\n".encode()


# --- identity and coordination numbers -------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "19121212-1212",  # Skatteverket's published test number
        "191212121212",
        "121212-1212",
        "1212121212",
        "121212+1212",  # over 100 years old
        "811218-9876",
        "19811218-9876",
    ],
)
def test_valid_identity_numbers_are_flagged(value: str) -> None:
    assert kinds(value) == {"personnummer"}


def test_coordination_number_day_plus_sixty_is_flagged() -> None:
    number = with_check("850171", "123")  # born on the 11th: 11 + 60
    assert kinds(number) == {"personnummer"}
    assert kinds(f"{number[:6]}-{number[6:]}") == {"personnummer"}


@pytest.mark.parametrize(
    "value",
    [
        "121212-1213",  # wrong check digit
        "1212121213",
        with_check("851301", "123"),  # month 13
        with_check("850132", "123"),  # day 32
        with_check("850192", "123"),  # day 92: beyond coordination numbers
        "21" + with_check("121212", "121"),  # century 21
        "1234567890",  # an ordinary 10-digit id
    ],
)
def test_impossible_or_wrongly_checked_numbers_are_not_personal_data(value: str) -> None:
    assert "personnummer" not in kinds(value)


def test_identity_number_embedded_in_text_is_flagged() -> None:
    assert kinds("Ring om 19121212-1212 efter lunch") == {"personnummer"}
    assert kinds("pnr:1212121212.") == {"personnummer"}


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
    coordination=st.booleans(),
    form=st.sampled_from(["short", "short-dash", "long", "long-dash", "in-text"]),
)
def test_any_valid_number_is_flagged_and_masked(
    birth: dt.date, serial: int, coordination: bool, form: str
) -> None:
    day = birth.day + (60 if coordination else 0)
    short_date = f"{birth:%y%m}{day:02d}"
    ten = with_check(short_date, f"{serial:03d}")
    century = f"{birth:%Y}"[:2]
    value = {
        "short": ten,
        "short-dash": f"{ten[:6]}-{ten[6:]}",
        "long": century + ten,
        "long-dash": f"{century}{ten[:6]}-{ten[6:]}",
        "in-text": f"kontakt {ten[:6]}-{ten[6:]} idag",
    }[form]
    assert kinds(value) == {"personnummer"}
    masked = mask_value(value)
    assert ten[6:] not in masked.replace(ten[:6], "")
    assert masked.count("****") == 1


@given(
    nine=st.text(alphabet="0123456789", min_size=9, max_size=9),
    offset=st.integers(min_value=1, max_value=9),
)
def test_a_wrong_check_digit_is_never_flagged(nine: str, offset: int) -> None:
    wrong = str((int(check_digit(nine)) + offset) % 10)
    assert "personnummer" not in kinds(nine + wrong)


# --- e-mail and phone numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["anna.svensson@exempel.se", "Mejla a.b+c@kommun.sollentuna.se i dag"]
)
def test_email_addresses_are_flagged(value: str) -> None:
    assert kinds(value) == {"epost"}


@pytest.mark.parametrize(
    "value",
    [
        "070-123 45 67",
        "08-123 456 78",
        "+46 70 123 45 67",
        "0701234567",
        "0046 70 123 45 67",
        "(08) 123 456 78",
        "ring 070-1234567 imorgon",
    ],
)
def test_swedish_phone_numbers_are_flagged(value: str) -> None:
    assert kinds(value) == {"telefon"}


@pytest.mark.parametrize(
    "value",
    [
        "2019-03-01",
        "2019-03-01 00:00:00",
        "2019-03-01 - 2019-04-30",
        "12",
        "0",
        "0114",
        "120",
        "12,0",
        "K",
        "psykiatrisk",
        "65+",
        "16-24",
        "SAMRE-000123",
        "D0000001",
        "00123456789",  # 00 without the Swedish country code
        "0701",  # too short
        "2019-03",
        "201903",
    ],
)
def test_ordinary_export_values_are_never_flagged(value: str) -> None:
    assert kinds(value) == set()
    assert mask_value(value) == value


# --- masking ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("191212121212", "19121212-****"),
        ("19121212-1212", "19121212-****"),
        ("121212-1212", "121212-****"),
        ("1212121212", "121212-****"),
        ("anna.svensson@exempel.se", "a***@***"),
        ("070-1234567", "070-*******"),
        ("0701234567", "070*******"),
        ("Ring 070-1234567 nu", "Ring 070-******* nu"),
    ],
)
def test_masking(value: str, masked: str) -> None:
    assert mask_value(value) == masked


# --- whole files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "rule"),
    [
        ("19121212-1212", "personnummer"),
        ("Kontakt: anna.svensson@exempel.se", "epost"),
        ("+46 70 123 45 67", "telefon"),
    ],
)
def test_file_with_personal_data_is_refused_and_never_repeats_it(note: str, rule: str) -> None:
    outcome = read_and_validate(export(note), "mars.csv")
    assert not outcome.ok
    assert outcome.cases is None
    problem = next(p for p in outcome.problems if p.rule == rule)
    assert problem.column == "anteckning"
    assert problem.rows == [2]
    assert problem.count == 1
    assert problem.examples == [mask_value(note)]
    assert "inget har sparats" in problem.message
    secret = note.split()[-1]
    for text in (repr(outcome), format_report(outcome), str(outcome.preview.rows())):
        assert secret not in text


def test_personal_data_in_a_known_column_is_caught_and_masked_everywhere() -> None:
    data = "deltagare_id;insats;kommun;kon;startdatum\n121212-1212;SAMRE;Sollentuna;K;2019-03-01\n"
    outcome = read_and_validate(data.encode(), "mars.csv")
    assert [p.rule for p in outcome.problems] == ["personnummer"]
    assert outcome.problems[0].column == "deltagare_id"
    assert "121212-1212" not in repr(outcome)
    assert outcome.preview.item(0, "deltagare_id") == "121212-****"


def test_identity_number_read_as_excel_number_is_caught(tmp_path) -> None:
    import xlsxwriter

    path = tmp_path / "mars.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Deltagare")
        sheet.write_row(0, 0, ["deltagare_id", "insats", "kommun", "kon", "startdatum", "x"])
        sheet.write_row(1, 0, ["D1", "SAMRE", "Sollentuna", "K", "2019-03-01"])
        sheet.write_number(1, 5, 191212121212)
    outcome = read_and_validate(path)
    assert [p.rule for p in outcome.problems] == ["personnummer"]
    assert outcome.problems[0].examples == ["19121212-****"]
    assert "191212121212" not in repr(outcome)


@pytest.mark.parametrize("header", ["Namn", "personnummer", "Adress", "Telefon", "E-post"])
def test_columns_named_like_personal_data_are_refused(header: str) -> None:
    outcome = read_and_validate(export("Anna Svensson", HEADER.replace("anteckning", header)))
    problem = next(p for p in outcome.problems if p.rule == "personuppgiftskolumn")
    assert problem.column == header
    assert not outcome.ok
    assert "Anna Svensson" not in repr(outcome)
    assert outcome.preview.item(0, header) == "***"


def test_header_holding_personal_data_is_masked() -> None:
    outcome = read_and_validate(export("x", HEADER.replace("anteckning", "19121212-1212")))
    assert any(p.rule == "personnummer" and p.rows == [1] for p in outcome.problems)
    assert "19121212-1212" not in repr(outcome)


# --- identity numbers in any spelling ----------------------------------------------------

_TEN = with_check("850101", "123")
_COORDINATION = with_check("850171", "456")  # born on the 11th: 11 + 60
_FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def spellings(ten: str, century: str = "19") -> dict[str, str]:
    """How people write one number: joined, any separator, split tail, full width."""
    date, tail = ten[:6], ten[6:]
    return {
        "12 siffror": century + ten,
        "12 med bindestreck": f"{century}{date}-{tail}",
        "12 med plus": f"{century}{date}+{tail}",
        "10 siffror": ten,
        "10 med bindestreck": f"{date}-{tail}",
        "10 med plus": f"{date}+{tail}",
        "12 med mellanslag": f"{century}{date} {tail}",
        "10 med mellanslag": f"{date} {tail}",
        "tankstreck": f"{date}\u2013{tail}",
        "långt tankstreck": f"{date}\u2014{tail}",
        "punkt": f"{date}.{tail}",
        "understreck": f"{date}_{tail}",
        "snedstreck": f"{date}/{tail}",
        "delad slutdel": f"{date}-{tail[:2]} {tail[2:]}",
        "blandad följd": f"{century}{date} - {tail[:1]}.{tail[1:]}",
        "fast mellanslag": f"{date}\u00a0{tail}",
        "osynligt tecken": f"{date}\u200b-{tail[:2]}\u00ad{tail[2:]}",
        "helbredd": f"{date}-{tail}".translate(_FULL_WIDTH),
        "helbredd 12": f"{century}{date}{tail}".translate(_FULL_WIDTH),
    }


SPELLINGS = [
    pytest.param(value, ten, id=f"{kind}: {name}")
    for kind, ten in (("personnummer", _TEN), ("samordningsnummer", _COORDINATION))
    for name, value in spellings(ten).items()
]


@pytest.mark.parametrize(("value", "ten"), SPELLINGS)
def test_identity_number_in_any_spelling_is_flagged_and_masked(value: str, ten: str) -> None:
    assert kinds(value) == {"personnummer"}
    masked = mask_value(value)
    assert masked in {
        f"{ten[:6]}-****",
        f"19{ten[:6]}-****",
        f"{ten[:6]}+****",
        f"19{ten[:6]}+****",
    }
    assert kinds(f"Ring om {value} efter lunch") == {"personnummer"}


@pytest.mark.parametrize(("value", "ten"), SPELLINGS)
def test_identity_number_as_participant_id_refuses_the_file(value: str, ten: str) -> None:
    data = f"deltagare_id;insats;kommun;kon;startdatum\n{value};SAMRE;Sollentuna;K;2019-03-01\n"
    outcome = read_and_validate(data.encode(), "mars_2019-03.csv")
    assert not outcome.ok
    problem = next(p for p in outcome.problems if p.rule == "personnummer")
    assert (problem.column, problem.rows) == ("deltagare_id", [2])
    shown = repr(outcome) + format_report(outcome) + str(outcome.preview.rows())
    assert value not in shown
    assert ten[6:] not in shown


@pytest.mark.parametrize("column", HEADER.split(";"))
def test_identity_number_is_caught_in_every_column(column: str) -> None:
    row = {"deltagare_id": "D1", "insats": "SAMRE", "kommun": "Sollentuna", "kon": "K"}
    row |= {"startdatum": "2019-03-01", "anteckning": "x", column: f"{_TEN[:6]} {_TEN[6:]}"}
    data = HEADER + "\n" + ";".join(row[h] for h in HEADER.split(";")) + "\n"
    outcome = read_and_validate(data.encode(), "mars.csv")
    assert [p.column for p in outcome.problems if p.rule == "personnummer"] == [column]


@pytest.mark.parametrize(
    "value",
    [
        "2019-03-01 12:36",
        "2019-03-01 - 2019-04-30",
        "01.02.2019",
        "1 234 567,50",
        "12 345 678",
        "0.12345678",
        "08.30-09.15",
        "kl. 08.30-09.15 och 13.00-14.30",
        "SAMRE-2019-03",
        "LB0000001",
        "Möte @ kontoret. Sedan lunch",
        "Vi ses at 10.30",
        "Nytt datum 2019-04-01, 3 timmar",
        "ärende 4711",
    ],
)
def test_ordinary_text_dates_and_amounts_are_not_personal_data(value: str) -> None:
    assert kinds(value) == set()
    assert mask_value(value) == value


def test_the_demo_data_and_the_benchmark_export_hold_no_personal_data() -> None:
    from benchmarks.ingest import demo_export
    from demo.generator import demo_cases

    for frame in (demo_cases(), demo_export(20_000)):
        for column in frame.columns:
            values = frame.get_column(column).cast(str).drop_nulls().unique().to_list()
            assert [v for v in values if find_personal_data(v)] == [], column


# --- contact details, obfuscated --------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "anna(at)exempel.se",
        "anna @ exempel.se",
        "anna[at]exempel.se",
        "anna (AT) exempel (dot) se",
        "anna at exempel dot se",
        "anna at exempel punkt se",
        "anna(snabel-a)exempel.se",
        "mejla anna\uff20exempel.se",  # full-width @
    ],
)
def test_obfuscated_email_addresses_are_flagged_and_masked(value: str) -> None:
    assert kinds(value) == {"epost"}
    assert "exempel" not in mask_value(value)
    assert "a***@***" in mask_value(value)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("46701234567", "467********"),
        ("46 70 123 45 67", "46 ** *** ** **"),
        ("070.123.45.67", "070.***.**.**"),
        ("070/123 45 67", "070/*** ** **"),
        ("070\u2013123 45 67", "070\u2013*** ** **"),
        ("ring ０７０１２３４５６７", "ring 070*******"),
    ],
)
def test_phone_numbers_in_other_spellings_are_flagged_and_masked(value: str, masked: str) -> None:
    assert kinds(value) == {"telefon"}
    assert mask_value(value) == masked


@pytest.mark.parametrize(
    "note", ["46701234567", "070.123.45.67", "anna(at)exempel.se", "anna @ exempel.se"]
)
def test_obfuscated_contact_details_in_a_text_field_refuse_the_file(note: str) -> None:
    outcome = read_and_validate(export(note), "mars.csv")
    assert not outcome.ok
    assert [p.column for p in outcome.problems] == ["anteckning"]
    assert note not in repr(outcome) + format_report(outcome) + str(outcome.preview.rows())


# --- personal-data headers in English and short forms ------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Name",
        "ssn",
        "Mobilnr",
        "Kontaktperson",
        "first name",
        "LastName",
        "efternamn",
        "email",
        "phone",
        "mobil",
        "tel",
        "address",
        "personnr",
        "pnr",
        "samordningsnr",
        "Deltagarens namn",
        "Namn (för- och efternamn)",
        "Födelsedatum",
    ],
)
def test_personal_data_headers_in_any_language_are_refused_and_never_shown(header: str) -> None:
    outcome = read_and_validate(export("Anna Svensson", HEADER.replace("anteckning", header)))
    assert not outcome.ok
    problem = next(p for p in outcome.problems if p.rule == "personuppgiftskolumn")
    assert problem.column == header
    assert outcome.preview.item(0, header) == "***"
    assert "Anna" not in repr(outcome) + format_report(outcome)
    assert not any(header in w for w in outcome.warnings)


def test_canonical_headers_and_names_of_things_are_not_personal_data() -> None:
    from ingest import schema

    headers = [f.header for f in schema.FIELDS] + [a for f in schema.FIELDS for a in f.aliases]
    headers += [f.label for f in schema.FIELDS] + ["rapportmanad", "Rapportmånad", "KÖN"]
    headers += ["Projektnamn", "Project name", "Insatsens namn", "kommun_namn", "Anteckning"]
    headers += ["Ansvarig nämnd", "Antal kontakter", "Kontaktdatum", "Mobilitet", "Filnamn"]
    assert [h for h in headers if schema.is_personal_data_header(h)] == []


# --- file and sheet names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("198501011236_2019-03.csv", "19850101-****_2019-03.csv"),
        ("850101-1236_bad_2019-03.csv", "850101-****_bad_2019-03.csv"),
        ("anna@exempel.se_2019-03.csv", "a***@***"),
    ],
)
def test_a_file_name_holding_personal_data_refuses_the_file_and_is_masked(
    name: str, shown: str
) -> None:
    outcome = read_and_validate(export("x"), name)
    assert not outcome.ok
    assert outcome.file_name.startswith(shown)
    assert any("Filnamnet" in p.message and shown in p.message for p in outcome.problems)
    assert name not in repr(outcome) + format_report(outcome)


def test_a_sheet_name_holding_personal_data_refuses_the_workbook(tmp_path) -> None:
    import xlsxwriter

    path = tmp_path / "mars.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Deltagare")
        sheet.write_row(0, 0, ["deltagare_id", "insats", "kommun", "kon", "startdatum"])
        sheet.write_row(1, 0, ["D1", "SAMRE", "Sollentuna", "K", "2019-03-01"])
        book.add_worksheet("850101 1236 Anna")
    outcome = read_and_validate(path)
    assert not outcome.ok
    (problem,) = outcome.problems
    assert problem.rule == "personnummer"
    assert "Bladet '850101-**** Anna'" in problem.message
    assert "1236" not in repr(outcome)
