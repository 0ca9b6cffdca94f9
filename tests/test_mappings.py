"""Mappings stored as versions, the mapping commands, and suggestions for three sheet styles."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

import cli
from access.roles import AccessDenied, User, system_user
from ingest.mapping import parse_mapping
from ingest.pipeline import read_and_validate
from ingest.reader import read_table
from ingest.suggest import SURE, suggest_mapping
from mappings.service import latest_mapping, list_mappings, mapping_for_headers, save_mapping
from store import Store
from tests.test_ingest_mapping import HEADERS, MAPPING_TOML, ROWS, _csv, _xlsx


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = cli.build_parser()
    try:
        parsed = parser.parse_args(args)
        code = parsed.handler(parsed)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# -- storage ---------------------------------------------------------------------------


def test_each_changing_save_is_a_new_audited_version(database_url: str) -> None:
    store = Store(database_url)
    try:
        first = parse_mapping(MAPPING_TOML)
        stored, changed = save_mapping(store, first, system_user("anna"))
        assert (stored.version, changed) == (1, True)
        assert save_mapping(store, parse_mapping(MAPPING_TOML), system_user("anna"))[1] is False

        second = parse_mapping(MAPPING_TOML)
        second.values["forsorjning_start"]["SjP"] = "sjukpenning"
        stored, changed = save_mapping(store, second, system_user("bertil"))
        assert (stored.version, changed, stored.saved_by) == (2, True, "bertil")
        latest = latest_mapping(store, "Vägval")
        assert latest is not None and latest.mapping == second
        assert [s.version for s in list_mappings(store)] == [2]

        saves = [e for e in store.audit_entries() if e["action"] == "mapping_save"]
        assert [e["detail"]["version"] for e in saves] == [2, 1]
        assert saves[0]["detail"]["changes"] == [
            ["values.forsorjning_start", "SjP", None, "sjukpenning"]
        ]
        assert saves[0]["actor"] == "bertil"
    finally:
        store.close()


def test_a_viewer_may_not_save_a_mapping(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    viewer = User("lisa", frozenset({"viewer"}), mode="signin")
    with pytest.raises(AccessDenied):
        save_mapping(store, parse_mapping(MAPPING_TOML), viewer)
    assert latest_mapping(store, "Vägval") is None
    assert store.audit_entries()[0]["action"] == "refused"
    store.close()


def test_saved_mapping_is_found_by_the_files_headers(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    save_mapping(store, parse_mapping(MAPPING_TOML), system_user("anna"))
    headers = list(parse_mapping(MAPPING_TOML).columns)
    found = mapping_for_headers(store, [h.upper() for h in headers])
    assert found is not None and found.version == 1
    assert mapping_for_headers(store, [*headers, "Ny kolumn"]) is None
    store.close()


def test_migrated_mapping_table_matches_its_definition(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from store.mapping_store import metadata

    ours_tables = set(metadata.tables)
    store = Store(database_url)

    def ours(name: str | None, kind: str, parent: dict) -> bool:
        if kind == "schema":
            return True
        return (name if kind == "table" else parent.get("table_name")) in ours_tables

    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": ours})
            assert compare_metadata(context, metadata) == []
    finally:
        store.close()


# -- commands ----------------------------------------------------------------------------


def test_commands_suggest_import_export_list_and_import_a_file(
    tmp_path, sqlite_url, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    sheet = tmp_path / "vagval_2019-12.xlsx"
    sheet.write_bytes(_xlsx(ROWS))

    code, draft, _ = run_cli(["mapping", "suggest", str(sheet), "--project", "Vägval"], capsys)
    assert code == 0
    assert "header_row = 3" in draft and "stop_at_blank_row = true" in draft
    source = tmp_path / "vagval.toml"
    source.write_text(draft, encoding="utf-8")

    # Without a mapping the sheet is refused, as before.
    assert run_cli(["import", str(sheet)], capsys)[0] == 1
    code, out, _ = run_cli(["import", str(sheet), "--mapping", str(source)], capsys)
    assert code == 0, out
    assert "Importerad: Vägval 2019-12, 3 rader" in out

    assert run_cli(["mapping", "import", str(source)], capsys)[:2] == (
        0,
        "Kopplingen för Vägval sparad som version 1.\n",
    )
    assert "oförändrad" in run_cli(["mapping", "import", str(source)], capsys)[1]
    code, exported, _ = run_cli(["mapping", "export", "--project", "Vägval"], capsys)
    assert code == 0
    assert parse_mapping(exported) == parse_mapping(draft)
    code, listing, _ = run_cli(["mapping", "list"], capsys)
    assert code == 0 and "Vägval" in listing and "     1" in listing

    nxt = tmp_path / "vagval_2020-01.xlsx"
    rows = [list(r) for r in ROWS]
    rows[0][0] = "V-9"
    nxt.write_bytes(_xlsx(rows))
    code, out, _ = run_cli(["import", str(nxt), "--project", "Vägval"], capsys)
    assert code == 0, out
    assert "version 1" in out and "Vägval 2020-01, 3 rader" in out


def test_command_exit_codes(tmp_path, sqlite_url, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    sheet = tmp_path / "vagval_2019-12.csv"
    sheet.write_bytes(_csv(ROWS))
    bad = tmp_path / "fel.toml"
    bad.write_text('[mapping]\nproject = "V"\n[columns]\n"A" = "personnr"\n', encoding="utf-8")
    good = tmp_path / "ok.toml"
    good.write_text(MAPPING_TOML, encoding="utf-8")

    code, _, err = run_cli(["mapping", "import", str(bad)], capsys)
    assert code == 1 and "okänd rubrik" in err and "inget har ändrats" in err
    assert run_cli(["mapping", "import", str(tmp_path / "saknas.toml")], capsys)[0] == 2
    assert run_cli(["mapping", "export", "--project", "Vägval"], capsys)[0] == 1
    assert run_cli(["mapping", "export"], capsys)[0] == 2
    assert run_cli(["import", str(sheet), "--project", "Vägval"], capsys)[0] == 1
    assert run_cli(["import", str(sheet), "--mapping", str(bad)], capsys)[0] == 1
    both = ["import", str(sheet), "--mapping", str(good), "--project", "Vägval"]
    assert run_cli(both, capsys)[0] == 2

    monkeypatch.setenv("LAGESBILD_CLI_ROLES", "viewer")
    code, _, err = run_cli(["mapping", "import", str(good)], capsys)
    assert code == 1 and "behörighet" in err
    store = Store(sqlite_url)
    assert latest_mapping(store, "Vägval") is None
    store.close()


def test_suggest_refuses_a_file_with_personal_data_and_echoes_none(
    tmp_path, sqlite_url, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    rows = [list(r) for r in ROWS]
    rows[1][8] = "19121212-1212"  # in a coded column, where a draft would quote it
    sheet = tmp_path / "vagval.csv"
    sheet.write_bytes(_csv(rows))
    code, out, err = run_cli(["mapping", "suggest", str(sheet)], capsys)
    assert code == 1 and out == ""
    assert "personnummer" in err and "rad 5" in err
    assert "19121212-1212" not in out + err
    assert "Orsak till avslut" in err
    # Below the command too: the suggestion module never offers such a value.
    suggestion = suggest_mapping(read_table(_csv(rows), "v.csv"), "Vägval")
    assert "19121212" not in suggestion.toml()


# -- suggestions ---------------------------------------------------------------------------


def _suggest(data: bytes, name: str, project: str | None = "Vägval"):
    return suggest_mapping(read_table(data, name), project)


def _imports_with_draft(data: bytes, name: str, suggestion) -> None:
    outcome = read_and_validate(data, name, mapping=parse_mapping(suggestion.toml()))
    assert outcome.ok, [p.message for p in outcome.problems]


def test_suggestion_for_a_workbook_with_title_rows_and_a_totals_row() -> None:
    data = _xlsx(ROWS)
    suggestion = _suggest(data, "v.xlsx")
    mapping = suggestion.mapping
    assert (mapping.header_row, mapping.stop_at_blank_row) == (3, True)
    assert mapping.columns["Deltagarnr"] == "deltagare_id"
    assert mapping.columns["Födelseår"] == "fodelsear"
    assert mapping.columns["Orsak till avslut"] == "avslutsorsak"
    assert mapping.columns["Kommentar"] == ""
    assert mapping.constants == {"insats": "Vägval"}
    assert mapping.values["forsorjning_slut"]["Anställning"] == "lon"
    assert mapping.values["aktivitet_start"] == {"x": "Ja", "": "Nej"}
    draft = suggestion.toml()
    # Uncertain lines carry a comment: the blank cell read as Nej, the row options.
    assert '"" = "Nej"  # tom cell tolkas som Nej' in draft
    assert "header_row = 3  # " in draft
    _imports_with_draft(data, "v.xlsx", suggestion)


def test_suggestion_for_swedish_labels_and_agency_abbreviations() -> None:
    headers = [
        "Löpnummer",
        "Projekt",
        "Hemkommun",
        "Kön",
        "Ålder",
        "Inskrivningsdatum",
        "Utskrivningsdatum",
        "Försörjning vid start",
        "Försörjning vid avslut",
        "Ekonomiskt bistånd vid avslut",
        "Utbildningsnivå",
    ]
    starts = ["FB", "EB", "Försörjningsstöd", "SjP", "SA", "AE", "A-kassa", "Ekonomiskt bistånd"]
    ends = ["Anställning", "CSN", "Arbete", "SA", "Lön (arbete)", "Studiemedel", "AE", "FB"]
    rows = [
        [f"P{i}", "Vägval", "Sigtuna", "Kvinna", str(30 + i), f"2019-0{i + 1}-01",
         f"2019-1{i % 3}-01", start, end, "Inget bistånd", "Gymnasium"]
        for i, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]  # fmt: skip
    data = "\n".join(";".join(r) for r in [headers, *rows]).encode("utf-8")
    suggestion = _suggest(data, "v.csv", project=None)
    mapping = suggestion.mapping
    assert mapping.project == "Vägval"  # the insats column's one value
    assert mapping.constants == {}
    assert [mapping.columns[h] for h in headers] == [
        "deltagare_id",
        "insats",
        "kommun",
        "kon",
        "alder",
        "startdatum",
        "slutdatum",
        "forsorjning_start",
        "forsorjning_slut",
        "bistand_slut",
        "utbildning",
    ]
    assert mapping.values["forsorjning_start"] == {
        "FB": "ekonomiskt_bistand",
        "EB": "ekonomiskt_bistand",
        "Försörjningsstöd": "ekonomiskt_bistand",
        "SjP": "sjukpenning",
        "SA": "sjukersattning",
        "AE": "aktivitetsersattning",
        "A-kassa": "a_kassa",
        "Ekonomiskt bistånd": "ekonomiskt_bistand",
    }
    ends_map = mapping.values["forsorjning_slut"]
    assert ends_map["Anställning"] == ends_map["Arbete"] == ends_map["Lön (arbete)"] == "lon"
    assert ends_map["CSN"] == ends_map["Studiemedel"] == "studiemedel"
    assert mapping.values["utbildning"] == {"Gymnasium": "gymnasial"}
    # Each value carries its confidence: the format's own labels are sure, words close.
    confidence = {v.value: v.confidence for v in suggestion.values["forsorjning_slut"]}
    assert confidence["Studiemedel"] == 1.0
    assert SURE <= confidence["CSN"] < 1.0
    _imports_with_draft(data, "v.csv", suggestion)


def test_suggestion_for_x_marks_fuzzy_headers_and_unknown_values() -> None:
    headers = ["Deltagar-nr", "Kommun", "Kön", "Startdatum", "Aktiv vid start", "Försörjn start"]
    rows = [
        ["A1", "Sigtuna", "K", "2019-01-01", "x", "Kommunalt stöd"],
        ["A2", "Sigtuna", "M", "2019-01-02", "", "Försörjningsstöd"],
        ["A3", "Sigtuna", "M", "2019-01-03", "X", "Försörjningsstöd"],
    ]
    data = "\n".join(";".join(r) for r in [headers, *rows]).encode("utf-8")
    suggestion = _suggest(data, "v.csv")
    mapping = suggestion.mapping
    assert mapping.columns["Deltagar-nr"] == "deltagare_id"
    fuzzy = next(c for c in suggestion.columns if c.header == "Försörjn start")
    assert fuzzy.target == "forsorjning_start"
    assert 0.5 < fuzzy.confidence < SURE
    draft = suggestion.toml()
    assert '"Försörjn start" = "forsorjning_start"  # liknar' in draft
    assert mapping.values["aktivitet_start"] == {"x": "Ja", "X": "Ja", "": "Nej"}
    # No code for "Kommunalt stöd": written commented out, so the file stays refused until
    # someone decides, and the refusal lists it as a new value.
    assert '# "Kommunalt stöd" = ""' in draft
    outcome = read_and_validate(data, "v.csv", mapping=parse_mapping(draft))
    assert [p.rule for p in outcome.problems] == ["nytt_varde"]
    assert "'Kommunalt stöd'" in outcome.problems[0].message


def test_suggestion_extends_a_saved_mapping_with_only_what_is_new() -> None:
    base = parse_mapping(MAPPING_TOML)
    rows = [list(r) for r in ROWS]
    rows[1][6] = "SjP"
    headers = [h if h != "Kommentar" else "Anteckning" for h in HEADERS]
    data = _csv(rows, headers)
    suggestion = suggest_mapping(read_table(data, "v.csv"), "Vägval", base)
    mapping = suggestion.mapping
    assert mapping.values["forsorjning_start"]["SjP"] == "sjukpenning"
    assert mapping.values["forsorjning_start"]["FB"] == "ekonomiskt_bistand"  # kept
    assert mapping.columns["Anteckning"] == ""
    assert "Kommentar" not in mapping.columns  # the file no longer has it
    assert [c.header for c in suggestion.columns] == ["Anteckning"]


def test_draft_never_written_unsure_without_a_comment() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["Id", "Kommun", "Kön", "Start", "Orsak", "Xyzzy"])
    ws.write_row(1, 0, ["A", "Sigtuna", "K", "2019-01-01", "Flytt", "1"])
    book.close()
    suggestion = _suggest(buffer.getvalue(), "v.xlsx")
    draft = suggestion.toml().splitlines()
    for column in suggestion.columns:
        line = next(x for x in draft if x.startswith(f'"{column.header}" ='))
        assert ("#" in line) == (column.confidence < SURE or column.target == "")
    assert suggestion.mapping.values["avslutsorsak"] == {"Flytt": "flyttat"}
