"""The import service: duplicates are no-ops, refusals store nothing, replacing needs a yes."""

from __future__ import annotations

import pytest

from access.roles import system_user
from store import Store
from store.importer import import_export

HEADER = "deltagare_id;insats;kommun;kon;startdatum;slutdatum;bistand_slut;forsorjning_slut\n"


def export(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode("utf-8")


SAMRE = export(
    "A1;SAMRE;Sollentuna;K;2018-03-01;2019-01-15;inget;lon",
    "A2;SAMRE;Sigtuna;M;2018-04-01;;;",
)
SAMRE_NEWER = export(
    "A1;SAMRE;Sollentuna;K;2018-03-01;2019-01-15;inget;lon",
    "A2;SAMRE;Sigtuna;M;2018-04-01;2019-02-20;helt;sjukersattning",
    "A3;SAMRE;Upplands Väsby;X;2019-02-01;;;",
)


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


def test_an_accepted_file_is_stored_and_said_plainly(store: Store) -> None:
    outcome = import_export(store, SAMRE, "samre_2019-03.csv", actor=system_user("anna"))

    assert outcome.status == "imported"
    assert outcome.report_month == "2019-03"
    assert outcome.message == "Importerad: SAMRE 2019-03, 2 rader."
    (record,) = outcome.imports
    assert (record.project, record.rows, record.imported_by) == ("SAMRE", 2, "anna")
    loaded = store.load_snapshots()
    assert sorted(loaded.get_column("case_id").to_list()) == ["A1", "A2"]
    assert "report_month" in loaded.columns
    assert store.audit_entries()[0]["action"] == "import"


def test_several_projects_in_one_file_become_one_import_each(store: Store) -> None:
    data = export(
        "A1;SAMRE;Sollentuna;K;2018-03-01;;;",
        "K1;Kaosam;Upplands Väsby;K;2018-05-01;2018-12-01;helt;sjukersattning",
        "K2;Kaosam;Upplands Väsby;M;2018-05-03;;;",
    )

    outcome = import_export(store, data, "finsam.csv", month="2019-03", actor=system_user("lokal"))

    assert outcome.status == "imported"
    assert {(r.project, r.rows) for r in outcome.imports} == {("SAMRE", 1), ("Kaosam", 2)}
    assert len(store.history()) == 2


def test_the_same_bytes_twice_are_imported_once(store: Store) -> None:
    first = import_export(store, SAMRE, "samre_2019-03.csv", actor=system_user("lokal"))

    again = import_export(
        store, SAMRE, "kopia_2019-04.csv", replace=True, actor=system_user("lokal")
    )

    assert again.status == "duplicate"
    (record,) = first.imports
    assert again.message == (
        f"Filen är redan importerad (import {record.id}, SAMRE 2019-03); inget ändrades."
    )
    assert store.history() == first.imports
    assert len(store.audit_entries()) == 1


def test_a_new_file_for_a_loaded_month_waits_for_confirmation(store: Store) -> None:
    (old,) = import_export(store, SAMRE, "samre_2019-03.csv", actor=system_user("lokal")).imports

    waiting = import_export(store, SAMRE_NEWER, "samre_ny_2019-03.csv", actor=system_user("lokal"))

    assert waiting.status == "needs_confirmation"
    assert waiting.imports == [old]
    assert waiting.message == (
        f"Det finns redan en ögonblicksbild för SAMRE 2019-03 (import {old.id}, fil "
        "samre_2019-03.csv). Bekräfta för att ersätta den; den gamla sparas och kan återställas."
    )
    assert store.history() == [old]
    assert store.load_snapshots().height == 2

    confirmed = import_export(
        store, SAMRE_NEWER, "samre_ny_2019-03.csv", replace=True, actor=system_user("lokal")
    )

    assert confirmed.status == "imported"
    assert f"Ersatte import {old.id}" in confirmed.message
    assert store.load_snapshots().height == 3
    assert {r.id: r.status for r in store.history()} == {
        confirmed.imports[0].id: "current",
        old.id: "replaced",
    }


def test_a_refused_file_stores_nothing_and_the_refusal_is_audited_without_content(
    store: Store,
) -> None:
    personal = export("198501011236;SAMRE;Sollentuna;K;2018-03-01;;;")

    outcome = import_export(store, personal, "samre_2019-03.csv", actor=system_user("anna"))

    assert outcome.status == "refused"
    assert outcome.validation is not None and not outcome.validation.ok
    assert "inget har sparats" in outcome.message
    assert store.is_empty() and store.history() == []
    (entry,) = store.audit_entries()
    assert (entry["actor"], entry["action"]) == ("anna", "import_refused")
    assert entry["detail"]["reason"] == "validation"
    assert "198501011236" not in repr(entry)
    assert "19850101" not in repr(entry)


def test_a_file_without_a_report_month_is_refused(store: Store) -> None:
    outcome = import_export(store, SAMRE, "samre.csv", actor=system_user("lokal"))

    assert outcome.status == "refused"
    assert "Rapportmånad saknas" in outcome.message
    assert outcome.message.endswith("Inget har sparats.")
    assert store.history() == []
    assert store.audit_entries()[0]["detail"]["reason"] == "report_month"


def test_a_month_column_in_the_file_is_used_and_not_stored_as_a_case_field(store: Store) -> None:
    data = (
        b"deltagare_id;insats;kommun;kon;startdatum;rapportmanad\n"
        b"A1;SAMRE;Sollentuna;K;2018-03-01;2019-06\n"
    )

    outcome = import_export(store, data, "samre.csv", actor=system_user("lokal"))

    assert outcome.status == "imported"
    assert outcome.report_month == "2019-06"
    assert store.load_snapshots().get_column("report_month").to_list() == ["2019-06"]


def test_progress_is_reported_up_to_done(store: Store) -> None:
    seen: list[tuple[float, str]] = []

    import_export(
        store,
        SAMRE,
        "samre_2019-03.csv",
        progress=lambda f, s: seen.append((f, s)),
        actor=system_user("lokal"),
    )

    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert seen[-1] == (1.0, "Klart")


AFTER_MONTH = export(
    "A1;SAMRE;Sollentuna;K;2018-03-01;2019-04-15;inget;lon",
    "A2;SAMRE;Sigtuna;M;2018-04-01;;;",
)


def test_an_end_date_after_the_report_month_is_refused_and_nothing_stored(store: Store) -> None:
    outcome = import_export(
        store, AFTER_MONTH, "samre.csv", month="2019-03", actor=system_user("anna")
    )

    assert outcome.status == "refused"
    assert "rapportmånaden 2019-03" in outcome.message and "rad 2" in outcome.message
    assert store.history() == []
    assert store.audit_entries()[0]["detail"]["rules"] == ["datum_efter_rapportmanad"]
    assert (
        import_export(
            store, AFTER_MONTH, "samre.csv", month="2019-04", actor=system_user("lokal")
        ).status
        == "imported"
    )


def test_a_file_checked_for_another_month_is_checked_again_for_the_month_it_is_stored_under(
    store: Store,
) -> None:
    from ingest import read_and_validate

    checked = read_and_validate(AFTER_MONTH, "samre_2019-04.csv")  # as the page checks it
    assert checked.ok and checked.checked_month == "2019-04"

    outcome = import_export(
        store,
        AFTER_MONTH,
        "samre_2019-04.csv",
        month="2019-03",
        checked=checked,
        actor=system_user("lokal"),
    )

    assert outcome.status == "refused"
    assert "rapportmånaden 2019-03" in outcome.message
    assert store.history() == []


# -- file names holding personal data ---------------------------------------------------

_NAMED = "198501011236_2019-03.csv"  # 850101-1236 is a valid identity number


def _raw_text(store: Store) -> str:
    """Every file name and audit text as stored, read past the store's own methods."""
    import sqlalchemy as sa

    from store.tables import audit_log, imports

    with store.engine.connect() as connection:
        names = connection.execute(sa.select(imports.c.file_name)).scalars().all()
        audit = connection.execute(sa.select(audit_log.c.target, audit_log.c.detail)).all()
    return repr(names) + repr(audit)


def test_a_file_name_with_an_identity_number_is_refused_and_logged_masked(store: Store) -> None:
    outcome = import_export(store, SAMRE, _NAMED, actor=system_user("lokal"))

    assert outcome.status == "refused"
    assert "19850101-****_2019-03.csv" in outcome.message
    assert store.history() == []
    assert "1236" not in _raw_text(store) + outcome.message
    assert store.audit_entries()[0]["target"] == "19850101-****_2019-03.csv"


def test_the_store_saves_file_names_masked_whoever_calls_it(store: Store) -> None:
    from ingest import read_and_validate

    cases = read_and_validate(SAMRE, "samre.csv").cases
    assert cases is not None
    (record,) = store.save_snapshots(
        file_name=_NAMED,
        sha256="0" * 64,
        report_month="2019-03",
        cases=cases,
        imported_by="anna",
        replace=False,
    )
    assert record.file_name == "19850101-****_2019-03.csv"
    assert "1236" not in _raw_text(store)


def test_file_names_stored_unmasked_earlier_are_masked_when_read(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import sqlalchemy as sa

    import cli
    from store.tables import audit_log, imports

    import_export(store, SAMRE, "samre_2019-03.csv", actor=system_user("anna"))
    with store.engine.begin() as connection:  # as an older version stored them
        connection.execute(sa.update(imports).values(file_name=_NAMED))
        connection.execute(
            sa.update(audit_log).values(target=_NAMED, detail=f'{{"file_name": "{_NAMED}"}}')
        )

    assert [r.file_name for r in store.history()] == ["19850101-****_2019-03.csv"]
    (entry,) = store.audit_entries()
    assert entry["target"] == entry["detail"]["file_name"] == "19850101-****_2019-03.csv"

    monkeypatch.setenv("DATABASE_URL", store.url)
    for command in (["history"], ["history", "--format", "json"], ["audit"]):
        assert cli.main(command) == 0
        out = capsys.readouterr().out
        assert "19850101-****" in out
        assert "1236" not in out


@pytest.mark.parametrize("name", [_NAMED, "850101-1236_bad_2019-03.csv"])
def test_cli_import_refuses_and_echoes_the_file_name_masked(
    store: Store, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys, name: str
) -> None:
    import cli

    path = tmp_path / name
    path.write_bytes(SAMRE)
    monkeypatch.setenv("DATABASE_URL", store.url)

    assert cli.main(["import", str(path)]) == 1
    printed = "".join(capsys.readouterr())
    assert "-****_" in printed
    assert "1236" not in printed
    assert store.history() == []
    assert cli.main(["audit"]) == 0
    assert "1236" not in capsys.readouterr().out
    assert cli.main(["import", str(tmp_path / "850101-1236.csv")]) == 2  # no such file
    assert "1236" not in "".join(capsys.readouterr())
